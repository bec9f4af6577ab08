"""Chinese working days (toolkit.calendar) against the official schedules (FACTS.md §5) and both
libraries: make-up working days, counting and adding across a year end, refusing uncovered years,
the calendar's status."""

from __future__ import annotations

import datetime as dt
import json

import chinese_calendar
import holidays
import pytest

from toolkit import CalendarNotCovered
from toolkit.calendar import (
    DayKind,
    add_working_days,
    calendar_status,
    count_working_days,
    covered_years,
    day_info,
    is_working_day,
)
from toolkit.cli import main
from toolkit.rules.publicity import (
    check_publicity,
    latest_publicity_start,
    publicity_end_date,
    publicity_window,
)

D = dt.date

# FACTS.md §5: the make-up working Saturdays/Sundays of the official notices.
MAKEUP_2025 = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
MAKEUP_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


pytestmark = pytest.mark.usefixtures("shipped_data")  # these tests read the shipped data/


def days_in(year: int) -> list[dt.date]:
    d, out = D(year, 1, 1), []
    while d.year == year:
        out.append(d)
        d += dt.timedelta(days=1)
    return out


# --- the make-up working days -------------------------------------------------------------------


@pytest.mark.parametrize("day", MAKEUP_2025 + MAKEUP_2026, ids=str)
def test_every_makeup_working_day_is_a_working_weekend_day(day):
    assert day.weekday() >= 5
    assert is_working_day(day)
    assert day_info(day).kind is DayKind.MAKEUP_WORKING


@pytest.mark.parametrize(("year", "expected"), [(2025, MAKEUP_2025), (2026, MAKEUP_2026)])
def test_the_weekend_working_days_are_exactly_the_official_ones(year, expected):
    assert [d for d in days_in(year) if d.weekday() >= 5 and is_working_day(d)] == expected


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_day_matches_both_libraries(year):
    h = holidays.China(years=[year - 1, year, year + 1])
    extra = set(h.weekend_workdays)
    for d in days_in(year):
        expected = chinese_calendar.is_workday(d)
        assert is_working_day(d) is expected, d
        assert ((d.weekday() < 5 and d not in h) or d in extra) is expected, d


def test_holiday_on_a_weekday_is_not_a_working_day():
    assert not is_working_day(D(2026, 10, 1))
    assert day_info(D(2026, 10, 1)).label_zh == "国庆节"
    assert is_working_day(D(2026, 10, 9))  # an ordinary Friday


# --- counting, adding, crossing a year end -----------------------------------------------------


def test_period_crossing_the_year_end():
    # 12-29/30/31 count; 2026-01-01 元旦, 01-02 in lieu, 01-03 weekend; 01-04 make-up Sunday; 01-05.
    start = D(2025, 12, 29)
    assert publicity_end_date(start) == D(2026, 1, 5)
    w = publicity_window(start)
    assert w.working_days == [D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 4), D(2026, 1, 5)]
    assert {d for d, _, _ in w.skipped} == {D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3)}
    assert count_working_days(start, D(2026, 1, 5)) == 5
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert add_working_days(D(2026, 1, 4), -1) == D(2025, 12, 31)
    assert count_working_days(D(2024, 1, 1), D(2026, 12, 31)) == sum(
        count_working_days(D(y, 1, 1), D(y, 12, 31)) for y in (2024, 2025, 2026)
    )


def test_count_working_days_closed_interval():
    assert count_working_days(D(2025, 9, 29), D(2025, 9, 29)) == 1
    assert count_working_days(D(2025, 10, 1), D(2025, 10, 8)) == 0
    assert count_working_days(D(2025, 10, 2), D(2025, 10, 1)) == 0  # empty


def test_add_working_days_matches_chinese_calendar_find_workday():
    # Same as find_workday from a working day, and for n <= 0 from any day. From a day off,
    # n > 0 counts the days after it (like Excel's WORKDAY), where find_workday first rolls forward.
    for d in days_in(2025):
        for n in (-7, -1, 0, 1, 5, 12):
            if n > 0 and not is_working_day(d):
                continue
            assert add_working_days(d, n) == chinese_calendar.find_workday(n, d), (d, n)
    assert add_working_days(D(2025, 10, 1), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 1), 3) == D(2025, 10, 11)
    assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)


def test_accepts_datetimes_refuses_strings_and_bad_counts():
    assert is_working_day(dt.datetime(2025, 10, 11, 9, 30))
    assert publicity_end_date(dt.datetime(2025, 9, 29, 8, 0)) == D(2025, 10, 11)
    with pytest.raises(TypeError):
        is_working_day("2025-10-11")
    with pytest.raises(ValueError, match="at least 1"):
        publicity_end_date(D(2025, 9, 29), 0)
    with pytest.raises(TypeError):
        publicity_end_date(D(2025, 9, 29), True)


# --- refusing uncovered years --------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [D(2027, 1, 4), D(2027, 6, 1), D(2003, 5, 6), D(1999, 1, 4), D(2100, 1, 1)], ids=str
)
def test_uncovered_year_is_refused(day):
    with pytest.raises(CalendarNotCovered) as err:
        is_working_day(day)
    assert err.value.year == day.year
    assert f"oqtk calendar import NOTICE --year {day.year}" in str(err.value)
    assert str(day.year) in str(err.value)


def test_no_silent_answer_for_2027():
    # holidays estimates 2027 with no make-up days; we must refuse instead.
    assert 2027 not in covered_years()
    with pytest.raises(CalendarNotCovered, match="2027"):
        publicity_end_date(D(2026, 12, 28))  # would need 2027-01-01 onward
    with pytest.raises(CalendarNotCovered):
        count_working_days(D(2026, 12, 1), D(2027, 1, 31))
    with pytest.raises(CalendarNotCovered):
        latest_publicity_start(D(2027, 1, 8))
    with pytest.raises(CalendarNotCovered):
        check_publicity(D(2026, 12, 28), D(2027, 1, 8))
    assert publicity_end_date(D(2026, 12, 24)) == D(2026, 12, 30)  # still inside 2026


def test_years_held_by_one_library_or_disputed_are_refused():
    years = covered_years()
    assert {2024, 2025, 2026} <= set(years)
    assert 2003 not in years  # only `holidays` has 2003
    with pytest.raises(CalendarNotCovered, match="only holidays"):
        is_working_day(D(2003, 2, 3))
    assert 2005 not in years  # the libraries disagree on 2005-12-31
    with pytest.raises(CalendarNotCovered, match="2005-12-31"):
        is_working_day(D(2005, 6, 1))


# --- calendar_status -------------------------------------------------------------------------------


def test_calendar_status_sources_and_warning():
    st_oct = calendar_status(D(2026, 10, 31))
    assert st_oct.warning is None
    assert 2026 in st_oct.years and 2027 not in st_oct.years
    names = [s.name for s in st_oct.sources[2026]]
    assert any(n.startswith("holidays ") for n in names) and any(
        n.startswith("chinesecalendar ") for n in names
    )
    st_nov = calendar_status(D(2026, 11, 1))
    assert st_nov.warning is not None
    assert "2027" in st_nov.warning["zh"] and "2027" in st_nov.warning["en"]
    st_2027 = calendar_status(D(2027, 3, 1))
    assert st_2027.warning is not None and "2027" in st_2027.warning["en"]
    assert 2005 in st_oct.not_covered
    json.dumps(st_nov.to_dict(), ensure_ascii=False)


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_uncovered_year_is_a_clear_error(capsys):
    assert main(["publicity", "2026-12-28"]) == 2
    err = capsys.readouterr().err
    assert "2027" in err and "oqtk calendar import NOTICE --year 2027" in err and "Traceback" not in err


def test_cli_calendar_status(capsys):
    assert main(["calendar", "status", "--today", "2026-11-02"]) == 0
    out = capsys.readouterr().out
    assert "2006–2026" in out and "chinesecalendar" in out
    assert "⚠" in out and "2027" in out
    assert main(["calendar", "status", "--json", "--today", "2026-06-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["warning"] is None and 2026 in data["years"]
