"""The register's hash chain: every run record and decision is sealed, in order, so that a
record changed, inserted or deleted behind the register's back is detected.

How it works
    The table ``chain`` is append-only (triggers refuse ``UPDATE`` and ``DELETE``). Each write
    of the register (a run recorded or updated, a decision) appends, in the same transaction,
    one entry ``(seq, kind, ref, content_sha256, prev_sha256, sha256)`` where

    - ``content_sha256`` is the SHA-256 of the record's canonical JSON (every column of the
      ``runs`` row with its ``outputs``, or every column of the ``decisions`` row);
    - ``sha256`` is HMAC-SHA256, keyed by the register's key file
      (``<register>.key``, 0600, created with the register), over ``prev_sha256``, ``kind``,
      ``ref`` and ``content_sha256``; ``prev_sha256`` is the previous entry's ``sha256``
      (64 zeros for the first).

    After each write the newest ``(seq, sha256)`` is also written to ``<register>.head``, so
    that entries deleted from the end of the chain are noticed too.

What :func:`audit` reports
    The first broken link (lowest ``seq``) and every problem: an entry whose seal does not
    match (the chain was edited), a gap (an entry deleted), a record whose content no longer
    matches its newest seal (edited with sqlite3), a record with no seal (inserted behind the
    register's back), a sealed record that is gone (deleted), and a head file that disagrees.

Limits (documented in the README): someone who can read the key file and write the database
can rebuild the whole chain. Keep the register and its key readable only by the account that
writes them (the hub's ``oq-register`` service), as the hub deployment does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..files import write_text_atomic

__all__ = ["GENESIS", "MIGRATION", "AuditProblem", "AuditResult", "audit", "key_path", "seal"]

GENESIS = "0" * 64

#: Schema step 3 of the register (see ``register.MIGRATIONS``).
MIGRATION: tuple[str, ...] = (
    """CREATE TABLE chain (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        kind           TEXT NOT NULL CHECK (kind IN ('run', 'decision')),
        ref            TEXT NOT NULL,
        content_sha256 TEXT NOT NULL,
        prev_sha256    TEXT NOT NULL,
        sha256         TEXT NOT NULL
    )""",
    """CREATE TRIGGER chain_no_update BEFORE UPDATE ON chain
        BEGIN SELECT RAISE(ABORT, 'the register chain is append-only'); END""",
    """CREATE TRIGGER chain_no_delete BEFORE DELETE ON chain
        BEGIN SELECT RAISE(ABORT, 'the register chain is append-only'); END""",
    "CREATE INDEX chain_ref ON chain (kind, ref, seq)",
)


def key_path(register_path: Path) -> Path:
    return register_path.with_name(register_path.name + ".key")


def head_path(register_path: Path) -> Path:
    return register_path.with_name(register_path.name + ".head")


def load_key(register_path: Path, *, create: bool) -> bytes | None:
    """The register's HMAC key; created (0600, exclusively) when ``create`` and missing."""
    path = key_path(register_path)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        if not create:
            return None
    except ValueError:
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # a concurrent creator won
        return load_key(register_path, create=False)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        key = secrets.token_bytes(32)
        f.write(key.hex() + "\n")
    return key


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _row_dict(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> dict[str, Any] | None:
    cur = conn.execute(sql, args)
    row = cur.fetchone()
    if row is None:
        return None
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def content_sha256(conn: sqlite3.Connection, kind: str, ref: str) -> str | None:
    """SHA-256 of a record's canonical content as it is in the database now (None: no such record)."""
    if kind == "run":
        row = _row_dict(conn, "SELECT * FROM runs WHERE run_id = ?", (ref,))
        if row is None:
            return None
        outputs = conn.execute(
            "SELECT name, sha256, bytes FROM outputs WHERE run_id = ? ORDER BY name", (ref,)
        ).fetchall()
        row["outputs"] = [list(o) for o in outputs]
    else:
        row = _row_dict(conn, "SELECT * FROM decisions WHERE id = ?", (int(ref),))
        if row is None:
            return None
    return hashlib.sha256(_canonical(row).encode("utf-8")).hexdigest()


def _link(key: bytes, prev: str, kind: str, ref: str, content: str) -> str:
    return hmac.new(key, f"{prev}|{kind}|{ref}|{content}".encode(), hashlib.sha256).hexdigest()


def seal(conn: sqlite3.Connection, key: bytes, kind: str, ref: str) -> tuple[int, str]:
    """Append the seal of one record (inside the caller's write transaction); return (seq, sha256)."""
    content = content_sha256(conn, kind, ref)
    if content is None:  # pragma: no cover - the caller has just written it
        raise ValueError(f"no {kind} {ref!r} to seal")
    last = conn.execute("SELECT sha256 FROM chain ORDER BY seq DESC LIMIT 1").fetchone()
    prev = last[0] if last else GENESIS
    sha = _link(key, prev, kind, ref, content)
    cur = conn.execute(
        "INSERT INTO chain (kind, ref, content_sha256, prev_sha256, sha256) VALUES (?, ?, ?, ?, ?)",
        (kind, ref, content, prev, sha),
    )
    return int(cur.lastrowid or 0), sha


def write_head(register_path: Path, key: bytes, seq: int, sha: str) -> None:
    """Record the newest link beside the register (with its own HMAC), so a truncated chain shows."""
    mac = hmac.new(key, f"head|{seq}|{sha}".encode(), hashlib.sha256).hexdigest()
    write_text_atomic(head_path(register_path), _canonical({"seq": seq, "sha256": sha, "mac": mac}) + "\n")


@dataclass(frozen=True)
class AuditProblem:
    """One broken link: where (``seq`` of the chain entry, or None), which record, and what."""

    seq: int | None
    kind: str
    ref: str
    problem: str  # code: seal_mismatch | gap | record_changed | record_deleted | not_sealed | head_*
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AuditResult:
    """What :func:`audit` found; ``first`` is the first broken link (None when intact)."""

    register: str
    entries: int
    head_seq: int | None
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> AuditProblem | None:
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.seq is None, p.seq or 0))

    def summary(self) -> str:
        if self.ok:
            return (
                f"登记簿链完整：{self.entries} 条记录均未被改动 / The register chain is intact: "
                f"{self.entries} entries, none changed"
            )
        p = self.first
        assert p is not None
        return (
            f"登记簿链断裂，共 {len(self.problems)} 处；第一处 / The register chain is broken in "
            f"{len(self.problems)} place(s); first: {p.message}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "ok": self.ok,
            "entries": self.entries,
            "head_seq": self.head_seq,
            "first": self.first.to_dict() if self.first else None,
            "problems": [p.to_dict() for p in self.problems],
            "summary": self.summary(),
        }


def _what(kind: str, ref: str) -> str:
    return f"运行 {ref} / run {ref}" if kind == "run" else f"审核决定 #{ref} / decision #{ref}"


def audit(conn: sqlite3.Connection, register_path: Path, key: bytes | None) -> AuditResult:
    """Walk the chain and every record; see the module docstring for what is reported."""
    entries = conn.execute(
        "SELECT seq, kind, ref, content_sha256, prev_sha256, sha256 FROM chain ORDER BY seq"
    ).fetchall()
    result = AuditResult(str(register_path), len(entries), None)
    add = result.problems.append
    if key is None:
        add(AuditProblem(None, "register", str(register_path), "key_missing",
                         f"找不到登记簿密钥 / The register key {key_path(register_path)} is missing or "
                         "unreadable: the chain cannot be checked"))  # fmt: skip
        return result
    prev, expected_seq = GENESIS, 1
    newest: dict[tuple[str, str], tuple[int, str]] = {}
    for seq, kind, ref, content, prev_sha, sha in entries:
        if seq != expected_seq:
            add(AuditProblem(seq, kind, ref, "gap",
                             f"第 {expected_seq}–{seq - 1} 条链记录被删除 / chain entries {expected_seq}–{seq - 1} "
                             "were deleted"))  # fmt: skip
        if prev_sha != prev or not hmac.compare_digest(sha, _link(key, prev_sha, kind, ref, content)):
            add(AuditProblem(seq, kind, ref, "seal_mismatch",
                             f"第 {seq} 条链记录（{_what(kind, ref)}）的封印不符：链被改写 / chain entry {seq} "
                             f"({_what(kind, ref)}) does not match its seal: the chain was rewritten"))  # fmt: skip
        newest[(kind, ref)] = (seq, content)
        prev, expected_seq = sha, seq + 1
    for (kind, ref), (seq, content) in newest.items():
        now = content_sha256(conn, kind, ref)
        if now is None:
            add(AuditProblem(seq, kind, ref, "record_deleted",
                             f"{_what(kind, ref)} 已从登记簿删除 / {_what(kind, ref)} was deleted from the "
                             "register"))  # fmt: skip
        elif now != content:
            add(AuditProblem(seq, kind, ref, "record_changed",
                             f"{_what(kind, ref)} 在登记后被改动 / {_what(kind, ref)} was changed after it was "
                             "recorded"))  # fmt: skip
    for kind, sql in (("run", "SELECT run_id FROM runs"), ("decision", "SELECT id FROM decisions")):
        for (ref,) in conn.execute(sql).fetchall():
            if (kind, str(ref)) not in newest:
                add(AuditProblem(None, kind, str(ref), "not_sealed",
                                 f"{_what(kind, str(ref))} 未经登记簿写入（绕过服务插入）/ {_what(kind, str(ref))} "
                                 "was not written by the register (inserted behind its back)"))  # fmt: skip
    _audit_head(register_path, key, entries, result)
    return result


def _audit_head(register_path: Path, key: bytes, entries: list[Any], result: AuditResult) -> None:
    path = head_path(register_path)
    add = result.problems.append
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
        seq, sha, mac = int(head["seq"]), str(head["sha256"]), str(head["mac"])
    except FileNotFoundError:
        if entries:
            add(AuditProblem(None, "register", path.name, "head_missing",
                             f"缺少链尾记录 {path.name} / The chain head file {path.name} is missing"))  # fmt: skip
        return
    except (ValueError, KeyError, TypeError):
        add(AuditProblem(None, "register", path.name, "head_bad",
                         f"链尾记录 {path.name} 无法读取 / The chain head file {path.name} is unreadable"))  # fmt: skip
        return
    result.head_seq = seq
    good_mac = hmac.new(key, f"head|{seq}|{sha}".encode(), hashlib.sha256).hexdigest()
    last = entries[-1] if entries else None
    if not hmac.compare_digest(mac, good_mac):
        add(AuditProblem(None, "register", path.name, "head_bad",
                         f"链尾记录 {path.name} 被改动 / The chain head file {path.name} was edited"))  # fmt: skip
    elif last is None or last[0] < seq:
        add(AuditProblem(seq, "register", path.name, "head_truncated",
                         f"链尾的记录被删除：应有 {seq} 条，现有 {last[0] if last else 0} 条 / entries were "
                         f"deleted from the end of the chain: {seq} expected, {last[0] if last else 0} found"))  # fmt: skip
    elif last[0] == seq and last[5] != sha:
        add(AuditProblem(seq, "register", path.name, "head_mismatch",
                         f"链尾与记录不符 / The chain's last entry does not match {path.name}"))  # fmt: skip
