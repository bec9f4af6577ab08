"""Intake review split into read / validate / assess / write for 10k and 100k rows, next to a bare
read-and-write of the same sheet (pandas + calamine read, CSV write) measured in the same run.

Also the read of the 10k-row sheet with the reading limits (issue 16: ``toolkit.intake.limits``
scans the file before calamine parses it) against the read as it was before them, in the same
run: the scan replaced by an empty one, which also restores the old unconditional decode of the
sheet's XML (looking for formulas); and the write with results.xlsx built by a forked child
(:mod:`toolkit.alongside`) against both files written in one process, alternating."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from toolkit.intake import limits, reader, review_intake, write_results, writer

from .common import Timing, measure, row
from .sheets import bare_read_write, make_sheet

AS_OF = dt.date(2025, 12, 31)


def run(sizes: tuple[int, ...] = (10_000, 100_000), repeat: int = 3) -> dict:
    rows: list[list[str]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for n in sizes:
            sheet = make_sheet(tmpdir / f"intake_{n}.xlsx", n)
            reps = repeat if n <= 10_000 else 1
            bare, stages = [], {"read": [], "validate": [], "assess": [], "write": [], "total": []}
            for i in range(reps):
                out = tmpdir / f"out_{n}_{i}"
                out.mkdir()
                bare.append(bare_read_write(sheet, out))
                t0 = time.perf_counter()
                review = review_intake(sheet, as_of=AS_OF, list_version="1.0")
                write_results(review, out)
                stages["total"].append(time.perf_counter() - t0)
                for k in ("read", "validate", "assess", "write"):
                    stages[k].append(review.timings[k])
                assert review.rows_in == n == len(review.rows)
            b = Timing("bare", bare)
            rows.append(row(f"{n:,} rows: bare read + CSV write (baseline)", b, None))
            for k in ("read", "validate", "assess", "write"):
                rows.append(row(f"{n:,} rows: {k}", Timing(k, stages[k]), b))
            total = Timing("total", stages["total"])
            rows.append(row(f"{n:,} rows: review_intake + write_results", total, b))
            notes.append(f"{n:,} rows: {n / total.median:,.0f} rows/s end to end ({reps} run(s))")
            rows += _alongside_rows(review, tmpdir / f"ab_{n}", n, reps)
        rows += _limits_rows(tmpdir, sizes[0], repeat=max(repeat, 5) * 2)
    return {"title": "Intake review", "rows": rows, "notes": notes}


def _alongside_rows(review: object, out: Path, n: int, repeat: int) -> list[list[str]]:
    """write_results with results.xlsx built in this process (baseline) and by a forked child
    while this process writes results.csv (:mod:`toolkit.alongside`), alternating, same review."""
    times: dict[bool, list[float]] = {False: [], True: []}
    threshold = writer.FORK_FROM_ROWS
    try:
        for _ in range(repeat):
            for forked in (False, True):
                writer.FORK_FROM_ROWS = 0 if forked else n + 1
                t0 = time.perf_counter()
                write_results(review, out)  # type: ignore[arg-type]
                times[forked].append(time.perf_counter() - t0)
    finally:
        writer.FORK_FROM_ROWS = threshold
    base = Timing("write here", times[False])
    return [
        row(f"{n:,} rows: write, both files in one process (baseline)", base, None),
        row(f"{n:,} rows: write, results.xlsx by a child alongside", Timing("alongside", times[True]), base),
    ]


def _limits_rows(tmpdir: Path, n: int, repeat: int) -> list[list[str]]:
    """read_intake before the limits (baseline) and with them, alternating, same sheet: wall time
    and the reading thread's CPU time (less disturbed by other processes on a loaded machine)."""
    sheet = make_sheet(tmpdir / f"limits_{n}.xlsx", n)
    scan = reader.scan_workbook

    def before(path: Path, zf: object, lim: object = None) -> limits.WorkbookScan:
        return limits.WorkbookScan()  # no checks; every sheet's XML decoded, as before

    wall: dict[str, list[float]] = {"before": [], "with": []}
    cpu: dict[str, list[float]] = {"before": [], "with": []}
    reader.read_intake(sheet)  # warm-up
    try:
        for _ in range(repeat):
            for name, fn in (("before", before), ("with", scan)):
                reader.scan_workbook = fn  # type: ignore[assignment]
                w0, c0 = time.perf_counter(), time.thread_time()
                reader.read_intake(sheet)
                cpu[name].append(time.thread_time() - c0)
                wall[name].append(time.perf_counter() - w0)
    finally:
        reader.scan_workbook = scan
    import zipfile

    with zipfile.ZipFile(sheet) as zf:
        scan_only = measure(lambda: limits.scan_workbook(sheet, zf), repeat=repeat)
    b, bc = Timing("before", wall["before"]), Timing("before (CPU)", cpu["before"])
    return [
        row(f"{n:,} rows: read before the reading limits (baseline)", b, None),
        row(f"{n:,} rows: read with the reading limits", Timing("with", wall["with"]), b),
        row(f"{n:,} rows: read before the reading limits, CPU time (baseline)", bc, None),
        row(f"{n:,} rows: read with the reading limits, CPU time", Timing("with (CPU)", cpu["with"]), bc),
        row(f"{n:,} rows: the limits' scan alone", scan_only, b),
    ]
