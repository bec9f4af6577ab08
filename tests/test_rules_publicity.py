"""The employer's publicity period (toolkit.rules.publicity) against the official schedules
(FACTS.md §5): the end of a period, the latest start for a deadline, a period that ran checked,
the rule's clause and the case-level findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import CalendarNotCovered, Outcome, PolicyNotInForce
from toolkit.calendar import DayKind, add_working_days, count_working_days, day_info, is_working_day
from toolkit.cli import main
from toolkit.rules.publicity import (
    assess_publicity,
    check_publicity,
    latest_publicity_start,
    publicity_end_date,
    publicity_window,
    required_working_days,
    rule_text,
)

D = dt.date
LAST_COVERED = D(2026, 12, 31)  # with holidays 0.109 / chinesecalendar 1.11.0


pytestmark = pytest.mark.usefixtures("shipped_data")  # these tests read the shipped data/


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


def test_start_on_a_holiday_begins_on_the_next_working_day():
    w = publicity_window(D(2025, 10, 1))
    assert w.first_day == D(2025, 10, 9)
    assert w.end == D(2025, 10, 14)  # 9, 10, 11 (make-up Sat), 13, 14
    assert w.skipped[0] == (D(2025, 10, 1), "国庆节", "National Day")


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


# --- the rule: its number, its clause, the officer's sentence ------------------------------------


def test_the_number_and_its_clause_are_the_policy_data_in_force_on_the_start():
    assert required_working_days(D(2025, 8, 25)) == 5
    assert required_working_days(D(2025, 8, 25), 7) == 7  # a number given wins
    with pytest.raises(PolicyNotInForce):
        required_working_days(D(2025, 8, 24))  # before the round-3 announcement
    with pytest.raises(ValueError, match="at least 1"):
        required_working_days(D(2025, 9, 1), 0)
    assert publicity_window(D(2025, 11, 13)).source.doc_id == "round3_2025"
    assert publicity_window(D(2025, 11, 14)).source.doc_id == "notice_3_0"


def test_the_rule_sentence_says_the_number_and_how_days_are_counted():
    zh, en = rule_text(D(2026, 3, 2))
    assert "不少于5个工作日" in zh and "首尾两日均计入" in zh and "本工具的理解" in zh
    assert "at least 5 working days" in en and "toolkit's reading" in en
    assert rule_text(D(2024, 1, 1)) is None  # before any rule


def test_a_case_without_an_end_gets_the_computed_end_with_the_clause():
    info, findings = assess_publicity(D(2025, 9, 29))
    assert info == {"start": "2025-09-29", "end": "2025-10-11", "required": 5, "given_end": None}
    (f,) = findings
    assert f.code == "publicity_end_computed" and f.outcome is Outcome.INFO
    assert f.source is not None and f.source.doc_id == "round3_2025"


def test_a_case_whose_period_was_too_short_has_a_step_to_take_not_a_refusal():
    info, findings = assess_publicity(D(2025, 9, 29), D(2025, 10, 10))
    assert (info["counted"], info["shortfall"], info["earliest_valid_end"]) == (4, 1, "2025-10-11")
    (f,) = findings
    assert f.code == "publicity_too_short" and f.outcome is Outcome.MISSING
    ok_info, (ok,) = assess_publicity(D(2025, 9, 29), D(2025, 10, 11))
    assert ok.code == "publicity_long_enough" and ok.passed and ok_info["shortfall"] == 0


def test_a_case_reaching_an_unloaded_year_says_so_in_the_officers_words():
    info, (f,) = assess_publicity(D(2026, 12, 28))
    assert info is None
    assert f.code == "publicity_calendar_not_covered" and f.outcome is Outcome.MISSING
    assert "2027年的法定节假日安排尚未载入" in f.zh and f.data == {"year": 2027}


def test_each_caller_gets_its_own_copy_of_the_facts():
    info, findings = assess_publicity(D(2025, 9, 29))
    info["end"] = "changed"
    findings.clear()
    again, findings2 = assess_publicity(D(2025, 9, 29))
    assert again["end"] == "2025-10-11" and findings2
