"""The bureau deployment (issue 13): a real JupyterHub (proxy, oq-register service, spawner) on
free loopback ports, accounts made with ``oqtk hub users add``, logins through ``/hub/login``.

One hub serves the module (it starts in about 10 s); each test makes the runs it needs. Browser
tests look where a person would: the header, the supervisor page's buttons and messages.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from browser_support import RequestLog
from hub_support import REPO, USERS, HubServer, oqtk

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]  # one hub per worker run

SHEET = REPO / "data" / "examples" / "intake_clean.xlsx"
PARAMS = {"as_of": "2025-12-31", "list_version": "1.0", "filename": "intake_clean.xlsx"}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    server = HubServer(Path(tmp_path_factory.mktemp("hub_home")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tokens(hub):
    return {name: hub.token(hub.login(name), name) for name in USERS}


def submit(hub, token: str, **extra) -> str:
    r = hub.api("POST", "api/runs", token, params={**PARAMS, **extra}, data=SHEET.read_bytes())
    assert r.status_code == 201, r.text
    return str(r.json()["run_id"])


def wait_done(hub, token: str, run_id: str, timeout: float = 120) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = hub.api("GET", f"api/runs/{run_id}", token).json()
        if not d["running"] and d["outcome"] != "incomplete":
            return d
        time.sleep(0.5)
    raise TimeoutError(run_id)


# --- accounts -------------------------------------------------------------------------------
def test_accounts_are_listed_with_roles_and_the_state_is_private(hub):
    r = oqtk("hub", "users", "list", env=hub.env)
    assert r.returncode == 0
    assert re.search(r"officer1\s+officer", r.stdout) and re.search(r"supervisor2\s+supervisor", r.stdout)
    state = hub.home / "hub"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for name in ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "register.sqlite", "register.sqlite.key"):
        assert stat.S_IMODE((state / name).stat().st_mode) & 0o077 == 0, name


def test_a_weak_password_or_a_bad_name_is_refused(hub):
    r = oqtk(
        "hub", "users", "add", "officer9", "--role", "officer", "--password-stdin", env=hub.env, stdin="123\n"
    )
    assert r.returncode == 2 and "密码太弱" in r.stderr
    r = oqtk("hub", "users", "add", "Bad Name", "--role", "officer", "--password-stdin", env=hub.env,
             stdin="a-long-password-1\n")  # fmt: skip
    assert r.returncode == 2 and "用户名无效" in r.stderr


def test_a_removed_account_cannot_log_in_and_set_role_changes_the_group(hub):
    env = hub.env
    assert oqtk("hub", "users", "add", "temp1", "--role", "officer", "--password-stdin", env=env,
                stdin="temp1-Pass!2026\n").returncode == 0  # fmt: skip
    hub.users["temp1"] = ("officer", "temp1-Pass!2026")
    s = hub.login("temp1")
    tok = hub.token(s, "temp1")
    assert hub.api("GET", "api/whoami", tok).json()["role"] == "officer"
    assert oqtk("hub", "users", "set-role", "temp1", "supervisor", env=env).returncode == 0
    assert oqtk("hub", "users", "remove", "temp1", env=env).returncode == 0
    import requests

    s2 = requests.Session()
    s2.get(hub.base + "/hub/login")
    r = s2.post(hub.base + "/hub/login", data={"username": "temp1", "password": "temp1-Pass!2026",
                                              "_xsrf": s2.cookies.get("_xsrf")})  # fmt: skip
    assert "/user/temp1" not in r.url and r.status_code in (200, 403)


# --- the service: identity, roles, four eyes ------------------------------------------------
def test_a_request_without_a_token_is_refused(hub):
    assert hub.api("GET", "api/runs", None).status_code == 401
    assert hub.api("POST", "api/runs", None, params=PARAMS, data=SHEET.read_bytes()).status_code == 401
    assert hub.api("GET", "api/runs", "not-a-token").status_code == 401


def test_a_name_in_the_request_is_never_an_identity(hub, tokens):
    r = hub.api("POST", "api/runs", tokens["officer1"], params={**PARAMS, "user": "supervisor1"},
                data=SHEET.read_bytes())  # fmt: skip
    assert r.status_code == 400 and "登录" in r.json()["error"]
    run_id = submit(hub, tokens["officer1"])
    wait_done(hub, tokens["officer1"], run_id)
    r = hub.api("POST", f"api/runs/{run_id}/approve", tokens["supervisor2"], json={"by": "supervisor1"})
    assert r.status_code == 400 and "by" in r.json()["error"]
    assert hub.api("GET", f"api/runs/{run_id}", tokens["supervisor1"]).json()["decisions"] == []


def test_officer_cannot_approve_and_sees_only_own_runs(hub, tokens):
    run_id = submit(hub, tokens["supervisor2"])  # a supervisor's own run
    wait_done(hub, tokens["supervisor2"], run_id)
    mine = submit(hub, tokens["officer1"])
    wait_done(hub, tokens["officer1"], mine)
    r = hub.api("POST", f"api/runs/{mine}/approve", tokens["officer1"], json={})
    assert r.status_code == 403 and "主管" in r.json()["error"]
    seen = {d["run_id"] for d in hub.api("GET", "api/runs", tokens["officer1"]).json()}
    assert mine in seen and run_id not in seen
    assert hub.api("GET", f"api/runs/{run_id}", tokens["officer1"]).status_code == 404
    assert hub.api("GET", "api/audit", tokens["officer1"]).status_code == 403


def test_supervisor_approves_and_the_decision_names_the_login(hub, tokens):
    run_id = submit(hub, tokens["officer1"])
    d = wait_done(hub, tokens["officer1"], run_id)
    assert (d["outcome"], d["submitted_by"], d["input_name"]) == (
        "succeeded",
        "officer1",
        "intake_clean.xlsx",
    )
    r = hub.api("POST", f"api/runs/{run_id}/approve", tokens["supervisor1"], json={"comment": "核对无误"})
    assert r.status_code == 200, r.text
    assert (r.json()["by_name"], r.json()["by_role"]) == ("supervisor1", "supervisor")
    again = hub.api("POST", f"api/runs/{run_id}/approve", tokens["supervisor2"], json={})
    assert again.status_code == 409 and "已由 supervisor1" in again.json()["error"]


def test_nobody_decides_on_their_own_run(hub, tokens):
    run_id = submit(hub, tokens["supervisor1"])
    wait_done(hub, tokens["supervisor1"], run_id)
    for decision, body in (("approve", {}), ("return", {"comment": "x"})):
        r = hub.api("POST", f"api/runs/{run_id}/{decision}", tokens["supervisor1"], json=body)
        assert r.status_code == 403 and "four eyes" in r.json()["error"]
    r = hub.api("POST", f"api/runs/{run_id}/return", tokens["supervisor2"], json={})
    assert r.status_code == 400 and "comment" in r.json()["error"]


def test_a_changed_byte_in_results_refuses_approval_naming_the_file(hub, tokens):
    run_id = submit(hub, tokens["officer1"])
    wait_done(hub, tokens["officer1"], run_id)
    path = hub.runs_root / run_id / "results.xlsx"
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF
    os.chmod(path, 0o600)
    path.write_bytes(bytes(data))
    r = hub.api("POST", f"api/runs/{run_id}/approve", tokens["supervisor1"], json={})
    assert r.status_code == 409 and "results.xlsx" in r.json()["error"]
    assert hub.api("GET", f"api/runs/{run_id}", tokens["supervisor1"]).json()["decisions"] == []


def test_a_run_folder_copied_into_the_runs_root_is_not_a_run(hub, tokens):
    run_id = submit(hub, tokens["officer1"])
    wait_done(hub, tokens["officer1"], run_id)
    fake_id = run_id[:-8] + "deadbeef"
    shutil.copytree(hub.runs_root / run_id, hub.runs_root / fake_id)
    manifest = json.loads((hub.runs_root / fake_id / "manifest.json").read_text(encoding="utf-8"))
    manifest["run_id"] = fake_id
    (hub.runs_root / fake_id / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ids = {d["run_id"] for d in hub.api("GET", "api/runs", tokens["supervisor1"]).json()}
    assert run_id in ids and fake_id not in ids
    assert hub.api("POST", f"api/runs/{fake_id}/approve", tokens["supervisor1"], json={}).status_code == 404
    r = oqtk("runs", "scan", str(hub.runs_root), "--home", str(hub.home / "hub"), env=hub.env)
    assert r.returncode == 1 and "not a run" in r.stdout


def test_a_record_edited_with_sqlite3_is_reported_by_the_audit(hub, tokens):
    run_id = submit(hub, tokens["officer1"])
    wait_done(hub, tokens["officer1"], run_id)
    assert hub.api("GET", "api/audit", tokens["supervisor1"]).json()["ok"]
    with closing(sqlite3.connect(hub.register_path)) as conn:
        conn.execute("UPDATE runs SET counts_json = '{\"eligible\": 8}' WHERE run_id = ?", (run_id,))
        conn.commit()
    r = oqtk("runs", "audit", "--home", str(hub.home / "hub"), env=hub.env)
    assert r.returncode == 1 and run_id in r.stdout and "改动" in r.stdout
    d = hub.api("GET", "api/audit", tokens["supervisor1"]).json()
    assert not d["ok"] and d["first"]["ref"] == run_id
    with closing(sqlite3.connect(hub.register_path)) as conn:  # put it back for the other tests
        conn.execute("UPDATE runs SET counts_json = ? WHERE run_id = ?",
                     (json.dumps(wait_done(hub, tokens["officer1"], run_id)["counts"], sort_keys=True), run_id))  # fmt: skip
        conn.commit()


# --- the command line in hub mode -------------------------------------------------------------
def test_oqtk_batch_and_runs_act_as_the_token_user(hub, tokens):
    env = hub.user_env(tokens["officer1"])
    r = oqtk("batch", str(SHEET), "--as-of", "2025-12-31", "--list-version", "1.0", env=env)
    assert r.returncode == 0, r.stderr
    assert "officer1" in r.stderr
    run_id = re.search(r"→ (\S+)", r.stderr).group(1)
    d = hub.api("GET", f"api/runs/{run_id}", tokens["supervisor1"]).json()
    assert d["submitted_by"] == "officer1" and d["outcome"] == "succeeded"
    r = oqtk("runs", "list", "--json", env=env)
    assert r.returncode == 0 and {d["submitted_by"] for d in json.loads(r.stdout)} == {"officer1"}
    assert oqtk("runs", "scan", str(hub.runs_root), env=env).returncode == 2
    r = oqtk("runs", "approve", run_id, env=env)  # an officer's token
    assert r.returncode == 2 and "主管" in r.stderr
    sup = hub.user_env(tokens["supervisor2"])
    r = oqtk("runs", "approve", run_id, "--by", "supervisor1", env=sup)
    assert r.returncode == 2 and "--by" in r.stderr
    r = oqtk("runs", "approve", run_id, env=sup)
    assert r.returncode == 0 and "supervisor2" in r.stdout
    r = oqtk("batch", str(SHEET), "--out", str(hub.home / "elsewhere"), env=env)
    assert r.returncode == 2 and "--out" in r.stderr


# --- in the browser ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser(hub, headless_chromium):
    return headless_chromium


def login_page(browser, hub, name: str):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    log = RequestLog(ctx)
    page = ctx.new_page()
    page.goto(hub.base + "/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", USERS[name][1])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf"/user/{name}/voila/render/dashboards/home\.ipynb"), timeout=90_000)
    page.wait_for_selector(".oqtk-page-home .oqtk-user-name", timeout=90_000)
    return ctx, page, log


def open_tool(page, hub, name: str, tool: str) -> None:
    page.goto(f"{hub.base}/user/{name}/voila/render/dashboards/{tool}.ipynb")
    page.wait_for_selector(f".oqtk-page-{tool} .oqtk-lang", state="visible", timeout=90_000)


@pytest.mark.browser
def test_officer_lands_on_the_home_page_as_themselves_and_submits_from_the_batch_page(hub, tokens, browser):
    ctx, page, log = login_page(browser, hub, "officer1")
    assert page.locator(".oqtk-user-name").inner_text() == "officer1"
    assert "经办人" in page.locator(".oqtk-user").inner_text()
    open_tool(page, hub, "officer1", "batch")
    page.locator(".widget-dropdown select").nth(0).select_option("intake_clean.xlsx")
    page.locator("button", has_text="运行批量审核").click()
    page.wait_for_selector('a.oqtk-download[download$="results.xlsx"]', timeout=120_000)
    status = page.locator(".oqtk-msg.oqtk-ok").first.inner_text()
    run_id = re.search(r"(\d{8}T\d{6}(?:Z|\+0800)-[0-9a-f]+(?:-\d+)?)", status).group(1)
    d = hub.api("GET", f"api/runs/{run_id}", tokens["supervisor1"]).json()
    assert d["submitted_by"] == "officer1"

    open_tool(page, hub, "officer1", "supervisor")  # an officer sees their runs, and no decision
    page.wait_for_selector(f"option:has-text('{run_id}')", state="attached", timeout=30_000)
    assert page.locator("button:visible", has_text="批准").count() == 0
    assert page.locator("text=批准与退回由主管进行").count() == 1
    ctx.close()
    assert log.outside() == []


@pytest.mark.browser
def test_supervisor_page_decides_as_the_login_never_on_own_runs(hub, tokens, browser):
    theirs = submit(hub, tokens["officer1"])
    own = submit(hub, tokens["supervisor1"])
    for r in (theirs, own):
        wait_done(hub, tokens["supervisor1"], r)
    ctx, page, log = login_page(browser, hub, "supervisor1")
    assert "主管" in page.locator(".oqtk-user").inner_text()
    open_tool(page, hub, "supervisor1", "supervisor")
    page.wait_for_selector(".oqtk-audit", timeout=30_000)
    select = page.locator(".widget-dropdown select").nth(1)

    def choose(run_id: str) -> None:
        page.wait_for_selector(f"option:has-text('{run_id}')", state="attached", timeout=30_000)
        # the option of exactly this run: ids of one sheet in one second differ only by "-2"
        labels = [t for t in select.locator("option").all_text_contents() if t.split()[0] == run_id]
        select.select_option(label=labels[0])
        page.wait_for_selector(f".oqtk-run-facts:has-text('{run_id}')", timeout=90_000)

    choose(own)
    approve = page.locator("button", has_text="批准")
    page.wait_for_selector(".oqtk-decision-why:has-text('双人复核')", timeout=90_000)  # beside the button
    assert approve.is_disabled()
    assert not page.locator("text=审核人姓名").first.is_visible()  # no name to type: the login decides
    choose(theirs)
    page.wait_for_selector("button:has-text('批准'):not([disabled])", timeout=90_000)
    assert page.locator(".oqtk-decision-why").count() == 0
    approve.click()
    page.wait_for_selector(".oqtk-msg.oqtk-ok:has-text('已批准')", timeout=30_000)
    # the message is next to the button, not at the top of the page
    box_button = approve.bounding_box()
    box_msg = page.locator(".oqtk-msg.oqtk-ok:has-text('已批准')").bounding_box()
    assert abs(box_msg["y"] - box_button["y"]) < 200
    d = hub.api("GET", f"api/runs/{theirs}", tokens["supervisor2"]).json()
    assert [(x["decision"], x["by_name"]) for x in d["decisions"]] == [("approve", "supervisor1")]
    page.wait_for_function("document.querySelector('.oqtk-history') && "
                           "document.querySelector('.oqtk-history').innerText.includes('supervisor1')",
                           polling=250, timeout=30_000)  # fmt: skip
    ctx.close()
    assert log.outside() == [], [u for u in log.urls][:80]


# --- user servers ---------------------------------------------------------------------------
def test_supervisors_get_jupyterlab_with_the_runs_root_read_only_and_officers_do_not(hub, tokens):
    run_id = submit(hub, tokens["officer1"])
    wait_done(hub, tokens["officer1"], run_id)
    sup = hub.login("supervisor1")
    assert sup.get(f"{hub.base}/user/supervisor1/lab", timeout=60).status_code == 200
    listing = sup.get(f"{hub.base}/user/supervisor1/api/contents/runs", timeout=60).json()
    assert run_id in {item["name"] for item in listing["content"]}
    nb = sup.get(f"{hub.base}/user/supervisor1/api/contents/runs/{run_id}/review.ipynb", timeout=60)
    assert nb.status_code == 200 and nb.json()["type"] == "notebook"
    xsrf = sup.cookies.get("_xsrf", path="/user/supervisor1/")
    r = sup.put(f"{hub.base}/user/supervisor1/api/contents/runs/{run_id}/review.ipynb",
                json={"type": "notebook", "format": "json", "content": nb.json()["content"]},
                headers={"X-XSRFToken": xsrf}, timeout=60)  # fmt: skip
    assert r.status_code == 403 and "read-only" in r.text
    off = hub.login("officer1")
    assert off.get(f"{hub.base}/user/officer1/lab", timeout=60).status_code == 404
    assert off.get(f"{hub.base}/user/officer1/api/contents/runs", timeout=60).status_code == 404


def test_a_user_cannot_open_another_users_server(hub):
    off = hub.login("officer1")
    r = off.get(f"{hub.base}/user/supervisor1/voila/render/dashboards/home.ipynb", timeout=60,
                allow_redirects=True)  # fmt: skip
    assert "application/vnd.jupyter.widget-view+json" not in r.text
    assert r.status_code in (403, 404) or "/user/supervisor1/" not in r.url
