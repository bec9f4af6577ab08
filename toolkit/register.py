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
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from . import register_chain as chain
from .exceptions import RegisterError
from .files import sha256_file
from .paths import oqtk_home

__all__ = [
    "DECISIONS",
    "LATEST_SCHEMA_VERSION",
    "MIGRATIONS",
    "REGISTER_FILENAME",
    "RUN_STATUSES",
    "AuditResult",
    "Decision",
    "FileCheck",
    "OutputRecord",
    "Register",
    "RowChange",
    "RunFolderError",
    "RunRecord",
    "ScanResult",
    "VerifyResult",
    "compare_records",
    "default_register_path",
    "visible_name",
]

log = logging.getLogger(__name__)

REGISTER_FILENAME = "register.sqlite"
MANIFEST_NAME = "manifest.json"
SUPPORTED_MANIFEST_SCHEMAS = frozenset({1})
OUTCOMES = ("succeeded", "failed", "incomplete")
#: run status code → (zh, en). Derived: failed/incomplete from the manifest, else the latest decision.
RUN_STATUSES: dict[str, tuple[str, str]] = {
    "pending": ("待审核", "Pending review"),
    "approved": ("已批准", "Approved"),
    "returned": ("已退回", "Returned"),
    "incomplete": ("未完成", "Incomplete"),
    "failed": ("运行失败", "Failed"),
}
#: decision code → (zh, en)
DECISIONS: dict[str, tuple[str, str]] = {
    "approve": ("批准", "Approve"),
    "return": ("退回", "Return"),
}
#: The files a run folder is recognised by (besides a run-id-shaped name).
RUN_FILES = ("manifest.json", "review.ipynb", "review.html", "results.xlsx", "results.csv")
_RUN_ID_RE = re.compile(r"^\d{8}T\d{6}Z-[0-9A-Za-z-]+$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_SQLITE_MAGIC = b"SQLite format 3\x00"
APPLICATION_ID = 0x4F51544B  # "OQTK": marks a SQLite file as an oq-toolkit register
CST = timezone(timedelta(hours=8), "CST")  # China Standard Time: no daylight saving

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


class RunFolderError(RegisterError):
    """Raised when one run folder cannot be recorded (bad manifest, or changed since recorded)."""


def default_register_path() -> Path:
    """``$OQTK_HOME/register.sqlite`` (``~/.oqtk/register.sqlite`` by default)."""
    return oqtk_home() / REGISTER_FILENAME


# ---------------------------------------------------------------------------------------------
# Records (frozen dataclasses with ``to_dict()`` for JSON and the dashboard)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutputRecord:
    """One output file of a run as the run wrote it (name inside the run folder)."""

    name: str
    sha256: str
    bytes: int | None


@dataclass(frozen=True)
class Decision:
    """One supervisor decision. ``verified`` holds the output hashes found at decision time."""

    id: int
    run_id: str
    decision: str  # approve | return
    by_name: str
    os_user: str | None
    at: str  # UTC ISO 8601
    comment: str | None
    verified: dict[str, Any]
    by_role: str | None = None  # "supervisor" for a hub decision (from the login); None locally

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RunRecord:
    """A run as the register knows it. ``status``: pending|approved|returned|incomplete|failed."""

    run_id: str
    run_dir: Path
    outcome: str  # succeeded | failed | incomplete (from the manifest; no manifest = incomplete)
    status: str
    error: str | None
    created_at: str | None  # UTC ISO 8601
    finished_at: str | None
    recorded_at: str | None
    input_path: str | None
    input_name: str | None
    input_sha256: str | None
    parameters: dict[str, Any]
    versions: dict[str, Any]
    counts: dict[str, Any]
    rows_in: int | None
    rows_out: int | None
    duration_s: float | None
    manifest_sha256: str | None
    manifest: dict[str, Any] | None
    outputs: tuple[OutputRecord, ...] = ()
    decisions: tuple[Decision, ...] = ()  # oldest first
    submitted_by: str | None = None  # the hub user who submitted the run (None: a local run)

    @property
    def last_decision(self) -> Decision | None:
        return self.decisions[-1] if self.decisions else None

    def status_label(self, lang: str = "zh") -> str:
        zh, en = RUN_STATUSES[self.status]
        return zh if lang == "zh" else en

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["run_dir"] = str(self.run_dir)
        d["status_zh"], d["status_en"] = RUN_STATUSES[self.status]
        return d


@dataclass(frozen=True)
class FileCheck:
    """One file re-hashed by :meth:`Register.verify_run`. ``state``: ok | changed | missing."""

    name: str
    state: str
    expected_sha256: str | None
    actual_sha256: str | None
    expected_bytes: int | None
    actual_bytes: int | None
    detail: str = ""


@dataclass(frozen=True)
class VerifyResult:
    """Whether a run's files are as the run wrote them; ``changed``/``missing`` name the files."""

    run_id: str
    run_dir: Path
    checked_at: str
    checks: tuple[FileCheck, ...]

    @property
    def changed(self) -> list[str]:
        return [c.name for c in self.checks if c.state == "changed"]

    @property
    def missing(self) -> list[str]:
        return [c.name for c in self.checks if c.state == "missing"]

    @property
    def ok(self) -> bool:
        return all(c.state == "ok" for c in self.checks)

    def problems(self) -> str:
        """One line naming every changed and missing file (empty when ``ok``)."""
        parts = [f"{n}（已更改 / changed）" for n in self.changed]
        parts += [f"{n}（缺失 / missing）" for n in self.missing]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_dir": str(self.run_dir),
            "checked_at": self.checked_at,
            "ok": self.ok,
            "changed": self.changed,
            "missing": self.missing,
            "checks": [asdict(c) for c in self.checks],
        }


@dataclass(frozen=True)
class RowChange:
    """A row that differs between two runs of the same intake sheet (``kind``: changed|added|removed)."""

    application_id: str
    kind: str
    old_status: str | None
    new_status: str | None
    old_reasons: str | None
    new_reasons: str | None
    old_reason_codes: str | None
    new_reason_codes: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ScanResult:
    """What :meth:`Register.scan` did: run ids recorded, updated, already known; folder problems."""

    recorded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # incomplete before, now finished
    unchanged: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (folder, message)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [{"folder": f, "message": m} for f, m in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no passwd entry (some containers)
        return None


def _utc_iso(value: str, where: str) -> str:
    try:
        dt = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise RunFolderError(f"{where}: 不是 ISO 8601 时间 / not an ISO 8601 time: {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)  # the manifest contract writes UTC
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _since_utc(since: date | datetime | str) -> datetime:
    """A date is 00:00 China Standard Time on that day; a naive datetime is CST too."""
    if isinstance(since, str):
        text = since.strip()
        try:
            since = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise RegisterError(
                f"无法识别的日期 / Not a date: {since!r} (use YYYY-MM-DD or an ISO 8601 time)"
            ) from None
    if not isinstance(since, datetime):
        since = datetime(since.year, since.month, since.day, tzinfo=CST)
    elif since.tzinfo is None:
        since = since.replace(tzinfo=CST)
    return since.astimezone(UTC)


def _created_from_run_id(run_id: str) -> str | None:
    m = re.match(r"^(\d{8}T\d{6})Z", run_id)
    if not m:
        return None
    try:
        return datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


def _safe_name(name: object, where: str) -> str:
    """An output name must be a plain file name inside the run folder."""
    if (
        not isinstance(name, str)
        or not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\x00" in name
    ):
        raise RunFolderError(f"{where}: 输出文件名不安全 / unsafe output file name: {name!r}")
    return name


def _require_text(value: str | None, what_zh: str, what_en: str) -> str:
    if value is None or not str(value).strip():
        raise RegisterError(f"必须填写{what_zh} / {what_en} is required")
    return str(value).strip()


def visible_name(value: str | None, what_zh: str = "审批人姓名", what_en: str = "The approver's name") -> str:
    """A person's name as typed: trimmed, with at least one letter or digit and no invisible or
    control characters (zero-width spaces, direction marks, line breaks). Raises RegisterError."""
    import unicodedata

    text = _require_text(value, what_zh, what_en)
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp")]
    if bad or not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad[:5]) or text
        raise RegisterError(
            f"{what_zh}须为可见的姓名，不得含有不可见字符（{shown}）/ {what_en} must be a visible name "
            f"with letters or digits and no invisible characters ({shown})"
        )
    return text


@dataclass
class _RunInfo:
    """What a run folder says about itself (parsed and checked, not yet in the register)."""

    run_id: str
    run_dir: Path
    outcome: str
    error: str | None
    manifest_schema: int | None
    created_at: str | None
    finished_at: str | None
    input_path: str | None
    input_name: str | None
    input_sha256: str | None
    parameters: dict[str, Any]
    versions: dict[str, Any]
    counts: dict[str, Any]
    rows_in: int | None
    rows_out: int | None
    duration_s: float | None
    manifest_json: str | None
    manifest_sha256: str | None
    outputs: list[OutputRecord]


def _read_run_folder(run_dir: Path) -> _RunInfo:
    manifest_path = run_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        run_id = run_dir.name
        return _RunInfo(
            run_id=run_id, run_dir=run_dir, outcome="incomplete",
            error="没有 manifest.json（运行被中断或仍在进行）/ no manifest.json (the run was interrupted or is still running)",
            manifest_schema=None, created_at=_created_from_run_id(run_id), finished_at=None,
            input_path=None, input_name=None, input_sha256=None, parameters={}, versions={}, counts={},
            rows_in=None, rows_out=None, duration_s=None, manifest_json=None, manifest_sha256=None,
            outputs=[],
        )  # fmt: skip
    raw = manifest_path.read_bytes()
    where = str(manifest_path)
    try:
        m = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFolderError(f"{where}: 不是有效的 JSON / not valid JSON ({exc})") from None
    if not isinstance(m, dict):
        raise RunFolderError(f"{where}: 应为 JSON 对象 / must be a JSON object")
    schema = m.get("schema")
    if schema not in SUPPORTED_MANIFEST_SCHEMAS:
        raise RunFolderError(
            f"{where}: schema: 不支持的运行清单格式版本 / unsupported manifest schema {schema!r} "
            f"(supported: {sorted(SUPPORTED_MANIFEST_SCHEMAS)}); upgrade oq-toolkit"
        )
    manifest_run_id: Any = m.get("run_id")
    if not isinstance(manifest_run_id, str) or manifest_run_id != run_dir.name:
        raise RunFolderError(
            f"{where}: run_id: 与文件夹名称不一致 / does not match the folder name "
            f"({manifest_run_id!r} ≠ {run_dir.name!r}); a run folder must not be renamed"
        )
    run_id = manifest_run_id
    outcome = m.get("outcome")
    if outcome not in OUTCOMES:
        raise RunFolderError(f"{where}: outcome: 应为 / must be one of {list(OUTCOMES)}, not {outcome!r}")
    outputs: list[OutputRecord] = []
    raw_outputs = m.get("outputs", [])
    if not isinstance(raw_outputs, list):
        raise RunFolderError(f"{where}: outputs: 应为列表 / must be a list")
    for i, o in enumerate(raw_outputs):
        key = f"{where}: outputs[{i}]"
        if not isinstance(o, dict):
            raise RunFolderError(f"{key}: 应为对象 / must be an object")
        name = _safe_name(o.get("name"), f"{key}.name")
        if name == MANIFEST_NAME or any(out.name == name for out in outputs):
            raise RunFolderError(f"{key}.name: 重复或保留的文件名 / duplicate or reserved name {name!r}")
        sha = o.get("sha256")
        if not isinstance(sha, str) or not _SHA256_RE.match(sha.lower()):
            raise RunFolderError(f"{key}.sha256: 不是 SHA-256 / not a SHA-256 hex digest: {sha!r}")
        size = o.get("bytes")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise RunFolderError(f"{key}.bytes: 应为非负整数 / must be a non-negative integer: {size!r}")
        outputs.append(OutputRecord(name=name, sha256=sha.lower(), bytes=size))
    inp = m.get("input") or {}
    if not isinstance(inp, dict):
        raise RunFolderError(f"{where}: input: 应为对象 / must be an object")

    def _dict(key: str) -> dict[str, Any]:
        v = m.get(key) or {}
        if not isinstance(v, dict):
            raise RunFolderError(f"{where}: {key}: 应为对象 / must be an object")
        return v

    def _num(key: str, kind: type) -> Any:
        v = m.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float) if kind is float else int):
            raise RunFolderError(f"{where}: {key}: 应为数字 / must be a number: {v!r}")
        return kind(v)

    created = m.get("created_at")
    finished = m.get("finished_at")
    sha_in = inp.get("sha256")
    return _RunInfo(
        run_id=run_id,
        run_dir=run_dir,
        outcome=outcome,
        error=str(m["error"]) if m.get("error") is not None else None,
        manifest_schema=schema,
        created_at=_utc_iso(created, f"{where}: created_at") if created else _created_from_run_id(run_id),
        finished_at=_utc_iso(finished, f"{where}: finished_at") if finished else None,
        input_path=str(inp["path"]) if inp.get("path") is not None else None,
        input_name=str(inp["name"]) if inp.get("name") is not None else None,
        input_sha256=str(sha_in).lower() if sha_in else None,
        parameters=_dict("parameters"),
        versions=_dict("versions"),
        counts=_dict("counts"),
        rows_in=_num("rows_in", int),
        rows_out=_num("rows_out", int),
        duration_s=_num("duration_s", float),
        manifest_json=raw.decode("utf-8"),
        manifest_sha256=hashlib.sha256(raw).hexdigest(),
        outputs=outputs,
    )


def _manifest_sha256_now(run_dir: Path) -> str | None:
    try:
        return hashlib.sha256((run_dir / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return None


def _looks_like_run_folder(p: Path) -> bool:
    if not p.is_dir() or p.name.startswith("."):
        return False
    return bool(_RUN_ID_RE.match(p.name)) or any((p / f).exists() for f in RUN_FILES)


# ---------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------
class Register:
    """The run register at ``path`` (default ``$OQTK_HOME/register.sqlite``).

    Opening checks the file (SQLite header, ``PRAGMA integrity_check``, application id, schema
    version) and migrates an older schema; a missing file is created. Every method opens its
    own short-lived connection, so a ``Register`` is cheap to keep and safe to use from several
    processes at once (give each process its own instance).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, busy_timeout_s: float = 30.0) -> None:
        self.path = (Path(path) if path is not None else default_register_path()).expanduser().absolute()
        self.busy_timeout_s = busy_timeout_s
        if self.path.is_dir():
            raise RegisterError(
                f"运行登记簿路径是一个文件夹 / The register path is a folder, not a file: {self.path}"
            )
        if not self.path.exists():
            self._create()
        self._key = b""
        self._open_checked()

    def __repr__(self) -> str:
        return f"Register({str(self.path)!r})"

    # -- opening, checking, migrating ------------------------------------------------------------
    def _corrupt(self, what: str) -> RegisterError:
        p = self.path
        return RegisterError(
            f"运行登记簿已损坏或不是登记簿 / The run register is corrupt or not a register: {p}: {what}. "
            f"该文件未被修改。请从备份恢复该文件；或将其移到别处（例如 {p.name}.corrupt）后运行 "
            f"`oqtk runs scan <运行目录>` 重建——已有的审批记录只能从备份恢复。 / "
            f"The file has not been changed. Restore it from a backup, or move it aside "
            f"(e.g. to {p.name}.corrupt) and rebuild with `oqtk runs scan <runs dir>` — "
            f"past decisions can only come back from a backup."
        )

    def _translate(self, exc: sqlite3.Error) -> RegisterError:
        msg = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in msg or "busy" in msg):
            return RegisterError(
                f"运行登记簿正被其他进程占用 / The run register is busy (locked by another process for "
                f"more than {self.busy_timeout_s:g} s): {self.path}. 请稍后重试 / Try again shortly."
            )
        if "unable to open" in msg:
            return RegisterError(
                f"无法打开运行登记簿 / Cannot open the run register: {self.path}: {msg} "
                "(moved, deleted, or no permission?)"
            )
        if type(exc) is sqlite3.DatabaseError or "malformed" in msg or "not a database" in msg:
            return self._corrupt(msg)
        return RegisterError(f"运行登记簿错误 / Register error: {self.path}: {msg}")

    def _raw_connect(self, path: Path, *, create: bool = False) -> sqlite3.Connection:
        # mode=rw: never let sqlite3 silently create an empty register where one is expected
        uri = path.as_uri() + ("?mode=rwc" if create else "?mode=rw")
        conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout_s, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")  # a decision, once reported, survives power loss
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = self._raw_connect(self.path)
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taking the write lock up front (no upgrade deadlocks)."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            conn.execute("COMMIT")
            self._write_head(conn)

    def _write_head(self, conn: sqlite3.Connection) -> None:
        """After a committed write: the chain's newest link beside the register (see register_chain)."""
        last = conn.execute("SELECT seq, sha256 FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
        if last is None:
            return
        try:
            chain.write_head(self.path, self._key, int(last[0]), str(last[1]))
        except OSError as exc:  # the write itself is committed; audit will say the head is behind
            log.warning("register head not written: %s", exc)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent snapshot for a multi-query read."""
        with self._connect() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.rollback()

    def _create(self) -> None:
        """Build a new register beside the target, then link it into place (never over a file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
        try:
            key = chain.load_key(self.path, create=True)
            assert key is not None
            conn = self._raw_connect(tmp, create=True)
            try:
                os.chmod(tmp, 0o600)  # the register holds who decided what: owner only
                conn.execute("PRAGMA journal_mode = WAL")
                _migrate(conn, LATEST_SCHEMA_VERSION, key)
            finally:
                conn.close()
            try:
                os.link(tmp, self.path)  # atomic and refuses to replace: a concurrent creator wins
            except FileExistsError:
                pass
            except OSError:  # filesystem without hard links
                if not self.path.exists():
                    os.replace(tmp, self.path)
            log.info("created run register %s", self.path)
        except sqlite3.Error as exc:
            raise RegisterError(
                f"无法创建运行登记簿 / Cannot create the run register {self.path}: {exc}"
            ) from exc
        finally:
            for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                p.unlink(missing_ok=True)

    def _open_checked(self) -> None:
        try:
            with self.path.open("rb") as f:
                head = f.read(100)
        except OSError as exc:
            raise RegisterError(
                f"无法读取运行登记簿 / Cannot read the run register {self.path}: {exc}"
            ) from exc
        if not head:
            raise self._corrupt("文件为空 / the file is empty (0 bytes)")
        if not head.startswith(_SQLITE_MAGIC) or len(head) < 100:
            raise self._corrupt("不是 SQLite 数据库文件 / not a SQLite database file")
        # Only reads until the checks pass: a corrupt file is never written to.
        with self._connect() as conn:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if problems != ["ok"]:
                raise self._corrupt("完整性检查未通过 / integrity check failed: " + "; ".join(problems[:5]))
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            n_tables = conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()[0]
            if app_id != APPLICATION_ID and not (app_id == 0 and version == 0 and n_tables == 0):
                raise RegisterError(
                    f"该文件是 SQLite 数据库，但不是 oq-toolkit 运行登记簿 / {self.path} is a SQLite database "
                    f"but not an oq-toolkit run register (application_id={app_id}). It has not been changed; "
                    "point --home / $OQTK_HOME elsewhere or move the file aside."
                )
            if version > LATEST_SCHEMA_VERSION:
                raise RegisterError(
                    f"运行登记簿由更新版本的 oq-toolkit 写入 / The run register {self.path} has schema "
                    f"version {version}; this oq-toolkit knows up to {LATEST_SCHEMA_VERSION}. "
                    "Upgrade oq-toolkit; the file has not been changed."
                )
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            key = chain.load_key(self.path, create=version < 3)
            if key is None:
                raise RegisterError(
                    f"找不到运行登记簿的密钥 / The key of the run register is missing or unreadable: "
                    f"{chain.key_path(self.path)}. Restore it from the backup made with the register; "
                    "without it the register's chain cannot be extended or checked."
                )
            self._key = key
            if version < LATEST_SCHEMA_VERSION:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    _migrate(conn, LATEST_SCHEMA_VERSION, key)
                except BaseException:
                    conn.rollback()
                    raise
                conn.execute("COMMIT")
                self._write_head(conn)

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # -- recording runs --------------------------------------------------------------------------
    def record_run(self, run_dir: str | os.PathLike[str], *, submitted_by: str | None = None) -> RunRecord:
        """Record one run folder; recording the same run again is a no-op.

        A folder without ``manifest.json``, or whose manifest says ``incomplete``, is recorded as
        incomplete; recording it again once the run has finished fills in the final manifest.
        Raises :class:`RegisterError` for an unreadable manifest, or when a run already recorded
        as finished now has a different (or no) manifest — run :meth:`verify_run` to see why.

        ``submitted_by`` is the hub user who submitted the run: only the hub's ``oq-register``
        service passes it, for runs it started itself. A run recorded with a submitter is never
        re-read from its folder by anyone else (a scan, or a call without the same submitter),
        and a register in service mode (:meth:`set_service_mode`) records no run without one:
        a folder copied into the runs root, or a killed run finished by hand, is never adopted.
        """
        _action, run_id = self._record(Path(run_dir), submitted_by)
        return self.get_run(run_id)

    def set_service_mode(self) -> None:
        """Mark this register as kept by the hub's ``oq-register`` service (see :meth:`record_run`)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('mode', ?) ON CONFLICT (key) DO UPDATE SET value = ?",
                (SERVICE_MODE, SERVICE_MODE),
            )

    def _service_mode(self, conn: sqlite3.Connection) -> bool:
        row = conn.execute("SELECT value FROM settings WHERE key = 'mode'").fetchone()
        return row is not None and row[0] == SERVICE_MODE

    def _record(self, run_dir: Path, submitted_by: str | None = None) -> tuple[str, str]:
        run_dir = run_dir.expanduser().resolve()
        if not run_dir.is_dir():
            raise RunFolderError(f"运行文件夹不存在 / Run folder not found: {run_dir}")
        info = _read_run_folder(run_dir)
        with self._write() as conn:
            if submitted_by is None and self._service_mode(conn):
                raise RunFolderError(
                    f"{run_dir.name}: 此登记簿由 oq-register 服务维护，只登记该服务自己运行的批次；"
                    "复制进运行目录的文件夹不是运行 / This register is kept by the oq-register service "
                    "and records only the runs the service started itself: a folder placed in the runs "
                    "root is not a run."
                )
            row = conn.execute(
                "SELECT outcome, manifest_sha256, run_dir, submitted_by FROM runs WHERE run_id = ?",
                (info.run_id,),
            ).fetchone()
            if row is not None and row[3] is not None and row[3] != submitted_by:
                raise RunFolderError(
                    f"运行 {info.run_id} 由 oq-register 服务登记，不从文件夹重新读取 / Run {info.run_id} was "
                    "recorded by the oq-register service; it is not read again from its folder."
                )
            if row is None:
                _insert_run(conn, info, submitted_by, self._key)
                action = "recorded"
            elif row[1] == info.manifest_sha256 or row[1] == _manifest_sha256_now(run_dir):
                action = "unchanged"  # (second test: we read the folder just before its manifest landed)
            elif row[0] == "incomplete":
                conn.execute("DELETE FROM outputs WHERE run_id = ?", (info.run_id,))
                conn.execute("DELETE FROM runs WHERE run_id = ?", (info.run_id,))
                _insert_run(conn, info, submitted_by, self._key)
                action = "updated"
            else:
                raise RunFolderError(
                    f"运行 {info.run_id} 已登记为“{row[0]}”，但其 manifest.json 此后已被更改或删除 / "
                    f"Run {info.run_id} is already recorded as {row[0]} (folder {row[2]}), but the "
                    f"manifest.json in {run_dir} differs from the one recorded (or is missing). "
                    f"The register keeps the original; run `oqtk runs verify {info.run_id}`."
                )
        log.info("run %s: %s (outcome %s)", info.run_id, action, info.outcome)
        return action, info.run_id

    def scan(self, runs_dir: str | os.PathLike[str]) -> ScanResult:
        """Record every run folder directly under ``runs_dir`` (a problem in one does not stop the rest)."""
        root = Path(runs_dir).expanduser().resolve()
        if not root.is_dir():
            raise RegisterError(f"运行目录不存在 / Runs folder not found: {root}")
        result = ScanResult()
        for child in sorted(root.iterdir()):
            if not _looks_like_run_folder(child):
                continue
            try:
                action, run_id = self._record(child)
            except RunFolderError as exc:  # the folder is the problem; register errors propagate
                result.problems.append((str(child), str(exc)))
                continue
            {"recorded": result.recorded, "updated": result.updated, "unchanged": result.unchanged}[
                action
            ].append(run_id)
        log.info(
            "scanned %s: %d recorded, %d updated, %d unchanged, %d problems",
            root, len(result.recorded), len(result.updated), len(result.unchanged), len(result.problems),
        )  # fmt: skip
        return result

    # -- reading ---------------------------------------------------------------------------------
    def get_run(self, run_id: str) -> RunRecord:
        """One run with its outputs and full decision history (oldest first)."""
        with self._read() as conn:
            row = conn.execute(_SELECT_RUNS + " WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise RegisterError(
                    f"登记簿中没有运行 {run_id!r} / No run {run_id!r} in the register {self.path} "
                    "(record it with `oqtk runs scan <runs dir>`)"
                )
            return _run_record(conn, row)

    def list_runs(
        self,
        status: str | None = None,
        since: date | datetime | str | None = None,
        *,
        input_name: str | None = None,
        input_sha256: str | None = None,
    ) -> list[RunRecord]:
        """Runs, newest first; optionally only one status, created at or after ``since``, or of one intake sheet."""
        if status is not None and status not in RUN_STATUSES:
            raise RegisterError(f"未知状态 / Unknown status {status!r}; use one of {list(RUN_STATUSES)}")
        since_utc = _since_utc(since) if since is not None else None
        sql, args = _SELECT_RUNS, []
        where = []
        if input_name is not None:
            where.append("input_name = ?")
            args.append(input_name)
        if input_sha256 is not None:
            where.append("input_sha256 = ?")
            args.append(input_sha256.lower())
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, run_id DESC"
        with self._read() as conn:
            records = [_run_record(conn, row) for row in conn.execute(sql, args).fetchall()]
        if status is not None:
            records = [r for r in records if r.status == status]
        if since_utc is not None:
            records = [
                r for r in records if r.created_at and datetime.fromisoformat(r.created_at) >= since_utc
            ]
        return records

    def decisions(self, run_id: str | None = None) -> list[Decision]:
        """The decision log (oldest first), for one run or all."""
        with self._read() as conn:
            if run_id is None:
                rows = conn.execute(_SELECT_DECISIONS + " ORDER BY id").fetchall()
            else:
                rows = conn.execute(_SELECT_DECISIONS + " WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return [_decision(r) for r in rows]

    # -- verifying -------------------------------------------------------------------------------
    def verify_run(self, run_id: str) -> VerifyResult:
        """Re-hash every output of the run (and its manifest); name each file changed or missing."""
        rec = self.get_run(run_id)
        return _verify(rec)

    def audit(self) -> chain.AuditResult:
        """Check the hash chain over every run record and decision (:mod:`toolkit.register_chain`)."""
        with self._read() as conn:
            return chain.audit(conn, self.path, chain.load_key(self.path, create=False))

    def fail_run(self, run_id: str, error: str) -> RunRecord:
        """Close a run that is still ``incomplete`` as ``failed`` (the service does this at start
        for runs it was running when it stopped); its folder is not read again."""
        with self._write() as conn:
            n = conn.execute(
                "UPDATE runs SET outcome = 'failed', error = ? WHERE run_id = ? AND outcome = 'incomplete'",
                (error, run_id),
            ).rowcount
            if n:
                chain.seal(conn, self._key, "run", run_id)
        return self.get_run(run_id)

    # -- decisions -------------------------------------------------------------------------------
    def approve(
        self, run_id: str, by: str, comment: str | None = None, *, role: str | None = None
    ) -> Decision:
        """Approve a finished run after re-verifying its files.

        Refused (:class:`RegisterError`) when ``by`` is not a visible name, the run failed or is
        incomplete, it is already approved (latest decision), or any output file changed or is
        missing — the message names the files. A hub run (one with a submitter) is decided only
        with ``role="supervisor"`` and never by its submitter (four eyes; the database refuses
        both as well). ``by`` and ``role`` come from the login, never from the request.
        """
        by = visible_name(by, "审批人姓名", "The approver's name (--by)")
        rec = self.get_run(run_id)
        _decidable(rec, "approve", by, role)
        if rec.status == "approved":
            last = rec.last_decision
            assert last is not None
            raise RegisterError(
                f"运行 {run_id} 已由 {last.by_name} 于 {last.at} 批准 / Run {run_id} is already "
                f"approved (by {last.by_name} at {last.at})"
            )
        result = _verify(rec)
        if not result.ok:
            raise RegisterError(
                f"拒绝批准：运行 {run_id} 的文件在登记后被更改或缺失 / Approval refused: files of run "
                f"{run_id} changed or missing since the run wrote them: {result.problems()}. "
                f"Folder: {rec.run_dir}. Re-run the batch, or return the run."
            )
        return self._decide(rec, "approve", by, comment, result, refuse_if_approved=True, role=role)

    def return_run(self, run_id: str, by: str, comment: str, *, role: str | None = None) -> Decision:
        """Return a finished run to the officer; ``comment`` (why) is required.

        The files are verified and the result stored with the decision, but a changed file does
        not stop a return.
        """
        by = visible_name(by, "审批人姓名", "The supervisor's name (--by)")
        comment = _require_text(comment, "退回理由", "A comment saying why the run is returned")
        rec = self.get_run(run_id)
        _decidable(rec, "return", by, role)
        return self._decide(rec, "return", by, comment, _verify(rec), refuse_if_approved=False, role=role)

    def _decide(
        self, rec: RunRecord, decision: str, by: str, comment: str | None, result: VerifyResult,
        *, refuse_if_approved: bool, role: str | None = None,
    ) -> Decision:  # fmt: skip
        comment = comment.strip() if comment and comment.strip() else None
        verified = {
            "ok": result.ok,
            "checked_at": result.checked_at,
            "files": {c.name: c.actual_sha256 for c in result.checks},
            "changed": result.changed,
            "missing": result.missing,
        }
        with self._write() as conn:
            last = conn.execute(
                "SELECT decision, by_name, at FROM decisions WHERE run_id = ? ORDER BY id DESC LIMIT 1",
                (rec.run_id,),
            ).fetchone()
            if refuse_if_approved and last is not None and last[0] == "approve":
                raise RegisterError(
                    f"运行 {rec.run_id} 刚刚已由 {last[1]} 批准 / Run {rec.run_id} was just approved "
                    f"by {last[1]} at {last[2]}"
                )
            cur = conn.execute(
                "INSERT INTO decisions (run_id, decision, by_name, os_user, at, comment, verified_json, by_role) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (rec.run_id, decision, by, _os_user(), _now(), comment, json.dumps(verified, sort_keys=True),
                 role),
            )  # fmt: skip
            chain.seal(conn, self._key, "decision", str(cur.lastrowid))
            row = conn.execute(_SELECT_DECISIONS + " WHERE id = ?", (cur.lastrowid,)).fetchone()
        log.info("run %s: decision %s recorded (files ok: %s)", rec.run_id, decision, result.ok)
        return _decision(row)

    # -- comparing -------------------------------------------------------------------------------
    def compare_runs(self, run_a: str, run_b: str) -> list[RowChange]:
        """Rows that differ between two runs of the same intake sheet (a = older, b = newer).

        The sheets must match by input hash or, failing that, by input file name. Rows are
        joined on ``application_id`` in each run's ``results.csv`` (verified first); the result
        lists status changes, then rows added in b, then rows removed from b.
        """
        return compare_records(self.get_run(run_a), self.get_run(run_b))


# ---------------------------------------------------------------------------------------------
# SQL helpers
# ---------------------------------------------------------------------------------------------
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


def _insert_run(conn: sqlite3.Connection, info: _RunInfo, submitted_by: str | None, key: bytes) -> None:
    conn.execute(
        """INSERT INTO runs (run_id, run_dir, outcome, error, manifest_schema, created_at, finished_at,
               input_path, input_name, input_sha256, parameters_json, versions_json, counts_json,
               rows_in, rows_out, duration_s, manifest_json, manifest_sha256, recorded_at, submitted_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            info.run_id, str(info.run_dir), info.outcome, info.error, info.manifest_schema,
            info.created_at, info.finished_at, info.input_path, info.input_name, info.input_sha256,
            json.dumps(info.parameters, ensure_ascii=False, sort_keys=True),
            json.dumps(info.versions, ensure_ascii=False, sort_keys=True),
            json.dumps(info.counts, ensure_ascii=False, sort_keys=True),
            info.rows_in, info.rows_out, info.duration_s, info.manifest_json, info.manifest_sha256, _now(),
            submitted_by,
        ),
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO outputs (run_id, name, sha256, bytes) VALUES (?, ?, ?, ?)",
        [(info.run_id, o.name, o.sha256, o.bytes) for o in info.outputs],
    )
    chain.seal(conn, key, "run", info.run_id)


_SELECT_RUNS = """SELECT run_id, run_dir, outcome, error, created_at, finished_at, recorded_at,
    input_path, input_name, input_sha256, parameters_json, versions_json, counts_json,
    rows_in, rows_out, duration_s, manifest_sha256, manifest_json, submitted_by FROM runs"""
_SELECT_DECISIONS = (
    "SELECT id, run_id, decision, by_name, os_user, at, comment, verified_json, by_role FROM decisions"
)


def _decision(row: Sequence[Any]) -> Decision:
    return Decision(
        id=row[0], run_id=row[1], decision=row[2], by_name=row[3], os_user=row[4], at=row[5],
        comment=row[6], verified=json.loads(row[7]), by_role=row[8],
    )  # fmt: skip


def _run_record(conn: sqlite3.Connection, row: Sequence[Any]) -> RunRecord:
    run_id = row[0]
    outputs = tuple(
        OutputRecord(name=r[0], sha256=r[1], bytes=r[2])
        for r in conn.execute(
            "SELECT name, sha256, bytes FROM outputs WHERE run_id = ? ORDER BY name", (run_id,)
        )
    )
    decisions = tuple(
        _decision(r) for r in conn.execute(_SELECT_DECISIONS + " WHERE run_id = ? ORDER BY id", (run_id,))
    )
    outcome = row[2]
    if outcome in ("failed", "incomplete"):
        status = outcome
    elif not decisions:
        status = "pending"
    else:
        status = "approved" if decisions[-1].decision == "approve" else "returned"
    return RunRecord(
        run_id=run_id, run_dir=Path(row[1]), outcome=outcome, status=status, error=row[3],
        created_at=row[4], finished_at=row[5], recorded_at=row[6], input_path=row[7], input_name=row[8],
        input_sha256=row[9], parameters=json.loads(row[10]), versions=json.loads(row[11]),
        counts=json.loads(row[12]), rows_in=row[13], rows_out=row[14], duration_s=row[15],
        manifest_sha256=row[16], manifest=json.loads(row[17]) if row[17] else None,
        outputs=outputs, decisions=decisions, submitted_by=row[18],
    )  # fmt: skip


def _decidable(rec: RunRecord, decision: str, by: str | None = None, role: str | None = None) -> None:
    zh_d, en_d = DECISIONS[decision]
    if rec.submitted_by is not None and role != "supervisor":
        raise RegisterError(
            f"无法{zh_d}：只有主管可以{zh_d}运行 {rec.run_id} / Cannot {en_d.lower()} run {rec.run_id}: "
            "only a supervisor may decide on a run"
        )
    if rec.submitted_by is not None and by == rec.submitted_by:
        raise RegisterError(
            f"无法{zh_d}：运行 {rec.run_id} 由您本人提交，须由另一位主管审核（双人复核）/ Cannot "
            f"{en_d.lower()} run {rec.run_id}: you submitted it; another supervisor must decide (four eyes)"
        )
    if rec.outcome in ("failed", "incomplete"):
        zh, en = DECISIONS[decision]
        raise RegisterError(
            f"无法{zh}：运行 {rec.run_id} 的状态为“{RUN_STATUSES[rec.status][0]}” / Cannot "
            f"{en.lower()} run {rec.run_id}: it is {rec.status}"
            + ("; re-run the batch" if rec.outcome == "failed" else "; wait for it to finish, or re-run it")
        )


def _verify(rec: RunRecord) -> VerifyResult:
    checks: list[FileCheck] = []
    for out in rec.outputs:
        path = rec.run_dir / out.name
        if not path.is_file():
            checks.append(
                FileCheck(
                    out.name, "missing", out.sha256, None, out.bytes, None, "文件不存在 / file not found"
                )
            )
            continue
        sha, size = sha256_file(path)
        state = "ok" if sha == out.sha256 else "changed"
        detail = "" if state == "ok" else "内容与运行时不同 / content differs from what the run wrote"
        checks.append(FileCheck(out.name, state, out.sha256, sha, out.bytes, size, detail))
    manifest_path = rec.run_dir / MANIFEST_NAME
    if rec.manifest_sha256 is not None or manifest_path.exists():
        if not manifest_path.is_file():
            checks.append(FileCheck(MANIFEST_NAME, "missing", rec.manifest_sha256, None, None, None,
                                    "文件不存在 / file not found"))  # fmt: skip
        else:
            sha, size = sha256_file(manifest_path)
            if sha == rec.manifest_sha256:
                checks.append(FileCheck(MANIFEST_NAME, "ok", sha, sha, size, size))
            else:
                detail = (
                    "登记后才写入（请重新登记该运行）/ written after the run was recorded (record it again)"
                    if rec.manifest_sha256 is None
                    else "清单与登记时不同 / differs from the manifest recorded"
                )
                checks.append(
                    FileCheck(MANIFEST_NAME, "changed", rec.manifest_sha256, sha, None, size, detail)
                )
                # Outputs the current manifest lists that the register does not know.
                known = {o.name for o in rec.outputs}
                try:
                    current = json.loads(manifest_path.read_text(encoding="utf-8")).get("outputs", [])
                    extra = [o["name"] for o in current if isinstance(o, dict) and o.get("name") not in known]
                except (ValueError, AttributeError, TypeError, KeyError):
                    extra = []
                for name in extra:
                    if isinstance(name, str):
                        checks.append(FileCheck(name, "changed", None, None, None, None,
                                                "清单中有、登记簿中没有 / listed in manifest.json, not in the register"))  # fmt: skip
    return VerifyResult(run_id=rec.run_id, run_dir=rec.run_dir, checked_at=_now(), checks=tuple(checks))


def compare_records(a: RunRecord, b: RunRecord) -> list[RowChange]:
    """Rows that differ between two runs of one intake sheet (see :meth:`Register.compare_runs`)."""
    run_a, run_b = a.run_id, b.run_id
    same_hash = a.input_sha256 is not None and a.input_sha256 == b.input_sha256
    same_name = a.input_name is not None and a.input_name == b.input_name
    if not (same_hash or same_name):
        raise RegisterError(
            f"两次运行的输入表不同，无法比较 / Runs {run_a} and {run_b} are not of the same intake "
            f"sheet ({a.input_name!r} vs {b.input_name!r}, hashes differ)"
        )
    rows_a, rows_b = _results_rows(a), _results_rows(b)
    changes: list[RowChange] = []
    added: list[RowChange] = []
    removed: list[RowChange] = []
    for key, new in rows_b.items():
        old = rows_a.get(key)
        if old is None:
            added.append(RowChange(key, "added", None, new["status"], None, new["reasons"],
                                   None, new["reason_codes"]))  # fmt: skip
        elif old["status"] != new["status"]:
            changes.append(RowChange(key, "changed", old["status"], new["status"], old["reasons"],
                                     new["reasons"], old["reason_codes"], new["reason_codes"]))  # fmt: skip
    for key, old in rows_a.items():
        if key not in rows_b:
            removed.append(RowChange(key, "removed", old["status"], None, old["reasons"], None,
                                     old["reason_codes"], None))  # fmt: skip
    return changes + added + removed


# Column names accepted in results.csv (compared after lower-casing and stripping spaces).
_ID_COLUMNS = ("application_id", "app_id", "申请编号", "申请号", "id")
_STATUS_COLUMNS = ("status", "状态", "结论", "result")
_REASON_COLUMNS = ("reasons", "reason", "reasons_zh", "reasons_en", "原因", "理由")
_CODE_COLUMNS = ("reason_codes", "reason_code", "codes", "原因代码")


def _results_rows(rec: RunRecord) -> dict[str, dict[str, str | None]]:
    """``results.csv`` of a run, keyed by application id (verified against the register first)."""
    out = next((o for o in rec.outputs if o.name == "results.csv"), None)
    if out is None:
        raise RegisterError(
            f"运行 {rec.run_id} 没有登记 results.csv / Run {rec.run_id} has no results.csv in the register"
        )
    path = rec.run_dir / "results.csv"
    if not path.is_file() or sha256_file(path)[0] != out.sha256:
        raise RegisterError(
            f"运行 {rec.run_id} 的 results.csv 已更改或缺失，无法比较 / results.csv of run {rec.run_id} "
            f"changed or missing since the run wrote it; cannot compare ({path})"
        )
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}

        def pick(names: Sequence[str]) -> list[str]:
            return [header[n] for n in names if n in header]

        id_col, status_col = pick(_ID_COLUMNS)[:1], pick(_STATUS_COLUMNS)[:1]
        if not id_col or not status_col:
            raise RegisterError(
                f"{path}: 缺少 application_id 或 status 列 / needs an application_id and a status column "
                f"(found: {list(header.values())})"
            )
        reason_cols, code_cols = pick(_REASON_COLUMNS), pick(_CODE_COLUMNS)

        def join(row: Mapping[str, str | None], cols: list[str]) -> str | None:
            texts = [(row.get(c) or "").strip() for c in cols]
            texts = [t for t in texts if t]
            return " / ".join(texts) if texts else None

        rows: dict[str, dict[str, str | None]] = {}
        for n, row in enumerate(reader, start=2):  # line 1 is the header
            key = (row.get(id_col[0]) or "").strip() or f"<row {n}>"  # rows without an id: by position
            base, k = key, 2
            while key in rows:  # a duplicated id keeps every row
                key, k = f"{base}#{k}", k + 1
            rows[key] = {
                "status": (row.get(status_col[0]) or "").strip() or None,
                "reasons": join(row, reason_cols),
                "reason_codes": join(row, code_cols),
            }
    return rows
