"""Which years are loaded, from where, and a warning when this year or next year is missing
(for ``oqtk calendar status`` and the dashboards' home page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..clock import today as shanghai_today
from .loaded import calendar_in_force, provisional_from
from .schedule import IMPORT_COMMAND, IMPORT_COMMAND_EN, CalendarSource, as_date

__all__ = ["CalendarStatus", "calendar_status"]


@dataclass(frozen=True)
class CalendarStatus:
    """Which years are loaded, from where, and a bilingual warning when next year is missing."""

    today: dt.date
    years: list[int]
    sources: dict[int, list[CalendarSource]]
    not_covered: dict[int, str]  # years a library holds but that are not usable, and why
    warning: dict[str, str] | None  # {"zh": ..., "en": ..., "command": ...}

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "years": self.years,
            "sources": {str(y): [s.to_dict() for s in v] for y, v in self.sources.items()},
            "not_covered": {str(y): why for y, why in self.not_covered.items()},
            "warning": self.warning,
        }


def _this_year_missing(y: int) -> dict[str, str]:
    cmd, cmd_en = IMPORT_COMMAND.format(year=y), IMPORT_COMMAND_EN.format(year=y)
    return {
        "zh": f"{y}年的法定节假日安排尚未载入：本年度的公示期暂时无法计算。"
        f"请联系系统管理员导入国务院办公厅{y}年节假日安排通知（一条命令：{cmd}）。",
        "en": f"The {y} holiday schedule is not loaded: publicity periods this year cannot be computed yet. "
        f"Ask your administrator to import the State Council General Office notice for {y} (one command: {cmd_en}).",
        "command": cmd_en,
    }


def _next_year_missing(y: int) -> dict[str, str]:
    nxt = y + 1
    cmd, cmd_en = IMPORT_COMMAND.format(year=nxt), IMPORT_COMMAND_EN.format(year=nxt)
    first = provisional_from(y).isoformat()
    return {
        "zh": f"{nxt}年的法定节假日安排尚未载入：结束日期进入{nxt}年的公示期暂时无法计算，"
        f"{first} 及以后的日期待通知公布后复核。国务院办公厅通知公布后，"
        f"请联系系统管理员导入（一条命令：{cmd}）。",
        "en": f"The {nxt} holiday schedule is not loaded: publicity periods that reach {nxt} cannot be "
        f"computed yet, and dates from {first} on must be checked again once the notice is out. When the "
        f"State Council General Office publishes it, ask your administrator to import it (one command: {cmd_en}).",
        "command": cmd_en,
    }


def calendar_status(today: dt.date | None = None) -> CalendarStatus:
    """Covered years and their sources; warns when this year, or from 1 November next year, is missing.

    The State Council usually publishes next year's schedule between late October and mid
    December, so a missing next year is a warning, not an error. ``today`` defaults to today in
    Shanghai.
    """
    today = as_date(today, "today") if today is not None else shanghai_today()
    cal = calendar_in_force()
    years = sorted(cal.years)
    y = today.year
    # Addressed to the officer: what cannot be done yet, and the one command the administrator runs.
    warning = None
    if y not in cal.years:
        warning = _this_year_missing(y)
    elif today >= dt.date(y, 11, 1) and y + 1 not in cal.years:
        warning = _next_year_missing(y)
    return CalendarStatus(
        today,
        years,
        {y: list(cal.years[y].sources) for y in years},
        dict(sorted(cal.not_covered.items())),
        warning,
    )
