"""What each entry point imports: kept light so `oqtk batch` can launch its first kernel early.

The README promises it (Batch review, speed): `oqtk batch` launches the first sheet's kernel
before it imports papermill, pandas, pydantic, the rules or their policy data, and checks a
workbook's file without pandas. These tests run in a fresh interpreter and fail when an eager
import creeps back in.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "pandas",
    "pandera",
    "openpyxl",
    "papermill",
    "nbconvert",
    "pydantic",
    "toolkit.rules",
    "toolkit.policy",
    "IPython",
)


def _imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_command_line_and_the_package_import_nothing_heavy() -> None:
    assert _imported_after("import toolkit.cli; toolkit.cli.build_parser()") == []


def test_launching_a_kernel_ahead_needs_only_the_file_check_and_jupyter_client(tmp_path) -> None:
    from toolkit.paths import examples_dir

    sheet = examples_dir() / "intake_clean.xlsx"
    code = (
        "from toolkit.batch.runner import _read_check\n"
        "from toolkit.batch.kernels import KernelsAhead\n"
        f"_read_check(__import__('pathlib').Path({str(sheet)!r}))"
    )
    assert _imported_after(code) == []


def test_names_exported_lazily_still_resolve() -> None:
    import toolkit
    import toolkit.intake

    for module in (toolkit, toolkit.intake):
        for name in module.__all__:
            assert getattr(module, name) is not None, (module.__name__, name)
