"""The supervisor's sign-off page (签核) in pieces of HTML: a run's facts, its file check, the rows
needing attention, its sign-off history and the comparison of two runs.

(Names: the *review* is the toolkit's review of an intake sheet; a batch run's executed notebook
is its *report* (review.html); the supervisor's approval or return of a run is its *sign-off*.)
Each function is pure: it takes what the register returned and the page's ``t(zh, en)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..clock import SHANGHAI
from ..intake.columns import shown_label
from ..intake.results_csv import read_results_csv
from ..vocab import STATUSES, label
from .base import esc, message_html
from .widgets import table_html

__all__ = [
    "attention_rows",
    "changes_html",
    "run_facts_html",
    "shown_time",
    "sign_off_history_html",
    "status_word",
    "verify_badge_html",
]

Translate = Callable[[str, str], str]


def shown_time(iso: str | None) -> str:
    """A UTC ISO time from the register, shown in China Standard Time."""
    if not iso:
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def status_word(code: str | None, lang: str) -> str:
    """A row status in words of ``lang`` (an unknown code as it is, none as a dash)."""
    if code is None:
        return "—"
    return label(code, STATUSES, lang) if code in STATUSES else code


def attention_rows(path: Path, lang: str = "zh", limit: int = 500) -> tuple[list[tuple[str, str, str]], int]:
    """Rows of ``results.csv`` that are not eligible: (id, status, reasons), and how many in all.

    Reasons in the page's language (``reasons_zh`` / ``reasons_en``) when the file has them.
    """
    results = read_results_csv(path)
    if not results.has("status"):
        return [], 0
    rows: list[tuple[str, str, str]] = []
    total = 0
    for line in results:
        status = results.get(line, "status")
        if status == "eligible":
            continue
        total += 1
        if len(rows) < limit:
            key = results.get(line, "application_id") or f"<row {line.line}>"
            rows.append((key, status, results.reasons(line, lang)))
    return rows, total


#: The columns of the table of runs' rows needing attention (their labels: toolkit.intake.columns).
ATTENTION_COLUMNS = ("application_id", "status_text", "reasons")


def run_facts_html(rec: Any, t: Translate, lang: str) -> str:
    """A run's facts, parameters, versions and counts, as tables."""
    from ..register import RUN_STATUSES

    try:
        from ..batch.report import PARAMETER_LABELS, VERSION_LABELS
    except ImportError:  # pragma: no cover - the report module ships with the batch runner
        PARAMETER_LABELS, VERSION_LABELS = {}, {}
    params = [
        (t(*PARAMETER_LABELS[k]) if k in PARAMETER_LABELS else k, val) for k, val in rec.parameters.items()
    ]
    versions = [(t(*VERSION_LABELS[k]) if k in VERSION_LABELS else k, val) for k, val in rec.versions.items()]
    counts = [(status_word(k, lang), val) for k, val in rec.counts.items()]
    facts = [
        (t("运行编号", "Run"), rec.run_id),
        (t("状态", "Status"), t(*RUN_STATUSES[rec.status])),
        (t("申报表", "Intake sheet"), rec.input_name or ""),
        (t("申报表指纹", "Intake sheet SHA-256"), (rec.input_sha256 or "")[:16]),
        (t("创建时间", "Created"), shown_time(rec.created_at)),
        (t("完成时间", "Finished"), shown_time(rec.finished_at)),
        (t("读入/输出行数", "Rows in / out"), f"{rec.rows_in} / {rec.rows_out}"),
        (t("运行文件夹", "Folder"), str(rec.run_dir)),
    ]
    if rec.error:
        facts.append((t("错误", "Error"), rec.error))
    kv = [t("项目", "Item"), t("内容", "Value")]
    return (
        f"<h4>{esc(t('运行详情', 'Run detail'))}</h4>"
        + table_html(kv, facts, css_class="oqtk-table oqtk-run-facts")
        + f"<h5>{esc(t('参数', 'Parameters'))}</h5>"
        + table_html(kv, params, css_class="oqtk-table oqtk-params")
        + f"<h5>{esc(t('版本', 'Versions'))}</h5>"
        + table_html(kv, versions, css_class="oqtk-table oqtk-versions")
        + f"<h5>{esc(t('结论统计', 'Counts'))}</h5>"
        + table_html(kv, counts, css_class="oqtk-table oqtk-counts")
    )


def verify_badge_html(v: Any, t: Translate) -> str:
    """The file check's badge: every output as the run wrote it, or which changed or are missing."""
    if v.ok:
        badge = message_html(
            "ok",
            esc(
                t(
                    f"文件完整：{len(v.checks)}个文件与运行时一致",
                    f"Files intact: {len(v.checks)} files as the run wrote them",
                )
            ),
        )
    else:
        parts = [esc(t("文件与运行时不一致：", "Files differ from what the run wrote: "))]
        parts += [f"<b>{esc(n)}</b>（{esc(t('已更改', 'changed'))}）" for n in v.changed]
        parts += [f"<b>{esc(n)}</b>（{esc(t('缺失', 'missing'))}）" for n in v.missing]
        badge = message_html("error", " ".join(parts))
    return f'<div class="oqtk-verify" data-verify="{"ok" if v.ok else "changed"}">{badge}</div>'


def sign_off_history_html(rec: Any, t: Translate) -> str:
    """A run's sign-off history: every decision, who made it, and whether its files were intact then."""
    title = f"<h5>{esc(t('审核记录', 'Decision history'))}</h5>"
    if not rec.decisions:
        return title + f"<p>{esc(t('尚无审核决定', 'No decision yet'))}</p>"
    from ..register import DECISIONS

    rows = []
    for d in rec.decisions:
        ok = d.verified.get("ok")
        files = (
            t("完整", "intact")
            if ok
            else t("不一致：", "differed: ")
            + ", ".join([*d.verified.get("changed", []), *d.verified.get("missing", [])])
        )
        rows.append(
            (shown_time(d.at), t(*DECISIONS[d.decision]), d.by_name, d.os_user or "", d.comment or "", files)
        )
    return title + table_html(
        [t("时间", "Time"), t("决定", "Decision"), t("审核人", "By"), t("系统账户", "OS user"),
         t("意见", "Comment"), t("当时文件", "Files then")],
        rows,
        css_class="oqtk-table oqtk-history",
    )  # fmt: skip


def changes_html(changes: list[Any], pair: tuple[str, str], t: Translate, lang: str) -> str:
    """The rows whose status changed between two runs of one sheet, with both reasons."""
    kinds = {
        "changed": ("结论变化", "status changed"),
        "added": ("新增", "added"),
        "removed": ("删除", "removed"),
    }
    rows = [
        (c.application_id, t(*kinds.get(c.kind, (c.kind, c.kind))), status_word(c.old_status, lang),
         status_word(c.new_status, lang), c.old_reasons or "", c.new_reasons or "")
        for c in changes
    ]  # fmt: skip
    return (
        f"<p>{esc(t(f'{pair[0]} → {pair[1]}：{len(changes)}行有变化', f'{pair[0]} → {pair[1]}: {len(changes)} rows differ'))}</p>"
        + table_html(
            [shown_label("application_id", lang), t("变化", "Change"), t("原结论", "Before"), t("新结论", "After"),
             t("原理由", "Reasons before"), t("新理由", "Reasons after")],
            rows,
            css_class="oqtk-table oqtk-compare",
        )
    )  # fmt: skip
