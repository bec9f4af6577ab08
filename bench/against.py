"""Reading an intake sheet with this tree and with an earlier revision of it, in the same run.

``python -m bench.against REV [N_ROWS] [ROUNDS]`` checks REV out into a temporary git worktree
and times ``read_intake`` on the same synthetic sheet in both trees: each round starts one fresh
process per tree (the order alternating from round to round, since this machine's speed drifts)
and reads the sheet five times after a warm-up read. It prints the medians and their ratio.

This is how issue 16's "no slower than before" was checked against the reader before the
reading limits (``python -m bench.against c9a986a``); ``bench/bench_intake.py`` isolates the
limits' own cost within one tree.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from .sheets import make_sheet

ROOT = Path(__file__).resolve().parent.parent

_READS = r"""
import json, sys, time
from toolkit.intake.reader import read_intake
read_intake(sys.argv[1])
seconds = []
for _ in range(5):
    t0 = time.perf_counter()
    read_intake(sys.argv[1])
    seconds.append(time.perf_counter() - t0)
print(json.dumps(seconds))
"""


def _reads(tree: Path, sheet: Path) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _READS, str(sheet)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(out.stdout))


def run(rev: str, n_rows: int = 10_000, rounds: int = 16) -> dict[str, float]:
    """Median seconds per read for ``rev`` and for this tree, and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(old), rev], check=True
        )
        try:
            sheet = make_sheet(Path(tmp) / "sheet.xlsx", n_rows)
            trees = [("before", old), ("now", ROOT)]
            samples: dict[str, list[float]] = {"before": [], "now": []}
            for i in range(rounds):
                for name, tree in trees if i % 2 == 0 else trees[::-1]:
                    samples[name] += _reads(tree, sheet)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True)
    before, now = statistics.median(samples["before"]), statistics.median(samples["now"])
    return {"before": before, "now": now, "ratio": now / before}


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    res = run(args[0], *(int(a) for a in args[1:3]))
    print(
        f"read_intake, {args[1] if len(args) > 1 else '10000'} rows: {args[0]} {res['before'] * 1000:.1f} ms, "
        f"this tree {res['now'] * 1000:.1f} ms (medians): {res['ratio']:.3f}×"
    )
