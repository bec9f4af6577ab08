"""The one atomic writer, and file hashing, shared by every module that writes or checks files."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .exceptions import ToolkitError

__all__ = ["atomic_paths", "open_word_document", "sha256_file", "write_text_atomic"]


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size in bytes of a file, read in chunks (``hashlib.file_digest``)."""
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
        return digest, f.tell()


@contextlib.contextmanager
def atomic_paths(*targets: Path, fsync: bool = False) -> Iterator[list[Path]]:
    """Temporary paths beside each of ``targets``, for the block to write; when the block returns,
    each replaces its target (``os.replace``), optionally fsynced first.

    Whole or not at all: when the block or a replace fails (a full disk, say), every temporary file
    is removed, targets not yet replaced are left as they were, and the error is raised. Targets
    are replaced in order, after all are written: results.xlsx and results.csv land together.
    """
    temps: list[Path] = []
    try:
        for target in targets:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            temps.append(Path(tmp))
        yield list(temps)
        for tmp, target in zip(temps, targets, strict=True):
            if fsync:
                with tmp.open("rb") as f:
                    os.fsync(f.fileno())
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str, *, fsync: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``target`` whole or not at all (:func:`atomic_paths`)."""
    with atomic_paths(target, fsync=fsync) as (tmp,):
        tmp.write_text(text, encoding="utf-8")


def open_word_document(path: Path, error: type[ToolkitError]) -> Any:
    """``path`` opened with python-docx (a ``docx.Document``); a file it cannot read raises
    ``error`` naming the file, in both languages (the notice and annex importers)."""
    import docx

    try:
        return docx.Document(str(path))
    except Exception as exc:
        raise error(
            f"{path}: 不是可读取的 Word 文档 / not a readable Word (.docx) document ({type(exc).__name__})"
        ) from exc
