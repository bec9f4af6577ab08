"""`oqtk calendar import`: the State Council holiday notice, read and checked, into the bureau's folder;
provisional late-December days until next year's notice is loaded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import data_copy

from toolkit import policy
from toolkit.calendar import (
    DayKind,
    calendar_status,
    day_info,
    import_notice,
    parse_notice,
    provisional_from,
)
from toolkit.calendar.libraries import library_schedules
from toolkit.exceptions import CalendarNotCovered, NoticeImportError
from toolkit.findings import Outcome
from toolkit.paths import REPO_ROOT
from toolkit.rules.publicity import check_publicity, publicity_window

D = dt.date
NOTICES = Path(__file__).parent / "fixtures" / "notices"
NOTICE_2026 = NOTICES / "2026.txt"  # the project's copy (shared/policy/notices/2026.txt)
SYNTHETIC = NOTICES / "synthetic_2027.txt"


@pytest.fixture
def bureau(monkeypatch, tmp_path):
    """A copy of data/ as $OQTK_DATA_DIR and an empty bureau folder: yields the bureau folder."""
    with data_copy(monkeypatch, tmp_path):
        yield tmp_path / "bureau"


def _lib_working(year: int) -> dict[str, bytes]:
    libs = library_schedules()
    return {"holidays": libs.holidays_flags[year], "chinesecalendar": libs.cc_flags[year]}


# --- every notice reproduces what both libraries hold -------------------------------------------


@pytest.mark.parametrize(
    ("path", "year"),
    [
        (NOTICES / "2012.txt", 2012),
        (NOTICES / "2018.txt", 2018),
        (NOTICES / "2024.txt", 2024),
        (NOTICES / "2025.txt", 2025),
        (NOTICE_2026, 2026),
    ],
)
def test_each_notice_reproduces_both_libraries(bureau, path, year):
    res = import_notice(path, year, dry_run=True)
    assert set(res.differences) == {"holidays", "chinesecalendar"}
    assert res.differences == {"holidays": [], "chinesecalendar": []}
    # and, independently of the import's own comparison: every day of the year, flag by flag
    first = D(year, 1, 1)
    for lib, flags in _lib_working(year).items():
        for i, f in enumerate(flags):
            d = first + dt.timedelta(days=i)
            x = res.days.get(d)
            if x is None and d.month == 12 and year + 1 <= 2026:
                continue  # December days the next year's notice changed (2018: 12-29, 12-31)
            mine = (x.kind == "makeup") if x else d.weekday() < 5
            assert mine == bool(f), (lib, d)
    assert not res.written and not (bureau / "calendar").exists()


def test_2012_and_2019_change_the_december_before(bureau):
    r12 = import_notice(NOTICES / "2012.txt", 2012, dry_run=True)
    assert r12.days[D(2011, 12, 31)].kind == "makeup"
    assert r12.number == "国办发明电〔2011〕45号" and r12.published == D(2011, 12, 5)  # 二〇一一年十二月五日
    # 2019: the notice's late-December 2018 days agree with the libraries; its Labour Day was changed
    # afterwards (国办发明电〔2019〕3号), which the libraries hold: exactly those four days differ.
    with pytest.raises(NoticeImportError) as err:
        import_notice(NOTICES / "2019.txt", 2019)
    msg = str(err.value)
    for d in ("2019-04-28", "2019-05-02", "2019-05-03", "2019-05-05"):
        assert d in msg
    assert "2018-12" not in msg and "nothing was written" in msg
    r19 = parse_notice((NOTICES / "2019.txt").read_text(encoding="utf-8"), 2019)
    assert r19.days[D(2018, 12, 29)].kind == "makeup"
    assert {d for d, x in r19.days.items() if x.kind == "holiday" and d.year == 2018} == {
        D(2018, 12, 30),
        D(2018, 12, 31),
    }
    assert r19.number == "国办发明电〔2018〕15号"
    assert not (bureau / "calendar").exists()


def test_2024_advice_is_shown_not_applied():
    res = parse_notice((NOTICES / "2024.txt").read_text(encoding="utf-8"), 2024)
    assert D(2024, 2, 9) not in res.days
    assert any("除夕（2月9日）" in n for n in res.notes)


# --- writing, and where the data came from --------------------------------------------------------


def test_import_2026_writes_the_bureau_folder_and_says_where_it_came_from(bureau, tmp_path):
    res = import_notice(NOTICE_2026, 2026)
    assert res.written and res.path == bureau / "calendar" / "2026.yaml"
    assert not (tmp_path / "data" / "calendar" / "2026.yaml").exists()  # the shipped copy is untouched
    policy.reload()
    srcs = calendar_status(D(2026, 3, 1)).sources[2026]
    imported = next(s for s in srcs if s.kind == "data_file")
    assert imported.imported and imported.imported.endswith(" 2026.txt")
    assert imported.published == D(2025, 11, 4) and "2026年部分节假日安排" in (imported.title_zh or "")
    assert "由 2026.txt 导入" in imported.cite("zh")
    assert {s.kind for s in srcs} == {"data_file", "library"}  # checked against both libraries
    assert publicity_window(D(2026, 2, 14)).end == D(2026, 2, 27)


def test_weekday_changed_is_refused_quoting_the_sentence(bureau, tmp_path):
    text = NOTICE_2026.read_text(encoding="utf-8").replace("2月14日（周六）", "2月14日（周五）")
    bad = tmp_path / "2026-bad.txt"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(NoticeImportError) as err:
        import_notice(bad, 2026)
    msg = str(err.value)
    assert "“2月14日（周五）、2月28日（周六）上班。”" in msg
    assert "星期六，不是“周五”" in msg and "is a Saturday, not 周五" in msg
    assert "nothing was written" in msg and "未写入" in msg
    assert not (bureau / "calendar").exists()


@pytest.mark.parametrize(
    ("old", "new", "expect"),
    [
        ("共3天。1月4日", "共4天。1月4日", "says 4 days but the dates listed give 3"),
        ("5月9日（周六）上班", "5月8日（周五）上班", "not a Saturday or Sunday"),
        ("5月9日（周六）上班。", "5月9日（周六）上班。具体另行通知。", "cannot read this sentence"),
        ("至3日（周六）放假调休", "至3日（周六）放假调息", "cannot read this sentence"),
        ("6月19日（周五）", "6月19日（周五、端阳）", "unreadable note"),
        ("2月30日", "2月30日", ""),  # placeholder: replaced below
    ],
)
def test_each_malformed_sentence_is_an_error_and_nothing_is_written(bureau, tmp_path, old, new, expect):
    text = NOTICE_2026.read_text(encoding="utf-8")
    if old == "2月30日":
        text, expect = text.replace("2月28日（周六）", "2月30日（周六）"), "2月30日（周六） 不是有效日期"
    else:
        assert old in text
        text = text.replace(old, new)
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(NoticeImportError, match="nothing was written") as err:
        import_notice(bad, 2026)
    assert expect in str(err.value)
    assert not (bureau / "calendar").exists()


@pytest.mark.parametrize(
    ("content", "name", "year", "expect"),
    [
        ("各省：经国务院批准……", "x.txt", 2026, "title"),
        (None, "2026.txt", 2027, "the notice is for 2026, not 2027"),
        ("国务院办公厅关于2026年部分节假日安排的通知\n鼓励错峰出行。", "x.txt", 2026, "no items"),
        ("not a word file", "x.docx", 2026, "not a readable Word"),
        ("%PDF-1.4 broken", "x.pdf", 2026, "not a readable PDF"),
        ("whatever", "x.doc", 2026, "save a .doc as .docx"),
    ],
)
def test_malformed_documents_are_refused_bilingually(bureau, tmp_path, content, name, year, expect):
    path = tmp_path / name
    path.write_text(
        content if content is not None else NOTICE_2026.read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(NoticeImportError) as err:
        import_notice(path, year)
    msg = str(err.value)
    assert expect in msg and re.search(r"[\u4e00-\u9fff]", msg)  # Chinese first, then English
    assert not (bureau / "calendar").exists()


def test_a_notice_without_its_signature_is_refused(bureau, tmp_path):
    text = NOTICE_2026.read_text(encoding="utf-8").replace("国务院办公厅\n2025年11月4日", "")
    path = tmp_path / "cut.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NoticeImportError, match="signature"):
        import_notice(path, 2026)


def test_a_scanned_pdf_is_refused(bureau, tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")  # an image-only page: no text layer
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(NoticeImportError, match="no text layer"):
        import_notice(tmp_path / "scan.pdf", 2026)


# --- Word and PDF ----------------------------------------------------------------------------------


def test_docx_notice_reproduces_2026(bureau, tmp_path):
    import docx

    document = docx.Document()
    for line in NOTICE_2026.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    document.save(str(tmp_path / "notice.docx"))
    res = import_notice(tmp_path / "notice.docx", 2026, dry_run=True)
    assert res.differences == {"holidays": [], "chinesecalendar": []}
    assert len(res.days) == 39


def test_pdf_notice_with_wrapped_lines_reproduces_2026(bureau, tmp_path):
    from pdf_support import new_pdf

    text = NOTICE_2026.read_text(encoding="utf-8")
    pdf = new_pdf(tmp_path, text)
    for line in text.splitlines():
        pdf.multi_cell(120, 6, line, new_x="LMARGIN", new_y="NEXT")  # narrow: sentences wrap
    pdf.output(str(tmp_path / "notice.pdf"))
    res = import_notice(tmp_path / "notice.pdf", 2026, dry_run=True)
    assert res.differences == {"holidays": [], "chinesecalendar": []}
    assert res.days[D(2026, 2, 28)].kind == "makeup"


# --- provisional days ------------------------------------------------------------------------------


def test_the_first_provisional_day_is_derived_from_every_year_the_libraries_hold():
    """The earliest December day that a following year's notice ever changed, from both libraries
    (December has no holiday of its own, so every special December day is such a change)."""
    import chinese_calendar

    libs = library_schedules()
    days = [d for s in libs.schedules.values() for d in (*s.off, *s.makeup) if d.month == 12]
    # chinesecalendar names each special day (a day off or a make-up working day) it holds
    days += [
        d
        for y in sorted(libs.cc_years)
        for d in (D(y, 12, i) for i in range(1, 32))
        if chinese_calendar.get_holiday_detail(d)[1] is not None
    ]
    assert days, "the libraries hold late-December changes (2018-12-29, 2011-12-31, …)"
    assert provisional_from(2026) == D(2026, 12, min(d.day for d in days))
    assert D(2018, 12, 29) in days and D(2011, 12, 31) in days


def test_provisional_days_carry_a_check_until_the_next_year_is_imported(bureau):
    # 2027 is not loaded: late December 2026 is provisional
    assert day_info(D(2026, 12, 28)).provisional is False
    assert day_info(D(2026, 12, 29)).provisional is True
    win = publicity_window(D(2026, 12, 23))
    assert win.end == D(2026, 12, 29)
    assert [f.code for f in win.findings] == ["publicity_provisional_days"]
    f = win.findings[0]
    assert f.outcome is Outcome.CHECK and "2027年节假日安排尚未载入" in f.zh and "2026-12-29" in f.zh
    assert "oqtk calendar import" in f.zh and f.source is not None
    assert check_publicity(D(2026, 12, 22), D(2026, 12, 30)).provisional is not None
    assert check_publicity(D(2026, 12, 1), D(2026, 12, 10)).provisional is None  # not touched
    with pytest.raises(CalendarNotCovered):
        publicity_window(D(2026, 12, 28))  # reaches 2027

    res = import_notice(SYNTHETIC, 2027, number="测试〔0000〕0号")
    assert res.written and res.days[D(2026, 12, 31)].kind == "holiday"
    policy.reload()
    # the synthetic 2027 notice makes 2026-12-31 a day off: the period from 2026-12-28 is computed
    win = publicity_window(D(2026, 12, 28))
    assert win.end == D(2027, 1, 5)
    assert day_info(D(2026, 12, 31)).kind is DayKind.HOLIDAY
    assert not any(d.provisional for d in win.days) and win.findings == []
    assert day_info(D(2026, 12, 29)).provisional is False
    assert check_publicity(D(2026, 12, 22), D(2026, 12, 30)).provisional is None
    assert day_info(D(2027, 12, 29)).provisional is True  # now 2028 is the year not loaded
    srcs = calendar_status(D(2026, 12, 1)).sources[2026]
    assert any(s.number == "测试〔0000〕0号" for s in srcs)  # 2026's December now cites the 2027 notice


def test_case_results_carry_the_provisional_check(bureau):
    from test_rules_case import FCCA

    from toolkit.rules import assess_case

    def run(**kw):
        return assess_case(dataclasses.replace(FCCA, **kw), as_of=D(2026, 12, 1), list_version="1.0")

    computed = run(publicity_start=D(2026, 12, 23))
    codes = [f.code for f in computed.findings]
    assert "publicity_end_computed" in codes and "publicity_provisional_days" in codes
    assert computed.status == "eligible"  # a check to make, shown with the result, not a refusal
    checked = run(publicity_start=D(2026, 12, 22), publicity_end=D(2026, 12, 30))
    prov = [f for f in checked.findings if f.code == "publicity_provisional_days"]
    assert prov and prov[0].outcome is Outcome.CHECK
    early = run(publicity_start=D(2026, 11, 2))
    assert "publicity_provisional_days" not in [f.code for f in early.findings]


def test_batch_results_and_report_carry_the_provisional_check(bureau, tmp_path):
    from intake_helpers import write_book

    from toolkit import review_intake, write_results
    from toolkit.batch.report import rules_data_hash

    head = [
        "申请编号",
        "姓名",
        "人员类别",
        "境外职业资格证书",
        "平台核验",
        "最高学历学位",
        "单位性质",
        "公示开始日期",
    ]
    book = write_book(
        tmp_path / "in.xlsx",
        [
            head,
            ["A1", "张三", "外籍人员", "FCCA", "是", "硕士", "企业", "2026-12-23"],
            ["A2", "李四", "外籍人员", "FCCA", "是", "硕士", "企业", "2026-11-02"],
        ],
    )
    rev = review_intake(book, as_of=D(2026, 12, 1), list_version="1.0")
    late, early = rev.rows
    assert "publicity_provisional_days" in late.reason_codes
    assert any("2027年节假日安排尚未载入" in z for z in late.reasons_zh)
    assert "publicity_provisional_days" not in early.reason_codes
    paths = write_results(rev, tmp_path / "out")
    csv_text = paths["csv"].read_text(encoding="utf-8-sig")
    assert "publicity_provisional_days" in csv_text
    before = rules_data_hash()
    import_notice(SYNTHETIC, 2027, number="测试〔0000〕0号")
    assert rules_data_hash() != before  # the run manifest's data hash covers the bureau's imports


# --- the command -----------------------------------------------------------------------------------


def test_cli_import_prints_the_year_and_the_empty_difference(bureau, capsys):
    from toolkit.cli import main

    assert main(["calendar", "import", str(NOTICE_2026), "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "2026-02-14  星期六    上班 / make-up working day  春节" in out
    assert "与 holidays 对比 / against holidays: 无差异 / no difference" in out
    assert "与 chinesecalendar 对比 / against chinesecalendar: 无差异 / no difference" in out
    assert f"已写入 / Written: {bureau / 'calendar' / '2026.yaml'}" in out
    assert main(["publicity", "2026-12-24"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-29  四 Thu" not in out  # (a Tuesday: the weekday column is right)
    assert "待复核 / provisional" in out and "2027年节假日安排尚未载入" in out


def test_cli_import_error_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(NOTICE_2026.read_text(encoding="utf-8").replace("（周四）", "（周三）"), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "calendar", "import", str(bad), "--year", "2026"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "OQTK_BUREAU_DATA_DIR": str(tmp_path / "b"), "HOME": str(tmp_path)},
        check=False,
    )
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "“元旦”" in r.stderr and "周三" in r.stderr and not (tmp_path / "b").exists()


# --- the forms: the officer is told, in their words ----------------------------------------------


def _text(widget) -> str:
    import html as _html
    import re as _re

    return _html.unescape(_re.sub(r"<[^>]+>", " ", widget.value))


def test_publicity_form_marks_provisional_days_and_says_why():
    from toolkit.dashboards.publicity import PublicityForm

    f = PublicityForm()
    f.start.value = D(2026, 12, 23)
    f.start_button.click()
    assert 'class="oqtk-provisional"' in f.result.value  # next to the result, above the table
    assert "2027年节假日安排尚未载入" in _text(f.result)
    assert 'data-date="2026-12-29" data-counted="5" data-provisional="1"' in f.result.value
    assert 'data-date="2026-12-28" data-counted="4" data-provisional="0"' in f.result.value
    assert "待复核" in _text(f.result)
    f.lang = "en"
    assert "provisional: next year's notice is not loaded" in _text(f.result)


def test_publicity_form_names_the_administrators_command_when_a_year_is_missing():
    from toolkit.dashboards.publicity import PublicityForm

    f = PublicityForm()
    f.start.value = D(2026, 12, 28)
    f.start_button.click()
    msg = _text(f.message)
    assert "2027年的法定节假日安排尚未载入：进入2027年的公示期暂时无法计算" in msg
    assert "请联系系统管理员导入" in msg and "oqtk calendar import 通知文件 --year 2027" in msg
    assert "holidays" not in msg and "chinesecalendar" not in msg  # no library talk for the officer


def test_home_tells_the_officer_and_names_the_command(bureau):
    from toolkit.dashboards.home import HomeForm

    f = HomeForm(today=D(2026, 12, 1))
    msg = _text(f.warnings)
    assert "2027年的法定节假日安排尚未载入：结束日期进入2027年的公示期暂时无法计算" in msg
    assert "2026-12-29 及以后的日期待通知公布后复核" in msg
    assert "请联系系统管理员导入（一条命令：oqtk calendar import 通知文件 --year 2027）" in msg
    import_notice(SYNTHETIC, 2027, number="测试〔0000〕0号")
    policy.reload()
    f = HomeForm(today=D(2026, 12, 1))
    assert "2027年的法定节假日安排尚未载入" not in _text(f.warnings)
    assert "2027年：已载入" in _text(f.status)


def test_2019_with_its_labour_day_adjustment_reproduces_both_libraries(bureau, tmp_path):
    adj = NOTICES / "2019_labour_day_adjustment.txt"
    res = import_notice(NOTICES / "2019.txt", 2019, adjustments=[adj], dry_run=True)
    assert res.differences == {"holidays": [], "chinesecalendar": []}
    for lib, flags in _lib_working(2019).items():
        for i, f in enumerate(flags):
            d = D(2019, 1, 1) + dt.timedelta(days=i)
            x = res.days.get(d)
            assert ((x.kind == "makeup") if x else d.weekday() < 5) == bool(f), (lib, d)
    assert res.days[D(2019, 5, 4)].item == "劳动节" and res.adjustments[0]["published"] == "2019-03-22"
    written = import_notice(NOTICES / "2019.txt", 2019, adjustments=[adj])
    assert written.written
    policy.reload()
    titles = [s.title_zh for s in calendar_status(D(2019, 6, 1)).sources[2019]]
    assert "国务院办公厅关于调整2019年劳动节假期安排的通知" in titles
    assert publicity_window(D(2019, 4, 30), 5).end == D(2019, 5, 8)  # 4-30, 5-5 (a working Sunday), 5-6..8
    (bureau / "calendar" / "2019.yaml").unlink()
    policy.reload()
    # an adjustment for another year, or of a holiday the notice does not have, is refused
    other = tmp_path / "adj.txt"
    other.write_text(adj.read_text(encoding="utf-8").replace("调整2019年", "调整2020年"), encoding="utf-8")
    with pytest.raises(NoticeImportError, match="the adjustment is for 2020, not 2019"):
        import_notice(NOTICES / "2019.txt", 2019, adjustments=[other])
    other.write_text(adj.read_text(encoding="utf-8").replace("劳动节假期", "植树节假期"), encoding="utf-8")
    with pytest.raises(NoticeImportError, match="has no item '植树节'"):
        import_notice(NOTICES / "2019.txt", 2019, adjustments=[other])
    assert not list((bureau / "calendar").glob("*.yaml"))


def test_the_bureau_folder_is_never_inside_the_package(monkeypatch):
    from toolkit.exceptions import ToolkitError
    from toolkit.paths import bureau_data_dir

    for inside in (REPO_ROOT / "toolkit" / "data", REPO_ROOT / "data"):
        monkeypatch.setenv("OQTK_BUREAU_DATA_DIR", str(inside))
        policy.reload()
        with pytest.raises(ToolkitError, match="cannot be inside the package"):
            bureau_data_dir()
    monkeypatch.delenv("OQTK_BUREAU_DATA_DIR")
    monkeypatch.setenv("OQTK_HOME", "/tmp/some-home")
    policy.reload()
    assert bureau_data_dir() == Path("/tmp/some-home/data")  # the default: $OQTK_HOME/data


def test_an_unwritable_bureau_folder_is_a_clear_error(bureau, monkeypatch):
    # a folder that cannot be made (its parent is a file: fails for root too)
    bureau.parent.joinpath("a-file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("OQTK_BUREAU_DATA_DIR", str(bureau.parent / "a-file" / "data"))
    policy.reload()
    with pytest.raises(NoticeImportError, match="cannot write the bureau's data folder; nothing was written"):
        import_notice(NOTICE_2026, 2026)


def test_a_change_earlier_than_the_provisional_days_is_flagged(bureau, tmp_path):
    text = SYNTHETIC.read_text(encoding="utf-8").replace(
        "2027年1月9日（周六）上班", "2026年12月27日（周日）上班"
    )
    path = tmp_path / "early.txt"
    path.write_text(text, encoding="utf-8")
    res = import_notice(path, 2027, dry_run=True)
    assert res.days[D(2026, 12, 27)].kind == "makeup"
    assert any(
        "早于待复核起始日 2026-12-29" in n and "calendar_provisional_from.yaml" in n for n in res.notes
    )


def test_cli_status_names_the_bureau_folder_and_the_provisional_days(bureau, capsys):
    from toolkit.cli import main

    assert main(["calendar", "status", "--today", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert f"数据目录 / bureau data folder (imports): {bureau}" in out
    assert "待复核 / provisional: 2026-12-29 – 2026-12-31" in out
    import_notice(SYNTHETIC, 2027, number="测试〔0000〕0号")
    policy.reload()
    assert main(["calendar", "status", "--today", "2026-12-01"]) == 0
    out = capsys.readouterr().out
    assert "待复核 / provisional: 2027-12-29 – 2027-12-31" in out and "由 synthetic_2027.txt 导入" in out


def test_home_list_table_says_when_and_from_which_file_a_version_was_imported(bureau, tmp_path):
    from toolkit.dashboards.home import HomeForm
    from toolkit.rules.listimport import import_annex

    annex = tmp_path / "annex.csv"
    annex.write_text(
        "证书名称（中文）,证书名称（英文）,发证机构,类别\n示例,Example,Body,A\n", encoding="utf-8"
    )
    import_annex(annex, "3.0", partial=True)
    f = HomeForm(today=D(2026, 6, 1))
    assert "由 annex.csv 导入" in _text(f.status)
