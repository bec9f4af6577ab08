"""Where the toolkit finds its policy data and keeps its own files.

- Policy data: ``data/`` at the repository root, or ``$OQTK_DATA_DIR`` (tests point it at a copy),
  with the **bureau's data folder** layered over it: ``$OQTK_BUREAU_DATA_DIR``, default
  ``$OQTK_HOME/data``. ``oqtk calendar import`` and ``oqtk list import`` write there (never inside
  the installed package); a file there (``calendar/2027.yaml``, ``list/v3.0.yaml``, entries added
  to ``list/versions.yaml``) is read as if it were shipped, by the same strict loaders, and wins
  over a shipped file of the same name. See :func:`data_file`.
- Toolkit home (runs, register, uploads): ``$OQTK_HOME``, default ``~/.oqtk``.
- Cache (derived data that can always be rebuilt, e.g. the compiled calendar libraries):
  ``$OQTK_CACHE_DIR``, else ``$XDG_CACHE_HOME/oq-toolkit``, else ``~/.cache/oq-toolkit``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .exceptions import ToolkitError

REPO_ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "REPO_ROOT",
    "bureau_data_dir",
    "cache_dir",
    "data_dir",
    "data_file",
    "data_origin",
    "examples_dir",
    "forget_data_dir",
    "oqtk_home",
    "templates_dir",
]


_DEFAULT_DATA = REPO_ROOT / "data"
_data_dir: Path | None = None
_bureau_dir: Path | None = None


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
    """Read ``$OQTK_DATA_DIR`` (and the bureau folder's variables) again on the next call (used by
    ``policy.reload``)."""
    global _data_dir, _bureau_dir
    _data_dir = None
    _bureau_dir = None


def bureau_data_dir() -> Path:
    """The bureau's own data folder, layered over :func:`data_dir` (may not exist yet).

    ``$OQTK_BUREAU_DATA_DIR``, else ``$OQTK_HOME/data`` (default ``~/.oqtk/data``). Imports write
    here; it is never inside the installed package (a setting that points into it is refused).
    """
    global _bureau_dir
    if _bureau_dir is None:
        env = os.environ.get("OQTK_BUREAU_DATA_DIR")
        d = Path(env).expanduser().resolve() if env else (oqtk_home() / "data").resolve()
        inside = [p for p in (REPO_ROOT / "toolkit", _DEFAULT_DATA) if d == p or p in d.parents]
        if inside:
            raise ToolkitError(
                f"数据目录不能位于程序包或随附数据内 / the bureau's data folder cannot be inside the package "
                f"or its shipped data: {d} — set OQTK_BUREAU_DATA_DIR (or OQTK_HOME) to a folder of its own"
            )
        _bureau_dir = d
    return _bureau_dir


def data_file(*parts: str) -> Path:
    """``<bureau folder>/<parts>`` when that file exists, else ``<data_dir()>/<parts>``."""
    own = bureau_data_dir().joinpath(*parts)
    return own if own.exists() else data_dir().joinpath(*parts)


def data_origin(path: Path) -> str:
    """ "bureau" for a file in the bureau's folder, else "shipped" (the shipped or test data)."""
    try:
        path.resolve().relative_to(bureau_data_dir())
    except ValueError:
        return "shipped"
    return "bureau"


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
