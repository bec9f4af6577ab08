"""Working days and the publicity period, against the official schedules (FACTS.md §5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import chinese_calendar
import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import CalendarNotCovered, Outcome, policy
from toolkit.calendar.workdays import (
    DayKind,
    add_working_days,
    calendar_status,
    check_publicity,
    count_working_days,
    covered_years,
    day_info,
    is_working_day,
    latest_publicity_start,
    publicity_end_date,
    publicity_window,
)
from toolkit.cli import main

D = dt.date

# FACTS.md §5: the make-up working Saturdays/Sundays of the official notices.
MAKEUP_2025 = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
MAKEUP_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]

LAST_COVERED = D(2026, 12, 31)  # with holidays 0.109 / chinesecalendar 1.11.0


@pytest.fixture(autouse=True)
def _repo_data(monkeypatch):
    """These tests read the shipped data/ (no 2027 file)."""
    monkeypatch.delenv("OQTK_DATA_DIR", raising=False)
    policy.reload()
    yield
    policy.reload()


def days_in(year: int) -> list[dt.date]:
    d, out = D(year, 1, 1), []
    while d.year == year:
        out.append(d)
        d += dt.timedelta(days=1)
    return out


# --- the official examples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2025, 9, 29), D(2025, 10, 11)),  # ends on a make-up Saturday
        (D(2026, 2, 14), D(2026, 2, 27)),  # starts on a make-up Saturday: day 1
    ],
)
def test_official_examples(start, end):
    assert publicity_end_date(start) == end
    assert publicity_end_date(start, 5) == end
    w = publicity_window(start)
    assert (w.start, w.first_day, w.end) == (start, start, end)
    assert len(w.working_days) == 5
    assert w.working_days[0] == start and w.working_days[-1] == end


def test_example_2025_09_29_window_in_detail():
    w = publicity_window(D(2025, 9, 29))
    assert w.working_days == [
        D(2025, 9, 29),
        D(2025, 9, 30),
        D(2025, 10, 9),
        D(2025, 10, 10),
        D(2025, 10, 11),
    ]
    kinds = {d.date: d.kind for d in w.days}
    assert kinds[D(2025, 10, 1)] is DayKind.HOLIDAY
    assert kinds[D(2025, 10, 4)] is DayKind.WEEKEND
    assert kinds[D(2025, 10, 7)] is DayKind.IN_LIEU  # 调休 for 2025-09-28
    assert kinds[D(2025, 10, 11)] is DayKind.MAKEUP_WORKING
    skipped = {d: (zh, en) for d, zh, en in w.skipped}
    assert set(skipped) == {D(2025, 10, i) for i in range(1, 9)}
    assert skipped[D(2025, 10, 1)] == ("国庆节", "National Day")
    assert skipped[D(2025, 10, 6)][0] == "中秋节"
    assert skipped[D(2025, 10, 7)][0] == "休息日（由 2025-09-28 调休）"
    assert "2025-09-28" in skipped[D(2025, 10, 7)][1]
    assert skipped[D(2025, 10, 4)] == ("周末（星期六）", "Weekend (Saturday)")
    assert [d.date for d in w.days] == [D(2025, 9, 29) + dt.timedelta(days=i) for i in range(13)]


def test_example_2026_02_14_skips_spring_festival():
    w = publicity_window(D(2026, 2, 14))
    assert w.working_days == [D(2026, 2, 14), D(2026, 2, 24), D(2026, 2, 25), D(2026, 2, 26), D(2026, 2, 27)]
    reasons = {d: zh for d, zh, _ in w.skipped}
    assert reasons[D(2026, 2, 17)] == "春节"
    assert reasons[D(2026, 2, 16)] == "农历除夕"
    assert reasons[D(2026, 2, 20)].startswith("休息日")
    assert day_info(D(2026, 2, 14)).kind is DayKind.MAKEUP_WORKING


def test_window_is_frozen_and_serialisable_with_the_rule_source():
    w = publicity_window(D(2025, 9, 29))
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.end = D(2030, 1, 1)  # type: ignore[misc]
    data = json.loads(json.dumps(w.to_dict(), ensure_ascii=False))
    assert data["end"] == "2025-10-11"
    assert data["days"][-1]["kind"] == "makeup_working"
    assert w.source is not None and w.source.doc_id == "round3_2025"  # rule in force on 2025-09-29
    assert "5个工作日" in w.source.clause_zh
    assert publicity_window(D(2026, 2, 14)).source.doc_id == "notice_3_0"  # in force from 2025-11-14


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


def test_start_on_a_holiday_begins_on_the_next_working_day():
    w = publicity_window(D(2025, 10, 1))
    assert w.first_day == D(2025, 10, 9)
    assert w.end == D(2025, 10, 14)  # 9, 10, 11 (make-up Sat), 13, 14
    assert w.skipped[0] == (D(2025, 10, 1), "国庆节", "National Day")


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


# --- latest start for a deadline -----------------------------------------------------------------


def test_latest_start_for_a_deadline():
    # Deadline 2025-10-15 (Wed): last 5 working days are 10-10, 10-11, 10-13, 10-14, 10-15.
    assert latest_publicity_start(D(2025, 10, 15)) == D(2025, 10, 10)
    assert publicity_end_date(D(2025, 10, 10)) == D(2025, 10, 15)
    assert publicity_end_date(D(2025, 10, 11)) == D(2025, 10, 16)
    # Deadline on a holiday: the period must end on the last working day before it.
    # 9-25, 9-26, 9-28 (make-up Sunday), 9-29, 9-30.
    assert latest_publicity_start(D(2025, 10, 5)) == D(2025, 9, 25)
    assert publicity_end_date(D(2025, 9, 25)) == D(2025, 9, 30)
    assert publicity_end_date(D(2025, 9, 26)) == D(2025, 10, 9)


# --- check_publicity ------------------------------------------------------------------------------


def test_check_publicity_too_short():
    r = check_publicity(D(2025, 9, 29), D(2025, 10, 10))
    assert (r.ok, r.counted, r.required, r.shortfall) == (False, 4, 5, 1)
    assert r.earliest_valid_end == D(2025, 10, 11)
    f = r.finding
    assert f.code == "publicity_too_short" and f.outcome is Outcome.FAIL
    assert "4 个工作日" in f.zh and "2025-10-11" in f.zh
    assert "1 short" in f.en
    assert f.source is not None and f.source.doc_id == "round3_2025"
    assert json.loads(json.dumps(r.to_dict(), ensure_ascii=False))["finding"]["data"]["shortfall"] == 1


def test_check_publicity_long_enough():
    r = check_publicity(D(2026, 2, 14), D(2026, 2, 27))
    assert (r.ok, r.counted, r.shortfall) == (True, 5, 0)
    assert r.finding.code == "publicity_long_enough" and r.finding.passed
    assert r.finding.source.doc_id == "notice_3_0"
    longer = check_publicity(D(2026, 2, 14), D(2026, 3, 6), working_days=5)
    assert longer.ok and longer.counted == 11  # incl. 2026-02-28, a make-up Saturday


def test_check_publicity_end_before_start():
    r = check_publicity(D(2025, 10, 11), D(2025, 9, 29))
    assert not r.ok and r.counted == 0 and r.shortfall == 5
    assert r.finding.code == "publicity_end_before_start" and r.finding.outcome is Outcome.FAIL
    assert r.earliest_valid_end == D(2025, 10, 16)


def test_shortfall_counts_every_missing_day():
    r = check_publicity(D(2025, 9, 29), D(2025, 10, 8))  # only 9-29, 9-30
    assert (r.counted, r.shortfall) == (2, 3)


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


# --- invariants (hypothesis) ----------------------------------------------------------------------

covered_starts = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 11, 30))
counts = st.integers(min_value=1, max_value=20)
_settings = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(start=covered_starts, n=counts)
def test_period_invariants(start, n):
    end = publicity_end_date(start, n)
    w = publicity_window(start, n)
    assert end >= start
    assert w.end == end and w.first_day >= start
    assert is_working_day(w.first_day) and is_working_day(end)
    assert count_working_days(w.first_day, end) == n
    assert count_working_days(start, end) == n  # days before the first day are not working days
    assert len(w.working_days) == n and len(w.days) == (end - start).days + 1
    assert all(not d.working for d in w.days if d.date < w.first_day)
    assert end == add_working_days(start - dt.timedelta(days=1), n)


@_settings
@given(deadline=st.dates(min_value=D(2024, 2, 1), max_value=LAST_COVERED), n=counts)
def test_latest_start_invariants(deadline, n):
    s = latest_publicity_start(deadline, n)
    assert publicity_end_date(s, n) <= deadline
    nxt = s + dt.timedelta(days=1)
    try:
        assert publicity_end_date(nxt, n) > deadline
    except CalendarNotCovered as exc:  # the day after's period runs past the last covered day
        assert exc.year == LAST_COVERED.year + 1


@_settings
@given(start=st.dates(min_value=D(2025, 8, 25), max_value=D(2026, 11, 30)))
def test_policy_number_is_used_by_default(start):
    assert publicity_end_date(start) == publicity_end_date(start, 5)


@_settings
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 11, 20)), length=st.integers(0, 40), n=counts
)
def test_check_publicity_agrees_with_count(start, length, n):
    end = start + dt.timedelta(days=length)
    r = check_publicity(start, end, n)
    assert r.counted == count_working_days(start, end)
    assert r.ok is (r.counted >= n) is (end >= publicity_end_date(start, n))
    assert r.shortfall == max(0, n - r.counted)


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_publicity_example(capsys):
    assert main(["publicity", "2025-09-29"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert "结束日 / End:        2025-10-11" in out
    assert "首个工作日 / Day 1:  2025-09-29" in out
    rows = [ln for ln in lines if ln[:4] in ("2025",)]
    assert len(rows) == 13
    assert rows[0].split()[:4] == ["2025-09-29", "一", "Mon", "1"]
    assert rows[2].split()[3:5] == ["-", "国庆节"]
    assert rows[-1].split()[:4] == ["2025-10-11", "六", "Sat", "5"]
    assert "调休上班" in rows[-1] and "Make-up working day" in rows[-1]
    assert "5个工作日" in out  # the rule is cited


def test_cli_publicity_deadline_and_json(capsys):
    assert main(["publicity", "2025-09-29", "--deadline", "2025-10-15"]) == 0
    out = capsys.readouterr().out
    assert "最晚开始日 / Latest start: 2025-10-10" in out
    assert "meets the deadline" in out
    assert main(["publicity", "2025-10-13", "--deadline", "2025-10-15", "--days", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["end"] == "2025-10-17"
    assert data["deadline"] == {
        "deadline": "2025-10-15",
        "latest_start": "2025-10-10",
        "latest_start_end": "2025-10-15",
        "start_meets_deadline": False,
    }


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


def test_chinesecalendar_tables_read_as_its_is_workday_says_for_every_year():
    """The calendar reads chinesecalendar's tables directly (is_workday is slow); every day of
    every year the library holds must come out as the library's own is_workday says."""
    from toolkit.calendar.workdays import _read_libraries

    libs = _read_libraries()
    assert libs.cc_flags and set(libs.cc_flags) == set(libs.cc_years)
    for year, flags in libs.cc_flags.items():
        first = D(year, 1, 1)
        expected = bytes(chinese_calendar.is_workday(first + dt.timedelta(days=i)) for i in range(len(flags)))
        assert flags == expected, year


# --- the cache of what the libraries hold ------------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    from toolkit.calendar import workdays

    monkeypatch.setenv("OQTK_CACHE_DIR", str(tmp_path / "cache"))
    workdays._libraries.cache_clear()
    yield tmp_path / "cache"
    workdays._libraries.cache_clear()


def test_the_libraries_are_read_once_then_come_from_the_cache(fresh_cache, monkeypatch):
    from toolkit.calendar import workdays

    read = workdays._read_libraries()
    first = workdays._libraries()  # nothing cached yet: read, and written
    assert len(list(fresh_cache.glob("calendar-libraries-*.json"))) == 1
    assert first == read
    monkeypatch.setattr(workdays, "_read_libraries", lambda: pytest.fail("read the libraries again"))
    workdays._libraries.cache_clear()
    assert workdays._libraries() == read  # a new process: from the file, equal in every field


def test_a_cache_for_other_libraries_or_a_damaged_one_is_not_used(fresh_cache, monkeypatch):
    from toolkit.calendar import workdays

    workdays._libraries()
    (old,) = fresh_cache.glob("calendar-libraries-*.json")
    calls: list[int] = []
    read = workdays._read_libraries

    def counted():
        calls.append(1)
        return read()

    monkeypatch.setattr(workdays, "_read_libraries", counted)
    monkeypatch.setattr(workdays, "_libraries_key", lambda: "other-libraries")  # e.g. an upgrade
    workdays._libraries.cache_clear()
    assert workdays._libraries() == read()
    assert calls == [1]
    assert [p.name for p in fresh_cache.glob("calendar-libraries-*.json")] == [
        "calendar-libraries-other-libraries.json"
    ]  # the old one removed
    assert not old.exists()
    # a file that claims the key but is damaged: read again and rewritten
    current = fresh_cache / "calendar-libraries-other-libraries.json"
    current.write_text('{"key": "other-libraries", "holidays_years": [', encoding="utf-8")
    workdays._libraries.cache_clear()
    assert workdays._libraries() == read()
    assert calls == [1, 1]
    assert json.loads(current.read_text(encoding="utf-8"))["key"] == "other-libraries"


def test_the_key_follows_the_library_versions(monkeypatch):
    from importlib import metadata

    from toolkit.calendar import workdays

    key = workdays._libraries_key()
    real = metadata.distribution

    class Upgraded:
        def __init__(self, d):
            self._d = d
            self.version = d.version + ".post1"

        def locate_file(self, rel):
            return self._d.locate_file(rel)

    monkeypatch.setattr(
        metadata, "distribution", lambda name: Upgraded(real(name)) if name == "holidays" else real(name)
    )
    assert workdays._libraries_key() != key


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch):
    from toolkit.calendar import workdays

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("OQTK_CACHE_DIR", str(blocker / "cache"))
    workdays._libraries.cache_clear()
    try:
        assert workdays._libraries() == workdays._read_libraries()
    finally:
        workdays._libraries.cache_clear()
