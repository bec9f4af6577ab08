"""``oqtk assess`` and ``oqtk list search|show|import``: bilingual answers, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from ..findings import Outcome
from ..vocab import CATEGORIES, DEGREES, EMPLOYER_TYPES, HOLDER_TYPES, LEVELS, STATUSES, parse_code

_ICON = {Outcome.PASS: "✔", Outcome.FAIL: "✖", Outcome.MISSING: "…", Outcome.CHECK: "?", Outcome.INFO: "ℹ"}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"日期须为 YYYY-MM-DD / a date must be YYYY-MM-DD, got {text!r}"
        ) from exc


def _yes_no(text: str) -> bool:
    v = text.strip().lower()
    if v in ("yes", "y", "true", "1", "是"):
        return True
    if v in ("no", "n", "false", "0", "否"):
        return False
    raise argparse.ArgumentTypeError(f"须为 是/否 (yes/no), got {text!r}")


def _coded(vocab: dict[str, tuple[str, str]], kind: str | None = None) -> Any:
    def parse(text: str) -> str:
        code = parse_code(text, vocab, kind)
        if code is None:
            opts = ", ".join(f"{c} ({zh})" for c, (zh, _en) in vocab.items())
            raise argparse.ArgumentTypeError(f"{text!r}: 可选 / choose one of {opts}")
        return code

    return parse


def _print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _cmd_search(args: argparse.Namespace) -> int:
    from ..rules import find_qualifications, get_version, lookup_version

    empty = None
    if args.version is None:
        version, empty = lookup_version()
    else:
        version = get_version(args.version)
    hits = find_qualifications(args.text, version.version)
    exact = [m for m in hits if m.exact]
    near = [m for m in hits if not m.exact]
    if args.json:
        _print_json(
            {
                "version": version.version,
                "in_force_without_entries": empty.version if empty else None,
                "partial_zh": version.partial_notice("zh"),
                "partial_en": version.partial_notice("en"),
                "matches": [m.to_dict() for m in exact],
                "near_matches": [m.to_dict() for m in near],
            }
        )
        return 0
    if empty is not None:
        print(
            f"ℹ 现行的{empty.version}版清单尚无已载入的条目，按已载入条目的最新版本（{version.version}版）查询（--version 可改选）\n"
            f"  List {empty.version}, in force, has no entries loaded: searching the newest version with entries "
            f"({version.version}; choose another with --version)\n"
        )
    notice = version.partial_notice("zh")
    if notice:
        print(f"⚠ {notice}\n  {version.partial_notice('en')}\n")
    if not exact:
        if version.complete:
            print(
                f"{version.version}版清单中未找到“{args.text}” / No certificate on List {version.version} matches {args.text!r}"
            )
        else:
            print(
                f"已载入的{version.version}版清单条目中未找到“{args.text}”：本版清单只载入了部分条目，未找到不等于不在清单上\n"
                f"{args.text!r} is not among the loaded entries of List {version.version}: the List is partial, "
                "so not found does not mean not listed"
            )
    for m in exact:
        _print_match(m, version.version)
    if near:
        print("\n相近名称（并非精确匹配）/ Close names (not exact matches):")
        for m in near:
            _print_match(m, version.version)
    return 0 if exact else 1


def _print_match(m: Any, version: str) -> None:
    cats = "、".join(m.categories) or "—"
    by_v = "; ".join(f"{v}: {''.join(c)}" for v, c in m.categories_by_version.items())
    print(f"{m.name_zh} / {m.name_en}  [{m.entry_id}]  匹配 match {m.score:.2f} ({m.matched_on})")
    print(f"  {version}版类别 categories: {cats}   各版本 by version: {by_v}")
    if m.status == "on_list" and m.entry.c_level:
        print(f"  C类对应级别 title level: {LEVELS[m.entry.c_level][0]} {LEVELS[m.entry.c_level][1]}")
    print(f"  {m.note_zh}\n  {m.note_en}")
    print(f"  来源 source: {m.entry.source.cite('zh')}")
    if m.matched_source is not None:
        print(f"  “{m.matched_on}”是发证机构的名称 / is a name of the issuer: {m.matched_source.cite('zh')}")


def _cmd_show(args: argparse.Namespace) -> int:
    from ..rules import get_version

    v = get_version(args.version)
    if args.json:
        _print_json(
            {
                "version": v.version,
                "complete": v.complete,
                "origin_zh": v.origin("zh"),
                "origin_en": v.origin("en"),
                "entries": [e.to_dict() for e in v.entries],
                "partial_zh": v.partial_notice("zh"),
                "partial_en": v.partial_notice("en"),
            }
        )
        return 0
    print(f"{v.title_zh}\n{v.title_en}\n施行 in force from {v.in_force_from}")
    print(f"数据来源 / data: {v.origin('zh')} / {v.origin('en')}")
    if not v.complete:
        print(f"⚠ {v.partial_notice('zh')}\n  {v.partial_notice('en')}")
    for e in v.entries:
        level = f" → {LEVELS[e.c_level][0]}" if e.c_level else ""
        print(
            f"  [{''.join(e.categories):>4}] {e.name_zh} / {e.name_en} ({', '.join(e.abbreviations) or '—'}){level}"
        )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from ..rules.listimport import import_annex

    res = import_annex(args.file, args.version, partial=args.partial, dry_run=args.dry_run)
    print(f"{res.rows} 条 / entries read from {args.file}")
    for line in res.diff.lines():
        print(line)
    print(
        ("已写入 / written: " + str(res.path)) if res.written else "试运行，未写入 / dry run: nothing written"
    )
    return 0


def _cmd_assess(args: argparse.Namespace) -> int:
    from ..rules import CaseInput, assess_case

    case = CaseInput(
        holder_type=args.holder,
        shanghai_hukou=args.hukou,
        date_of_birth=args.date_of_birth,
        qualifications=tuple(args.qualification or ()),
        verified=args.verified,
        degree=args.degree,
        science_or_engineering_degree=args.science_degree,
        title_series=args.series,
        title_level=args.level,
        relevant_since=args.relevant_since,
        relevant_years=args.relevant_years,
        shanghai_since=args.shanghai_since,
        shanghai_years=args.shanghai_years,
        employer_type=args.employer_type,
        recommended_by_authority=args.recommended,
        previous_round=args.previous_round,
        publicity_start=args.publicity_start,
        publicity_end=args.publicity_end,
        round_id=args.round,
    )
    result = assess_case(case, as_of=args.as_of or dt.date.today(), list_version=args.list_version)
    if args.json:
        _print_json(result.to_dict())
        return 0
    zh, en = STATUSES[result.status]
    # the decision first: status and the findings that decide it, in one line each language
    print(f"结论 Status: {zh} / {en}    （清单 List {result.list_version}，评估日 as of {result.as_of}）")
    print(f"  {result.headline('zh')}\n  {result.headline('en')}\n")
    seen: set[str] = set()  # each clause quoted once
    if result.list_partial_zh:
        print(f"⚠ {result.list_partial_zh}\n  {result.list_partial_en}")
    cats = "、".join(CATEGORIES[c][0] for c in result.categories) or "—"
    print(f"类别 Categories: {cats}")
    for f in result.findings:
        print(f"  {_ICON[f.outcome]} [{f.code}] {f.zh}\n      {f.en}")
        if f.source:
            print(f"      依据 {f.source.cite_once('zh', seen)}")
    if result.services:
        print("可享受的服务 Services:")
        for s in result.services:
            via = "（B类在A类基础上 via B）" if s.via != s.category else ""
            print(f"  · [{s.code}]{via} {s.zh}\n      {s.en}")
            if s.check_zh:
                print(f"      须核实 check: {s.check_zh} / {s.check_en}")
    t = result.title
    if t:
        lvl = f"{LEVELS[t.highest][0]} {LEVELS[t.highest][1]}" if t.highest else "— none"
        print(
            f"职称 Title ({t.series_zh} {t.series_en}): 最高可申报 highest {lvl}"
            + (f"  {t.title_zh} / {t.title_en}" if t.title_zh else "")
        )
        for f in t.findings:
            print(f"  {_ICON[f.outcome]} [{f.code}] {f.zh}\n      {f.en}")
            if f.source:
                print(f"      依据 {f.source.cite_once('zh', seen)}")
        for lvl_code, d in t.eligible_from.items():
            print(
                f"  → 如持续工作，{d} 起可申报{LEVELS[lvl_code][0]} / eligible for {LEVELS[lvl_code][1].lower()} from {d} if the work continues"
            )
    if result.publicity:
        p = result.publicity
        print(f"公示期 Publicity: {p['start']} → {p['end']}")
    print("注：以通知中文版为准 / The Chinese version of the notice prevails.")
    return 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    lst = sub.add_parser("list", help="认可清单 / the List: search, show, import")
    lsub = lst.add_subparsers(dest="list_command", metavar="ACTION", required=True)
    p = lsub.add_parser("search", help="按名称或简称查找证书 / find a certificate by name or abbreviation")
    p.add_argument("text")
    p.add_argument(
        "--version",
        help="清单版本 / List version (default: in force today, or the newest with entries while it has none)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_search)
    p = lsub.add_parser("show", help="列出某版本条目 / list a version's entries")
    p.add_argument("--version")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_show)
    p = lsub.add_parser("import", help="导入清单附件 / import an annex (xlsx, csv, Word .docx or text PDF)")
    p.add_argument("file", help="附件 / the annex: .xlsx, .csv, .docx or .pdf")
    p.add_argument("--version", required=True)
    p.add_argument("--partial", action="store_true", help="附件不完整 / the table is only part of the annex")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示差异 / check and show the diff only")
    p.set_defaults(func=_cmd_import)

    a = sub.add_parser("assess", help="单人评估 / assess one applicant")
    a.add_argument(
        "--qualification", "-q", action="append", help="证书名称或简称（可多次）/ certificate (repeatable)"
    )
    a.add_argument("--holder", type=_coded(HOLDER_TYPES, "holder"), help="人员类别 / holder type")
    a.add_argument("--hukou", type=_yes_no, help="上海户籍 是/否")
    a.add_argument("--date-of-birth", type=_date)
    a.add_argument("--verified", type=_yes_no, help="平台核验 是/否")
    a.add_argument("--degree", type=_coded(DEGREES, "degree"))
    a.add_argument("--science-degree", type=_yes_no, help="理工科学位 是/否")
    a.add_argument("--series", help="职称系列 / title series code (engineering, economics, accounting…)")
    a.add_argument("--level", type=_coded(LEVELS, "level"), help="申报级别 / requested level")
    a.add_argument("--relevant-since", type=_date)
    a.add_argument("--relevant-years", type=float)
    a.add_argument("--shanghai-since", type=_date)
    a.add_argument("--shanghai-years", type=float)
    a.add_argument("--employer-type", type=_coded(EMPLOYER_TYPES))
    a.add_argument("--recommended", type=_yes_no, help="主管部门推荐 是/否")
    a.add_argument("--previous-round", type=_yes_no, help="曾参加往期认定 是/否")
    a.add_argument("--round", help="评审批次 / evaluation round id (e.g. 2025-r3)")
    a.add_argument("--publicity-start", type=_date)
    a.add_argument("--publicity-end", type=_date)
    a.add_argument("--as-of", type=_date)
    a.add_argument("--list-version")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_cmd_assess)


__all__ = ["add_cli"]
