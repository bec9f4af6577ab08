"""单人评估 form driven without a browser: set widget values, click, read the result widgets."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re

import pytest

from toolkit.dashboards import assess as assess_mod
from toolkit.dashboards.assess import AssessForm

TODAY = dt.date(2026, 1, 15)


def fcca_form(version: str | None = "1.0", **overrides) -> AssessForm:
    """The worked example: FCCA, foreign national, master's, accounting, List 1.0 (``None``: the
    version the form chooses), as of 2025-12-31."""
    f = AssessForm(today=TODAY)
    f.holder_type.value = "foreign_national"
    f.hukou.value = False
    f.certificate.value = "FCCA"
    f.verified.value = True
    f.degree.value = "master"
    f.series.value = "accounting"
    f.relevant_since.value = dt.date(2015, 1, 1)
    f.shanghai_since.value = dt.date(2023, 1, 1)
    f.employer_type.value = "enterprise"
    f.previous_round.value = False
    if version is not None:
        f.list_version.value = version
    f.as_of.value = dt.date(2025, 12, 31)
    for k, v in overrides.items():
        getattr(f, k).value = v
    return f


def text(widget) -> str:
    """Visible text of an HTML widget (tags stripped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", widget.value))


def states(f: AssessForm) -> dict[str, tuple[str, str | None]]:
    return {s.key: (s.state, s.date) for s in f.steps}


def test_fcca_worked_example_is_eligible_for_senior_accountant():
    f = fcca_form()
    f.assess_button.click()
    assert f.message.value == ""
    assert f.result is not None and f.result.status == "eligible"
    status = text(f.status_html)
    assert "符合条件" in status
    assert "A类" in status and "B类" in status and "C类" in status
    title = text(f.title_html)
    assert "副高级" in title and "高级会计师" in title
    services = text(f.services_html)
    # B services listed (high-end work permit, R visa), each with what to check and its clause
    assert "工作许可A类" in services
    assert {s.category for s in f.result.services} >= {"A", "B", "C"}
    for s in f.result.services:
        assert html.escape(s.zh, quote=True) in f.services_html.value
        assert html.escape(s.source.cite("zh"), quote=True) in f.services_html.value
        if s.check_zh:
            assert html.escape(s.check_zh, quote=True) in f.services_html.value
    assert f.result_box.layout.display is None


def test_switching_to_english_relabels_fields_and_result():
    f = fcca_form()
    f.assess_button.click()
    f.lang = "en"
    assert "Eligible" in text(f.status_html)
    assert "Senior Accountant" in text(f.title_html)
    assert "Associate senior" in text(f.title_html)
    assert "Holder type" in f.rows["holder_type"].label.value
    assert ("Foreign national", "foreign_national") in f.holder_type.options
    assert f.holder_type.value == "foreign_national"  # relabelling keeps the value
    assert f.verified.value is True
    assert f.assess_button.description == "Assess"
    assert "符合条件" not in text(f.status_html)
    f.lang = "zh"
    assert "符合条件" in text(f.status_html)


def test_every_title_finding_shows_icon_and_clause_each_clause_quoted_once():
    f = fcca_form()
    f.assess_button.click()
    t = f.title_html.value
    shown = f.status_html.value + t
    for finding in f.result.title.findings:
        assert f'data-code="{finding.code}"' in t
        if finding.source is not None:
            assert shown.count(html.escape(finding.source.cite("zh"), quote=True)) == 1, finding.code
    assert "（条文同上）" in t  # the thresholds' clause, shared by every level, is not repeated
    assert "✔ 符合" in t  # outcome icon with its word
    assert "⚠ 须核对" in t  # the series-to-confirm check


def test_script_in_text_fields_is_escaped():
    f = fcca_form()
    f.certificate.value = "<script>alert(1)</script>"
    f.full_name.value = "<script>alert(2)</script>"
    f.application_id.value = '"><img src=x onerror=alert(3)>'
    f.assess_button.click()
    everything = "".join(
        w.value for w in (f.status_html, f.services_html, f.title_html, f.missing_html, f.checklist_html)
    )
    assert "<script>alert(1)" not in everything
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in everything
    summary = f.summary_html()
    assert "<script>" not in summary and "<img" not in summary
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in summary
    # the file name is built from safe characters only
    assert 'download="assessment-img_src_x_onerror_alert_3-2025-12-31.html"' in f.download_html.value


def test_handler_exception_shows_message_not_traceback(monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(assess_mod, "assess_case", boom)
    f = fcca_form()
    f.assess_button.click()
    assert "处理时出错" in f.message.value
    assert "Traceback" not in f.message.value and "secret internal detail" not in f.message.value
    assert f.result is None


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("date_of_birth", dt.date(2030, 1, 1), "出生日期不能是将来的日期"),
        ("relevant_since", dt.date(2026, 1, 1), "起始日期晚于评估日期"),
        ("shanghai_years", "-1", "年限不能为负数"),
        ("relevant_years", "three", "年限须为数字"),
        ("relevant_years", "10", "起始日期与年限只填其一"),  # relevant_since is also given
    ],
)
def test_field_validation_message_next_to_field_blocks_assessment(field, value, expected):
    f = fcca_form()
    getattr(f, field).value = value
    assert expected in f.rows[field].error_text  # shown as soon as the value changes
    f.assess_button.click()
    assert f.result is None
    assert "请更正标出的字段" in f.message.value
    assert f.result_box.layout.display == "none"


def test_validation_clears_and_switches_language():
    f = fcca_form(shanghai_years="-2")
    assert "年限不能为负数" in f.rows["shanghai_years"].error_text
    f.lang = "en"
    assert "Years cannot be negative" in f.rows["shanghai_years"].error_text
    f.shanghai_years.value = ""
    assert f.rows["shanghai_years"].error_text == ""
    f.assess_button.click()
    assert f.result is not None


def test_warnings_do_not_block():
    f = fcca_form(round="2025-r3")  # round 3 is for List 2.0 holders; list is 1.0
    assert "2.0" in f.rows["round"].error_text
    assert "oqtk-warning" in f.rows["round"].error_text
    f.assess_button.click()
    assert f.result is not None


def test_publicity_end_before_start_is_a_field_error():
    f = fcca_form(publicity_start=dt.date(2025, 12, 10), publicity_end=dt.date(2025, 12, 1))
    assert "公示结束日期早于开始日期" in f.rows["publicity_end"].error_text
    assert "publicity_end" in f.field_errors()


def test_as_of_defaults_to_today_and_version_to_the_one_to_use():
    from toolkit.rules import list_version_to_use

    f = AssessForm(today=TODAY)
    assert f.as_of.value == TODAY
    choice = list_version_to_use(TODAY)  # 3.0 in force, no entries loaded: the newest with entries
    assert choice.fell_back and f.list_version.value == choice.version.version == "1.0"
    assert choice.finding.zh in f.list_notice.value  # said next to the version, before assessing
    f.as_of.value = dt.date(2024, 1, 1)  # not chosen by hand yet: follows the as-of date
    assert f.list_version.value == "1.0" and choice.finding.zh not in f.list_notice.value
    f.list_version.value = "2.0"
    f.as_of.value = dt.date(2025, 12, 31)  # chosen by hand: kept
    assert f.list_version.value == "2.0"
    assert "FCCA" in f.certificate.options  # suggestions from the List (other versions when partial)
    assert "ACCA资深会员证书" in f.certificate.options
    f.list_version.value = "3.0"  # the one in force, named by hand: its partial-List notice
    assert "不完整" in f.list_notice.value


def test_assessed_on_the_version_to_use_the_case_carries_the_fallback_finding():
    f = fcca_form(version=None)  # the officer leaves the version as the form chose it
    assert f.list_version.value == "1.0"
    f.assess_button.click()
    assert f.result is not None and f.result.list_version == "1.0"
    assert "list_version_fallback" in {x.code for x in f.result.all_findings()}
    f.list_version.value = "2.0"
    f.list_version.value = "1.0"  # named by hand: assessed as named, no fallback finding
    f.assess_button.click()
    assert "list_version_fallback" not in {x.code for x in f.result.all_findings()}


def test_checklist_without_publicity():
    f = fcca_form()
    f.assess_button.click()
    s = states(f)
    assert s["verification"] == ("done", None)
    assert s["employer_review"][0] == "due"
    assert s["publicity"][0] == "due"
    assert s["upload"][0] == "blocked"
    assert s["bureau_review"][0] == "blocked" and s["certificate"][0] == "blocked"
    assert [st.key for st in f.steps] == [
        "verification",
        "employer_review",
        "publicity",
        "upload",
        "bureau_review",
        "certificate",
    ]
    assert "上海市职称服务系统" in f.checklist_html.value
    assert 'data-step="verification" data-state="done"' in f.checklist_html.value


def test_checklist_publicity_done_then_upload_due():
    f = fcca_form(publicity_start=dt.date(2025, 12, 1), publicity_end=dt.date(2025, 12, 5))
    f.assess_button.click()
    s = states(f)
    assert s["employer_review"][0] == "done"
    assert s["publicity"] == ("done", "2025-12-01 – 2025-12-05")
    assert s["upload"] == ("due", "2025-12-06")


def test_checklist_publicity_under_way_and_too_short():
    f = fcca_form(publicity_start=dt.date(2025, 12, 29))
    f.assess_button.click()
    s = states(f)
    assert s["publicity"][0] == "due"
    assert s["publicity"][1].startswith("2025-12-29 – 2026-01-")
    assert "公示中" in f.checklist_html.value
    assert s["upload"][0] == "blocked"

    f.publicity_end.value = dt.date(2025, 12, 30)
    f.assess_button.click()
    assert f.result.status == "incomplete"
    s = states(f)
    assert s["publicity"][0] == "due"
    assert "公示期不足" in f.checklist_html.value


def test_checklist_unverified_blocks_review():
    f = fcca_form(verified=None)
    f.assess_button.click()
    assert f.result.status == "incomplete"
    s = states(f)
    assert s["verification"][0] == "due"
    assert s["employer_review"][0] == "blocked"
    assert "待证书核验完成" in f.checklist_html.value


def test_checklist_dates_when_only_time_is_missing():
    # bachelor's since 2017-01-01: 9 years at 2025-12-31, 10 needed for associate senior
    f = fcca_form(degree="bachelor", relevant_since=dt.date(2017, 1, 1), level="associate_senior")
    f.assess_button.click()
    t = f.result.title
    assert t.eligible_from["associate_senior"] == dt.date(2026, 12, 31)
    assert "2026-12-31" in text(f.title_html)
    s = states(f)
    assert s["employer_review"] == ("blocked", "2026-12-31")
    assert "2026-12-31" in text(f.missing_html)


def test_checklist_public_institution_needs_recommendation():
    f = fcca_form(employer_type="public_institution")
    f.assess_button.click()
    s = states(f)
    assert s["employer_review"][0] == "blocked"
    assert "主管部门推荐" in f.checklist_html.value


def test_no_title_sought_has_no_checklist():
    f = fcca_form(certificate="ACCA", series=None)  # ACCA membership: Category A only
    f.assess_button.click()
    assert f.result.categories == ("A",)
    assert f.steps == []
    assert "不涉及职称申报" in f.checklist_html.value


def test_summary_cites_clauses_and_says_chinese_prevails():
    f = fcca_form(application_id="CASE-001", full_name="张三")
    f.assess_button.click()
    summary = f.summary_html()
    assert summary.startswith("<!DOCTYPE html>")
    assert "以中文版通知为准" in summary
    assert "The Chinese version of the notice prevails" in summary
    for finding in f.result.all_findings():  # each clause quoted once, in full
        if finding.source is not None:
            assert summary.count(html.escape(finding.source.cite("zh"), quote=True)) == 1, finding.code
            assert summary.count(html.escape(finding.source.cite("en"), quote=True)) == 1, finding.code
    for service in f.result.services:  # each service's clause in the notes under the table
        assert html.escape(service.source.clause_zh, quote=True) in summary
        assert html.escape(service.source.title_zh, quote=True) in summary
    assert "高级会计师" in summary and "CASE-001" in summary and "张三" in summary
    assert "上海市职称服务系统" in summary
    assert "不完整" in summary  # partial-List notice goes into the case file too
    # the download link carries exactly this document
    m = re.search(r'href="data:text/html;base64,([A-Za-z0-9+/=]+)"', f.download_html.value)
    assert m is not None
    assert 'download="assessment-CASE-001-2025-12-31.html"' in f.download_html.value
    decoded = base64.b64decode(m.group(1)).decode("utf-8")
    assert "以中文版通知为准" in decoded and "CASE-001" in decoded


def test_summary_empty_before_assessment_and_not_eligible_case():
    f = AssessForm(today=TODAY)
    assert f.summary_html() == ""
    f.certificate.value = "Certified Basket Weaver"
    f.holder_type.value = "foreign_national"
    f.list_version.value = "1.0"
    f.assess_button.click()
    assert f.result.status in ("not_eligible", "incomplete")
    assert "Certified Basket Weaver" in f.status_html.value


def test_basic_requirements_are_items_the_officer_ticks_and_the_summary_records():
    f = fcca_form()
    assert set(f.basic) == {"law", "ethics", "competence", "overseas_experience", "public_institution_posts"}
    assert "遵守中华人民共和国宪法和法律法规" in html.unescape(f.rows["basic_law"].label.value)
    assert "仅事业单位" in html.unescape(f.rows["basic_public_institution_posts"].label.value)
    f.assess_button.click()
    assert any(x.code == "basic_requirements_to_check" for x in f.result.all_findings())
    assert "待核对 To check" in f.summary_html()
    for code in ("law", "ethics", "competence", "overseas_experience"):
        f.basic[code].value = True
    f.assess_button.click()
    assert dict(f.case.basic_requirements) == dict.fromkeys(
        ("law", "ethics", "competence", "overseas_experience"), True
    )
    assert f.result.status == "eligible"
    summary = f.summary_html()
    assert "基本条件：遵守中华人民共和国宪法和法律法规" in summary and "符合 Met" in summary
    assert 'data-code="basic_requirements_confirmed"' in summary
    f.basic["ethics"].value = False
    f.assess_button.click()
    assert f.result.status == "not_eligible"
    assert "不符合基本条件" in text(f.status_html) + text(f.title_html)


def test_the_decision_comes_first_in_one_line():
    f = fcca_form(relevant_since=dt.date(2019, 1, 2))
    f.assess_button.click()
    first = html.unescape(re.search(r'class="oqtk-headline">([^<]*)<', f.status_html.value).group(1))
    assert f.status_html.value.index("oqtk-headline") < f.status_html.value.index("oqtk-findings")
    assert "符合条件：可申报会计师（中级）" in first and "2026-01-01起可申报副高级" in first
    f = fcca_form(verified=False)
    f.assess_button.click()
    assert f.result.headline("zh").startswith("待补正：证书尚未在本市境外职业资格证书核验平台完成核验")
    assert f.result.headline("en").startswith("Incomplete: The certificate is not yet verified")


def test_the_assess_button_is_disabled_while_a_field_is_wrong_and_says_why_beside_it():
    f = fcca_form()
    assert not f.assess_button.disabled and f.button_note.value == ""
    f.relevant_years.value = "abc"
    assert f.assess_button.disabled
    assert "请先更正标出的" in text(f.button_note) and f.assess_button.tooltip.startswith("请先更正")
    f.lang = "en"
    assert "Correct the" in text(f.button_note)
    f.relevant_years.value = ""
    assert not f.assess_button.disabled and f.button_note.value == ""
    f.assess_button.click()
    assert "Eligible: may apply for Senior Accountant" in text(f.decision)
