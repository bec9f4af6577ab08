"""One applicant, end to end: certificates → categories → services → title → publicity → status.

This is the single decision the single-assessment form, the intake review and the batch run
all show. Status (see README, "Statuses"):

- ``invalid``: nothing can be assessed (no certificate given).
- ``not_eligible``: a rule is not met (certificate not on the List; title conditions not met).
- ``incomplete``: information is missing or a step is still to take (certificate not verified on
  the platform, authority recommendation missing, certificate not confirmable on a partial List,
  publicity too short, …) and no rule fails outright.
- ``eligible``: the certificate is on the List and — when the case asks for a title, i.e. a title
  series is given or the certificate is in Category C — a title level is open (the requested
  level, if one was requested).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..clock import today
from ..exceptions import PolicyNotInForce, ToolkitError
from ..findings import Finding, Outcome
from ..paths import data_dir
from ..policy import clause, on_reload
from ..vocab import HOLDER_TYPES, LEVEL_ORDER
from .checks import case_checks
from .listdata import ListVersion, VersionChoice, get_version
from .listsearch import QualificationMatch, find_qualifications
from .publicity import assess_publicity
from .services import Service, services_for
from .titles import TitleAssessment, assess_title

__all__ = ["CaseInput", "CaseResult", "assess_case"]

MATCH_ACCEPT = 0.999  # only an exact name/abbreviation match counts as identifying the certificate


@dataclass(frozen=True)
class CaseInput:
    """The facts of one application (the intake sheet's columns, already parsed)."""

    application_id: str | None = None
    full_name: str | None = None
    holder_type: str | None = None
    shanghai_hukou: bool | None = None
    date_of_birth: dt.date | None = None
    qualifications: tuple[str, ...] = ()
    certificate_numbers: tuple[str, ...] = ()
    verified: bool | None = None
    degree: str | None = None
    science_or_engineering_degree: bool | None = None
    title_series: str | None = None
    title_level: str | None = None
    relevant_since: dt.date | None = None
    relevant_years: float | None = None
    shanghai_since: dt.date | None = None
    shanghai_years: float | None = None
    employer: str | None = None
    employer_type: str | None = None
    recommended_by_authority: bool | None = None
    previous_round: bool | None = None
    publicity_start: dt.date | None = None
    publicity_end: dt.date | None = None
    round_id: str | None = None
    # the officer's ticks on the basic requirements: (code, True/False/None) pairs
    basic_requirements: tuple[tuple[str, bool | None], ...] = ()


@dataclass(frozen=True)
class CaseResult:
    status: str
    list_version: str
    as_of: dt.date
    matches: tuple[QualificationMatch, ...]
    categories: tuple[str, ...]
    services: tuple[Service, ...]
    title: TitleAssessment | None
    publicity: dict[str, Any] | None
    findings: tuple[Finding, ...]  # case-level findings (certificate, verification, publicity)
    list_partial_zh: str | None = None
    list_partial_en: str | None = None
    decisive: tuple[Finding, ...] = ()  # the findings that decide the status
    extra: dict[str, Any] = field(default_factory=dict)

    def all_findings(self) -> list[Finding]:
        return [*self.findings, *(self.title.findings if self.title else ())]

    def reasons(self, lang: str = "zh") -> list[str]:
        """The findings that decide the status, as text (fails, or missing items, or what passed)."""
        return [f.text(lang) for f in self.decisive]

    def reason_codes(self) -> list[str]:
        return [f.code for f in self.decisive]

    def headline(self, lang: str = "zh") -> str:
        """The decision in one line: the status and the few findings that decide it (what is open
        and, for a higher level, the date it opens; or the failed or missing items, at most three)."""
        from ..vocab import LEVELS, STATUSES

        zh = lang == "zh"
        status = STATUSES[self.status][0 if zh else 1]
        t = self.title
        parts: list[str] = []
        if self.status == "eligible" and t is not None and t.highest:
            lvl = LEVELS[t.highest][0 if zh else 1]
            name = (t.title_zh if zh else t.title_en) or lvl
            parts.append(f"可申报{name}（{lvl}）" if zh else f"may apply for {name} ({lvl.lower()})")
            for level, d in t.eligible_from.items():
                lz, le = LEVELS[level]
                parts.append(
                    f"如持续从事相关工作，{d.isoformat()}起可申报{lz}"
                    if zh
                    else f"{le.lower()} from {d.isoformat()} if the work continues"
                )
        else:
            shown = self.decisive[:3]
            parts += [f.text(lang) for f in shown]
            if len(self.decisive) > len(shown):
                more = len(self.decisive) - len(shown)
                parts.append(f"另有{more}项" if zh else f"{more} more")
        sep = "；" if zh else "; "
        return (
            f"{status}：{sep.join(parts)}"
            if zh and parts
            else (f"{status}: {sep.join(parts)}" if parts else status)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "list_version": self.list_version,
            "as_of": self.as_of.isoformat(),
            "categories": list(self.categories),
            "matches": [m.to_dict() for m in self.matches],
            "services": [s.to_dict() for s in self.services],
            "title": self.title.to_dict() if self.title else None,
            "publicity": self.publicity,
            "findings": [f.to_dict() for f in self.findings],
            "reason_codes": self.reason_codes(),
            "list_partial_zh": self.list_partial_zh,
            "list_partial_en": self.list_partial_en,
        }


def _match_certificate(text: str, version: str) -> tuple[QualificationMatch | None, Finding]:
    """Identify one certificate text on a (resolved) List version; cached per distinct text and
    version (an intake sheet repeats certificates)."""
    return _match_certificate_cached(text, version, data_dir())


@lru_cache(maxsize=4096)
def _match_certificate_cached(
    text: str, version: str, root: Path
) -> tuple[QualificationMatch | None, Finding]:
    notice = clause("the_list")
    hits = find_qualifications(text, version)
    exact = [m for m in hits if m.score >= MATCH_ACCEPT]
    if len(exact) > 1:
        on_list = [m for m in exact if m.status == "on_list"]
        names = "；".join(f"{m.name_zh}（{m.name_en}）" for m in exact)
        return None, Finding(
            "qualification_ambiguous",
            Outcome.MISSING,
            f"“{text}”可指多个证书：{names}。请填写证书全称",
            f"“{text}” matches several certificates: {'; '.join(m.name_en for m in exact)}. Give the full name",
            notice,
            {"text": text, "candidates": [m.entry_id for m in exact], "on_list": len(on_list)},
        )
    if not exact:
        near = "、".join(m.name_zh for m in hits[:3])
        hint_zh = f"相近的有：{near}" if near else "清单中无相近名称"
        hint_en = (
            f"near matches: {', '.join(m.name_en for m in hits[:3])}" if hits else "no near match on the List"
        )
        v = get_version(version)
        if v.complete:
            return None, Finding(
                "qualification_not_on_list",
                Outcome.FAIL,
                f"“{text}”不在{version}版清单上（{hint_zh}）",
                f"“{text}” is not on List {version} ({hint_en})",
                v.source,
                {"text": text},
            )
        return None, Finding(
            "qualification_not_found_partial_list",
            Outcome.MISSING,
            f"“{text}”未在已载入的{version}版清单条目中找到；清单附件未完整载入，未找到不等于不在清单上：请对照附件核对（附件由系统管理员导入）（{hint_zh}）",
            f"“{text}” is not among the loaded entries of List {version}; the annex is not fully loaded, so not found does not mean not listed — check it against the annex (the system administrator imports it) ({hint_en})",
            v.source,
            {"text": text},
        )
    m = exact[0]
    if m.status == "on_list":
        return m, Finding(
            "qualification_on_list",
            Outcome.PASS,
            f"{m.name_zh}：{version}版清单{'、'.join(m.categories)}类",
            f"{m.name_en}: List {version}, Category {', '.join(m.categories)}",
            m.entry.source,
            {"entry_id": m.entry_id, "categories": list(m.categories)},
        )
    outcome = Outcome.FAIL if m.status in ("removed", "not_yet_listed") else Outcome.MISSING
    return m, Finding(
        f"qualification_{m.status}",
        outcome,
        f"{m.name_zh}：{m.note_zh}",
        f"{m.name_en}: {m.note_en}",
        m.entry.source,
        {"entry_id": m.entry_id},
    )


on_reload(_match_certificate_cached.cache_clear)


def _age(dob: dt.date | None, on: dt.date) -> int | None:
    if dob is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _publicity(case: CaseInput) -> tuple[dict[str, Any] | None, list[Finding]]:
    if case.publicity_start is None:
        return None, []
    try:
        return assess_publicity(case.publicity_start, case.publicity_end)
    except PolicyNotInForce as exc:  # a start before the first publicity rule
        return None, [_not_in_force(exc, "公示开始日", "The publicity start")]


def assess_case(
    case: CaseInput, as_of: dt.date | None = None, list_version: str | VersionChoice | None = None
) -> CaseResult:
    """Assess one application against a List version: the one given by name, the one in force on
    ``as_of`` (None), or the one a :class:`~toolkit.rules.VersionChoice` names — pass
    ``list_version_to_use(as_of)`` to assess on the newest version with entries while the one in
    force has none; the case then carries the choice's ``list_version_fallback`` finding.

    Certificates, then the officer's checks, services, the title (when a series is given or a
    certificate is in Category C) and publicity; the status follows from the findings
    (:func:`_status`).
    """
    as_of = as_of or today()
    choice = list_version if isinstance(list_version, VersionChoice) else None
    if isinstance(list_version, VersionChoice):
        if list_version.on != as_of:
            raise ToolkitError(
                f"清单版本的选择日期{list_version.on.isoformat()}与评估日{as_of.isoformat()}不一致 / the List "
                f"version was chosen for {list_version.on.isoformat()}, not the assessment date {as_of.isoformat()}"
            )
        version = list_version.version
    else:
        version = get_version(list_version, as_of)
    if not case.qualifications:
        missing = Finding(
            "qualification_missing",
            Outcome.MISSING,
            "未填写境外职业资格证书",
            "No overseas qualification given",
        )
        return _result("invalid", version, as_of, findings=[missing])
    findings, matches = _certificates(case, version.version)
    categories = tuple(sorted({c for m in matches for c in m.categories}))
    by_date = list_version is None or choice is not None
    findings += case_checks(case, version, by_date, as_of, choice.finding if choice else None)
    services = _services(case, categories, as_of, findings)
    wants_title = case.title_series is not None or "C" in categories
    title = _title(case, version.version, matches, as_of, findings) if wants_title else None
    publicity, pub_findings = _publicity(case)
    findings += pub_findings
    status, decisive = _status(findings, title, categories, wants_title)
    return _result(
        status,
        version,
        as_of,
        findings=findings,
        matches=matches,
        categories=categories,
        services=services,
        title=title,
        publicity=publicity,
        decisive=decisive,
    )


def _result(
    status: str,
    version: ListVersion,
    as_of: dt.date,
    *,
    findings: list[Finding],
    matches: list[QualificationMatch] | None = None,
    categories: tuple[str, ...] = (),
    services: tuple[Service, ...] = (),
    title: TitleAssessment | None = None,
    publicity: dict[str, Any] | None = None,
    decisive: list[Finding] | None = None,
) -> CaseResult:
    return CaseResult(
        status,
        version.version,
        as_of,
        tuple(matches or ()),
        categories,
        services,
        title,
        publicity,
        tuple(findings),
        version.partial_notice("zh"),
        version.partial_notice("en"),
        tuple(decisive or ()),
    )


def _certificates(case: CaseInput, version: str) -> tuple[list[Finding], list[QualificationMatch]]:
    """One finding per certificate text, the certificates on the List, and — when one is — whether
    it is verified on the city's platform (评审程序：通过本市境外职业资格证书核验平台完成核验)."""
    findings: list[Finding] = []
    matches: list[QualificationMatch] = []
    for text in case.qualifications:
        m, f = _match_certificate(text, version)
        findings.append(f)
        if m is not None and m.status == "on_list":
            matches.append(m)
    if matches and case.verified is True:
        findings.append(
            Finding(
                "certificate_verified",
                Outcome.PASS,
                "证书已通过市境外职业资格证书核验平台核验",
                "Certificate verified on the city's verification platform",
            )
        )
    elif matches:
        findings.append(
            Finding(
                "certificate_not_verified",
                Outcome.MISSING,
                "证书尚未在本市境外职业资格证书核验平台完成核验：请先完成平台核验",
                "The certificate is not yet verified on the city's verification platform: complete the verification first",
                clause("verification_platform"),
            )
        )
    return findings, matches


def _services(
    case: CaseInput, categories: tuple[str, ...], as_of: dt.date, findings: list[Finding]
) -> tuple[Service, ...]:
    """The services of the certificates' categories for this holder; without a holder type, a
    ``holder_type_missing`` finding (appended to ``findings``) and no services."""
    if not categories:
        return ()
    if case.holder_type not in HOLDER_TYPES:
        findings.append(
            Finding(
                "holder_type_missing",
                Outcome.MISSING,
                "未填写人员类别，无法确定可享受的服务",
                "Holder type missing: the services cannot be determined",
            )
        )
        return ()
    age = _age(case.date_of_birth, as_of)
    return tuple(services_for(categories, case.holder_type, case.shanghai_hukou, on=as_of, age=age))


def _title(
    case: CaseInput,
    version: str,
    matches: list[QualificationMatch],
    as_of: dt.date,
    findings: list[Finding],
) -> TitleAssessment | None:
    """The title assessment on the first Category C certificate, or the finding (appended to
    ``findings``) that stops it: no series given, no certificate in Category C."""
    c_match = next((m for m in matches if "C" in m.categories), None)
    if case.title_series is None:
        findings.append(
            Finding(
                "title_series_missing",
                Outcome.MISSING,
                "C类证书：请填写申报职称系列",
                "Category C certificate: give the title series to apply in",
            )
        )
        return None
    if not matches:
        return None
    if c_match is None:
        findings.append(
            Finding(
                "qualification_not_category_c",
                Outcome.FAIL,
                f"所持证书在{version}版清单中均不属C类，不能据此申报职称",
                f"None of the certificates is in Category C on List {version}; no title application follows",
                matches[0].entry.source,
            )
        )
        return None
    return _title_or_finding(
        findings,
        degree=case.degree,
        series=case.title_series,
        relevant_years=case.relevant_years,
        shanghai_years=case.shanghai_years,
        relevant_since=case.relevant_since,
        shanghai_since=case.shanghai_since,
        as_of=as_of,
        science_or_engineering_degree=case.science_or_engineering_degree,
        qualification=c_match.entry,
        employer_type=case.employer_type,
        recommended_by_authority=case.recommended_by_authority,
        previous_round=case.previous_round,
        round_id=case.round_id,
        requested_level=case.title_level,
        basic_requirements=dict(case.basic_requirements),
    )


def _status(
    findings: list[Finding], title: TitleAssessment | None, categories: tuple[str, ...], wants_title: bool
) -> tuple[str, list[Finding]]:
    """The status and the findings that decide it (see the module docstring).

    Per-level threshold findings decide only when no level is open; otherwise a higher level not
    yet reached is information (with its date), not a reason to refuse.
    """
    every = list(findings)
    if title is not None:
        every += [f for f in title.findings if title.highest is None or not _is_level_finding(f)]
    fails = [f for f in every if f.outcome is Outcome.FAIL]
    missing = [f for f in every if f.outcome is Outcome.MISSING]
    if fails:
        return "not_eligible", fails
    if missing:
        return "incomplete", missing
    if not categories or (wants_title and (title is None or title.highest is None)):
        return "not_eligible", [f for f in every if f.outcome is not Outcome.INFO][:3]
    decisive = [f for f in findings if f.code == "qualification_on_list"]
    if title is not None and title.highest:
        decisive += [f for f in title.findings if f.code == f"{title.highest}_threshold_met"]
    return "eligible", decisive


def _not_in_force(
    exc: PolicyNotInForce, date_zh: str = "评估日", date_en: str = "The assessment date"
) -> Finding:
    """A date before a rule's first date: a plain message in each language (no file path, no
    English inside the Chinese); the file stays in ``data`` for the administrator."""
    return Finding(
        "rules_not_in_force",
        Outcome.MISSING,
        exc.officer_text("zh", date_zh, date_en),
        exc.officer_text("en", date_zh, date_en),
        None,
        {"file": Path(exc.path).name, "first": exc.first},
    )


def _title_or_finding(findings: list[Finding], **kwargs: Any) -> TitleAssessment | None:
    """The title assessment, or a ``rules_not_in_force`` finding when the date precedes the rules."""
    try:
        return assess_title(**kwargs)
    except PolicyNotInForce as exc:
        findings.append(_not_in_force(exc))
        return None


_LEVEL_PREFIXES = tuple(f"{lvl}_threshold" for lvl in LEVEL_ORDER)


def _is_level_finding(f: Finding) -> bool:
    return f.code.startswith(_LEVEL_PREFIXES)
