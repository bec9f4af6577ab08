"""The Voila server behind ``oqtk serve``: the dashboards on 127.0.0.1, locked down.

Everything here is Voila's and Jupyter Server's public configuration (:func:`voila_config`, passed
to Voila directly; no ``voila.json``/``voila.py`` is read: ``Voila.config_file_paths`` is empty).
The two needs that configuration cannot meet live in :mod:`.voila_app`, with why.

What it serves
    Voila serves the folder ``notebooks/dashboards/``, which holds only the dashboard pages
    (:data:`toolkit.dashboards.page.PAGES` and the app), at ``/voila/render/<page>.ipynb``: no other
    notebook (e.g. the papermill ``batch_review.ipynb`` beside that folder) can be rendered or is
    preheated. ``/`` redirects to the home page; the directory listing (``/voila/tree``) and the
    contents API (``/voila/api/contents``) answer 404 (:mod:`.voila_app`); ``/voila/files/`` serves
    nothing (``file_allowlist``). No ``.ipynb`` or ``.py`` source leaves the server.

Who may use it
    Only a browser that has the server's token (``Voila.token``): generated at each start (or
    ``$OQTK_SERVE_TOKEN``), put in the URL that ``oqtk serve`` prints and opens, as Jupyter does
    (``?token=…`` once, then a cookie). Without it every page is a redirect to the token form: no
    form, no kernel. The ``Host`` header must be 127.0.0.1 (any loopback address) or
    ``localhost`` (Jupyter Server's ``allow_remote_access`` off, ``local_hostnames``, given as
    ``Voila.tornado_settings``), so a web page using DNS rebinding cannot reach the server.
    Sign-off here is not tied to a login (one user, one machine): the bureau deployment is
    ``oqtk hub``.

What it refuses
    Code sent from the browser: Voila's kernel websocket only passes comm and kernel-info
    messages, so an ``execute_request`` is dropped.

No request leaves the machine
    The page uses our template ``oqtk`` (``templates/voila/templates/oqtk``, base ``lab``) which
    drops the Font Awesome stylesheets Voila's ``lab`` template loads from a CDN; MathJax and
    Mermaid are not loaded; only the widgets extension is loaded; template and theme cannot be
    overridden from the URL.

Kernels
    One preheated kernel per page; a kernel whose page has closed is culled within minutes (Voila
    does not shut a kernel down when its page closes, voila-dashboards/voila#1458; an open page's
    kernel is never culled; one handed out from the pool gets a full idle timeout to connect,
    :class:`.voila_app.PageKernelManager`); a cell timeout; no tracebacks.

Uploads
    :data:`UPLOAD_LIMIT_BYTES` (``$OQTK_UPLOAD_LIMIT_MB``, default 20) is enforced by tornado's
    websocket message limit (uploads travel over the kernel websocket), by the page (a file over
    the limit is not read; the page says why) and by the forms' own check.

This module imports Voila lazily: a form may import :data:`UPLOAD_LIMIT_BYTES` cheaply.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ParameterError
from ..paths import REPO_ROOT, oqtk_home

__all__ = [
    "NOTEBOOK_DIR",
    "TEMPLATE_NAME",
    "TEMPLATE_ROOT",
    "UPLOAD_LIMIT_BYTES",
    "ServerSettings",
    "page_url",
    "serve",
    "upload_limit_bytes",
    "voila_config",
]

#: The dashboard pages, and nothing else: the folder Voila serves.
NOTEBOOK_DIR = REPO_ROOT / "notebooks" / "dashboards"
#: A Jupyter data directory: Voila finds our template at ``<root>/voila/templates/oqtk``.
TEMPLATE_ROOT = REPO_ROOT / "templates"
TEMPLATE_NAME = "oqtk"
DEFAULT_UPLOAD_LIMIT_MB = 20


def upload_limit_bytes(environ: dict[str, str] | None = None) -> int:
    """The largest upload accepted, in bytes: ``$OQTK_UPLOAD_LIMIT_MB`` (default 20) MiB."""
    env = os.environ if environ is None else environ
    raw = env.get("OQTK_UPLOAD_LIMIT_MB", "").strip()
    if not raw:
        return DEFAULT_UPLOAD_LIMIT_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        mb = 0
    if not mb > 0:
        raise ParameterError(
            f"OQTK_UPLOAD_LIMIT_MB 应为正数 / OQTK_UPLOAD_LIMIT_MB must be a positive number of MB, not {raw!r}"
        )
    return int(mb * 1024 * 1024)


#: The largest upload accepted (bytes). Forms with an upload check ``len(content)`` against it.
UPLOAD_LIMIT_BYTES: int = upload_limit_bytes()


@dataclass(frozen=True)
class ServerSettings:
    """What ``oqtk serve`` starts. Defaults are the production settings."""

    port: int = 8866
    host: str = "127.0.0.1"
    open_browser: bool = True
    pool_size: int = 1  # preheated kernels per page
    # Voila does not shut a kernel down when its page closes: a kernel with no connection (its tab
    # closed) is culled after 3 idle minutes; an open page (connected) never is, however idle;
    # preheated kernels waiting in the pool are skipped by Voila's culler.
    cull_idle_timeout: int = 180  # seconds idle, with no connection, before a kernel is shut down
    cull_interval: int = 30  # seconds between checks
    cull_connected: bool = False  # never cull the kernel of an open page
    cell_timeout: int = 120  # seconds a notebook cell may run while the page is built
    upload_limit_bytes: int = field(default_factory=lambda: UPLOAD_LIMIT_BYTES)
    token: str = ""  # the browser's key; default: $OQTK_SERVE_TOKEN, else generated at start


def _tools() -> list[str]:
    """The app's navigation order: each tool's page (the app itself is not a tool)."""
    from .page import PAGES

    return list(PAGES)


def page_url(base: str, page: str) -> str:
    """``http://127.0.0.1:8866`` + ``lookup`` → the page's URL."""
    return f"{base.rstrip('/')}/voila/render/{page}.ipynb"


def voila_config(settings: ServerSettings) -> dict[str, dict[str, Any]]:
    """The Voila configuration for ``settings``, as nested ``{section: {trait: value}}``.

    :func:`serve` passes it to the application directly and reads no ``voila.json``/``voila.py``
    from the user's Jupyter folders, so nothing outside the repository can loosen it.
    """
    # tornado closes a websocket whose message is larger than this: leave room for the
    # message header so a file at the limit still arrives and the form's own check answers.
    ws_max = settings.upload_limit_bytes + 4 * 1024 * 1024
    return {
        "Voila": {
            "ip": settings.host,
            "port": settings.port,
            "port_retries": 0,
            "open_browser": False,  # serve() opens the URL with the token itself
            "token": settings.token,
            "config_file_paths": [],  # settings come from here only
            "tornado_settings": {
                "websocket_max_message_size": ws_max,
                # the Host header must name this machine (loopback or localhost): no DNS rebinding
                "allow_remote_access": False,
                "local_hostnames": ["localhost"],
            },
        },
        "VoilaConfiguration": {
            "template": TEMPLATE_NAME,
            "theme": "light",
            "allow_template_override": "NO",
            "allow_theme_override": "NO",
            "strip_sources": True,
            "show_tracebacks": False,
            "preheat_kernel": True,
            "default_pool_size": settings.pool_size,
            "multi_kernel_manager_class": "toolkit.dashboards.voila_app.PageKernelManager",
            "file_allowlist": [],  # /voila/files/ serves nothing
            "file_denylist": [".*"],
            "extension_language_mapping": {},  # only notebooks are pages, never a .py file
            # the widgets and Voila's widget manager for them; no other JupyterLab extension
            "extension_allowlist": [
                "@jupyter-widgets/jupyterlab-manager",
                "@voila-dashboards/widgets-manager8",
            ],
            "resources": {
                "oqtk_upload_limit_bytes": settings.upload_limit_bytes,
                "oqtk_tools": _tools(),
            },
        },
        "VoilaExporter": {"language_code": "zh"},
        # iopub_timeout: how long to wait for a cell's output after it finishes. nbclient's default
        # (4 s) drops a form's widget output when many kernels start at once, leaving a page that never
        # becomes interactive (seen with 20 concurrent sessions on 2 cores).
        "VoilaExecutor": {"timeout": settings.cell_timeout, "iopub_timeout": settings.cell_timeout},
        "MappingKernelManager": {
            "cull_idle_timeout": settings.cull_idle_timeout,
            "cull_interval": settings.cull_interval,
            "cull_connected": settings.cull_connected,
            "cull_busy": False,
        },
    }


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(settings: ServerSettings | None = None, extra_argv: Sequence[str] = ()) -> int:
    """Start Voila in this process (blocks until stopped)."""
    import dataclasses
    import secrets
    import threading
    import webbrowser

    from traitlets.config import Config

    from .voila_app import DashboardsVoila

    settings = settings or ServerSettings()
    token = settings.token or os.environ.get("OQTK_SERVE_TOKEN", "").strip() or secrets.token_urlsafe(32)
    settings = dataclasses.replace(settings, token=token)
    home = oqtk_home()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["OQTK_HOME"] = str(home)  # the kernels inherit it
    os.environ["OQTK_UPLOAD_LIMIT_MB"] = str(settings.upload_limit_bytes / (1024 * 1024))
    # Our template lives in a Jupyter data directory of its own; put it first.
    paths = [str(TEMPLATE_ROOT), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    if not _is_loopback(settings.host):
        print(
            f"警告：服务监听 {settings.host}，其他计算机可访问（无登录）。/ "
            f"Warning: listening on {settings.host}: other machines can reach the dashboards (no login).",
            file=sys.stderr,
        )
    url = f"{page_url(f'http://{settings.host}:{settings.port}', 'home')}?token={token}"
    print(
        f"oqtk: 首页 Home → {url}\n      (OQTK_HOME={home}；此链接含访问令牌，请勿外传 / the link holds this "
        "server's access token: keep it to yourself)",
        file=sys.stderr,
    )
    if settings.open_browser:
        threading.Timer(2.0, webbrowser.open, [url]).start()
    DashboardsVoila.launch_instance(
        argv=[str(NOTEBOOK_DIR), *extra_argv], config=Config(voila_config(settings))
    )
    return 0
