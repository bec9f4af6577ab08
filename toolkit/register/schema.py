"""The register's SQLite schema: migration steps (``PRAGMA user_version`` counts them; append,
never edit one that has shipped) and how they are applied."""

from __future__ import annotations

import logging
import sqlite3

from . import chain
from .records import APPLICATION_ID

log = logging.getLogger("toolkit.register")

# ---------------------------------------------------------------------------------------------
# Schema: PRAGMA user_version is the number of migration steps applied. Append steps, never edit
# one that has shipped. Each step is a list of single statements (run inside one transaction).
# ---------------------------------------------------------------------------------------------
_APPEND_ONLY = "decisions are append-only: record a new decision instead of changing or deleting one"

MIGRATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "1: runs, outputs, append-only decisions",
        (
            f"PRAGMA application_id = {APPLICATION_ID}",
            """CREATE TABLE runs (
                run_id          TEXT PRIMARY KEY,
                run_dir         TEXT NOT NULL,
                outcome         TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'incomplete')),
                error           TEXT,
                manifest_schema INTEGER,
                created_at      TEXT,
                finished_at     TEXT,
                input_path      TEXT,
                input_name      TEXT,
                input_sha256    TEXT,
                parameters_json TEXT NOT NULL DEFAULT '{}',
                versions_json   TEXT NOT NULL DEFAULT '{}',
                counts_json     TEXT NOT NULL DEFAULT '{}',
                rows_in         INTEGER,
                rows_out        INTEGER,
                duration_s      REAL,
                manifest_json   TEXT,
                manifest_sha256 TEXT
            )""",
            """CREATE TABLE outputs (
                run_id TEXT NOT NULL REFERENCES runs (run_id),
                name   TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                bytes  INTEGER,
                PRIMARY KEY (run_id, name)
            )""",
            """CREATE TABLE decisions (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id        TEXT NOT NULL REFERENCES runs (run_id),
                decision      TEXT NOT NULL CHECK (decision IN ('approve', 'return')),
                by_name       TEXT NOT NULL CHECK (length(trim(by_name)) > 0),
                os_user       TEXT,
                at            TEXT NOT NULL,
                comment       TEXT,
                verified_json TEXT NOT NULL,
                CHECK (decision <> 'return' OR length(trim(coalesce(comment, ''))) > 0)
            )""",
            f"""CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
                BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            f"""CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
                BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END""",
            """CREATE TRIGGER runs_no_delete_decided BEFORE DELETE ON runs
                WHEN EXISTS (SELECT 1 FROM decisions WHERE run_id = OLD.run_id)
                BEGIN SELECT RAISE(ABORT, 'a run with decisions cannot be removed from the register'); END""",
        ),
    ),
    (
        "2: recorded_at; indexes for the dashboard (by date, by intake sheet, decisions by run)",
        (
            "ALTER TABLE runs ADD COLUMN recorded_at TEXT",
            "UPDATE runs SET recorded_at = coalesce(finished_at, created_at) WHERE recorded_at IS NULL",
            "CREATE INDEX runs_created_at ON runs (created_at)",
            "CREATE INDEX runs_input_sha256 ON runs (input_sha256)",
            "CREATE INDEX runs_input_name ON runs (input_name)",
            "CREATE INDEX decisions_run ON decisions (run_id, id)",
        ),
    ),
)
MIGRATIONS += (
    (
        "3: the hash chain; who submitted a run (hub) and in which role a decision was made; four eyes",
        (
            *chain.MIGRATION,
            "ALTER TABLE runs ADD COLUMN submitted_by TEXT",
            "ALTER TABLE decisions ADD COLUMN by_role TEXT",
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            # four eyes: nobody decides on a run they submitted (hub runs know their submitter)
            """CREATE TRIGGER decisions_four_eyes BEFORE INSERT ON decisions
                WHEN NEW.by_name = (SELECT submitted_by FROM runs WHERE run_id = NEW.run_id)
                BEGIN SELECT RAISE(ABORT, 'four eyes: a run cannot be decided by the user who submitted it'); END""",
            # a hub run is decided only in the supervisor role
            """CREATE TRIGGER decisions_by_supervisor BEFORE INSERT ON decisions
                WHEN (SELECT submitted_by FROM runs WHERE run_id = NEW.run_id) IS NOT NULL
                 AND coalesce(NEW.by_role, '') <> 'supervisor'
                BEGIN SELECT RAISE(ABORT, 'only a supervisor decides on a hub run'); END""",
        ),
    ),
)
LATEST_SCHEMA_VERSION = len(MIGRATIONS)
#: ``settings.mode = 'service'``: only the hub's oq-register service records runs (no scan, no folder).
SERVICE_MODE = "service"
AuditResult = chain.AuditResult


def _migrate(conn: sqlite3.Connection, target: int, key: bytes) -> None:
    """Apply migration steps up to ``target`` inside the caller's transaction (re-reads the version).

    Step 3 adds the chain: the runs and decisions already there are sealed in their order."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number in range(version, target):
        description, statements = MIGRATIONS[number]
        for statement in statements:
            conn.execute(statement)
        if number == 2:
            for (run_id,) in conn.execute("SELECT run_id FROM runs ORDER BY recorded_at, run_id").fetchall():
                chain.seal(conn, key, "run", run_id)
            for (n,) in conn.execute("SELECT id FROM decisions ORDER BY id").fetchall():
                chain.seal(conn, key, "decision", str(n))
        conn.execute(f"PRAGMA user_version = {number + 1}")
        log.info("register schema migrated: %s", description)
