"""首页 Home: what each page is for, the List version and calendar in force, and warnings.

Warnings shown (each from the module that owns the fact):

- the List version in force is partial: :meth:`ListVersion.partial_notice`;
- this year's or next year's holiday schedule is not loaded: ``calendar_status().warning``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from ..calendar import calendar_status, year_ranges
from ..rules import list_versions, version_in_force
from .base import Form, esc, message_html, safe_handler

__all__ = ["HomeForm"]

_CELL = "padding:3px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"


class HomeForm(Form):
    """The home page's content. ``today`` fixes the date (tests); default: today."""

    def __init__(self, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("oqtk-home")
        self.today = today
        self.warnings = w.HTML()
        self.warnings.add_class("oqtk-warnings")
        self.pages = w.HTML()
        self.pages.add_class("oqtk-pages")
        self.status = w.HTML()
        self.status.add_class("oqtk-status")
        self.refresh_button = w.Button()
        self.refresh_button.on_click(self._on_refresh)
        self.children = [self.message, self.warnings, self.pages, self.status, self.refresh_button]
        self._render_labels()

    def _render_labels(self) -> None:
        self.refresh_button.description = self.t("刷新", "Refresh")
        self.refresh_button.tooltip = self.t("重新读取清单与日历状态", "Re-read the List and calendar status")
        self.refresh()

    @safe_handler
    def _on_refresh(self, _button: w.Button | None = None) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.clear_message()
        self.pages.value = self._pages_html()
        today = self.today or dt.date.today()
        warnings: list[str] = []
        status_parts: list[str] = []
        try:
            current = version_in_force(today)
            notice = current.partial_notice(self.lang)
            if notice:
                warnings.append(message_html("warning", esc(notice)))
            status_parts.append(self._list_html(current.version, today))
        except Exception as exc:  # a policy-data error must not blank the home page
            self._log_failure("list", exc)
            warnings.append(message_html("error", esc(str(exc))))
        try:
            cal = calendar_status(today)
            if cal.warning:
                warnings.append(
                    message_html("warning", esc(cal.warning["en" if self.lang == "en" else "zh"]))
                )
            status_parts.append(self._calendar_html(cal.years, today))
        except Exception as exc:
            self._log_failure("calendar", exc)
            warnings.append(message_html("error", esc(str(exc))))
        self.warnings.value = "".join(warnings)
        self.status.value = "".join(status_parts)

    def _log_failure(self, what: str, exc: Exception) -> None:
        from .base import log

        log.exception("home: %s status failed: %s", what, type(exc).__name__)

    def _pages_html(self) -> str:
        from .page import PAGES

        rows = []
        for p in PAGES.values():
            if p.name == "home":
                continue
            rows.append(
                f'<tr><td style="{_CELL}"><a href="{esc(p.href)}" data-page="{esc(p.name)}">'
                f'<b>{esc(p.title(self.lang))}</b></a><br><span style="color:#666">'
                f"{esc(p.title('en' if self.lang == 'zh' else 'zh'))}</span></td>"
                f'<td style="{_CELL}">{esc(p.purpose(self.lang))}</td></tr>'
            )
        head = self.t("页面", "Page"), self.t("用途", "What it is for")
        return (
            f"<h3>{esc(self.t('仪表板', 'Dashboards'))}</h3>"
            f'<table style="border-collapse:collapse"><thead><tr><th style="{_CELL}">{esc(head[0])}</th>'
            f'<th style="{_CELL}">{esc(head[1])}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )

    def _list_html(self, in_force: str, today: dt.date) -> str:
        rows = []
        for v in list_versions().values():
            mark = self.t("（现行）", " (in force)") if v.version == in_force else ""
            complete = (
                self.t("完整", "complete")
                if v.complete
                else self.t(f"不完整：已载入 {v.known_count} 条", f"partial: {v.known_count} entries loaded")
            )
            if v.imported:  # where the entries came from: imported on which date from which file
                at, name = str(v.imported.get("at", ""))[:10], v.imported.get("file", "?")
                complete += self.t(f"（{at} 由 {name} 导入）", f" (imported {at} from {name})")
            rows.append(
                f'<tr><td style="{_CELL}"><b>{esc(v.version)}</b>{esc(mark)}</td>'
                f'<td style="{_CELL}">{esc(self.t(v.title_zh, v.title_en))}</td>'
                f'<td style="{_CELL}">{esc(v.in_force_from.isoformat())}</td>'
                f'<td style="{_CELL}">{esc(complete)}</td></tr>'
            )
        head = [
            self.t("版本", "Version"),
            self.t("名称", "Title"),
            self.t("施行日期", "In force from"),
            self.t("载入情况", "Loaded"),
        ]
        ths = "".join(f'<th style="{_CELL}">{esc(h)}</th>' for h in head)
        return (
            f"<h3>{esc(self.t('认可清单版本', 'Versions of the List'))}</h3>"
            f"<p>{esc(self.t(f'{today.isoformat()} 现行版本：{in_force}', f'In force on {today.isoformat()}: version {in_force}'))}</p>"
            f'<table class="oqtk-versions" style="border-collapse:collapse"><thead><tr>{ths}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _calendar_html(self, years: list[int], today: dt.date) -> str:
        covered = year_ranges(years) or self.t("无", "none")
        this_year = today.year in years
        next_year = today.year + 1 in years
        yes, no = self.t("已载入", "loaded"), self.t("未载入", "not loaded")
        return (
            f"<h3>{esc(self.t('法定节假日日历', 'Holiday calendar'))}</h3>"
            f'<p class="oqtk-calendar">{esc(self.t("已载入年份：", "Years loaded: "))}{esc(covered)}<br>'
            f"{esc(self.t(f'{today.year}年：', f'{today.year}: '))}{esc(yes if this_year else no)}{esc(self.t('；', '; '))}"
            f"{esc(self.t(f'{today.year + 1}年：', f'{today.year + 1}: '))}{esc(yes if next_year else no)}</p>"
        )
