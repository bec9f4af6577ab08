"""The register itself: one SQLite file, opened checked, written in short transactions, sealed
into the hash chain on every write."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..exceptions import RegisterError
from . import chain
from .folders import _insert_run, _looks_like_run_folder, _manifest_sha256_now
from .integrity import _verify, compare_records
from .records import (
    _SQLITE_MAGIC,
    APPLICATION_ID,
    DECISIONS,
    RUN_STATUSES,
    Decision,
    OutputRecord,
    RowChange,
    RunFolderError,
    RunRecord,
    ScanResult,
    VerifyResult,
    _now,
    _os_user,
    _require_text,
    _since_utc,
    default_register_path,
    visible_name,
)
from .schema import LATEST_SCHEMA_VERSION, SERVICE_MODE, _migrate

log = logging.getLogger("toolkit.register")


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
        """After a committed write: the chain's newest link beside the register (see chain.py)."""
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
        from .manifest import read_manifest  # pydantic: not for `oqtk --help`

        info, raw = read_manifest(run_dir)
        manifest_sha256 = hashlib.sha256(raw).hexdigest() if raw is not None else None
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
                _insert_run(conn, run_dir, info, raw, submitted_by, self._key)
                action = "recorded"
            elif row[1] == manifest_sha256 or row[1] == _manifest_sha256_now(run_dir):
                action = "unchanged"  # (second test: we read the folder just before its manifest landed)
            elif row[0] == "incomplete":
                conn.execute("DELETE FROM outputs WHERE run_id = ?", (info.run_id,))
                conn.execute("DELETE FROM runs WHERE run_id = ?", (info.run_id,))
                _insert_run(conn, run_dir, info, raw, submitted_by, self._key)
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
        """Check the hash chain over every run record and decision (:mod:`toolkit.register.chain`)."""
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
