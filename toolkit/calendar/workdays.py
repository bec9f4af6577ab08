"""Chinese working days and the employer's publicity period (公示期).

The rule (Chinese first; the Chinese notice prevails)::

    用人单位审核申报材料、考察业绩，并公示不少于5个工作日。
    Employers review all documents, assess performance and publicise the materials
    for at least five working days.
    — 3.0 notice (in force 2025-11-14) and the round-3 announcement (2025-08-25);
      the number 5 is data: ``data/policy/publicity_working_days.yaml``.

A Chinese working day is Monday–Friday minus statutory holidays and days off in lieu, plus the
weekend days the State Council declares working days (调休上班). Every interval here is a
**closed interval**: both ends are included.

Where the schedule comes from
    A year is covered when *both* maintained libraries hold its official schedule (``holidays``:
    the China substitution data; ``chinesecalendar``: its supported range) and they agree on every
    day of it, or when ``calendar/<year>.yaml`` transcribes the State Council General Office
    notice (format: ``data/calendar/README.md``; written by ``oqtk calendar import``, read from the
    shipped data and from the bureau's data folder, :func:`toolkit.paths.bureau_data_dir`). A data
    file must agree with every library that holds its year. A year-Y file may also change days of
    the December before (the 2019 notice made 2018-12-29 a working Saturday): those days override
    year Y-1. Any other year raises :class:`~toolkit.exceptions.CalendarNotCovered`: never a
    weekend-only or estimated answer (``holidays`` silently estimates years it has no notice for,
    with no make-up working days).

Provisional days
    While year Y+1 is not loaded, the days of year Y from the December day in
    ``data/policy/calendar_provisional_from.yaml`` (29: the earliest December day a following
    year's notice has ever changed, derived from every year the libraries hold) are provisional:
    :attr:`Day.provisional` marks them and :func:`provisional_finding` gives the ``check`` finding
    that every publicity answer touching one carries.

Speed
    What the two libraries hold is read once per installation: importing ``holidays``' China
    module imports all of its ~250 countries (0.15 s), so the schedules read from both libraries
    are kept in the toolkit's cache folder (:func:`toolkit.paths.cache_dir`), keyed by both
    libraries' versions and files, the Python version and this module's source; any other key,
    or an unreadable file, means the libraries are read again. Each covered year is compiled once (per data folder, cleared by
    :func:`toolkit.policy.reload`) into a flag per day, a running count and the list of its
    working days, so :func:`publicity_end_date` and :func:`count_working_days` are a few index
    operations.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict

from ..exceptions import CalendarNotCovered, PolicyDataError
from ..files import write_text_atomic
from ..findings import Finding, Outcome, Source
from ..models import StrictModel
from ..paths import bureau_data_dir, cache_dir, data_dir
from ..policy import Parameter, load_model, on_reload, parameter

__all__ = [
    "CalendarSource",
    "CalendarStatus",
    "Day",
    "DayKind",
    "PublicityCheck",
    "PublicityWindow",
    "add_working_days",
    "calendar_status",
    "check_publicity",
    "count_working_days",
    "covered_years",
    "day_info",
    "is_working_day",
    "latest_publicity_start",
    "provisional_finding",
    "provisional_from",
    "publicity_end_date",
    "publicity_window",
]

PUBLICITY_PARAMETER = "publicity_working_days"
PROVISIONAL_PARAMETER = "calendar_provisional_from"
IMPORT_COMMAND = "oqtk calendar import 通知文件 --year {year}"
IMPORT_COMMAND_EN = "oqtk calendar import NOTICE --year {year}"
_WEEKDAY_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_IN_LIEU_RE = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")
_US_DATE_RE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")
_DOC_REF_RE = re.compile(r"\*\s*\[(\d{4})\]\((\S+?)\)")


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
            "weekday_zh": _WEEKDAY_ZH[self.date.weekday()],
            "weekday_en": _WEEKDAY_EN[self.date.weekday()],
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


# --------------------------------------------------------------------------------------------
# A year's schedule, and its compiled form


@dataclass
class _Schedule:
    """A year's days off (beyond ordinary weekends) and make-up working days, with labels."""

    year: int
    off: dict[dt.date, tuple[DayKind, str, str]]  # holiday / in-lieu days (any weekday)
    makeup: dict[dt.date, tuple[str, str]]  # weekend days declared working days
    sources: tuple[CalendarSource, ...] = ()

    def working_flags(self) -> bytes:
        first = dt.date(self.year, 1, 1)
        n = (dt.date(self.year + 1, 1, 1) - first).days
        flags = bytearray(n)
        for i in range(n):
            d = first + dt.timedelta(days=i)
            flags[i] = 1 if d in self.makeup or (d.weekday() < 5 and d not in self.off) else 0
        return bytes(flags)


@dataclass(frozen=True, eq=False)
class _Year:
    year: int
    start_ord: int  # ordinal of 1 January
    flags: bytes  # 1 = working day, per day of the year
    cum: tuple[int, ...]  # cum[i] = working days before day i of the year (len = days + 1)
    wd: tuple[int, ...]  # ordinals of the working days, in order
    off: dict[dt.date, tuple[DayKind, str, str]]
    makeup: dict[dt.date, tuple[str, str]]
    sources: tuple[CalendarSource, ...]

    @classmethod
    def compile(cls, s: _Schedule) -> _Year:
        start_ord = dt.date(s.year, 1, 1).toordinal()
        flags = s.working_flags()
        cum = [0]
        wd = []
        for i, f in enumerate(flags):
            cum.append(cum[-1] + f)
            if f:
                wd.append(start_ord + i)
        return cls(s.year, start_ord, flags, tuple(cum), tuple(wd), dict(s.off), dict(s.makeup), s.sources)


# --------------------------------------------------------------------------------------------
# The libraries


@dataclass(frozen=True)
class _Libraries:
    holidays_years: frozenset[int]  # years with official substitution data in `holidays`
    cc_years: frozenset[int]  # years chinesecalendar supports
    holidays_flags: dict[int, bytes]
    cc_flags: dict[int, bytes]
    schedules: dict[int, _Schedule]  # from `holidays` (names zh/en), for years it holds
    holidays_source: dict[int, CalendarSource]
    cc_source: CalendarSource


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return "?"


@cache
def _libraries() -> _Libraries:
    """What both libraries hold, from the cache when it was written for the same libraries."""
    key = _libraries_key()
    path = cache_dir() / f"calendar-libraries-{key}.json"
    with contextlib.suppress(Exception):  # missing, unreadable or not ours: read the libraries
        return _libraries_from_json(json.loads(path.read_text(encoding="utf-8")), key)
    libs = _read_libraries()
    _save_libraries(path, key, libs)
    return libs


_LIBRARIES_CACHE_FORMAT = 1


def _libraries_key() -> str:
    """Changes whenever what :func:`_read_libraries` returns could: the libraries' versions and
    schedule files, the Python version, or this module's code."""
    from importlib.metadata import distribution

    parts = [
        str(_LIBRARIES_CACHE_FORMAT),
        sys.version,
        hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    ]
    for dist, rel in (
        ("holidays", "holidays/countries/china.py"),
        ("chinesecalendar", "chinese_calendar/constants.py"),
    ):
        try:
            d = distribution(dist)
            st = os.stat(str(d.locate_file(rel)))
            parts += [dist, d.version, str(st.st_size), str(st.st_mtime_ns)]
        except Exception:  # pragma: no cover - both are dependencies
            parts += [dist, "?"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


def _source_from(d: dict[str, Any]) -> CalendarSource:
    return CalendarSource(
        **{**d, "published": dt.date.fromisoformat(d["published"]) if d["published"] else None}
    )


def _libraries_json(libs: _Libraries, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "holidays_years": sorted(libs.holidays_years),
        "cc_years": sorted(libs.cc_years),
        "holidays_flags": {str(y): f.hex() for y, f in libs.holidays_flags.items()},
        "cc_flags": {str(y): f.hex() for y, f in libs.cc_flags.items()},
        "schedules": {
            str(y): {
                "off": [[d.isoformat(), k.value, zh, en] for d, (k, zh, en) in s.off.items()],
                "makeup": [[d.isoformat(), zh, en] for d, (zh, en) in s.makeup.items()],
                "sources": [src.to_dict() for src in s.sources],
            }
            for y, s in libs.schedules.items()
        },
        "holidays_source": {str(y): src.to_dict() for y, src in libs.holidays_source.items()},
        "cc_source": libs.cc_source.to_dict(),
    }


def _libraries_from_json(d: dict[str, Any], key: str) -> _Libraries:
    if d["key"] != key:
        raise ValueError("written for other libraries")
    day = dt.date.fromisoformat
    return _Libraries(
        frozenset(d["holidays_years"]),
        frozenset(d["cc_years"]),
        {int(y): bytes.fromhex(f) for y, f in d["holidays_flags"].items()},
        {int(y): bytes.fromhex(f) for y, f in d["cc_flags"].items()},
        {
            int(y): _Schedule(
                int(y),
                {day(x): (DayKind(k), zh, en) for x, k, zh, en in s["off"]},
                {day(x): (zh, en) for x, zh, en in s["makeup"]},
                tuple(_source_from(src) for src in s["sources"]),
            )
            for y, s in d["schedules"].items()
        },
        {int(y): _source_from(src) for y, src in d["holidays_source"].items()},
        _source_from(d["cc_source"]),
    )


def _save_libraries(path: Path, key: str, libs: _Libraries) -> None:
    """Write the cache file atomically, and remove those written for other libraries; a cache
    folder that cannot be written is no error (the libraries are read each time instead)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(
            path, json.dumps(_libraries_json(libs, key), ensure_ascii=False, separators=(",", ":"))
        )
        for old in path.parent.glob("calendar-libraries-*.json"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()


def _read_libraries() -> _Libraries:
    import holidays
    from chinese_calendar.constants import holidays as cc_days
    from chinese_calendar.constants import workdays as cc_workdays

    # chinesecalendar: the range it checks in _validate_date (it refuses every other year).
    cc_years = frozenset(range(min(cc_days).year, max(cc_days).year + 1))
    # holidays: only the years whose official substitutions (调休) it holds are the notice;
    # other years are computed from the lunar calendar with no make-up working days.
    # (If a future release moves this table, no year is covered and every call says so.)
    china_module: Any
    try:
        from holidays.countries import china as china_module
    except ImportError:  # pragma: no cover
        china_module = None
    static_cls = getattr(china_module, "ChinaStaticHolidays", None)
    holidays_years = frozenset(getattr(static_cls, "special_public_holidays", {}) or {})

    years = sorted(cc_years | holidays_years)
    h_version = _version("holidays")
    cc_version = _version("chinesecalendar")
    # The notice each year comes from, as the library's docstring lists them ("* [2026](url)").
    doc_urls = dict(_DOC_REF_RE.findall(getattr(getattr(china_module, "China", None), "__doc__", None) or ""))
    holidays_flags: dict[int, bytes] = {}
    schedules: dict[int, _Schedule] = {}
    holidays_source: dict[int, CalendarSource] = {}
    if holidays_years:
        span = range(min(holidays_years) - 1, max(holidays_years) + 2)
        zh = holidays.China(years=span, language="zh_CN")
        en = holidays.China(years=span, language="en_US")
        makeup_all = set(zh.weekend_workdays)
        # Which day off each make-up working day pays for ("休息日（由 2026-01-04 调休）").
        makeup_for: dict[dt.date, dt.date] = {}
        for d, name in zh.items():
            m = _IN_LIEU_RE.search(name)
            if m:
                makeup_for[dt.date.fromisoformat(m.group(1))] = d
        for y in sorted(holidays_years):
            off: dict[dt.date, tuple[DayKind, str, str]] = {}
            for d, name in zh.items():
                if d.year == y:
                    kind = DayKind.IN_LIEU if "调休" in name else DayKind.HOLIDAY
                    # en_US writes the substituted date as 01/04/2026: show it as 2026-01-04.
                    off[d] = (kind, name, _US_DATE_RE.sub(r"\3-\1-\2", en.get(d, name)))
            makeup: dict[dt.date, tuple[str, str]] = {}
            for d in makeup_all:
                if d.year == y:
                    paid = makeup_for.get(d)
                    makeup[d] = (
                        (
                            f"调休上班（{paid.isoformat()} 休息）",
                            f"Make-up working day (for {paid.isoformat()} off)",
                        )
                        if paid
                        else ("调休上班", "Make-up working day")
                    )
            src = CalendarSource(
                kind="library",
                name=f"holidays {h_version}",
                title_zh=f"国务院办公厅关于{y}年部分节假日安排的通知",
                title_en=f"State Council General Office notice on the {y} holiday arrangements",
                url=doc_urls.get(str(y)),
            )
            s = _Schedule(y, off, makeup, (src,))
            schedules[y] = s
            holidays_source[y] = src
            holidays_flags[y] = s.working_flags()
    # chinesecalendar's rule, as its is_workday states it (a declared working day, or a weekday
    # that is not a day off), read from its two tables: is_workday itself rescans the whole
    # table on every call to check the year (0.2 s for the 8,000 days here).
    cc_off, cc_work = cc_days.keys(), cc_workdays.keys()
    cc_flags: dict[int, bytes] = {}
    for y in years:
        if y in cc_years:
            first = dt.date(y, 1, 1)
            n = (dt.date(y + 1, 1, 1) - first).days
            days = [first + dt.timedelta(days=i) for i in range(n)]
            cc_flags[y] = bytes(
                1 if d in cc_work or (d.weekday() < 5 and d not in cc_off) else 0 for d in days
            )
    cc_source = CalendarSource(kind="library", name=f"chinesecalendar {cc_version}")
    return _Libraries(
        holidays_years, cc_years, holidays_flags, cc_flags, schedules, holidays_source, cc_source
    )


def _disagreements(year: int, a: bytes, b: bytes) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _says(flag: int) -> str:
    return "working day" if flag else "day off"


# --------------------------------------------------------------------------------------------
# Data files: data/calendar/<year>.yaml


def _strict_date(v: Any) -> Any:
    """A date, or text written exactly YYYY-MM-DD (the YAML loader may keep dates as text)."""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            pass
    raise ValueError("must be a real date written YYYY-MM-DD")


StrictDate = Annotated[dt.date, BeforeValidator(_strict_date)]


class _Model(StrictModel):
    model_config = ConfigDict(strict=True)  # and StrictModel's: unknown keys refused, frozen


class _NoticeModel(_Model):
    title_zh: str
    title_en: str
    number: str | None  # required key; null when the published text does not print it
    published: StrictDate
    url: str | None = None


class _AdjustmentModel(_Model):
    """A later notice that adjusted one holiday of the year (e.g. 2019's Labour Day)."""

    title_zh: str
    number: str | None
    published: StrictDate
    file: str | None = None
    sha256: str | None = None


class _ImportedModel(_Model):
    file: str  # the notice file's name
    sha256: str
    at: str  # when it was imported (ISO timestamp, UTC)


class _HolidayModel(_Model):
    date: StrictDate
    until: StrictDate | None = None
    name_zh: str
    name_en: str
    in_lieu: bool = False


class _YearFileModel(_Model):
    year: int
    notice: _NoticeModel
    imported: _ImportedModel | None = None  # set by `oqtk calendar import`
    holidays: list[_HolidayModel]
    makeup_working_days: list[StrictDate] = []  # pydantic copies mutable defaults
    adjustments: list[_AdjustmentModel] = []  # later notices whose days this file includes


def _in_file_year(d: dt.date, y: int) -> bool:
    """A year-Y file lists days of Y, and of the December before (a notice may change them)."""
    return d.year == y or (d.year == y - 1 and d.month == 12)


def load_year_file(path: Path) -> _Schedule:
    """Read one ``calendar/<year>.yaml`` strictly; every problem names the file and key.

    Days of the December before are kept in the schedule's ``off``/``makeup`` too (they override
    year Y-1 when the calendar is built; :meth:`_Schedule.working_flags` looks at year Y only)."""
    m = load_model(path, _YearFileModel)
    if path.stem != str(m.year):
        raise PolicyDataError(path, "year", f"{m.year} does not match the file name (expected {path.stem})")
    y = m.year
    if not m.holidays:
        raise PolicyDataError(path, "holidays", "at least one holiday is required")
    off: dict[dt.date, tuple[DayKind, str, str]] = {}
    for i, h in enumerate(m.holidays):
        if not _in_file_year(h.date, y):
            raise PolicyDataError(
                path, f"holidays.{i}.date", f"{h.date.isoformat()} is outside {y} (and the December before)"
            )
        until = h.until or h.date
        if not _in_file_year(until, y):
            raise PolicyDataError(
                path, f"holidays.{i}.until", f"{until.isoformat()} is outside {y} (and the December before)"
            )
        if until < h.date:
            raise PolicyDataError(
                path, f"holidays.{i}.until", f"{until.isoformat()} is before {h.date.isoformat()}"
            )
        d = h.date
        while d <= until:
            if d in off:
                raise PolicyDataError(path, f"holidays.{i}", f"{d.isoformat()} is listed twice")
            off[d] = (DayKind.IN_LIEU if h.in_lieu else DayKind.HOLIDAY, h.name_zh, h.name_en)
            d += dt.timedelta(days=1)
    makeup: dict[dt.date, tuple[str, str]] = {}
    for i, d in enumerate(m.makeup_working_days):
        key = f"makeup_working_days.{i}"
        if not _in_file_year(d, y):
            raise PolicyDataError(path, key, f"{d.isoformat()} is outside {y} (and the December before)")
        if d.weekday() < 5:
            raise PolicyDataError(
                path,
                key,
                f"{d.isoformat()} is a {_WEEKDAY_EN[d.weekday()]}: a make-up working day must be a Saturday or Sunday",
            )
        if d in off:
            raise PolicyDataError(path, key, f"{d.isoformat()} is both a holiday and a make-up working day")
        if d in makeup:
            raise PolicyDataError(path, key, f"{d.isoformat()} is listed twice")
        makeup[d] = ("调休上班", "Make-up working day")
    src = CalendarSource(
        kind="data_file",
        name=str(path),
        title_zh=m.notice.title_zh,
        title_en=m.notice.title_en,
        number=m.notice.number,
        published=m.notice.published,
        url=m.notice.url,
        imported=f"{m.imported.at[:10]} {m.imported.file}" if m.imported else None,
    )
    adjusted = tuple(
        CalendarSource(
            kind="data_file",
            name=str(path),
            title_zh=a.title_zh,
            number=a.number,
            published=a.published,
            imported=f"{m.imported.at[:10]} {a.file}" if m.imported and a.file else None,
        )
        for a in m.adjustments
    )
    return _Schedule(y, off, makeup, (src, *adjusted))


def _check_file_against_libraries(path: Path, s: _Schedule, libs: _Libraries) -> list[CalendarSource]:
    """A data file must agree, day by day, with every library that holds its year."""
    flags = s.working_flags()
    checked: list[CalendarSource] = []
    for name, lib_flags, src in (
        ("holidays", libs.holidays_flags.get(s.year), libs.holidays_source.get(s.year)),
        ("chinesecalendar", libs.cc_flags.get(s.year), libs.cc_source),
    ):
        if lib_flags is None:
            continue
        nxt = (libs.holidays_flags if name == "holidays" else libs.cc_flags).get(s.year + 1)
        diff = [
            d
            for d in _disagreements(s.year, flags, lib_flags)
            # a December day the file does not name, changed by next year's notice (the library has it)
            if not (nxt is not None and d.month == 12 and d not in s.off and d not in s.makeup)
        ]
        # Days of the December before that the file lists: a library holding year Y holds them too.
        prev_flags = (libs.holidays_flags if name == "holidays" else libs.cc_flags).get(s.year - 1)
        if prev_flags is not None:
            p_first = dt.date(s.year - 1, 1, 1)
            for d in sorted({*s.off, *s.makeup}):
                if d.year == s.year - 1 and prev_flags[(d - p_first).days] != (1 if d in s.makeup else 0):
                    raise PolicyDataError(
                        path,
                        "makeup_working_days" if d in s.makeup else "holidays",
                        f"disagrees with the {name} library on {d.isoformat()}: file says "
                        f"{_says(1 if d in s.makeup else 0)}, {name} says {_says(prev_flags[(d - p_first).days])}",
                    )
        if diff:
            first = dt.date(s.year, 1, 1)
            detail = "; ".join(
                f"{d.isoformat()}: file says {_says(flags[(d - first).days])}, "
                f"{name} says {_says(lib_flags[(d - first).days])}"
                for d in diff[:5]
            )
            more = f" (and {len(diff) - 5} more)" if len(diff) > 5 else ""
            key = "makeup_working_days" if any(lib_flags[(d - first).days] for d in diff) else "holidays"
            raise PolicyDataError(path, key, f"disagrees with the {name} library on {detail}{more}")
        assert src is not None
        checked.append(src)
    return checked


# --------------------------------------------------------------------------------------------
# The calendar in force (per data folder)


@dataclass(frozen=True, eq=False)
class _Calendar:
    years: dict[int, _Year]
    not_covered: dict[int, str]  # years a library holds but that are not usable, with why
    library_range: tuple[int, int] | None

    def year(self, y: int) -> _Year:
        t = self.years.get(y)
        if t is None:
            raise CalendarNotCovered(y, self._message(y))
        return t

    def _message(self, y: int) -> str:
        why = self.not_covered.get(y)
        have = _ranges(sorted(self.years)) or "none"
        reason = f" ({why})" if why else ""
        head = (
            f"{y}年的法定节假日安排尚未载入，无法计算工作日 / "
            f"The official holiday schedule for {y} is not loaded, so working days cannot be counted{reason}. "
            f"Years loaded: {have}. "
        )
        if why and why.startswith("the libraries disagree"):
            return (
                head
                + "A data file must agree with both libraries, so report the error to the library that is wrong."
            )
        return head + (
            f"Import the State Council General Office notice once it is published: "
            f"{IMPORT_COMMAND_EN.format(year=y)} (it writes calendar/{y}.yaml into the bureau's data folder; "
            "format: data/calendar/README.md), or upgrade both `holidays` and `chinesecalendar`."
        )


def _build(root: Path) -> _Calendar:
    libs = _libraries()
    years: dict[int, _Year] = {}
    not_covered: dict[int, str] = {}
    for y in sorted(libs.holidays_years | libs.cc_years):
        if y not in libs.holidays_years:
            not_covered[y] = (
                "only chinesecalendar holds it; holidays has no official substitution data to cross-check"
            )
            continue
        if y not in libs.cc_years:
            not_covered[y] = "only holidays holds it; chinesecalendar has no data to cross-check"
            continue
        diff = _disagreements(y, libs.holidays_flags[y], libs.cc_flags[y])
        if diff:
            first = dt.date(y, 1, 1)
            not_covered[y] = "the libraries disagree on " + ", ".join(
                f"{d.isoformat()} (holidays: {_says(libs.holidays_flags[y][(d - first).days])}, "
                f"chinesecalendar: {_says(libs.cc_flags[y][(d - first).days])})"
                for d in diff[:3]
            )
            continue
        s = libs.schedules[y]
        years[y] = _Year.compile(_Schedule(y, s.off, s.makeup, (libs.holidays_source[y], libs.cc_source)))
    files: dict[str, Path] = {}  # by file name: the bureau's folder wins over the shipped one
    for folder in (root / "calendar", bureau_data_dir() / "calendar"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.y*ml")):
                if not re.fullmatch(r"\d{4}", path.stem) or path.suffix not in (".yaml", ".yml"):
                    raise PolicyDataError(path, "(file name)", "calendar data files are named <year>.yaml")
                files[path.stem] = path
    for stem in sorted(files):
        path = files[stem]
        s = load_year_file(path)
        checked = _check_file_against_libraries(path, s, libs)
        lib_next = libs.schedules.get(s.year + 1) if s.year + 1 in years else None
        if lib_next is not None and s.year in libs.schedules:  # keep what next year's notice changed
            lib = libs.schedules[s.year]
            for d, v in lib.off.items():
                if d.month == 12 and d not in s.makeup:
                    s.off.setdefault(d, v)
            for d, mv in lib.makeup.items():
                if d.month == 12 and d not in s.off:
                    s.makeup.setdefault(d, mv)
        years[s.year] = _Year.compile(_Schedule(s.year, s.off, s.makeup, (*s.sources, *checked)))
        not_covered.pop(s.year, None)
        _apply_to_december_before(years, s)
    both = sorted(libs.holidays_years & libs.cc_years)
    return _Calendar(years, not_covered, (both[0], both[-1]) if both else None)


def _apply_to_december_before(years: dict[int, _Year], s: _Schedule) -> None:
    """Year Y's notice overrides the days of December Y-1 it lists (when Y-1 is loaded)."""
    prev = years.get(s.year - 1)
    off = {d: v for d, v in s.off.items() if d.year == s.year - 1}
    makeup = {d: v for d, v in s.makeup.items() if d.year == s.year - 1}
    if prev is None or not (off or makeup):
        return
    p_off = {d: v for d, v in prev.off.items() if d not in makeup}
    p_makeup = {d: v for d, v in prev.makeup.items() if d not in off}
    p_off.update(off)
    p_makeup.update(makeup)
    srcs = tuple(dict.fromkeys((*prev.sources, *s.sources)))
    years[prev.year] = _Year.compile(_Schedule(prev.year, p_off, p_makeup, srcs))


class _State:
    """The calendar and the publicity rule for one data folder (the rule is read on first use)."""

    __slots__ = ("cal", "provisional", "rule")

    def __init__(self, cal: _Calendar) -> None:
        self.cal = cal
        self.rule: Parameter | None = None
        self.provisional: dict[int, dt.date] | None = None  # year → its first provisional day


_STATE: dict[Path, _State] = {}  # keyed by the data folder in force


@on_reload
def _clear() -> None:
    _STATE.clear()


def _state() -> _State:
    root = data_dir()
    st = _STATE.get(root)
    if st is None:
        st = _STATE[root] = _State(_build(root))
    return st


def _cal() -> _Calendar:
    return _state().cal


def _rule() -> Parameter:
    st = _state()
    if st.rule is None:
        st.rule = parameter(PUBLICITY_PARAMETER)
    return st.rule


def provisional_from(year: int) -> dt.date:
    """The first day of ``year`` that year+1's notice could still change (the December day in
    ``data/policy/calendar_provisional_from.yaml``)."""
    day = parameter(PROVISIONAL_PARAMETER).at(dt.date(year, 12, 31))
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise PolicyDataError(
            parameter(PROVISIONAL_PARAMETER).path, "values", f"{day!r} is not a day of December (1–31)"
        )
    return dt.date(year, 12, day)


def _provisional() -> dict[int, dt.date]:
    """Each loaded year whose next year is not loaded → its first provisional day."""
    st = _state()
    if st.provisional is None:
        years = st.cal.years
        st.provisional = {y: provisional_from(y) for y in years if y + 1 not in years}
    return st.provisional


def _is_provisional(d: dt.date) -> bool:
    first = _provisional().get(d.year)
    return first is not None and d >= first


def provisional_finding(start: dt.date, end: dt.date) -> Finding | None:
    """A ``check`` finding when a day from ``start`` to ``end`` (both included) is provisional.

    While year Y+1's holiday schedule is not loaded, the days of late December Y could still be
    changed by its notice (the 2019 notice made 2018-12-29 a working Saturday and 2018-12-31 a day
    off), so an end date, window, count or check that touches one must be checked again.
    """
    start, end = _as_date(start, "start"), _as_date(end, "end")
    lo, hi = min(start, end), max(start, end)
    for y in range(lo.year, hi.year + 1):
        first = _provisional().get(y)
        if first is None or hi < first or lo > dt.date(y, 12, 31):
            continue
        nxt = y + 1
        f = first.isoformat()
        param = parameter(PROVISIONAL_PARAMETER)
        cmd, cmd_en = IMPORT_COMMAND.format(year=nxt), IMPORT_COMMAND_EN.format(year=nxt)
        return Finding(
            "publicity_provisional_days",
            Outcome.CHECK,
            f"{nxt}年节假日安排尚未载入，{f} 及以后的日期待国务院办公厅通知公布后复核"
            f"（{lo.isoformat()} 至 {hi.isoformat()} 含这些日期）。通知公布后请管理员导入：{cmd}",
            f"The {nxt} holiday schedule is not loaded yet: dates from {f} may still be changed by the "
            f"State Council General Office notice, so check this period ({lo.isoformat()} to "
            f"{hi.isoformat()}) again once it is published. The administrator imports it with: {cmd_en}",
            param.source_at(dt.date(y, 12, 31)),
            {"year": nxt, "provisional_from": first, "start": lo, "end": hi},
        )
    return None


# --------------------------------------------------------------------------------------------
# Working days


def _as_date(d: Any, what: str = "date") -> dt.date:
    if type(d) is dt.date:
        return d
    if isinstance(d, dt.datetime):  # also pandas.Timestamp
        return d.date()
    if isinstance(d, dt.date):
        return dt.date(d.year, d.month, d.day)
    raise TypeError(f"{what} must be a datetime.date, not {type(d).__name__}")


def _first_index(d: dt.date) -> tuple[_Year, int]:
    """The year table and index (into its working days) of the first working day on or after ``d``.

    The index may equal ``len(year.wd)``: the day lies in a later year.
    """
    y = _cal().year(d.year)
    return y, y.cum[d.toordinal() - y.start_ord]


def _forward(y: _Year, idx: int) -> dt.date:
    cal = _cal()
    while idx >= len(y.wd):
        idx -= len(y.wd)
        y = cal.year(y.year + 1)
    return dt.date.fromordinal(y.wd[idx])


def _backward(y: _Year, idx: int) -> dt.date:
    cal = _cal()
    while idx < 0:
        y = cal.year(y.year - 1)
        idx += len(y.wd)
    return dt.date.fromordinal(y.wd[idx])


def is_working_day(d: dt.date) -> bool:
    """Whether ``d`` is a working day in China (make-up Saturdays/Sundays included).

    Raises :class:`~toolkit.exceptions.CalendarNotCovered` when ``d``'s year is not loaded.
    """
    d = _as_date(d)
    y = _cal().year(d.year)
    return y.flags[d.toordinal() - y.start_ord] == 1


def count_working_days(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end``, both included (0 when ``end`` is before ``start``).

    Every year from ``start`` to ``end`` must be covered.
    """
    start, end = _as_date(start, "start"), _as_date(end, "end")
    cal = _cal()
    ys, ye = cal.year(start.year), cal.year(end.year)
    if end < start:
        return 0
    i = ys.cum[start.toordinal() - ys.start_ord]
    j = ye.cum[end.toordinal() - ye.start_ord + 1]
    if ys is ye:
        return j - i
    between = sum(len(cal.year(y).wd) for y in range(start.year + 1, end.year))
    return (len(ys.wd) - i) + between + j


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``d`` (``n`` < 0: before ``d``), not counting ``d`` itself.

    Like Excel's ``WORKDAY``: from a day off, ``n = 1`` is the next working day.
    ``n == 0`` gives ``d`` if it is a working day, else the next working day.
    """
    d = _as_date(d)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an int")
    y, k = _first_index(d)
    if n == 0:
        return _forward(y, k)
    if n > 0:
        working = y.flags[d.toordinal() - y.start_ord]
        return _forward(y, k + working + n - 1)
    return _backward(y, k + n)


def day_info(d: dt.date) -> Day:
    """``d`` with its kind (working, make-up working, weekend, holiday, in lieu) and bilingual label."""
    d = _as_date(d)
    y = _cal().year(d.year)
    prov = _is_provisional(d)
    special = y.off.get(d)
    if special is not None:
        return Day(d, special[0], special[1], special[2], prov)
    mk = y.makeup.get(d)
    if mk is not None:
        return Day(d, DayKind.MAKEUP_WORKING, mk[0], mk[1], prov)
    wd = d.weekday()
    if wd >= 5:
        return Day(d, DayKind.WEEKEND, f"周末（{_WEEKDAY_ZH[wd]}）", f"Weekend ({_WEEKDAY_EN[wd]})", prov)
    return Day(d, DayKind.WORKING, "工作日", "Working day", prov)


def covered_years() -> list[int]:
    """The years whose official schedule is loaded (libraries cross-checked, or data files)."""
    return sorted(_cal().years)


# --------------------------------------------------------------------------------------------
# The publicity period


def _required(start: dt.date, working_days: int | None) -> int:
    if working_days is None:
        rule = _rule()
        n = rule.at(start)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise PolicyDataError(
                rule.path, "values", f"{n!r} is not a positive whole number of working days"
            )
        return n
    if isinstance(working_days, bool) or not isinstance(working_days, int):
        raise TypeError("working_days must be an int or None")
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    return working_days


def _rule_source(start: dt.date) -> Source | None:
    try:
        return _rule().source_at(start)
    except PolicyDataError:
        return None


def publicity_end_date(start: dt.date, working_days: int | None = None) -> dt.date:
    """The last day of a publicity period that starts on ``start``.

    The period begins on ``start`` if it is a working day, otherwise on the next working day,
    and ends on the N-th working day counted inclusively. N is ``working_days``, or (None) the
    policy number in force on ``start`` (``data/policy/publicity_working_days.yaml``: 5).
    E.g. 2025-09-29 → 2025-10-11 (a make-up Saturday); 2026-02-14 (make-up Saturday) → 2026-02-27.
    """
    if type(start) is not dt.date:
        start = _as_date(start, "start")
    # Hot path (batch review): one dict lookup for the year, two index operations.
    n = working_days if type(working_days) is int and working_days >= 1 else _required(start, working_days)
    y = _cal().year(start.year)
    idx = y.cum[start.toordinal() - y.start_ord] + n - 1
    if idx < len(y.wd):
        return dt.date.fromordinal(y.wd[idx])
    return _forward(y, idx)


def latest_publicity_start(deadline: dt.date, working_days: int | None = None) -> dt.date:
    """The latest start date whose publicity period ends on or before ``deadline``.

    It is a working day: the first day of the N working days that end on the last working day on
    or before ``deadline``. With ``working_days=None`` N is the policy number in force on that
    start date, as in :func:`publicity_end_date`.
    """
    deadline = _as_date(deadline, "deadline")
    y = _cal().year(deadline.year)
    last = y.cum[deadline.toordinal() - y.start_ord + 1]  # working days up to the deadline, this year
    n = _required(deadline, working_days)
    start = _backward(y, last - n)
    if working_days is None:  # the rule in force on the start date decides
        for _ in range(3):
            n2 = _required(start, None)
            if n2 == n:
                break
            n = n2
            start = _backward(y, last - n)
    return start


@dataclass(frozen=True)
class PublicityWindow:
    """A publicity period: its days, the working days counted and the days skipped, with reasons."""

    start: dt.date
    first_day: dt.date
    end: dt.date
    required: int
    working_days: list[dt.date]
    skipped: list[tuple[dt.date, str, str]]  # (date, reason_zh, reason_en)
    days: list[Day]
    source: Source | None  # the rule ("at least 5 working days"); None if no rule is in force then
    calendar_sources: list[CalendarSource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # publicity_provisional_days (check)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "first_day": self.first_day.isoformat(),
            "end": self.end.isoformat(),
            "required": self.required,
            "working_days": [d.isoformat() for d in self.working_days],
            "skipped": [
                {"date": d.isoformat(), "reason_zh": zh, "reason_en": en} for d, zh, en in self.skipped
            ],
            "days": [d.to_dict() for d in self.days],
            "source": self.source.to_dict() if self.source else None,
            "calendar_sources": [s.to_dict() for s in self.calendar_sources],
            "findings": [f.to_dict() for f in self.findings],
        }


def publicity_window(start: dt.date, working_days: int | None = None) -> PublicityWindow:
    """Start, first day, end, every working day counted and every day skipped with its reason."""
    start = _as_date(start, "start")
    n = _required(start, working_days)
    end = publicity_end_date(start, n)
    days: list[Day] = []
    d = start
    while d <= end:
        days.append(day_info(d))
        d += dt.timedelta(days=1)
    counted = [x.date for x in days if x.working]
    skipped = [(x.date, x.label_zh, x.label_en) for x in days if not x.working]
    cal = _cal()
    srcs: list[CalendarSource] = []
    for y in range(start.year, end.year + 1):
        for s in cal.year(y).sources:
            if s not in srcs:
                srcs.append(s)
    prov = provisional_finding(start, end)
    return PublicityWindow(
        start, counted[0], end, n, counted, skipped, days, _rule_source(start), srcs, [prov] if prov else []
    )


@dataclass(frozen=True)
class PublicityCheck:
    """Whether a publicity period an employer already ran is long enough."""

    start: dt.date
    end: dt.date
    ok: bool
    counted: int
    required: int
    shortfall: int
    earliest_valid_end: dt.date
    finding: Finding
    provisional: Finding | None = None  # publicity_provisional_days, when a day checked is provisional

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "ok": self.ok,
            "counted": self.counted,
            "required": self.required,
            "shortfall": self.shortfall,
            "earliest_valid_end": self.earliest_valid_end.isoformat(),
            "finding": self.finding.to_dict(),
            "provisional": self.provisional.to_dict() if self.provisional else None,
        }


def check_publicity(start: dt.date, end: dt.date, working_days: int | None = None) -> PublicityCheck:
    """Check a publicity period that ran from ``start`` to ``end`` (both included).

    《3.0版通知》：用人单位……公示不少于5个工作日 — the employer publicises the materials for at
    least five working days. Finding codes: ``publicity_long_enough``, ``publicity_too_short``,
    ``publicity_end_before_start``.
    """
    start, end = _as_date(start, "start"), _as_date(end, "end")
    n = _required(start, working_days)
    earliest = publicity_end_date(start, n)
    counted = count_working_days(start, end)
    src = _rule_source(start)
    s, e, ee = start.isoformat(), end.isoformat(), earliest.isoformat()
    data: dict[str, Any] = {
        "start": start,
        "end": end,
        "counted": counted,
        "required": n,
        "earliest_valid_end": earliest,
    }
    if end < start:
        shortfall = n
        finding = Finding(
            "publicity_end_before_start",
            Outcome.FAIL,
            f"公示结束日 {e} 早于开始日 {s}，请核对日期；自 {s} 起公示 {n} 个工作日，最早于 {ee} 结束。",
            f"The publicity end date {e} is before its start date {s}: check the dates. "
            f"A period of {n} working days from {s} ends on {ee} at the earliest.",
            src,
            {**data, "shortfall": shortfall},
        )
    elif counted >= n:
        shortfall = 0
        finding = Finding(
            "publicity_long_enough",
            Outcome.PASS,
            f"公示期 {s} 至 {e} 含 {counted} 个工作日，满足不少于 {n} 个工作日的要求。",
            f"The publicity period {s} to {e} has {counted} working days: at least {n} are required. Met.",
            src,
            {**data, "shortfall": 0},
        )
    else:
        shortfall = n - counted
        finding = Finding(
            "publicity_too_short",
            Outcome.FAIL,
            f"公示期 {s} 至 {e} 仅含 {counted} 个工作日，少于规定的 {n} 个工作日，差 {shortfall} 个；"
            f"自 {s} 起公示，最早应于 {ee} 结束。",
            f"The publicity period {s} to {e} has only {counted} working days, {shortfall} short of the "
            f"{n} required; a period from {s} ends on {ee} at the earliest.",
            src,
            {**data, "shortfall": shortfall},
        )
    prov = provisional_finding(start, max(end, earliest))
    return PublicityCheck(start, end, finding.passed, counted, n, shortfall, earliest, finding, prov)


# --------------------------------------------------------------------------------------------
# Coverage status (for `oqtk calendar status` and the dashboards' home page)


@dataclass(frozen=True)
class CalendarStatus:
    """Which years are loaded, from where, and a bilingual warning when next year is missing."""

    today: dt.date
    years: list[int]
    sources: dict[int, list[CalendarSource]]
    not_covered: dict[int, str]  # years a library holds but that are not usable, and why
    warning: dict[str, str] | None  # {"zh": ..., "en": ...}

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "years": self.years,
            "sources": {str(y): [s.to_dict() for s in v] for y, v in self.sources.items()},
            "not_covered": {str(y): why for y, why in self.not_covered.items()},
            "warning": self.warning,
        }


def calendar_status(today: dt.date | None = None) -> CalendarStatus:
    """Covered years and their sources; warns when this year, or from 1 November next year, is missing.

    The State Council usually publishes next year's schedule between late October and mid
    December, so a missing next year is a warning, not an error.
    """
    today = _as_date(today, "today") if today is not None else dt.date.today()
    cal = _cal()
    years = sorted(cal.years)
    warning = None
    y = today.year
    # Addressed to the officer: what cannot be done yet, and the one command the administrator runs.
    if y not in cal.years:
        cmd, cmd_en = IMPORT_COMMAND.format(year=y), IMPORT_COMMAND_EN.format(year=y)
        warning = {
            "zh": f"{y}年的法定节假日安排尚未载入：本年度的公示期暂时无法计算。"
            f"请联系系统管理员导入国务院办公厅{y}年节假日安排通知（一条命令：{cmd}）。",
            "en": f"The {y} holiday schedule is not loaded: publicity periods this year cannot be computed yet. "
            f"Ask your administrator to import the State Council General Office notice for {y} (one command: {cmd_en}).",
            "command": cmd_en,
        }
    elif today >= dt.date(y, 11, 1) and y + 1 not in cal.years:
        cmd, cmd_en = IMPORT_COMMAND.format(year=y + 1), IMPORT_COMMAND_EN.format(year=y + 1)
        first = provisional_from(y).isoformat()
        warning = {
            "zh": f"{y + 1}年的法定节假日安排尚未载入：结束日期进入{y + 1}年的公示期暂时无法计算，"
            f"{first} 及以后的日期待通知公布后复核。国务院办公厅通知公布后，"
            f"请联系系统管理员导入（一条命令：{cmd}）。",
            "en": f"The {y + 1} holiday schedule is not loaded: publicity periods that reach {y + 1} cannot be "
            f"computed yet, and dates from {first} on must be checked again once the notice is out. When the "
            f"State Council General Office publishes it, ask your administrator to import it (one command: {cmd_en}).",
            "command": cmd_en,
        }
    return CalendarStatus(
        today,
        years,
        {y: list(cal.years[y].sources) for y in years},
        dict(sorted(cal.not_covered.items())),
        warning,
    )


def _ranges(years: list[int]) -> str:
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
