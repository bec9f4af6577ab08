"""The assessment's result as the officer reads it: what the result pane shows, and the pieces the
printable summary (:mod:`.summary`) shares with it.

Pure rendering: everything here reads a :class:`~toolkit.rules.CaseResult` and the process
:class:`~toolkit.rules.process.Step` list and returns escaped HTML or plain text; no widget, no
policy. Applicant strings go through :func:`~toolkit.dashboards.base.esc`.
"""

from __future__ import annotations

import datetime as dt

from ..findings import Outcome, Source
from ..rules import CaseResult, TitleAssessment
from ..rules.process import Step, process_source
from ..rules.services import Service
from ..vocab import CATEGORIES, LEVELS, label
from .base import esc, message_html, tr
from .widgets import finding_html, table_html

__all__ = [
    "STATUS_KIND",
    "STEP_STATES",
    "categories_text",
    "checklist_html",
    "eligible_from_items",
    "missing_html",
    "process_basis",
    "publicity_html",
    "publicity_text",
    "section",
    "services_html",
    "status_html",
    "title_html",
    "via_text",
]

STEP_STATES: dict[str, tuple[str, str, str, str]] = {
    # state → (icon, zh, en, colour); icons that the installed fonts draw (tests/test_dashboards_browser.py checks)
    "done": ("✔", "已完成", "done", "#1b5e20"),
    "due": ("◔", "待办", "due", "#8d6e00"),
    "blocked": ("✖", "暂不能办理", "blocked", "#b71c1c"),
}

STATUS_KIND = {"eligible": "ok", "not_eligible": "error", "incomplete": "warning", "invalid": "error"}


# --- shared with the summary ----------------------------------------------------------------------


def categories_text(result: CaseResult, lang: str) -> str:
    """The certificate's categories, joined as the language writes a list ('' when none)."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(label(c, CATEGORIES, lang) for c in result.categories)


def eligible_from_items(title: TitleAssessment, lang: str) -> list[tuple[str, dt.date]]:
    """(level label, date) for each higher level that opens if the work continues."""
    return [(label(level, LEVELS, lang), when) for level, when in title.eligible_from.items()]


def via_text(service: Service, lang: str) -> str:
    """The category a service is granted for, and the one it comes through when that differs."""
    if service.via == service.category:
        return service.category
    return tr(lang, f"{service.category}（经{service.via}类）", f"{service.category} (via {service.via})")


def process_basis(steps: list[Step]) -> tuple[Source, tuple[Source, ...]]:
    """The process clause shown under the checklist, and the toolkit's own readings (basis I) the
    steps' states rest on in this case, each once."""
    readings = tuple(dict.fromkeys(r for s in steps for r in s.readings))
    return process_source(), readings


def publicity_text(result: CaseResult, lang: str) -> str:
    """The publicity dates in one sentence ('' when no start was given)."""
    p = result.publicity
    if not p:
        return ""
    end = p.get("end")
    if p.get("given_end", "x") is not None:
        text = tr(lang, f"公示期：{p['start']} 至 {end}", f"Publicity: {p['start']} to {end}")
    else:
        text = tr(
            lang,
            f"公示期：{p['start']} 起，至 {end} 止（计算所得，{p['required']}个工作日）",
            f"Publicity from {p['start']} ends on {end} (computed, {p['required']} working days)",
        )
    if p.get("earliest_valid_end") and p.get("shortfall"):
        text += tr(
            lang,
            f"；最早应于 {p['earliest_valid_end']} 结束",
            f"; it must end on {p['earliest_valid_end']} at the earliest",
        )
    return text


# --- the result pane --------------------------------------------------------------------------------


def checklist_html(steps: list[Step], lang: str) -> str:
    """The process checklist for this case, with the clause and the readings it rests on."""
    if not steps:
        return f"<p>{esc(tr(lang, '本案不涉及职称申报，无评审流程。', 'No title application in this case: no assessment process.'))}</p>"
    items = []
    for i, s in enumerate(steps, 1):
        icon, zh, en, colour = STEP_STATES[s.state]
        date = f" <b>{esc(s.date)}</b>" if s.date else ""
        note = f" — {esc(s.note(lang))}" if s.note(lang) else ""
        items.append(
            f'<li class="oqtk-step oqtk-step-{esc(s.state)}" data-step="{esc(s.key)}" data-state="{esc(s.state)}">'
            f'<span style="color:{colour};font-weight:bold">{icon} {esc(tr(lang, zh, en))}</span> '
            f"{i}. {esc(s.name(lang))}{date}{note}</li>"
        )
    proc, readings = process_basis(steps)
    basis = "".join(
        f'<div class="oqtk-cite" style="color:#555;font-size:90%">{esc(tr(lang, "依据：", "Basis: "))}{esc(src.cite(lang))}</div>'
        for src in (proc, *readings)
    )
    return (
        '<ol class="oqtk-checklist" style="list-style:none;padding-left:0">'
        + "".join(items)
        + "</ol>"
        + basis
    )


def status_html(result: CaseResult, lang: str, seen: set[str] | None = None) -> str:
    """The decision first: the status and its deciding findings in one line, then the details."""
    kind = STATUS_KIND[result.status]
    reasons = result.reasons(lang)
    text = f'<b class="oqtk-headline">{esc(result.headline(lang))}</b>'
    if len(reasons) > 1:
        text += "<ul>" + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>"
    cats = categories_text(result, lang)
    cats_line = (
        f"<div><b>{esc(tr(lang, '清单类别：', 'Categories: '))}</b>{esc(cats or tr(lang, '无', 'none'))} "
        f"<span style='color:#666'>({esc(tr(lang, f'{result.list_version}版清单', f'List {result.list_version}'))}, "
        f"{esc(tr(lang, '评估日', 'as of'))} {esc(result.as_of.isoformat())})</span></div>"
    )
    case_findings = "".join(finding_html(f, lang, seen=seen) for f in result.findings)
    return (
        message_html(kind, text)
        + cats_line
        + (f'<ul class="oqtk-findings">{case_findings}</ul>' if case_findings else "")
    )


def services_html(result: CaseResult, lang: str) -> str:
    if not result.services:
        return f"<p>{esc(tr(lang, '无可列出的服务事项。', 'No services to list.'))}</p>"
    rows = []
    for s in result.services:
        via = via_text(s, lang)
        check = tr(lang, s.check_zh or "", s.check_en or "")
        cite = s.source.cite(lang) + (f"；{s.via_source.cite(lang)}" if s.via_source else "")
        rows.append((via, s.text(lang), check, cite))
    return table_html(
        [
            tr(lang, "类别", "Category"),
            tr(lang, "服务事项", "Service"),
            tr(lang, "须核对", "To check"),
            tr(lang, "依据", "Basis"),
        ],
        rows,
        css_class="oqtk-table oqtk-services",
    )


def title_html(result: CaseResult, lang: str, seen: set[str] | None = None) -> str:
    t = result.title
    if t is None:
        return f"<p>{esc(tr(lang, '未评估职称（无C类证书或未填写职称系列）。', 'No title assessed (no Category C certificate or no series given).'))}</p>"
    parts = [
        f"<div><b>{esc(tr(lang, '职称系列：', 'Series: '))}</b>{esc(tr(lang, t.series_zh or '', t.series_en or ''))}</div>"
    ]
    if t.highest:
        title_name = tr(lang, t.title_zh or "", t.title_en or "")
        parts.append(
            f"<div><b>{esc(tr(lang, '最高可申报：', 'Highest level open: '))}</b>{esc(label(t.highest, LEVELS, lang))}"
            f" — {esc(title_name)}</div>"
        )
        parts.append(
            f"<div><b>{esc(tr(lang, '可申报级别：', 'Levels open: '))}</b>"
            f"{esc(('、' if lang == 'zh' else ', ').join(label(x, LEVELS, lang) for x in t.eligible))}</div>"
        )
    else:
        parts.append(f"<div><b>{esc(tr(lang, '目前无可申报级别', 'No level is open yet'))}</b></div>")
    if t.requested is not None:
        ok = tr(lang, "可申报", "open") if t.requested_ok else tr(lang, "暂不可申报", "not open")
        parts.append(
            f"<div><b>{esc(tr(lang, '所选级别：', 'Requested level: '))}</b>{esc(label(t.requested, LEVELS, lang))} ({esc(ok)})</div>"
        )
    if t.eligible_from:
        items = "".join(
            f"<li>{esc(lvl)}: {esc(tr(lang, f'{d.isoformat()}起可申报', f'from {d.isoformat()}'))}</li>"
            for lvl, d in eligible_from_items(t, lang)
        )
        parts.append(
            f"<div><b>{esc(tr(lang, '如持续工作，可申报日期：', 'Open from (if the work continues): '))}</b><ul class='oqtk-eligible-from'>{items}</ul></div>"
        )
    parts.append(f"<div><b>{esc(tr(lang, '逐条核对：', 'Every rule checked: '))}</b></div>")
    parts.append(
        '<ul class="oqtk-findings">' + "".join(finding_html(f, lang, seen=seen) for f in t.findings) + "</ul>"
    )
    return "".join(parts)


def missing_html(result: CaseResult, lang: str) -> str:
    fs = [f for f in result.all_findings() if f.outcome in (Outcome.FAIL, Outcome.MISSING, Outcome.CHECK)]
    if not fs:
        return f"<p>{esc(tr(lang, '无缺项。', 'Nothing missing.'))}</p>"
    return '<ul class="oqtk-missing">' + "".join(finding_html(f, lang, cite=False) for f in fs) + "</ul>"


def publicity_html(result: CaseResult, lang: str) -> str:
    text = publicity_text(result, lang)
    if not text:
        return f"<p>{esc(tr(lang, '未填写公示开始日期。', 'No publicity start date given.'))}</p>"
    return f'<p class="oqtk-publicity">{esc(text)}</p>'


def section(title: str, body: str) -> str:
    """A result pane section: its heading (escaped) over ``body`` (already escaped HTML)."""
    return f'<h4 style="margin:12px 0 4px">{esc(title)}</h4>{body}'
