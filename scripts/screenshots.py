"""Save a PNG of each dashboard into docs/screenshots/ (``make screenshots``).

Starts ``oqtk serve`` on a free port with a temporary OQTK_HOME, drives Debian's headless
Chromium, fills each form with a worked example so the picture shows a result, and stops the
server. Chinese renders with fonts-noto-cjk.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser_support import DashboardServer, RequestLog, launch_chromium, open_dashboard  # noqa: E402

OUT = REPO / "docs" / "screenshots"


def _fill(page, name: str) -> None:
    if name == "lookup":
        page.locator(".oqtk-version select").select_option("1.0")
        page.locator(".oqtk-query input").fill("FCCA")
        page.locator('.oqtk-match[data-entry="acca_fellow"]').wait_for(timeout=20_000)
    elif name == "publicity":
        page.locator(".oqtk-start input").fill("2025-09-29")
        page.locator(".oqtk-start-go").click()
        page.locator('.oqtk-end[data-date="2025-10-11"]').wait_for(timeout=20_000)


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, DashboardServer(Path(tmp)) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        log = RequestLog(ctx)
        page = ctx.new_page()
        for name in ("home", "lookup", "assess", "publicity", "batch", "supervisor"):
            open_dashboard(page, server, name)
            _fill(page, name)
            page.wait_for_timeout(300)
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            print(path.relative_to(REPO))
        browser.close()
        if log.outside():
            print("requests left 127.0.0.1:", log.outside(), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
