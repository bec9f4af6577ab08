"""Calendar data files: ``calendar/<year>.yaml``, a State Council notice transcribed.

The format is ``data/calendar/README.md``; ``oqtk calendar import`` writes it. The loader is strict
(every problem names the file and the key), and a file must agree, day by day, with every library
that holds its year. A year-Y file may also list days of the December before (the 2019 notice made
2018-12-29 a working Saturday): those days override year Y-1 when the calendar is built.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from ..exceptions import PolicyDataError
from ..models import StrictModel
from ..policy import load_model
from .libraries import LIBRARIES, LibrarySchedules
from .schedule import WEEKDAY_EN, CalendarSource, DayKind, Schedule

__all__ = ["check_against_libraries", "disagreements", "flag_in_words", "load_year_file", "year_files"]


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
    makeup_working_days: list[StrictDate] = Field(default_factory=list)
    adjustments: list[_AdjustmentModel] = Field(default_factory=list)  # later notices included


def _in_file_year(d: dt.date, y: int) -> bool:
    """A year-Y file lists days of Y, and of the December before (a notice may change them)."""
    return d.year == y or (d.year == y - 1 and d.month == 12)


def _outside(d: dt.date, y: int) -> str:
    return f"{d.isoformat()} is outside {y} (and the December before)"


def _days_off(path: Path, m: _YearFileModel) -> dict[dt.date, tuple[DayKind, str, str]]:
    y = m.year
    off: dict[dt.date, tuple[DayKind, str, str]] = {}
    for i, h in enumerate(m.holidays):
        if not _in_file_year(h.date, y):
            raise PolicyDataError(path, f"holidays.{i}.date", _outside(h.date, y))
        until = h.until or h.date
        if not _in_file_year(until, y):
            raise PolicyDataError(path, f"holidays.{i}.until", _outside(until, y))
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
    return off


def _makeup_days(path: Path, m: _YearFileModel, off: dict[dt.date, Any]) -> dict[dt.date, tuple[str, str]]:
    makeup: dict[dt.date, tuple[str, str]] = {}
    for i, d in enumerate(m.makeup_working_days):
        key = f"makeup_working_days.{i}"
        if not _in_file_year(d, m.year):
            raise PolicyDataError(path, key, _outside(d, m.year))
        if d.weekday() < 5:
            raise PolicyDataError(
                path,
                key,
                f"{d.isoformat()} is a {WEEKDAY_EN[d.weekday()]}: a make-up working day must be a Saturday or Sunday",
            )
        if d in off:
            raise PolicyDataError(path, key, f"{d.isoformat()} is both a holiday and a make-up working day")
        if d in makeup:
            raise PolicyDataError(path, key, f"{d.isoformat()} is listed twice")
        makeup[d] = ("调休上班", "Make-up working day")
    return makeup


def _file_sources(path: Path, m: _YearFileModel) -> tuple[CalendarSource, ...]:
    """The notice, then each later notice that adjusted it."""
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
    return (src, *adjusted)


def load_year_file(path: Path) -> Schedule:
    """Read one ``calendar/<year>.yaml`` strictly; every problem names the file and key.

    Days of the December before are kept in the schedule's ``off``/``makeup`` too (they override
    year Y-1 when the calendar is built; :meth:`Schedule.working_flags` looks at year Y only)."""
    m = load_model(path, _YearFileModel)
    if path.stem != str(m.year):
        raise PolicyDataError(path, "year", f"{m.year} does not match the file name (expected {path.stem})")
    if not m.holidays:
        raise PolicyDataError(path, "holidays", "at least one holiday is required")
    off = _days_off(path, m)
    return Schedule(m.year, off, _makeup_days(path, m, off), _file_sources(path, m))


def year_files(folders: tuple[Path, ...]) -> list[Path]:
    """The ``<year>.yaml`` files of ``folders``, by year; a later folder's file wins over an earlier
    one's of the same name. Any other ``*.yaml``/``*.yml`` name is an error."""
    files: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.y*ml")):
                if not re.fullmatch(r"\d{4}", path.stem) or path.suffix not in (".yaml", ".yml"):
                    raise PolicyDataError(path, "(file name)", "calendar data files are named <year>.yaml")
                files[path.stem] = path
    return [files[stem] for stem in sorted(files)]


def flag_in_words(flag: int) -> str:
    """A working-day flag in words, for the disagreement messages."""
    return "working day" if flag else "day off"


def disagreements(year: int, a: bytes, b: bytes) -> list[dt.date]:
    """The days of ``year`` on which two flag tables differ."""
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]


def _check_december_before(path: Path, s: Schedule, library: str, prev: bytes) -> None:
    """Days of the December before that the file lists: a library holding year Y-1 holds them too."""
    p_first = dt.date(s.year - 1, 1, 1)
    for d in sorted({*s.off, *s.makeup}):
        if d.year != s.year - 1:
            continue
        file_flag, lib_flag = (1 if d in s.makeup else 0), prev[(d - p_first).days]
        if file_flag != lib_flag:
            raise PolicyDataError(
                path,
                "makeup_working_days" if d in s.makeup else "holidays",
                f"disagrees with the {library} library on {d.isoformat()}: file says "
                f"{flag_in_words(file_flag)}, {library} says {flag_in_words(lib_flag)}",
            )


def check_against_libraries(path: Path, s: Schedule, libs: LibrarySchedules) -> list[CalendarSource]:
    """A data file must agree, day by day, with every library that holds its year; returns the
    sources of the libraries it was checked against."""
    flags = s.working_flags()
    first = dt.date(s.year, 1, 1)
    checked: list[CalendarSource] = []
    for library in LIBRARIES:
        table = libs.flags(library)
        lib_flags = table.get(s.year)
        if lib_flags is None:
            continue
        diff = [
            d
            for d in disagreements(s.year, flags, lib_flags)
            # a December day the file does not name, changed by next year's notice (the library has it)
            if not (s.year + 1 in table and d.month == 12 and d not in s.off and d not in s.makeup)
        ]
        if s.year - 1 in table:
            _check_december_before(path, s, library, table[s.year - 1])
        if diff:
            detail = "; ".join(
                f"{d.isoformat()}: file says {flag_in_words(flags[(d - first).days])}, "
                f"{library} says {flag_in_words(lib_flags[(d - first).days])}"
                for d in diff[:5]
            )
            more = f" (and {len(diff) - 5} more)" if len(diff) > 5 else ""
            key = "makeup_working_days" if any(lib_flags[(d - first).days] for d in diff) else "holidays"
            raise PolicyDataError(path, key, f"disagrees with the {library} library on {detail}{more}")
        src = libs.source(library, s.year)
        assert src is not None
        checked.append(src)
    return checked
