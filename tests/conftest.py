"""Shared fixtures. The browser fixtures (one Voila server per session) live in browser_support."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Derived-data cache (toolkit.paths.cache_dir): one per test process, never the user's own;
# set before any test starts a kernel or a server, which inherit it.
os.environ["OQTK_CACHE_DIR"] = tempfile.mkdtemp(prefix="oqtk-cache-")
# The bureau's data folder (toolkit.paths.bureau_data_dir): empty and the test process's own, so
# that nothing imported into the user's ~/.oqtk/data changes a result; tests that import set their own.
os.environ["OQTK_BUREAU_DATA_DIR"] = tempfile.mkdtemp(prefix="oqtk-bureau-data-")


@pytest.fixture(scope="session")
def dashboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`oqtk serve` on a free port, OQTK_HOME in tmp, upload limit 1 MB; stopped at the end."""
    from browser_support import CHROMIUM, DashboardServer

    if not os.path.exists(CHROMIUM):  # fail, never skip: the browser tests are part of the suite
        pytest.fail(
            f"{CHROMIUM} is not installed: run `make system-deps` (Debian's chromium), or `make test-fast`"
        )
    server = DashboardServer(Path(tmp_path_factory.mktemp("oqtk_home")), env={"OQTK_UPLOAD_LIMIT_MB": "1"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def headless_chromium() -> Iterator[Any]:
    """One Playwright and one Debian Chromium per test process (Playwright's sync API allows one)."""
    from browser_support import CHROMIUM, launch_chromium
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):  # fail, never skip: the browser tests are part of the suite
        pytest.fail(f"{CHROMIUM} is not installed: run `make system-deps` (Debian's chromium)")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def chromium(dashboard_server: Any, headless_chromium: Any) -> Any:
    """The browser of the tests against `oqtk serve`."""
    return headless_chromium


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[tuple[Any, Any]]:
    """A fresh context and page, with every request recorded: (page, RequestLog)."""
    from browser_support import RequestLog

    ctx = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    log = RequestLog(ctx)
    page = ctx.new_page()
    yield page, log
    ctx.close()
    assert log.outside() == [], f"requests left 127.0.0.1: {log.outside()}"


@pytest.fixture
def shipped_data(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The shipped data/ (no bureau folder set, no 2027 file), reloaded before and after."""
    from toolkit import policy

    monkeypatch.delenv("OQTK_DATA_DIR", raising=False)
    policy.reload()
    yield
    policy.reload()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty toolkit home ($OQTK_HOME), so runs and the register live in the temp folder."""
    h = tmp_path / "home"
    monkeypatch.setenv("OQTK_HOME", str(h))
    return h


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    """An empty folder for run folders (the register tests make fake runs there)."""
    d = tmp_path / "runs"
    d.mkdir()
    return d


@pytest.fixture
def reg(tmp_path: Path) -> Any:
    """A new run register in the test's home (``tmp_path / "home"``, as ``home`` sets OQTK_HOME)."""
    from toolkit.register import REGISTER_FILENAME, Register

    return Register(tmp_path / "home" / REGISTER_FILENAME)


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to execute a notebook."""
    import papermill

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
