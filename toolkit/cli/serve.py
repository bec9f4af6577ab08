"""``oqtk serve``: the dashboards in the browser (Voila on 127.0.0.1)."""

from __future__ import annotations

import argparse
from typing import Any

from .options import port_number, positive_seconds

__all__ = ["add_cli"]


def add_cli(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="启动仪表板服务 / serve the dashboards (Voila on 127.0.0.1)",
        description=(
            "启动仪表板（Voila）。/ Start the dashboards (Voila). The toolkit's own files (runs, "
            "register, uploads) go to $OQTK_HOME (default ~/.oqtk); uploads are limited to "
            "$OQTK_UPLOAD_LIMIT_MB (default 20) MB."
        ),
    )
    p.add_argument("--port", type=port_number, default=8866, help="端口 / port (default 8866)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="监听地址 / address to listen on (default 127.0.0.1: this computer only)",
    )
    p.add_argument("--no-browser", action="store_true", help="不打开浏览器 / do not open a browser")
    p.add_argument(
        "--cull-idle-timeout",
        type=positive_seconds,
        default=None,
        help="闲置多少秒后关闭内核 / shut a kernel down after this many idle seconds (default 3600)",
    )
    p.add_argument(
        "--cull-interval",
        type=positive_seconds,
        default=None,
        help="检查闲置内核的间隔秒数 / seconds between idle-kernel checks (default 300)",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from ..dashboards.server import ServerSettings, serve

    kwargs: dict[str, Any] = {"port": args.port, "host": args.host, "open_browser": not args.no_browser}
    if args.cull_idle_timeout is not None:
        kwargs["cull_idle_timeout"] = args.cull_idle_timeout
    if args.cull_interval is not None:
        kwargs["cull_interval"] = args.cull_interval
    return serve(ServerSettings(**kwargs))
