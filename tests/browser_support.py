"""Helpers for the browser tests, the dashboard benchmark and the screenshots.

- :class:`DashboardServer` starts ``oqtk serve`` on a free port with its own ``OQTK_HOME``,
  waits until every page's kernel is preheated, and stops the server and its kernels (its own
  process group) at the end.
- :func:`launch_chromium` starts Debian's Chromium headless (Playwright's own browsers cannot be
  downloaded here).
- :class:`RequestLog` records every request and websocket a browser context makes, so a test
  can prove that nothing left 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE_NAMES = ("home", "lookup", "assess", "publicity", "batch", "supervisor")
SERVED_PAGES = (*PAGE_NAMES, "app")  # each tool's page, and the app holding them all


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _oqtk() -> str:
    exe = Path(sys.executable).with_name("oqtk")
    return str(exe) if exe.exists() else "oqtk"


class DashboardServer:
    """``oqtk serve`` in a subprocess (its own process group, so its kernels stop with it)."""

    def __init__(
        self, home: Path, *, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> None:
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "server.log"
        self.extra_args = extra_args
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.token = os.urandom(16).hex()  # the server's access token (OQTK_SERVE_TOKEN)

    def start(self, timeout: float = 180.0, pages: int = len(SERVED_PAGES)) -> DashboardServer:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "OQTK_HOME": str(self.home), "OQTK_SERVE_TOKEN": self.token, **self.env}
        env.pop("JUPYTER_PATH", None)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [_oqtk(), "serve", "--port", str(self.port), "--no-browser", *self.extra_args],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout, pages)
        return self

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float, pages: int) -> None:
        """Until the server answers and ``pages`` kernel pools are filled."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"oqtk serve exited ({self.proc.returncode}):\n{self.log_text()[-3000:]}")
            filled = len(re.findall(r"Kernel pool of \S+ is filled", self.log_text()))
            if filled >= pages and self.status("/voila/static/voila.js", token=False) == 200:
                return
            time.sleep(0.25)
        raise TimeoutError(f"oqtk serve not ready after {timeout}s:\n{self.log_text()[-3000:]}")

    def with_token(self, path: str) -> str:
        return path + ("&" if "?" in path else "?") + f"token={self.token}"

    def status(self, path: str, *, token: bool = True, headers: dict[str, str] | None = None) -> int:
        url = self.base + (self.with_token(path) if token else path)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
                return int(r.status)
        except urllib.error.HTTPError as e:
            return int(e.code)
        except OSError:
            return 0

    def get(self, path: str, *, token: bool = True, headers: dict[str, str] | None = None) -> tuple[int, str]:
        url = self.base + (self.with_token(path) if token else path)
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
                return int(r.status), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return int(e.code), e.read().decode("utf-8", "replace")

    def url(self, page: str) -> str:
        """The page's URL with the server's token (a fresh browser context needs it once)."""
        return self.base + self.with_token(f"/voila/render/{page}.ipynb")

    def kernel_pids(self) -> list[int]:
        """Kernel processes of this server (children of its process)."""
        import psutil

        if self.proc is None:
            return []
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        pids = []
        for c in children:
            try:
                if c.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(c.cmdline()):
                    pids.append(c.pid)
            except psutil.Error:  # exited meanwhile
                continue
        return pids

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # kernels left behind (own group as the server): make sure they are gone
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()
        self.proc = None

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_chromium(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def is_loopback(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return bool(re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?/", url))


class RequestLog:
    """Every request and websocket URL of a browser context (and its pages)."""

    def __init__(self, context: Any) -> None:
        self.urls: list[str] = []
        context.on("request", lambda r: self.urls.append(r.url))
        context.on("page", self._watch)
        for p in context.pages:
            self._watch(p)

    def _watch(self, page: Any) -> None:
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def outside(self) -> list[str]:
        return [u for u in self.urls if not is_loopback(u)]


def open_dashboard(page: Any, server: DashboardServer, name: str, timeout_ms: float = 60_000) -> float:
    """Open a page and wait until its form is interactive; returns the seconds it took.

    A page that does not get there fails with what explains it: the browser's console, the
    page's visible text and the end of the server's log."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    t0 = time.perf_counter()
    try:
        page.goto(server.url(name))
        page.wait_for_selector(f".oqtk-page-{name} .oqtk-lang", state="visible", timeout=timeout_ms)
    except PlaywrightTimeout as exc:
        try:
            text = page.inner_text("body")[:1500]
        except Exception as e:  # the page itself is gone
            text = f"(no page text: {e})"
        raise AssertionError(
            f"{name}: not interactive after {time.perf_counter() - t0:.0f} s ({exc.message.splitlines()[0]})\n"
            f"console:\n" + "\n".join(console[-40:]) + f"\npage text:\n{text}\n"
            f"server log (end):\n{server.log_text()[-6000:]}"
        ) from None
    return time.perf_counter() - t0


@contextlib.contextmanager
def browser_context(playwright: Any) -> Iterator[tuple[Any, Any]]:
    browser = launch_chromium(playwright)
    try:
        ctx = browser.new_context(
            locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        yield browser, ctx
    finally:
        browser.close()
