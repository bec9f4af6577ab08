"""Hub benchmark (issue 13): the bureau deployment against plain ``oqtk serve``, in the same run.

- login to a usable dashboards home, spawn included (hub), against opening the home page of a
  running ``oqtk serve`` (its kernel preheated);
- first page per user (the assessment page, each user's first visit after login);
- 10 users logged in at once, each assessing one case: click on 评估 to the result in view,
  median and 95th percentile, against 10 sessions of ``oqtk serve`` doing the same at once;
- memory per user server (the single-user server with its kernels, RSS), against the
  ``oqtk serve`` process with its kernels.

``python -m bench hub`` prints it; ``make bench`` writes it into bench/results.md.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from browser_support import CHROMIUM, CHROMIUM_ARGS, DashboardServer  # noqa: E402
from hub_support import HubServer  # noqa: E402

N_USERS = 10
CASE = (  # (field label, kind, value): one FCCA holder, List 1.0
    ("人员类别", "select", "外籍人员"),
    ("是否上海户籍", "select", "否"),
    ("境外职业资格证书", "input", "FCCA"),
    ("已在核验平台核验", "select", "是"),
    ("学历学位", "select", "硕士"),
    ("申报职称系列", "select", "会计"),
    ("相关工作起始日期", "input", "2015-01-01"),
    ("在沪相关工作起始日期", "input", "2023-01-01"),
    ("单位性质", "select", "企业"),
    ("曾参加往期评审", "select", "否"),
    ("评估日期", "input", "2025-12-31"),
)


def _p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def _fmt(xs: list[float], unit: str = "s") -> str:
    return f"{statistics.median(xs):.3g} {unit} (min {min(xs):.3g} – max {max(xs):.3g}; p95 {_p95(xs):.3g})"


async def _fill_and_assess(page: Any) -> float:
    for label, kind, value in CASE:
        field = page.locator(".oqtk-field", has_text=label).first
        if kind == "select":
            await field.locator("select").select_option(label=value)
        else:
            await field.locator("input").fill(value)
    await page.locator(".oqtk-field", has_text="清单版本").first.locator("select").select_option("1.0")
    t0 = time.perf_counter()
    await page.locator("button", has_text="评估").last.click()
    await page.wait_for_selector("text=高级会计师", timeout=120_000)
    return time.perf_counter() - t0


async def _wait_form(page: Any, name: str) -> None:
    await page.wait_for_selector(f".oqtk-page-{name} .oqtk-lang", state="visible", timeout=180_000)


async def _serve_side(server: DashboardServer) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = await browser.new_context(locale="zh-CN")
        page = await ctx.new_page()
        t0 = time.perf_counter()
        await page.goto(server.url("home"))
        await _wait_form(page, "home")
        home = time.perf_counter() - t0
        t0 = time.perf_counter()
        await page.goto(server.url("assess"))
        await _wait_form(page, "assess")
        first_page = time.perf_counter() - t0
        await ctx.close()
        ctxs = [await browser.new_context(locale="zh-CN") for _ in range(N_USERS)]
        pages = [await c.new_page() for c in ctxs]
        for pg in pages:
            await pg.goto(server.url("assess"))
        await asyncio.gather(*[_wait_form(pg, "assess") for pg in pages])
        clicks = await asyncio.gather(*[_fill_and_assess(pg) for pg in pages])
        rss = _tree_rss_mb(server.proc.pid)
        await browser.close()
    return {"home": home, "first_page": first_page, "clicks": list(clicks), "rss": rss}


async def _hub_side(hub: HubServer) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        names = list(hub.users)
        ctxs = [await browser.new_context(locale="zh-CN") for _ in names]
        pages = [await c.new_page() for c in ctxs]

        async def login(page: Any, name: str) -> tuple[float, float]:
            t0 = time.perf_counter()
            await page.goto(hub.base + "/hub/login")
            await page.fill("#username_input", name)
            await page.fill("#password_input", hub.users[name][1])
            await page.click("#login_submit")
            await _wait_form(page, "home")
            logged_in = time.perf_counter() - t0
            t0 = time.perf_counter()
            await page.goto(f"{hub.base}/user/{name}/voila/render/dashboards/assess.ipynb")
            await _wait_form(page, "assess")
            return logged_in, time.perf_counter() - t0

        first = []
        for page, name in zip(pages[:3], names[:3], strict=True):  # one at a time: login alone
            first.append(await login(page, name))
        rest = await asyncio.gather(*[login(pg, n) for pg, n in zip(pages[3:], names[3:], strict=True)])
        clicks = await asyncio.gather(*[_fill_and_assess(pg) for pg in pages])
        per_user = _user_servers_rss_mb(hub.proc.pid)
        await browser.close()
    return {
        "login_alone": [a for a, _ in first],
        "first_page_alone": [b for _, b in first],
        "login_together": [a for a, _ in rest],
        "clicks": list(clicks),
        "rss_per_user": per_user,
    }


def _tree_rss_mb(pid: int) -> float:
    import psutil

    proc = psutil.Process(pid)
    total = 0
    for p in (proc, *proc.children(recursive=True)):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _user_servers_rss_mb(hub_pid: int) -> list[float]:
    import psutil

    out = []
    for p in psutil.Process(hub_pid).children(recursive=True):
        try:
            if "jupyterhub-singleuser" in " ".join(p.cmdline()):
                out.append(_tree_rss_mb(p.pid))
        except psutil.Error:
            continue
    return out


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        server = DashboardServer(Path(tmp)).start()
        try:
            serve = asyncio.run(_serve_side(server))
        finally:
            server.stop()
    users = {f"officer{i}": ("officer", f"officer{i}-Pass!2026") for i in range(1, N_USERS + 1)}
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubServer(Path(tmp), users=users)
        t0 = time.perf_counter()
        hub.start()
        hub_ready = time.perf_counter() - t0
        try:
            data = asyncio.run(_hub_side(hub))
        finally:
            hub.stop()
    login_all = data["login_alone"] + data["login_together"]
    rows = [
        ["oqtk serve: home page, preheated (baseline)", f"{serve['home']:.3g} s", "1.00×"],
        ["hub: login → usable home, spawn included (alone, 3 users)", _fmt(data["login_alone"]),
         f"{statistics.median(data['login_alone']) / serve['home']:.2f}×"],
        [f"hub: login → usable home, {N_USERS - 3} users at once", _fmt(data["login_together"]),
         f"{statistics.median(data['login_together']) / serve['home']:.2f}×"],
        ["oqtk serve: assessment page, first visit (baseline)", f"{serve['first_page']:.3g} s", "1.00×"],
        ["hub: assessment page, each user's first visit", _fmt(data["first_page_alone"]),
         f"{statistics.median(data['first_page_alone']) / serve['first_page']:.2f}×"],
        [f"oqtk serve: {N_USERS} sessions assess at once, click → result (baseline)", _fmt(serve["clicks"]), "1.00×"],
        [f"hub: {N_USERS} users assess at once, click → result", _fmt(data["clicks"]),
         f"{statistics.median(data['clicks']) / statistics.median(serve['clicks']):.2f}× (p95 "
         f"{_p95(data['clicks']) / _p95(serve['clicks']):.2f}×)"],
        ["oqtk serve: server + kernels, RSS", f"{serve['rss']:.0f} MiB", "—"],
        ["hub: one user server + its kernels, RSS", _fmt(data["rss_per_user"], "MiB"), "—"],
    ]  # fmt: skip
    return {
        "title": "Hub (bureau deployment) against oqtk serve",
        "rows": rows,
        "summary": (
            f"Hub start to accepting logins: {hub_ready:.1f} s. Logins are 10 officer accounts; each "
            "user server is SimpleLocalProcessSpawner's jupyterhub-singleuser with Voila as a server "
            "extension (Voila does not preheat there, so each page visit starts its kernel). Browsers "
            f"run on the same 2 cores as the servers. Login medians over all {len(login_all)} users: "
            f"{statistics.median(login_all):.2f} s."
        ),
        "data": {"serve": serve, "hub": data},
    }


if __name__ == "__main__":
    res = run()
    for r in res["rows"]:
        print(" | ".join(r))
    print(res["summary"])
