"""What the two maintained calendar libraries hold, read through their public functions.

``holidays`` (``holidays.country_holidays("CN", ...)``)
    Its items give each day off with its name in Chinese and English; ``is_weekend`` and
    ``is_working_day`` give the make-up working days (a weekend day that is a working day).
    Its public interface does **not** say which years come from a State Council notice: for any
    other year it silently estimates the holidays from the lunar calendar, with no make-up working
    days. Every notice since 2001 has declared at least one make-up working day, so a year is
    taken as *held* by ``holidays`` when its schedule has one; a year without is never used from
    ``holidays`` (the safe side: such a year is refused, or must come from a data file). Its
    public interface gives no source document per year either, so a library year cites the
    library and the notice's title, without a link.

``chinesecalendar`` (``chinese_calendar.is_workday``, ``get_holidays``)
    It refuses (``NotImplementedError``) every year it has no data for: a year is *held* when
    ``is_workday`` answers for 1 January. Each day of a held year is its ``is_workday`` (a
    weekday's from ``get_holidays``, the days off that are not Saturdays or Sundays).

Speed
    Reading both through these calls takes about a quarter of a second on an idle machine
    (importing ``holidays``' China module imports all its countries; ``is_workday`` rescans its
    table on every call), so the result is kept in the toolkit's cache folder
    (:func:`toolkit.paths.cache_dir`) and read again only on a miss: the file is keyed by both
    libraries' versions and installed files (their ``RECORD``), the Python version and this
    module's source; any other key, or an unreadable file, means the libraries are read again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..files import write_text_atomic
from ..paths import cache_dir
from .schedule import CalendarSource, DayKind, Schedule, days_of_year

__all__ = ["LIBRARIES", "LibrarySchedules", "cache_key", "library_schedules", "read_libraries"]

LIBRARIES = ("holidays", "chinesecalendar")
_YEARS_ASKED = range(1950, 2101)  # from holidays' first year for China to chinesecalendar's horizon
_IN_LIEU_RE = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")  # in holidays' zh_CN names
_US_DATE_RE = re.compile(r"\b(\d{2})/(\d{2})/(\d{4})\b")  # in its en_US names
_CACHE_FORMAT = 2


@dataclass(frozen=True)
class LibrarySchedules:
    """The years each library holds and, per year, its working-day flags (1 = working)."""

    holidays_years: frozenset[int]
    cc_years: frozenset[int]
    holidays_flags: dict[int, bytes]
    cc_flags: dict[int, bytes]
    schedules: dict[int, Schedule]  # from `holidays` (names zh/en), for the years it holds
    holidays_source: dict[int, CalendarSource]
    cc_source: CalendarSource

    def flags(self, library: str) -> dict[int, bytes]:
        """Year → working-day flags of ``library`` ("holidays" or "chinesecalendar")."""
        return self.holidays_flags if library == "holidays" else self.cc_flags

    def source(self, library: str, year: int) -> CalendarSource | None:
        return self.holidays_source.get(year) if library == "holidays" else self.cc_source


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return "?"


# --------------------------------------------------------------------------------------------
# Reading the libraries


def _makeup_label(paid: dt.date | None) -> tuple[str, str]:
    if paid is None:
        return "调休上班", "Make-up working day"
    return f"调休上班（{paid.isoformat()} 休息）", f"Make-up working day (for {paid.isoformat()} off)"


def _holidays_schedules() -> tuple[dict[int, Schedule], dict[int, CalendarSource]]:
    """The years ``holidays`` holds a notice for (see the module docstring), with their days."""
    import holidays

    zh = holidays.country_holidays("CN", years=_YEARS_ASKED, language="zh_CN")
    en = holidays.country_holidays("CN", years=_YEARS_ASKED, language="en_US")
    makeup_days = [
        d for y in _YEARS_ASKED for d in days_of_year(y) if zh.is_weekend(d) and zh.is_working_day(d)
    ]
    # Which day off each make-up working day pays for ("休息日（由 2026-01-04 调休）").
    paid_by: dict[dt.date, dt.date] = {}
    for d, name in zh.items():
        m = _IN_LIEU_RE.search(name)
        if m:
            paid_by[dt.date.fromisoformat(m.group(1))] = d
    name = f"holidays {_version('holidays')}"
    schedules: dict[int, Schedule] = {}
    sources: dict[int, CalendarSource] = {}
    for y in sorted({d.year for d in makeup_days}):
        off = {
            d: (
                DayKind.IN_LIEU if "调休" in label else DayKind.HOLIDAY,
                label,
                # en_US writes the substituted date as 01/04/2026: show it as 2026-01-04.
                _US_DATE_RE.sub(r"\3-\1-\2", en.get(d, label)),
            )
            for d, label in sorted(zh.items())
            if d.year == y
        }
        makeup = {d: _makeup_label(paid_by.get(d)) for d in makeup_days if d.year == y}
        sources[y] = CalendarSource(
            kind="library",
            name=name,
            title_zh=f"国务院办公厅关于{y}年部分节假日安排的通知",
            title_en=f"State Council General Office notice on the {y} holiday arrangements",
        )
        schedules[y] = Schedule(y, off, makeup, (sources[y],))
    return schedules, sources


def _chinesecalendar_flags() -> dict[int, bytes]:
    """Each year ``chinese_calendar.is_workday`` answers for, and its answer for every day.

    Monday–Friday days off come from one ``get_holidays(…, include_weekends=False)`` per year
    and only weekend days are asked one by one (``is_workday`` checks the year against the whole
    table on each call: asking every day takes three times as long).
    """
    import chinese_calendar

    flags: dict[int, bytes] = {}
    for y in _YEARS_ASKED:
        try:
            chinese_calendar.is_workday(dt.date(y, 1, 1))
        except NotImplementedError:  # "no available data for year …": not held
            continue
        days = days_of_year(y)
        off = set(chinese_calendar.get_holidays(days[0], days[-1], include_weekends=False))
        flags[y] = bytes((d not in off) if d.weekday() < 5 else chinese_calendar.is_workday(d) for d in days)
    return flags


def read_libraries() -> LibrarySchedules:
    """Read both libraries now, through their public functions (no cache)."""
    schedules, sources = _holidays_schedules()
    cc_flags = _chinesecalendar_flags()
    return LibrarySchedules(
        holidays_years=frozenset(schedules),
        cc_years=frozenset(cc_flags),
        holidays_flags={y: s.working_flags() for y, s in schedules.items()},
        cc_flags=cc_flags,
        schedules=schedules,
        holidays_source=sources,
        cc_source=CalendarSource(kind="library", name=f"chinesecalendar {_version('chinesecalendar')}"),
    )


# --------------------------------------------------------------------------------------------
# The cache


@cache
def library_schedules() -> LibrarySchedules:
    """What both libraries hold: from the cache file when it was written for the same libraries,
    else read (:func:`read_libraries`) and written. Read once per process."""
    key = cache_key()
    path = cache_dir() / f"calendar-libraries-{key}.json"
    with contextlib.suppress(Exception):  # missing, unreadable or not ours: read the libraries
        return _from_json(json.loads(path.read_text(encoding="utf-8")), key)
    libs = read_libraries()
    _save(path, key, libs)
    return libs


def cache_key() -> str:
    """Changes whenever what :func:`read_libraries` returns could: the libraries' versions and
    installed files, the Python version, or this module's code."""
    from importlib.metadata import distribution

    parts = [str(_CACHE_FORMAT), sys.version, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()]
    for dist in LIBRARIES:
        try:
            d = distribution(dist)
            record = d.read_text("RECORD") or ""
            parts += [dist, d.version, hashlib.sha256(record.encode()).hexdigest()]
        except Exception:  # pragma: no cover - both are dependencies
            parts += [dist, "?"]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:20]


def _to_json(libs: LibrarySchedules, key: str) -> dict[str, Any]:
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


def _from_json(d: dict[str, Any], key: str) -> LibrarySchedules:
    if d["key"] != key:
        raise ValueError("written for other libraries")
    day = dt.date.fromisoformat
    return LibrarySchedules(
        frozenset(d["holidays_years"]),
        frozenset(d["cc_years"]),
        {int(y): bytes.fromhex(f) for y, f in d["holidays_flags"].items()},
        {int(y): bytes.fromhex(f) for y, f in d["cc_flags"].items()},
        {
            int(y): Schedule(
                int(y),
                {day(x): (DayKind(k), zh, en) for x, k, zh, en in s["off"]},
                {day(x): (zh, en) for x, zh, en in s["makeup"]},
                tuple(CalendarSource.from_dict(src) for src in s["sources"]),
            )
            for y, s in d["schedules"].items()
        },
        {int(y): CalendarSource.from_dict(src) for y, src in d["holidays_source"].items()},
        CalendarSource.from_dict(d["cc_source"]),
    )


def _save(path: Path, key: str, libs: LibrarySchedules) -> None:
    """Write the cache file atomically, and remove those written for other libraries; a cache
    folder that cannot be written is no error (the libraries are read each time instead)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(_to_json(libs, key), ensure_ascii=False, separators=(",", ":")))
        for old in path.parent.glob("calendar-libraries-*.json"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
