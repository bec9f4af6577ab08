"""The register's hash chain, four eyes, visible names and service mode (issue 13).

Each tamper is done as an attacker with the database file would: sqlite3 directly, with the
triggers dropped where they would stop it; ``audit`` must name the first broken link.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers_runs import make_run

from toolkit.cli import main
from toolkit.exceptions import RegisterError
from toolkit.register import REGISTER_FILENAME, Register, RunFolderError, visible_name


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("OQTK_HOME", str(tmp_path / "home"))
    for k in ("OQTK_REGISTER_URL", "OQTK_RUNS_DIR", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(k, raising=False)


def _sql(reg: Register, *statements: str, args=()) -> None:
    with closing(sqlite3.connect(reg.path)) as conn:
        for s in statements:
            conn.execute(s, args)
        conn.commit()


def _filled(reg: Register, runs_dir: Path) -> list[str]:
    ids = []
    for i in range(3):
        rec = reg.record_run(make_run(runs_dir, f"20261125T22300{i}Z-0000000{i}"))
        ids.append(rec.run_id)
    reg.approve(ids[0], by="王主任")
    reg.return_run(ids[1], by="李主任", comment="缺材料")
    return ids


def test_an_untouched_register_audits_clean(reg, runs_dir):
    _filled(reg, runs_dir)
    result = reg.audit()
    assert result.ok and result.entries == 5 and result.first is None
    assert "完整" in result.summary() and "intact" in result.summary()


def test_files_are_private(reg, runs_dir):
    _filled(reg, runs_dir)
    for p in (reg.path, reg.path.with_name(REGISTER_FILENAME + ".key")):
        assert p.stat().st_mode & 0o077 == 0, p


def test_a_hash_changed_in_outputs_is_reported(reg, runs_dir):
    ids = _filled(reg, runs_dir)
    _sql(
        reg,
        "UPDATE outputs SET sha256 = ? WHERE run_id = ? AND name = 'results.xlsx'",
        args=("0" * 64, ids[2]),
    )
    result = reg.audit()
    assert not result.ok
    assert (result.first.problem, result.first.ref) == ("record_changed", ids[2])
    assert ids[2] in result.summary()


def test_a_decision_rewritten_with_the_triggers_dropped_is_reported(reg, runs_dir):
    _filled(reg, runs_dir)
    _sql(
        reg, "DROP TRIGGER decisions_no_update", "UPDATE decisions SET by_name = '局长（远程）' WHERE id = 1"
    )
    result = reg.audit()
    assert [(p.problem, p.kind, p.ref) for p in result.problems] == [("record_changed", "decision", "1")]
    assert result.first.seq == 4  # the approve of ids[0] was the fourth write


def test_a_decision_inserted_or_deleted_behind_its_back_is_reported(reg, runs_dir):
    ids = _filled(reg, runs_dir)
    _sql(
        reg,
        "INSERT INTO decisions (run_id, decision, by_name, at, verified_json) "
        f"VALUES ('{ids[2]}', 'approve', '某人', '2026-12-01T00:00:00+00:00', '{{}}')",
    )
    assert [p.problem for p in reg.audit().problems] == ["not_sealed"]
    _sql(reg, "DROP TRIGGER decisions_no_delete", "DELETE FROM decisions WHERE id = 2")
    problems = {(p.problem, p.ref) for p in reg.audit().problems}
    assert ("record_deleted", "2") in problems


def test_a_rewritten_chain_entry_or_a_truncated_chain_is_reported(reg, runs_dir):
    _filled(reg, runs_dir)
    _sql(reg, "DROP TRIGGER chain_no_update", "UPDATE chain SET content_sha256 = 'x' WHERE seq = 2")
    first = reg.audit().first
    assert (first.problem, first.seq) == ("seal_mismatch", 2)


def test_entries_deleted_from_the_end_are_reported_by_the_head(reg, runs_dir):
    ids = _filled(reg, runs_dir)
    _sql(reg, "DROP TRIGGER chain_no_delete", "DROP TRIGGER decisions_no_delete",
         "DELETE FROM chain WHERE seq = 5", "DELETE FROM decisions WHERE id = 2")  # fmt: skip
    problems = [p.problem for p in reg.audit().problems]
    assert "head_truncated" in problems
    assert ids  # the runs themselves are intact


def test_the_cli_reports_the_first_broken_link_with_exit_1(reg, runs_dir, capsys, tmp_path):
    ids = _filled(reg, runs_dir)
    assert main(["runs", "audit"]) == 0
    assert "✓" in capsys.readouterr().out
    _sql(reg, "UPDATE runs SET counts_json = '{\"eligible\": 99}' WHERE run_id = ?", args=(ids[1],))
    assert main(["runs", "audit"]) == 1
    out = capsys.readouterr().out
    assert "✗" in out and ids[1] in out
    assert main(["runs", "audit", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["first"]["ref"] == ids[1]


def test_an_older_register_is_sealed_at_migration(tmp_path, runs_dir):
    """A schema-2 register (no chain) gets every existing record sealed when it is opened."""
    path = tmp_path / "old.sqlite"
    from toolkit import register as r

    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for _desc, statements in r.MIGRATIONS[:2]:
            for s in statements:
                conn.execute(s)
        conn.execute("PRAGMA user_version = 2")
        conn.execute(
            "INSERT INTO runs (run_id, run_dir, outcome) VALUES ('20261125T223000Z-aaaa', '/x', 'succeeded')"
        )
        conn.commit()
    reg = Register(path)
    assert reg.schema_version == 3
    result = reg.audit()
    assert result.ok and result.entries == 1


@pytest.mark.parametrize("name", ["\u200b\u200b", "王\u200b主任", "a\u202ebc", "  ", "\t\n", "···"])
def test_an_invisible_or_empty_name_is_refused(reg, runs_dir, name):
    rec = reg.record_run(make_run(runs_dir))
    with pytest.raises(RegisterError, match=r"可见|required"):
        reg.approve(rec.run_id, by=name)
    assert reg.get_run(rec.run_id).decisions == ()


def test_visible_names_pass():
    assert visible_name(" 王主任 ") == "王主任"
    assert visible_name("Wang Li-2") == "Wang Li-2"


def test_cli_by_must_be_visible(reg, runs_dir, capsys):
    rec = reg.record_run(make_run(runs_dir))
    assert main(["runs", "approve", rec.run_id, "--by", "\u200b\u200b"]) == 2
    assert "不可见" in capsys.readouterr().err
    assert main(["runs", "approve", rec.run_id]) == 2
    assert "--by" in capsys.readouterr().err


# --- hub runs: four eyes and supervisor role, in the register and in the database --------------
def test_a_hub_run_is_decided_only_by_another_supervisor(reg, runs_dir):
    rec = reg.record_run(make_run(runs_dir), submitted_by="supervisor1")
    assert rec.submitted_by == "supervisor1"
    with pytest.raises(RegisterError, match="four eyes"):
        reg.approve(rec.run_id, by="supervisor1", role="supervisor")
    with pytest.raises(RegisterError, match="only a supervisor"):
        reg.approve(rec.run_id, by="officer1", role=None)
    d = reg.approve(rec.run_id, by="supervisor2", role="supervisor")
    assert (d.by_name, d.by_role) == ("supervisor2", "supervisor")


def test_the_database_refuses_four_eyes_and_role_breaches_too(reg, runs_dir):
    rec = reg.record_run(make_run(runs_dir), submitted_by="officer1")
    insert = (
        "INSERT INTO decisions (run_id, decision, by_name, at, verified_json, by_role) "
        "VALUES (?, 'approve', ?, '2026-12-01T00:00:00+00:00', '{}', ?)"
    )
    for by, role, message in (
        ("officer1", "supervisor", "four eyes"),
        ("officer2", None, "only a supervisor"),
    ):
        with closing(sqlite3.connect(reg.path)) as conn, pytest.raises(sqlite3.IntegrityError, match=message):
            conn.execute(insert, (rec.run_id, by, role))


def test_a_service_register_adopts_no_folder(reg, runs_dir):
    """In service mode only runs the service records (with their submitter) exist."""
    reg.set_service_mode()
    copied = make_run(runs_dir)
    with pytest.raises(RunFolderError, match="not a run"):
        reg.record_run(copied)
    scan = reg.scan(runs_dir)
    assert scan.recorded == [] and len(scan.problems) == 1
    assert reg.list_runs() == []


def test_a_service_run_is_never_re_read_from_its_folder(reg, runs_dir, tmp_path):
    """A killed run (incomplete) finished by hand later is not adopted: only its submitter's
    service may record it again, and the service closes it as failed instead."""
    run = make_run(runs_dir, outcome="incomplete")
    rec = reg.record_run(run, submitted_by="officer1")
    assert rec.outcome == "incomplete"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    manifest["outcome"] = "succeeded"
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(RunFolderError, match="oq-register"):
        reg.record_run(run)  # a scan, or anyone without the submitter
    assert reg.fail_run(rec.run_id, "service stopped").outcome == "failed"
    assert reg.audit().ok
