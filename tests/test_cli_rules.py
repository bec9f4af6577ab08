"""`oqtk assess` and `oqtk list …` print readable bilingual answers, or JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from toolkit.cli import main

FCCA_ARGS = [
    "assess",
    "-q",
    "FCCA",
    "--holder",
    "外籍人员",
    "--hukou",
    "否",
    "--verified",
    "是",
    "--degree",
    "硕士",
    "--series",
    "accounting",
    "--relevant-since",
    "2015-01-01",
    "--shanghai-since",
    "2023-01-01",
    "--employer-type",
    "企业",
    "--previous-round",
    "no",
    "--as-of",
    "2025-12-31",
    "--list-version",
    "1.0",
]


def test_assess_prints_bilingual_answer_with_clauses(capsys):
    assert main(FCCA_ARGS) == 0
    out = capsys.readouterr().out
    assert "符合条件 / Eligible" in out
    assert "高级会计师 / Senior Accountant" in out
    assert "依据 " in out and "学历和资历条件" in out
    assert "以通知中文版为准" in out and "1.0" in out


def test_assess_json_is_machine_readable(capsys):
    assert main([*FCCA_ARGS, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "eligible"
    assert data["title"]["highest"] == "associate_senior"
    assert data["categories"] == ["A", "B", "C"]
    assert all(
        f["source"]
        for f in data["title"]["findings"]
        if f["outcome"] != "info" and not f["code"].startswith("requested")
    )


def test_list_search_and_json(capsys):
    assert main(["list", "search", "ＦＣＣＡ", "--version", "1.0"]) == 0
    out = capsys.readouterr().out
    assert "ACCA资深会员证书 / ACCA Fellow" in out and "副高级" in out and "不完整" in out
    assert main(["list", "search", "FCCA", "--version", "3.0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["matches"][0]["status"] == "not_known_on_version"


def test_errors_are_messages_not_tracebacks():
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "list", "search", "x", "--version", "9.9"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Unknown List version" in proc.stderr and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.cli", "assess", "--degree", "phd2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "choose one of" in proc.stderr


def test_only_the_command_line_process_skips_the_final_collection(monkeypatch, capsys):
    """`oqtk` itself freezes the collector on its way out (the exit's full collection is skipped);
    main() called with arguments — tests, other programs — leaves the collector alone."""
    import gc

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert main(["list", "search", "FCCA", "--version", "1.0"]) == 0
    assert frozen == []
    monkeypatch.setattr(sys, "argv", ["oqtk", "list", "search", "FCCA", "--version", "1.0"])
    assert main() == 0
    assert frozen == [True]
    assert "ACCA" in capsys.readouterr().out


def test_running_out_of_memory_is_a_message_not_a_traceback(monkeypatch, capsys) -> None:
    """Issue 16: under a memory limit a large sheet ended in a MemoryError traceback."""
    from toolkit.cli import intake as cli_intake
    from toolkit.cli import main

    def exhausted(_args):
        raise MemoryError

    monkeypatch.setattr(cli_intake, "_review", exhausted)
    assert main(["review", "x.xlsx"]) == 1
    err = capsys.readouterr().err
    assert "内存不足" in err and "out of memory" in err and "Traceback" not in err


def test_list_search_defaults_to_the_newest_version_with_entries_and_keeps_near_matches_apart(capsys):
    assert main(["list", "search", "FCCA"]) == 0  # 3.0 is in force but has no entries loaded
    out = capsys.readouterr().out
    assert "尚无已载入的条目" in out and "1.0版" in out and "acca_fellow" in out
    assert "cgma_fellow" not in out  # FCMA is another certificate, not a near match
    assert main(["list", "search", "ACCA fellw", "--version", "1.0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["matches"] == [] and data["near_matches"][0]["entry_id"] == "acca_fellow"
    assert main(["list", "search", "CFA", "--version", "1.0"]) == 1
    assert "未找到不等于不在清单上" in capsys.readouterr().out


def test_assess_prints_the_decision_first_and_each_clause_once(capsys):
    args = [a if a != "2015-01-01" else "2019-01-02" for a in FCCA_ARGS]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("结论 Status: 符合条件 / Eligible")
    assert out[1].strip() == "符合条件：可申报会计师（中级）；如持续从事相关工作，2026-01-01起可申报副高级"
    assert out[2].strip().startswith("Eligible: may apply for Accountant (intermediate)")
    text = "\n".join(out)
    assert text.count("学历和资历条件：初级须硕士") == 1 and "（条文同上）" in text
