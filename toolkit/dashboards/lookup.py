"""资格查询 Qualification lookup: search the List as you type.

The version starts on the one in force, or — while that one has no entries loaded — on the newest
version that has some, and the notice says so. Exact matches come first; near matches (close
spellings only) are listed apart, under their own heading. "Not found" on a partial List says that
the List is partial: not found is not "not listed".

Each match shows its categories on every version of the List, the Category C title series and
level, the issuer, the source (clause and link text) and, for a certificate not on the version
asked for, why (``QualificationMatch.note_zh/.note_en``). The partial-List notice of the
version chosen is always visible.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..rules import (
    QualificationMatch,
    find_qualifications,
    get_version,
    list_versions,
    lookup_version,
    title_series,
)
from ..vocab import CATEGORIES, LEVELS
from .base import Form, esc, message_html, safe_handler

__all__ = ["LookupForm"]

_STATUS_KIND = {
    "on_list": "ok",
    "removed": "error",
    "not_known_on_version": "warning",
    "not_yet_listed": "warning",
}
_TD = "padding:2px 8px;vertical-align:top;text-align:left"


class LookupForm(Form):
    """Search box, version dropdown (default: :func:`~toolkit.rules.lookup_version`), notice, results."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("oqtk-lookup")
        versions = list(list_versions())
        start, self._in_force_empty = lookup_version()
        self.version = w.Dropdown(options=versions, value=start.version)
        self.version.add_class("oqtk-version")
        self.query = w.Text(value="", continuous_update=True, layout=w.Layout(width="420px"))
        self.query.add_class("oqtk-query")
        self.notice = w.HTML()
        self.notice.add_class("oqtk-notice")
        self.summary = w.HTML()
        self.results = w.HTML()
        self.results.add_class("oqtk-results")
        self.matches: list[QualificationMatch] = []
        self.query.observe(self._on_change, names="value")
        self.version.observe(self._on_change, names="value")
        self.children = [
            w.HBox([self.query, self.version]),
            self.notice,
            self.message,
            self.summary,
            self.results,
        ]
        self._render_labels()

    def _render_labels(self) -> None:
        self.query.description = self.t("证书名称", "Certificate")
        self.query.placeholder = self.t(
            "输入中文或英文名称、缩写，如 FCCA", "Chinese or English name or abbreviation, e.g. FCCA"
        )
        self.query.style.description_width = "80px"
        self.version.description = self.t("清单版本", "List version")
        self.version.style.description_width = "90px"
        self._update()

    @safe_handler
    def _on_change(self, _change: dict[str, Any] | None = None) -> None:
        self._update()

    def _update(self) -> None:
        self.clear_message()
        v = get_version(self.version.value)
        notice = v.partial_notice(self.lang)
        default_note = ""
        empty = self._in_force_empty
        if empty is not None and v.version != empty.version:
            default_note = self.t(
                f"现行的{empty.version}版清单尚无已载入的条目，默认按已载入条目的最新版本（{v.version}版）查询；"
                f"可在右侧改选版本。",
                f"List {empty.version}, in force, has no entries loaded yet, so the lookup starts on the newest "
                f"version with entries ({v.version}); choose another version on the right.",
            )
        self.notice.value = message_html(
            "warning" if notice or default_note else "info",
            esc(
                " ".join(
                    x
                    for x in (
                        default_note,
                        notice
                        or self.t(
                            f"{v.title_zh}：附件已完整载入。", f"{v.title_en}: the annex is fully loaded."
                        ),
                    )
                    if x
                )
            ),
        )
        text = self.query.value.strip()
        if not text:
            self.matches = []
            self.summary.value = ""
            self.results.value = ""
            return
        self.matches = find_qualifications(text, v.version)
        exact = [m for m in self.matches if m.exact]
        near = [m for m in self.matches if not m.exact]
        if not exact:
            if v.complete:
                msg = self.t(
                    f"{v.version}版清单中没有与“{text}”相符的证书。请换用英文全称、中文名称或缩写再试；"
                    f"若确不在清单上，则不属于认可的境外职业资格证书。",
                    f"No certificate on List {v.version} matches “{text}”. Try the full English or Chinese name "
                    f"or the abbreviation; a certificate not on the List is not a recognised overseas qualification.",
                )
            else:
                msg = self.t(
                    f"已载入的{v.version}版清单条目中未找到“{text}”。本版清单只载入了部分条目"
                    f"（{v.known_count}条），未找到不等于不在清单上：请对照清单附件核对。",
                    f"“{text}” is not among the loaded entries of List {v.version}. Only part of this List is "
                    f"loaded ({v.known_count} entries), so not found does not mean not listed: check the annex.",
                )
            self.summary.value = message_html("warning" if not v.complete else "info", esc(msg))
        else:
            self.summary.value = esc(
                self.t(
                    f"找到 {len(exact)} 项（{v.version}版清单）",
                    f"{len(exact)} match(es) on List {v.version}",
                )
            )
        near_html = ""
        if near:
            near_html = (
                f'<div class="oqtk-near"><h4 style="margin:10px 0 2px;color:#555">'
                f"{esc(self.t('相近名称（并非精确匹配，请核对是否为所查证书）', 'Close names (not exact matches: check whether one is meant)'))}"
                f"</h4>{''.join(self._match_html(m) for m in near)}</div>"
            )
        self.results.value = "".join(self._match_html(m) for m in exact) + near_html

    def _match_html(self, m: QualificationMatch) -> str:
        lang = self.lang
        e = m.entry
        name = self.t(m.name_zh, m.name_en)
        other = self.t(m.name_en, m.name_zh)
        abbr = f" ({', '.join(e.abbreviations)})" if e.abbreviations else ""
        near = (
            ""
            if m.score >= 1.0
            else self.t(f"（近似匹配：{m.matched_on}）", f" (near match: {m.matched_on})")
        )
        note = message_html(_STATUS_KIND.get(m.status, "info"), esc(self.t(m.note_zh, m.note_en)))
        # categories on every version
        cat_rows = []
        for version in list_versions():
            cats = m.categories_by_version.get(version)
            text = (
                "、".join(CATEGORIES[c][0] for c in cats)
                if cats and lang == "zh"
                else "; ".join(CATEGORIES[c][1] for c in cats)
                if cats
                else self.t("未列入（或未载入）", "not listed (or not loaded)")
            )
            cat_rows.append(
                f'<tr><td style="{_TD}">{esc(version)}</td><td style="{_TD}">{esc(text)}</td></tr>'
            )
        cats_table = (
            f'<table class="oqtk-cats" style="border-collapse:collapse"><thead><tr>'
            f'<th style="{_TD}">{esc(self.t("清单版本", "Version"))}</th>'
            f'<th style="{_TD}">{esc(self.t("类别", "Categories"))}</th></tr></thead>'
            f"<tbody>{''.join(cat_rows)}</tbody></table>"
        )
        facts = []
        if "C" in e.categories:
            series = title_series()
            names = [self.t(series[s].name_zh, series[s].name_en) if s in series else s for s in e.c_series]
            series_text = (
                "、".join(names)
                if names and lang == "zh"
                else ", ".join(names)
                if names
                else self.t("按申报人从事的专业确定", "the series of the applicant's field")
            )
            level = LEVELS[e.c_level][0 if lang == "zh" else 1] if e.c_level else "—"
            facts.append((self.t("C类对应职称", "Category C title"), f"{series_text} · {level}"))
        facts.append((self.t("发证机构", "Issuer"), e.issuer + (f" ({e.country})" if e.country else "")))
        if e.field:
            facts.append((self.t("领域", "Field"), e.field))
        if m.matched_source is not None:  # found by another name of the issuer (data/list/aliases.yaml)
            facts.append(
                (self.t("发证机构名称", "Issuer's name"), f"{m.matched_on} — {m.matched_source.cite(lang)}")
            )
        src = e.source
        facts.append((self.t("依据", "Source"), src.cite(lang)))
        if src.url:
            facts.append((self.t("出处链接", "Link"), src.url))
        if e.inferred:
            facts.append(
                (
                    self.t("推定字段", "Inferred fields"),
                    ", ".join(e.inferred)
                    + self.t("（公开资料未载，待核实）", " (not in the public record; to be confirmed)"),
                )
            )
        fact_rows = "".join(
            f'<tr><th style="{_TD};color:#555;white-space:nowrap">{esc(k)}</th><td style="{_TD}">{esc(val)}</td></tr>'
            for k, val in facts
        )
        return (
            f'<div class="oqtk-match" data-entry="{esc(m.entry_id)}" data-status="{esc(m.status)}" '
            f'style="border:1px solid #ccc;border-radius:4px;padding:6px 10px;margin:6px 0">'
            f'<div style="font-size:16px"><b>{esc(name)}</b>{esc(abbr)} '
            f'<span style="color:#666">{esc(other)}</span>{esc(near)}</div>'
            f"{note}{cats_table}"
            f'<table style="border-collapse:collapse;margin-top:4px">{fact_rows}</table></div>'
        )
