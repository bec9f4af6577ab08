"""Calendar: µs per call against the `holidays` library's own call, in the same run; and reading
both libraries through their public functions (a cache miss, once per installation) against
loading what they hold from the cache file."""

from __future__ import annotations

import datetime as dt

import holidays

import toolkit.calendar as wd
from toolkit.calendar import libraries
from toolkit.rules import publicity

from .common import measure, row

START = dt.date(2025, 1, 1)


def run(n: int = 5000) -> dict:
    days = [START + dt.timedelta(days=i % 700) for i in range(n)]
    cn = holidays.China(years=range(2025, 2027))

    def lib_call() -> None:
        for d in days:
            cn.is_working_day(d)

    def ours() -> None:
        for d in days:
            wd.is_working_day(d)

    def end_date() -> None:
        for d in days[: n // 5]:
            publicity.publicity_end_date(d, 5)

    def lib_end() -> None:
        for d in days[: n // 5]:
            cn.get_nth_working_day(d - dt.timedelta(days=1), 5)

    def from_cache() -> None:
        libraries.library_schedules.cache_clear()
        libraries.library_schedules()

    from_cache()  # the cache file exists from here on
    read = measure(libraries.read_libraries, name="read_libraries")
    cached = measure(from_cache, name="library_schedules from the cache file")
    lib = measure(lib_call, name="holidays.is_working_day")
    mine = measure(ours, name="is_working_day")
    pe = measure(end_date, name="publicity_end_date")
    lib_pe = measure(lib_end, name="holidays.get_nth_working_day")
    for t in (lib, mine):
        t.samples = [s / n for s in t.samples]
    for t in (pe, lib_pe):
        t.samples = [s / (n // 5) for s in t.samples]
    return {
        "title": "Calendar",
        "rows": [
            row("holidays.China().is_working_day (baseline)", lib, None, 1e6, "µs/call"),
            row("toolkit.is_working_day (coverage-guarded)", mine, lib, 1e6, "µs/call"),
            row("holidays.China().get_nth_working_day(…, 5) (baseline 2)", lib_pe, None, 1e6, "µs/call"),
            row("toolkit.publicity_end_date(…, 5)", pe, lib_pe, 1e6, "µs/call"),
            row("libraries loaded from the cache file (baseline 3)", cached, None, 1e3, "ms"),
            row("both libraries read through their public functions (cache miss)", read, cached, 1e3, "ms"),
        ],
        "summary": f"publicity_end_date {pe.median * 1e6:.2f} µs/call vs the library's {lib_pe.median * 1e6:.2f} µs; "
        f"the libraries read {read.median * 1e3:.0f} ms (a cache miss) vs {cached.median * 1e3:.1f} ms from the cache",
    }
