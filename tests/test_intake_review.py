"""Reviewing intake sheets: every row accounted for, every problem collected, outputs safe."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from intake_helpers import HEADERS, formula_cells, sha256, write_book
from openpyxl import load_workbook

from toolkit import IntakeReview, review_intake, write_results
from toolkit.cli import main
from toolkit.intake import RESULT_COLUMNS
from toolkit.paths import examples_dir

AS_OF = dt.date(2025, 12, 31)
FULL = [
    "申请编号",
    "姓名",
    "人员类别",
    "上海户籍",
    "出生日期",
    "境外职业资格证书",
    "平台核验",
    "最高学历学位",
    "申报职称系列",
    "相关工作起始日期",
    "在沪工作起始日期",
    "单位性质",
    "主管部门推荐",
    "公示开始日期",
    "公示结束日期",
]
GOOD = [
    "A1",
    "张三",
    "外籍人员",
    "否",
    "1983-04-12",
    "FCCA",
    "是",
    "硕士",
    "会计",
    "2012-09-01",
    "2019-03-01",
    "企业",
    None,
    None,
    None,
]


def review(path, **kw) -> IntakeReview:
    return review_intake(path, as_of=AS_OF, list_version="1.0", **kw)


def row(**changes):
    r = dict(zip(FULL, GOOD, strict=True))
    r.update(changes)
    return [r[h] for h in FULL]


def codes(rv: IntakeReview, source_row: int) -> list[str]:
    return [p.code for p in rv.problems if p.row == source_row]


def test_clean_row_is_eligible_with_title_and_services(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row()]))
    (r,) = rv.to_frame().to_dict("records")
    assert r["status"] == "eligible"
    assert r["categories"] == "A;B;C"
    assert r["title_highest"] == "associate_senior" and r["title_name_zh"] == "高级会计师"
    assert "c_title_application" in r["services"]
    assert rv.problems == [] and rv.counts == {
        "eligible": 1,
        "not_eligible": 0,
        "incomplete": 0,
        "invalid": 0,
    }
    assert set(rv.timings) >= {"read", "validate", "assess"}


@pytest.mark.parametrize(
    "text",
    [
        dt.date(2025, 12, 1),
        45992,
        "45992",
        "2025-12-01",
        "2025/12/1",
        "2025.12.1",
        "2025年12月1日",
        "２０２５－１２－０１",
    ],
)
def test_every_date_form_is_read_and_publicity_end_computed(tmp_path, text):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(公示开始日期=text)]))
    r = rv.to_frame().iloc[0]
    assert r["publicity_start"] == "2025-12-01"
    assert r["publicity_end"] == "2025-12-05"
    assert rv.problems == []


@pytest.mark.parametrize("yes", ["是", "Y", "y", "yes", "TRUE", "true", "1", 1, True, "Ｙ"])
def test_yes_forms(tmp_path, yes):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(平台核验=yes)]))
    assert rv.rows[0].case.verified is True and rv.rows[0].status == "eligible"


@pytest.mark.parametrize("no", ["否", "N", "no", "false", "0", 0, False])
def test_no_forms_make_the_row_incomplete_with_verification_as_the_step(tmp_path, no):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(平台核验=no)]))
    r = rv.rows[0]
    assert r.case.verified is False and r.status == "incomplete"
    (p,) = rv.problems
    assert p.code == "certificate_not_verified" and p.column == "verified" and p.cell == "G2"
    assert "核验平台" in p.fix_zh and "verification platform" in p.fix_en


def test_public_institution_without_recommendation_is_incomplete(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(单位性质="事业单位", 主管部门推荐="否")]))
    assert rv.rows[0].status == "incomplete"
    assert codes(rv, 2) == ["authority_recommendation_missing"]
    assert rv.problems[0].column == "recommended_by_authority"


def test_all_problems_of_all_rows_are_collected(tmp_path):
    bad = row(
        人员类别="火星人",
        上海户籍="maybe",
        出生日期="1990-13-45",
        最高学历学位="中专",
        申报职称系列="园艺",
        单位性质="政府机关",
        公示开始日期="soon",
    )
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, bad, row(申请编号="A2", 平台核验="perhaps")]))
    assert codes(rv, 2) == [
        "bad_code",
        "bad_yes_no",
        "bad_date",
        "bad_code",
        "bad_code",
        "bad_code",
        "bad_date",
    ]
    assert [p.column for p in rv.problems if p.row == 2] == [
        "holder_type",
        "shanghai_hukou",
        "date_of_birth",
        "degree",
        "title_series",
        "employer_type",
        "publicity_start",
    ]
    assert "bad_yes_no" in codes(rv, 3)
    p = next(p for p in rv.problems if p.column == "holder_type")
    assert (p.sheet, p.row, p.cell, p.value) == ("申请人", 2, "C2", "火星人")
    assert p.message_zh and p.message_en and "外籍人员" in p.fix_zh and "foreign_national" in p.fix_en
    assert rv.rows[0].status in ("incomplete", "not_eligible") and rv.rows[0].status != "eligible"


def test_bad_cell_is_cleared_and_the_row_still_assessed(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(出生日期="not a date")]))
    r = rv.rows[0]
    assert r.case.date_of_birth is None and r.categories == ("A", "B", "C")
    assert r.status == "incomplete"  # would be eligible without the bad cell


def test_missing_required_cells_make_the_row_invalid(tmp_path):
    rv = review(
        write_book(tmp_path / "in.xlsx", [FULL, row(姓名=None), row(申请编号="A2", 境外职业资格证书=None)])
    )
    assert [r.status for r in rv.rows] == ["invalid", "invalid"]
    assert codes(rv, 2) == ["not_nullable"] and rv.problems[0].column == "full_name"
    assert "not_nullable" in codes(rv, 3)


def test_duplicate_ids_flag_every_row_and_keep_them_all(tmp_path):
    rows = [FULL, row(), row(姓名="李四"), row(申请编号="A2"), row(姓名="王五"), row(申请编号="Ａ２")]
    rv = review(write_book(tmp_path / "in.xlsx", rows))
    assert rv.rows_in == len(rv.rows) == 5
    assert [r.application_id for r in rv.rows] == ["A1", "A1", "A2", "A1", "Ａ２"]
    dup = [p for p in rv.problems if p.code == "duplicate_id"]
    assert sorted(p.row for p in dup) == [2, 3, 4, 5, 6]
    assert "2, 3, 5" in next(p for p in dup if p.row == 2).message_en
    assert "rows 4, 6" in next(p for p in dup if p.row == 6).message_en  # "A2" and "Ａ２" are the same ID
    assert all(r.status == "incomplete" for r in rv.rows)


def test_formula_cell_without_value_is_a_problem_for_that_cell(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(在沪工作起始日期="=TODAY()-400")]))
    (p,) = rv.problems
    assert (p.code, p.column, p.value, p.cell) == (
        "formula_without_value",
        "shanghai_since",
        "=TODAY()-400",
        "K2",
    )
    assert rv.rows[0].status == "incomplete"  # shanghai years now unknown


def test_excel_error_values_are_problems_for_their_cells(tmp_path):
    from openpyxl import load_workbook as load

    src = write_book(tmp_path / "in.xlsx", [FULL, row(出生日期="#N/A", 姓名="#REF!")])
    wb = load(src)
    wb.active["E2"].data_type = "e"
    wb.active["B2"].data_type = "e"
    wb.save(src)
    rv = review(src)
    assert [(p.code, p.column, p.value) for p in rv.problems] == [
        ("excel_error", "full_name", "#REF!"),
        ("excel_error", "date_of_birth", "#N/A"),
    ]
    assert rv.rows[0].status == "invalid"  # the name is required


def test_example_row_of_the_template_is_not_an_applicant(tmp_path):
    from toolkit.intake.template import make_template

    rv = review(make_template(tmp_path / "t.xlsx"))
    assert rv.rows_in == 1 and rv.rows[0].status == "invalid" and codes(rv, 2) == ["example_row"]


def test_round_id_is_passed_to_the_assessment(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row()]), round_id="2025-r3")
    assert rv.round_id == "2025-r3"
    assert any(f.code == "round_applied" for f in rv.rows[0].result.title.findings)


# --- the example sheets -----------------------------------------------------------------------


def _check_accounting(path, rv: IntakeReview, out) -> None:
    from toolkit.intake import read_intake

    sheet = read_intake(path)
    assert rv.rows_in == sheet.rows_in == len(rv.rows) == len(rv.to_frame())
    assert [r.source_row for r in rv.rows] == sheet.frame.index.tolist()
    ids = [i for i in sheet.frame["application_id"].tolist() if i is not None]
    assert sorted(ids) == sorted(r.application_id for r in rv.rows if r.application_id)
    with open(out["csv"], encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f))
    assert len(lines) == rv.rows_in
    assert sorted(x["application_id"] for x in lines if x["application_id"]) == sorted(str(i) for i in ids)


def test_clean_example(tmp_path):
    path = examples_dir() / "intake_clean.xlsx"
    before = sha256(path)
    rv = review(path)
    out = write_results(rv, tmp_path)
    assert sha256(path) == before == rv.sha256
    assert rv.counts == {"eligible": 4, "not_eligible": 2, "incomplete": 2, "invalid": 0}
    _check_accounting(path, rv, out)


def test_messy_example_every_kind_of_mess(tmp_path):
    path = examples_dir() / "intake_messy.xlsx"
    before = sha256(path)
    rv = review(path)
    out = write_results(rv, tmp_path)
    assert sha256(path) == before == rv.sha256
    assert (rv.sheet_name, rv.header_row, rv.rows_in) == ("申报数据", 4, 8)  # second sheet, below title rows
    assert [r.source_row for r in rv.rows] == [5, 6, 8, 9, 10, 11, 13, 14]  # blank rows 7 and 12 skipped
    _check_accounting(path, rv, out)
    by = {r.source_row: r for r in rv.rows}
    assert by[5].case.relevant_since == dt.date(2012, 9, 1) and by[5].case.publicity_start == dt.date(
        2025, 12, 1
    )
    assert by[6].case.date_of_birth == dt.date(1980, 7, 7) and by[6].case.publicity_start == dt.date(
        2025, 12, 9
    )
    assert by[6].case.qualifications == ("IET Fellow",) and by[6].case.verified is True  # full-width
    assert by[8].case.date_of_birth == dt.date(2023, 3, 15)  # serial number typed as text
    assert by[8].full_name == '=HYPERLINK("http://example.com","Test Person")'
    assert by[9].case.qualifications == ("CGMA持证人(资深会员)", "ACM Fellow")  # NFKC
    assert by[10].case.employer_type == "public_institution"  # merged with the cell above
    all_codes = {p.code for p in rv.problems}
    assert {
        "duplicate_id",
        "formula_without_value",
        "bad_code",
        "bad_yes_no",
        "bad_date",
        "bad_years",
        "qualification_not_found_partial_list",
        "not_nullable",
        "certificate_not_verified",
        "authority_recommendation_missing",
        "publicity_too_short",
    } <= all_codes
    assert by[13].status == "invalid"
    # outputs: no formula anywhere; formula-looking texts come back as the same text
    assert formula_cells(out["xlsx"]) == []
    wb = load_workbook(out["xlsx"])
    res_values = {c.value for r in wb["结果 Results"].iter_rows() for c in r}
    assert '=HYPERLINK("http://example.com","Test Person")' in res_values
    prob_values = {c.value for r in wb["待补正 Problems"].iter_rows() for c in r}
    assert '=DATEDIF(L9,TODAY(),"Y")' in prob_values
    assert "备注 Notes" in rv.to_frame().columns  # pass-through column kept


# --- outputs ----------------------------------------------------------------------------------


def test_results_files_no_formula_and_formula_looking_text_kept(tmp_path):
    name = '=HYPERLINK("http://evil.example","click")'
    rows = [[*FULL, "备注"], [*row(姓名=name), "+cmd|' /C calc'!A0"], [*row(申请编号="-2"), "@SUM(1)"]]
    src = write_book(tmp_path / "in.xlsx", rows, text_cells=((2, 2), (2, 16)))
    before = sha256(src)
    rv = review(src)
    out = write_results(rv, tmp_path / "out")
    assert sha256(src) == before
    assert set(out) == {"xlsx", "csv"} and out.seconds > 0 and rv.timings["write"] == out.seconds
    assert formula_cells(out["xlsx"]) == []
    wb = load_workbook(out["xlsx"])
    assert wb.sheetnames == ["结果 Results", "待补正 Problems", "汇总 Summary", "代码 Codes"]
    res = wb["结果 Results"]
    assert res.freeze_panes == "A2"
    values = [c.value for r in res.iter_rows() for c in r]
    assert name in values and "+cmd|' /C calc'!A0" in values and "@SUM(1)" in values
    header = [c.value for c in res[1]]
    assert header[:5] == ["原表行号", "申请编号", "姓名", "状态", "原因"]  # the decision first
    status_cell = res.cell(row=2, column=4)
    assert status_cell.value == "符合条件" and status_cell.fill.fgColor.rgb.endswith("C6EFCE")
    codes = wb["代码 Codes"]
    assert [c.value for c in codes[1]][:3] == ["原表行号", "状态代码", "原因代码"]
    assert codes.cell(row=2, column=2).value == "eligible" and codes.cell(row=2, column=1).value == 2
    raw = out["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out["csv"], encoding="utf-8-sig", newline="") as f:
        lines = list(csv.DictReader(f))
    assert list(lines[0])[: len(RESULT_COLUMNS)] == list(RESULT_COLUMNS)
    for key in (
        "application_id",
        "status",
        "reason_codes",
        "reasons_zh",
        "reasons_en",
        "categories",
        "services",
        "title_highest",
        "title_eligible",
        "title_name_zh",
        "eligible_from",
        "publicity_end",
        "source_row",
    ):
        assert key in lines[0]
    assert lines[0]["full_name"] == "'" + name  # documented CSV-injection guard
    assert lines[0]["备注"] == "'+cmd|' /C calc'!A0" and lines[1]["备注"] == "'@SUM(1)"
    assert lines[1]["application_id"] == "'-2"
    assert [x["source_row"] for x in lines] == ["2", "3"]
    assert not list(tmp_path.joinpath("out").glob("*.tmp"))  # atomic: no temporary left behind


def test_write_results_refuses_to_overwrite_the_input(tmp_path):
    from toolkit import IntakeError

    src = write_book(tmp_path / "results.xlsx", [FULL, row()])
    before = sha256(src)
    with pytest.raises(IntakeError, match="overwrite"):
        write_results(review(src), tmp_path)
    assert sha256(src) == before


def test_extra_columns_never_shadow_result_columns(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [[*FULL, "status", "备注"], [*row(), "mine", "note"]]))
    r = rv.to_frame().iloc[0]
    assert r["status"] == "eligible" and r["status_"] == "mine" and r["备注"] == "note"


def test_frames(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(平台核验="?")]))
    pf = rv.problems_frame()
    assert list(pf.columns)[:6] == ["sheet", "row", "cell", "column", "header", "value"]
    assert {"message_zh", "message_en", "fix_zh", "fix_en", "code"} <= set(pf.columns)
    assert rv.to_frame().shape[0] == 1


def test_cli_review_prints_counts_and_problems_and_writes(tmp_path, capsys):
    import json

    src = write_book(tmp_path / "in.xlsx", [FULL, row(), row(申请编号="A2", 平台核验="否")])
    assert (
        main(
            [
                "review",
                str(src),
                "--as-of",
                "2025-12-31",
                "--list-version",
                "1.0",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "eligible: 1" in text and "incomplete: 1" in text and "certificate_not_verified" in text
    assert (tmp_path / "o" / "results.xlsx").exists() and (tmp_path / "o" / "results.csv").exists()
    assert main(["review", str(src), "--as-of", "2025-12-31", "--list-version", "1.0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["incomplete"] == 1 and data["problems"][0]["code"] == "certificate_not_verified"


def test_cli_bad_list_version_is_a_clear_error(tmp_path, capsys):
    src = write_book(tmp_path / "in.xlsx", [FULL, row()])
    assert main(["review", str(src), "--list-version", "9.9"]) == 2
    err = capsys.readouterr().err
    assert "9.9" in err and "Traceback" not in err


def test_header_only_sheet_reviews_to_nothing(tmp_path):
    rv = review(write_book(tmp_path / "in.xlsx", [HEADERS]))
    assert rv.rows_in == 0 and rv.rows == [] and rv.counts == dict.fromkeys(rv.counts, 0)
    out = write_results(rv, tmp_path / "o")
    assert formula_cells(out["xlsx"]) == []


def test_xlsx_writer_types_and_text(tmp_path):
    from toolkit.intake.xlsxwrite import Sheet, write_xlsx

    rows = [
        ("a", "b", "c", "d", "e"),
        ("=1+1", 3, 2.5, True, "x\x07y & <z>\nline"),
        (None, "", float("nan"), -1, "@A1"),
    ]
    write_xlsx(tmp_path / "t.xlsx", [Sheet("表 1", rows, widths=[10, 10, 10, 10, 10])])
    assert formula_cells(tmp_path / "t.xlsx") == []
    ws = load_workbook(tmp_path / "t.xlsx")["表 1"]
    assert [c.value for c in ws[2]] == ["=1+1", 3, 2.5, True, "xy & <z>\nline"]
    assert [c.value for c in ws[3]] == [None, None, None, -1, "@A1"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E3"


def test_serial_60_is_refused_as_excels_phantom_leap_day_never_moved(tmp_path):
    """Issue 16, item 7: Excel shows serial 60 as 1900-02-29, which never existed; calamine reads
    it as 1900-02-28 (like serial 59). It is a bad_date saying why, as a date cell or a number."""
    import openpyxl

    from toolkit.intake import review_intake

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["申请编号", "姓名", "境外职业资格证书", "出生日期"])
    for i, serial in enumerate([60, 59, 61], start=1):
        ws.append([f"A-{i}", f"甲{i}", "FCCA", serial])
        ws.cell(row=i + 1, column=4).number_format = "yyyy-mm-dd"
    ws.append(["A-4", "甲4", "FCCA", 60])  # a plain number in a date column
    ws.append(["A-5", "甲5", "FCCA", "60"])  # the shared string "60"
    src = tmp_path / "s60.xlsx"
    wb.save(src)
    review = review_intake(src, as_of="2025-12-31", list_version="1.0")
    probs = {(p.row, p.code): p for p in review.problems if p.column == "date_of_birth"}
    phantom = probs[(2, "bad_date")]
    assert phantom.value == "1900-02-29"
    assert "1900-02-29" in phantom.message_zh and "闰年" in phantom.message_zh
    assert "leap year" in phantom.message_en and "never existed" in phantom.message_en
    assert (5, "bad_date") in probs and "leap year" in probs[(5, "bad_date")].message_en
    assert probs[(6, "bad_date")].value == "60"  # text "60" is not a date either (as before)
    assert (3, "bad_date") not in probs and (4, "bad_date") not in probs  # serials 59 and 61: real days
    rows = {r.source_row: r for r in review.rows}
    assert rows[2].case.date_of_birth is None  # cleared, not moved to 1900-02-28 or 03-01
    assert rows[3].case.date_of_birth is not None and str(rows[3].case.date_of_birth) == "1900-02-28"
    assert str(rows[4].case.date_of_birth) == "1900-03-01"


def test_basic_requirement_columns_are_optional_and_reach_the_assessment(tmp_path):
    """The officer's ticks on the basic requirements are optional intake columns, one per item of
    data/policy/basic_requirements.yaml; a "否" refuses, blanks are left to check."""
    from toolkit.intake.contract import BASIC_REQUIREMENT_COLUMNS
    from toolkit.rules import basic_requirements

    assert sorted(BASIC_REQUIREMENT_COLUMNS.values()) == sorted(r.code for r in basic_requirements())
    headers = [
        *FULL,
        "基本条件：遵守宪法法律",
        "Basic: professional ethics",
        "基本条件：履职能力",
        "基本条件：境外相关经历",
    ]
    rows = [headers, [*row(), "是", "是", "是", "是"], [*row(申请编号="A2"), "是", "否", None, "是"]]
    rv = review(write_book(tmp_path / "in.xlsx", rows))
    first, second = rv.rows
    assert dict(first.case.basic_requirements) == {
        "law": True,
        "ethics": True,
        "competence": True,
        "overseas_experience": True,
    }
    assert first.status == "eligible"
    assert any(f.code == "basic_requirements_confirmed" for f in first.result.all_findings())
    assert second.status == "not_eligible" and "basic_ethics_not_met" in second.reason_codes
    # a sheet without the columns reads as before: the items are left for the officer to check
    plain = review(write_book(tmp_path / "plain.xlsx", [FULL, row()])).rows[0]
    assert plain.status == "eligible" and plain.case.basic_requirements == ()
    assert any(f.code == "basic_requirements_to_check" for f in plain.result.all_findings())


def test_every_row_of_the_messy_example_has_a_reason_and_fixable_rows_are_incomplete():
    rv = review(examples_dir() / "intake_messy.xlsx")
    for r in rv.rows:
        assert r.reasons_zh and r.reasons_en and r.reason_codes, (r.source_row, r.status)
    eligible = [r for r in rv.rows if r.status == "eligible"]
    assert eligible and all(r.reason_codes for r in eligible)
    # a public-institution applicant whose only gap is the recommendation: incomplete, with the step
    pending = [r for r in rv.rows if "authority_recommendation_missing" in r.reason_codes]
    assert pending and all(r.status == "incomplete" for r in pending), [
        (r.application_id, r.status) for r in pending
    ]


def test_results_workbook_speaks_the_officers_words_and_keeps_codes_apart(tmp_path):
    """The messy example's first sheet shows no machine code; dates are dates, numbers numbers."""
    import re

    from toolkit.intake.columns import OFFICER_COLUMNS

    rv = review(examples_dir() / "intake_messy.xlsx")
    codes = {c for r in rv.rows for c in (*r.reason_codes, r.status, *r.categories)}
    codes |= {s.code for r in rv.rows if r.result for s in r.result.services}
    codes |= {r.title.series for r in rv.rows if r.title} | {"associate_senior", "publicity_end_computed"}
    codes -= {"A", "B", "C", "D"}  # a category letter is the officer's word too ("A类")
    for lang in ("zh", "en"):
        out = write_results(rv, tmp_path / lang, lang=lang)
        wb = load_workbook(out["xlsx"])
        res = wb["结果 Results"]
        rows = list(res.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(rv.rows)
        texts = [v for row in rows for v in row if isinstance(v, str)]
        for text in texts:
            for token in re.split(r"[;；\s,，:：()（）]+", text):
                assert token not in codes, (lang, token, text)
        reasons = OFFICER_COLUMNS.index("reasons")
        assert all(row[reasons] for row in rows)  # every row says why
        src = OFFICER_COLUMNS.index("source_row")
        assert all(isinstance(row[src], int) for row in rows)
        as_of = OFFICER_COLUMNS.index("as_of")
        assert all(isinstance(row[as_of], dt.datetime) and row[as_of].date() == AS_OF for row in rows)
        assert res.cell(row=2, column=as_of + 1).number_format == "yyyy-mm-dd"
        # results.csv keeps the machine codes
        with open(out["csv"], encoding="utf-8-sig", newline="") as f:
            lines = list(csv.DictReader(f))
        assert {x["status"] for x in lines} <= {"eligible", "not_eligible", "incomplete", "invalid"}


@pytest.mark.parametrize("old", ["中国公民", "Chinese citizen", "chinese_citizen"])
def test_the_old_holder_word_is_read_as_mainland_resident_with_a_note(tmp_path, old):
    rv = review(write_book(tmp_path / "in.xlsx", [FULL, row(人员类别=old)]))
    (r,) = rv.rows
    assert r.case.holder_type == "mainland_resident"
    assert r.status == "eligible"  # a note, not a problem: the status is unchanged
    note = next(p for p in r.problems if p.code == "holder_type_old_word")
    assert note.severity == "note" and "内地（大陆）居民" in note.message_zh and note.cell == "C2"
    assert r.reason_codes[-1] == "holder_type_old_word" and r.reason_codes[0] != "holder_type_old_word"
    new = review(write_book(tmp_path / "new.xlsx", [FULL, row(人员类别="内地（大陆）居民")])).rows[0]
    assert new.case.holder_type == "mainland_resident" and new.problems == []
