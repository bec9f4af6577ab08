"""``oqtk hub``: the bureau deployment (JupyterHub), and ``oqtk hub users …``: its accounts.

``oqtk hub [--ip 127.0.0.1] [--port 8000]`` starts JupyterHub from the shipped configuration
(``toolkit/hub/jupyterhub_config.py``) with its state in ``$OQTK_HOME/hub/`` (created 0700; the
hub's database, cookie secret, register and its key are created 0600) and the shared runs root
``$OQTK_HOME/hub/runs`` (``--runs-dir``). The process becomes the hub (same process id), which
starts the proxy, the ``oq-register`` service, the idle culler and, at login, each user's server.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

from ..exceptions import ParameterError
from ..paths import REPO_ROOT, oqtk_home
from .options import port_number, positive_seconds

__all__ = ["add_cli", "hub_state_dir"]

CONFIG = Path(__file__).resolve().parent.parent / "hub" / "jupyterhub_config.py"
LOCAL_PROXY = REPO_ROOT / ".node" / "node_modules" / ".bin" / "configurable-http-proxy"


def hub_state_dir() -> Path:
    return oqtk_home() / "hub"


def _db_url(state: Path) -> str:
    return os.environ.get("OQTK_HUB_DB_URL") or f"sqlite:///{state / 'jupyterhub.sqlite'}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_cli(sub: Any) -> None:
    p = sub.add_parser(
        "hub",
        help="启动多用户服务（JupyterHub）并管理账户 / start the bureau's JupyterHub; manage its accounts",
        description=(
            "启动 JupyterHub：登录、角色（经办人、主管、管理员）与 oq-register 服务。/ Start JupyterHub "
            "with logins, roles (officer, supervisor, admin) and the oq-register service. State: "
            "$OQTK_HOME/hub/."
        ),
    )
    p.add_argument(
        "--ip", default="127.0.0.1", help="监听地址 / address (default 127.0.0.1: this computer only)"
    )
    p.add_argument("--port", type=port_number, default=8000, help="端口 / port (default 8000)")
    p.add_argument(
        "--runs-dir", type=Path, help="共享运行目录 / shared runs root (default $OQTK_HOME/hub/runs)"
    )
    p.add_argument("--ssl-cert", type=Path, help="TLS 证书 / TLS certificate (PEM), with --ssl-key")
    p.add_argument("--ssl-key", type=Path, help="TLS 私钥 / TLS private key (PEM)")
    p.add_argument(
        "--cull-timeout",
        type=positive_seconds,
        default=3600,
        help="闲置用户服务器关闭秒数 / idle server timeout (s)",
    )
    p.set_defaults(func=_hub)
    hsub = p.add_subparsers(dest="hub_command", metavar="ACTION")
    users = hsub.add_parser("users", help="账户 / accounts")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION")
    users.set_defaults(func=lambda _a: users.print_help() or 2)
    a = usub.add_parser("add", help="添加账户 / add an account")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=("officer", "supervisor", "admin"))
    a.add_argument(
        "--password-stdin", action="store_true", help="从标准输入读取密码 / read the password from stdin"
    )
    a.set_defaults(func=_users_add)
    ls = usub.add_parser("list", help="列出账户 / list accounts")
    ls.set_defaults(func=_users_list)
    sr = usub.add_parser("set-role", help="更改角色 / change an account's role")
    sr.add_argument("name")
    sr.add_argument("role", choices=("officer", "supervisor", "admin"))
    sr.set_defaults(func=_users_set_role)
    rm = usub.add_parser("remove", help="删除账户 / remove an account")
    rm.add_argument("name")
    rm.set_defaults(func=_users_remove)


def _state(create: bool = True) -> Path:
    state = hub_state_dir()
    if create:
        state.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(state, 0o700)
    return state


def _users_add(args: argparse.Namespace) -> int:
    from ..hub.accounts import add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("密码 / Password: ")
        if getpass.getpass("再次输入 / Again: ") != password:
            raise ParameterError("两次输入的密码不一致 / The passwords differ")
    os.umask(0o077)
    acct = add_user(_db_url(_state()), args.name, args.role, password)
    print(f"已添加 / Added: {acct.name} ({acct.role})")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    from ..hub import ROLE_LABELS
    from ..hub.accounts import list_users

    os.umask(0o077)
    accounts = list_users(_db_url(_state()))
    if not accounts:
        print("没有账户 / No accounts. Add one: oqtk hub users add NAME --role officer|supervisor|admin")
    for acct in accounts:
        zh, en = ROLE_LABELS[acct.role]
        print(
            f"{acct.name}\t{acct.role}\t{zh} / {en}"
            + ("" if acct.has_password else "\t(无密码 / no password)")
        )
    return 0


def _users_set_role(args: argparse.Namespace) -> int:
    from ..hub.accounts import set_role

    acct = set_role(_db_url(_state()), args.name, args.role)
    print(
        f"已更改 / Changed: {acct.name} → {acct.role}（下次身份刷新时生效，最多 60 秒 / effective within 60 s）"
    )
    return 0


def _users_remove(args: argparse.Namespace) -> int:
    from ..hub.accounts import remove_user

    remove_user(_db_url(_state()), args.name)
    print(f"已删除 / Removed: {args.name}（其登录最多 60 秒后失效 / their session ends within 60 s）")
    return 0


def _proxy() -> str:
    if LOCAL_PROXY.is_file():
        return str(LOCAL_PROXY)
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    raise ParameterError(
        "找不到 configurable-http-proxy / configurable-http-proxy is not installed: run `make hub` "
        f"(it installs the npm package into {LOCAL_PROXY.parent.parent})"
    )


def _hub(args: argparse.Namespace) -> int:
    from ..dashboards.server import _is_loopback
    from ..hub.accounts import open_session

    if (args.ssl_cert is None) != (args.ssl_key is None):
        raise ParameterError("--ssl-cert 与 --ssl-key 须同时给出 / give both --ssl-cert and --ssl-key")
    os.umask(0o077)  # the database, cookie secret, register, key and logs: owner only
    state = _state()
    runs = (args.runs_dir or state / "runs").expanduser().absolute()
    runs.mkdir(parents=True, exist_ok=True, mode=0o700)
    open_session(_db_url(state)).close()  # the hub's tables and ours exist before it starts
    env = {
        "OQTK_HUB_STATE": str(state),
        "OQTK_RUNS_DIR": str(runs),
        "OQTK_HUB_IP": args.ip,
        "OQTK_HUB_PORT": str(args.port),
        "OQTK_HUB_INTERNAL_PORT": str(_free_port()),
        "OQTK_HUB_PROXY_API_PORT": str(_free_port()),
        "OQTK_REGISTER_PORT": str(_free_port()),
        "OQTK_HUB_PROXY": _proxy(),
        "OQTK_HUB_CULL_TIMEOUT": str(args.cull_timeout),
    }
    if args.ssl_cert is not None:
        env["OQTK_HUB_SSL_CERT"], env["OQTK_HUB_SSL_KEY"] = str(args.ssl_cert), str(args.ssl_key)
    scheme = "https" if args.ssl_cert else "http"
    if not _is_loopback(args.ip):
        print(
            f"警告：服务监听 {args.ip}，本机以外的计算机可以访问登录页。请启用 TLS（--ssl-cert 与 --ssl-key），"
            f"或置于反向代理（nginx 等）之后。/ Warning: listening on {args.ip}: other computers can reach the "
            "login page. Use TLS (--ssl-cert and --ssl-key) or put the hub behind a TLS reverse proxy; see the "
            "README, 'Bureau deployment'.",
            file=sys.stderr,
        )
    if os.geteuid() == 0:
        print(
            "注意：以 root 运行；用户服务器与服务使用同一系统账户。生产环境请使用专用账户，见 README。/ Note: "
            "running as root; user servers share the hub's OS account. In production run the hub under a "
            "dedicated account (see the README).",
            file=sys.stderr,
        )
    print(
        f"oqtk hub: {scheme}://{args.ip}:{args.port}/hub/login  (state {state}, runs {runs})", file=sys.stderr
    )
    os.environ.update(env)
    exe = Path(sys.executable).with_name("jupyterhub")
    argv = [str(exe), "-f", str(CONFIG)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # noqa: S606  (the hub takes this process over: same pid)
    return 0  # pragma: no cover
