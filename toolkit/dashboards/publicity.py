"""公示期计算 Publicity calculator: start → end day by day, and deadline → latest start.

The rule is :mod:`toolkit.rules.publicity` (the number and its clause from
``data/policy/publicity_working_days.yaml``); days are counted in the official Chinese working-day
calendar (:mod:`toolkit.calendar`). A date in a year whose holiday schedule is not loaded gives a clear message (:class:`CalendarNotCovered`), never a
weekend-only guess: the page tells the officer, in their words, that the year's schedule is missing
and names the one command the administrator runs (``oqtk calendar import``). Days that next
year's notice could still change (late December while next year is not loaded) are marked in the
table, and the result carries the ``publicity_provisional_days`` check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from ..calendar import IMPORT_COMMAND, IMPORT_COMMAND_EN, DayKind
from ..exceptions import CalendarNotCovered
from ..rules.publicity import PublicityWindow, latest_publicity_start, publicity_window, rule_text
from .base import Form, esc, message_html, safe_handler

__all__ = ["PublicityForm"]

_WEEKDAY = (
    ("一", "Mon"),
    ("二", "Tue"),
    ("三", "Wed"),
    ("四", "Thu"),
    ("五", "Fri"),
    ("六", "Sat"),
    ("日", "Sun"),
)
_KIND = {
    DayKind.WORKING: ("工作日", "Working day"),
    DayKind.MAKEUP_WORKING: ("调休上班", "Make-up working day"),
    DayKind.WEEKEND: ("周末", "Weekend"),
    DayKind.HOLIDAY: ("法定节假日", "Public holiday"),
    DayKind.IN_LIEU: ("调休休息", "Day off in lieu"),
}
_TD = "padding:2px 8px;text-align:left;border-bottom:1px solid #eee"


class PublicityForm(Form):
    """Two calculators: from a start date, and back from a deadline."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("oqtk-publicity")
        self.start = w.DatePicker(value=None)
        self.start.add_class("oqtk-start")
        self.start_button = w.Button(button_style="primary")
        self.start_button.add_class("oqtk-start-go")
        self.start_button.on_click(self._on_start)
        self.deadline = w.DatePicker(value=None)
        self.deadline.add_class("oqtk-deadline")
        self.deadline_button = w.Button(button_style="primary")
        self.deadline_button.add_class("oqtk-deadline-go")
        self.deadline_button.on_click(self._on_deadline)
        self.rule = w.HTML()
        self.start_title = w.HTML()
        self.deadline_title = w.HTML()
        self.result = w.HTML()
        self.result.add_class("oqtk-result")
        self.window: PublicityWindow | None = None
        self.latest_start: dt.date | None = None
        self._last: str | None = None  # which calculator ran last (re-rendered on language change)
        self.children = [
            self.rule,
            self.start_title,
            w.HBox([self.start, self.start_button]),
            self.deadline_title,
            w.HBox([self.deadline, self.deadline_button]),
            self.message,
            self.result,
        ]
        self._render_labels()

    def _render_labels(self) -> None:
        rule = rule_text()  # the rule in force today, from rules/ and data/
        self.rule.value = (
            f'<div style="color:#333">{esc(self.t("规则：", "Rule: "))}'
            + esc(
                self.t(*rule)
                if rule
                else self.t("今日无公示期规定。", "No publicity rule is in force today.")
            )
            + "</div>"
        )
        self.start_title.value = (
            f"<h4>{esc(self.t('① 由开始日期计算结束日期', '① Start date → end date'))}</h4>"
        )
        self.deadline_title.value = (
            f"<h4>{esc(self.t('② 由截止日期倒推最晚开始日期', '② Deadline → latest start'))}</h4>"
        )
        self.start.description = self.t("公示开始", "Starts on")
        self.deadline.description = self.t("截止日期", "Deadline")
        self.start_button.description = self.t("计算结束日期", "Compute end date")
        self.deadline_button.description = self.t("计算最晚开始日期", "Compute latest start")
        if self._last == "start" and self.window is not None:
            self._show_window(self.window)
        elif self._last == "deadline" and self.window is not None and self.latest_start is not None:
            self._show_deadline(self.deadline.value, self.latest_start, self.window)

    def _need(self, value: dt.date | None, zh: str, en: str) -> bool:
        if value is None:
            self.result.value = ""
            self.show_message("warning", zh, en)
            return False
        return True

    def _not_covered(self, exc: CalendarNotCovered) -> None:
        self.window = None
        self.result.value = ""
        y = exc.year
        self.message.value = message_html(
            "error",
            esc(
                self.t(
                    f"{y}年的法定节假日安排尚未载入：进入{y}年的公示期暂时无法计算。"
                    f"国务院办公厅公布{y}年节假日安排通知后，请联系系统管理员导入，导入后即可计算。",
                    f"The {y} holiday schedule is not loaded yet, so a publicity period that reaches {y} "
                    f"cannot be computed. Once the State Council General Office publishes the {y} notice, "
                    "ask your administrator to import it; then compute again.",
                )
            )
            + '<div class="oqtk-admin-command" style="font-size:85%;color:#555;margin-top:4px">'
            + esc(self.t("管理员执行的命令：", "The administrator runs: "))
            + f"<code>{esc(self.t(IMPORT_COMMAND, IMPORT_COMMAND_EN).format(year=y))}</code></div>",
        )

    @safe_handler
    def _on_start(self, _button: w.Button | None = None) -> None:
        self.clear_message()
        if not self._need(self.start.value, "请先选择公示开始日期。", "Choose the start date first."):
            return
        try:
            self.window = publicity_window(self.start.value)
        except CalendarNotCovered as exc:
            self._not_covered(exc)
            return
        self.latest_start = None
        self._last = "start"
        self._show_window(self.window)

    @safe_handler
    def _on_deadline(self, _button: w.Button | None = None) -> None:
        self.clear_message()
        if not self._need(self.deadline.value, "请先选择截止日期。", "Choose the deadline first."):
            return
        try:
            self.latest_start = latest_publicity_start(self.deadline.value)
            self.window = publicity_window(self.latest_start)
        except CalendarNotCovered as exc:
            self.latest_start = None
            self._not_covered(exc)
            return
        self._last = "deadline"
        self._show_deadline(self.deadline.value, self.latest_start, self.window)

    def _format_date(self, d: dt.date) -> str:
        """The date with its weekday, as the officer reads it."""
        zh, en = _WEEKDAY[d.weekday()]
        return self.t(f"{d.isoformat()}（星期{zh}）", f"{d.isoformat()} ({en})")

    def _show_deadline(self, deadline: dt.date, start: dt.date, win: PublicityWindow) -> None:
        head = message_html(
            "ok",
            esc(
                self.t(
                    f"截止日期 {self._format_date(deadline)}：最晚应于 {self._format_date(start)} 开始公示，{self._format_date(win.end)} 结束。",
                    f"Deadline {self._format_date(deadline)}: the publicity must start by {self._format_date(start)}; it ends on {self._format_date(win.end)}.",
                )
            ),
        )
        self.result.value = (
            f'<div class="oqtk-latest-start" data-date="{start.isoformat()}">{head}</div>'
            + self._provisional(win)
            + self._table(win)
        )

    def _show_window(self, win: PublicityWindow) -> None:
        first = (
            ""
            if win.first_day == win.start
            else self.t(
                f"（{win.start.isoformat()} 不是工作日，从 {win.first_day.isoformat()} 起算）",
                f" ({win.start.isoformat()} is not a working day; counting starts on {win.first_day.isoformat()})",
            )
        )
        head = message_html(
            "ok",
            esc(
                self.t(
                    f"公示期 {self._format_date(win.start)} 至 {self._format_date(win.end)}，共 {win.required} 个工作日{first}。",
                    f"Publicity from {self._format_date(win.start)} to {self._format_date(win.end)}: {win.required} working days{first}.",
                )
            ),
        )
        self.result.value = (
            f'<div class="oqtk-end" data-date="{win.end.isoformat()}">{head}</div>'
            + self._provisional(win)
            + self._table(win)
        )

    def _provisional(self, win: PublicityWindow) -> str:
        """The check a window carries when a day of it may still change (next year not loaded)."""
        return "".join(
            f'<div class="oqtk-provisional">{message_html("warning", esc(self.t(f.zh, f.en)))}</div>'
            for f in win.findings
        )

    def _table(self, win: PublicityWindow) -> str:
        counted = {d: i for i, d in enumerate(win.working_days, start=1)}
        reasons = {d: (zh, en) for d, zh, en in win.skipped}
        rows = []
        for day in win.days:
            zh, en = _WEEKDAY[day.date.weekday()]
            kind = self.t(*_KIND.get(day.kind, (day.kind.value, day.kind.value)))
            n = counted.get(day.date)
            counted_text = self.t(f"第{n}天", f"day {n}") if n else self.t("不计", "not counted")
            reason = reasons.get(day.date)
            reason_text = (
                self.t(*reason)
                if reason
                else (self.t(day.label_zh, day.label_en) if day.kind is DayKind.MAKEUP_WORKING else "")
            )
            style = "" if n else ' style="color:#8d6e00;background:#fffbe6"'
            if day.provisional:
                mark = self.t(
                    "待复核：下一年度节假日通知尚未载入", "provisional: next year's notice is not loaded"
                )
                reason_text = f"{reason_text}（{mark}）" if reason_text else mark
            rows.append(
                f'<tr class="oqtk-day" data-date="{day.date.isoformat()}" data-counted="{n or 0}" '
                f'data-provisional="{int(day.provisional)}"{style}>'
                f'<td style="{_TD}">{day.date.isoformat()}</td>'
                f'<td style="{_TD}">{esc(self.t("星期" + zh, en))}</td>'
                f'<td style="{_TD}">{esc(kind)}</td>'
                f'<td style="{_TD}">{esc(counted_text)}</td>'
                f'<td style="{_TD}">{esc(reason_text)}</td></tr>'
            )
        head = [
            self.t("日期", "Date"),
            self.t("星期", "Weekday"),
            self.t("类型", "Kind"),
            self.t("计入", "Counted as"),
            self.t("说明（不计入的原因）", "Note (why a day is not counted)"),
        ]
        ths = "".join(f'<th style="{_TD};border-bottom:1px solid #999">{esc(h)}</th>' for h in head)
        src = ""
        if win.source is not None:
            url = f'<br><span style="color:#777">{esc(win.source.url)}</span>' if win.source.url else ""
            src = (
                f'<div class="oqtk-clause" style="color:#555;font-size:90%;margin-top:6px">'
                f"{esc(self.t('依据：', 'Basis: '))}{esc(win.source.cite(self.lang))}{url}</div>"
            )
        cal = ""
        if win.calendar_sources:
            cal = (
                f'<div style="color:#777;font-size:85%">{esc(self.t("日历来源：", "Calendar: "))}'
                + esc("; ".join(s.cite(self.lang) for s in win.calendar_sources))
                + "</div>"
            )
        return (
            f'<table class="oqtk-window" style="border-collapse:collapse;margin-top:6px"><thead><tr>{ths}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{src}{cal}"
        )
