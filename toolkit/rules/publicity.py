"""The employer's publicity period (公示期): how long it must be, and whether one was long enough.

The rule (Chinese first; the Chinese notice prevails)::

    用人单位审核申报材料、考察业绩，并公示不少于5个工作日。
    Employers review all documents, assess performance and publicise the materials
    for at least five working days.
    — 3.0 notice (in force 2025-11-14) and the round-3 announcement (2025-08-25).

The number and its clause are data: ``data/policy/publicity_working_days.yaml`` (the value in force
on the start date decides). How the days are counted is the toolkit's reading
(``data/policy/readings.yaml``: ``publicity_days_counted``): in the official Chinese working-day
calendar (:mod:`toolkit.calendar`), both ends included, from the first working day on or after the
start. A date in a year whose schedule is not loaded raises
:class:`~toolkit.exceptions.CalendarNotCovered`; an answer touching a day next year's notice could
still change carries the ``publicity_provisional_days`` check.

Reason codes: ``publicity_end_computed`` (info), ``publicity_long_enough`` (pass),
``publicity_too_short`` and ``publicity_end_before_start`` (fail; in a case, missing: the employer
can publicise again), ``publicity_provisional_days`` (check), ``publicity_calendar_not_covered``
(missing, in a case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..calendar import (
    IMPORT_COMMAND,
    IMPORT_COMMAND_EN,
    PROVISIONAL_PARAMETER,
    CalendarSource,
    Day,
    as_date,
    count_working_days,
    days_between,
    first_provisional_days,
    last_working_days_start,
    nth_working_day,
    sources_between,
)
from ..exceptions import CalendarNotCovered, PolicyDataError, PolicyNotInForce, ToolkitError
from ..findings import Finding, Outcome, Source
from ..paths import data_dir
from ..policy import on_reload, parameter, reading

__all__ = [
    "PUBLICITY_PARAMETER",
    "PublicityCheck",
    "PublicityWindow",
    "assess_publicity",
    "check_publicity",
    "latest_publicity_start",
    "provisional_finding",
    "publicity_end_date",
    "publicity_window",
    "required_working_days",
    "rule_source",
    "rule_text",
]

PUBLICITY_PARAMETER = "publicity_working_days"
COUNTING_READING = "publicity_days_counted"


# --------------------------------------------------------------------------------------------
# The rule: how many working days, and where that comes from


def required_working_days(on: dt.date, working_days: int | None = None) -> int:
    """The working days a publicity starting on ``on`` must last: ``working_days`` if given, else
    the policy number in force on ``on``. Raises :class:`~toolkit.exceptions.PolicyNotInForce`
    before the first rule."""
    if working_days is None:
        rule = parameter(PUBLICITY_PARAMETER)
        n = rule.at(on)
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


def rule_source(on: dt.date) -> Source | None:
    """The clause of the rule in force on ``on``; None before the first rule (or bad data)."""
    try:
        return parameter(PUBLICITY_PARAMETER).source_at(on)
    except PolicyDataError:
        return None


def rule_text(on: dt.date | None = None) -> tuple[str, str] | None:
    """The rule in force on ``on`` (default today) in one sentence per language, with how days are
    counted (the toolkit's reading); None before the first rule."""
    try:
        n = required_working_days(on or dt.date.today())
    except PolicyNotInForce:
        return None
    counted = reading(COUNTING_READING)
    return (
        f"用人单位公示申报材料不少于{n}个工作日。{counted.clause_zh}。",
        f"The employer publicises the materials for at least {n} working days. {counted.clause_en}.",
    )


def publicity_end_date(start: dt.date, working_days: int | None = None) -> dt.date:
    """The last day of a publicity period that starts on ``start``.

    The period begins on ``start`` if it is a working day, otherwise on the next working day,
    and ends on the N-th working day counted inclusively. N is ``working_days``, or (None) the
    policy number in force on ``start`` (``data/policy/publicity_working_days.yaml``: 5).
    E.g. 2025-09-29 → 2025-10-11 (a make-up Saturday); 2026-02-14 (make-up Saturday) → 2026-02-27.
    """
    if type(start) is not dt.date:
        start = as_date(start, "start")
    # The batch's hot path: a valid count is used as it is.
    n = (
        working_days
        if type(working_days) is int and working_days >= 1
        else required_working_days(start, working_days)
    )
    return nth_working_day(start, n)


def latest_publicity_start(deadline: dt.date, working_days: int | None = None) -> dt.date:
    """The latest start date whose publicity period ends on or before ``deadline``.

    It is a working day: the first day of the N working days that end on the last working day on
    or before ``deadline``. With ``working_days=None`` N is the policy number in force on that
    start date, as in :func:`publicity_end_date`.
    """
    deadline = as_date(deadline, "deadline")
    n = required_working_days(deadline, working_days)
    start = last_working_days_start(deadline, n)
    if working_days is None:  # the rule in force on the start date decides
        for _ in range(3):
            n2 = required_working_days(start)
            if n2 == n:
                break
            n = n2
            start = last_working_days_start(deadline, n)
    return start


# --------------------------------------------------------------------------------------------
# Provisional days: next year's notice could still change them


def provisional_finding(start: dt.date, end: dt.date) -> Finding | None:
    """A ``check`` finding when a day from ``start`` to ``end`` (both included) is provisional.

    While year Y+1's holiday schedule is not loaded, the days of late December Y could still be
    changed by its notice (the 2019 notice made 2018-12-29 a working Saturday and 2018-12-31 a day
    off), so an end date, window, count or check that touches one must be checked again.
    """
    start, end = as_date(start, "start"), as_date(end, "end")
    lo, hi = min(start, end), max(start, end)
    firsts = first_provisional_days()
    for y in range(lo.year, hi.year + 1):
        first = firsts.get(y)
        if first is None or hi < first or lo > dt.date(y, 12, 31):
            continue
        nxt, f = y + 1, first.isoformat()
        cmd, cmd_en = IMPORT_COMMAND.format(year=nxt), IMPORT_COMMAND_EN.format(year=nxt)
        return Finding(
            "publicity_provisional_days",
            Outcome.CHECK,
            f"{nxt}年节假日安排尚未载入，{f} 及以后的日期待国务院办公厅通知公布后复核"
            f"（{lo.isoformat()} 至 {hi.isoformat()} 含这些日期）。通知公布后请管理员导入：{cmd}",
            f"The {nxt} holiday schedule is not loaded yet: dates from {f} may still be changed by the "
            f"State Council General Office notice, so check this period ({lo.isoformat()} to "
            f"{hi.isoformat()}) again once it is published. The administrator imports it with: {cmd_en}",
            parameter(PROVISIONAL_PARAMETER).source_at(dt.date(y, 12, 31)),
            {"year": nxt, "provisional_from": first, "start": lo, "end": hi},
        )
    return None


# --------------------------------------------------------------------------------------------
# A period day by day


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
    start = as_date(start, "start")
    n = required_working_days(start, working_days)
    end = nth_working_day(start, n)
    days = days_between(start, end)
    counted = [x.date for x in days if x.working]
    skipped = [(x.date, x.label_zh, x.label_en) for x in days if not x.working]
    prov = provisional_finding(start, end)
    return PublicityWindow(
        start,
        counted[0],
        end,
        n,
        counted,
        skipped,
        days,
        rule_source(start),
        sources_between(start.year, end.year),
        [prov] if prov else [],
    )


# --------------------------------------------------------------------------------------------
# Checking a period that ran


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


def _check_finding(start: dt.date, end: dt.date, counted: int, n: int, earliest: dt.date) -> Finding:
    """The decision on a period that ran: long enough, too short, or ending before it starts."""
    s, e, ee = start.isoformat(), end.isoformat(), earliest.isoformat()
    shortfall = n if end < start else max(0, n - counted)
    data: dict[str, Any] = {
        "start": start,
        "end": end,
        "counted": counted,
        "required": n,
        "earliest_valid_end": earliest,
        "shortfall": shortfall,
    }
    src = rule_source(start)
    if end < start:
        return Finding(
            "publicity_end_before_start",
            Outcome.FAIL,
            f"公示结束日 {e} 早于开始日 {s}，请核对日期；自 {s} 起公示 {n} 个工作日，最早于 {ee} 结束。",
            f"The publicity end date {e} is before its start date {s}: check the dates. "
            f"A period of {n} working days from {s} ends on {ee} at the earliest.",
            src,
            data,
        )
    if counted >= n:
        return Finding(
            "publicity_long_enough",
            Outcome.PASS,
            f"公示期 {s} 至 {e} 含 {counted} 个工作日，满足不少于 {n} 个工作日的要求。",
            f"The publicity period {s} to {e} has {counted} working days: at least {n} are required. Met.",
            src,
            data,
        )
    return Finding(
        "publicity_too_short",
        Outcome.FAIL,
        f"公示期 {s} 至 {e} 仅含 {counted} 个工作日，少于规定的 {n} 个工作日，差 {shortfall} 个；"
        f"自 {s} 起公示，最早应于 {ee} 结束。",
        f"The publicity period {s} to {e} has only {counted} working days, {shortfall} short of the "
        f"{n} required; a period from {s} ends on {ee} at the earliest.",
        src,
        data,
    )


def check_publicity(start: dt.date, end: dt.date, working_days: int | None = None) -> PublicityCheck:
    """Check a publicity period that ran from ``start`` to ``end`` (both included).

    《3.0版通知》：用人单位……公示不少于5个工作日 — the employer publicises the materials for at
    least five working days. Finding codes: ``publicity_long_enough``, ``publicity_too_short``,
    ``publicity_end_before_start``.
    """
    start, end = as_date(start, "start"), as_date(end, "end")
    n = required_working_days(start, working_days)
    earliest = nth_working_day(start, n)
    counted = count_working_days(start, end)
    finding = _check_finding(start, end, counted, n, earliest)
    prov = provisional_finding(start, max(end, earliest))
    shortfall = finding.data["shortfall"]
    return PublicityCheck(start, end, finding.passed, counted, n, shortfall, earliest, finding, prov)


# --------------------------------------------------------------------------------------------
# One case's publicity, as the case assessment shows it


def _computed_end(start: dt.date) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """No end given: the end the rule gives (``publicity_end_computed``)."""
    rule = parameter(PUBLICITY_PARAMETER)
    required = required_working_days(start)
    end = nth_working_day(start, required)
    info = {"start": start.isoformat(), "end": end.isoformat(), "required": required, "given_end": None}
    prov = provisional_finding(start, end)  # late December, next year not loaded
    computed = Finding(
        "publicity_end_computed",
        Outcome.INFO,
        f"公示期{start.isoformat()}起，至{end.isoformat()}止（{required}个工作日）",
        f"Publicity from {start.isoformat()} ends on {end.isoformat()} ({required} working days)",
        rule.source_at(start),
        {"end": end},
    )
    return info, (computed, *((prov,) if prov else ()))


def _checked_period(start: dt.date, given_end: dt.date) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """An end given: the check; a period too short is a step to take (missing), not a refusal."""
    chk = check_publicity(start, given_end)
    info = {
        "start": start.isoformat(),
        "end": given_end.isoformat(),
        "required": chk.required,
        "counted": chk.counted,
        "shortfall": chk.shortfall,
        "earliest_valid_end": chk.earliest_valid_end.isoformat(),
    }
    f = chk.finding
    if f.outcome is Outcome.FAIL:  # the employer can publicise again
        f = Finding(f.code, Outcome.MISSING, f.zh, f.en, f.source, f.data)
    return info, ((f, chk.provisional) if chk.provisional else (f,))


def _cannot_compute(zh: str, en: str, data: dict[str, Any] | None = None) -> tuple[None, tuple[Finding, ...]]:
    return None, (Finding("publicity_calendar_not_covered", Outcome.MISSING, zh, en, None, data or {}),)


@lru_cache(maxsize=4096)
def _assess_publicity_cached(
    start: dt.date, given_end: dt.date | None, root: Path
) -> tuple[dict[str, Any] | None, tuple[Finding, ...]]:
    try:
        return _computed_end(start) if given_end is None else _checked_period(start, given_end)
    except PolicyNotInForce:
        raise  # the case names the date that precedes the rule
    except CalendarNotCovered as exc:  # the year's schedule is not loaded: an officer's message
        return _cannot_compute(
            f"{exc.year}年的法定节假日安排尚未载入，无法计算公示期：请人工核对公示期，"
            "或待系统管理员载入该年安排后重新评估",
            f"The official holiday schedule for {exc.year} is not loaded, so the publicity period cannot "
            "be computed: check it by hand, or re-assess once the system administrator loads the schedule",
            {"year": exc.year},
        )
    except ToolkitError as exc:  # other toolkit errors (bad policy data): say so, don't guess
        return _cannot_compute(f"无法计算公示期：{exc}", f"The publicity period cannot be computed: {exc}")


on_reload(_assess_publicity_cached.cache_clear)


def assess_publicity(
    start: dt.date, given_end: dt.date | None = None
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """One case's publicity: the computed end (no end given) or the check of the end given, as
    (facts for the result, findings). Raises :class:`~toolkit.exceptions.PolicyNotInForce` when
    ``start`` precedes the first rule. Memoised per data folder (a batch shares a few dates);
    callers get their own copy of the facts."""
    info, findings = _assess_publicity_cached(start, given_end, data_dir())
    return (dict(info) if info is not None else None), list(findings)
