"""Chinese working days: is a day a working day, how many from one day to another, the n-th after.

A Chinese working day is Monday–Friday minus statutory holidays and days off in lieu, plus the
weekend days the State Council declares working days (调休上班). Every interval here is a
**closed interval**: both ends are included. Each function raises
:class:`~toolkit.exceptions.CalendarNotCovered` when a year it needs is not loaded
(:mod:`.loaded` says where years come from).

Each covered year is compiled once into a flag per day, a running count and the list of its
working days (:class:`~.schedule.YearTable`), so every question here is a few index operations.
"""

from __future__ import annotations

import datetime as dt

from .loaded import calendar_in_force, is_provisional
from .schedule import WEEKDAY_EN, WEEKDAY_ZH, CalendarSource, Day, DayKind, YearTable, as_date

__all__ = [
    "add_working_days",
    "count_working_days",
    "covered_years",
    "day_info",
    "days_between",
    "is_working_day",
    "last_working_days_start",
    "nth_working_day",
    "sources_between",
]


def _forward(y: YearTable, idx: int) -> dt.date:
    """The ``idx``-th working day (from 0) of year ``y``, running on into later years."""
    cal = calendar_in_force()
    while idx >= len(y.wd):
        idx -= len(y.wd)
        y = cal.year(y.year + 1)
    return dt.date.fromordinal(y.wd[idx])


def _backward(y: YearTable, idx: int) -> dt.date:
    """As :func:`_forward` for ``idx`` < 0: counting back into earlier years."""
    cal = calendar_in_force()
    while idx < 0:
        y = cal.year(y.year - 1)
        idx += len(y.wd)
    return dt.date.fromordinal(y.wd[idx])


def is_working_day(d: dt.date) -> bool:
    """Whether ``d`` is a working day in China (make-up Saturdays/Sundays included)."""
    d = as_date(d)
    y = calendar_in_force().year(d.year)
    return y.flags[y.index(d)] == 1


def count_working_days(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end``, both included (0 when ``end`` is before ``start``).

    Every year from ``start`` to ``end`` must be covered.
    """
    start, end = as_date(start, "start"), as_date(end, "end")
    cal = calendar_in_force()
    ys, ye = cal.year(start.year), cal.year(end.year)
    if end < start:
        return 0
    i = ys.cum[ys.index(start)]
    j = ye.cum[ye.index(end) + 1]
    if ys is ye:
        return j - i
    between = sum(len(cal.year(y).wd) for y in range(start.year + 1, end.year))
    return (len(ys.wd) - i) + between + j


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``d`` (``n`` < 0: before ``d``), not counting ``d`` itself.

    Like Excel's ``WORKDAY``: from a day off, ``n = 1`` is the next working day.
    ``n == 0`` gives ``d`` if it is a working day, else the next working day.
    """
    d = as_date(d)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an int")
    y = calendar_in_force().year(d.year)
    k = y.cum[y.index(d)]  # index of the first working day on or after d
    if n == 0:
        return _forward(y, k)
    if n > 0:
        return _forward(y, k + y.flags[y.index(d)] + n - 1)
    return _backward(y, k + n)


def nth_working_day(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day (``n`` ≥ 1) counted from ``start`` inclusively: ``start`` is day 1
    if it is a working day, else the next working day is."""
    if type(start) is not dt.date:
        start = as_date(start, "start")
    # Hot path (batch review): one dict lookup for the year, two index operations.
    y = calendar_in_force().year(start.year)
    idx = y.cum[start.toordinal() - y.start_ord] + n - 1
    if idx < len(y.wd):
        return dt.date.fromordinal(y.wd[idx])
    return _forward(y, idx)


def last_working_days_start(deadline: dt.date, n: int) -> dt.date:
    """The first of the ``n`` working days that end on the last working day on or before
    ``deadline``."""
    deadline = as_date(deadline, "deadline")
    y = calendar_in_force().year(deadline.year)
    last = y.cum[y.index(deadline) + 1]  # working days up to the deadline, this year
    return _backward(y, last - n)


def day_info(d: dt.date) -> Day:
    """``d`` with its kind (working, make-up working, weekend, holiday, in lieu) and bilingual label."""
    d = as_date(d)
    y = calendar_in_force().year(d.year)
    prov = is_provisional(d)
    special = y.off.get(d)
    if special is not None:
        return Day(d, special[0], special[1], special[2], prov)
    mk = y.makeup.get(d)
    if mk is not None:
        return Day(d, DayKind.MAKEUP_WORKING, mk[0], mk[1], prov)
    wd = d.weekday()
    if wd >= 5:
        return Day(d, DayKind.WEEKEND, f"周末（{WEEKDAY_ZH[wd]}）", f"Weekend ({WEEKDAY_EN[wd]})", prov)
    return Day(d, DayKind.WORKING, "工作日", "Working day", prov)


def days_between(start: dt.date, end: dt.date) -> list[Day]:
    """Every day from ``start`` to ``end`` (both included), as :func:`day_info` gives it."""
    start, end = as_date(start, "start"), as_date(end, "end")
    return [day_info(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]


def sources_between(first_year: int, last_year: int) -> list[CalendarSource]:
    """The sources of the schedules of the years from ``first_year`` to ``last_year``, once each."""
    cal = calendar_in_force()
    out: list[CalendarSource] = []
    for y in range(first_year, last_year + 1):
        for s in cal.year(y).sources:
            if s not in out:
                out.append(s)
    return out


def covered_years() -> list[int]:
    """The years whose official schedule is loaded (libraries cross-checked, or data files)."""
    return sorted(calendar_in_force().years)
