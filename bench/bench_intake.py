"""Intake review split into read / validate / assess / write for 10k and 100k rows, next to a bare
read-and-write of the same sheet (pandas + calamine read, CSV write) measured in the same run."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from toolkit.intake import review_intake, write_results

from .common import Timing, row
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
    return {"title": "Intake review", "rows": rows, "notes": notes}
