"""The run register: which batch runs exist, whether their files are intact, who decided what.

A batch run writes ``RUNS_DIR/<run_id>/`` with its outputs and, last, ``manifest.json``
(schema 1). The register, a SQLite file at ``$OQTK_HOME/register.sqlite``, keeps for each run
the manifest itself, the hash of every output file as the run wrote it, and an append-only
history of supervisors' decisions (approve / return). Before an approval every output is
hashed again: a changed or missing file refuses the approval and is named.

Safety:

- **Append-only decisions.** SQLite triggers abort any ``UPDATE`` or ``DELETE`` on
  ``decisions``; a correction is a new decision. (This guards against mistakes and careless
  tools, not against someone who edits the file with the triggers dropped.)
- **Never recreated.** A register that is not a SQLite file, fails ``PRAGMA integrity_check``,
  belongs to another application, or was written by a newer toolkit raises
  :class:`~toolkit.exceptions.RegisterError` and is left exactly as it is.
- **Concurrency.** WAL journal, a busy timeout, one short ``BEGIN IMMEDIATE`` transaction per
  write and a fresh connection per call: several processes can record runs while a
  supervisor approves, without losing an entry.
- **No personal data in logs.** Only run ids, outcomes and file names are logged; the
  register itself holds only file-level metadata. (:meth:`Register.compare_runs` reads the
  results sheet and *returns* application ids; it never logs or stores them.)

Interval semantics: ``since`` filters are closed (a run created exactly at ``since`` is
included); a bare date means 00:00 China Standard Time (UTC+8) on that day.

Layout: :mod:`.records` (what is recorded), :mod:`.schema` (tables and migrations),
:mod:`.folders` (reading a run folder's manifest), :mod:`.integrity` (re-hashing files,
comparing runs), :mod:`.chain` (the hash chain), :mod:`.store` (:class:`Register`).
"""

from __future__ import annotations

from ..exceptions import RegisterError
from .chain import AuditProblem, AuditResult
from .integrity import compare_records
from .records import (
    DECISIONS,
    REGISTER_FILENAME,
    RUN_STATUSES,
    Decision,
    FileCheck,
    OutputRecord,
    RowChange,
    RunFolderError,
    RunRecord,
    ScanResult,
    VerifyResult,
    default_register_path,
    visible_name,
)
from .schema import LATEST_SCHEMA_VERSION, MIGRATIONS, SERVICE_MODE
from .store import Register

__all__ = [
    "DECISIONS",
    "LATEST_SCHEMA_VERSION",
    "MIGRATIONS",
    "REGISTER_FILENAME",
    "RUN_STATUSES",
    "SERVICE_MODE",
    "AuditProblem",
    "AuditResult",
    "Decision",
    "FileCheck",
    "OutputRecord",
    "Register",
    "RegisterError",
    "RowChange",
    "RunFolderError",
    "RunRecord",
    "ScanResult",
    "VerifyResult",
    "compare_records",
    "default_register_path",
    "visible_name",
]
