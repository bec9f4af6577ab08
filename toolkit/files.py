"""Small file helpers shared by the batch runner and the run register."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["sha256_file", "write_text_atomic"]


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size in bytes of a file, read in chunks (``hashlib.file_digest``)."""
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
        return digest, f.tell()


def write_text_atomic(target: Path, text: str, *, fsync: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``target`` whole or not at all: a temporary file beside it,
    optionally fsynced, then ``os.replace``. On any failure (a full disk, say) the temporary file
    is removed, ``target`` is left as it was, and the error is raised."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
