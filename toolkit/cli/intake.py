"""``oqtk template`` and ``oqtk review``: the intake template and the review of an intake sheet.

An unreadable sheet is reported as one clear message (exit code 2, no traceback) by
:func:`toolkit.cli.main.main`, which catches :class:`~toolkit.exceptions.ToolkitError`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..exceptions import ToolkitError


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为 YYYY-MM-DD / must be YYYY-MM-DD: {s!r}") from None


def add_cli(sub: Any) -> None:
    p = sub.add_parser("template", help="生成申报表模板 / write the intake template (.xlsx)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="输出文件 / output file (default templates/intake_template.xlsx)",
    )
    p.set_defaults(func=_template)

    r = sub.add_parser("review", help="审核申报表 / review an intake sheet and write results")
    r.add_argument("intake", type=Path, help="申报表 .xlsx / the intake workbook")
    r.add_argument(
        "--as-of", type=_date, default=None, help="评估日期 / assess as of (YYYY-MM-DD, default today)"
    )
    r.add_argument(
        "--list-version", default=None, help="清单版本 / List version (default: in force on the date)"
    )
    r.add_argument(
        "--round", dest="round_id", default=None, help="评审批次 / evaluation round id (e.g. 2025-r3)"
    )
    r.add_argument(
        "--out", type=Path, default=None, help="结果文件夹 / folder for results.xlsx and results.csv"
    )
    r.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="结果表语言 / language of the results workbook"
    )
    r.add_argument(
        "--json", action="store_true", help="以 JSON 输出 / print the summary and problems as JSON"
    )
    r.set_defaults(func=_review)


def _template(args: argparse.Namespace) -> int:
    from ..intake.template import make_template

    path = make_template(args.out)
    print(f"模板已写入 / template written: {path}")
    return 0


def _review(args: argparse.Namespace) -> int:
    from ..intake import review_intake, write_results

    try:
        review = review_intake(
            args.intake, as_of=args.as_of, list_version=args.list_version, round_id=args.round_id
        )
    except ToolkitError:
        raise
    files = write_results(review, args.out, lang=args.lang) if args.out else None
    if args.json:
        out = review.summary()
        out["problems"] = [p.to_dict() for p in review.problems]
        out["files"] = {k: str(v) for k, v in (files or {}).items()}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    zh = args.lang == "zh"
    print(
        f"{review.path}  [{review.sheet_name}，表头第{review.header_row}行 / header row {review.header_row}]"
    )
    print(
        f"清单版本 / List {review.list_version}，评估日期 / as of {review.as_of.isoformat()}；"
        f"输入 {review.rows_in} 行 / rows in, 输出 {len(review.rows)} 行 / rows out"
    )
    if review.list_partial_zh:
        print(review.list_partial_zh if zh else review.list_partial_en)
    print("  ".join(f"{k}: {v}" for k, v in review.counts.items()))
    for other in review.other_sheets:  # rows in rows_in that no output row stands for
        zh_text, en_text = other.describe()
        print(f"未审核 / NOT REVIEWED: {zh_text if zh else en_text}")
    for p in review.problems:
        msg = p.message_zh if zh else p.message_en
        fix = p.fix_zh if zh else p.fix_en
        print(f"  {p.sheet}!{p.cell}  [{p.code}] {msg} → {fix}")
    if files:
        for v in files.values():
            print(f"已写入 / written: {v}")
    return 0
