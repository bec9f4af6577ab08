"""``oqtk publicity``, ``oqtk calendar status`` and ``oqtk calendar import``: the publicity period, the
calendar's coverage, and a State Council holiday notice imported into the bureau's data folder."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from .options import display_width, positive_whole_number

__all__ = ["add_cli"]

_WEEKDAY = ("一 Mon", "二 Tue", "三 Wed", "四 Thu", "五 Fri", "六 Sat", "日 Sun")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD / expected a date YYYY-MM-DD: {text!r}"
        ) from None


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
        type=positive_whole_number,
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
    i = csub.add_parser(
        "import",
        help="导入国务院办公厅节假日安排通知 / import the State Council holiday notice (.txt, .docx, .pdf)",
        description="读取国务院办公厅《关于Y年部分节假日安排的通知》（网页文字 .txt、Word .docx 或文字版 PDF），"
        "逐句核对后写入数据目录 / Read the State Council General Office holiday notice, check every "
        "sentence, and write the year into the bureau's data folder.",
    )
    i.add_argument("notice", help="通知文件 / the notice (.txt, .docx or .pdf)")
    i.add_argument("--year", type=int, required=True, help="通知所安排的年度 / the year the notice schedules")
    i.add_argument(
        "--number", default=None, help="文号（文本未载时）/ the document number, if the text lacks it"
    )
    i.add_argument(
        "--adjustment",
        action="append",
        default=[],
        metavar="FILE",
        help="此后调整某节日的通知（可多次）/ a later notice adjusting one holiday (repeatable)",
    )
    i.add_argument("--dry-run", action="store_true", help="只核对不写入 / check only, write nothing")
    i.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    i.set_defaults(func=_import)
    c.set_defaults(func=lambda args: (c.print_help(), 2)[1])


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]


def _publicity(args: argparse.Namespace) -> int:
    from ..rules.publicity import latest_publicity_start, publicity_end_date, publicity_window

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
        if d.provisional:
            label += " · 待复核 / provisional"
        rows.append([d.date.isoformat(), _WEEKDAY[d.date.weekday()], no, label])
    lines += _table(rows)
    lines.append("")
    for f in win.findings:
        lines += [f"? {f.zh}", f"  {f.en}", ""]
    if win.source is not None:
        lines.append(f"依据 / Rule: {win.source.cite('zh')}")
        lines.append(f"             {win.source.cite('en')}")
    for src in win.calendar_sources:
        lines.append(f"日历 / Calendar: {src.cite('zh')}")
    if deadline_info is not None:
        from ..rules.publicity import provisional_finding

        late = provisional_finding(dt.date.fromisoformat(deadline_info["latest_start"]), args.deadline)
        if late is not None and not win.findings:
            lines += ["", f"? {late.zh}", f"  {late.en}"]
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
    from ..calendar import calendar_status, year_ranges

    st = calendar_status(args.today)
    if args.json:
        print(json.dumps(st.to_dict(), ensure_ascii=False, indent=2))
        return 0
    lines = [f"已载入的年度 / Years loaded: {year_ranges(st.years) or '无 / none'}", ""]
    rows = [["年度 Year", "来源 Sources"]]
    for y in st.years:
        srcs = st.sources[y]
        rows.append([str(y), srcs[0].cite("zh")])
        for s in srcs[1:]:
            rows.append(["", s.cite("zh")])
    lines += _table(rows)
    from ..paths import bureau_data_dir

    lines += ["", f"数据目录 / bureau data folder (imports): {bureau_data_dir()}"]
    from ..calendar import provisional_from

    last = st.years[-1] if st.years else None
    if last is not None:
        first = provisional_from(last).isoformat()
        lines.append(
            f"待复核 / provisional: {first} – {last}-12-31（{last + 1}年通知尚未载入 / the {last + 1} notice is not loaded）"
        )
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


def _import(args: argparse.Namespace) -> int:
    from ..calendar import import_notice

    res = import_notice(
        args.notice, args.year, number=args.number, adjustments=args.adjustment, dry_run=args.dry_run
    )
    if args.json:
        out = {
            "year": res.year,
            "title": res.title,
            "number": res.number,
            "published": res.published.isoformat(),
            "days": [{"date": d, "weekday": w, "kind": k, "item": it} for d, w, k, it in res.table()],
            "differences": res.differences,
            "notes": res.notes,
            "adjustments": res.adjustments,
            "path": str(res.path),
            "written": res.written,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    lines = [
        f"{res.title} · {res.number or '文号未载 / no document number'} · 发布 published {res.published.isoformat()}",
        *(
            f"调整 / adjusted by: {a['title_zh']} · {a['number'] or '文号未载'} · {a['published']}"
            for a in res.adjustments
        ),
        "",
    ]
    rows = [["日期 Date", "星期 Day", "安排 Kind", "条目 Item"]]
    rows += [list(r) for r in res.table()]
    lines += _table(rows)
    lines += [
        "",
        "其余日期：周一至周五上班，周六、周日休息 / every other day: Monday–Friday working, weekends off",
        "",
    ]
    if res.differences:
        for lib, diff in res.differences.items():
            lines.append(
                f"与 {lib} 对比 / against {lib}: "
                + ("无差异 / no difference" if not diff else "; ".join(diff))
            )
    else:
        lines.append(
            f"日历库均未载 {res.year} 年，无可对比 / no library holds {res.year}: nothing to compare"
        )
    lines += [f"注 / Note: {n}" for n in res.notes]
    lines.append("")
    if res.written:
        lines.append(f"已写入 / Written: {res.path}")
    else:
        lines.append(f"核对通过，未写入（--dry-run）/ checked, nothing written (--dry-run): {res.path}")
    print("\n".join(lines))
    return 0
