"""Review an intake sheet: every non-blank row → one assessed row, with every problem listed.

Row status:

- ``invalid``: a required field (application ID, name, certificate) is missing or unusable, the
  row is the template's example, or the assessment could not run;
- otherwise the status of :func:`toolkit.rules.assess_case` on the row's valid cells, raised to
  at least ``incomplete`` when a cell has a problem (a wrong code, an unreadable date, a
  duplicated ID …) — a bad cell is cleared, not guessed.

A workbook holds one intake sheet: the visible sheet with the best intake header is reviewed.
Every other sheet that also carries an intake header — visible, hidden or very hidden — is
reported by name with its row count (a ``sheet_not_reviewed`` problem, first in the list; the
summary, the report and the CLI name it too) and its rows count in ``rows_in``, so
``rows_in > rows_out`` shows that rows were left out. Reviewing them as well could count an
applicant twice (a copy, last round's sheet kept hidden); the officer decides. A row above the
header that looks like an applicant (an ID with a name or a certificate) is reviewed as one, with
a ``row_above_header`` problem.

Problems are the cell problems found by the schema plus the assessment's "missing" findings
(information still to give, a step still to take — platform verification, the authority's
recommendation …), each with the column it concerns and how to fix it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import ToolkitError
from ..findings import Finding, Outcome
from ..rules import CaseInput, CaseResult, assess_case, get_version, title_series
from ..vocab import CATEGORIES, LEVELS, STATUSES, label, superseded_holder_word
from .contract import BASIC_REQUIREMENT_COLUMNS, COLUMN_BY_KEY, DISPLAY_COLUMNS, RESULT_COLUMNS
from .reader import IntakeSheet, OtherSheet, read_intake
from .schema import Problem, display, message, validate_frame

__all__ = ["PROBLEM_COLUMNS", "RESULT_COLUMNS", "IntakeReview", "ReviewedRow", "review_intake"]

STATUS_ORDER = ("eligible", "not_eligible", "incomplete", "invalid")


PROBLEM_COLUMNS: tuple[str, ...] = (
    "sheet",
    "row",
    "cell",
    "column",
    "header",
    "value",
    "code",
    "severity",
    "message_zh",
    "message_en",
    "fix_zh",
    "fix_en",
)

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


def _finding_column(code: str) -> str:
    if code in _FINDING_COLUMN:
        return _FINDING_COLUMN[code]
    if code.endswith("_degree_missing"):
        return "degree"
    if code.endswith("_years_missing"):
        return "relevant_years"
    if code.startswith("publicity"):
        return "publicity_end"
    return ""


@dataclass
class ReviewedRow:
    """One input row, assessed."""

    source_row: int
    application_id: str | None
    full_name: str | None
    status: str
    case: CaseInput
    result: CaseResult | None
    problems: list[Problem]
    reason_codes: list[str]
    reasons_zh: list[str]
    reasons_en: list[str]
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def problem_count(self) -> int:
        """Items to fix (notes, which leave the status as it is, are not counted)."""
        return sum(p.severity != "note" for p in self.problems)

    @property
    def categories(self) -> tuple[str, ...]:
        return self.result.categories if self.result else ()

    @property
    def title(self) -> Any:
        return self.result.title if self.result else None

    @property
    def publicity_end(self) -> str | None:
        p = self.result.publicity if self.result else None
        return p.get("end") if p else None

    def to_row(self, as_of: str, list_version: str) -> tuple[Any, ...]:
        """This row of the results table: the values of :data:`RESULT_COLUMNS` in that order,
        then the extra columns' (as displayed)."""
        t = self.title
        res = self.result
        case = self.case
        eligible_from = ""
        if t is not None and t.eligible_from:
            want = t.requested if t.requested in t.eligible_from else None
            eligible_from = (t.eligible_from[want] if want else min(t.eligible_from.values())).isoformat()
        pub = res.publicity if res else None
        pub_check = ""
        if res:
            pf = next((f for f in res.findings if f.code.startswith("publicity")), None)
            pub_check = pf.code if pf else ""
        status_zh, status_en = STATUSES[self.status]
        return (
            self.source_row,  # source_row
            self.application_id or "",  # application_id
            self.full_name or "",  # full_name
            self.status,  # status
            status_zh,  # status_zh
            status_en,  # status_en
            ";".join(self.reason_codes),  # reason_codes
            "；".join(self.reasons_zh),  # reasons_zh
            "; ".join(self.reasons_en),  # reasons_en
            self.problem_count,  # problem_count
            ";".join(self.categories),  # categories
            ";".join(s.code for s in res.services) if res else "",  # services
            (t.series or "") if t else (case.title_series or ""),  # title_series
            case.title_level or "",  # title_requested
            (t.highest or "") if t else "",  # title_highest
            ";".join(t.eligible) if t else "",  # title_eligible
            (t.title_zh or "") if t else "",  # title_name_zh
            (t.title_en or "") if t else "",  # title_name_en
            eligible_from,  # eligible_from
            case.publicity_start.isoformat() if case.publicity_start else "",  # publicity_start
            (pub or {}).get("end") or "",  # publicity_end
            pub_check,  # publicity_check
            list_version,  # list_version
            as_of,  # as_of
            *(display(v) for v in self.extras.values()),
        )

    def display_row(self, lang: str, as_of: dt.date, list_version: str) -> tuple[Any, ...]:
        """This row of results.xlsx's first sheet (:data:`DISPLAY_COLUMNS`, then the extra
        columns): words in ``lang`` instead of codes, dates as dates, numbers as numbers."""
        t = self.title
        res = self.result
        case = self.case
        zh = lang == "zh"
        eligible_from = None
        if t is not None and t.eligible_from:
            want = t.requested if t.requested in t.eligible_from else None
            eligible_from = t.eligible_from[want] if want else min(t.eligible_from.values())
        pub = (res.publicity if res else None) or {}
        pf = next((f for f in res.findings if f.code.startswith("publicity")), None) if res else None
        series_code = (t.series if t else case.title_series) or ""
        series = title_series().get(series_code)
        series_name = (series.name_zh if zh else series.name_en) if series else series_code
        sep = "；" if zh else "; "
        return (
            self.source_row,
            self.application_id or "",
            self.full_name or "",
            STATUSES[self.status][0 if zh else 1],
            sep.join(self.reasons_zh if zh else self.reasons_en),
            self.problem_count,
            label(t.highest, LEVELS, lang) if t and t.highest else "",
            ((t.title_zh if zh else t.title_en) or "") if t else "",
            eligible_from,
            series_name,
            label(case.title_level, LEVELS, lang) if case.title_level else "",
            sep.join(label(x, LEVELS, lang) for x in t.eligible) if t else "",
            sep.join(label(c, CATEGORIES, lang) for c in self.categories),
            case.publicity_start,
            _date_or_none(pub.get("end")),
            (pf.zh if zh else pf.en) if pf else "",
            _services_text(res.services, lang) if res else "",
            list_version,
            as_of,
            *(display(v) for v in self.extras.values()),
        )

    def code_row(self) -> tuple[Any, ...]:
        """This row of results.xlsx's codes sheet (:data:`CODE_COLUMNS`)."""
        t = self.title
        return (
            self.source_row,
            self.status,
            ";".join(self.reason_codes),
            ";".join(self.categories),
            (t.series or "") if t else (self.case.title_series or ""),
            (t.highest or "") if t else "",
        )


def _date_or_none(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) and v else None


@lru_cache(maxsize=1024)
def _services_text(services: tuple[Any, ...], lang: str) -> str:
    """The services in words, one a line ("A: …"), memoised: a sheet shares a few combinations."""
    return "\n".join(f"{s.category}类：{s.zh}" if lang == "zh" else f"{s.category}: {s.en}" for s in services)


@dataclass
class IntakeReview:
    """The review of one intake sheet (see the module docstring)."""

    path: Path
    sha256: str
    sheet_name: str
    header_row: int
    rows_in: int
    rows: list[ReviewedRow]
    problems: list[Problem]
    counts: dict[str, int]
    as_of: dt.date
    list_version: str
    round_id: str | None
    timings: dict[str, float]
    headers: dict[str, str]
    extras: list[str]
    list_partial_zh: str | None = None
    list_partial_en: str | None = None
    other_sheets: list[OtherSheet] = field(default_factory=list)  # also with a header, not reviewed

    @property
    def result_columns(self) -> list[str]:
        return [*RESULT_COLUMNS, *self.extras]

    def result_rows(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        """The results table as tuples in :attr:`result_columns` order (the first ``limit`` rows)."""
        as_of = self.as_of.isoformat()
        return [r.to_row(as_of, self.list_version) for r in self.rows[:limit]]

    def display_rows(self, lang: str = "zh", limit: int | None = None) -> list[tuple[Any, ...]]:
        """results.xlsx's first sheet as tuples (:attr:`display_columns` order), in ``lang``."""
        return [r.display_row(lang, self.as_of, self.list_version) for r in self.rows[:limit]]

    @property
    def display_columns(self) -> list[str]:
        return [*DISPLAY_COLUMNS, *self.extras]

    def code_rows(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        """results.xlsx's codes sheet as tuples (:data:`CODE_COLUMNS` order)."""
        return [r.code_row() for r in self.rows[:limit]]

    def problem_rows(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        return [tuple(getattr(p, c) for c in PROBLEM_COLUMNS) for p in self.problems[:limit]]

    def to_frame(self, limit: int | None = None) -> pd.DataFrame:
        """The results table (= results.csv): one line per input row, canonical keys as headers.

        ``limit`` builds only the first rows (a report showing a few rows of 100k need not build all).
        """
        return pd.DataFrame(self.result_rows(limit), columns=self.result_columns)

    def problems_frame(self, limit: int | None = None) -> pd.DataFrame:
        """Every problem (or the first ``limit``): sheet, row, cell, column, header, value, code,
        severity, messages and fixes."""
        return pd.DataFrame(self.problem_rows(limit), columns=list(PROBLEM_COLUMNS))

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "sheet": self.sheet_name,
            "header_row": self.header_row,
            "rows_in": self.rows_in,
            "rows_out": len(self.rows),
            "counts": dict(self.counts),
            "problems": len(self.problems),
            "as_of": self.as_of.isoformat(),
            "list_version": self.list_version,
            "round_id": self.round_id,
            "list_partial_zh": self.list_partial_zh,
            "list_partial_en": self.list_partial_en,
            "sheets_not_reviewed": [o.to_dict() for o in self.other_sheets],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a batch of short-lived allocations.

    Reviewing 100k rows allocates millions of small objects that live until the end; the
    collector would rescan them again and again (read, validate and assess ran 2–3× slower).
    Reference counting still frees everything; the collector runs again afterwards.

    On the way out, the objects allocated meanwhile are moved straight to the oldest
    generation (``gc.freeze()`` then ``gc.unfreeze()``, both constant-time list splices):
    re-enabling alone would make the next young collection traverse every one of them
    (0.1–0.4 s at 10k rows, seconds at 100k). Nothing stays frozen: the next full
    collection still examines them, so reference cycles are still freed.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _yn(v: Any) -> bool | None:
    return None if v is None else v == "yes"


def _case(rec: dict[str, Any], round_id: str | None) -> CaseInput:
    return CaseInput(
        application_id=rec["application_id"] if isinstance(rec["application_id"], str) else None,
        full_name=rec["full_name"] if isinstance(rec["full_name"], str) else None,
        holder_type=rec["holder_type"],
        shanghai_hukou=_yn(rec["shanghai_hukou"]),
        date_of_birth=rec["date_of_birth"],
        qualifications=rec["qualifications"] if isinstance(rec["qualifications"], tuple) else (),
        certificate_numbers=rec["certificate_numbers"]
        if isinstance(rec["certificate_numbers"], tuple)
        else (),
        verified=_yn(rec["verified"]),
        degree=rec["degree"],
        science_or_engineering_degree=_yn(rec["science_or_engineering_degree"]),
        title_series=rec["title_series"],
        title_level=rec["title_level"],
        relevant_since=rec["relevant_since"],
        relevant_years=rec["relevant_years"],
        shanghai_since=rec["shanghai_since"],
        shanghai_years=rec["shanghai_years"],
        employer=rec["employer"],
        employer_type=rec["employer_type"],
        recommended_by_authority=_yn(rec["recommended_by_authority"]),
        previous_round=_yn(rec["previous_round"]),
        publicity_start=rec["publicity_start"],
        publicity_end=rec["publicity_end"],
        round_id=round_id,
        basic_requirements=tuple(
            (code, _yn(rec[key]))
            for key, code in BASIC_REQUIREMENT_COLUMNS.items()
            if rec.get(key) is not None
        ),
    )


def review_intake(
    path: str | Path,
    as_of: dt.date | str | None = None,
    list_version: str | None = None,
    round_id: str | None = None,
) -> IntakeReview:
    """Read, validate and assess every non-blank row of an intake sheet (the file is not modified).

    Raises :class:`~toolkit.exceptions.IntakeError` when the file cannot be read as an intake
    sheet; problems in rows are reported in the review, never raised.
    """
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise ToolkitError(
                f"as_of 须为 YYYY-MM-DD 日期 / as_of must be a YYYY-MM-DD date, got {as_of!r}"
            ) from None
    as_of = as_of or dt.date.today()
    version = get_version(list_version, as_of)  # unknown version → a clear ToolkitError up front
    timings: dict[str, float] = {}

    with paused_gc():
        return _review(path, as_of, version.version, version, round_id, timings)


def _review(
    path: str | Path,
    as_of: dt.date,
    vname: str,
    version: Any,
    round_id: str | None,
    timings: dict[str, float],
) -> IntakeReview:
    sheet = read_intake(path)
    timings["read"] = sheet.seconds

    t0 = time.perf_counter()
    parsed, failures = validate_frame(sheet.frame)
    problems_by_row = _cell_problems(sheet, parsed, failures)
    for r in sheet.above_header:  # read as an applicant, but where a title belongs: say so
        problems_by_row.setdefault(r, []).insert(0, _above_header_problem(sheet, r))
    timings["validate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rows = _assess_rows(sheet, parsed, problems_by_row, as_of, vname, round_id)
    timings["assess"] = time.perf_counter() - t0

    # the workbook's own problems first (other sheets not reviewed), then each row's
    problems = [
        *(_other_sheet_problem(o) for o in sheet.other_sheets),
        *(p for r in rows for p in r.problems),
    ]
    counts = {s: 0 for s in STATUS_ORDER}
    counts.update(Counter(r.status for r in rows))
    return IntakeReview(
        path=sheet.path,
        sha256=sheet.sha256,
        sheet_name=sheet.sheet_name,
        header_row=sheet.header_row,
        rows_in=sheet.rows_in,
        rows=rows,
        problems=problems,
        counts=counts,
        as_of=as_of,
        list_version=version.version,
        round_id=round_id,
        timings=timings,
        headers=sheet.headers,
        extras=sheet.extras,
        list_partial_zh=version.partial_notice("zh"),
        list_partial_en=version.partial_notice("en"),
        other_sheets=list(sheet.other_sheets),
    )


def _above_header_problem(sheet: IntakeSheet, row: int) -> Problem:
    return Problem(
        sheet.sheet_name,
        row,
        "",
        "",
        f"{row}",
        "",
        "row_above_header",
        f"第{row}行在表头（第{sheet.header_row}行）之上，但看起来是一位申请人（有申请编号和姓名或证书）；已按申请人审核",
        f"Row {row} is above the header row ({sheet.header_row}) but looks like an applicant (an ID with a name "
        "or certificate): reviewed as one",
        "将此行移到表头下方；如不是申请人，删除此行",
        "Move the row below the header; if it is not an applicant, delete it",
        "incomplete",
    )


def _other_sheet_problem(other: OtherSheet) -> Problem:
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


def _cell_problems(
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


def _assess_rows(
    sheet: IntakeSheet,
    parsed: pd.DataFrame,
    problems_by_row: dict[int, list[Problem]],
    as_of: dt.date,
    version: str,
    round_id: str | None,
) -> list[ReviewedRow]:
    keys = list(COLUMN_BY_KEY)
    # column-wise lists, then one tuple per row (zip): blank (None or NaN) parsed values are None
    parsed_cols = [
        [None if v is None or (isinstance(v, float) and v != v) else v for v in parsed[k].tolist()]
        for k in keys
    ]
    raw_cols = [sheet.frame[k].tolist() for k in keys]
    extra_cols = [sheet.frame[e].tolist() for e in sheet.extras]
    index = parsed.index.tolist()
    out: list[ReviewedRow] = []
    for row, values, raws, extra_values in zip(
        index,
        zip(*parsed_cols, strict=True),
        zip(*raw_cols, strict=True),
        zip(*extra_cols, strict=True) if extra_cols else [()] * len(index),
        strict=True,
    ):
        rec = dict(zip(keys, values, strict=True))
        raw = dict(zip(keys, raws, strict=True))
        case = _case(rec, round_id)
        probs = list(problems_by_row.get(row, ()))
        if rec["holder_type"] == "mainland_resident" and superseded_holder_word(raw["holder_type"]):
            probs.append(_old_holder_word_note(sheet, row, raw["holder_type"]))
        res: CaseResult | ToolkitError
        try:
            res = assess_case(case, as_of, version)
        except ToolkitError as exc:  # e.g. a policy value not in force on as_of: this row only
            res = exc
        result: CaseResult | None = None
        if isinstance(res, ToolkitError):
            probs.append(
                Problem(
                    sheet.sheet_name,
                    row,
                    "",
                    "",
                    f"{row}",
                    "",
                    "assessment_error",
                    f"无法评估此行：{res}",
                    f"This row cannot be assessed: {res}",
                    "核对此行数据；如问题在政策数据，请联系管理员",
                    "Check the row; if the problem is in the policy data, tell the administrator",
                    "invalid",
                )
            )
        else:
            result = res
            probs += _finding_problems(sheet, row, raw, result, probs)
        status = _status(result, probs)
        reasons = _reasons(result, probs)
        out.append(
            ReviewedRow(
                source_row=row,
                application_id=display(raw["application_id"]) or None,
                full_name=display(raw["full_name"]) or None,
                status=status,
                case=case,
                result=result,
                problems=probs,
                reason_codes=[c for c, _, _ in reasons],
                reasons_zh=[z for _, z, _ in reasons],
                reasons_en=[e for _, _, e in reasons],
                extras=dict(zip(sheet.extras, extra_values, strict=True)),
            )
        )
    return out


def _old_holder_word_note(sheet: IntakeSheet, row: int, value: Any) -> Problem:
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


def _finding_problems(
    sheet: IntakeSheet, row: int, raw: dict[str, Any], result: CaseResult, already: list[Problem]
) -> list[Problem]:
    out = []
    flagged = {p.column for p in already}
    for f in result.all_findings():
        if (
            f.outcome is not Outcome.MISSING or f.code == "requested_level_pending"
        ):  # a consequence, not an item
            continue
        col = _finding_column(f.code)
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


def _status(result: CaseResult | None, probs: list[Problem]) -> str:
    if result is None or any(p.severity == "invalid" for p in probs) or result.status == "invalid":
        return "invalid"
    if any(p.severity != "note" for p in probs) and result.status == "eligible":
        return "incomplete"
    return result.status


def _reasons(result: CaseResult | None, probs: list[Problem]) -> list[tuple[str, str, str]]:
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
