"""Run folders as the register finds and records them: which folders are runs, their manifest's
hash now, and a run's row from its manifest.

The manifest itself is read and checked by :func:`toolkit.register.manifest.read_manifest`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import chain
from .records import _RUN_ID_RE, MANIFEST_NAME, RUN_FILES, _now

if TYPE_CHECKING:
    from .manifest import Manifest


def _manifest_sha256_now(run_dir: Path) -> str | None:
    try:
        return hashlib.sha256((run_dir / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def _looks_like_run_folder(p: Path) -> bool:
    if not p.is_dir() or p.name.startswith("."):
        return False
    return bool(_RUN_ID_RE.match(p.name)) or any((p / f).exists() for f in RUN_FILES)


def _utc_text(t: datetime | None) -> str | None:
    return t.astimezone(UTC).isoformat(timespec="seconds") if t is not None else None


def _insert_run(
    conn: sqlite3.Connection,
    run_dir: Path,
    m: Manifest,
    raw: bytes | None,
    submitted_by: str | None,
    key: bytes,
) -> None:
    """One run row (from its manifest, kept verbatim with its hash) and its outputs, sealed in the chain."""
    to_json = functools.partial(json.dumps, ensure_ascii=False, sort_keys=True)
    conn.execute(
        """INSERT INTO runs (run_id, run_dir, outcome, error, manifest_schema, created_at, finished_at,
               input_path, input_name, input_sha256, parameters_json, versions_json, counts_json,
               rows_in, rows_out, duration_s, manifest_json, manifest_sha256, recorded_at, submitted_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            m.run_id, str(run_dir), m.outcome, m.error, m.schema_version if raw is not None else None,
            _utc_text(m.created_at), _utc_text(m.finished_at), m.input.path, m.input.name, m.input.sha256,
            to_json(m.parameters), to_json(m.versions), to_json(m.counts),
            m.rows_in, m.rows_out, m.duration_s,
            raw.decode("utf-8") if raw is not None else None,
            hashlib.sha256(raw).hexdigest() if raw is not None else None,
            _now(), submitted_by,
        ),
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO outputs (run_id, name, sha256, bytes) VALUES (?, ?, ?, ?)",
        [(m.run_id, o.name, o.sha256, o.bytes) for o in m.outputs],
    )
    chain.seal(conn, key, "run", m.run_id)
