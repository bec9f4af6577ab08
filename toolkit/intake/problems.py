"""The problems of a reviewed row, its status and its reasons.

A row's problems are its cells' (found by the schema), a row above the header read as an
applicant, an old word read with a note, an assessment that could not run, and the assessment's
"missing" findings (information still to give, a step still to take — platform verification, the
authority's recommendation …), each with the column it concerns and how to fix it. A workbook's
own problem — another sheet with an intake header, not reviewed — comes first.

Its status is the assessment's, raised to ``incomplete`` by a problem and to ``invalid`` by an
``invalid`` one (:func:`row_status`); its reasons say why, every row one at least
(:func:`row_reasons`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from ..findings import Finding, Outcome
from ..rules import CaseResult
from ..vocab import LEVELS
from .contract import COLUMN_BY_KEY
from .reader import IntakeSheet, OtherSheet
from .schema import Problem, display, message

__all__ = [
    "above_header_problem",
    "assessment_error_problem",
    "cell_problems",
    "finding_problems",
    "old_holder_word_note",
    "other_sheet_problem",
    "row_reasons",
    "row_status",
]

# assessment findings that ask for a cell: finding code → column key
_FINDING_COLUMN = {
    "qualification_missing": "qualifications",
    "qualification_ambiguous": "qualifications",
    "qualification_not_found_partial_list": "qualifications",
    "qualification_not_known_on_version": "qualifications",
    "certificate_not_verified": "verified",
    "holder_type_missing": "holder_type",
    "title_series_missing": "title_series",
    "shanghai_years_missing": "shanghai_years",
    "science_degree_missing": "science_or_engineering_degree",
    "authority_recommendation_missing": "recommended_by_authority",
    "previous_round_unknown": "previous_round",
    "publicity_calendar_not_covered": "publicity_start",
}
_FINDING_FIX = {
    "certificate_not_verified": (
        "在上海市境外职业资格证书核验平台完成证书核验，再将“平台核验”填为“是”",
        "Verify the certificate on the city's overseas-qualification verification platform, then set 平台核验 to 是",
    ),
    "authority_recommendation_missing": (
        "取得主管部门推荐后，将“主管部门推荐”填为“是”",
        "Obtain the supervising authority's recommendation, then set 主管部门推荐 to 是",
    ),
    "qualification_ambiguous": ("填写证书全称", "Give the certificate's full name"),
    "qualification_not_found_partial_list": (
        "对照清单附件核对证书名称；完整附件须由系统管理员导入（oqtk list import）",
        "Check the name against the List annex; the system administrator imports the full annex (oqtk list import)",
    ),
    "qualification_not_known_on_version": (
        "对照该版清单附件核对；附件须由系统管理员导入",
        "Check the annex of that version; the system administrator imports it",
    ),
    "publicity_too_short": (
        "按最早结束日期延长公示期，或重新公示不少于规定工作日，再更正公示结束日期",
        "Extend the publicity to the earliest valid end date (or publicise again), then correct the end date",
    ),
    "holder_type_missing": ("填写人员类别", "Fill in the holder type"),
    "title_series_missing": ("填写申报职称系列", "Fill in the title series"),
    "publicity_calendar_not_covered": (
        "人工核对公示期，或待系统管理员载入当年节假日安排后重新评估",
        "Check the publicity period by hand, or re-run once the system administrator loads the year's holiday schedule",
    ),
}


# columns giving the same fact two ways (a start date or a number of years)
_SAME_FACT = {
    "shanghai_years": {"shanghai_since"},
    "shanghai_since": {"shanghai_years"},
    "relevant_years": {"relevant_since"},
    "relevant_since": {"relevant_years"},
}


def finding_column(code: str) -> str:
    if code in _FINDING_COLUMN:
        return _FINDING_COLUMN[code]
    if code.endswith("_degree_missing"):
        return "degree"
    if code.endswith("_years_missing"):
        return "relevant_years"
    if code.startswith("publicity"):
        return "publicity_end"
    return ""


def _row_problem(sheet: IntakeSheet, row: int, code: str, *texts: str) -> Problem:
    """A problem of a whole row (no column): messages and fixes in zh and en, then the severity."""
    mz, me, fz, fe, severity = texts
    return Problem(sheet.sheet_name, row, "", "", f"{row}", "", code, mz, me, fz, fe, severity)


def above_header_problem(sheet: IntakeSheet, row: int) -> Problem:
    return _row_problem(
        sheet,
        row,
        "row_above_header",
        f"第{row}行在表头（第{sheet.header_row}行）之上，但看起来是一位申请人（有申请编号和姓名或证书）；已按申请人审核",
        f"Row {row} is above the header row ({sheet.header_row}) but looks like an applicant (an ID with a name "
        "or certificate): reviewed as one",
        "将此行移到表头下方；如不是申请人，删除此行",
        "Move the row below the header; if it is not an applicant, delete it",
        "incomplete",
    )


def other_sheet_problem(other: OtherSheet) -> Problem:
    zh, en = other.describe()
    return Problem(
        other.name,
        other.header_row,
        "",
        "",
        "",
        f"{other.rows}",
        "sheet_not_reviewed",
        zh,
        en,
        "每个工作簿只审核一张申报表：将这些行并入已审核的表，或另存为单独的工作簿提交",
        "One intake sheet is reviewed per workbook: move these rows into the reviewed sheet, or submit them "
        "as a workbook of their own",
        "incomplete",
    )


def cell_problems(
    sheet: IntakeSheet, parsed: pd.DataFrame, failures: list[tuple[int, str, str]]
) -> dict[int, list[Problem]]:
    cols: dict[str, dict[int, Any]] = {}

    def raw(r: int, c: str) -> Any:
        if c not in cols:
            cols[c] = dict(zip(sheet.frame.index.tolist(), sheet.frame[c].tolist(), strict=True))
        return cols[c][r]

    # rows sharing an ID, grouped by the ID as compared (NFKC: "A2" and "Ａ２" are the same)
    ids = dict(zip(parsed.index.tolist(), parsed["application_id"].tolist(), strict=True))
    dup_rows: dict[Any, list[int]] = defaultdict(list)
    for r, _c, code in failures:
        if code == "duplicate_id":
            dup_rows[ids[r]].append(r)
    order = {k: n for n, k in enumerate(COLUMN_BY_KEY)}
    out: dict[int, list[Problem]] = defaultdict(list)
    seen = set()
    for r, c, code in sorted(failures, key=lambda f: (f[0], order[f[1]])):
        if (r, c, code) in seen:
            continue
        seen.add((r, c, code))
        col = COLUMN_BY_KEY[c]
        value = display(raw(r, c))
        extra = {"rows": sorted(set(dup_rows[ids[r]]))} if code == "duplicate_id" else None
        mz, me, fz, fe, sev = message(code, col, value, extra)
        out[r].append(
            Problem(
                sheet.sheet_name,
                r,
                c,
                sheet.headers.get(c, col.zh),
                sheet.cell_ref(r, c),
                value,
                code,
                mz,
                me,
                fz,
                fe,
                sev,
            )
        )
    return out


def old_holder_word_note(sheet: IntakeSheet, row: int, value: Any) -> Problem:
    """A note (not a problem: the status is unchanged) that an old word was read as 内地（大陆）居民."""
    v = display(value)
    return Problem(
        sheet.sheet_name,
        row,
        "holder_type",
        sheet.headers.get("holder_type", COLUMN_BY_KEY["holder_type"].zh),
        sheet.cell_ref(row, "holder_type"),
        v,
        "holder_type_old_word",
        f"人员类别“{v}”已按“内地（大陆）居民”读取（港澳居民、台湾居民同为中国公民，旧用词会混淆）",
        f"Holder type “{v}” was read as 内地（大陆）居民 (mainland resident): Hong Kong, Macao and Taiwan "
        "residents are Chinese citizens too, so the old word was ambiguous",
        "今后请填写“内地（大陆）居民”",
        "Write 内地（大陆）居民 from now on",
        "note",
    )


def assessment_error_problem(sheet: IntakeSheet, row: int, exc: Exception) -> Problem:
    """The row's assessment raised (a policy value not in force on the date, say): this row is invalid."""
    return _row_problem(
        sheet,
        row,
        "assessment_error",
        f"无法评估此行：{exc}",
        f"This row cannot be assessed: {exc}",
        "核对此行数据；如问题在政策数据，请联系管理员",
        "Check the row; if the problem is in the policy data, tell the administrator",
        "invalid",
    )


def finding_problems(
    sheet: IntakeSheet, row: int, raw: dict[str, Any], result: CaseResult, already: list[Problem]
) -> list[Problem]:
    out = []
    flagged = {p.column for p in already}
    for f in result.all_findings():
        if (
            f.outcome is not Outcome.MISSING or f.code == "requested_level_pending"
        ):  # a consequence, not an item
            continue
        col = finding_column(f.code)
        if col and ({col} | _SAME_FACT.get(col, set())) & flagged:  # the cell's own problem says it already
            continue
        value = display(raw[col]) if col else ""
        fz, fe = _FINDING_FIX.get(
            f.code, ("补充或更正该项后重新提交", "Supply or correct this item and resubmit")
        )
        header = sheet.headers.get(col, COLUMN_BY_KEY[col].zh) if col else ""
        out.append(
            Problem(
                sheet.sheet_name,
                row,
                col,
                header,
                sheet.cell_ref(row, col) if col else f"{row}",
                value,
                f.code,
                f.zh,
                f.en,
                fz,
                fe,
                "incomplete",
            )
        )
    return out


def row_status(result: CaseResult | None, probs: list[Problem]) -> str:
    if result is None or any(p.severity == "invalid" for p in probs) or result.status == "invalid":
        return "invalid"
    if any(p.severity != "note" for p in probs) and result.status == "eligible":
        return "incomplete"
    return result.status


def row_reasons(result: CaseResult | None, probs: list[Problem]) -> list[tuple[str, str, str]]:
    """Reason code and text: the cell problems, then the findings that decide the status. Every
    row gets one: an eligible row says what it is eligible for (the title, else the certificate's
    place on the List), a refusal without a failed rule says what decided it."""
    out = [(p.code, p.message_zh, p.message_en) for p in probs if p.severity != "note"]
    if result is not None:
        codes = {p.code for p in probs}
        fs: list[Finding] = result.all_findings()
        key = [f for f in fs if f.outcome is Outcome.FAIL]
        # a publicity date the next year's holiday notice could still change (rules.publicity.provisional_finding)
        key += [f for f in fs if f.outcome is Outcome.CHECK and f.code.startswith("publicity")]
        out += [(f.code, f.zh, f.en) for f in key if f.code not in codes]
        t = result.title
        if result.status == "eligible" and t is not None and t.highest:
            lz = LEVELS[t.highest][0]
            out.append(
                (
                    "title_open",
                    f"可申报{t.title_zh or lz}（{lz}）",
                    f"May apply for {t.title_en or t.highest}",
                )
            )
        elif result.status == "eligible" and all(p.severity == "note" for p in probs):
            out += [(f.code, f.zh, f.en) for f in result.decisive]
        if not out:
            out += [(f.code, f.zh, f.en) for f in result.decisive if f.code not in codes]
    return out + [(p.code, p.message_zh, p.message_en) for p in probs if p.severity == "note"]
