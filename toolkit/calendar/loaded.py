"""The calendar in force: every covered year, built once per data folder, and its provisional days.

Where a year comes from
    A year is covered when *both* libraries hold its official schedule and agree on every day of
    it (:mod:`.libraries`), or when ``calendar/<year>.yaml`` transcribes the State Council General
    Office notice (:mod:`.datafiles`; read from the shipped data and from the bureau's data folder,
    :func:`toolkit.paths.bureau_data_dir`, which wins). Any other year raises
    :class:`~toolkit.exceptions.CalendarNotCovered`: never a weekend-only or estimated answer.

Provisional days
    While year Y+1 is not loaded, the days of year Y from the December day in
    ``data/policy/calendar_provisional_from.yaml`` (29: the earliest December day a following
    year's notice has ever changed, derived from every year the libraries hold) are provisional.

The calendar is built on first use per data folder and cleared by :func:`toolkit.policy.reload`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import CalendarNotCovered, PolicyDataError
from ..paths import bureau_data_dir, data_dir
from ..policy import on_reload, parameter
from .datafiles import check_against_libraries, disagreements, flag_in_words, load_year_file, year_files
from .libraries import LibrarySchedules, library_schedules
from .schedule import IMPORT_COMMAND_EN, Schedule, YearTable, year_ranges

__all__ = [
    "PROVISIONAL_PARAMETER",
    "LoadedCalendar",
    "calendar_in_force",
    "first_provisional_days",
    "is_provisional",
    "provisional_from",
]

PROVISIONAL_PARAMETER = "calendar_provisional_from"


@dataclass(frozen=True, eq=False)
class LoadedCalendar:
    """The covered years of one data folder, and why the years a library holds are not usable."""

    years: dict[int, YearTable]
    not_covered: dict[int, str]  # years a library holds but that are not usable, with why
    library_range: tuple[int, int] | None

    def year(self, y: int) -> YearTable:
        """Year ``y``'s table, or :class:`~toolkit.exceptions.CalendarNotCovered` saying why not."""
        t = self.years.get(y)
        if t is None:
            raise CalendarNotCovered(y, self._message(y))
        return t

    def _message(self, y: int) -> str:
        why = self.not_covered.get(y)
        have = year_ranges(sorted(self.years)) or "none"
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


def _library_year(libs: LibrarySchedules, y: int) -> YearTable | str:
    """Year ``y`` from the libraries, or why it cannot be used."""
    if y not in libs.holidays_years:
        return "only chinesecalendar holds it; holidays has no official substitution data to cross-check"
    if y not in libs.cc_years:
        return "only holidays holds it; chinesecalendar has no data to cross-check"
    h, c = libs.holidays_flags[y], libs.cc_flags[y]
    diff = disagreements(y, h, c)
    if diff:
        first = dt.date(y, 1, 1)
        return "the libraries disagree on " + ", ".join(
            f"{d.isoformat()} (holidays: {flag_in_words(h[(d - first).days])}, "
            f"chinesecalendar: {flag_in_words(c[(d - first).days])})"
            for d in diff[:3]
        )
    s = libs.schedules[y]
    return YearTable.compile(Schedule(y, s.off, s.makeup, (libs.holidays_source[y], libs.cc_source)))


def _keep_next_years_changes(s: Schedule, libs: LibrarySchedules) -> None:
    """A data file for a year the libraries hold with its next year: keep the December days the
    next year's notice changed (the libraries have them; the file may not)."""
    lib = libs.schedules.get(s.year)
    if lib is None:
        return
    for d, v in lib.off.items():
        if d.month == 12 and d not in s.makeup:
            s.off.setdefault(d, v)
    for d, mv in lib.makeup.items():
        if d.month == 12 and d not in s.off:
            s.makeup.setdefault(d, mv)


def _apply_to_december_before(years: dict[int, YearTable], s: Schedule) -> None:
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
    years[prev.year] = YearTable.compile(Schedule(prev.year, p_off, p_makeup, srcs))


def _build(root: Path) -> LoadedCalendar:
    libs = library_schedules()
    years: dict[int, YearTable] = {}
    not_covered: dict[int, str] = {}
    for y in sorted(libs.holidays_years | libs.cc_years):
        got = _library_year(libs, y)
        if isinstance(got, str):
            not_covered[y] = got
        else:
            years[y] = got
    for path in year_files((root / "calendar", bureau_data_dir() / "calendar")):
        s = load_year_file(path)
        checked = check_against_libraries(path, s, libs)
        if s.year + 1 in years:
            _keep_next_years_changes(s, libs)
        years[s.year] = YearTable.compile(Schedule(s.year, s.off, s.makeup, (*s.sources, *checked)))
        not_covered.pop(s.year, None)
        _apply_to_december_before(years, s)
    both = sorted(libs.holidays_years & libs.cc_years)
    return LoadedCalendar(years, not_covered, (both[0], both[-1]) if both else None)


class _State:
    """The calendar of one data folder, and its provisional days (computed on first use)."""

    __slots__ = ("cal", "provisional")

    def __init__(self, cal: LoadedCalendar) -> None:
        self.cal = cal
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


def calendar_in_force() -> LoadedCalendar:
    """The calendar of the data folder in force (built on first use)."""
    return _state().cal


def provisional_from(year: int) -> dt.date:
    """The first day of ``year`` that year+1's notice could still change (the December day in
    ``data/policy/calendar_provisional_from.yaml``)."""
    param = parameter(PROVISIONAL_PARAMETER)
    day = param.at(dt.date(year, 12, 31))
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        raise PolicyDataError(param.path, "values", f"{day!r} is not a day of December (1–31)")
    return dt.date(year, 12, day)


def first_provisional_days() -> dict[int, dt.date]:
    """Each loaded year whose next year is not loaded → its first provisional day."""
    st = _state()
    if st.provisional is None:
        years = st.cal.years
        st.provisional = {y: provisional_from(y) for y in years if y + 1 not in years}
    return st.provisional


def is_provisional(d: dt.date) -> bool:
    """Whether next year's notice, not loaded yet, could still change ``d``."""
    first = first_provisional_days().get(d.year)
    return first is not None and d >= first
