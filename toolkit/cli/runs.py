"""``oqtk runs …``: the run register from the command line (Chinese first, then English).

Under the hub (``OQTK_REGISTER_URL``, ``OQTK_RUNS_DIR`` and ``JUPYTERHUB_API_TOKEN`` set) every
action goes to the oq-register service as the token's user (an officer lists their own runs),
``scan`` and ``--by`` are refused; locally ``--by`` must be a visible name.

Exit codes: 0 done; 1 ``verify`` found a changed or missing file, ``audit`` a broken chain, or
``scan`` could not record a folder; 2 refused or failed (the message says why — printed by :func:`toolkit.cli.main.main`).
Times are shown in China Standard Time (UTC+8); ``--json`` gives UTC ISO 8601.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from ..clock import SHANGHAI
from ..exceptions import ParameterError
from ..register import (
    DECISIONS,
    REGISTER_FILENAME,
    RUN_STATUSES,
    Decision,
    Register,
    RunRecord,
    VerifyResult,
)

__all__ = ["add_cli"]


def add_cli(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        metavar="DIR",
        help="工具目录（登记簿所在）/ toolkit home holding register.sqlite (default: $OQTK_HOME or ~/.oqtk)",
    )
    runs = sub.add_parser(
        "runs",
        help="运行登记簿：列出、核验、批准、退回 / run register: list, verify, approve, return",
        description="批量运行登记簿 / The batch-run register (supervisor review).",
    )
    rsub = runs.add_subparsers(dest="runs_command", metavar="ACTION")
    runs.set_defaults(func=lambda _args: runs.print_help() or 2)

    p = rsub.add_parser("list", parents=[common], help="列出运行 / list runs")
    p.add_argument("--status", choices=list(RUN_STATUSES), help="只列此状态 / only this status")
    p.add_argument(
        "--since", metavar="DATE", help="此日期（北京时间）之后 / created on or after (YYYY-MM-DD, UTC+8)"
    )
    p.add_argument("--runs-dir", metavar="DIR", help="先登记此目录下的运行 / scan this runs folder first")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.set_defaults(func=_list)

    p = rsub.add_parser("show", parents=[common], help="显示一次运行 / show one run")
    p.add_argument("run_id", metavar="RUN")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.set_defaults(func=_show)

    p = rsub.add_parser("verify", parents=[common], help="核验文件是否被更改 / check no file changed")
    p.add_argument("run_id", metavar="RUN")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.set_defaults(func=_verify)

    signoff = argparse.ArgumentParser(add_help=False)  # approve and return: the run, who signs
    signoff.add_argument("run_id", metavar="RUN")
    signoff.add_argument(
        "--by",
        metavar="NAME",
        help="审批人姓名（本机模式必填；JupyterHub 中不接受）/ your name (local mode; refused under the hub)",
    )
    p = rsub.add_parser("approve", parents=[common, signoff], help="批准 / approve a run")
    p.add_argument("--comment", metavar="TEXT", help="备注 / comment")
    p.set_defaults(func=_approve)

    p = rsub.add_parser("return", parents=[common, signoff], help="退回 / return a run to the officer")
    p.add_argument("--comment", required=True, metavar="TEXT", help="退回理由（必填）/ why (required)")
    p.set_defaults(func=_return)

    p = rsub.add_parser(
        "audit", parents=[common], help="核查登记簿的哈希链 / check the register's hash chain"
    )
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.set_defaults(func=_audit)

    p = rsub.add_parser("scan", parents=[common], help="登记目录中的所有运行 / record every run in a folder")
    p.add_argument("runs_dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.set_defaults(func=_scan)

    p = rsub.add_parser(
        "compare", parents=[common], help="比较同一输入表的两次运行 / compare two runs of one intake sheet"
    )
    p.add_argument("run_a", metavar="OLD_RUN")
    p.add_argument("run_b", metavar="NEW_RUN")
    p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
    p.set_defaults(func=_compare)


def _register(args: argparse.Namespace) -> Any:
    """The local register, or under the hub the service's view of it (as the token's user)."""
    from ..hub.client import HubRegister, hub_client
    from ..paths import oqtk_home

    hub = hub_client()
    if hub is not None:
        if args.runs_command == "scan":
            raise ParameterError(
                "scan 不适用：在 JupyterHub 中运行由 oq-register 服务登记 / scan does not apply under the hub: "
                "the oq-register service records its own runs"
            )
        return HubRegister(hub, oqtk_home() / "runs-cache")
    home = getattr(args, "home", None)
    return Register(Path(home).expanduser() / REGISTER_FILENAME if home else None)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _cst(iso: str | None) -> str:
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _status(code: str) -> str:
    zh, en = RUN_STATUSES[code]
    return f"{zh} / {en}"


def _list(args: argparse.Namespace) -> int:
    reg = _register(args)
    if args.runs_dir:
        scan = reg.scan(args.runs_dir)
        for folder, message in scan.problems:
            print(f"警告 / Warning: {folder}: {message}")
    runs = reg.list_runs(status=args.status, since=args.since)
    if args.json:
        _print_json([r.to_dict() for r in runs])
        return 0
    if not runs:
        print("没有符合条件的运行 / No runs match.")
        return 0
    header = ("运行编号 / Run", "状态 / Status", "创建 (UTC+8) / Created", "输入 / Input", "行数 / Rows")
    table = [header] + [
        (r.run_id, _status(r.status), _cst(r.created_at), r.input_name or "-", _rows(r)) for r in runs
    ]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print(
            "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
        )
    print(f"共 {len(runs)} 次运行 / {len(runs)} run(s)")
    return 0


def _rows(r: RunRecord) -> str:
    if r.rows_in is None:
        return "-"
    return str(r.rows_in) if r.rows_out in (None, r.rows_in) else f"{r.rows_in}→{r.rows_out}"


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _show(args: argparse.Namespace) -> int:
    rec = _register(args).get_run(args.run_id)
    if args.json:
        _print_json(rec.to_dict())
        return 0
    lines = [
        ("运行编号 / Run", rec.run_id),
        ("状态 / Status", _status(rec.status)),
        ("文件夹 / Folder", str(rec.run_dir)),
        ("创建 / Created (UTC+8)", _cst(rec.created_at)),
        ("完成 / Finished (UTC+8)", _cst(rec.finished_at)),
        ("输入表 / Input", f"{rec.input_name or '-'}  sha256 {rec.input_sha256 or '-'}"),
        ("行数 / Rows in→out", _rows(rec)),
        ("统计 / Counts", ", ".join(f"{k}={v}" for k, v in rec.counts.items()) or "-"),
        ("版本 / Versions", ", ".join(f"{k}={v}" for k, v in rec.versions.items()) or "-"),
    ]
    if rec.error:
        lines.append(("错误 / Error", rec.error))
    width = max(_width(k) for k, _ in lines)
    for k, v in lines:
        print(f"{k}{' ' * (width - _width(k))}  {v}")
    print("输出文件 / Outputs:")
    for o in rec.outputs:
        print(f"  {o.name}  {o.bytes if o.bytes is not None else '?'} bytes  sha256 {o.sha256}")
    print("审批记录 / Decisions:" if rec.decisions else "审批记录 / Decisions: 无 / none")
    for d in rec.decisions:
        zh, en = DECISIONS[d.decision]
        files = "文件一致 / files verified" if d.verified.get("ok") else "文件有变 / files had changed"
        print(f"  {_cst(d.at)}  {zh} / {en}  {d.by_name} (os user {d.os_user or '?'})  [{files}]")
        if d.comment:
            print(f"      {d.comment}")
    return 0


def _print_verify(result: VerifyResult) -> None:
    labels = {"ok": "一致 / OK", "changed": "已更改 / CHANGED", "missing": "缺失 / MISSING"}
    for c in result.checks:
        mark = "✓" if c.state == "ok" else "✗"
        label = labels[c.state] + " " * (17 - _width(labels[c.state]))
        print(f"{mark} {label} {c.name}" + (f"  — {c.detail}" if c.detail else ""))


def _verify(args: argparse.Namespace) -> int:
    result = _register(args).verify_run(args.run_id)
    if args.json:
        _print_json(result.to_dict())
    else:
        _print_verify(result)
        if result.ok:
            print(
                f"运行 {result.run_id} 的文件均未更改 / All files of run {result.run_id} are as the run wrote them."
            )
        else:
            print(
                f"运行 {result.run_id} 的文件有变 / Files of run {result.run_id} changed: {result.problems()}"
            )
    return 0 if result.ok else 1


def _hub_or_by(args: argparse.Namespace) -> Any:
    """Under the hub the decision is the token's user's (``--by`` refused); locally ``--by`` is required."""
    from ..hub.client import hub_client

    hub = hub_client()
    if hub is not None and args.by is not None:
        raise ParameterError(
            "--by 不适用：在 JupyterHub 中审核人即登录用户 / --by is refused under the hub: the decision is "
            "recorded under your login (JUPYTERHUB_API_TOKEN)"
        )
    if hub is None and args.by is None:
        raise ParameterError("请用 --by 填写审批人姓名 / Give the approver's name with --by")
    return hub


def _approve(args: argparse.Namespace) -> int:
    hub = _hub_or_by(args)
    if hub is not None:
        d = Decision(**hub.approve(args.run_id, args.comment))
    else:
        d = _register(args).approve(args.run_id, by=args.by, comment=args.comment)
    print(f"已批准 / Approved: {d.run_id}（{d.by_name}，{_cst(d.at)} UTC+8）")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from ..hub.client import hub_client

    hub = hub_client()
    d = hub.audit() if hub is not None else _register(args).audit().to_dict()
    if args.json:
        _print_json(d)
    else:
        print(("✓ " if d["ok"] else "✗ ") + d["summary"])
        for p in d["problems"]:
            print(f"  - {p['message']}" + (f"（链序号 / chain entry {p['seq']}）" if p.get("seq") else ""))
    return 0 if d["ok"] else 1


def _return(args: argparse.Namespace) -> int:
    hub = _hub_or_by(args)
    if hub is not None:
        d = Decision(**hub.return_run(args.run_id, args.comment))
        print(f"已退回 / Returned: {d.run_id}（{d.by_name}，{_cst(d.at)} UTC+8）")
        return 0
    d = _register(args).return_run(args.run_id, by=args.by, comment=args.comment)
    print(f"已退回 / Returned: {d.run_id}（{d.by_name}，{_cst(d.at)} UTC+8）")
    if not d.verified.get("ok"):
        print("注意：退回时文件已有变化 / Note: files had changed at the time of return.")
    return 0


def _scan(args: argparse.Namespace) -> int:
    result = _register(args).scan(args.runs_dir)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(
            f"新登记 {len(result.recorded)}，更新 {len(result.updated)}，已登记 {len(result.unchanged)}，"
            f"问题 {len(result.problems)} / recorded {len(result.recorded)}, updated {len(result.updated)}, "
            f"already recorded {len(result.unchanged)}, problems {len(result.problems)}"
        )
        for folder, message in result.problems:
            print(f"✗ {folder}: {message}")
    return 0 if result.ok else 1


def _compare(args: argparse.Namespace) -> int:
    changes = _register(args).compare_runs(args.run_a, args.run_b)
    if args.json:
        _print_json([c.to_dict() for c in changes])
        return 0
    if not changes:
        print("两次运行结果相同 / No row changed status.")
        return 0
    kinds = {"changed": "状态变化 / changed", "added": "新增 / added", "removed": "删除 / removed"}
    for c in changes:
        print(f"{c.application_id}  {kinds[c.kind]}  {c.old_status or '-'} → {c.new_status or '-'}")
        if c.new_reasons or c.old_reasons:
            print(f"    {c.old_reasons or '-'}  →  {c.new_reasons or '-'}")
    print(f"共 {len(changes)} 行 / {len(changes)} row(s)")
    return 0
