"""Home, Qualification lookup, Publicity calculator and the page around them, driven without a
browser (set ``.value``, ``click()``, read the result widgets); and the server's settings."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
from pathlib import Path

import pytest

from toolkit.calendar import calendar_status
from toolkit.dashboards import page as page_mod
from toolkit.dashboards.home import HomeForm
from toolkit.dashboards.lookup import LookupForm
from toolkit.dashboards.page import PAGES, Page, build
from toolkit.dashboards.publicity import PublicityForm
from toolkit.rules import list_versions, version_in_force

REPO = Path(__file__).resolve().parent.parent


def text(widget) -> str:
    """Visible text of an HTML widget (tags stripped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", widget.value))


# --- Home -----------------------------------------------------------------------------------


def test_home_links_every_page_and_says_what_it_is_for():
    f = HomeForm(today=dt.date(2026, 3, 1))
    for p in PAGES.values():
        if p.name != "home":
            assert f'href="{p.name}.ipynb"' in f.pages.value
            assert html.escape(p.purpose_zh) in f.pages.value
    f.lang = "en"
    assert "Qualification lookup" in text(f.pages)
    assert "What it is for" in text(f.pages)


def test_home_shows_version_in_force_and_partial_notice():
    day = dt.date(2026, 3, 1)
    f = HomeForm(today=day)
    current = version_in_force(day)
    assert f"现行版本：{current.version}" in text(f.status)
    notice = current.partial_notice("zh")
    if notice:
        assert html.escape(notice, quote=True) in f.warnings.value
    for v in list_versions():
        assert f"<b>{v}</b>" in f.status.value
    f.lang = "en"
    if current.partial_notice("en"):
        assert html.escape(current.partial_notice("en"), quote=True) in f.warnings.value


def test_home_warns_when_next_years_calendar_is_missing():
    years = calendar_status().years
    last = max(years)
    f = HomeForm(today=dt.date(last, 11, 20))  # after 1 November, next year not loaded
    warning = calendar_status(dt.date(last, 11, 20)).warning
    assert warning is not None
    assert html.escape(warning["zh"], quote=True) in f.warnings.value
    assert f"{last + 1}年：未载入" in text(f.status)
    f.lang = "en"
    assert html.escape(warning["en"], quote=True) in f.warnings.value


def test_home_no_calendar_warning_mid_year():
    years = calendar_status().years
    y = max(years)
    f = HomeForm(today=dt.date(y, 6, 1))
    assert "法定节假日安排尚未载入" not in f.warnings.value
    assert f"{y}年：已载入" in text(f.status)


def test_home_refresh_button_rebuilds(monkeypatch):
    f = HomeForm(today=dt.date(2026, 3, 1))
    f.status.value = ""
    f.refresh_button.click()
    assert "现行版本" in text(f.status)


# --- Qualification lookup -------------------------------------------------------------------


def test_lookup_defaults_to_the_newest_version_with_entries_while_the_one_in_force_has_none():
    f = LookupForm()
    in_force = version_in_force()
    assert not in_force.entries  # 3.0's annex is not public (FACTS.md): nothing loaded
    assert f.version.value == "1.0"  # the newest version with entries
    assert list_versions()["1.0"].entries
    notice = text(f.notice)
    assert f"现行的{in_force.version}版清单尚无已载入的条目" in notice and "1.0版" in notice
    v = list_versions()[f.version.value]
    assert html.escape(v.partial_notice("zh"), quote=True) in f.notice.value
    f.version.value = in_force.version  # the officer may still choose the version in force
    assert "尚无已载入的条目" not in text(f.notice)
    f.lang = "en"
    f.version.value = "1.0"
    assert f"List {in_force.version}, in force, has no entries loaded yet" in text(f.notice)
    assert f.results.value == ""


def test_lookup_shows_near_matches_apart_and_only_close_ones():
    f = LookupForm()
    f.version.value = "1.0"
    f.query.value = "FCCA"
    assert [m.entry_id for m in f.matches] == ["acca_fellow"]  # not the CGMA fellow (FCMA)
    assert "oqtk-near" not in f.results.value
    f.query.value = "ACCA fellw"  # a slip: no exact match, the close name shown apart
    assert "未找到" in text(f.summary) and "未找到不等于不在清单上" in text(f.summary)
    near = f.results.value.split('class="oqtk-near"', 1)
    assert len(near) == 2 and 'data-entry="acca_fellow"' in near[1]
    assert "相近名称" in text(f.results)


def test_lookup_not_found_on_a_partial_list_says_the_list_is_partial():
    f = LookupForm()
    f.version.value = "1.0"
    f.query.value = "CFA"
    summary = text(f.summary)
    assert "本版清单只载入了部分条目（7条）" in summary and "未找到不等于不在清单上" in summary
    assert "不属于认可的境外职业资格证书" not in summary


def test_lookup_search_as_you_type_fcca_on_list_1():
    f = LookupForm()
    f.version.value = "1.0"
    f.query.value = "FCCA"
    assert f.matches and f.matches[0].entry_id == "acca_fellow"
    out = text(f.results)
    assert "ACCA资深会员证书" in out and "ACCA Fellow" in out
    assert "A类 认可类" in out and "C类 职称衔接类" in out  # categories by version
    assert "副高级" in out  # C level
    assert "Association of Chartered Certified Accountants" in out  # issuer
    m = f.matches[0]
    assert html.escape(m.entry.source.cite("zh"), quote=True) in f.results.value  # clause
    assert m.entry.source.url and html.escape(m.entry.source.url) in f.results.value  # link text
    assert html.escape(m.note_zh, quote=True) in f.results.value
    assert 'data-status="on_list"' in f.results.value


def test_lookup_explains_a_certificate_not_known_on_a_later_version():
    f = LookupForm()
    f.version.value = "3.0"
    f.query.value = "FCCA"
    m = f.matches[0]
    assert m.status != "on_list"
    assert html.escape(m.note_zh, quote=True) in f.results.value
    f.lang = "en"
    assert html.escape(m.note_en, quote=True) in f.results.value
    assert "Issuer" in text(f.results)


def test_lookup_partial_notice_always_visible_and_follows_version():
    f = LookupForm()
    for version, v in list_versions().items():
        f.version.value = version
        f.query.value = "no such certificate zzz"
        notice = v.partial_notice("zh")
        if notice:
            assert html.escape(notice, quote=True) in f.notice.value
        else:
            assert "已完整载入" in text(f.notice)
        assert "未找到" in text(f.summary)


def test_lookup_escapes_typed_text():
    f = LookupForm()
    f.query.value = '<img src=x onerror="alert(1)">'
    assert "<img" not in f.summary.value
    assert "&lt;img" in f.summary.value


def test_lookup_handler_error_is_shown_and_logged(monkeypatch, caplog):
    f = LookupForm()

    def boom(*a, **k):
        raise RuntimeError("secret applicant detail")

    monkeypatch.setattr("toolkit.dashboards.lookup.find_qualifications", boom)
    with caplog.at_level(logging.ERROR, logger="toolkit.dashboards"):
        f.query.value = "FCCA"
    assert "处理时出错" in text(f.message)
    assert "secret applicant detail" not in f.message.value
    assert any("_on_change" in r.getMessage() for r in caplog.records)


# --- Publicity calculator -------------------------------------------------------------------


def test_publicity_start_to_end_over_national_day():
    f = PublicityForm()
    f.start.value = dt.date(2025, 9, 29)
    f.start_button.click()
    assert f.message.value == ""
    assert f.window is not None and f.window.end == dt.date(2025, 10, 11)
    assert 'class="oqtk-end" data-date="2025-10-11"' in f.result.value
    out = text(f.result)
    assert "2025-10-11（星期六）" in out
    # day-by-day: counted days numbered, skipped days with their reason
    assert re.search(r'data-date="2025-09-29" data-counted="1"', f.result.value)
    assert re.search(r'data-date="2025-10-11" data-counted="5"', f.result.value)
    assert re.search(r'data-date="2025-10-01" data-counted="0"', f.result.value)
    assert "国庆节" in out and "调休上班" in out and "不计" in out
    assert f.result.value.count('class="oqtk-day"') == 13
    # the rule's clause
    assert f.window.source is not None
    assert html.escape(f.window.source.cite("zh"), quote=True) in f.result.value
    f.lang = "en"
    out = text(f.result)
    assert "National Day" in out and "day 5" in out and "Make-up working day" in out
    assert html.escape(f.window.source.cite("en"), quote=True) in f.result.value


def test_publicity_start_on_a_holiday_counts_from_next_working_day():
    f = PublicityForm()
    f.start.value = dt.date(2025, 10, 1)
    f.start_button.click()
    assert f.window is not None and f.window.first_day == dt.date(2025, 10, 9)
    assert "从 2025-10-09 起算" in text(f.result)


def test_publicity_deadline_to_latest_start():
    f = PublicityForm()
    f.deadline.value = dt.date(2025, 10, 15)
    f.deadline_button.click()
    assert f.latest_start == dt.date(2025, 10, 10)
    assert 'class="oqtk-latest-start" data-date="2025-10-10"' in f.result.value
    assert f.window is not None and f.window.end <= dt.date(2025, 10, 15)
    assert "最晚应于 2025-10-10（星期五） 开始公示" in text(f.result)


def test_publicity_calendar_not_covered_is_a_clear_message():
    f = PublicityForm()
    year = max(calendar_status().years) + 3
    f.start.value = dt.date(year, 3, 2)
    f.start_button.click()
    assert f.window is None and f.result.value == ""
    msg = text(f.message)
    assert f"{year}年的法定节假日安排尚未载入" in msg
    assert "oqtk-error" in f.message.value
    f.deadline.value = dt.date(year, 3, 2)
    f.deadline_button.click()
    assert f.latest_start is None
    assert f"{year}年的法定节假日安排尚未载入" in text(f.message)


def test_publicity_missing_date_asks_for_it():
    f = PublicityForm()
    f.start_button.click()
    assert "请先选择公示开始日期" in text(f.message)
    f.deadline_button.click()
    assert "请先选择截止日期" in text(f.message)


def test_publicity_unexpected_error_is_shown_and_logged(monkeypatch, caplog):
    f = PublicityForm()
    monkeypatch.setattr("toolkit.dashboards.publicity.publicity_window", lambda *_a, **_k: 1 / 0)
    f.start.value = dt.date(2025, 9, 29)
    with caplog.at_level(logging.ERROR, logger="toolkit.dashboards"):
        f.start_button.click()
    assert "处理时出错" in text(f.message)
    assert any(r.exc_info for r in caplog.records)


# --- the page around a form -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "lookup", "publicity"])
def test_page_has_nav_toggle_and_form(name):
    p = build(name)
    assert isinstance(p, Page) and p.form is not None
    for other in PAGES.values():
        if other.name != name:
            assert f'href="{other.name}.ipynb"' in p.nav.value
    assert p.toggle.value == "zh"
    p.toggle.value = "en"
    assert p.lang == "en" and p.form.lang == "en"
    assert PAGES[name].title_en in p.header.value


def test_page_whose_form_fails_shows_a_message_and_logs(monkeypatch, caplog):
    spec = PAGES["lookup"]
    monkeypatch.setitem(PAGES, "lookup", page_mod.PageSpec(**{**spec.__dict__, "form": "nonexistent:Nope"}))
    with caplog.at_level(logging.ERROR, logger="toolkit.dashboards"):
        p = build("lookup")
    assert p.form is None
    assert "此页面暂不可用" in text(p.message)
    assert any("could not be built" in r.getMessage() for r in caplog.records)


def test_show_logs_to_oqtk_home(monkeypatch, tmp_path):
    monkeypatch.setenv("OQTK_HOME", str(tmp_path))
    logger = logging.getLogger("toolkit")
    before = list(logger.handlers)
    try:
        page_mod.setup_logging()
        logging.getLogger("toolkit.dashboards").error("probe line")
        for h in logger.handlers:
            h.flush()
        assert "probe line" in (tmp_path / "logs" / "dashboards.log").read_text(encoding="utf-8")
    finally:
        for h in list(logger.handlers):
            if h not in before:
                logger.removeHandler(h)
                h.close()


def test_the_served_folder_holds_the_dashboard_pages_and_nothing_else():
    """Voila renders and preheats whatever notebook is in the folder it serves: only the pages."""
    from toolkit.dashboards.server import NOTEBOOK_DIR

    assert sorted(p.name for p in NOTEBOOK_DIR.rglob("*")) == sorted(f"{n}.ipynb" for n in (*PAGES, "app"))
    assert not (NOTEBOOK_DIR / "batch_review.ipynb").exists()


def test_notebooks_are_thin_and_have_no_outputs():
    for name in PAGES:
        nb = json.loads((REPO / "notebooks" / "dashboards" / f"{name}.ipynb").read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert len(code) == 1
        src = "".join(code[0]["source"])
        assert src == f'from toolkit.dashboards.page import show\n\nshow("{name}")'
        assert code[0]["outputs"] == [] and code[0]["execution_count"] is None
        assert nb["metadata"]["kernelspec"]["name"] == "python3"


# --- server settings ------------------------------------------------------------------------


def test_upload_limit_from_environment(monkeypatch):
    from toolkit.dashboards.server import upload_limit_bytes
    from toolkit.exceptions import ParameterError

    assert upload_limit_bytes({}) == 20 * 1024 * 1024
    assert upload_limit_bytes({"OQTK_UPLOAD_LIMIT_MB": "5"}) == 5 * 1024 * 1024
    with pytest.raises(ParameterError, match="OQTK_UPLOAD_LIMIT_MB"):
        upload_limit_bytes({"OQTK_UPLOAD_LIMIT_MB": "lots"})


def test_voila_config_is_locked_down():
    from toolkit.dashboards.server import ServerSettings, voila_config

    c = voila_config(ServerSettings(port=1234, upload_limit_bytes=1_000_000))
    assert c["Voila"]["ip"] == "127.0.0.1" and c["Voila"]["port"] == 1234
    vc = c["VoilaConfiguration"]
    assert vc["preheat_kernel"] is True and vc["default_pool_size"] == 1
    assert vc["show_tracebacks"] is False and vc["strip_sources"] is True
    assert vc["file_allowlist"] == [] and vc["file_denylist"] == [".*"]
    assert vc["allow_template_override"] == "NO" and vc["template"] == "oqtk"
    assert vc["resources"]["oqtk_upload_limit_bytes"] == 1_000_000
    assert c["Voila"]["tornado_settings"]["websocket_max_message_size"] > 1_000_000
    mk = c["MappingKernelManager"]
    # a closed page's kernel goes within minutes; an open page's never does
    assert (
        0 < mk["cull_idle_timeout"] <= 300 and 0 < mk["cull_interval"] <= 60 and mk["cull_connected"] is False
    )
    assert c["VoilaExecutor"]["timeout"] > 0
    # the Host header is checked (no DNS rebinding) and no voila.json/voila.py is read
    ts = c["Voila"]["tornado_settings"]
    assert ts["allow_remote_access"] is False and ts["local_hostnames"] == ["localhost"]
    assert c["Voila"]["config_file_paths"] == []
    assert vc["multi_kernel_manager_class"] == "toolkit.dashboards.voila_app.PageKernelManager"


def test_the_voila_extension_points_are_the_ones_checked():
    """toolkit/dashboards/voila_app.py was read against one Voila release: on an upgrade this fails
    until its two extension points (the closed routes before Voila's own, the culling of a kernel
    handed out from the pool) have been checked against the new release's voila/app.py and
    voila_kernel_manager.py, and VOILA_CHECKED updated."""
    import voila

    from toolkit.dashboards.voila_app import VOILA_CHECKED, DashboardsVoila, PageKernelManager

    assert voila.__version__ == VOILA_CHECKED, (
        f"Voila {voila.__version__} installed; toolkit/dashboards/voila_app.py was checked against "
        f"{VOILA_CHECKED}: read it again against this release"
    )
    from voila.app import Voila

    assert issubclass(DashboardsVoila, Voila) and "init_handlers" in vars(Voila)
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

    assert "cull_kernel_if_idle" in vars(MappingKernelManager) and issubclass(
        PageKernelManager, MappingKernelManager
    )


def test_serve_cli_options():
    from toolkit.cli import build_parser

    args = build_parser().parse_args(["serve", "--port", "9000", "--no-browser", "--host", "127.0.0.1"])
    assert args.port == 9000 and args.no_browser and args.host == "127.0.0.1"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--port", "0"])


def test_the_publicity_length_shown_in_the_forms_comes_from_policy_data(monkeypatch, tmp_path):
    """No '5' typed into a label: change the dated parameter and every form says the new number."""
    import yaml
    from support import data_copy

    import toolkit
    from toolkit.dashboards.assess import AssessForm
    from toolkit.dashboards.publicity import PublicityForm
    from toolkit.dashboards.widgets import publicity_days
    from toolkit.rules.process import process_steps

    with data_copy(monkeypatch, tmp_path) as root:
        path = root / "policy" / "publicity_working_days.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["values"].append({**doc["values"][-1], "from": "2026-01-01", "value": 7})
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        toolkit.policy.reload()
        assert publicity_days(dt.date(2025, 12, 31)) == "5" and publicity_days(dt.date(2026, 1, 2)) == "7"
        assert publicity_days(dt.date(2024, 1, 1)) == "?"  # before any stated rule
        assert "不少于7个工作日" in PublicityForm().rule.value  # today is after 2026-01-01
        form = AssessForm(today=dt.date(2026, 3, 1))
        form.as_of.value = dt.date(2026, 3, 1)
        form._render_labels()
        assert "不填则按7个工作日计算" in form.rows["publicity_end"].label.value
        case = toolkit.CaseInput(qualifications=("FCCA",), holder_type="foreign_national", verified=True)
        result = toolkit.assess_case(case, as_of=dt.date(2026, 3, 1), list_version="1.0")
        step = next(s for s in process_steps(case, result) if s.key == "publicity")
        assert "不少于7个工作日" in step.zh and "at least 7 working days" in step.en


def test_the_app_builds_each_form_when_first_opened_and_carries_language_and_case():
    import datetime as dt

    from toolkit.dashboards.app import TOOLS, App

    app = App(start="lookup")
    assert set(app.forms) == {"lookup"}  # the others are built on first open
    assert [v for _label, v in app.nav.options] == list(TOOLS) and app.nav.value == "lookup"
    app.toggle.value = "en"
    assessment = app.show_tool("assess")
    assert set(app.forms) == {"lookup", "assess"} and app.body.children == (assessment,)
    assert assessment.lang == "en" and app.nav.options[0][0] == "Home"
    assessment.publicity_start.value = dt.date(2025, 12, 1)
    app.nav.value = "publicity"  # as the navigation bar does
    calc = app.forms["publicity"]
    assert app.body.children == (calc,) and calc.lang == "en"
    assert calc.start.value == dt.date(2025, 12, 1)  # the case came along
    app.show_tool("lookup")
    assert app.body.children == (app.forms["lookup"],) and len(app.forms) == 3  # built once


def test_the_apps_supervisor_list_is_fresh_each_time_it_is_opened(home):
    """Issue 15, item 6: the run list was stale until 刷新 was clicked (e.g. after a batch ran)."""
    from helpers_runs import make_run

    from toolkit.dashboards.app import App

    app = App(start="supervisor")
    sup = app.forms["supervisor"]
    assert sup.runs == []
    run = make_run(home / "runs")  # a run finishes while the officer is on another tool
    app.show_tool("batch")
    app.show_tool("supervisor")
    assert [r.run_id for r in sup.runs] == [run.name] and run.name in sup.runs_html.value
