"""The run register (issue 7): round trip, tamper evidence, append-only decisions, migrations,
corrupt-register detection, concurrent writers, comparison of runs, and the ``oqtk runs`` CLI.

Run folders are faked by ``helpers_runs.make_run`` following the manifest contract (schema 1)
with real SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from helpers_runs import DEFAULT_ROWS, concurrent_worker, flip_byte, make_run, replace_output

import toolkit
from toolkit.cli import main
from toolkit.exceptions import RegisterError
from toolkit.register import (
    LATEST_SCHEMA_VERSION,
    MIGRATIONS,
    REGISTER_FILENAME,
    Register,
    RunFolderError,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    """Nothing in these tests may touch the real ~/.oqtk."""
    monkeypatch.setenv("OQTK_HOME", str(tmp_path / "home"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _query(db: Path, sql: str, args=()) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, args).fetchall()


# ---------------------------------------------------------------------------------------------
# Round trip
# ---------------------------------------------------------------------------------------------
def test_record_run_round_trips_the_manifest(reg, runs_dir):
    run_dir = make_run(runs_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))

    rec = reg.record_run(run_dir)

    assert rec.run_id == run_dir.name
    assert rec.run_dir == run_dir.resolve()
    assert (rec.outcome, rec.status) == ("succeeded", "pending")
    assert rec.created_at == "2026-11-25T22:30:00+00:00"
    assert rec.input_name == "intake.xlsx"
    assert rec.input_sha256 == manifest["input"]["sha256"]
    assert (
        rec.counts == manifest["counts"] == {"eligible": 1, "not_eligible": 1, "incomplete": 1, "invalid": 0}
    )
    assert rec.parameters == manifest["parameters"]
    assert rec.versions == manifest["versions"]
    assert (rec.rows_in, rec.rows_out, rec.duration_s) == (3, 3, 3.2)
    assert rec.manifest == manifest
    assert rec.manifest_sha256 == _sha(run_dir / "manifest.json")
    assert {(o.name, o.sha256, o.bytes) for o in rec.outputs} == {
        (o["name"], o["sha256"], o["bytes"]) for o in manifest["outputs"]
    }
    assert rec.decisions == ()
    assert reg.get_run(rec.run_id) == rec
    assert reg.list_runs() == [rec]
    json.dumps(rec.to_dict())  # dashboard-ready


def test_recording_twice_is_a_no_op(reg, runs_dir):
    run_dir = make_run(runs_dir)
    first = reg.record_run(run_dir)
    second = reg.record_run(run_dir)
    assert first == second
    assert _query(reg.path, "SELECT count(*) FROM runs") == [(1,)]
    assert _query(reg.path, "SELECT count(*) FROM outputs") == [(4,)]
    result = reg.scan(runs_dir)
    assert (result.recorded, result.unchanged) == ([], [run_dir.name])


def test_default_register_lives_in_oqtk_home(tmp_path, monkeypatch):
    monkeypatch.setenv("OQTK_HOME", str(tmp_path / "elsewhere"))
    reg = Register()
    assert reg.path == tmp_path / "elsewhere" / "register.sqlite"
    assert reg.path.is_file()
    assert _query(reg.path, "PRAGMA journal_mode") == [("wal",)]
    assert reg.schema_version == LATEST_SCHEMA_VERSION


def test_public_api_is_exported():
    for name in ("Register", "RunRecord", "VerifyResult", "Decision", "RowChange", "ScanResult"):
        assert name in toolkit.__all__
        assert getattr(toolkit, name) is not None


# ---------------------------------------------------------------------------------------------
# Decisions and status
# ---------------------------------------------------------------------------------------------
def test_approve_return_and_status_history(reg, runs_dir):
    run_id = reg.record_run(make_run(runs_dir)).run_id

    d1 = reg.approve(run_id, by="  王主任 ", comment="看过 / checked")
    assert (d1.decision, d1.by_name, d1.comment) == ("approve", "王主任", "看过 / checked")
    assert d1.at.endswith("+00:00") and d1.os_user
    assert d1.verified["ok"] is True
    assert d1.verified["files"]["results.xlsx"] == _sha(runs_dir / run_id / "results.xlsx")
    assert reg.get_run(run_id).status == "approved"

    with pytest.raises(RegisterError, match="already approved"):
        reg.approve(run_id, by="李科长")

    reg.return_run(run_id, by="王主任", comment="第二行原因有误 / reason on row 2 is wrong")
    assert reg.get_run(run_id).status == "returned"
    reg.approve(run_id, by="王主任", comment="已更正 / corrected")  # a correction is a new entry
    rec = reg.get_run(run_id)
    assert rec.status == "approved"
    assert [d.decision for d in rec.decisions] == ["approve", "return", "approve"]
    assert [d.id for d in rec.decisions] == sorted(d.id for d in rec.decisions)
    assert [r.run_id for r in reg.list_runs(status="approved")] == [run_id]
    assert reg.list_runs(status="pending") == []
    assert len(reg.decisions()) == 3 and len(reg.decisions(run_id)) == 3


@pytest.mark.parametrize("by", ["", "   ", None])
def test_a_decision_needs_a_name(reg, runs_dir, by):
    run_id = reg.record_run(make_run(runs_dir)).run_id
    with pytest.raises(RegisterError, match="name"):
        reg.approve(run_id, by=by)
    with pytest.raises(RegisterError, match="name"):
        reg.return_run(run_id, by=by, comment="why")
    assert reg.get_run(run_id).decisions == ()


@pytest.mark.parametrize("comment", ["", "  ", None])
def test_return_needs_a_comment(reg, runs_dir, comment):
    run_id = reg.record_run(make_run(runs_dir)).run_id
    with pytest.raises(RegisterError, match="comment"):
        reg.return_run(run_id, by="王主任", comment=comment)
    assert reg.get_run(run_id).status == "pending"


def test_unknown_run_and_status_are_refused(reg):
    with pytest.raises(RegisterError, match="No run 'nope'"):
        reg.get_run("nope")
    with pytest.raises(RegisterError, match="No run"):
        reg.approve("nope", by="王主任")
    with pytest.raises(RegisterError, match="Unknown status"):
        reg.list_runs(status="done")


def test_incomplete_and_failed_runs_cannot_be_decided(reg, runs_dir, tmp_path):
    no_manifest = make_run(runs_dir, "20261125T223000Z-00000001", manifest=False)
    half = make_run(runs_dir, "20261125T223000Z-00000002", outcome="incomplete")
    failed = make_run(runs_dir, "20261125T223000Z-00000003", outcome="failed")

    scan = reg.scan(runs_dir)
    assert sorted(scan.recorded) == sorted([no_manifest.name, half.name, failed.name])
    assert reg.get_run(no_manifest.name).status == "incomplete"
    assert reg.get_run(no_manifest.name).created_at == "2026-11-25T22:30:00+00:00"  # from the run id
    assert reg.get_run(half.name).status == "incomplete"
    assert reg.get_run(failed.name).status == "failed"
    assert reg.get_run(failed.name).error == "kernel died"
    assert {r.run_id for r in reg.list_runs(status="incomplete")} == {no_manifest.name, half.name}

    for run_id in (no_manifest.name, half.name, failed.name):
        with pytest.raises(RegisterError, match="Cannot approve"):
            reg.approve(run_id, by="王主任")
        with pytest.raises(RegisterError, match="Cannot return"):
            reg.return_run(run_id, by="王主任", comment="x")
    assert reg.decisions() == []


def test_an_incomplete_run_is_completed_when_recorded_again(reg, runs_dir, tmp_path):
    run_dir = make_run(runs_dir)
    manifest = run_dir / "manifest.json"
    aside = tmp_path / "manifest.aside"
    manifest.rename(aside)  # the run has not written its manifest yet
    assert reg.record_run(run_dir).status == "incomplete"
    aside.rename(manifest)  # ... now it has
    rec = reg.record_run(run_dir)
    assert (rec.status, len(rec.outputs)) == ("pending", 4)
    assert reg.scan(runs_dir).unchanged == [run_dir.name]
    assert reg.verify_run(rec.run_id).ok


# ---------------------------------------------------------------------------------------------
# Tamper evidence
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["results.xlsx", "review.ipynb", "results.csv", "review.html"])
def test_a_changed_byte_is_named_and_refuses_approval(reg, runs_dir, name):
    run_dir = make_run(runs_dir)
    run_id = reg.record_run(run_dir).run_id
    assert reg.verify_run(run_id).ok

    flip_byte(run_dir / name, offset=5)

    result = reg.verify_run(run_id)
    assert not result.ok
    assert (result.changed, result.missing) == ([name], [])
    with pytest.raises(RegisterError, match="Approval refused") as exc:
        reg.approve(run_id, by="王主任")
    assert name in str(exc.value)
    assert reg.get_run(run_id).status == "pending"
    assert reg.decisions(run_id) == []


@pytest.mark.parametrize("name", ["results.xlsx", "review.ipynb"])
def test_a_missing_file_is_named_and_refuses_approval(reg, runs_dir, name):
    run_dir = make_run(runs_dir)
    run_id = reg.record_run(run_dir).run_id
    (run_dir / name).unlink()

    result = reg.verify_run(run_id)
    assert (result.ok, result.changed, result.missing) == (False, [], [name])
    with pytest.raises(RegisterError, match=re.escape(f"{name}（缺失 / missing）")):
        reg.approve(run_id, by="王主任")
    assert reg.decisions(run_id) == []


def test_tampering_before_recording_is_caught_too(reg, runs_dir):
    run_dir = make_run(runs_dir)
    flip_byte(run_dir / "results.xlsx", offset=-1)  # after the run wrote its manifest
    run_id = reg.record_run(run_dir).run_id
    assert reg.verify_run(run_id).changed == ["results.xlsx"]


def test_an_edited_manifest_is_named_and_never_overwrites_the_record(reg, runs_dir):
    run_dir = make_run(runs_dir)
    run_id = reg.record_run(run_dir).run_id
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["counts"]["eligible"] = 3
    manifest["outputs"].append({"name": "extra.pdf", "sha256": "0" * 64, "bytes": 1})
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    result = reg.verify_run(run_id)
    assert set(result.changed) == {"manifest.json", "extra.pdf"}
    with pytest.raises(RegisterError, match=r"manifest\.json"):
        reg.approve(run_id, by="王主任")
    with pytest.raises(RunFolderError, match="already recorded"):
        reg.record_run(run_dir)
    assert reg.get_run(run_id).counts["eligible"] == 1  # the register keeps the original
    assert reg.scan(runs_dir).problems[0][0] == str(run_dir)

    (run_dir / "manifest.json").unlink()
    assert reg.verify_run(run_id).missing == ["manifest.json"]


def test_a_tampered_run_can_still_be_returned_and_the_finding_is_kept(reg, runs_dir):
    run_dir = make_run(runs_dir)
    run_id = reg.record_run(run_dir).run_id
    flip_byte(run_dir / "review.ipynb")
    d = reg.return_run(run_id, by="王主任", comment="文件被改动 / files were edited")
    assert d.verified["ok"] is False
    assert d.verified["changed"] == ["review.ipynb"]
    assert reg.get_run(run_id).status == "returned"


# ---------------------------------------------------------------------------------------------
# Bad run folders
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"outputs": [{"name": "../../etc/passwd", "sha256": "0" * 64, "bytes": 1}]},
            "unsafe output file name",
        ),
        ({"outputs": [{"name": "results.csv", "sha256": "xyz", "bytes": 1}]}, "not a SHA-256"),
        ({"schema": 2}, "unsupported manifest schema"),
        ({"run_id": "20261125T223000Z-other"}, "does not match the folder name"),
        ({"outcome": "done"}, "outcome"),
        ({"created_at": "yesterday"}, "created_at"),
    ],
)
def test_a_bad_manifest_is_refused_naming_file_and_key(reg, runs_dir, extra, message):
    run_dir = make_run(runs_dir, extra=extra)
    with pytest.raises(RunFolderError, match=message) as exc:
        reg.record_run(run_dir)
    assert str(run_dir / "manifest.json") in str(exc.value)
    good = make_run(runs_dir)
    scan = reg.scan(runs_dir)  # one bad folder does not stop the others
    assert scan.recorded == [good.name]
    assert [f for f, _ in scan.problems] == [str(run_dir)]


def test_scan_skips_folders_that_are_not_runs(reg, runs_dir):
    (runs_dir / "notes").mkdir()
    (runs_dir / ".cache").mkdir()
    (runs_dir / "readme.txt").write_text("x")
    run_dir = make_run(runs_dir)
    assert reg.scan(runs_dir).recorded == [run_dir.name]
    with pytest.raises(RegisterError, match="Runs folder not found"):
        reg.scan(runs_dir / "absent")


# ---------------------------------------------------------------------------------------------
# Append-only decisions
# ---------------------------------------------------------------------------------------------
def test_decisions_are_append_only(reg, runs_dir):
    run_id = reg.record_run(make_run(runs_dir)).run_id
    reg.approve(run_id, by="王主任")
    before = _query(reg.path, "SELECT * FROM decisions")

    with closing(sqlite3.connect(reg.path)) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE decisions SET by_name = 'someone else'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE decisions SET decision = 'return', comment = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM decisions")
        with pytest.raises(sqlite3.IntegrityError, match="cannot be removed"):
            conn.execute("DELETE FROM runs")
        conn.rollback()

    assert _query(reg.path, "SELECT * FROM decisions") == before
    assert reg.get_run(run_id).status == "approved"


def test_decision_constraints_hold_below_the_api(reg, runs_dir):
    run_id = reg.record_run(make_run(runs_dir)).run_id
    insert = (
        "INSERT INTO decisions (run_id, decision, by_name, os_user, at, comment, verified_json) "
        "VALUES (?, ?, ?, 'u', '2026-01-01T00:00:00+00:00', ?, '{}')"
    )
    with closing(sqlite3.connect(reg.path)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")  # (a no-op once a transaction is open)
        for args in [
            (run_id, "approve", "  ", None),
            (run_id, "return", "王", "  "),
            (run_id, "ok", "王", None),
        ]:
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(insert, args)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(insert, ("no-such-run", "approve", "王", None))
        conn.rollback()


# ---------------------------------------------------------------------------------------------
# Schema migrations
# ---------------------------------------------------------------------------------------------
def _build_schema(path: Path, version: int) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for _description, statements in MIGRATIONS[:version]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")


def test_an_older_register_is_migrated_keeping_its_data(tmp_path, runs_dir):
    assert LATEST_SCHEMA_VERSION >= 2
    path = tmp_path / "old.sqlite"
    _build_schema(path, 1)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "INSERT INTO runs (run_id, run_dir, outcome, created_at, finished_at, input_name) "
            "VALUES ('20250101T000000Z-old', '/gone', 'succeeded', '2025-01-01T00:00:00+00:00', "
            "'2025-01-01T00:01:00+00:00', 'intake.xlsx')"
        )
        conn.execute(
            "INSERT INTO decisions (run_id, decision, by_name, os_user, at, comment, verified_json) "
            "VALUES ('20250101T000000Z-old', 'approve', '王主任', 'u', '2025-01-02T00:00:00+00:00', NULL, '{}')"
        )
        conn.commit()
    assert _query(path, "PRAGMA user_version") == [(1,)]

    reg = Register(path)

    assert reg.schema_version == LATEST_SCHEMA_VERSION
    old = reg.get_run("20250101T000000Z-old")
    assert (old.status, old.recorded_at) == ("approved", "2025-01-01T00:01:00+00:00")
    indexes = {r[0] for r in _query(path, "SELECT name FROM sqlite_schema WHERE type = 'index'")}
    assert {"runs_created_at", "runs_input_sha256", "decisions_run"} <= indexes
    new = reg.record_run(make_run(runs_dir))  # the migrated register takes new runs
    assert new.recorded_at is not None
    assert [r.run_id for r in reg.list_runs()] == [new.run_id, old.run_id]
    with closing(sqlite3.connect(path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM decisions")  # triggers survive the migration
    Register(path)  # opening again is a no-op
    assert reg.schema_version == LATEST_SCHEMA_VERSION


def test_an_empty_sqlite_file_is_initialised(tmp_path):
    path = tmp_path / "empty.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 0")
    assert Register(path).schema_version == LATEST_SCHEMA_VERSION


def test_a_newer_register_is_refused_untouched(tmp_path):
    path = tmp_path / "new.sqlite"
    _build_schema(path, LATEST_SCHEMA_VERSION)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(RegisterError, match="Upgrade oq-toolkit"):
        Register(path)
    assert path.read_bytes() == before


# ---------------------------------------------------------------------------------------------
# Corrupt register
# ---------------------------------------------------------------------------------------------
def _assert_refused_untouched(path: Path, match: str) -> None:
    before = path.read_bytes()
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(RegisterError, match=match) as exc:
        Register(path)
    message = str(exc.value)
    assert str(path) in message
    assert "backup" in message and "move it aside" in message
    assert path.read_bytes() == before  # byte for byte
    assert sorted(p.name for p in path.parent.iterdir()) == siblings  # nothing created beside it


def _filled_register(tmp_path: Path, n: int = 25) -> Path:
    runs = tmp_path / "runs-for-corruption"
    reg = Register(tmp_path / "reg" / REGISTER_FILENAME)
    for i in range(n):
        reg.record_run(make_run(runs, f"20261125T223000Z-{i:08x}"))
    reg.approve(f"20261125T223000Z-{0:08x}", by="王主任")
    return reg.path


def test_a_garbage_file_is_refused_untouched(tmp_path):
    path = tmp_path / "register.sqlite"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    _assert_refused_untouched(path, "not a SQLite database")


def test_an_empty_file_is_refused_untouched(tmp_path):
    path = tmp_path / "register.sqlite"
    path.write_bytes(b"")
    _assert_refused_untouched(path, "empty")


def test_a_truncated_register_is_refused_untouched(tmp_path):
    path = _filled_register(tmp_path)
    size = path.stat().st_size
    assert size > 4 * 4096
    with path.open("r+b") as f:
        f.truncate(size // 2)
    _assert_refused_untouched(path, "corrupt")


def test_a_register_with_a_damaged_page_is_refused_untouched(tmp_path):
    path = _filled_register(tmp_path)
    data = bytearray(path.read_bytes())
    data[4096 + 8 : 4096 + 200] = b"\xff" * 192  # scribble over page 2
    path.write_bytes(bytes(data))
    _assert_refused_untouched(path, "corrupt")


def test_another_applications_database_is_refused_untouched(tmp_path):
    path = tmp_path / "register.sqlite"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE payroll (name TEXT)")
        conn.commit()
    before = path.read_bytes()
    with pytest.raises(RegisterError, match="not an oq-toolkit run register"):
        Register(path)
    assert path.read_bytes() == before


def test_a_register_deleted_after_opening_is_not_silently_recreated(reg, runs_dir):
    reg.record_run(make_run(runs_dir))
    reg.path.unlink()
    with pytest.raises(RegisterError, match="Cannot open the run register"):
        reg.list_runs()
    assert not reg.path.exists()


# ---------------------------------------------------------------------------------------------
# Concurrency
# ---------------------------------------------------------------------------------------------
def test_four_processes_writing_at_once_lose_nothing(tmp_path, runs_dir):
    path = tmp_path / "shared" / REGISTER_FILENAME  # created by the racing workers themselves
    n_workers, n_runs = 4, 12
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=concurrent_worker, args=(str(path), str(runs_dir), w, n_runs))
        for w in range(n_workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * n_workers

    reg = Register(path)  # integrity_check passes
    runs = reg.list_runs()
    assert len(runs) == n_workers * n_runs
    assert {r.status for r in runs if r.run_id.endswith(("0", "2", "4", "6", "8"))} == {"approved"}
    assert {r.status for r in runs if r.run_id.endswith(("1", "3", "5", "7", "9"))} == {"returned"}
    returns = n_workers * (n_runs // 2)
    assert _query(path, "SELECT decision, count(*) FROM decisions GROUP BY decision ORDER BY decision") == [
        ("approve", n_workers * n_runs),
        ("return", returns),
    ]
    assert _query(path, "SELECT count(*) FROM outputs") == [(4 * n_workers * n_runs,)]
    assert all(reg.verify_run(r.run_id).ok for r in runs)
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".new")] == []


# ---------------------------------------------------------------------------------------------
# list_runs filters, compare_runs
# ---------------------------------------------------------------------------------------------
def test_since_is_closed_and_a_date_means_midnight_in_shanghai(reg, runs_dir):
    before = make_run(runs_dir, "20261124T155959Z-a", created_at="2026-11-24T15:59:59+00:00")  # 23:59:59 CST
    at = make_run(runs_dir, "20261124T160000Z-b", created_at="2026-11-25T00:00:00+08:00")  # 00:00 CST
    later = make_run(runs_dir, "20261125T020000Z-c", created_at="2026-11-25T02:00:00Z")
    reg.scan(runs_dir)
    assert reg.get_run(at.name).created_at == "2026-11-24T16:00:00+00:00"  # stored in UTC
    assert [r.run_id for r in reg.list_runs(since="2026-11-25")] == [later.name, at.name]
    assert [r.run_id for r in reg.list_runs(since="2026-11-25T00:00:00+08:00")] == [later.name, at.name]
    assert [r.run_id for r in reg.list_runs(since="2026-11-25T00:00:01")] == [later.name]  # naive = CST
    assert len(reg.list_runs(since="2026-11-24")) == 3
    assert reg.list_runs(since="2026-11-26") == []
    assert before.name in {r.run_id for r in reg.list_runs()}
    with pytest.raises(RegisterError, match="Not a date"):
        reg.list_runs(since="last week")


def test_compare_runs_of_the_same_intake(reg, runs_dir):
    a = make_run(runs_dir, "20261125T223000Z-aaaa", rows=DEFAULT_ROWS)
    new_rows = (
        ("A-001", "eligible", "符合条件 / Eligible", ""),
        ("A-002", "eligible", "清单 1.1 版收录 / On List 1.1", ""),
        ("A-004", "invalid", "出生日期无效 / Bad date of birth", "bad_date"),
    )
    b = make_run(runs_dir, "20261126T090000Z-bbbb", rows=new_rows, input_bytes=b"edited sheet")
    reg.scan(runs_dir)

    changes = reg.compare_runs(a.name, b.name)

    assert [(c.application_id, c.kind, c.old_status, c.new_status) for c in changes] == [
        ("A-002", "changed", "not_eligible", "eligible"),
        ("A-004", "added", None, "invalid"),
        ("A-003", "removed", "incomplete", None),
    ]
    assert changes[0].old_reasons == "证书不在清单内 / Not on the List"
    assert changes[0].new_reasons == "清单 1.1 版收录 / On List 1.1"
    assert (changes[0].old_reason_codes, changes[0].new_reason_codes) == ("not_on_list", None)
    assert reg.compare_runs(a.name, a.name) == []
    json.dumps([c.to_dict() for c in changes])


def test_compare_refuses_different_intakes_and_changed_results(reg, runs_dir):
    a = make_run(runs_dir, "20261125T223000Z-aaaa")
    other = make_run(runs_dir, "20261125T223000Z-cccc", input_name="other.xlsx", input_bytes=b"other")
    same_hash = make_run(runs_dir, "20261125T223000Z-dddd", input_name="renamed.xlsx")
    reg.scan(runs_dir)
    with pytest.raises(RegisterError, match="not of the same intake"):
        reg.compare_runs(a.name, other.name)
    assert reg.compare_runs(a.name, same_hash.name) == []  # matched by hash despite the new name
    flip_byte(same_hash / "results.csv", offset=-3)
    with pytest.raises(RegisterError, match=r"results\.csv"):
        reg.compare_runs(a.name, same_hash.name)


def test_compare_is_tolerant_of_column_names(reg, runs_dir):
    runs = []
    for run_id, status in (("20261125T223000Z-aaaa", "符合条件"), ("20261125T223000Z-bbbb", "不符合条件")):
        run_dir = make_run(runs_dir, run_id)
        # results.csv with Chinese headers, no reason columns, a row without an id; manifest to match
        csv_bytes = f"申请编号,状态\nZ-9,{status}\n,待补正\n".encode()
        replace_output(run_dir, "results.csv", csv_bytes)
        runs.append(reg.record_run(run_dir).run_id)
    changes = reg.compare_runs(*runs)
    assert [(c.application_id, c.old_status, c.new_status, c.old_reasons) for c in changes] == [
        ("Z-9", "符合条件", "不符合条件", None)
    ]


# ---------------------------------------------------------------------------------------------
# No personal data in logs
# ---------------------------------------------------------------------------------------------
def test_logs_carry_no_applicant_data_names_or_comments(reg, runs_dir, caplog):
    caplog.set_level(logging.DEBUG)
    a = make_run(runs_dir, "20261125T223000Z-aaaa")
    b = make_run(runs_dir, "20261126T090000Z-bbbb", rows=DEFAULT_ROWS[:2])
    reg.scan(runs_dir)
    reg.approve(a.name, by="王主任", comment="私人备注 private")
    reg.return_run(b.name, by="王主任", comment="私人备注 private")
    reg.compare_runs(a.name, b.name)
    assert "run 20261125T223000Z-aaaa" in caplog.text  # logging does happen
    for secret in ("A-001", "A-003", "Not on the List", "王主任", "私人备注", "intake.xlsx"):
        assert secret not in caplog.text


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_scan_list_show(tmp_path, runs_dir, capsys):
    home = str(tmp_path / "cli-home")
    run_dir = make_run(runs_dir)
    code, out, _ = _cli(capsys, "runs", "scan", str(runs_dir), "--home", home)
    assert code == 0 and "新登记 1" in out and "recorded 1" in out
    assert (tmp_path / "cli-home" / "register.sqlite").is_file()

    code, out, _ = _cli(capsys, "runs", "list", "--home", home)
    assert code == 0 and run_dir.name in out
    assert out.index("待审核") < out.index("Pending review")  # Chinese first
    code, out, _ = _cli(capsys, "runs", "list", "--home", home, "--json")
    assert [r["run_id"] for r in json.loads(out)] == [run_dir.name]
    assert json.loads(out)[0]["status"] == "pending"
    code, out, _ = _cli(capsys, "runs", "list", "--home", home, "--status", "approved")
    assert code == 0 and run_dir.name not in out and "No runs match" in out
    code, out, _ = _cli(capsys, "runs", "list", "--home", home, "--since", "2027-01-01", "--json")
    assert json.loads(out) == []

    code, out, _ = _cli(capsys, "runs", "show", run_dir.name, "--home", home)
    assert code == 0 and "results.xlsx" in out and "intake.xlsx" in out and "无 / none" in out
    code, out, _ = _cli(capsys, "runs", "show", run_dir.name, "--home", home, "--json")
    assert json.loads(out)["counts"]["eligible"] == 1


def test_cli_list_runs_dir_scans_first_and_oqtk_home_selects_the_register(tmp_path, runs_dir, capsys):
    run_dir = make_run(runs_dir)
    code, out, _ = _cli(capsys, "runs", "list", "--runs-dir", str(runs_dir), "--json")
    assert code == 0 and [r["run_id"] for r in json.loads(out)] == [run_dir.name]
    assert (tmp_path / "home" / "register.sqlite").is_file()  # $OQTK_HOME from the fixture


def test_cli_verify_approve_return_and_exit_codes(tmp_path, runs_dir, capsys):
    home = str(tmp_path / "cli-home")
    good, bad = make_run(runs_dir, "20261125T223000Z-good"), make_run(runs_dir, "20261125T223000Z-bad0")
    _cli(capsys, "runs", "scan", str(runs_dir), "--home", home)

    code, out, _ = _cli(capsys, "runs", "verify", good.name, "--home", home)
    assert code == 0 and "一致 / OK" in out
    flip_byte(bad / "results.xlsx")
    (bad / "review.ipynb").unlink()
    code, out, _ = _cli(capsys, "runs", "verify", bad.name, "--home", home)
    assert code == 1
    assert "已更改 / CHANGED" in out and "results.xlsx" in out
    assert "缺失 / MISSING" in out and "review.ipynb" in out
    code, out, _ = _cli(capsys, "runs", "verify", bad.name, "--home", home, "--json")
    assert code == 1 and json.loads(out)["changed"] == ["results.xlsx"]

    code, _, err = _cli(capsys, "runs", "approve", bad.name, "--by", "王主任", "--home", home)
    assert code == 2 and "results.xlsx" in err and "review.ipynb" in err and "Traceback" not in err
    code, out, _ = _cli(
        capsys, "runs", "approve", good.name, "--by", "王主任", "--comment", "ok", "--home", home
    )
    assert code == 0 and "已批准 / Approved" in out
    code, _, err = _cli(capsys, "runs", "approve", good.name, "--by", "   ", "--home", home)
    assert code == 2 and "name" in err

    with pytest.raises(SystemExit) as exc:  # --comment is required for a return
        main(["runs", "return", bad.name, "--by", "王主任", "--home", home])
    assert exc.value.code == 2
    capsys.readouterr()
    code, out, _ = _cli(
        capsys, "runs", "return", bad.name, "--by", "王主任", "--comment", "文件有变", "--home", home
    )
    assert code == 0 and "已退回 / Returned" in out and "files had changed" in out

    code, out, _ = _cli(capsys, "runs", "show", good.name, "--home", home)
    assert "批准 / Approve" in out and "王主任" in out
    code, out, _ = _cli(capsys, "runs", "list", "--home", home, "--status", "returned", "--json")
    assert [r["run_id"] for r in json.loads(out)] == [bad.name]
    code, _, err = _cli(capsys, "runs", "show", "nope", "--home", home)
    assert code == 2 and "nope" in err


def test_cli_scan_reports_bad_folders_with_exit_1(tmp_path, runs_dir, capsys):
    bad = make_run(runs_dir)
    (bad / "manifest.json").write_text("{not json", encoding="utf-8")
    code, out, _ = _cli(capsys, "runs", "scan", str(runs_dir), "--home", str(tmp_path / "h"))
    assert code == 1 and str(bad) in out and "not valid JSON" in out


def test_cli_compare(tmp_path, runs_dir, capsys):
    home = str(tmp_path / "cli-home")
    a = make_run(runs_dir, "20261125T223000Z-aaaa")
    b = make_run(runs_dir, "20261126T090000Z-bbbb", rows=DEFAULT_ROWS[:2])
    _cli(capsys, "runs", "scan", str(runs_dir), "--home", home)
    code, out, _ = _cli(capsys, "runs", "compare", a.name, b.name, "--home", home)
    assert code == 0 and "A-003" in out and "删除 / removed" in out
    code, out, _ = _cli(capsys, "runs", "compare", a.name, b.name, "--home", home, "--json")
    assert json.loads(out)[0]["kind"] == "removed"


def test_cli_corrupt_register_exit_2_without_traceback(tmp_path, capsys):
    home = tmp_path / "cli-home"
    home.mkdir()
    (home / "register.sqlite").write_bytes(b"garbage" * 100)
    code, _, err = _cli(capsys, "runs", "list", "--home", str(home))
    assert code == 2 and "corrupt" in err and "Traceback" not in err
    assert (home / "register.sqlite").read_bytes() == b"garbage" * 100


def test_oqtk_runs_as_a_separate_process(tmp_path, runs_dir):
    run_dir = make_run(runs_dir)
    env = {"OQTK_HOME": str(tmp_path / "proc-home"), "PATH": "/usr/bin:/bin"}
    scan = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "runs", "scan", str(runs_dir)],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert scan.returncode == 0, scan.stderr
    verify = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "runs", "verify", run_dir.name],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verify.returncode == 0 and "results.xlsx" in verify.stdout


def test_compare_reads_the_batch_results_sheet_layout(reg, runs_dir):
    """The header ``toolkit.intake.review`` writes: reasons in two languages, codes joined by ';'."""
    header = (
        "source_row,application_id,full_name,status,status_zh,status_en,reason_codes,reasons_zh,reasons_en\n"
    )
    runs = []
    for run_id, line in (
        (
            "20261125T223000Z-aaaa",
            "2,A-7,张三,incomplete,待补正,Incomplete,missing_x;missing_y,缺少材料,Missing papers\n",
        ),
        ("20261125T223000Z-aaaa-2", "2,A-7,张三,eligible,符合条件,Eligible,,,\n"),
    ):
        run_dir = make_run(runs_dir, run_id)
        data = (header + line).encode("utf-8-sig")
        replace_output(run_dir, "results.csv", data)
        runs.append(run_id)
    assert sorted(reg.scan(runs_dir).recorded) == sorted(runs)
    [change] = reg.compare_runs(*runs)
    assert (change.application_id, change.old_status, change.new_status) == ("A-7", "incomplete", "eligible")
    assert (change.old_reasons, change.old_reason_codes) == (
        "缺少材料 / Missing papers",
        "missing_x;missing_y",
    )
    assert (change.new_reasons, change.new_reason_codes) == (None, None)
    assert "张三" not in json.dumps(change.to_dict(), ensure_ascii=False)  # the name column is not carried
