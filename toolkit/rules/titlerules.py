"""The rules of a Category C title application, one small function each, returning findings.

Quoted basis (3.0 notice, "Supporting certificate holders in assessment and recognition of
professional titles"): 在本市从事与境外职业资格相关工作满1年 (at least one year of relevant work in
Shanghai); 申报工程技术类各级职称须具有理工科学位 (engineering titles need a science or engineering
degree); the degree-and-years thresholds of each level; 事业单位引进的境外专业人才须经主管部门推荐
(a public institution's applicant needs the supervising authority's recommendation); the round's
exclusions; the certificate's Category C level caps the title. Numbers and clauses come from
``data/policy``; :func:`~toolkit.rules.assess_title` combines them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..findings import Finding, Outcome, Source
from ..policy import clause, parameter, reading
from ..vocab import DEGREES, EMPLOYER_TYPES, LEVEL_ORDER, LEVELS
from .experience import completion_date, days_text, years_text
from .listdata import ListEntry
from .titledata import Round, Series

__all__ = [
    "Experience",
    "experience_checks",
    "level_en",
    "level_zh",
    "rule_employer",
    "rule_level_threshold",
    "rule_previous_round",
    "rule_qualification",
    "rule_science_degree",
    "rule_shanghai_minimum",
]


def level_zh(level: str) -> str:
    """The level's Chinese name (副高级)."""
    return LEVELS[level][0]


def level_en(level: str) -> str:
    """The level's English name as written inside a sentence (associate senior)."""
    return LEVELS[level][1].lower()


def _short_text(short: float, met_on: dt.date | None, until: dt.date | None, lang: str) -> str:
    """How much time is still missing: in days when under a month and the dates are known
    (one day short of 7 years reads "尚差1天"), else years and months."""
    if met_on is not None and until is not None and 0 < (met_on - until).days < 31:
        return days_text((met_on - until).days, lang)
    return years_text(short, lang)


@dataclass(frozen=True)
class Experience:
    """Years used by the rules, how they were obtained, and the start dates if known."""

    relevant: float | None
    shanghai: float | None
    relevant_since: dt.date | None
    shanghai_since: dt.date | None
    counted_until: dt.date | None
    cutoff: dt.date | None = None  # the round's cut-off, when the round sets the count's end


def rule_shanghai_minimum(exp: Experience, on: dt.date) -> Finding:
    """在本市从事与境外职业资格相关工作满1年 — at least 1 year of relevant work in Shanghai."""
    _from, need, src = parameter("shanghai_min_years").entry(on)
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
    _, when_zh, when_en = _when_met(
        exp.shanghai_since,
        int(need),
        exp.cutoff,
        data,
        lambda d: (
            f"；如持续工作，将于{d.isoformat()}满{years_text(need)}",
            f"; met on {d.isoformat()} if the work continues",
        ),
    )
    return Finding(
        "shanghai_years_short",
        Outcome.FAIL,
        f"在沪相关工作{years_text(exp.shanghai)}，不足{years_text(need)}{when_zh}",
        f"{years_text(exp.shanghai, 'en')} of relevant work in Shanghai; at least {years_text(need, 'en')} required{when_en}",
        src,
        data,
    )


def _when_met(
    since: dt.date | None,
    years: int,
    cutoff: dt.date | None,
    data: dict[str, Any],
    continues: Callable[[dt.date], tuple[str, str]],
) -> tuple[dt.date | None, str, str]:
    """When ``years`` of work from ``since`` complete (both ends counted), and the words for it.

    The date goes into ``data`` as ``met_on`` (with ``continues(date)``'s words), or — when it
    falls after the round's cut-off, where it opens nothing in the round — as
    ``met_after_cutoff``, saying so without a date promise. No start date: nothing to say.
    """
    if since is None:
        return None, "", ""
    d = completion_date(since, years)
    if cutoff is not None and d > cutoff:
        data["met_after_cutoff"] = d
        return (
            d,
            f"；将于{d.isoformat()}满{years_text(years)}，晚于本批次工作经历截止日{cutoff.isoformat()}，本批次内不能达到",
            f"; it reaches {years_text(years, 'en')} on {d.isoformat()}, after this round's experience cut-off "
            f"of {cutoff.isoformat()}, so not within this round",
        )
    data["met_on"] = d
    return (d, *continues(d))


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


def rule_level_threshold(level: str, degree: str | None, exp: Experience, on: dt.date) -> Finding:
    """学历和资历条件 — the degree and years of relevant work a level needs.

    Where the degree reaches ``level`` only through a higher level's threshold (a doctorate and
    junior), the finding cites the toolkit's reading ``higher_level_opens_lower`` (basis I).
    """
    _from, thresholds, src = parameter("title_thresholds").entry(on)
    code = f"{level}_threshold"
    if degree is None:
        return Finding(
            f"{code}_degree_missing",
            Outcome.MISSING,
            f"缺少学历学位，无法核对{level_zh(level)}条件",
            f"The degree is missing; the {level_en(level)} requirement cannot be checked",
            src,
        )
    need = _years_needed(thresholds, degree, level)
    dz, de = DEGREES[degree]
    if need is None:
        return Finding(
            f"{code}_degree_not_accepted",
            Outcome.FAIL,
            f"{dz}学历不在{level_zh(level)}职称的申报学历范围内",
            f"{_with_article(de)} degree is not among the degrees that qualify for {level_en(level)}",
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
            f"{dz}学位可申报{level_zh(level)}，不要求相关工作年限",
            f"{_with_article(de)} degree qualifies for {level_en(level)} with no years required",
            src,
            {"level": level, "degree": degree, "required": 0},
        )
    if exp.relevant is None:
        return Finding(
            f"{code}_years_missing",
            Outcome.MISSING,
            f"{dz}学位申报{level_zh(level)}须相关工作满{years_text(need)}：缺少相关工作年限（或起始日期）",
            f"{_with_article(de)} degree needs {years_text(need, 'en')} of relevant work for {level_en(level)}; the years (or start date) are missing",
            src,
            {"level": level, "degree": degree, "required": need},
        )
    data: dict[str, Any] = {"level": level, "degree": degree, "required": need, "years": exp.relevant}
    if exp.relevant >= need:
        has_zh, has_en = years_text(exp.relevant), years_text(exp.relevant, "en")
        return Finding(
            f"{code}_met",
            Outcome.PASS,
            f"{dz}学位、相关工作{has_zh}，满足{level_zh(level)}（须满{years_text(need)}）",
            f"{de} with {has_en} of relevant work meets {level_en(level)} ({years_text(need, 'en')} required)",
            src,
            data,
        )
    return _years_short(level, degree, need, exp.relevant, exp, src, data)


def _years_short(
    level: str, degree: str, need: int, has: float, exp: Experience, src: Source, data: dict[str, Any]
) -> Finding:
    """``<level>_threshold_years_short``: how much is missing and, with a start date, the date the
    level opens if the work continues (or that it opens only after the round's cut-off)."""
    dz, de = DEGREES[degree]
    d, when_zh, when_en = _when_met(
        exp.relevant_since,
        need,
        exp.cutoff,
        data,
        lambda d: (
            f"；如持续从事相关工作，可于{d.isoformat()}起申报{level_zh(level)}",
            f"; eligible for {level_en(level)} from {d.isoformat()} if the work continues",
        ),
    )
    short = need - has
    data["short_by"] = short
    has_zh, has_en = years_text(has), years_text(has, "en")
    short_zh = _short_text(short, d, exp.counted_until, "zh")
    short_en = _short_text(short, d, exp.counted_until, "en")
    return Finding(
        f"{level}_threshold_years_short",
        Outcome.FAIL,
        f"{dz}学位申报{level_zh(level)}须相关工作满{years_text(need)}，现为{has_zh}，尚差{short_zh}{when_zh}",
        f"{de} needs {years_text(need, 'en')} of relevant work for {level_en(level)}; has {has_en}, short by {short_en}{when_en}",
        src,
        data,
    )


def _with_article(noun: str) -> str:
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
            f"{entry.name_zh}属{version}版清单C类，对应{level_zh(cap) if cap else '（级别未载）'}",
            f"{entry.name_en} is in Category C on List {version}, mapping to {level_en(cap) if cap else '(level not stated)'}",
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


def experience_checks(
    exp: Experience, relevant_since: dt.date | None, shanghai_since: dt.date | None
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
