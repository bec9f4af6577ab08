"""Whether a run's files are as the run wrote them, and how two runs of one intake sheet differ."""

from __future__ import annotations

import json
import logging

from ..exceptions import RegisterError
from ..files import sha256_file
from ..intake.results_csv import read_results_csv
from .records import MANIFEST_NAME, FileCheck, RowChange, RunRecord, VerifyResult, _now

log = logging.getLogger("toolkit.register")


def _verify(rec: RunRecord) -> VerifyResult:
    checks: list[FileCheck] = []
    for out in rec.outputs:
        path = rec.run_dir / out.name
        if not path.is_file():
            checks.append(
                FileCheck(
                    out.name, "missing", out.sha256, None, out.bytes, None, "文件不存在 / file not found"
                )
            )
            continue
        sha, size = sha256_file(path)
        state = "ok" if sha == out.sha256 else "changed"
        detail = "" if state == "ok" else "内容与运行时不同 / content differs from what the run wrote"
        checks.append(FileCheck(out.name, state, out.sha256, sha, out.bytes, size, detail))
    manifest_path = rec.run_dir / MANIFEST_NAME
    if rec.manifest_sha256 is not None or manifest_path.exists():
        if not manifest_path.is_file():
            checks.append(FileCheck(MANIFEST_NAME, "missing", rec.manifest_sha256, None, None, None,
                                    "文件不存在 / file not found"))  # fmt: skip
        else:
            sha, size = sha256_file(manifest_path)
            if sha == rec.manifest_sha256:
                checks.append(FileCheck(MANIFEST_NAME, "ok", sha, sha, size, size))
            else:
                detail = (
                    "登记后才写入（请重新登记该运行）/ written after the run was recorded (record it again)"
                    if rec.manifest_sha256 is None
                    else "清单与登记时不同 / differs from the manifest recorded"
                )
                checks.append(
                    FileCheck(MANIFEST_NAME, "changed", rec.manifest_sha256, sha, None, size, detail)
                )
                # Outputs the current manifest lists that the register does not know.
                known = {o.name for o in rec.outputs}
                try:
                    current = json.loads(manifest_path.read_text(encoding="utf-8")).get("outputs", [])
                    extra = [o["name"] for o in current if isinstance(o, dict) and o.get("name") not in known]
                except (ValueError, AttributeError, TypeError, KeyError):
                    extra = []
                for name in extra:
                    if isinstance(name, str):
                        checks.append(FileCheck(name, "changed", None, None, None, None,
                                                "清单中有、登记簿中没有 / listed in manifest.json, not in the register"))  # fmt: skip
    return VerifyResult(run_id=rec.run_id, run_dir=rec.run_dir, checked_at=_now(), checks=tuple(checks))


def compare_records(a: RunRecord, b: RunRecord) -> list[RowChange]:
    """Rows that differ between two runs of one intake sheet (see :meth:`Register.compare_runs`)."""
    run_a, run_b = a.run_id, b.run_id
    same_hash = a.input_sha256 is not None and a.input_sha256 == b.input_sha256
    same_name = a.input_name is not None and a.input_name == b.input_name
    if not (same_hash or same_name):
        raise RegisterError(
            f"两次运行的输入表不同，无法比较 / Runs {run_a} and {run_b} are not of the same intake "
            f"sheet ({a.input_name!r} vs {b.input_name!r}, hashes differ)"
        )
    rows_a, rows_b = _results_rows(a), _results_rows(b)
    changes: list[RowChange] = []
    added: list[RowChange] = []
    removed: list[RowChange] = []
    for key, new in rows_b.items():
        old = rows_a.get(key)
        if old is None:
            added.append(RowChange(key, "added", None, new["status"], None, new["reasons"],
                                   None, new["reason_codes"]))  # fmt: skip
        elif old["status"] != new["status"]:
            changes.append(RowChange(key, "changed", old["status"], new["status"], old["reasons"],
                                     new["reasons"], old["reason_codes"], new["reason_codes"]))  # fmt: skip
    for key, old in rows_a.items():
        if key not in rows_b:
            removed.append(RowChange(key, "removed", old["status"], None, old["reasons"], None,
                                     old["reason_codes"], None))  # fmt: skip
    return changes + added + removed


def _results_rows(rec: RunRecord) -> dict[str, dict[str, str | None]]:
    """``results.csv`` of a run, keyed by application id (verified against the register first)."""
    out = next((o for o in rec.outputs if o.name == "results.csv"), None)
    if out is None:
        raise RegisterError(
            f"运行 {rec.run_id} 没有登记 results.csv / Run {rec.run_id} has no results.csv in the register"
        )
    path = rec.run_dir / "results.csv"
    if not path.is_file() or sha256_file(path)[0] != out.sha256:
        raise RegisterError(
            f"运行 {rec.run_id} 的 results.csv 已更改或缺失，无法比较 / results.csv of run {rec.run_id} "
            f"changed or missing since the run wrote it; cannot compare ({path})"
        )
    results = read_results_csv(path)  # the headers of toolkit.intake.columns (and older names)
    if not results.has("application_id") or not results.has("status"):
        raise RegisterError(
            f"{path}: 缺少 application_id 或 status 列 / needs an application_id and a status column "
            f"(found: {results.fieldnames})"
        )
    rows: dict[str, dict[str, str | None]] = {}
    for line in results:
        key = results.get(line, "application_id") or f"<row {line.line}>"  # rows without an id: by position
        base, k = key, 2
        while key in rows:  # a duplicated id keeps every row
            key, k = f"{base}#{k}", k + 1
        rows[key] = {
            "status": results.get(line, "status") or None,
            "reasons": results.joined(line, "reasons") or None,
            "reason_codes": results.joined(line, "reason_codes") or None,
        }
    return rows
