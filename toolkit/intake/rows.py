"""One reviewed row, and its line in each table a review produces (laid out by :mod:`.columns`).

:meth:`ReviewedRow.to_row` gives its ``results.csv`` line (:data:`~.columns.RESULT_COLUMNS`),
:meth:`ReviewedRow.officer_row` its line on ``results.xlsx``'s officer sheet
(:data:`~.columns.OFFICER_COLUMNS`: words of one language, dates as dates) and
:meth:`ReviewedRow.code_row` its line on the codes sheet (:data:`~.columns.CODE_COLUMNS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..rules import CaseInput, CaseResult, title_series
from ..vocab import CATEGORIES, LEVELS, STATUSES
from .schema import Problem, display

__all__ = ["ReviewedRow"]


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
        """This row of the results table: the values of :data:`~.columns.RESULT_COLUMNS` in that order,
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

    def officer_row(self, lang: str, as_of: dt.date, list_version: str) -> tuple[Any, ...]:
        """This row of results.xlsx's officer sheet (:data:`~.columns.OFFICER_COLUMNS`, then the extra
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
        i = 0 if zh else 1
        return (
            self.source_row,
            self.application_id or "",
            self.full_name or "",
            STATUSES[self.status][i],
            sep.join(self.reasons_zh if zh else self.reasons_en),
            self.problem_count,
            _word(LEVELS, t.highest, i) if t and t.highest else "",
            ((t.title_zh if zh else t.title_en) or "") if t else "",
            eligible_from,
            series_name,
            _word(LEVELS, case.title_level, i) if case.title_level else "",
            sep.join([_word(LEVELS, x, i) for x in t.eligible]) if t else "",
            sep.join([_word(CATEGORIES, c, i) for c in self.categories]),
            case.publicity_start,
            _date_or_none(pub.get("end")),
            (pf.zh if zh else pf.en) if pf else "",
            _services_text(res.services, lang) if res else "",
            list_version,
            as_of,
            *(display(v) for v in self.extras.values()),
        )

    def code_row(self) -> tuple[Any, ...]:
        """This row of results.xlsx's codes sheet (:data:`~.columns.CODE_COLUMNS`)."""
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


def _word(vocab: dict[str, tuple[str, str]], code: str, i: int) -> str:
    """A code's word in language ``i`` (0 zh, 1 en), as :func:`toolkit.vocab.label` gives it."""
    pair = vocab.get(code)
    return pair[i] if pair is not None else str(code)


def _services_text(services: tuple[Any, ...], lang: str) -> str:
    """The services in words, one a line ("A: …")."""
    return _services_words(tuple((s.category, s.zh, s.en) for s in services), lang)


@lru_cache(maxsize=1024)
def _services_words(services: tuple[tuple[str, str, str], ...], lang: str) -> str:
    """Memoised by the services' own words (a sheet shares a few combinations; hashing the texts
    is cheaper than hashing the services)."""
    return "\n".join(f"{c}类：{zh}" if lang == "zh" else f"{c}: {en}" for c, zh, en in services)
