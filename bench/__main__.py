"""`python -m bench` (`make bench`): run every benchmark and write bench/results.md.

Each figure is a median with min–max and a ratio against a baseline measured in the same run.
Pass names to run a subset and print it (bench/results.md is written only by the full suite):
`python -m bench rules calendar`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import sys
import traceback
from pathlib import Path

SUITES = ["rules", "calendar", "intake", "batch", "dashboards", "hub"]
OUT = Path(__file__).parent / "results.md"


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, Python {platform.python_version()}"
    )


def table(rows: list[list[str]]) -> str:
    out = ["| measure | median (min – max) | ratio to baseline |", "|---|---|---|"]
    out += [f"| {' | '.join(r)} |" for r in rows]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    names = argv or SUITES
    parts = [
        "# Benchmarks",
        "",
        f"Run {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} on {machine()}.",
        "Each figure is a median with min–max; each ratio is against the baseline measured in the same run.",
        "Regenerate with `make bench`.",
        "",
    ]
    failed = False
    for name in names:
        try:
            mod = importlib.import_module(f"bench.bench_{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.bench_{name}":
                print(f"(no benchmark {name})", file=sys.stderr)
                continue
            raise
        print(f"== {name} …", file=sys.stderr, flush=True)
        try:
            res = mod.run()
        except Exception:
            failed = True
            traceback.print_exc()
            parts += [f"## {name}", "", "failed — see the console output", ""]
            continue
        parts += [f"## {res['title']}", "", table(res["rows"]), ""]
        if res.get("summary"):
            parts += [res["summary"], ""]
        for note in res.get("notes", []):
            parts += [f"- {note}"]
        parts.append("")
        print(table(res["rows"]), file=sys.stderr)
        for note in res.get("notes", []):
            print(f"- {note}", file=sys.stderr)
    if names == SUITES:
        OUT.write_text("\n".join(parts), encoding="utf-8")
        print(f"wrote {OUT}", file=sys.stderr)
    else:
        print("(a subset: bench/results.md left as it was)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
