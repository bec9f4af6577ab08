"""What a run records it ran with: the toolkit, the policy data's fingerprint, the List and the calendar libraries."""

from __future__ import annotations

import hashlib
import importlib.metadata
from pathlib import Path

from ..paths import data_dir

__all__ = ["VERSION_LABELS", "calendar_version", "rules_data_hash", "versions"]

#: the manifest's ``versions`` keys → (zh, en), in the order the report shows them.
VERSION_LABELS: dict[str, tuple[str, str]] = {
    "toolkit": ("工具版本", "Toolkit"),
    "rules_data": ("政策数据指纹", "Rules data (fingerprint)"),
    "list": ("清单版本", "List version"),
    "calendar": ("日历库版本", "Calendar libraries"),
}


def rules_data_hash(root: Path | None = None) -> str:
    """A short SHA-256 over the policy-data tree (``data/``): every file's relative path and bytes.

    Example sheets (``data/examples/``), hidden files and caches are left out: they are not
    rules. Any change to a policy parameter, the List or the calendar data changes the hash, and
    so does a file imported into the bureau's data folder (``toolkit.paths.bureau_data_dir``).
    """
    if root is None:  # the data in force: the shipped folder and the bureau's own (imports), if any
        from ..paths import bureau_data_dir

        own = bureau_data_dir()
        return _tree_hash(data_dir(), *([own] if own.is_dir() and any(own.rglob("*.yaml")) else []))
    return _tree_hash(Path(root))


def _tree_hash(root: Path, *more: Path) -> str:
    h = hashlib.sha256()
    for extra in more:  # the bureau's folder, under its own prefix
        for p in sorted(q for q in extra.rglob("*") if q.is_file() and not q.name.startswith(".")):
            h.update(b"bureau/" + p.relative_to(extra).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).hexdigest().encode("ascii") + b"\n")
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and not any(
            part.startswith(".") or part in ("examples", "__pycache__") for part in p.relative_to(root).parts
        )
    )
    for p in files:
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).hexdigest().encode("ascii") + b"\n")
    return h.hexdigest()[:12]


def calendar_version() -> str:
    """The calendar libraries the working-day rules rest on, e.g. ``holidays 0.109 / chinesecalendar 1.11.0``."""

    def version_of(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "?"

    return f"holidays {version_of('holidays')} / chinesecalendar {version_of('chinesecalendar')}"


def versions(list_version: str) -> dict[str, str]:
    """The manifest's ``versions`` block: toolkit, rules data, List and calendar."""
    from ..version import __version__

    return {
        "toolkit": __version__,
        "rules_data": rules_data_hash(),
        "list": str(list_version),
        "calendar": calendar_version(),
    }
