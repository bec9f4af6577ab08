"""单人评估 Single assessment: the intake fields as a form, the decision with its clauses, the
assessment process as a checklist for this case, and a printable summary for the case file.

The form holds no policy: it builds a :class:`~toolkit.rules.CaseInput`, calls
:func:`~toolkit.rules.assess_case` and shows what comes back. Every applicant string goes through
:func:`~toolkit.dashboards.base.esc` before it reaches an ``HTML`` widget or the summary.

Field validation (a message next to the field; errors block the assessment, warnings do not):

- a date of birth after today or after the as-of date; a "since" date after the as-of date;
- years that are not a number or are negative; both a "since" date and years for the same
  experience (give one);
- a publicity end without a start, or before the start;
- warnings: an as-of date in the future (a projection), Shanghai experience longer than the
  relevant experience, a round whose List versions do not include the chosen version.

The process checklist (FACTS.md §3: platform verification → employer review → publicity →
upload to 上海市职称服务系统 → bureau review → electronic certificate) is derived from the case as
follows — see :func:`process_steps`. Each step is ``done``, ``due`` (with its date when one is
known) or ``blocked`` (with the reason). The toolkit records no upload, review or certificate,
so the last three steps are never ``done`` here; the officer confirms them in the title service
system.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from ..findings import Finding, Outcome, Source
from ..policy import source
from ..rules import (
    CaseInput,
    CaseResult,
    assess_case,
    basic_requirements,
    get_version,
    list_versions,
    requirements_for,
    rounds,
    title_series,
)
from ..rules.listdata import version_in_force
from ..version import __version__
from ..vocab import CATEGORIES, DEGREES, EMPLOYER_TYPES, HOLDER_TYPES, LEVELS, STATUSES, label
from .base import Form, esc, message_html, safe_handler, tr
from .widgets import FieldRow, data_link, finding_html, publicity_days, relabel, table_html, tri_options

__all__ = ["STEP_STATES", "AssessForm", "Step", "process_steps", "summary_document"]

STEP_STATES: dict[str, tuple[str, str, str, str]] = {
    # state → (icon, zh, en, colour); icons that the installed fonts draw (tests/test_browser.py checks)
    "done": ("✔", "已完成", "done", "#1b5e20"),
    "due": ("◔", "待办", "due", "#8d6e00"),
    "blocked": ("✖", "暂不能办理", "blocked", "#b71c1c"),
}

PREVAILS_ZH = "本摘要中的政策表述依据相关通知；中英文表述不一致时，以中文版通知为准。"
PREVAILS_EN = "The Chinese version of the notice prevails over any English text in this summary."


def _process_source(on: dt.date | None = None) -> Source:
    n = publicity_days(on)
    return source(
        "notice_3_0",
        f"支持持证人员职称评审·评审程序：平台核验→用人单位审核并公示不少于{n}个工作日→上传上海市职称服务系统→市人社局审核→电子职称证书",
        "Professional titles, 3. Assessment process: platform verification → employer review and publicity "
        f"of at least {n} working days → upload to the Shanghai title service system → bureau review → "
        "electronic title certificate",
    )


# --- the process checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the assessment process for this case."""

    key: str
    zh: str
    en: str
    state: str  # done | due | blocked
    date: str | None = None  # ISO date or "start – end", when known
    note_zh: str = ""
    note_en: str = ""

    def name(self, lang: str) -> str:
        return tr(lang, self.zh, self.en)

    def note(self, lang: str) -> str:
        return tr(lang, self.note_zh, self.note_en)


def _d(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def process_steps(case: CaseInput, result: CaseResult) -> list[Step]:
    """The assessment process as steps for this case (empty when no title is sought).

    Derivation, in process order; a step is ``blocked`` while the one before it is not done:

    1. Platform verification: ``done`` if the certificate is marked verified, else ``due``;
       ``blocked`` when no certificate was found on the List.
    2. Employer review: ``blocked`` until verified; ``blocked`` while a title condition fails or
       is missing (dated with the day it will be met when only time is missing, from
       ``title.eligible_from``); ``blocked`` for a public institution without the authority's
       recommendation; ``done`` once publicity has started on or before the as-of date (the
       employer publicises after reviewing); else ``due`` (by the publicity start, if given).
    3. Publicity (at least 5 working days): ``done`` when a start and end are given, the period
       is long enough and it ended before the as-of date; otherwise ``due`` with its dates
       (scheduled, under way, too short → the earliest valid end, or ended with no end date
       recorded → record it); ``due`` without dates when no start is given.
    4. Upload to 上海市职称服务系统: ``due`` from the day after publicity ends, else ``blocked``.
    5. Bureau review and 6. electronic certificate: ``blocked`` until the step before is done
       (the toolkit does not record them).
    """
    title = result.title
    wants_title = case.title_series is not None or "C" in result.categories
    if not wants_title:
        return []
    as_of = result.as_of
    steps: list[Step] = []

    # 1. verification
    if not result.categories:
        s1 = Step(
            "verification",
            "境外职业资格证书核验平台核验",
            "Verification on the city's platform",
            "blocked",
            note_zh="未确认证书在清单上，无法核验",
            note_en="The certificate is not confirmed on the List",
        )
    elif case.verified is True:
        s1 = Step(
            "verification", "境外职业资格证书核验平台核验", "Verification on the city's platform", "done"
        )
    else:
        s1 = Step(
            "verification",
            "境外职业资格证书核验平台核验",
            "Verification on the city's platform",
            "due",
            note_zh="请持证人在核验平台完成证书核验",
            note_en="The holder completes verification on the platform",
        )
    steps.append(s1)

    # 2. employer review
    name2 = ("用人单位审核材料、考察业绩", "Employer reviews documents and performance")
    pub_start = case.publicity_start
    blocked_zh: list[str] = []
    blocked_en: list[str] = []
    date2: str | None = None
    if s1.state != "done":
        blocked_zh.append("待证书核验完成")
        blocked_en.append("waiting for platform verification")
    title_ok = title is not None and title.highest is not None and title.requested_ok is not False
    if not title_ok:
        missing = [
            f
            for f in result.all_findings()
            if f.outcome in (Outcome.FAIL, Outcome.MISSING)
            and not f.code.startswith(("certificate_", "publicity_"))
        ]
        if title is not None and title.eligible_from:
            level = title.requested if title.requested in title.eligible_from else None
            when = title.eligible_from[level] if level else min(title.eligible_from.values())
            date2 = when.isoformat()
            blocked_zh.append(f"职称申报条件尚未满足，如持续工作将于{date2}满足")
            blocked_en.append(f"the title conditions are not met yet; met on {date2} if the work continues")
        elif missing:
            blocked_zh.append("职称申报条件未满足或信息不全：" + "；".join(f.zh for f in missing[:3]))
            blocked_en.append(
                "title conditions not met or information missing: " + "; ".join(f.en for f in missing[:3])
            )
        else:
            blocked_zh.append("职称申报条件未满足")
            blocked_en.append("the title conditions are not met")
    if case.employer_type == "public_institution" and case.recommended_by_authority is not True:
        blocked_zh.append("事业单位人员须先取得主管部门推荐")
        blocked_en.append(
            "a public-institution applicant needs the supervising authority's recommendation first"
        )
    if blocked_zh:
        s2 = Step("employer_review", *name2, "blocked", date2, "；".join(blocked_zh), "; ".join(blocked_en))
    elif pub_start is not None and pub_start <= as_of:
        s2 = Step(
            "employer_review",
            *name2,
            "done",
            note_zh="公示已开始，视为审核完成",
            note_en="publicity has started, so the review is taken as done",
        )
    else:
        s2 = Step(
            "employer_review",
            *name2,
            "due",
            pub_start.isoformat() if pub_start else None,
            "于公示开始前完成" if pub_start else "审核后安排公示",
            "before the publicity starts" if pub_start else "then arrange the publicity",
        )
    steps.append(s2)

    # 3. publicity
    n_days = publicity_days(as_of)
    name3 = (
        f"用人单位公示（不少于{n_days}个工作日）",
        f"Employer publicity (at least {n_days} working days)",
    )
    pub = result.publicity or {}
    pub_findings = {f.code: f for f in result.findings if f.code.startswith("publicity_")}
    if s2.state == "blocked":
        s3 = Step(
            "publicity",
            *name3,
            "blocked",
            note_zh="待用人单位审核",
            note_en="waiting for the employer review",
        )
    elif pub_start is None:
        s3 = Step(
            "publicity",
            *name3,
            "due",
            note_zh="尚未填写公示开始日期",
            note_en="no publicity start date given yet",
        )
    elif "publicity_calendar_not_covered" in pub_findings:
        f = pub_findings["publicity_calendar_not_covered"]
        s3 = Step("publicity", *name3, "due", pub_start.isoformat(), f.zh, f.en)
    elif case.publicity_end is not None and pub.get("shortfall"):
        earliest = pub.get("earliest_valid_end")
        s3 = Step(
            "publicity",
            *name3,
            "due",
            f"{pub_start.isoformat()} – {earliest}",
            f"公示期不足（差{pub['shortfall']}个工作日），应至少公示至{earliest}",
            f"too short by {pub['shortfall']} working day(s); it must run until {earliest} at least",
        )
    else:
        end = _d(pub.get("end"))
        assert end is not None
        span = f"{pub_start.isoformat()} – {end.isoformat()}"
        if case.publicity_end is not None and end < as_of:
            s3 = Step("publicity", *name3, "done", span)
        elif pub_start > as_of:
            s3 = Step("publicity", *name3, "due", span, "已安排", "scheduled")
        elif end >= as_of:
            s3 = Step(
                "publicity",
                *name3,
                "due",
                span,
                f"公示中，{end.isoformat()}结束",
                f"under way; ends on {end.isoformat()}",
            )
        else:
            s3 = Step(
                "publicity",
                *name3,
                "due",
                span,
                f"请登记公示结束日期（不早于{end.isoformat()}）",
                f"record the end date (no earlier than {end.isoformat()})",
            )
    steps.append(s3)

    # 4. upload
    name4 = ("上传至上海市职称服务系统", "Upload to the Shanghai title service system (上海市职称服务系统)")
    if s3.state == "done":
        end = _d(pub.get("end"))
        assert end is not None
        nxt = (end + dt.timedelta(days=1)).isoformat()
        s4 = Step(
            "upload",
            *name4,
            "due",
            nxt,
            f"公示结束后（{nxt}起）上传",
            f"upload from {nxt}, after the publicity",
        )
    else:
        s4 = Step(
            "upload", *name4, "blocked", note_zh="待公示期满", note_en="waiting for the publicity to end"
        )
    steps.append(s4)
    steps.append(
        Step(
            "bureau_review",
            "市人社局审核",
            "Bureau review",
            "blocked",
            note_zh="待材料上传后审核",
            note_en="after the upload",
        )
    )
    steps.append(
        Step(
            "certificate",
            "核发电子职称证书",
            "Electronic title certificate",
            "blocked",
            note_zh="待审核通过",
            note_en="after the bureau's review",
        )
    )
    return steps


def _steps_html(steps: list[Step], lang: str) -> str:
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
    return '<ol class="oqtk-checklist" style="list-style:none;padding-left:0">' + "".join(items) + "</ol>"


# --- rendering the result -------------------------------------------------------------------------


_STATUS_KIND = {"eligible": "ok", "not_eligible": "error", "incomplete": "warning", "invalid": "error"}


def _status_html(result: CaseResult, lang: str, seen: set[str] | None = None) -> str:
    """The decision first: the status and its deciding findings in one line, then the details."""
    kind = _STATUS_KIND[result.status]
    reasons = result.reasons(lang)
    text = f'<b class="oqtk-headline">{esc(result.headline(lang))}</b>'
    if len(reasons) > 1:
        text += "<ul>" + "".join(f"<li>{esc(r)}</li>" for r in reasons) + "</ul>"
    cats = (
        "、".join(label(c, CATEGORIES, lang) for c in result.categories)
        if lang == "zh"
        else ", ".join(label(c, CATEGORIES, lang) for c in result.categories)
    )
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


def _services_html(result: CaseResult, lang: str) -> str:
    if not result.services:
        return f"<p>{esc(tr(lang, '无可列出的服务事项。', 'No services to list.'))}</p>"
    rows = []
    for s in result.services:
        via = (
            s.category
            if s.via == s.category
            else tr(lang, f"{s.category}（经{s.via}类）", f"{s.category} (via {s.via})")
        )
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


def _title_html(result: CaseResult, lang: str, seen: set[str] | None = None) -> str:
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
            f"<li>{esc(label(lvl, LEVELS, lang))}: {esc(tr(lang, f'{d.isoformat()}起可申报', f'from {d.isoformat()}'))}</li>"
            for lvl, d in t.eligible_from.items()
        )
        parts.append(
            f"<div><b>{esc(tr(lang, '如持续工作，可申报日期：', 'Open from (if the work continues): '))}</b><ul class='oqtk-eligible-from'>{items}</ul></div>"
        )
    parts.append(f"<div><b>{esc(tr(lang, '逐条核对：', 'Every rule checked: '))}</b></div>")
    parts.append(
        '<ul class="oqtk-findings">' + "".join(finding_html(f, lang, seen=seen) for f in t.findings) + "</ul>"
    )
    return "".join(parts)


def _missing_html(result: CaseResult, lang: str) -> str:
    fs = [f for f in result.all_findings() if f.outcome in (Outcome.FAIL, Outcome.MISSING, Outcome.CHECK)]
    if not fs:
        return f"<p>{esc(tr(lang, '无缺项。', 'Nothing missing.'))}</p>"
    return '<ul class="oqtk-missing">' + "".join(finding_html(f, lang, cite=False) for f in fs) + "</ul>"


def _publicity_html(result: CaseResult, lang: str) -> str:
    p = result.publicity
    if not p:
        return f"<p>{esc(tr(lang, '未填写公示开始日期。', 'No publicity start date given.'))}</p>"
    end = p.get("end")
    given = p.get("given_end", "x") is not None
    if given:
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
    return f'<p class="oqtk-publicity">{esc(text)}</p>'


def _section(title: str, body: str) -> str:
    return f'<h4 style="margin:12px 0 4px">{esc(title)}</h4>{body}'


# --- the printable summary ----------------------------------------------------------------------


def _input_rows(case: CaseInput) -> list[tuple[str, str, str]]:
    def yn(v: bool | None) -> str:
        return "" if v is None else ("是 Yes" if v else "否 No")

    def d(v: dt.date | None) -> str:
        return v.isoformat() if v else ""

    def num(v: float | None) -> str:
        return "" if v is None else f"{v:g}"

    def tick(v: bool | None) -> str:
        return "待核对 To check" if v is None else ("符合 Met" if v else "不符合 Not met")

    series = title_series().get(case.title_series or "")
    rnd = rounds().get(case.round_id or "")
    return [
        ("申请编号", "Application ID", case.application_id or ""),
        ("姓名", "Name", case.full_name or ""),
        ("人员类别", "Holder type", label(case.holder_type, HOLDER_TYPES, "both")),
        ("上海户籍", "Shanghai hukou", yn(case.shanghai_hukou)),
        ("出生日期", "Date of birth", d(case.date_of_birth)),
        ("境外职业资格证书", "Certificate(s)", "；".join(case.qualifications)),
        ("平台核验", "Verified on the platform", yn(case.verified)),
        ("学历学位", "Degree", label(case.degree, DEGREES, "both")),
        ("理工科学位", "Science/engineering degree", yn(case.science_or_engineering_degree)),
        (
            "职称系列",
            "Title series",
            f"{series.name_zh} {series.name_en}" if series else (case.title_series or ""),
        ),
        ("申报级别", "Requested level", label(case.title_level, LEVELS, "both") or "最高可申报 highest open"),
        ("相关工作起始", "Relevant work since", d(case.relevant_since)),
        ("相关工作年限", "Relevant work, years", num(case.relevant_years)),
        ("在沪工作起始", "Shanghai work since", d(case.shanghai_since)),
        ("在沪工作年限", "Shanghai work, years", num(case.shanghai_years)),
        ("单位性质", "Employer type", label(case.employer_type, EMPLOYER_TYPES, "both")),
        ("主管部门推荐", "Authority recommendation", yn(case.recommended_by_authority)),
        ("参加过往期评审", "Took part in an earlier round", yn(case.previous_round)),
        ("评审批次", "Round", f"{rnd.name_zh} {rnd.name_en}" if rnd else ""),
        (  # one row for the checklist, each item with its tick
            "基本条件（经办人核对）",
            "Basic requirements (officer's check)",
            "；".join(
                f"{req.zh}：{tick(dict(case.basic_requirements).get(req.code))}"
                for req in (requirements_for(case.employer_type) if case.title_series else ())
            ),
        ),
        ("公示开始", "Publicity start", d(case.publicity_start)),
        ("公示结束", "Publicity end", d(case.publicity_end)),
    ]


def _bi_finding(f: Finding, seen: set[str] | None = None) -> str:
    icon = {"pass": "✔", "fail": "✖", "missing": "◌", "check": "⚠", "info": "ℹ"}[f.outcome.value]
    cite = ""
    if f.source is not None:
        zh_seen, en_seen = (seen, seen) if seen is not None else (set(), set())
        cite = (
            f'<div class="cite">依据：{esc(f.source.cite_once("zh", zh_seen))}<br>'
            f'<span class="en">Basis: {esc(f.source.cite_once("en", en_seen))}</span></div>'
        )
    return f'<li data-code="{esc(f.code)}">{icon} {esc(f.zh)}<br class="b"><span class="en">{esc(f.en)}</span>{cite}</li>'


def summary_document(
    case: CaseInput, result: CaseResult, steps: list[Step], generated: dt.datetime | None = None
) -> str:
    """A standalone bilingual HTML page for the case file (print it or save it)."""
    generated = generated or dt.datetime.now().replace(microsecond=0)
    zh_status, en_status = STATUSES[result.status]
    seen: set[str] = set()  # each clause quoted once in the summary
    case_findings = "<ul>" + "".join(_bi_finding(f, seen) for f in result.findings) + "</ul>"
    given = [(zh, en, v) for zh, en, v in _input_rows(case) if v]
    cells = [
        f"<th>{esc(zh)}<br class='b'><span class='en'>{esc(en)}</span></th><td>{esc(v)}</td>"
        for zh, en, v in given
    ]
    facts = "".join(f"<tr>{''.join(cells[k : k + 2])}</tr>" for k in range(0, len(cells), 2))  # two a row
    cats = (
        "".join(f"<li>{esc(label(c, CATEGORIES, 'both'))}</li>" for c in result.categories)
        or "<li>无 None</li>"
    )
    # services: one row each (text, what to check, a note number); their clauses once each, below
    notes: dict[str, int] = {}
    note_rows: list[str] = []
    note_docs: set[str] = set()

    def note(src: Source) -> int:
        key = src.cite("zh")
        if key not in notes:
            notes[key] = len(notes) + 1
            # the document's title on its first note only, then just the clause
            first = src.doc_id not in note_docs
            note_docs.add(src.doc_id)
            zh = key if first else src.clause_zh
            en = src.cite("en") if first else src.clause_en
            note_rows.append(f"<li>{esc(zh)}<br class='b'><span class='en'>{esc(en)}</span></li>")
        return notes[key]

    service_rows = []
    for sv in result.services:
        refs = [note(sv.source)] + ([note(sv.via_source)] if sv.via_source else [])
        via = "" if sv.via == sv.category else f"（经{sv.via}类 via {sv.via}）"
        check = (
            f"<br><i>须核对：{esc(sv.check_zh)}</i><br class='b'><span class='en'><i>Check: {esc(sv.check_en or '')}</i></span>"
            if sv.check_zh
            else ""
        )
        service_rows.append(
            f"<tr><td>{esc(sv.category)}{esc(via)}</td><td>{esc(sv.zh)}<br class='b'><span class='en'>{esc(sv.en)}</span>"
            f"{check}</td><td>{''.join(f'[{n}]' for n in refs)}</td></tr>"
        )
    services = "".join(service_rows)
    service_notes = f"<ol class='cite'>{''.join(note_rows)}</ol>" if note_rows else ""
    t = result.title
    title_part = "<p>未评估职称 <span class='en'>No title assessed</span></p>"
    if t is not None:
        head = (
            f"<p>系列 <span class='en'>Series</span>：{esc(t.series_zh)} <span class='en'>{esc(t.series_en)}</span><br>"
            f"最高可申报 <span class='en'>Highest open</span>：{esc(label(t.highest, LEVELS, 'both') or '无 none')}"
            + (f" — {esc(t.title_zh)} <span class='en'>{esc(t.title_en)}</span>" if t.title_zh else "")
            + "</p>"
        )
        if t.eligible_from:
            head += (
                "<p>如持续工作可申报 <span class='en'>Open from if the work continues</span>："
                + "；".join(
                    f"{esc(label(k, LEVELS, 'both'))} {esc(v.isoformat())}"
                    for k, v in t.eligible_from.items()
                )
                + "</p>"
            )
        title_part = head + "<ul>" + "".join(_bi_finding(f, seen) for f in t.findings) + "</ul>"
    step_rows = "".join(
        f"<tr data-step='{esc(s.key)}'><td>{i}</td><td>{esc(s.zh)}<br class='b'><span class='en'>{esc(s.en)}</span></td>"
        f"<td>{esc(STEP_STATES[s.state][1])} <span class='en'>{esc(STEP_STATES[s.state][2])}</span></td>"
        f"<td>{esc(s.date or '')}</td><td>{esc(s.note_zh)}<br class='b'><span class='en'>{esc(s.note_en)}</span></td></tr>"
        for i, s in enumerate(steps, 1)
    )
    proc = _process_source(result.as_of)
    steps_part = (
        f"<table><tr><th>#</th><th>步骤 <span class='en'>Step</span></th><th>状态 <span class='en'>State</span></th>"
        f"<th>日期 <span class='en'>Date</span></th><th>说明 <span class='en'>Note</span></th></tr>{step_rows}</table>"
        f"<p class='cite'>依据：{esc(proc.cite('zh'))}<br class='b'><span class='en'>Basis: {esc(proc.cite('en'))}</span></p>"
        if steps
        else "<p>本案不涉及职称申报 <span class='en'>No title application in this case</span></p>"
    )
    partial = ""
    if result.list_partial_zh:
        partial = (
            f"<p class='notice'>⚠ {esc(result.list_partial_zh)}<br>"
            f"<span class='en'>{esc(result.list_partial_en or '')}</span></p>"
        )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>境外职业资格证书持证人员评估摘要 Assessment summary</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #111; }}
.en {{ color: #555; font-size: 90%; }}
.cite {{ color: #444; font-size: 85%; }}
table {{ border-collapse: collapse; margin: 0.5em 0; }}
th, td {{ border: 1px solid #999; padding: 3px 6px; vertical-align: top; text-align: left; }}
.notice, .prevails {{ border: 1px solid #8d6e00; background: #fff8e1; padding: 6px; }}
.decision {{ border: 2px solid #333; padding: 6px 10px; margin: 0.5em 0; }}
.decision h2 {{ margin: 0 0 4px; }}
.signoff {{ width: 100%; margin-top: 1em; }}
.signoff td {{ height: 2.2em; width: 33%; }}
@page {{ size: A4; margin: 10mm; }}
@media print {{ body {{ margin: 0; font-size: 7.5pt; line-height: 1.25; }} .decision {{ font-size: 9pt; }} h1 {{ font-size: 13pt; margin: 0 0 4px; }}
  h2 {{ font-size: 11pt; }} h3 {{ font-size: 9.5pt; margin: 0.5em 0 0.2em; }} ul {{ margin: 0.2em 0; padding-left: 1.2em; }}
  th, td {{ padding: 1px 4px; }} br.b {{ display: none; }} .en::before {{ content: " "; }} .cite {{ font-size: 7pt; }}
  p {{ margin: 0.3em 0; }} li .cite {{ display: inline; }} li .cite::before {{ content: " — "; }}
  table.facts {{ width: 100%; }} table.facts th {{ width: 18%; }} table.facts td {{ width: 32%; }} }}
</style></head><body>
<h1>境外职业资格证书持证人员评估摘要<br class="b"><span class="en">Assessment summary: overseas occupational qualification</span></h1>
<div class="decision"><h2>结论 <span class="en">Result</span>：{esc(zh_status)} <span class="en">{esc(en_status)}</span></h2>
<p class="headline">{esc(result.headline("zh"))}<br class="b"><span class="en">{esc(result.headline("en"))}</span></p></div>
<p>评估日 <span class="en">As of</span>：{esc(result.as_of.isoformat())}；清单版本 <span class="en">List version</span>：{esc(result.list_version)}；
生成时间 <span class="en">Generated</span>：{esc(generated.isoformat(sep=" "))}；oq-toolkit {esc(__version__)}</p>
{partial}
<h2>申请信息 <span class="en">Application</span></h2><table class="facts">{facts}</table>
<h3>清单类别 <span class="en">Categories</span></h3><ul>{cats}</ul>
<h3>证书、核验与公示 <span class="en">Certificate, verification and publicity</span></h3>{case_findings}
<h3>可享受的服务 <span class="en">Services for this holder</span></h3>
<table><tr><th>类别 <span class="en">Category</span></th><th>服务及须核对事项 <span class="en">Service, and what to check</span></th><th>依据 <span class="en">Basis</span></th></tr>{services}</table>
{service_notes}
<h3>职称评估 <span class="en">Title eligibility</span></h3>{title_part}
<h3>评审流程 <span class="en">Assessment process</span></h3>{steps_part}
<p class="prevails">{esc(PREVAILS_ZH)}<br class="b"><span class="en">{esc(PREVAILS_EN)}</span></p>
<p class="en">本摘要由工具生成，供案卷留存，不构成正式决定。 This summary is generated by a tool for the case file and is not a formal decision.</p>
<table class="signoff"><tr><th>经办人 <span class="en">Officer</span></th><th>日期 <span class="en">Date</span></th><th>复核人 <span class="en">Reviewer</span></th></tr>
<tr><td></td><td></td><td></td></tr></table>
</body></html>
"""


# --- the form ---------------------------------------------------------------------------------


def _parse_years(text: str) -> float | None:
    """Blank → None; a number (full-width digits accepted) → float; else ValueError."""
    s = unicodedata.normalize("NFKC", text or "").strip()
    if not s:
        return None
    value = float(s)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(s)
    return value


def _split_certificates(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"[;；\n]+", text or "") if p.strip())


def _safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:60] or "case"


class AssessForm(Form):
    """单人评估 Single assessment.

    Inputs (set ``.value`` in tests): ``application_id``, ``full_name``, ``holder_type``, ``hukou``,
    ``date_of_birth``, ``certificate`` (``;`` or ``；`` between several), ``verified``, ``degree``,
    ``science_degree``, ``series``, ``level`` (None = highest open), ``relevant_since``,
    ``relevant_years`` (text), ``shanghai_since``, ``shanghai_years`` (text), ``employer_type``,
    ``recommended``, ``previous_round``, ``round``, ``publicity_start``, ``publicity_end``,
    ``as_of``, ``list_version``. ``rows[name]`` is each field's row (``.error_text``).

    Action: ``assess_button.click()``. Outputs: ``result`` / ``case`` / ``steps`` (the last
    assessment), and HTML widgets ``status_html``, ``services_html``, ``title_html``,
    ``missing_html``, ``publicity_html``, ``checklist_html``, ``download_html``, ``list_notice``,
    ``message``; ``summary_html()`` is the printable summary.
    """

    def __init__(self, *, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._today = today or dt.date.today()
        self.result: CaseResult | None = None
        self.case: CaseInput | None = None
        self.steps: list[Step] = []
        self._setting_version = False
        self._version_chosen = False

        lay = w.Layout(width="320px")
        self.application_id = w.Text(layout=lay)
        self.full_name = w.Text(layout=lay)
        self.holder_type = w.Dropdown(layout=lay)
        self.hukou = w.Dropdown(layout=lay)
        self.date_of_birth = w.DatePicker(layout=lay)
        self.certificate = w.Combobox(ensure_option=False, layout=lay)
        self.verified = w.Dropdown(layout=lay)
        self.degree = w.Dropdown(layout=lay)
        self.science_degree = w.Dropdown(layout=lay)
        self.series = w.Dropdown(layout=lay)
        self.level = w.Dropdown(layout=lay)
        self.relevant_since = w.DatePicker(layout=lay)
        self.relevant_years = w.Text(layout=lay)
        self.shanghai_since = w.DatePicker(layout=lay)
        self.shanghai_years = w.Text(layout=lay)
        self.employer_type = w.Dropdown(layout=lay)
        self.recommended = w.Dropdown(layout=lay)
        self.previous_round = w.Dropdown(layout=lay)
        self.round = w.Dropdown(layout=lay)
        self.publicity_start = w.DatePicker(layout=lay)
        self.publicity_end = w.DatePicker(layout=lay)
        self.as_of = w.DatePicker(value=self._today, layout=lay)
        self.list_version = w.Dropdown(options=list(list_versions()), layout=lay)
        self.list_notice = w.HTML()
        self._set_version(version_in_force(self._today).version)
        # the officer's ticks on the basic requirements (items from data/policy/basic_requirements.yaml)
        self.basic: dict[str, w.Dropdown] = {}
        for req in basic_requirements():
            self.basic[req.code] = w.Dropdown(layout=lay)
            setattr(self, f"basic_{req.code}", self.basic[req.code])

        self.rows: dict[str, FieldRow] = {
            name: FieldRow(getattr(self, name))
            for name in (
                "application_id", "full_name", "holder_type", "hukou", "date_of_birth", "certificate", "verified",
                "degree", "science_degree", "series", "level", "relevant_since", "relevant_years",
                "shanghai_since", "shanghai_years", "employer_type", "recommended", "previous_round", "round",
                "publicity_start", "publicity_end", "as_of", "list_version",
                *(f"basic_{code}" for code in self.basic),
            )
        }  # fmt: skip
        self.heading = w.HTML()
        self.section_titles = {
            k: w.HTML() for k in ("applicant", "qualification", "title", "basic", "process", "basis")
        }
        self.assess_button = w.Button(button_style="primary", icon="check")
        self.assess_button.on_click(self._on_assess)
        self.status_html = w.HTML()
        self.services_html = w.HTML()
        self.title_html = w.HTML()
        self.missing_html = w.HTML()
        self.publicity_html = w.HTML()
        self.checklist_html = w.HTML()
        self.download_html = w.HTML()
        self.result_box = w.VBox(
            [self.status_html, self.services_html, self.title_html, self.missing_html, self.publicity_html,
             self.checklist_html, self.download_html],
            layout=w.Layout(display="none", flex="1 1 0", min_width="300px", padding="0 0 0 16px"),
        )  # fmt: skip
        # the result sits beside the form (sticky in the page: templates/voila … .oqtk-result-pane),
        # and the decision is repeated next to the button that asked for it
        self.result_box.add_class("oqtk-result-pane")
        self.decision = w.HTML(layout=w.Layout(margin="0 0 0 12px"))
        self.button_note = w.HTML(layout=w.Layout(margin="0 0 0 12px"))
        self.button_note.add_class("oqtk-button-note")
        self.decision.add_class("oqtk-decision")
        r = self.rows
        form_column = w.VBox(
            [
            self.section_titles["applicant"], r["application_id"], r["full_name"], r["holder_type"], r["hukou"],
            r["date_of_birth"],
            self.section_titles["qualification"], r["certificate"], r["verified"],
            self.section_titles["title"], r["degree"], r["science_degree"], r["series"], r["level"],
            r["relevant_since"], r["relevant_years"], r["shanghai_since"], r["shanghai_years"], r["employer_type"],
            r["recommended"], r["previous_round"], r["round"],
            self.section_titles["basic"], *(r[f"basic_{code}"] for code in self.basic),
            self.section_titles["process"], r["publicity_start"], r["publicity_end"],
            self.section_titles["basis"], r["as_of"], r["list_version"], self.list_notice,
            w.HBox([self.assess_button, self.button_note, self.decision], layout=w.Layout(align_items="center")), self.message,
            ],
            layout=w.Layout(flex="0 1 640px", min_width="560px"),
        )  # fmt: skip
        self.children = [
            self.heading,
            w.HBox(
                [form_column, self.result_box],
                layout=w.Layout(flex_flow="row nowrap", align_items="flex-start"),
            ),
        ]
        self._render_labels()
        for name in self.rows:
            getattr(self, name).observe(self._on_field_change, names="value")
        self.as_of.observe(self._on_as_of, names="value")
        self.list_version.observe(self._on_version, names="value")

    # --- labels ---------------------------------------------------------------------------

    @safe_handler  # also runs on a language switch: never let it raise into the toggle
    def _render_labels(self) -> None:
        lang = self.lang
        t = self.t
        none = t("（未填）", "(not given)")
        relabel(self.holder_type, [(none, None), *((label(c, HOLDER_TYPES, lang), c) for c in HOLDER_TYPES)])
        relabel(self.degree, [(none, None), *((label(c, DEGREES, lang), c) for c in DEGREES)])
        relabel(
            self.employer_type, [(none, None), *((label(c, EMPLOYER_TYPES, lang), c) for c in EMPLOYER_TYPES)]
        )
        relabel(self.series, [(t("（不申报职称）", "(no title application)"), None),
                              *((t(s.name_zh, s.name_en), code) for code, s in title_series().items())])  # fmt: skip
        relabel(
            self.level,
            [
                (t("最高可申报级别", "Highest level open"), None),
                *((label(c, LEVELS, lang), c) for c in LEVELS),
            ],
        )
        relabel(self.round, [(t("（不指定批次）", "(no round)"), None),
                             *((t(r.name_zh, r.name_en), rid) for rid, r in rounds().items())])  # fmt: skip
        for dd in (self.hukou, self.verified, self.science_degree, self.recommended, self.previous_round):
            relabel(dd, tri_options(lang))
        labels = {
            "application_id": ("申请编号", "Application ID", "", ""),
            "full_name": ("姓名", "Name", "", ""),
            "holder_type": ("人员类别", "Holder type", "", ""),
            "hukou": ("是否上海户籍", "Shanghai hukou", "", ""),
            "date_of_birth": ("出生日期", "Date of birth", "", ""),
            "certificate": ("境外职业资格证书", "Overseas certificate(s)", "可输入名称或缩写；多个证书用“；”分隔",
                            "Name or abbreviation; separate several with ';'"),
            "verified": ("已在核验平台核验", "Verified on the platform", "", ""),
            "degree": ("学历学位", "Degree", "", ""),
            "science_degree": ("理工科学位", "Science or engineering degree", "", ""),
            "series": ("申报职称系列", "Title series", "", ""),
            "level": ("申报级别", "Requested level", "不选则按最高可申报级别", "Blank = the highest level open"),
            "relevant_since": ("相关工作起始日期", "Relevant work since", "与年限二选一", "Give this or the years"),
            "relevant_years": ("相关工作年限", "Relevant work, years", "与起始日期二选一", "Give this or the date"),
            "shanghai_since": ("在沪相关工作起始日期", "Relevant work in Shanghai since", "与年限二选一", "Give this or the years"),
            "shanghai_years": ("在沪相关工作年限", "Relevant work in Shanghai, years", "与起始日期二选一", "Give this or the date"),
            "employer_type": ("单位性质", "Employer type", "", ""),
            "recommended": ("主管部门推荐", "Supervising authority's recommendation", "事业单位人员须填写",
                            "Needed for public-institution staff"),
            "previous_round": ("曾参加往期评审", "Took part in an earlier round", "", ""),
            "round": ("评审批次", "Round", "可选", "Optional"),
            "publicity_start": ("公示开始日期", "Publicity start", "", ""),
            "publicity_end": ("公示结束日期", "Publicity end", f"不填则按{publicity_days(self.as_of.value)}个工作日计算",
                              f"Blank = computed ({publicity_days(self.as_of.value)} working days)"),
            "as_of": ("评估日期", "As of", "", ""),
            "list_version": ("清单版本", "List version", "默认为评估日有效版本", "Default: the version in force on the as-of date"),
        }  # fmt: skip
        for name, (zh, en, hzh, hen) in labels.items():
            self.rows[name].set_label(t(zh, en), t(hzh, hen))
        for req in basic_requirements():
            relabel(self.basic[req.code], [(t("（待核对）", "(to check)"), None), (t("符合", "Met"), True),
                                           (t("不符合", "Not met"), False)])  # fmt: skip
            applies = t("仅事业单位人员", "Public-institution staff only") if req.applies_to else ""
            self.rows[f"basic_{req.code}"].set_label(req.text(lang), applies)
        self.certificate.placeholder = t("如：FCCA", "e.g. FCCA")
        self.relevant_years.placeholder = self.shanghai_years.placeholder = t("如：3.5", "e.g. 3.5")
        self.heading.value = (
            f"<h3>{esc(t('单人评估', 'Single assessment'))}</h3>"
            f"<p style='color:#555'>{esc(t('填写申请信息后点击“评估”。结论依据所选清单版本与政策数据，以中文版通知为准。', 'Fill in the application and click Assess. The result follows the chosen List version and policy data; the Chinese version of the notice prevails.'))}</p>"
        )
        titles = {
            "applicant": ("申请人", "Applicant"),
            "qualification": ("境外职业资格", "Overseas qualification"),
            "title": ("职称申报", "Title application"),
            "basic": ("基本条件（经办人核对）", "Basic requirements (the officer checks)"),
            "process": ("公示", "Publicity"),
            "basis": ("评估依据", "Basis of the assessment"),
        }
        for k, (zh, en) in titles.items():
            self.section_titles[k].value = f"<h4 style='margin:10px 0 2px'>{esc(t(zh, en))}</h4>"
        self.assess_button.description = t("评估", "Assess")
        self._render_list_notice()
        self._validate()
        self._render_result()

    def _render_list_notice(self) -> None:
        if not self.list_version.value:
            self.list_notice.value = ""
            return
        v = get_version(self.list_version.value)
        notice = v.partial_notice(self.lang)
        self.list_notice.value = message_html("warning", esc(notice)) if notice else ""

    def _set_version(self, version: str) -> None:
        self._setting_version = True
        try:
            self.list_version.value = version
        finally:
            self._setting_version = False
        self._refresh_certificate_options()

    def _refresh_certificate_options(self) -> None:
        # the chosen version's entries first, then other versions' (a partial List may lack them;
        # the assessment still says where the certificate stands on the chosen version)
        chosen = self.list_version.value
        entries = [*get_version(chosen).entries]
        entries += [e for v, lv in reversed(list_versions().items()) if v != chosen for e in lv.entries]
        names: list[str] = []
        for e in entries:
            for n in (e.name_zh, *e.abbreviations, e.name_en):
                if n not in names:
                    names.append(n)
        self.certificate.options = names

    # --- validation -----------------------------------------------------------------------

    def _problems(self) -> dict[str, tuple[str, str, str]]:
        """Field name → (kind, zh, en) for every field with a problem now."""
        out: dict[str, tuple[str, str, str]] = {}
        as_of = self.as_of.value
        today = self._today
        if as_of is None:
            out["as_of"] = ("error", "请填写评估日期", "Give the as-of date")
        elif as_of > today:
            out["as_of"] = (
                "warning",
                f"评估日期晚于今天（{today.isoformat()}），结果为预测",
                f"The as-of date is after today ({today.isoformat()}): the result is a projection",
            )
        dob = self.date_of_birth.value
        if dob is not None:
            if dob > today:
                out["date_of_birth"] = (
                    "error",
                    "出生日期不能是将来的日期",
                    "The date of birth cannot be in the future",
                )
            elif as_of is not None and dob > as_of:
                out["date_of_birth"] = (
                    "error",
                    "出生日期晚于评估日期",
                    "The date of birth is after the as-of date",
                )
        years: dict[str, float | None] = {}
        for kind in ("relevant", "shanghai"):
            since = getattr(self, f"{kind}_since").value
            text = getattr(self, f"{kind}_years").value
            try:
                years[kind] = _parse_years(text)
            except ValueError:
                years[kind] = None
                out[f"{kind}_years"] = (
                    "error",
                    "年限须为数字（如 3 或 3.5）",
                    "Years must be a number (e.g. 3 or 3.5)",
                )
            else:
                if years[kind] is not None and years[kind] < 0:  # type: ignore[operator]
                    out[f"{kind}_years"] = ("error", "年限不能为负数", "Years cannot be negative")
                elif years[kind] is not None and since is not None:
                    out[f"{kind}_years"] = (
                        "error",
                        "起始日期与年限只填其一",
                        "Give either the start date or the years, not both",
                    )
            if since is not None and as_of is not None and since > as_of:
                out[f"{kind}_since"] = (
                    "error",
                    f"起始日期晚于评估日期（{as_of.isoformat()}）",
                    f"The start date is after the as-of date ({as_of.isoformat()})",
                )
        if "shanghai_years" not in out and "relevant_years" not in out:
            rs, ss = self.relevant_since.value, self.shanghai_since.value
            ry, sy = years.get("relevant"), years.get("shanghai")
            if (rs and ss and ss < rs) or (ry is not None and sy is not None and sy > ry):
                out.setdefault(
                    "shanghai_years" if sy is not None else "shanghai_since",
                    (
                        "warning",
                        "在沪相关工作长于相关工作总年限，请核对",
                        "Shanghai work is longer than all relevant work: check",
                    ),
                )
        ps, pe = self.publicity_start.value, self.publicity_end.value
        if pe is not None and ps is None:
            out["publicity_end"] = ("error", "请先填写公示开始日期", "Give the publicity start date first")
        elif pe is not None and ps is not None and pe < ps:
            out["publicity_end"] = (
                "error",
                "公示结束日期早于开始日期",
                "The publicity end is before its start",
            )
        rid = self.round.value
        if rid is not None and self.list_version.value not in rounds()[rid].list_versions:
            r = rounds()[rid]
            out["round"] = (
                "warning",
                f"{r.name_zh}面向{'、'.join(r.list_versions)}版清单证书",
                f"{r.name_en} is for certificates on List {', '.join(r.list_versions)}",
            )
        return out

    def _validate(self) -> bool:
        """Show each field's problem next to it; True when no field has an error."""
        problems = self._problems()
        for name, row in self.rows.items():
            if name in problems:
                kind, zh, en = problems[name]
                row.set_error(kind, self.t(zh, en))
            else:
                row.set_error(None)
        errors = [name for name, (kind, _, _) in problems.items() if kind == "error"]
        # a button that cannot act is disabled and says why, beside it
        self.assess_button.disabled = bool(errors)
        why_zh = f"请先更正标出的{len(errors)}个字段" if errors else ""
        why_en = f"Correct the {len(errors)} marked field(s) first" if errors else ""
        self.assess_button.tooltip = self.t(why_zh, why_en)
        self.button_note.value = message_html("error", esc(self.t(why_zh, why_en))) if errors else ""
        return not errors

    def field_errors(self) -> dict[str, str]:
        """Field name → the message shown next to it (plain text, current language)."""
        return {name: self.t(zh, en) for name, (_kind, zh, en) in self._problems().items()}

    # --- handlers ---------------------------------------------------------------------------

    @safe_handler
    def _on_field_change(self, _change: dict[str, Any]) -> None:
        self._validate()

    @safe_handler
    def _on_as_of(self, change: dict[str, Any]) -> None:
        if change["new"] is not None and not self._version_chosen:
            try:
                self._set_version(version_in_force(change["new"]).version)
            except Exception:  # no List in force then: leave the chosen version, validation says so
                return

    @safe_handler
    def _on_version(self, _change: dict[str, Any]) -> None:
        if not self._setting_version:
            self._version_chosen = True
        self._refresh_certificate_options()
        self._render_list_notice()

    def build_case(self) -> CaseInput:
        """The :class:`CaseInput` the fields describe (call after validation)."""
        return CaseInput(
            application_id=self.application_id.value.strip() or None,
            full_name=self.full_name.value.strip() or None,
            holder_type=self.holder_type.value,
            shanghai_hukou=self.hukou.value,
            date_of_birth=self.date_of_birth.value,
            qualifications=_split_certificates(self.certificate.value),
            verified=self.verified.value,
            degree=self.degree.value,
            science_or_engineering_degree=self.science_degree.value,
            title_series=self.series.value,
            title_level=self.level.value,
            relevant_since=self.relevant_since.value,
            relevant_years=_parse_years(self.relevant_years.value),
            shanghai_since=self.shanghai_since.value,
            shanghai_years=_parse_years(self.shanghai_years.value),
            employer_type=self.employer_type.value,
            recommended_by_authority=self.recommended.value,
            previous_round=self.previous_round.value,
            publicity_start=self.publicity_start.value,
            publicity_end=self.publicity_end.value,
            round_id=self.round.value,
            basic_requirements=tuple(
                (code, dd.value) for code, dd in self.basic.items() if dd.value is not None
            ),
        )

    @safe_handler
    def _on_assess(self, _button: w.Button | None = None) -> None:
        self.clear_message()
        if not self._validate():
            self.result = self.case = None
            self.steps = []
            self._render_result()
            self.show_message(
                "error", "请更正标出的字段后再评估", "Correct the marked fields, then assess again"
            )
            return
        case = self.build_case()
        result = assess_case(case, self.as_of.value, self.list_version.value)
        self.case, self.result = case, result
        self.steps = process_steps(case, result)
        self._render_result()

    # --- output ---------------------------------------------------------------------------

    def _render_result(self) -> None:
        if self.result is None or self.case is None:
            self.result_box.layout.display = "none"
            self.decision.value = ""
            for h in (self.status_html, self.services_html, self.title_html, self.missing_html, self.publicity_html,
                      self.checklist_html, self.download_html):  # fmt: skip
                h.value = ""
            return
        lang, r = self.lang, self.result
        self.decision.value = message_html(
            _STATUS_KIND[r.status],
            f"<b>{esc(r.headline(lang))}</b> "
            f"<span style='color:#555'>{esc(self.t('（详情见右侧结果栏）', '(details in the result pane)'))}</span>",
        )
        seen: set[str] = set()  # each clause quoted once in the result
        self.status_html.value = _section(self.t("评估结论", "Result"), _status_html(r, lang, seen))
        self.services_html.value = _section(
            self.t("可享受的服务及须核对事项", "Services for this holder, and what to check"),
            _services_html(r, lang),
        )
        self.title_html.value = _section(self.t("职称评估", "Title eligibility"), _title_html(r, lang, seen))
        self.missing_html.value = _section(
            self.t("缺项与须核对事项", "Missing and to check"), _missing_html(r, lang)
        )
        self.publicity_html.value = _section(self.t("公示期", "Publicity"), _publicity_html(r, lang))
        proc = _process_source(r.as_of)
        self.checklist_html.value = _section(
            self.t("评审流程（本案）", "Assessment process (this case)"),
            _steps_html(self.steps, lang)
            + f"<div style='color:#555;font-size:90%'>{esc(self.t('依据：', 'Basis: '))}{esc(proc.cite(lang))}</div>",
        )
        name = f"assessment-{_safe_filename(self.case.application_id or 'case')}-{r.as_of.isoformat()}.html"
        self.download_html.value = data_link(self.summary_html().encode("utf-8"), name,
                                             self.t("下载评估摘要（可打印）", "Download the printable summary"))  # fmt: skip
        self.result_box.layout.display = None

    def summary_html(self) -> str:
        """The printable case-file summary of the last assessment ('' before one)."""
        if self.result is None or self.case is None:
            return ""
        return summary_document(self.case, self.result, self.steps)
