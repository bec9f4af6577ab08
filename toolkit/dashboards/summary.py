"""The printable, bilingual case summary of one assessment, for the case file.

Rendered from ``templates/dashboards/case_summary.html.j2`` (Jinja2, autoescape). The context is
what the result pane shows (:mod:`.result_view`: categories, the levels that open later, the
category a service comes through, the process clause and the toolkit's readings), in both
languages, with each clause quoted once. Every value is escaped with :func:`~.base.esc` — the
escaper of every other HTML the toolkit writes (control characters made visible) — through the
environment's ``finalize``; autoescape stays on behind it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from ..clock import now
from ..findings import Finding, Source
from ..paths import templates_dir
from ..rules import CaseInput, CaseResult, requirements_for, rounds, title_series
from ..rules.process import Step
from ..version import __version__
from ..vocab import CATEGORIES, DEGREES, EMPLOYER_TYPES, HOLDER_TYPES, LEVELS, STATUSES, label
from .base import esc
from .result_view import STEP_STATES, eligible_from_items, process_basis, via_text
from .widgets import OUTCOME_ICONS

__all__ = ["PREVAILS_EN", "PREVAILS_ZH", "summary_context", "summary_document"]

PREVAILS_ZH = "本摘要中的政策表述依据相关通知；中英文表述不一致时，以中文版通知为准。"
PREVAILS_EN = "The Chinese version of the notice prevails over any English text in this summary."
TEMPLATE = "case_summary.html.j2"


def _escape(value: Any) -> Markup:
    """Each ``{{ value }}``: the toolkit's escaper; a macro's output (already Markup) as it is."""
    return value if isinstance(value, Markup) else Markup(esc(value))  # noqa: S704 - esc() escaped it


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "dashboards"),
        autoescape=True,
        finalize=_escape,
        undefined=jinja2.StrictUndefined,  # a name the context lacks is an error, not a blank
        keep_trailing_newline=True,
    )


def _yes_no(v: bool | None) -> str:
    return "" if v is None else ("是 Yes" if v else "否 No")


def _iso_date(v: dt.date | None) -> str:
    return v.isoformat() if v else ""


def _number(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _tick(v: bool | None) -> str:
    return "待核对 To check" if v is None else ("符合 Met" if v else "不符合 Not met")


def _input_rows(case: CaseInput) -> list[tuple[str, str, str]]:
    """The application as (zh label, en label, value) rows, in intake order (a table of data)."""
    series = title_series().get(case.title_series or "")
    rnd = rounds().get(case.round_id or "")
    ticks = dict(case.basic_requirements)
    basic = "；".join(
        f"{req.zh}：{_tick(ticks.get(req.code))}"
        for req in (requirements_for(case.employer_type) if case.title_series else ())
    )
    return [
        ("申请编号", "Application ID", case.application_id or ""),
        ("姓名", "Name", case.full_name or ""),
        ("人员类别", "Holder type", label(case.holder_type, HOLDER_TYPES, "both")),
        ("上海户籍", "Shanghai hukou", _yes_no(case.shanghai_hukou)),
        ("出生日期", "Date of birth", _iso_date(case.date_of_birth)),
        ("境外职业资格证书", "Certificate(s)", "；".join(case.qualifications)),
        ("平台核验", "Verified on the platform", _yes_no(case.verified)),
        ("学历学位", "Degree", label(case.degree, DEGREES, "both")),
        ("理工科学位", "Science/engineering degree", _yes_no(case.science_or_engineering_degree)),
        (
            "职称系列",
            "Title series",
            f"{series.name_zh} {series.name_en}" if series else (case.title_series or ""),
        ),
        ("申报级别", "Requested level", label(case.title_level, LEVELS, "both") or "最高可申报 highest open"),
        ("相关工作起始", "Relevant work since", _iso_date(case.relevant_since)),
        ("相关工作年限", "Relevant work, years", _number(case.relevant_years)),
        ("在沪工作起始", "Shanghai work since", _iso_date(case.shanghai_since)),
        ("在沪工作年限", "Shanghai work, years", _number(case.shanghai_years)),
        ("单位性质", "Employer type", label(case.employer_type, EMPLOYER_TYPES, "both")),
        ("主管部门推荐", "Authority recommendation", _yes_no(case.recommended_by_authority)),
        ("参加过往期评审", "Took part in an earlier round", _yes_no(case.previous_round)),
        ("评审批次", "Round", f"{rnd.name_zh} {rnd.name_en}" if rnd else ""),
        ("基本条件（经办人核对）", "Basic requirements (officer's check)", basic),
        ("公示开始", "Publicity start", _iso_date(case.publicity_start)),
        ("公示结束", "Publicity end", _iso_date(case.publicity_end)),
    ]


def _finding(f: Finding, seen: set[str]) -> dict[str, str]:
    """One finding in both languages; its clause quoted in full the first time only."""
    cite_zh = f.source.cite_once("zh", seen) if f.source is not None else ""
    cite_en = f.source.cite_once("en", seen) if f.source is not None else ""
    return {"code": f.code, "icon": OUTCOME_ICONS[f.outcome][0], "zh": f.zh, "en": f.en,
            "cite_zh": cite_zh, "cite_en": cite_en}  # fmt: skip


class _Notes:
    """The services' clauses as numbered notes under their table, each once; a document's title
    on its first note only, then just the clause."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.rows: list[tuple[str, str]] = []
        self._docs: set[str] = set()

    def number(self, src: Source) -> int:
        key = src.cite("zh")
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            first = src.doc_id not in self._docs
            self._docs.add(src.doc_id)
            self.rows.append((key, src.cite("en")) if first else (src.clause_zh, src.clause_en))
        return self.numbers[key]


def _services(result: CaseResult) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    notes = _Notes()
    rows = []
    for sv in result.services:
        via_zh, via_en = via_text(sv, "zh"), via_text(sv, "en")
        rows.append({
            "category": via_zh if via_zh == via_en else f"{via_zh} {via_en}",
            "zh": sv.zh, "en": sv.en, "check_zh": sv.check_zh or "", "check_en": sv.check_en or "",
            "refs": [notes.number(sv.source), *([notes.number(sv.via_source)] if sv.via_source else [])],
        })  # fmt: skip
    return rows, notes.rows


def _title(result: CaseResult, seen: set[str]) -> dict[str, Any] | None:
    t = result.title
    if t is None:
        return None
    return {
        "series_zh": t.series_zh or "",
        "series_en": t.series_en or "",
        "highest": label(t.highest, LEVELS, "both") or "无 none",
        "title_zh": t.title_zh or "",
        "title_en": t.title_en or "",
        "eligible_from": [(lvl, when.isoformat()) for lvl, when in eligible_from_items(t, "both")],
        "findings": [_finding(f, seen) for f in t.findings],
    }


def _steps(steps: list[Step]) -> list[dict[str, str]]:
    return [
        {"key": s.key, "zh": s.zh, "en": s.en, "state_zh": STEP_STATES[s.state][1],
         "state_en": STEP_STATES[s.state][2], "date": s.date or "", "note_zh": s.note_zh, "note_en": s.note_en}
        for s in steps
    ]  # fmt: skip


def summary_context(
    case: CaseInput, result: CaseResult, steps: list[Step], generated: dt.datetime | None = None
) -> dict[str, Any]:
    """What the summary template shows, each clause quoted once across the whole page."""
    seen: set[str] = set()
    given = [row for row in _input_rows(case) if row[2]]
    services, service_notes = _services(result)
    proc, readings = process_basis(steps)
    zh_status, en_status = STATUSES[result.status]
    # the List version chosen for the officer (the one in force has no entries): said with the
    # version, at the top, not among the certificate's findings
    chosen = [f for f in result.findings if f.code == "list_version_fallback"]
    return {
        "status_zh": zh_status,
        "status_en": en_status,
        "headline_zh": result.headline("zh"),
        "headline_en": result.headline("en"),
        "as_of": result.as_of.isoformat(),
        "list_version": result.list_version,
        "generated": (generated or now().replace(microsecond=0, tzinfo=None)).isoformat(sep=" "),
        "version": __version__,
        "partial_zh": result.list_partial_zh or "",
        "partial_en": result.list_partial_en or "",
        "facts": [given[k : k + 2] for k in range(0, len(given), 2)],  # two a row
        "categories": [label(c, CATEGORIES, "both") for c in result.categories],
        "version_note": _finding(chosen[0], seen) if chosen else None,
        "case_findings": [_finding(f, seen) for f in result.findings if f not in chosen],
        "services": services,
        "service_notes": service_notes,
        "title": _title(result, seen),
        "steps": _steps(steps),
        "process_basis": [(src.cite("zh"), src.cite("en")) for src in (proc, *readings)],
        "prevails_zh": PREVAILS_ZH,
        "prevails_en": PREVAILS_EN,
    }


def summary_document(
    case: CaseInput, result: CaseResult, steps: list[Step], generated: dt.datetime | None = None
) -> str:
    """A standalone bilingual HTML page for the case file (print it or save it)."""
    return _environment().get_template(TEMPLATE).render(summary_context(case, result, steps, generated))
