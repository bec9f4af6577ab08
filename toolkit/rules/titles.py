"""Category C professional-title eligibility.

Quoted basis (3.0 notice, "Supporting certificate holders in assessment and recognition of
professional titles", 2. Education and experience requirements):

    在本市从事与境外职业资格相关工作满1年；申报工程技术类各级职称须具有理工科学位。
    "Applicants must have at least one year of relevant work experience in Shanghai in a field
    connected to their overseas qualification. Those seeking engineering and technical titles at
    all levels must possess a degree in science or engineering."
    Junior: master's or second bachelor's; or bachelor's + 1 year.
    Intermediate: doctorate; or master's/second bachelor's + 2 years; or bachelor's + 5 years.
    Associate senior: doctorate + 2; master's/second bachelor's + 7; bachelor's + 10 years.

Every number comes from ``data/policy`` (``title_thresholds``, ``shanghai_min_years``,
``title_series``, ``rounds``: :mod:`.titledata`); each rule is a small function returning a
:class:`Finding` (:mod:`.titlerules`); :func:`assess_title` applies them and decides the levels.
A degree that meets a higher level's threshold also meets the levels below it (a doctorate
meets junior). Experience given as dates counts both ends (see :mod:`.experience`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..clock import today
from ..exceptions import ToolkitError
from ..findings import Finding, Outcome
from ..vocab import DEGREES, EMPLOYER_TYPES, LEVEL_ORDER, LEVELS
from .experience import years_between
from .listdata import ListEntry, get_version, list_version_to_use
from .requirements import rule_basic_requirements
from .titledata import Round, Series, rounds, title_series
from .titlerules import (
    Experience,
    experience_checks,
    level_en,
    level_zh,
    rule_employer,
    rule_level_threshold,
    rule_previous_round,
    rule_qualification,
    rule_science_degree,
    rule_shanghai_minimum,
)

__all__ = ["Round", "Series", "TitleAssessment", "assess_title", "rounds", "title_series"]


@dataclass(frozen=True)
class TitleAssessment:
    """The answer for a Category C title application.

    ``highest``: the highest level the applicant may apply for, or None. ``eligible``: levels,
    lowest first. ``findings``: one per rule checked, passed or not. ``eligible_from``: for a
    level not yet reached where only time is missing, the date it will be reached if the work
    continues. ``title_zh``/``title_en``: the title for the requested level, else the highest.
    """

    series: str | None
    series_zh: str | None
    series_en: str | None
    highest: str | None
    eligible: tuple[str, ...]
    requested: str | None
    title_zh: str | None
    title_en: str | None
    findings: tuple[Finding, ...]
    eligible_from: dict[str, dt.date] = field(default_factory=dict)
    experience: dict[str, Any] = field(default_factory=dict)

    @property
    def requested_ok(self) -> bool | None:
        """Whether the requested level is open (None when no level was requested)."""
        return None if self.requested is None else self.requested in self.eligible

    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.FAIL]

    def missing(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.MISSING]

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "series_zh": self.series_zh,
            "series_en": self.series_en,
            "highest": self.highest,
            "eligible": list(self.eligible),
            "requested": self.requested,
            "requested_ok": self.requested_ok,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "eligible_from": {k: v.isoformat() for k, v in self.eligible_from.items()},
            "experience": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.experience.items()
            },
            "findings": [f.to_dict() for f in self.findings],
        }


def _as_bool(v: Any) -> bool | None:
    return None if v is None else bool(v)


def _years_since(
    name: str, given: float | None, since: dt.date | None, until: dt.date | None
) -> float | None:
    """Years given as a number (checked), else counted from ``since`` to ``until`` (both ends)."""
    if given is not None:
        if not isinstance(given, int | float) or given < 0 or given != given:
            raise ToolkitError(f"{name} 须为非负数 / {name} must be a non-negative number, got {given!r}")
        return given
    if since is None:
        return None
    if until is None:
        raise ToolkitError("按日期计算年限须给出 as_of / as_of is required when experience is given as dates")
    return years_between(since, until) if since <= until else 0.0


def _experience(
    relevant_years: float | None,
    shanghai_years: float | None,
    relevant_since: dt.date | None,
    shanghai_since: dt.date | None,
    until: dt.date | None,
    as_of: dt.date | None,
) -> Experience:
    """The experience counted up to ``until`` (``as_of``, or a round's earlier cut-off, which is
    then recorded as the ``cutoff``)."""
    return Experience(
        _years_since("relevant_years", relevant_years, relevant_since, until),
        _years_since("shanghai_years", shanghai_years, shanghai_since, until),
        relevant_since if relevant_years is None else None,
        shanghai_since if shanghai_years is None else None,
        until,
        cutoff=until if until is not None and until != as_of else None,
    )


def _checked_inputs(
    series: str, degree: str | None, employer_type: str | None, level: str | None, round_id: str | None
) -> tuple[Series, Round | None]:
    """The series and round named, after refusing any unknown code with the codes known."""
    all_series = title_series()
    if series not in all_series:
        raise ToolkitError(
            f"未知的职称系列 {series!r} / Unknown title series; known: {', '.join(all_series)}"
        )
    if degree is not None and degree not in DEGREES:
        raise ToolkitError(f"未知的学历 {degree!r} / Unknown degree; use one of {', '.join(DEGREES)}")
    if employer_type is not None and employer_type not in EMPLOYER_TYPES:
        raise ToolkitError(
            f"未知的单位性质 {employer_type!r} / Unknown employer type; use one of {', '.join(EMPLOYER_TYPES)}"
        )
    if level is not None and level not in LEVELS:
        raise ToolkitError(f"未知的级别 {level!r} / Unknown level; use one of {', '.join(LEVELS)}")
    if round_id is not None and round_id not in rounds():
        raise ToolkitError(f"未知的评审批次 {round_id!r} / Unknown round; known: {', '.join(rounds())}")
    return all_series[series], rounds()[round_id] if round_id is not None else None


def _optional(finding: Finding | None) -> list[Finding]:
    return [finding] if finding is not None else []


def _capped(cap: str, entry: ListEntry | None) -> Finding:
    return Finding(
        "level_capped_by_qualification",
        Outcome.INFO,
        f"证书对应{level_zh(cap)}，申报级别以此为限",
        f"The certificate maps to {level_en(cap)}; higher levels are not open",
        entry.source if entry else None,
        {"cap": cap},
    )


def _round_applied(rnd: Round, until: dt.date | None) -> Finding:
    return Finding(
        "round_applied",
        Outcome.INFO,
        f"按{rnd.name_zh}规则评估" + (f"，工作经历计算至{until.isoformat()}" if until else ""),
        f"Assessed under {rnd.name_en}"
        + (f"; experience counted up to {until.isoformat()}" if until else ""),
        rnd.source,
        {"round": rnd.id, "counted_until": until},
    )


def _entry(
    qualification: ListEntry | str | None, list_version: str | None, on: dt.date, findings: list[Finding]
) -> ListEntry | None:
    """The List entry a title rests on: given, or found by id on ``list_version`` — by default on
    the version :func:`~toolkit.rules.list_version_to_use` gives for ``on``, whose fallback
    finding (if any) is appended to ``findings``."""
    if not isinstance(qualification, str):
        return qualification
    if list_version is None:
        choice = list_version_to_use(on)
        version, fallback = choice.version, choice.finding
    else:
        version, fallback = get_version(list_version), None
    entry = version.get(qualification)
    if entry is None:
        raise ToolkitError(f"清单{version.version}版中无此证书 {qualification!r} / Not on the List version")
    if fallback is not None:
        findings.append(fallback)
    return entry


def _eligible_from(
    levels: tuple[str, ...] | list[str],
    level_findings: dict[str, Finding],
    general: list[Finding],
    q_findings: list[Finding],
) -> dict[str, dt.date]:
    """The date each level not yet reached opens, when time alone is missing: nothing else fails
    or is missing (a Shanghai shortfall is time too, and the later of the two dates counts)."""
    sh = next((g for g in general if g.code == "shanghai_years_short"), None)
    only_time = all(
        g.outcome not in (Outcome.FAIL, Outcome.MISSING) or g.code == "shanghai_years_short" for g in general
    ) and not any(g.outcome is Outcome.FAIL for g in q_findings)
    out: dict[str, dt.date] = {}
    for lvl in levels:
        f = level_findings[lvl]
        if only_time and f.outcome is Outcome.FAIL and "met_on" in f.data:
            d = f.data["met_on"]
            if sh is not None and "met_on" in sh.data:
                d = max(d, sh.data["met_on"])
            out[lvl] = d
    return out


def _requested_level(
    requested: str, eligible: tuple[str, ...], meets: list[str], blocking: list[Finding], highest: str | None
) -> Finding:
    """Whether the level asked for is open, pending a missing item, or not open."""
    if requested in eligible:
        return Finding(
            "requested_level_open",
            Outcome.PASS,
            f"可申报所选{level_zh(requested)}",
            f"The requested {level_en(requested)} level is open",
        )
    if requested in meets and not any(f.outcome is Outcome.FAIL for f in blocking):
        # the level is reached; only a fixable item is missing: a step to take, not a refusal
        return Finding(
            "requested_level_pending",
            Outcome.MISSING,
            f"所选{level_zh(requested)}的学历与年限条件已满足，补齐缺项后可申报",
            f"The requested {level_en(requested)} level's degree and years are met; it opens once the missing items are supplied",
            None,
            {"requested": requested},
        )
    extra_zh = f"（最高可申报{level_zh(highest)}）" if highest else ""
    extra_en = f" (highest open: {level_en(highest)})" if highest else ""
    return Finding(
        "requested_level_not_open",
        Outcome.FAIL,
        f"所选{level_zh(requested)}暂不可申报{extra_zh}",
        f"The requested {level_en(requested)} level is not open{extra_en}",
        None,
        {"requested": requested, "highest": highest},
    )


def assess_title(
    *,
    degree: str | None,
    series: str,
    relevant_years: float | None = None,
    shanghai_years: float | None = None,
    relevant_since: dt.date | None = None,
    shanghai_since: dt.date | None = None,
    as_of: dt.date | None = None,
    science_or_engineering_degree: bool | None = None,
    qualification: ListEntry | str | None = None,
    list_version: str | None = None,
    employer_type: str | None = None,
    recommended_by_authority: bool | None = None,
    previous_round: bool | None = None,
    round_id: str | None = None,
    requested_level: str | None = None,
    basic_requirements: Mapping[str, bool | None] | None = None,
) -> TitleAssessment:
    """Whether and at which level a Category C holder may apply for a title in ``series``.

    Experience: give ``relevant_years``/``shanghai_years`` (numbers, fractions allowed) or
    ``relevant_since``/``shanghai_since`` with ``as_of`` (dates; both ends counted). With a
    ``round_id``, experience counts up to the round's cut-off and its exclusions apply.
    ``qualification`` (a List entry, or its id on ``list_version`` — by default the version
    :func:`~toolkit.rules.list_version_to_use` gives, saying when it falls back) caps the level at
    the one the C entry maps to. Policy numbers are read from ``data/policy`` as in force on ``as_of``.
    ``basic_requirements`` maps each checklist item's code (``data/policy/basic_requirements.yaml``)
    to the officer's tick: True met, False not met (refuses), None or absent still to check.
    """
    on = as_of or today()
    s, rnd = _checked_inputs(series, degree, employer_type, requested_level, round_id)
    cutoff = rnd.experience_cutoff if rnd else None
    until = cutoff if cutoff and as_of and cutoff < as_of else as_of  # a round's cut-off ends the count
    exp = _experience(relevant_years, shanghai_years, relevant_since, shanghai_since, until, as_of)
    findings = [_round_applied(rnd, until)] if rnd else []
    findings += experience_checks(exp, relevant_since, shanghai_since)
    entry = _entry(qualification, list_version, on, findings)
    q_findings, cap = rule_qualification(entry, entry.version if entry else "", s)
    findings += q_findings

    general = [
        rule_shanghai_minimum(exp, on),
        *_optional(rule_science_degree(s, _as_bool(science_or_engineering_degree))),
        *rule_employer(employer_type, _as_bool(recommended_by_authority), rnd),
        *_optional(rule_previous_round(_as_bool(previous_round), rnd)),
        *rule_basic_requirements(basic_requirements, employer_type),
    ]
    findings += general

    levels = LEVEL_ORDER if cap is None else LEVEL_ORDER[: LEVEL_ORDER.index(cap) + 1]
    level_findings = {lvl: rule_level_threshold(lvl, degree, exp, on) for lvl in levels}
    findings += level_findings.values()
    if cap is not None and cap != LEVEL_ORDER[-1]:
        findings.append(_capped(cap, entry))
    blocking = [f for f in (*q_findings, *general) if f.outcome in (Outcome.FAIL, Outcome.MISSING)]
    meets = [lvl for lvl in levels if level_findings[lvl].outcome is Outcome.PASS]
    eligible = tuple(meets) if not blocking else ()
    highest = eligible[-1] if eligible else None
    if requested_level is not None:
        findings.append(_requested_level(requested_level, eligible, meets, blocking, highest))
    title = s.titles.get(requested_level or highest or "")
    return TitleAssessment(
        series=s.code,
        series_zh=s.name_zh,
        series_en=s.name_en,
        highest=highest,
        eligible=eligible,
        requested=requested_level,
        title_zh=title[0] if title else None,
        title_en=title[1] if title else None,
        findings=tuple(findings),
        eligible_from=_eligible_from(levels, level_findings, general, q_findings),
        experience={
            "relevant_years": exp.relevant,
            "shanghai_years": exp.shanghai,
            "counted_until": exp.counted_until,
        },
    )
