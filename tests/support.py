"""Helpers shared by the rules tests (kept out of conftest.py so each test module imports what it uses)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from toolkit import CaseInput, policy
from toolkit.paths import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures"

# One applicant the rules tests vary: an FCCA holder with a master's, accounting, relevant work since
# 2015 and Shanghai work since 2023, at an enterprise, not in an earlier round.
FCCA_CASE = CaseInput(
    application_id="T-1",
    holder_type="foreign_national",
    shanghai_hukou=False,
    qualifications=("FCCA",),
    verified=True,
    degree="master",
    title_series="accounting",
    relevant_since=dt.date(2015, 1, 1),
    shanghai_since=dt.date(2023, 1, 1),
    employer_type="enterprise",
    previous_round=False,
)


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
