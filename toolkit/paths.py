"""Where the toolkit finds its policy data and keeps its own files.

- Policy data: ``data/`` at the repository root, or ``$OQTK_DATA_DIR`` (tests point it at a copy).
- Toolkit home (runs, register, uploads): ``$OQTK_HOME``, default ``~/.oqtk``.
- Cache (derived data that can always be rebuilt, e.g. the compiled calendar libraries):
  ``$OQTK_CACHE_DIR``, else ``$XDG_CACHE_HOME/oq-toolkit``, else ``~/.cache/oq-toolkit``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "REPO_ROOT",
    "cache_dir",
    "data_dir",
    "examples_dir",
    "forget_data_dir",
    "oqtk_home",
    "templates_dir",
]


_DEFAULT_DATA = REPO_ROOT / "data"
_data_dir: Path | None = None


def data_dir() -> Path:
    """The policy-data folder in force (``$OQTK_DATA_DIR`` or ``<repo>/data``).

    Read once and kept (it is called several times per assessed row); after changing
    ``$OQTK_DATA_DIR`` call :func:`toolkit.policy.reload`, which forgets it with every other cache.
    """
    global _data_dir
    if _data_dir is None:
        env = os.environ.get("OQTK_DATA_DIR")
        _data_dir = Path(env).resolve() if env else _DEFAULT_DATA
    return _data_dir


def forget_data_dir() -> None:
    """Read ``$OQTK_DATA_DIR`` again on the next :func:`data_dir` call (used by ``policy.reload``)."""
    global _data_dir
    _data_dir = None


def examples_dir() -> Path:
    """Synthetic example intake sheets shipped with the toolkit."""
    return REPO_ROOT / "data" / "examples"


def templates_dir() -> Path:
    return REPO_ROOT / "templates"


def oqtk_home() -> Path:
    """The toolkit's own folder (runs, register, uploads): ``$OQTK_HOME`` or ``~/.oqtk``."""
    env = os.environ.get("OQTK_HOME")
    return Path(env).expanduser().resolve() if env else Path.home() / ".oqtk"


def cache_dir() -> Path:
    """Where derived data is cached (may not exist yet; anything in it can be deleted at any time)."""
    env = os.environ.get("OQTK_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "oq-toolkit"
