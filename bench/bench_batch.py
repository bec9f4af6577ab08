"""Batch runs: `oqtk batch` end to end next to a plain in-process review and a bare read-and-write.

For the same synthetic sheet, measured in this process:

- bare read + CSV write (pandas calamine read, CSV write) — the baseline;
- ``review_intake`` + ``write_results`` in process (no notebook);
- ``toolkit.run_batch`` in process (one kernel, the executed notebook, its HTML, the manifest);
- ``oqtk batch`` as a fresh command (interpreter start and imports included);
- ``oqtk batch`` over four quarter-size sheets, ``--jobs 1`` and ``--jobs 2`` (each next kernel
  is started ahead, while the current sheet runs);

and, from the executed notebook and the manifest, where a batch run spends its time.
Run alone with ``python -m bench.bench_batch [N_ROWS]``; ``make bench`` runs it with the others.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from toolkit.batch.runner import run_batch
from toolkit.intake import review_intake, write_results

from .common import Timing, row
from .sheets import bare_read_write, make_sheet

AS_OF = "2025-12-31"
LIST_VERSION = "1.0"


_BARE_SCRIPT = (
    "import sys, pandas as pd; "
    "pd.read_excel(sys.argv[1], engine='calamine', dtype=str)"
    ".to_csv(sys.argv[2], index=False, encoding='utf-8-sig')"
)


def _bare_process(path: Path, out: Path) -> float:
    """The bare read-and-write as its own process (interpreter start and pandas import included):
    the like-for-like baseline for the `oqtk batch` command."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", _BARE_SCRIPT, str(path), str(out / "bare_proc.csv")], check=True)
    return time.perf_counter() - t0


def _plain(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    review = review_intake(path, as_of=dt.date.fromisoformat(AS_OF), list_version=LIST_VERSION)
    write_results(review, out)
    return time.perf_counter() - t0


def _in_process(path: Path, runs: Path) -> tuple[float, Path]:
    t0 = time.perf_counter()
    (r,) = run_batch([path], runs, as_of=AS_OF, list_version=LIST_VERSION)
    elapsed = time.perf_counter() - t0
    if r.outcome != "succeeded":
        raise RuntimeError(f"batch run failed: {r.error}")
    return elapsed, r.run_dir


@dataclass(frozen=True)
class _Command:
    """One `oqtk batch` command: seconds taken, wall-clock start and end, its kernels' peak memory."""

    seconds: float
    started: float
    ended: float
    peak_rss_mib: float


def _cli(path: Path | list[Path], runs: Path, jobs: int = 1) -> _Command:
    paths = [str(p) for p in (path if isinstance(path, list) else [path])]
    cmd = [sys.executable, "-m", "toolkit.cli", "batch", *paths, "--out", str(runs), "--as-of", AS_OF]
    cmd += ["--list-version", LIST_VERSION, "--no-progress", "--jobs", str(jobs)]
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        wall0 = time.time()
        proc = subprocess.Popen(cmd, stdout=out, stderr=out)
        peak = _KernelPeak(proc.pid)
        proc.wait()
        elapsed = time.perf_counter() - t0
        peak.stop()
        if proc.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"oqtk batch exited {proc.returncode}: {out.read()[-2000:]!r}")
    return _Command(elapsed, wall0, time.time(), peak.mib)


class _KernelPeak:
    """The largest peak resident memory (VmHWM) among a command's child processes — its kernels —
    polled from /proc every 20 ms while it runs (only the command's children are read). (``wait4``'s ``ru_maxrss`` would not do: a child
    inherits the memory high-water mark of the process that started it, here this benchmark.)"""

    def __init__(self, pid: int) -> None:
        self.pid, self.kib, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        while not self._done.wait(0.02):
            try:
                pids = children.read_text().split()
            except OSError:
                continue
            for pid in pids:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.kib = max(self.kib, int(line.split()[1]))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    @property
    def mib(self) -> float:
        return self.kib / 1024


def _command_timeline(runs: Path, started: float, ended: float) -> dict[str, float]:
    """For the newest run: seconds from the command's start to its first cell, in the cells, and
    from the last cell to the command's end (papermill's cell times are wall-clock)."""
    run_dir = max((p for p in runs.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    nb = nbformat.read(run_dir / "review.ipynb", as_version=4)
    code = [c.metadata["papermill"] for c in nb.cells if c.cell_type == "code"]
    first = dt.datetime.fromisoformat(code[0]["start_time"]).timestamp()
    last = dt.datetime.fromisoformat(code[-1]["end_time"]).timestamp()
    return {"to first cell": first - started, "cells": last - first, "after last cell": ended - last}


def _breakdown(run_dir: Path) -> dict[str, float]:
    """Seconds per notebook cell (papermill's own timings) and the whole run (manifest)."""
    nb = nbformat.read(run_dir / "review.ipynb", as_version=4)
    cells = {
        ("injected" if "injected-parameters" in c.metadata.get("tags", []) else c.get("id") or str(i)): float(
            c.metadata.get("papermill", {}).get("duration") or 0.0
        )
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
    }
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return {
        "cells": sum(cells.values()),
        **{f"cell {k}": v for k, v in cells.items()},
        "run": manifest["duration_s"],
    }


def run(n_rows: int = 10_000, *, repeat: int = 5, big_rows: int | None = 100_000) -> dict:
    """Time the four ways for ``n_rows`` (and ``oqtk batch`` alone for ``big_rows``); return timings and ratios."""
    rows: list[list[str]] = []
    notes: list[str] = []
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        sheet = make_sheet(tmpdir / f"intake_{n_rows}.xlsx", n_rows)
        runs = tmpdir / "runs"
        bare, bare_proc, plain, inproc, cli = [], [], [], [], []
        breakdowns = []
        timelines = []
        _in_process(sheet, runs)  # warm-up: imports, kernelspec lookup, font cache
        for i in range(repeat):
            out = tmpdir / f"out_{i}"
            out.mkdir()
            bare.append(bare_read_write(sheet, out))
            bare_proc.append(_bare_process(sheet, out))
            plain.append(_plain(sheet, out))
            elapsed, run_dir = _in_process(sheet, runs)
            inproc.append(elapsed)
            breakdowns.append(_breakdown(run_dir))
            command = _cli(sheet, runs)
            cli.append(command.seconds)
            timelines.append(
                {
                    **_command_timeline(runs, command.started, command.ended),
                    "peak_rss_mib": command.peak_rss_mib,
                }
            )
        b = Timing("bare", bare)
        t_plain, t_in, t_cli = Timing("plain", plain), Timing("run_batch", inproc), Timing("oqtk batch", cli)
        rows.append(row(f"{n_rows:,} rows: bare calamine read + CSV write (baseline)", b, None))
        rows.append(row(f"{n_rows:,} rows: review_intake + write_results (in process)", t_plain, b))
        rows.append(row(f"{n_rows:,} rows: toolkit.run_batch (in process, one kernel)", t_in, b))
        rows.append(row(f"{n_rows:,} rows: `oqtk batch` command end to end", t_cli, b))
        bp = Timing("bare process", bare_proc)
        rows.append(row(f"{n_rows:,} rows: bare read + CSV write as a process (baseline 2)", bp, None))
        rows.append(row(f"{n_rows:,} rows: `oqtk batch` command vs the bare process", t_cli, bp))
        timings.update(
            bare=b.median,
            bare_process=bp.median,
            plain=t_plain.median,
            run_batch=t_in.median,
            oqtk_batch=t_cli.median,
        )
        parts = {k: statistics.median(d[k] for d in breakdowns) for k in breakdowns[0]}
        timings.update({f"breakdown {k}": v for k, v in parts.items()})
        cell_txt = ", ".join(
            f"{k.removeprefix('cell ')} {v:.2f} s" for k, v in parts.items() if k.startswith("cell ")
        )
        notes.append(
            f"Inside one run_batch ({n_rows:,} rows): notebook cells {parts['cells']:.2f} s ({cell_txt}); "
            f"the rest of the {parts['run']:.2f} s run is waiting for the kernel (started ahead; it boots "
            f"and preloads the review's imports), the HTML export and hashing."
        )
        quarter = [make_sheet(tmpdir / f"q{i}.xlsx", n_rows // 4, seed=i) for i in range(4)]
        qdir = tmpdir / "out_q"
        qdir.mkdir()
        q_bare = Timing("q bare", [sum(_bare_process(q, qdir) for q in quarter)])
        rows.append(
            row(
                f"4 sheets × {n_rows // 4:,} rows: bare read + CSV write as 4 processes (baseline 3)",
                q_bare,
                None,
            )
        )
        for jobs in (1, 2):
            t = Timing(f"q jobs {jobs}", [_cli(quarter, runs, jobs).seconds])
            timings[f"4 sheets jobs {jobs}"] = t.median
            rows.append(row(f"4 sheets × {n_rows // 4:,} rows: `oqtk batch --jobs {jobs}`", t, q_bare))
        timings["4 sheets bare processes"] = q_bare.median
        tl = {k: statistics.median(d[k] for d in timelines) for k in timelines[0]}
        timings.update({f"command {k}": v for k, v in tl.items()})
        notes.append(
            f"Inside one `oqtk batch` ({n_rows:,} rows): {tl['to first cell']:.2f} s from the command's start "
            f"to the notebook's first cell (interpreter, kernel started ahead, booting and preloading), "
            f"{tl['cells']:.2f} s in the cells, {tl['after last cell']:.2f} s after the last cell "
            f"(notebook written, HTML export, hashes, manifest, register, exit). Peak memory of its "
            f"largest process (the kernel): {tl['peak_rss_mib']:.0f} MiB."
        )
        if big_rows:
            big = make_sheet(tmpdir / f"intake_{big_rows}.xlsx", big_rows)
            out = tmpdir / "out_big"
            out.mkdir()
            big_bare = bare_read_write(big, out)
            big_bare_proc = _bare_process(big, out)
            big_command = _cli(big, runs)
            big_cli, big_rss = big_command.seconds, big_command.peak_rss_mib
            timings["big peak_rss_mib"] = big_rss
            timings.update(big_bare=big_bare, big_bare_process=big_bare_proc, big_oqtk_batch=big_cli)
            rows.append(row(f"{big_rows:,} rows: bare read + CSV write", Timing("b", [big_bare]), None))
            rows.append(
                row(
                    f"{big_rows:,} rows: `oqtk batch` command end to end",
                    Timing("c", [big_cli]),
                    Timing("b", [big_bare]),
                )
            )
            rows.append(
                row(
                    f"{big_rows:,} rows: `oqtk batch` vs the bare process",
                    Timing("c", [big_cli]),
                    Timing("bp", [big_bare_proc]),
                )
            )
            notes.append(
                f"{big_rows:,} rows: `oqtk batch` {big_cli:.1f} s (goal: under 20 s); peak memory of its "
                f"largest process (the kernel) {big_rss:.0f} MiB."
            )
    ratios = {
        "plain/bare": timings["plain"] / timings["bare"],
        "run_batch/bare": timings["run_batch"] / timings["bare"],
        "oqtk_batch/bare": timings["oqtk_batch"] / timings["bare"],
        "oqtk_batch/bare_process": timings["oqtk_batch"] / timings["bare_process"],
        "oqtk_batch/plain": timings["oqtk_batch"] / timings["plain"],
    }
    notes.append(
        f"{n_rows:,} rows: `oqtk batch` is {ratios['oqtk_batch/bare']:.1f}× the bare read-and-write "
        f"in process and {ratios['oqtk_batch/bare_process']:.1f}× the bare read-and-write process (goal 4×), "
        f"and {ratios['oqtk_batch/plain']:.1f}× the plain in-process review."
    )
    return {
        "title": "Batch runs (executed notebook per sheet)",
        "rows": rows,
        "notes": notes,
        "timings": timings,
        "ratios": ratios,
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    res = run(n)
    for r in res["rows"]:
        print(" | ".join(r))
    for k, v in res["timings"].items():
        print(f"{k}: {v:.3f} s")
    for k, v in res["ratios"].items():
        print(f"{k}: {v:.2f}×")
    for note in res["notes"]:
        print("-", note)
