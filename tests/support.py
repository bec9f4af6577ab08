"""Helpers shared by the rules tests (kept out of conftest.py so each test module imports what it uses)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from toolkit import policy
from toolkit.paths import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"


@contextmanager
def data_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A writable copy of ``data/`` used as ``$OQTK_DATA_DIR`` for the duration of the block, with an
    empty bureau data folder (``$OQTK_BUREAU_DATA_DIR``, where imports write) at ``<tmp>/bureau``."""
    root = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", root, ignore=shutil.ignore_patterns("examples"))
    monkeypatch.setenv("OQTK_DATA_DIR", str(root))
    monkeypatch.setenv("OQTK_BUREAU_DATA_DIR", str(tmp_path / "bureau"))
    policy.reload()
    try:
        yield root
    finally:
        monkeypatch.delenv("OQTK_DATA_DIR", raising=False)
        policy.reload()
