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
``title_series``, ``rounds``); each rule below is a small function returning a :class:`Finding`.
A degree that meets a higher level's threshold also meets the levels below it (a doctorate
meets junior). Experience given as dates counts both ends (see :mod:`.experience`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..exceptions import PolicyDataError, ToolkitError
from ..findings import Finding, Outcome, Source
from ..models import StrictModel
from ..paths import data_dir
from ..policy import RefModel, clause, load_model, on_reload, parameter, reading, ref_to_source
from ..vocab import DEGREES, EMPLOYER_TYPES, LEVEL_ORDER, LEVELS
from .experience import completion_date, days_text, years_between, years_text
from .listdata import ListEntry, get_version
from .requirements import rule_basic_requirements

__all__ = ["Round", "TitleAssessment", "assess_title", "rounds", "title_series"]


# --- data: series and rounds --------------------------------------------------------------------


class _TitleName(StrictModel):
    zh: str
    en: str


class _SeriesModel(StrictModel):
    name_zh: str
    name_en: str
    requires_science_or_engineering_degree: bool
    titles: dict[str, _TitleName]
    ref: RefModel


class _SeriesFile(StrictModel):
    series: dict[str, _SeriesModel]


@dataclass(frozen=True)
class Series:
    code: str
    name_zh: str
    name_en: str
    requires_science_or_engineering_degree: bool
    titles: dict[str, tuple[str, str]]
    source: Source


@cache
def _series(root: Path) -> dict[str, Series]:
    path = root / "policy" / "title_series.yaml"
    model = load_model(path, _SeriesFile)
    out = {}
    for code, s in model.series.items():
        if set(s.titles) != set(LEVEL_ORDER):
            raise PolicyDataError(
                path, f"series.{code}.titles", f"must name a title for each of {', '.join(LEVEL_ORDER)}"
            )
        out[code] = Series(
            code,
            s.name_zh,
            s.name_en,
            s.requires_science_or_engineering_degree,
            {lvl: (t.zh, t.en) for lvl, t in s.titles.items()},
            ref_to_source(s.ref, path),
        )
    return out


class _RoundModel(StrictModel):
    id: str
    name_zh: str
    name_en: str
    announced: dt.date
    list_versions: list[str]
    experience_cutoff: dt.date | None = None
    excludes_previous_rounds: bool = False
    employer_types: list[str] | None = None
    ref: RefModel


class _RoundsFile(StrictModel):
    rounds: list[_RoundModel]


@dataclass(frozen=True)
class Round:
    """An evaluation round: which List versions, the experience cut-off, exclusions."""

    id: str
    name_zh: str
    name_en: str
    announced: dt.date
    list_versions: tuple[str, ...]
    experience_cutoff: dt.date | None
    excludes_previous_rounds: bool
    employer_types: tuple[str, ...] | None
    source: Source


@cache
def _rounds(root: Path) -> dict[str, Round]:
    path = root / "policy" / "rounds.yaml"
    model = load_model(path, _RoundsFile)
    out: dict[str, Round] = {}
    for r in model.rounds:
        if r.id in out:
            raise PolicyDataError(path, f"rounds[{r.id}]", "duplicate round id")
        bad = set(r.employer_types or ()) - set(EMPLOYER_TYPES)
        if bad:
            raise PolicyDataError(
                path, f"rounds[{r.id}].employer_types", f"unknown employer type {sorted(bad)}"
            )
        out[r.id] = Round(
            r.id,
            r.name_zh,
            r.name_en,
            r.announced,
            tuple(r.list_versions),
            r.experience_cutoff,
            r.excludes_previous_rounds,
            tuple(r.employer_types) if r.employer_types is not None else None,
            ref_to_source(r.ref, path),
        )
    return out


on_reload(_series.cache_clear)
on_reload(_rounds.cache_clear)


def title_series() -> dict[str, Series]:
    """Title series known to the toolkit (``data/policy/title_series.yaml``)."""
    return _series(data_dir())


def rounds() -> dict[str, Round]:
    """Evaluation rounds (``data/policy/rounds.yaml``)."""
    return _rounds(data_dir())


# --- result ---------------------------------------------------------------------------------


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


# --- rules ----------------------------------------------------------------------------------


def _lz(level: str) -> str:
    return LEVELS[level][0]


def _le(level: str) -> str:
    return LEVELS[level][1].lower()


def _short_text(short: float, met_on: dt.date | None, until: dt.date | None, lang: str) -> str:
    """How much time is still missing: in days when under a month and the dates are known
    (one day short of 7 years reads "尚差1天"), else years and months."""
    if met_on is not None and until is not None and 0 < (met_on - until).days < 31:
        return days_text((met_on - until).days, lang)
    return years_text(short, lang)


@dataclass(frozen=True)
class _Experience:
    """Years used by the rules, how they were obtained, and the start dates if known."""

    relevant: float | None
    shanghai: float | None
    relevant_since: dt.date | None
    shanghai_since: dt.date | None
    counted_until: dt.date | None
    cutoff: dt.date | None = None  # the round's cut-off, when the round sets the count's end


def rule_shanghai_minimum(exp: _Experience, on: dt.date) -> Finding:
    """在本市从事与境外职业资格相关工作满1年 — at least 1 year of relevant work in Shanghai."""
    need = parameter("shanghai_min_years").at(on)
    src = parameter("shanghai_min_years").source_at(on)
    if exp.shanghai is None:
        return Finding(
            "shanghai_years_missing",
            Outcome.MISSING,
            f"缺少在沪相关工作年限（或起始日期），无法核对满{need}年的要求",
            f"Years of relevant work in Shanghai (or the start date) are missing; the {need}-year minimum cannot be checked",
            src,
            {"required": need},
        )
    if exp.shanghai >= need:
        return Finding(
            "shanghai_years_met",
            Outcome.PASS,
            f"在沪相关工作{years_text(exp.shanghai)}，满{years_text(need)}",
            f"{years_text(exp.shanghai, 'en')} of relevant work in Shanghai; at least {years_text(need, 'en')} required",
            src,
            {"years": exp.shanghai, "required": need},
        )
    data: dict[str, Any] = {"years": exp.shanghai, "required": need}
    when_zh = when_en = ""
    if exp.shanghai_since:
        d = completion_date(exp.shanghai_since, int(need))
        if exp.cutoff is not None and d > exp.cutoff:
            data["met_after_cutoff"] = d
            when_zh, when_en = _after_cutoff(
                d, exp.cutoff, f"满{years_text(need)}", f"reaches {years_text(need, 'en')}"
            )
        else:
            data["met_on"] = d
            when_zh, when_en = (
                f"；如持续工作，将于{d.isoformat()}满{years_text(need)}",
                f"; met on {d.isoformat()} if the work continues",
            )
    return Finding(
        "shanghai_years_short",
        Outcome.FAIL,
        f"在沪相关工作{years_text(exp.shanghai)}，不足{years_text(need)}{when_zh}",
        f"{years_text(exp.shanghai, 'en')} of relevant work in Shanghai; at least {years_text(need, 'en')} required{when_en}",
        src,
        data,
    )


def _after_cutoff(d: dt.date, cutoff: dt.date, what_zh: str, what_en: str) -> tuple[str, str]:
    """A date that falls after the round's cut-off opens nothing in the round: say so, no date promise."""
    return (
        f"；将于{d.isoformat()}{what_zh}，晚于本批次工作经历截止日{cutoff.isoformat()}，本批次内不能达到",
        f"; it {what_en} on {d.isoformat()}, after this round's experience cut-off of {cutoff.isoformat()}, "
        "so not within this round",
    )


def rule_science_degree(series: Series, science_degree: bool | None) -> Finding | None:
    """申报工程技术类各级职称须具有理工科学位 — engineering titles need a science/engineering degree."""
    if not series.requires_science_or_engineering_degree:
        return None
    if science_degree is None:
        return Finding(
            "science_degree_missing",
            Outcome.MISSING,
            f"申报{series.name_zh}系列须具有理工科学位：请填写是否为理工科学位",
            f"{series.name_en} titles need a science or engineering degree: state whether the degree is one",
            series.source,
        )
    if science_degree:
        return Finding(
            "science_degree_met",
            Outcome.PASS,
            f"具有理工科学位，符合{series.name_zh}系列要求",
            f"Science or engineering degree, as {series.name_en} titles require",
            series.source,
        )
    return Finding(
        "science_degree_required",
        Outcome.FAIL,
        f"申报{series.name_zh}系列各级职称须具有理工科学位，申请人学位不属理工科",
        f"{series.name_en} titles at every level need a science or engineering degree; the applicant's is not one",
        series.source,
    )


def _years_needed(thresholds: dict[str, dict[str, int]], degree: str, level: str) -> int | None:
    """Fewest years with which ``degree`` reaches ``level``: its own threshold or a higher level's."""
    at_or_above = LEVEL_ORDER[LEVEL_ORDER.index(level) :]
    options = [thresholds[lvl][degree] for lvl in at_or_above if degree in thresholds.get(lvl, {})]
    return min(options) if options else None


def rule_level_threshold(level: str, degree: str | None, exp: _Experience, on: dt.date) -> Finding:
    """学历和资历条件 — the degree and years of relevant work a level needs.

    Where the degree reaches ``level`` only through a higher level's threshold (a doctorate and
    junior), the finding cites the toolkit's reading ``higher_level_opens_lower`` (basis I).
    """
    thresholds = parameter("title_thresholds").at(on)
    src = parameter("title_thresholds").source_at(on)
    code = f"{level}_threshold"
    if degree is None:
        return Finding(
            f"{code}_degree_missing",
            Outcome.MISSING,
            f"缺少学历学位，无法核对{_lz(level)}条件",
            f"The degree is missing; the {_le(level)} requirement cannot be checked",
            src,
        )
    need = _years_needed(thresholds, degree, level)
    dz, de = DEGREES[degree]
    if need is None:
        return Finding(
            f"{code}_degree_not_accepted",
            Outcome.FAIL,
            f"{dz}学历不在{_lz(level)}职称的申报学历范围内",
            f"{_a(de)} degree is not among the degrees that qualify for {_le(level)}",
            src,
            {"level": level, "degree": degree},
        )
    own = thresholds.get(level, {}).get(degree)
    if own is None or need < own:
        src = reading("higher_level_opens_lower")
    if need == 0:
        return Finding(
            f"{code}_met",
            Outcome.PASS,
            f"{dz}学位可申报{_lz(level)}，不要求相关工作年限",
            f"{_a(de)} degree qualifies for {_le(level)} with no years required",
            src,
            {"level": level, "degree": degree, "required": 0},
        )
    if exp.relevant is None:
        return Finding(
            f"{code}_years_missing",
            Outcome.MISSING,
            f"{dz}学位申报{_lz(level)}须相关工作满{years_text(need)}：缺少相关工作年限（或起始日期）",
            f"{_a(de)} degree needs {years_text(need, 'en')} of relevant work for {_le(level)}; the years (or start date) are missing",
            src,
            {"level": level, "degree": degree, "required": need},
        )
    data: dict[str, Any] = {"level": level, "degree": degree, "required": need, "years": exp.relevant}
    has_zh, has_en = years_text(exp.relevant), years_text(exp.relevant, "en")
    if exp.relevant >= need:
        return Finding(
            f"{code}_met",
            Outcome.PASS,
            f"{dz}学位、相关工作{has_zh}，满足{_lz(level)}（须满{years_text(need)}）",
            f"{de} with {has_en} of relevant work meets {_le(level)} ({years_text(need, 'en')} required)",
            src,
            data,
        )
    when_zh = when_en = ""
    d = None
    if exp.relevant_since:
        d = completion_date(exp.relevant_since, need)
        if exp.cutoff is not None and d > exp.cutoff:
            data["met_after_cutoff"] = d
            when_zh, when_en = _after_cutoff(
                d, exp.cutoff, f"满{years_text(need)}", f"reaches {years_text(need, 'en')}"
            )
        else:
            data["met_on"] = d
            when_zh = f"；如持续从事相关工作，可于{d.isoformat()}起申报{_lz(level)}"
            when_en = f"; eligible for {_le(level)} from {d.isoformat()} if the work continues"
    short = need - exp.relevant
    data["short_by"] = short
    short_zh = _short_text(short, d, exp.counted_until, "zh")
    short_en = _short_text(short, d, exp.counted_until, "en")
    return Finding(
        f"{code}_years_short",
        Outcome.FAIL,
        f"{dz}学位申报{_lz(level)}须相关工作满{years_text(need)}，现为{has_zh}，尚差{short_zh}{when_zh}",
        f"{de} needs {years_text(need, 'en')} of relevant work for {_le(level)}; has {has_en}, short by {short_en}{when_en}",
        src,
        data,
    )


def _a(noun: str) -> str:
    """English article for a degree name ("An associate", "A master's")."""
    return ("An " if noun[:1].lower() in "aeiou" else "A ") + noun.lower()


def rule_employer(employer_type: str | None, recommended: bool | None, rnd: Round | None) -> list[Finding]:
    """事业单位引进的境外专业人才须经主管部门推荐 — public institutions need the authority's recommendation."""
    out: list[Finding] = []
    notice = clause("public_institution_recommendation")
    if (
        rnd
        and rnd.employer_types is not None
        and employer_type is not None
        and employer_type not in rnd.employer_types
    ):
        names = "、".join(EMPLOYER_TYPES[t][0] for t in rnd.employer_types)
        out.append(
            Finding(
                "round_employer_type_not_included",
                Outcome.FAIL,
                f"{rnd.name_zh}面向{names}的人员，{EMPLOYER_TYPES[employer_type][0]}人员不在本批范围内",
                f"{rnd.name_en} is open to staff of {', '.join(EMPLOYER_TYPES[t][1].lower() for t in rnd.employer_types)}; "
                f"a {EMPLOYER_TYPES[employer_type][1].lower()} is not included",
                rnd.source,
                {"employer_type": employer_type},
            )
        )
    if employer_type == "public_institution":
        if recommended:
            out.append(
                Finding(
                    "authority_recommendation_given",
                    Outcome.PASS,
                    "事业单位人员，已经主管部门推荐",
                    "Public-institution applicant recommended by the supervising authority",
                    notice,
                )
            )
        else:
            out.append(
                Finding(
                    "authority_recommendation_missing",
                    Outcome.MISSING,
                    "事业单位人员须经主管部门推荐后申报：请取得主管部门推荐",
                    "A public-institution applicant needs the supervising authority's recommendation: obtain it before applying",
                    notice,
                )
            )
    elif employer_type is None:
        out.append(
            Finding(
                "employer_type_missing",
                Outcome.CHECK,
                "未填写单位性质：如为事业单位，须经主管部门推荐",
                "Employer type not given: a public institution's applicant needs the supervising authority's recommendation",
                notice,
            )
        )
    return out


def rule_previous_round(previous_round: bool | None, rnd: Round | None) -> Finding | None:
    """参加过往期评审的人员不得申报（依各批次通知）— exclusion of earlier rounds' participants."""
    if rnd is None or not rnd.excludes_previous_rounds:
        return None
    if previous_round is None:
        return Finding(
            "previous_round_unknown",
            Outcome.MISSING,
            f"请填写是否参加过往期认定（{rnd.name_zh}不接受往期参评人员）",
            f"State whether the applicant took part in an earlier round ({rnd.name_en} excludes them)",
            rnd.source,
        )
    if previous_round:
        return Finding(
            "previous_round_excluded",
            Outcome.FAIL,
            f"曾参加往期认定，不得参加{rnd.name_zh}",
            f"Took part in an earlier round, so may not apply in {rnd.name_en}",
            rnd.source,
        )
    return Finding(
        "previous_round_clear",
        Outcome.PASS,
        "未参加过往期认定",
        "Has not taken part in an earlier round",
        rnd.source,
    )


def rule_qualification(
    entry: ListEntry | None, version: str, series: Series
) -> tuple[list[Finding], str | None]:
    """C类证书持证人员可直接申报相应系列职称 — the certificate must be in Category C; its level caps the title."""
    if entry is None:
        return [], None
    out = []
    if "C" not in entry.categories:
        out.append(
            Finding(
                "qualification_not_category_c",
                Outcome.FAIL,
                f"{entry.name_zh}在{version}版清单中不属C类，不能据此申报职称",
                f"{entry.name_en} is not in Category C on List {version}, so it does not open a title application",
                entry.source,
                {"entry_id": entry.id},
            )
        )
        return out, None
    cap = entry.c_level
    out.append(
        Finding(
            "qualification_category_c",
            Outcome.PASS,
            f"{entry.name_zh}属{version}版清单C类，对应{_lz(cap) if cap else '（级别未载）'}",
            f"{entry.name_en} is in Category C on List {version}, mapping to {_le(cap) if cap else '(level not stated)'}",
            entry.source,
            {"entry_id": entry.id, "c_level": cap},
        )
    )
    if entry.c_series and series.code not in entry.c_series:
        out.append(
            Finding(
                "series_not_matching",
                Outcome.FAIL,
                f"{entry.name_zh}对应的职称系列为{'、'.join(entry.c_series)}，与申报的{series.name_zh}不符",
                f"{entry.name_en} maps to the {', '.join(entry.c_series)} series, not {series.name_en}",
                entry.source,
            )
        )
    elif not entry.c_series:
        out.append(
            Finding(
                "series_to_confirm",
                Outcome.CHECK,
                f"清单数据未载明{entry.name_zh}对应的职称系列：请核对申报的{series.name_zh}系列是否为“相应系列”",
                f"The List data does not state {entry.name_en}'s title series: check that {series.name_en} is the relevant series",
                entry.source,
            )
        )
    return out, cap


def _experience_checks(
    exp: _Experience, relevant_since: dt.date | None, shanghai_since: dt.date | None
) -> list[Finding]:
    """What the officer must look at in the experience itself (outcome ``check``, never a refusal).

    - Shanghai years longer than the relevant years: relevant work in Shanghai is part of the
      relevant work, so one of the two figures (or dates) is likely wrong.
    - A start on 29 February: its anniversaries follow the toolkit's reading (basis I).
    """
    out: list[Finding] = []
    if exp.relevant is not None and exp.shanghai is not None and exp.shanghai > exp.relevant + 1e-9:
        out.append(
            Finding(
                "shanghai_years_exceed_relevant",
                Outcome.CHECK,
                f"在沪相关工作（{years_text(exp.shanghai)}）长于相关工作总年限（{years_text(exp.relevant)}）："
                "在沪工作属于相关工作的一部分，请核对两项年限或起始日期",
                f"Relevant work in Shanghai ({years_text(exp.shanghai, 'en')}) is longer than all relevant work "
                f"({years_text(exp.relevant, 'en')}): Shanghai work is part of the relevant work; check both figures or start dates",
                reading("shanghai_within_relevant"),
                {"relevant_years": exp.relevant, "shanghai_years": exp.shanghai},
            )
        )
    feb29 = [d for d in (relevant_since, shanghai_since) if d is not None and (d.month, d.day) == (2, 29)]
    if feb29:
        out.append(
            Finding(
                "start_on_29_february",
                Outcome.INFO,
                f"工作起始日为{feb29[0].isoformat()}（2月29日）：平年周年日按3月1日计，属本工具的理解",
                f"Work began on {feb29[0].isoformat()} (29 February): anniversaries in common years fall on "
                "1 March, the toolkit's reading",
                reading("feb29_anniversary"),
                {"start": feb29[0]},
            )
        )
    return out


# --- the assessment -------------------------------------------------------------------------


def _as_bool(v: Any) -> bool | None:
    return None if v is None else bool(v)


def _experience(
    relevant_years: float | None,
    shanghai_years: float | None,
    relevant_since: dt.date | None,
    shanghai_since: dt.date | None,
    until: dt.date | None,
) -> _Experience:
    for name, val in (("relevant_years", relevant_years), ("shanghai_years", shanghai_years)):
        if val is not None and (not isinstance(val, int | float) or val < 0 or val != val):
            raise ToolkitError(f"{name} 须为非负数 / {name} must be a non-negative number, got {val!r}")
    rel = relevant_years
    sh = shanghai_years
    if rel is None and relevant_since is not None:
        if until is None:
            raise ToolkitError(
                "按日期计算年限须给出 as_of / as_of is required when experience is given as dates"
            )
        rel = years_between(relevant_since, until) if relevant_since <= until else 0.0
    if sh is None and shanghai_since is not None:
        if until is None:
            raise ToolkitError(
                "按日期计算年限须给出 as_of / as_of is required when experience is given as dates"
            )
        sh = years_between(shanghai_since, until) if shanghai_since <= until else 0.0
    return _Experience(
        rel,
        sh,
        relevant_since if relevant_years is None else None,
        shanghai_since if shanghai_years is None else None,
        until,
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
    ``qualification`` (a List entry or its id on ``list_version``) caps the level at the one the
    C entry maps to. Policy numbers are read from ``data/policy`` as in force on ``as_of``.
    ``basic_requirements`` maps each checklist item's code (``data/policy/basic_requirements.yaml``)
    to the officer's tick: True met, False not met (refuses), None or absent still to check.
    """
    on = as_of or dt.date.today()
    all_series = title_series()
    if series not in all_series:
        raise ToolkitError(
            f"未知的职称系列 {series!r} / Unknown title series; known: {', '.join(all_series)}"
        )
    s = all_series[series]
    if degree is not None and degree not in DEGREES:
        raise ToolkitError(f"未知的学历 {degree!r} / Unknown degree; use one of {', '.join(DEGREES)}")
    if employer_type is not None and employer_type not in EMPLOYER_TYPES:
        raise ToolkitError(
            f"未知的单位性质 {employer_type!r} / Unknown employer type; use one of {', '.join(EMPLOYER_TYPES)}"
        )
    if requested_level is not None and requested_level not in LEVELS:
        raise ToolkitError(f"未知的级别 {requested_level!r} / Unknown level; use one of {', '.join(LEVELS)}")
    rnd = None
    if round_id is not None:
        if round_id not in rounds():
            raise ToolkitError(f"未知的评审批次 {round_id!r} / Unknown round; known: {', '.join(rounds())}")
        rnd = rounds()[round_id]

    findings: list[Finding] = []
    until = as_of
    if rnd and rnd.experience_cutoff and as_of and rnd.experience_cutoff < as_of:
        until = rnd.experience_cutoff
    if rnd:
        findings.append(
            Finding(
                "round_applied",
                Outcome.INFO,
                f"按{rnd.name_zh}规则评估" + (f"，工作经历计算至{until.isoformat()}" if until else ""),
                f"Assessed under {rnd.name_en}"
                + (f"; experience counted up to {until.isoformat()}" if until else ""),
                rnd.source,
                {"round": rnd.id, "counted_until": until},
            )
        )
    exp = _experience(relevant_years, shanghai_years, relevant_since, shanghai_since, until)
    if until is not None and until != as_of:
        exp = replace(exp, cutoff=until)
    findings += _experience_checks(exp, relevant_since, shanghai_since)

    entry: ListEntry | None
    if isinstance(qualification, str):
        entry = get_version(list_version, on).get(qualification)
        if entry is None:
            raise ToolkitError(
                f"清单{get_version(list_version, on).version}版中无此证书 {qualification!r} / Not on the List version"
            )
    else:
        entry = qualification
    q_findings, cap = rule_qualification(entry, entry.version if entry else "", s)
    findings += q_findings

    general: list[Finding] = [rule_shanghai_minimum(exp, on)]
    sci = rule_science_degree(s, _as_bool(science_or_engineering_degree))
    if sci:
        general.append(sci)
    general += rule_employer(employer_type, _as_bool(recommended_by_authority), rnd)
    prev = rule_previous_round(_as_bool(previous_round), rnd)
    if prev:
        general.append(prev)
    general += rule_basic_requirements(basic_requirements, employer_type)
    findings += general

    levels = LEVEL_ORDER if cap is None else LEVEL_ORDER[: LEVEL_ORDER.index(cap) + 1]
    level_findings = {lvl: rule_level_threshold(lvl, degree, exp, on) for lvl in levels}
    findings += level_findings.values()
    if cap is not None and cap != LEVEL_ORDER[-1]:
        findings.append(
            Finding(
                "level_capped_by_qualification",
                Outcome.INFO,
                f"证书对应{_lz(cap)}，申报级别以此为限",
                f"The certificate maps to {_le(cap)}; higher levels are not open",
                entry.source if entry else None,
                {"cap": cap},
            )
        )

    blocking = [f for f in (*q_findings, *general) if f.outcome in (Outcome.FAIL, Outcome.MISSING)]
    meets = [lvl for lvl in levels if level_findings[lvl].outcome is Outcome.PASS]
    eligible = tuple(meets) if not blocking else ()
    highest = eligible[-1] if eligible else None

    # A level not yet reached gets a date only when time alone is missing: nothing else fails or is
    # missing (a Shanghai shortfall is time too, and the later of the two dates counts).
    eligible_from: dict[str, dt.date] = {}
    sh = next((g for g in general if g.code == "shanghai_years_short"), None)
    only_time = all(
        g.outcome not in (Outcome.FAIL, Outcome.MISSING) or g.code == "shanghai_years_short" for g in general
    ) and not any(g.outcome is Outcome.FAIL for g in q_findings)
    for lvl in levels:
        f = level_findings[lvl]
        if only_time and f.outcome is Outcome.FAIL and "met_on" in f.data:
            d = f.data["met_on"]
            if sh is not None and "met_on" in sh.data:
                d = max(d, sh.data["met_on"])
            eligible_from[lvl] = d

    if requested_level is not None:
        if requested_level in eligible:
            findings.append(
                Finding(
                    "requested_level_open",
                    Outcome.PASS,
                    f"可申报所选{_lz(requested_level)}",
                    f"The requested {_le(requested_level)} level is open",
                )
            )
        elif requested_level in meets and not any(f.outcome is Outcome.FAIL for f in blocking):
            # the level is reached; only a fixable item is missing: a step to take, not a refusal
            findings.append(
                Finding(
                    "requested_level_pending",
                    Outcome.MISSING,
                    f"所选{_lz(requested_level)}的学历与年限条件已满足，补齐缺项后可申报",
                    f"The requested {_le(requested_level)} level's degree and years are met; it opens once the missing items are supplied",
                    None,
                    {"requested": requested_level},
                )
            )
        else:
            extra_zh = f"（最高可申报{_lz(highest)}）" if highest else ""
            extra_en = f" (highest open: {_le(highest)})" if highest else ""
            findings.append(
                Finding(
                    "requested_level_not_open",
                    Outcome.FAIL,
                    f"所选{_lz(requested_level)}暂不可申报{extra_zh}",
                    f"The requested {_le(requested_level)} level is not open{extra_en}",
                    None,
                    {"requested": requested_level, "highest": highest},
                )
            )
    name_level = requested_level or highest
    title = s.titles.get(name_level) if name_level else None
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
        eligible_from=eligible_from,
        experience={
            "relevant_years": exp.relevant,
            "shanghai_years": exp.shanghai,
            "counted_until": exp.counted_until,
        },
    )
