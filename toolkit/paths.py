"""Where the toolkit finds its policy data and keeps its own files.

- Policy data: ``data/`` at the repository root, or ``$OQTK_DATA_DIR`` (tests point it at a copy).
- Toolkit home (runs, register, uploads): ``$OQTK_HOME``, default ``~/.oqtk``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["REPO_ROOT", "data_dir", "examples_dir", "oqtk_home", "templates_dir"]


_DEFAULT_DATA = REPO_ROOT / "data"


@lru_cache(maxsize=8)
def _resolve(env: str) -> Path:
    return Path(env).resolve()


def data_dir() -> Path:
    """The policy-data folder in force (``$OQTK_DATA_DIR`` or ``<repo>/data``); called on hot paths."""
    env = os.environ.get("OQTK_DATA_DIR")
    return _resolve(env) if env else _DEFAULT_DATA


def examples_dir() -> Path:
    """Synthetic example intake sheets shipped with the toolkit."""
    return REPO_ROOT / "data" / "examples"


def templates_dir() -> Path:
    return REPO_ROOT / "templates"


def oqtk_home() -> Path:
    """The toolkit's own folder (runs, register, uploads): ``$OQTK_HOME`` or ``~/.oqtk``."""
    env = os.environ.get("OQTK_HOME")
    return Path(env).expanduser().resolve() if env else Path.home() / ".oqtk"
