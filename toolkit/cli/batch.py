"""``oqtk batch``: review intake sheets in executed notebooks, one run folder per sheet.

Exit codes: 0 every run succeeded; 1 some run failed (the notebook raised or timed out);
2 an input could not be read, or the parameters were refused (no traceback: the message says why).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..exceptions import ParameterError
from ..paths import oqtk_home
from ..textsafe import visible_controls

__all__ = ["add_cli", "summary_table"]

_OUTCOME_LABELS = {
    "succeeded": "成功 succeeded",
    "failed": "失败 failed",
    "incomplete": "未完成 incomplete",
}


def add_cli(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "batch",
        help="批量审核申报汇总表（每表一个已执行笔记本）/ batch-review intake sheets as executed notebooks",
        description=(
            "每个申报汇总表在 RUNS_DIR 下生成一个运行文件夹：review.ipynb、review.html、results.xlsx、"
            "results.csv、manifest.json。/ Each sheet gets a run folder under RUNS_DIR holding the "
            "executed notebook, its HTML, the results files and manifest.json."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INTAKE.xlsx", help="申报汇总表 / intake sheet(s)")
    p.add_argument(
        "--out",
        metavar="RUNS_DIR",
        type=Path,
        help=f"运行文件夹的上级目录 / folder for the run folders (default: {oqtk_home() / 'runs'})",
    )
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="审核基准日（默认今天，上海）/ review date (default: today in Shanghai)",
    )
    p.add_argument(
        "--list-version",
        metavar="V",
        help="清单版本（默认基准日有效版本）/ List version (default: in force on the date)",
    )
    p.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="结果文件语言 / results language (default zh)"
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="同时运行的表数 / sheets run at once (default 1)",
    )
    p.add_argument(
        "--timeout",
        type=int,
        default=600,
        metavar="S",
        help="每个单元格的时限（秒）/ per-cell time limit in seconds",
    )
    p.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    p.set_defaults(func=_batch)


def summary_table(results: list) -> str:
    """One line per run: input, outcome, counts, run folder (and the error, if any)."""
    rows = [("输入 Input", "结果 Outcome", "符合/不符/待补正/无法评估 E/N/I/X", "运行 Run")]
    for r in results:
        c = r.manifest.get("counts") or {}
        counts = "/".join(str(c.get(k, "-")) for k in ("eligible", "not_eligible", "incomplete", "invalid"))
        rows.append((r.input_path.name, _OUTCOME_LABELS.get(r.outcome, r.outcome), counts, str(r.run_dir)))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [row[i] + " " * (widths[i] - _width(row[i])) for i in range(len(widths))]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    for r in results:
        if r.error:
            lines.append(f"  {r.input_path.name}: {r.error}")
        for o in r.manifest.get("sheets_not_reviewed") or []:
            lines.append(
                f"  {r.input_path.name}: 未审核 / NOT REVIEWED: 工作表 / sheet {o['sheet']!r} "
                f"({o['state']}, 表头第 {o['header_row']} 行 / header row {o['header_row']}): "
                f"{o['rows']} 行 / rows"
            )
        if r.register_error:
            lines.append(
                f"  {r.input_path.name}: 未能登记 / not recorded in the register: {r.register_error}"
            )
    return "\n".join(lines)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _batch(args: argparse.Namespace) -> int:
    from ..batch.runner import exit_code, run_batch
    from ..hub.client import hub_client

    hub = hub_client()
    if hub is not None:
        return _batch_hub(args, hub)
    if args.jobs < 1:
        raise ParameterError(f"--jobs: 应为正整数 / must be a positive whole number, not {args.jobs}")
    results = run_batch(
        args.inputs,
        args.out,
        as_of=args.as_of,
        list_version=args.list_version,
        lang=args.lang,
        jobs=args.jobs,
        timeout=args.timeout,
        progress=not args.no_progress,
    )
    print(summary_table(results))
    code = exit_code(results)
    for r in results:
        if r.exit_status == 2 and r.error:
            print(f"错误 / Error: {visible_controls(r.error)}", file=sys.stderr)
    return code


def _batch_hub(args: argparse.Namespace, hub: Any) -> int:
    """Under the hub: each sheet is submitted to the oq-register service as this token's user."""
    from ..batch.runner import exit_code
    from ..hub.client import run_result

    if args.out is not None:
        raise ParameterError(
            "--out 不适用：在 JupyterHub 中运行目录由 oq-register 服务决定 / --out does not apply under the hub: "
            "the oq-register service keeps the runs"
        )
    who = hub.whoami()
    print(f"以 {who['name']} 身份提交 / Submitting as {who['name']}", file=sys.stderr)
    results = []
    for sheet in args.inputs:
        path = Path(sheet).expanduser().absolute()
        if not path.is_file():
            raise ParameterError(f"找不到申报汇总表 / Intake sheet not found: {path}")
        run_id = hub.submit(path, as_of=args.as_of, list_version=args.list_version, lang=args.lang)
        print(f"已提交 / Submitted: {path.name} → {run_id}", file=sys.stderr)
        results.append(run_result(hub, run_id, path, oqtk_home() / "runs-cache"))
    print(summary_table(results))
    return exit_code(results)
