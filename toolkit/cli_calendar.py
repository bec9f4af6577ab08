"""``oqtk publicity`` and ``oqtk calendar status``: the publicity period and the calendar's coverage."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import unicodedata
from typing import Any

__all__ = ["add_cli"]

_WEEKDAY = ("一 Mon", "二 Tue", "三 Wed", "四 Thu", "五 Fri", "六 Sat", "日 Sun")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD / expected a date YYYY-MM-DD: {text!r}"
        ) from None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"应为正整数 / expected a positive whole number: {text!r}")
    return n


def add_cli(sub: Any) -> None:
    p = sub.add_parser(
        "publicity",
        help="公示期 / the employer's publicity period (working days, holidays skipped)",
        description="公示期：自开始日（非工作日则顺延）起计满 N 个工作日 / "
        "Publicity period: N working days from the start date (or the next working day).",
    )
    p.add_argument("start", type=_date, help="开始日 / start date (YYYY-MM-DD)")
    p.add_argument(
        "--days",
        type=_positive,
        default=None,
        help="工作日数（默认按政策数据）/ working days (default: the policy number)",
    )
    p.add_argument(
        "--deadline",
        type=_date,
        default=None,
        help="截止日：给出最晚开始日 / deadline: show the latest start",
    )
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    p.set_defaults(func=_publicity)

    c = sub.add_parser("calendar", help="工作日历 / the working-day calendar")
    csub = c.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND")
    s = csub.add_parser("status", help="已载入的年度及来源 / years loaded and their sources")
    s.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    s.add_argument("--today", type=_date, default=None, help=argparse.SUPPRESS)
    s.set_defaults(func=_status)
    c.set_defaults(func=lambda args: (c.print_help(), 2)[1])


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]


def _publicity(args: argparse.Namespace) -> int:
    from .workdays import latest_publicity_start, publicity_end_date, publicity_window

    win = publicity_window(args.start, args.days)
    deadline_info: dict[str, Any] | None = None
    if args.deadline is not None:
        latest = latest_publicity_start(args.deadline, args.days)
        deadline_info = {
            "deadline": args.deadline.isoformat(),
            "latest_start": latest.isoformat(),
            "latest_start_end": publicity_end_date(latest, args.days).isoformat(),
            "start_meets_deadline": win.end <= args.deadline,
        }
    if args.json:
        out = win.to_dict()
        if deadline_info is not None:
            out["deadline"] = deadline_info
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    lines = [
        f"公示期 / Publicity period: {win.required} 个工作日 / working days",
        f"开始日 / Start:      {win.start.isoformat()}",
        f"首个工作日 / Day 1:  {win.first_day.isoformat()}",
        f"结束日 / End:        {win.end.isoformat()}",
        "",
    ]
    rows = [["日期 Date", "星期 Day", "第几日 No.", "说明 Kind"]]
    n = 0
    for d in win.days:
        if d.working:
            n += 1
        no = str(n) if d.working else "-"
        label = f"{d.label_zh} / {d.label_en}"
        rows.append([d.date.isoformat(), _WEEKDAY[d.date.weekday()], no, label])
    lines += _table(rows)
    lines.append("")
    if win.source is not None:
        lines.append(f"依据 / Rule: {win.source.cite('zh')}")
        lines.append(f"             {win.source.cite('en')}")
    for src in win.calendar_sources:
        lines.append(f"日历 / Calendar: {src.cite('zh')}")
    if deadline_info is not None:
        meets = deadline_info["start_meets_deadline"]
        lines += [
            "",
            f"截止日 / Deadline:  {deadline_info['deadline']}",
            f"最晚开始日 / Latest start: {deadline_info['latest_start']}"
            f"（结束于 / ends {deadline_info['latest_start_end']}）",
            f"自 {win.start.isoformat()} 开始{'能' if meets else '不能'}在截止日前结束 / "
            f"starting {win.start.isoformat()} {'meets' if meets else 'misses'} the deadline",
        ]
    print("\n".join(lines))
    return 0


def _status(args: argparse.Namespace) -> int:
    from .workdays import _ranges, calendar_status

    st = calendar_status(args.today)
    if args.json:
        print(json.dumps(st.to_dict(), ensure_ascii=False, indent=2))
        return 0
    lines = [f"已载入的年度 / Years loaded: {_ranges(st.years) or '无 / none'}", ""]
    rows = [["年度 Year", "来源 Sources"]]
    for y in st.years:
        srcs = st.sources[y]
        rows.append([str(y), srcs[0].cite("zh")])
        for s in srcs[1:]:
            rows.append(["", s.cite("zh")])
    lines += _table(rows)
    if st.not_covered:
        lines += ["", "未采用 / Not used:"]
        lines += [f"  {y}: {why}" for y, why in st.not_covered.items()]
    lines.append("")
    if st.warning:
        lines += [f"⚠ {st.warning['zh']}", f"⚠ {st.warning['en']}"]
    else:
        lines.append(
            f"今年及明年（如需）已载入 / This year, and next year when due, are loaded ({st.today.isoformat()})."
        )
    print("\n".join(lines))
    return 0
