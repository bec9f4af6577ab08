"""Fake batch-run folders following the manifest contract (schema 1), with real hashes.

Also the worker for the multi-process register test (a module-level function, so that
``multiprocessing`` with the ``spawn`` start method can import it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_ROWS = (
    ("A-001", "eligible", "符合条件 / Eligible", ""),
    ("A-002", "not_eligible", "证书不在清单内 / Not on the List", "not_on_list"),
    ("A-003", "incomplete", "缺少工作年限证明 / Missing proof of experience", "missing_experience"),
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def results_csv(rows: tuple[tuple[str, str, str, str], ...] | list) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["application_id", "status", "reasons", "reason_codes"])
    w.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def make_run(
    runs_dir: Path,
    run_id: str | None = None,
    *,
    outcome: str = "succeeded",
    rows=DEFAULT_ROWS,
    input_name: str = "intake.xlsx",
    input_bytes: bytes = b"fake intake sheet v1",
    created_at: str = "2026-11-25T22:30:00+00:00",
    manifest: bool = True,
    extra: dict | None = None,
) -> Path:
    """Write a run folder with the four outputs and (last, atomically) its manifest."""
    if run_id is None:
        run_id = "20261125T223000Z-" + secrets.token_hex(4)
    run_dir = Path(runs_dir) / run_id
    run_dir.mkdir(parents=True)
    files = {
        "results.xlsx": b"PK\x03\x04 fake xlsx " + run_id.encode(),
        "results.csv": results_csv(rows),
        "review.ipynb": json.dumps({"cells": [], "metadata": {"run": run_id}, "nbformat": 4}).encode(),
        "review.html": f"<html><body>review {run_id}</body></html>".encode(),
    }
    if outcome == "failed":
        files = {k: v for k, v in files.items() if k.startswith("review")}
    for name, data in files.items():
        (run_dir / name).write_bytes(data)
    if not manifest:
        return run_dir
    statuses = [r[1] for r in rows]
    data = {
        "schema": 1,
        "run_id": run_id,
        "created_at": created_at,
        "finished_at": None if outcome == "incomplete" else datetime.now(UTC).isoformat(),
        "outcome": outcome,
        "error": "kernel died" if outcome == "failed" else None,
        "input": {"path": f"/abs/{input_name}", "name": input_name, "sha256": _sha(input_bytes)},
        "parameters": {
            "intake_path": f"/abs/{input_name}",
            "as_of": "2025-12-31",
            "list_version": "1.0",
            "lang": "zh",
            "output_dir": str(run_dir),
        },
        "versions": {
            "toolkit": "0.1.0",
            "rules_data": "abc123",
            "list": "1.0",
            "calendar": "holidays 0.109 / chinesecalendar 1.11.0",
        },
        "rows_in": len(rows),
        "rows_out": len(rows),
        "counts": {s: statuses.count(s) for s in ("eligible", "not_eligible", "incomplete", "invalid")},
        "outputs": []
        if outcome == "incomplete"
        else [{"name": n, "sha256": _sha(d), "bytes": len(d)} for n, d in files.items()],
        "duration_s": 3.2,
    }
    data.update(extra or {})
    tmp = run_dir / ".manifest.json.tmp"
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, run_dir / "manifest.json")
    return run_dir


def replace_output(run_dir: Path, name: str, data: bytes) -> None:
    """Give a fake run another output file ``name`` with ``data``, its manifest entry to match
    (hash and size): a run whose files still check out."""
    (run_dir / name).write_bytes(data)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    for o in manifest["outputs"]:
        if o["name"] == name:
            o.update(sha256=_sha(data), bytes=len(data))
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def flip_byte(path: Path, offset: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def concurrent_worker(register_path: str, runs_dir: str, worker: int, n_runs: int) -> None:
    """One process: create and record its runs, approve each, return every other one, scan all."""
    from toolkit.register import Register

    reg = Register(register_path)
    for i in range(n_runs):
        run_dir = make_run(Path(runs_dir), f"20261125T2230{worker:02d}Z-w{worker}r{i:03d}")
        reg.record_run(run_dir)
        reg.approve(run_dir.name, by=f"Supervisor {worker}")
        if i % 2:
            reg.return_run(run_dir.name, by=f"Supervisor {worker}", comment="复核 / second look")
        if i % 5 == 0:  # races other workers recording the same folders: must stay idempotent
            reg.scan(runs_dir)
        reg.list_runs(status="approved")  # readers alongside writers
