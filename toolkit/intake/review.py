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
recommendation …), each with the column it concerns and how to fix it (:mod:`.problems`). Each
reviewed row (:mod:`.rows`) gives its line of every table a review produces, laid out and
labelled by :mod:`.columns`.

("Review" here is the toolkit's review of an intake sheet. The supervisor's approval of a batch
run is its *sign-off* (签核, :mod:`toolkit.register`); the executed notebook of a run is its
*report*.)
"""

from __future__ import annotations

import datetime as dt
import operator
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..collector import paused_gc
from ..exceptions import ToolkitError
from ..rules import CaseInput, CaseResult, assess_case, get_version
from ..vocab import superseded_holder_word
from .columns import OFFICER_COLUMNS, PROBLEM_COLUMNS, RESULT_COLUMNS
from .contract import BASIC_REQUIREMENT_COLUMNS, COLUMN_BY_KEY
from .problems import (
    above_header_problem,
    assessment_error_problem,
    cell_problems,
    finding_problems,
    old_holder_word_note,
    other_sheet_problem,
    row_reasons,
    row_status,
)
from .reader import IntakeSheet, OtherSheet, read_intake
from .rows import ReviewedRow
from .schema import Problem, display, validate_frame

__all__ = ["STATUS_ORDER", "IntakeReview", "review_intake"]

STATUS_ORDER = ("eligible", "not_eligible", "incomplete", "invalid")
_problem_values = operator.attrgetter(*PROBLEM_COLUMNS)  # a problem's values in table order


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

    def officer_rows(self, lang: str = "zh", limit: int | None = None) -> list[tuple[Any, ...]]:
        """results.xlsx's officer sheet as tuples (:attr:`officer_columns` order), in ``lang``."""
        return [r.officer_row(lang, self.as_of, self.list_version) for r in self.rows[:limit]]

    @property
    def officer_columns(self) -> list[str]:
        return [*OFFICER_COLUMNS, *self.extras]

    def code_rows(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        """results.xlsx's codes sheet as tuples (:data:`CODE_COLUMNS` order)."""
        return [r.code_row() for r in self.rows[:limit]]

    def problem_rows(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        """The problems table as tuples in :data:`~.columns.PROBLEM_COLUMNS` order."""
        return list(map(_problem_values, self.problems[:limit]))

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


def _yes_no(v: Any) -> bool | None:
    """A parsed yes/no cell as a bool (None when blank)."""
    return None if v is None else v == "yes"


def _case_input(rec: dict[str, Any], round_id: str | None) -> CaseInput:
    """The assessment's input from a row's parsed values."""
    return CaseInput(
        application_id=rec["application_id"] if isinstance(rec["application_id"], str) else None,
        full_name=rec["full_name"] if isinstance(rec["full_name"], str) else None,
        holder_type=rec["holder_type"],
        shanghai_hukou=_yes_no(rec["shanghai_hukou"]),
        date_of_birth=rec["date_of_birth"],
        qualifications=rec["qualifications"] if isinstance(rec["qualifications"], tuple) else (),
        certificate_numbers=rec["certificate_numbers"]
        if isinstance(rec["certificate_numbers"], tuple)
        else (),
        verified=_yes_no(rec["verified"]),
        degree=rec["degree"],
        science_or_engineering_degree=_yes_no(rec["science_or_engineering_degree"]),
        title_series=rec["title_series"],
        title_level=rec["title_level"],
        relevant_since=rec["relevant_since"],
        relevant_years=rec["relevant_years"],
        shanghai_since=rec["shanghai_since"],
        shanghai_years=rec["shanghai_years"],
        employer=rec["employer"],
        employer_type=rec["employer_type"],
        recommended_by_authority=_yes_no(rec["recommended_by_authority"]),
        previous_round=_yes_no(rec["previous_round"]),
        publicity_start=rec["publicity_start"],
        publicity_end=rec["publicity_end"],
        round_id=round_id,
        basic_requirements=tuple(
            (code, _yes_no(rec[key]))
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
    problems_by_row = cell_problems(sheet, parsed, failures)
    for r in sheet.above_header:  # read as an applicant, but where a title belongs: say so
        problems_by_row.setdefault(r, []).insert(0, above_header_problem(sheet, r))
    timings["validate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rows = _assess_rows(sheet, parsed, problems_by_row, as_of, vname, round_id)
    timings["assess"] = time.perf_counter() - t0

    # the workbook's own problems first (other sheets not reviewed), then each row's
    problems = [
        *(other_sheet_problem(o) for o in sheet.other_sheets),
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
    return [
        _assess_row(
            sheet,
            row,
            dict(zip(keys, values, strict=True)),
            dict(zip(keys, raws, strict=True)),
            dict(zip(sheet.extras, extra_values, strict=True)),
            list(problems_by_row.get(row, ())),
            as_of,
            version,
            round_id,
        )
        for row, values, raws, extra_values in zip(
            index,
            zip(*parsed_cols, strict=True),
            zip(*raw_cols, strict=True),
            zip(*extra_cols, strict=True) if extra_cols else [()] * len(index),
            strict=True,
        )
    ]


def _assess_row(
    sheet: IntakeSheet,
    row: int,
    rec: dict[str, Any],
    raw: dict[str, Any],
    extras: dict[str, Any],
    probs: list[Problem],
    as_of: dt.date,
    version: str,
    round_id: str | None,
) -> ReviewedRow:
    """One row assessed: ``rec`` its parsed values, ``raw`` its cells, ``probs`` its cells' problems."""
    case = _case_input(rec, round_id)
    if rec["holder_type"] == "mainland_resident" and superseded_holder_word(raw["holder_type"]):
        probs.append(old_holder_word_note(sheet, row, raw["holder_type"]))
    result: CaseResult | None = None
    try:
        result = assess_case(case, as_of, version)
    except ToolkitError as exc:  # e.g. a policy value not in force on as_of: this row only
        probs.append(assessment_error_problem(sheet, row, exc))
    if result is not None:
        probs += finding_problems(sheet, row, raw, result, probs)
    reasons = row_reasons(result, probs)
    return ReviewedRow(
        source_row=row,
        application_id=display(raw["application_id"]) or None,
        full_name=display(raw["full_name"]) or None,
        status=row_status(result, probs),
        case=case,
        result=result,
        problems=probs,
        reason_codes=[c for c, _, _ in reasons],
        reasons_zh=[z for _, z, _ in reasons],
        reasons_en=[e for _, _, e in reasons],
        extras=extras,
    )
