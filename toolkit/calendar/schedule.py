"""The calendar's vocabulary: a day and its kind, where a year's schedule comes from, a year's
schedule and its compiled table (a flag per day, a running count, the list of working days).

Every interval in the calendar is a **closed interval**: both ends are included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "IMPORT_COMMAND",
    "IMPORT_COMMAND_EN",
    "WEEKDAY_EN",
    "WEEKDAY_ZH",
    "CalendarSource",
    "Day",
    "DayKind",
    "Schedule",
    "YearTable",
    "as_date",
    "days_of_year",
    "year_ranges",
]

# The one command the administrator runs when a year is missing (shown to the officer too).
IMPORT_COMMAND = "oqtk calendar import 通知文件 --year {year}"
IMPORT_COMMAND_EN = "oqtk calendar import NOTICE --year {year}"
WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class DayKind(StrEnum):
    """What a day is in the official schedule."""

    WORKING = "working"  # an ordinary Monday–Friday working day
    MAKEUP_WORKING = "makeup_working"  # a Saturday/Sunday declared a working day (调休上班)
    WEEKEND = "weekend"  # an ordinary Saturday/Sunday
    HOLIDAY = "holiday"  # a statutory holiday (incl. 补假 when it falls on a weekend)
    IN_LIEU = "in_lieu"  # a day off in lieu of a make-up working day (调休休息日)


_WORKING_KINDS = frozenset({DayKind.WORKING, DayKind.MAKEUP_WORKING})


@dataclass(frozen=True)
class Day:
    """One calendar day with its kind and a bilingual label."""

    date: dt.date
    kind: DayKind
    label_zh: str
    label_en: str
    provisional: bool = False  # next year's notice is not loaded and could still change this day

    @property
    def working(self) -> bool:
        return self.kind in _WORKING_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "weekday_zh": WEEKDAY_ZH[self.date.weekday()],
            "weekday_en": WEEKDAY_EN[self.date.weekday()],
            "kind": self.kind.value,
            "working": self.working,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class CalendarSource:
    """Where a year's schedule comes from: a library (cross-checked) or a data file (a notice)."""

    kind: str  # "library" or "data_file"
    name: str  # "holidays 0.109", "chinesecalendar 1.11.0", or the data file's path
    title_zh: str | None = None  # the notice, when known
    title_en: str | None = None
    number: str | None = None
    published: dt.date | None = None
    url: str | None = None
    imported: str | None = None  # "2026-12-01 notice.docx": when and from which file it was imported

    def cite(self, lang: str = "zh") -> str:
        parts = [self.name]
        if self.imported:
            at, _, file = self.imported.partition(" ")
            parts.append(f"{at} 由 {file} 导入" if lang == "zh" else f"imported {at} from {file}")
        title = self.title_zh if lang == "zh" else self.title_en
        if title:
            parts.append(title)
        if self.number:
            parts.append(self.number)
        if self.published:
            parts.append(("发布 " if lang == "zh" else "published ") + self.published.isoformat())
        if self.url:
            parts.append(self.url)
        return " · ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "number": self.number,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "imported": self.imported,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CalendarSource:
        published = dt.date.fromisoformat(d["published"]) if d["published"] else None
        return cls(**{**d, "published": published})


def days_of_year(year: int) -> list[dt.date]:
    """Every day of ``year``, 1 January to 31 December."""
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


@dataclass
class Schedule:
    """A year's days off (beyond ordinary weekends) and make-up working days, with labels."""

    year: int
    off: dict[dt.date, tuple[DayKind, str, str]]  # holiday / in-lieu days (any weekday)
    makeup: dict[dt.date, tuple[str, str]]  # weekend days declared working days
    sources: tuple[CalendarSource, ...] = ()

    def working_flags(self) -> bytes:
        """1 for each working day of the year, 0 for each day off (days of other years ignored)."""
        return bytes(
            1 if d in self.makeup or (d.weekday() < 5 and d not in self.off) else 0
            for d in days_of_year(self.year)
        )


@dataclass(frozen=True, eq=False)
class YearTable:
    """A covered year compiled for counting: a few index operations per question."""

    year: int
    start_ord: int  # ordinal of 1 January
    flags: bytes  # 1 = working day, per day of the year
    cum: tuple[int, ...]  # cum[i] = working days before day i of the year (len = days + 1)
    wd: tuple[int, ...]  # ordinals of the working days, in order
    off: dict[dt.date, tuple[DayKind, str, str]]
    makeup: dict[dt.date, tuple[str, str]]
    sources: tuple[CalendarSource, ...]

    @classmethod
    def compile(cls, s: Schedule) -> YearTable:
        start_ord = dt.date(s.year, 1, 1).toordinal()
        flags = s.working_flags()
        cum = [0]
        wd = []
        for i, f in enumerate(flags):
            cum.append(cum[-1] + f)
            if f:
                wd.append(start_ord + i)
        return cls(s.year, start_ord, flags, tuple(cum), tuple(wd), dict(s.off), dict(s.makeup), s.sources)

    def index(self, d: dt.date) -> int:
        """The day's position in the year (0 for 1 January)."""
        return d.toordinal() - self.start_ord


def as_date(d: Any, what: str = "date") -> dt.date:
    """``d`` as a plain date (a datetime or pandas.Timestamp gives its day); anything else is a
    ``TypeError`` naming ``what``."""
    if type(d) is dt.date:
        return d
    if isinstance(d, dt.datetime):  # also pandas.Timestamp
        return d.date()
    if isinstance(d, dt.date):
        return dt.date(d.year, d.month, d.day)
    raise TypeError(f"{what} must be a datetime.date, not {type(d).__name__}")


def year_ranges(years: list[int]) -> str:
    """2004, 2006, 2007, 2008 → "2004, 2006–2008"."""
    out: list[str] = []
    i = 0
    while i < len(years):
        j = i
        while j + 1 < len(years) and years[j + 1] == years[j] + 1:
            j += 1
        out.append(str(years[i]) if i == j else f"{years[i]}–{years[j]}")
        i = j + 1
    return ", ".join(out)
