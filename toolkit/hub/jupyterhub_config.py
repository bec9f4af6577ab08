# JupyterHub configuration for oq-toolkit: `oqtk hub` (or `make hub`) starts JupyterHub with it.
# Plain assignments; `oqtk hub` passes the choices of this start in OQTK_HUB_* variables.
# See the README, "Bureau deployment", for roles, the service and the production notes.
import os
import sys
from pathlib import Path

from toolkit.hub import APPROVE_SCOPE, READ_ALL_SCOPE, ROLE_GROUPS, SERVICE_NAME, role_of_groups
from toolkit.paths import REPO_ROOT

c = get_config()  # type: ignore[name-defined]  # noqa: F821

state = Path(os.environ["OQTK_HUB_STATE"])  # $OQTK_HOME/hub: everything the hub keeps (0700)
runs_root = Path(os.environ["OQTK_RUNS_DIR"])  # written by oq-register only
ip = os.environ.get("OQTK_HUB_IP", "127.0.0.1")
port = int(os.environ.get("OQTK_HUB_PORT", "8000"))
public_host = "127.0.0.1" if ip in ("", "0.0.0.0", "::") else ip  # noqa: S104
bin_dir = Path(sys.executable).parent
# One bureau data folder (imported calendar years, List versions) for the service and every user
bureau_data = os.environ.get("OQTK_BUREAU_DATA_DIR") or str(state.parent / "data")

# --- where the hub listens, and what it keeps -----------------------------------------------
# The proxy (JupyterHub's configurable-http-proxy) is the only public port: 127.0.0.1 unless
# `oqtk hub --ip` says otherwise. The hub itself and the proxy's API stay on loopback.
c.JupyterHub.bind_url = f"http://{ip}:{port}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ['OQTK_HUB_INTERNAL_PORT']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['OQTK_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.command = [os.environ["OQTK_HUB_PROXY"]]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
if os.environ.get("OQTK_HUB_SSL_CERT"):  # TLS at the proxy (or put a reverse proxy in front)
    c.JupyterHub.ssl_cert = os.environ["OQTK_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["OQTK_HUB_SSL_KEY"]
# One machine: SQLite. Several: JupyterHub's PostgreSQL, e.g. postgresql://hub@db/jupyterhub
c.JupyterHub.db_url = os.environ.get("OQTK_HUB_DB_URL") or f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")  # created 0600
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # user servers stop with the hub

# --- accounts and roles ---------------------------------------------------------------------
# Accounts from `oqtk hub users add` (bcrypt passwords in the hub database, no sign-up page);
# each account's role is its group. A changed role or a removed account takes effect at the
# next refresh (every 60 s), for cookies and tokens alike (strict refresh).
c.JupyterHub.authenticator_class = "toolkit.hub.auth.OqtkAuthenticator"
c.Authenticator.auth_refresh_age = 60
c.Authenticator.auth_refresh_strict = True
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5  # then 10 minutes' wait
c.NativeAuthenticator.seconds_before_next_try = 600
# Production with a directory (LDAP / Active Directory): toolkit.hub.ldap.OqtkLDAPAuthenticator
# in $OQTK_HOME/hub/site_config.py (read at the end of this file); see that module's docstring.

c.JupyterHub.custom_scopes = {
    APPROVE_SCOPE: {"description": "Approve or return batch runs of other users (supervisors)."},
    READ_ALL_SCOPE: {"description": "See every batch run and audit the register (supervisors, admins)."},
}
use_service = f"access:services!service={SERVICE_NAME}"
c.JupyterHub.load_roles = [
    {"name": "oq-officer", "groups": [ROLE_GROUPS["officer"]], "scopes": ["self", use_service]},
    {
        "name": "oq-supervisor",
        "groups": [ROLE_GROUPS["supervisor"]],
        "scopes": ["self", use_service, APPROVE_SCOPE, READ_ALL_SCOPE],
    },
    # admins: JupyterHub admins (users, servers) who see every run; they do not approve
    {"name": "oq-admin", "groups": [ROLE_GROUPS["admin"]], "scopes": ["self", use_service, READ_ALL_SCOPE]},
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    },
]

# --- the oq-register service ----------------------------------------------------------------
register_url = f"http://{public_host}:{port}/services/{SERVICE_NAME}/"
c.JupyterHub.services = [
    {
        "name": SERVICE_NAME,
        "url": f"http://127.0.0.1:{os.environ['OQTK_REGISTER_PORT']}",
        "command": [sys.executable, "-m", "toolkit.hub.service"],
        "environment": {
            "OQTK_HUB_STATE": str(state),
            "OQTK_RUNS_DIR": str(runs_root),
            "OQTK_HOME": str(state / "service"),
            "OQTK_CACHE_DIR": os.environ.get("OQTK_CACHE_DIR", ""),
            "OQTK_DATA_DIR": os.environ.get("OQTK_DATA_DIR", ""),
            "OQTK_BUREAU_DATA_DIR": bureau_data,
            "OQTK_SERVICE_JOBS": os.environ.get("OQTK_SERVICE_JOBS", ""),
            "PATH": os.environ.get("PATH", ""),
        },
        "oauth_no_confirm": True,
        "display": False,
    },
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={os.environ.get('OQTK_HUB_CULL_TIMEOUT', '3600')}",
        ],
    },
]

# --- each user's server ---------------------------------------------------------------------
# SimpleLocalProcessSpawner: every user server runs on this machine under the hub's own OS
# account, in $OQTK_HOME/hub/users/<name>. Several machines or per-user OS accounts:
# SystemdSpawner (readonly_paths=[runs root]), DockerSpawner, or KubeSpawner (Zero to
# JupyterHub); the service stays beside the hub. See the README.
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.args = [f"--config={Path(__file__).with_name('singleuser_config.py')}"]
c.Spawner.default_url = "/voila/render/dashboards/home.ipynb"
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90
# stop quickly (SIGINT, then SIGTERM, then SIGKILL, 2 s apart): the hub's own shutdown waits for it
c.LocalProcessSpawner.interrupt_timeout = 2
c.LocalProcessSpawner.term_timeout = 2
c.LocalProcessSpawner.kill_timeout = 2
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "users" / "{username}")
c.Spawner.notebook_dir = str(state / "users" / "{username}")
# The server's token holds only what its user holds, of: the service, approving, seeing all.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    use_service,
    APPROVE_SCOPE,
    READ_ALL_SCOPE,
]


def pre_spawn_hook(spawner):  # type: ignore[no-untyped-def]
    """The user's workspace (dashboards; the runs root for supervisors and admins) and environment."""
    role = role_of_groups([g.name for g in spawner.user.groups]) or "officer"
    home = state / "users" / spawner.user.name
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    links = {"dashboards": REPO_ROOT / "notebooks" / "dashboards"}  # the pages only, not batch_review.ipynb
    if role in ("supervisor", "admin"):
        links["runs"] = runs_root
    for name in ("dashboards", "runs"):
        link = home / name
        if link.is_symlink() and (name not in links or Path(os.readlink(link)) != links[name]):
            link.unlink()
        if name in links and not link.is_symlink():
            link.symlink_to(links[name], target_is_directory=True)
    spawner.environment.update(
        {
            "OQTK_REGISTER_URL": register_url,
            "OQTK_RUNS_DIR": str(runs_root),
            "OQTK_HOME": str(home / ".oqtk"),
            "OQTK_ROLE": role,
            "OQTK_CACHE_DIR": os.environ.get("OQTK_CACHE_DIR", ""),
            "OQTK_DATA_DIR": os.environ.get("OQTK_DATA_DIR", ""),
            "OQTK_BUREAU_DATA_DIR": bureau_data,
            "JUPYTER_PATH": str(REPO_ROOT / "templates"),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        }
    )


c.Spawner.pre_spawn_hook = pre_spawn_hook


# --- the bureau's own settings --------------------------------------------------------------
# $OQTK_HOME/hub/site_config.py, when present, is read last: the directory (LDAP), TLS, a
# PostgreSQL db_url or another spawner, without editing the shipped file.
site_config = state / "site_config.py"
if site_config.is_file():
    load_subconfig(str(site_config))  # type: ignore[name-defined]  # noqa: F821
