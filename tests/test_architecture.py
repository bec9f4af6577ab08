"""The shape of ``toolkit/`` that the README's architecture section promises, checked on the code:

- imports only go down the layers (the import-linter contract in ``pyproject.toml``);
- nothing inside ``toolkit/`` imports the public facade ``toolkit/__init__.py``;
- no module is over 600 lines and no function over 80 (a table of data may be longer: listed below
  with why).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "toolkit"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# functions longer than MAX_FUNCTION_LINES because they are a table of data: "module:function"
DATA_TABLES: dict[str, str] = {}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_imports_only_go_down_the_layers() -> None:
    # its own process: import-linter configures logging (dictConfig), which would disable every
    # logger this test process already has
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=REPO_ROOT,  # reads [tool.importlinter] from pyproject.toml
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, "an import runs up the layers:\n" + done.stdout[-3000:]


def test_nothing_inside_the_package_imports_the_facade() -> None:
    submodules = {p.stem if p.name != "__init__.py" else p.parent.name for p in PACKAGE.iterdir()}
    offenders = []
    for path in _modules():
        if path == PACKAGE / "__init__.py":
            continue
        package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")
                target = ".".join(base[: len(base) - node.level + 1] if node.level else [])
                target = f"{target}.{node.module}".strip(".") if node.module else target
                if not node.level:
                    target = node.module or ""
                if target == "toolkit" and any(a.name not in submodules for a in node.names):
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == [], "these import names from toolkit/__init__.py (the facade): " + ", ".join(
        offenders
    )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_and_functions_are_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= MAX_MODULE_LINES, (
        f"{path.name}: {lines} lines (at most {MAX_MODULE_LINES}): split it by concept"
    )
    long = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if not body:
                continue
            n = body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]
            if n > MAX_FUNCTION_LINES and f"{_dotted(path)}:{node.name}" not in DATA_TABLES:
                long.append(f"{node.name} ({n} lines)")
    assert long == [], f"{path.name}: functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"
