"""The Voila server behind ``oqtk serve``: the dashboards on 127.0.0.1, locked down.

What it serves
    Only the dashboard notebooks named in :data:`toolkit.dashboards.page.PAGES`, rendered at
    ``/voila/render/<page>.ipynb`` (``/`` redirects to the home page). Voila's directory listing
    (``/voila/tree``), its contents API (``/voila/api/contents``) and ``/voila/files/`` serve
    nothing: no ``.ipynb`` or ``.py`` source leaves the server, and other notebooks in
    ``notebooks/`` (e.g. the papermill ``batch_review.ipynb``) are neither rendered nor preheated.

Who may use it
    Only a browser that has the server's token: generated at each start (or ``$OQTK_SERVE_TOKEN``),
    put in the URL that ``oqtk serve`` prints and opens, as Jupyter does (``?token=…`` once, then
    a cookie). Without it every page is a redirect to the token form: no form, no kernel. The
    ``Host`` header must be 127.0.0.1 (any loopback address) or ``localhost``, so a web page using
    DNS rebinding cannot reach the server. Sign-off here is not tied to a login (one user, one
    machine): the bureau deployment is ``oqtk hub``.

What it refuses
    Code sent from the browser: Voila's kernel websocket only passes comm and kernel-info
    messages (``allowed_message_types``), so an ``execute_request`` is dropped.

No request leaves the machine
    The page uses our template ``oqtk`` (``templates/voila/templates/oqtk``, base ``lab``) which
    drops the Font Awesome stylesheets Voila's ``lab`` template loads from a CDN; MathJax and
    Mermaid are not loaded; only the widgets extension is loaded; template and theme cannot be
    overridden from the URL.

Settings (:func:`voila_config`, passed to Voila directly; no ``voila.json`` is read)
    preheated kernels (one per page), kernels whose page has closed culled within minutes (Voila
    does not shut a kernel down when its page closes, voila-dashboards/voila#1458; an open page's
    kernel is never culled), a cell timeout, no tracebacks, and an
    upload limit (:data:`UPLOAD_LIMIT_BYTES`, ``$OQTK_UPLOAD_LIMIT_MB``, default 20) enforced by
    tornado, by the page (a file over the limit is not read; the page says why) and by the
    forms' own check.

This module imports Voila lazily: a form may import :data:`UPLOAD_LIMIT_BYTES` cheaply.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
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

log = logging.getLogger("toolkit.dashboards.server")

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
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
    pages: tuple[str, ...] = ()  # default: every page in toolkit.dashboards.page.PAGES
    token: str = ""  # the browser's key; default: $OQTK_SERVE_TOKEN, else generated at start


def _pages(settings: ServerSettings) -> tuple[str, ...]:
    if settings.pages:
        return settings.pages
    from .page import PAGES

    return (*PAGES, "app")  # each tool's own page, and the app holding them all (dashboards/app.py)


def page_url(base: str, page: str) -> str:
    """``http://127.0.0.1:8866`` + ``lookup`` → the page's URL."""
    return f"{base.rstrip('/')}/voila/render/{page}.ipynb"


def voila_config(settings: ServerSettings) -> dict[str, dict[str, Any]]:
    """The Voila configuration for ``settings``, as nested ``{section: {trait: value}}``.

    :func:`serve` passes it to the application directly and reads no ``voila.json``/``voila.py``
    from the user's Jupyter folders, so nothing outside the repository can loosen it.
    """
    pages = _pages(settings)
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
            "tornado_settings": {"websocket_max_message_size": ws_max},
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
            "file_allowlist": [],  # /voila/files/ serves nothing
            "file_denylist": [".*"],
            # the widgets and Voila's widget manager for them; no other JupyterLab extension
            "extension_allowlist": [
                "@jupyter-widgets/jupyterlab-manager",
                "@voila-dashboards/widgets-manager8",
            ],
            "resources": {
                "oqtk_upload_limit_bytes": settings.upload_limit_bytes,
                "oqtk_tools": [p for p in pages if p != "app"],  # the app's navigation order
            },
        },
        # preheat only the dashboards, never another notebook in the folder (batch_review.ipynb);
        # Voila matches this against the notebook's absolute path
        "VoilaKernelManager": {"preheat_denylist": [rf"^(?!(.*/)?({'|'.join(pages)})\.ipynb$)"]},
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


@functools.cache
def _app_class() -> type:
    """Voila's application with the routes locked down (built lazily: Voila is heavy)."""
    import re

    import tornado.web
    from traitlets import default
    from voila.app import Voila
    from voila.static_file_handler import TemplateStaticFileHandler
    from voila.tornado.handler import TornadoVoilaHandler

    class _TemplateStatic(TemplateStaticFileHandler):  # type: ignore[misc]
        """A malformed template path is a 404, not a 500 with a traceback in the log."""

        def parse_url_path(self, path: str) -> str:
            try:
                return str(super().parse_url_path(path))
            except ValueError:
                raise tornado.web.HTTPError(404) from None

        @classmethod
        def get_absolute_path(cls, root: str, path: str) -> str:
            try:
                return str(super().get_absolute_path(root, path))
            except ValueError:
                raise tornado.web.HTTPError(404) from None

    class OqtkVoila(Voila):  # type: ignore[misc]
        name = "voila"
        pages: tuple[str, ...] = ()
        max_body_size: int = 0

        def init_handlers(self) -> list[Any]:
            handlers = super().init_handlers()
            render_kwargs = None
            kept = []
            for h in handlers:
                pattern = h[0]
                if h[1] is TemplateStaticFileHandler:
                    h = (pattern, _TemplateStatic, *h[2:])
                if "/voila/render/" in pattern:
                    render_kwargs = h[2]
                    continue
                if pattern == self.server_url or "/voila/tree" in pattern or "/voila/api/contents" in pattern:
                    continue  # directory listing and contents API: not served
                kept.append(h)
            if render_kwargs is None:  # pragma: no cover - Voila changed
                raise RuntimeError("Voila's render route was not found")
            names = "|".join(re.escape(p) for p in self.pages)
            base = self.server_url.rstrip("/")
            kept.append(
                (
                    f"{base}/voila/render/((?:{names})\\.ipynb)",
                    TornadoVoilaHandler,
                    render_kwargs,
                )
            )
            kept.append(
                (
                    f"{base}/?",
                    tornado.web.RedirectHandler,
                    {"url": f"{base}/voila/render/home.ipynb"},
                )
            )
            return kept

        def init_settings(self) -> dict[str, Any]:
            settings: dict[str, Any] = super().init_settings()
            km = self.kernel_manager
            original = getattr(km, "get_rendered_notebook", None)
            if original is not None:
                from jupyter_server._tz import utcnow

                async def handed_out(*args: Any, **kwargs: Any) -> Any:
                    # A pooled kernel idle for longer than the cull timeout must not be culled
                    # between leaving the pool and its page connecting.
                    result = await original(*args, **kwargs)
                    try:
                        km.get_kernel(result[2]).last_activity = utcnow()
                    except (KeyError, IndexError):
                        pass
                    return result

                km.get_rendered_notebook = handed_out
            # The Host header must name this machine (loopback or localhost): no DNS rebinding.
            settings["allow_remote_access"] = False
            settings["local_hostnames"] = ["localhost"]
            return settings

        @default("config_file_paths")
        def _no_config_files(self) -> list[str]:
            return []  # settings come from voila_config() only

        def listen(self) -> None:
            # tornado's HTTP body limits (Voila's own listen() passes none)
            self.app.listen = functools.partial(
                self.app.listen, max_body_size=self.max_body_size, max_buffer_size=self.max_body_size
            )
            super().listen()

    return OqtkVoila


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
    cls = _app_class()
    cls.pages = _pages(settings)
    cls.max_body_size = settings.upload_limit_bytes + 4 * 1024 * 1024
    from traitlets.config import Config

    cls.launch_instance(argv=[str(NOTEBOOK_DIR), *extra_argv], config=Config(voila_config(settings)))
    return 0


def main(
    argv: Sequence[str] | None = None,
) -> int:  # pragma: no cover - `python -m toolkit.dashboards.server`
    from ..cli.main import main as cli_main

    return cli_main(["serve", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
