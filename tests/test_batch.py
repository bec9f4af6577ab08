"""Batch review runs (issue 5): `oqtk batch`, `toolkit.run_batch`, the notebook and its record.

The notebook-executing tests share one batch (the clean and messy example sheets plus an
unreadable file, two at a time) through a module-scoped fixture, so the suite starts few kernels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import openpyxl
import pandas as pd
import pytest

from toolkit.batch import report
from toolkit.batch import runner as batch
from toolkit.batch.parameters import ReviewParameters
from toolkit.batch.runner import RunResult, run_batch
from toolkit.cli import main
from toolkit.clock import SHANGHAI
from toolkit.exceptions import IntakeError, ParameterError
from toolkit.paths import REPO_ROOT, examples_dir
from toolkit.vocab import STATUSES

AS_OF = "2025-12-31"
LIST_VERSION = "1.0"  # the only version with known entries
CLEAN = examples_dir() / "intake_clean.xlsx"
MESSY = examples_dir() / "intake_messy.xlsx"
MANIFEST_KEYS = {
    "schema",
    "run_id",
    "created_at",
    "finished_at",
    "outcome",
    "error",
    "input",
    "parameters",
    "versions",
    "rows_in",
    "rows_out",
    "sheets_not_reviewed",
    "counts",
    "outputs",
    "duration_s",
}
PARAMETER_KEYS = {"intake_path", "as_of", "list_version", "lang", "output_dir"}
STATUS_KEYS = {"eligible", "not_eligible", "incomplete", "invalid"}
_U_ESCAPE = re.compile(r"\\u[0-9a-fA-F]{4}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _unreadable(tmp: Path, name: str = "broken.xlsx") -> Path:
    p = tmp / name
    p.write_text("这不是 Excel 文件 / not a workbook", encoding="utf-8")
    return p


def _headerless(tmp: Path) -> Path:
    """A sound workbook whose cells hold no intake header: only reading it finds that out."""
    wb = openpyxl.Workbook()
    wb.active.append(["会议纪要 / minutes", "2025-12-01"])
    wb.active.append(["hello", "world"])
    p = tmp / "minutes.xlsx"
    wb.save(p)
    return p


@pytest.fixture(scope="module")
def batch_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunResult]:
    """One batch, two at a time: the clean and the messy example sheets, a file that is no
    workbook and a workbook without an intake header."""
    tmp = tmp_path_factory.mktemp("batch")
    mp = pytest.MonkeyPatch()
    mp.setenv("OQTK_HOME", str(tmp / "home"))
    calls: list[tuple[int, int, str]] = []
    try:
        results = run_batch(
            [CLEAN, MESSY, _unreadable(tmp), _headerless(tmp)],
            tmp / "runs",
            as_of=AS_OF,
            list_version=LIST_VERSION,
            jobs=2,
            on_progress=lambda done, total, r: calls.append((done, total, r.outcome)),
        )
    finally:
        mp.undo()
    assert [d for d, _t, _o in calls] == [1, 2, 3, 4]
    return {
        "clean": results[0],
        "messy": results[1],
        "bad": results[2],
        "noheader": results[3],
        "home": tmp / "home",  # type: ignore[dict-item]
    }


# ---------------------------------------------------------------------------------------------
# The committed notebook
# ---------------------------------------------------------------------------------------------
def test_notebook_is_committed_clean_and_thin() -> None:
    nb = nbformat.read(batch.NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert set(nb.metadata) == {"kernelspec", "language_info"}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert all(set(c.metadata) <= {"tags"} for c in nb.cells)
    assert code[0].metadata["tags"] == ["parameters"]
    assert len(code) <= 4  # parameters, then three calls into toolkit/
    assert any(report.SUMMARY_TAG in c.metadata.get("tags", []) for c in code)


def test_the_notebook_declares_the_parameters_model_field_by_field() -> None:
    """The notebook's parameters cell, as papermill reads it, is ReviewParameters: same names,
    types and defaults, each documented."""
    import ast

    import papermill

    declared = papermill.inspect_notebook(str(batch.NOTEBOOK))
    fields = ReviewParameters.model_fields
    assert set(declared) == set(fields) == PARAMETER_KEYS
    for name, p in declared.items():
        assert p["help"], name
        assert ast.literal_eval(p["default"]) == fields[name].default, name
        assert p["inferred_type_name"] == "str", name
        assert ReviewParameters.check({name: ast.literal_eval(p["default"])})  # the default passes


# ---------------------------------------------------------------------------------------------
# Parameters are checked before any notebook runs
# ---------------------------------------------------------------------------------------------
def test_the_parameters_model_refuses_unknown_names_and_wrong_types() -> None:
    ok = {"intake_path": "x.xlsx", "as_of": AS_OF, "lang": "zh"}
    assert ReviewParameters.check(ok).model_dump(exclude_unset=True) == ok
    with pytest.raises(ParameterError, match="unknown parameter 'as_off'"):
        ReviewParameters.check({**ok, "as_off": AS_OF})
    with pytest.raises(ParameterError, match="wrong type for 'as_of'"):
        ReviewParameters.check({**ok, "as_of": 20251231})
    with pytest.raises(ParameterError, match="wrong type for 'lang'"):
        ReviewParameters.check({**ok, "lang": True})
    with pytest.raises(ParameterError, match=r"lang: .*must be one of"):
        ReviewParameters.check({**ok, "lang": "fr"})
    resolved = ReviewParameters.check({"intake_path": "data/examples/intake_clean.xlsx"}).resolved()
    assert resolved.intake_path == str(CLEAN) and resolved.list_version  # in force today
    assert dt.date.fromisoformat(resolved.as_of) == resolved.day


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parameters": {"bogus": 1}}, "unknown parameter 'bogus'"),
        ({"as_of": 20251231}, "wrong type for 'as_of'"),
        ({"as_of": "2025-02-30"}, "not a valid date"),
        ({"list_version": "9.9"}, "unknown List version"),
        ({"list_version": 1.0}, "wrong type for 'list_version'"),
        ({"lang": "fr"}, "lang"),
        ({"jobs": 0}, "jobs"),
        ({"parameters": {"output_dir": "/tmp/x"}}, "set by the batch runner"),
    ],
)
def test_bad_parameters_are_refused_before_any_kernel_or_folder(
    tmp_path: Path, home: Path, no_kernel: None, kwargs: dict, message: str
) -> None:
    runs = tmp_path / "runs"
    with pytest.raises(ParameterError, match=re.escape(message)):
        run_batch([CLEAN], runs, **kwargs)
    assert not runs.exists()


def test_cli_refuses_bad_parameters_with_exit_2_and_no_traceback(
    tmp_path: Path, home: Path, no_kernel: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["batch", str(CLEAN), "--out", str(tmp_path / "runs"), "--as-of", "31/12/2025", "--no-progress"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "not a valid date" in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


# ---------------------------------------------------------------------------------------------
# Unreadable input: exit 2, the message, a failed manifest (no kernel for a file that is no workbook)
# ---------------------------------------------------------------------------------------------
def test_unreadable_sheet_exits_2_with_message_and_failed_manifest(
    tmp_path: Path, home: Path, no_kernel: None, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _unreadable(tmp_path)
    code = main(["batch", str(bad), "--out", str(tmp_path / "runs"), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err
    (run_dir,) = (tmp_path / "runs").iterdir()
    m = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert set(m) == MANIFEST_KEYS
    assert m["outcome"] == "failed"
    assert m["error"] and m["error"] in err  # the IntakeError message, as printed
    assert m["input"]["sha256"] == _sha256(bad)
    assert m["outputs"] == []
    assert run_dir.name == m["run_id"] and run_dir.name.endswith("-" + _sha256(bad)[:8])


def test_missing_sheet_is_unreadable(tmp_path: Path, home: Path, no_kernel: None) -> None:
    (r,) = run_batch([tmp_path / "nope.xlsx"], tmp_path / "runs", as_of=AS_OF)
    assert (r.outcome, r.exit_status) == ("failed", 2)
    assert "nope.xlsx" in (r.error or "")
    assert r.manifest["input"]["sha256"] is None


def test_manifest_says_incomplete_while_the_run_is_in_progress(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict] = []

    def killed(path: Path) -> None:
        (run_dir,) = (tmp_path / "runs").iterdir()
        seen.append(json.loads((run_dir / "manifest.json").read_text(encoding="utf-8")))
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(batch, "_read_check", killed)
    (r,) = run_batch([CLEAN], tmp_path / "runs", as_of=AS_OF)
    assert seen[0]["outcome"] == "incomplete" and seen[0]["finished_at"] is None
    assert set(seen[0]) == MANIFEST_KEYS
    assert r.outcome == "failed" and "simulated crash" in (r.error or "")
    assert not list(r.run_dir.glob(".*.tmp"))  # atomic replace leaves no temporary file


def test_existing_run_folder_is_never_overwritten(
    tmp_path: Path, home: Path, no_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixed = dt.datetime(2026, 11, 25, 22, 30, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(batch, "_utc_now", lambda: fixed)
    bad = _unreadable(tmp_path)
    runs = tmp_path / "runs"
    existing = runs / f"20261126T063000+0800-{_sha256(bad)[:8]}"  # 22:30 UTC is 06:30 the next day in Beijing
    existing.mkdir(parents=True)
    (existing / "manifest.json").write_text("earlier run", encoding="utf-8")
    first, second = run_batch([bad, bad], runs)
    assert (existing / "manifest.json").read_text(encoding="utf-8") == "earlier run"
    assert first.run_dir.name == existing.name + "-2"
    assert second.run_dir.name == existing.name + "-3"
    assert first.manifest["run_id"] == first.run_dir.name


# ---------------------------------------------------------------------------------------------
# The shared batch: results, manifest, HTML, parallel runs, register
# ---------------------------------------------------------------------------------------------
@pytest.mark.notebook
@pytest.mark.parametrize("which", ["clean", "messy"])
def test_run_folder_holds_the_five_files_and_a_succeeded_manifest(batch_runs: dict, which: str) -> None:
    r = batch_runs[which]
    assert (r.outcome, r.exit_status, r.error) == ("succeeded", 0, None), r.error
    names = {p.name for p in r.run_dir.iterdir()}
    assert names == {"manifest.json", *batch.OUTPUT_FILES}
    assert re.fullmatch(r"\d{8}T\d{6}\+0800-[0-9a-f]{8}", r.run_id)  # Beijing time, saying so
    created = dt.datetime.fromisoformat(r.manifest["created_at"].replace("Z", "+00:00"))
    assert r.run_id.startswith(created.astimezone(SHANGHAI).strftime("%Y%m%dT%H%M%S+0800"))
    assert r.run_id.endswith(_sha256(r.input_path)[:8])


@pytest.mark.notebook
@pytest.mark.parametrize("which", ["clean", "messy"])
def test_manifest_keys_hashes_and_counts(batch_runs: dict, which: str) -> None:
    r = batch_runs[which]
    m = json.loads((r.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m == r.manifest
    assert set(m) == MANIFEST_KEYS
    assert m["schema"] == 1 and m["run_id"] == r.run_dir.name
    assert m["created_at"] <= m["finished_at"] and m["duration_s"] > 0
    assert m["input"] == {
        "path": str(r.input_path),
        "name": r.input_path.name,
        "sha256": _sha256(r.input_path),
    }
    assert m["parameters"] == {
        "intake_path": str(r.input_path),
        "as_of": AS_OF,
        "list_version": LIST_VERSION,
        "lang": "zh",
        "output_dir": str(r.run_dir),
    }
    assert set(m["versions"]) == {"toolkit", "rules_data", "list", "calendar"}
    assert m["versions"]["list"] == LIST_VERSION
    assert m["versions"]["rules_data"] == report.rules_data_hash()
    assert (
        m["versions"]["calendar"].startswith("holidays ") and "chinesecalendar" in m["versions"]["calendar"]
    )
    assert set(m["counts"]) == STATUS_KEYS
    assert sum(m["counts"].values()) == m["rows_out"] == m["rows_in"] > 0
    assert [o["name"] for o in m["outputs"]] == list(batch.OUTPUT_FILES)
    for o in m["outputs"]:
        f = r.run_dir / o["name"]
        assert o["sha256"] == _sha256(f) and o["bytes"] == f.stat().st_size


@pytest.mark.notebook
@pytest.mark.parametrize("which", ["clean", "messy"])
def test_results_csv_has_one_row_per_application(batch_runs: dict, which: str) -> None:
    from toolkit.intake import review_intake

    r = batch_runs[which]
    csv = pd.read_csv(r.run_dir / "results.csv", dtype=str, keep_default_na=False)
    expected = review_intake(r.input_path, as_of=dt.date.fromisoformat(AS_OF), list_version=LIST_VERSION)
    assert len(csv) == r.manifest["rows_in"] == expected.rows_in
    ids = expected.to_frame()["application_id"].fillna("").astype(str).tolist()
    id_col = next(c for c in csv.columns if c == "application_id" or "application_id" in c or "申请" in c)
    assert csv[id_col].tolist() == ids
    assert dict(expected.counts) == {
        k: v for k, v in r.manifest["counts"].items() if v or k in expected.counts
    }


@pytest.mark.notebook
def test_html_report_is_readable_chinese_without_code(batch_runs: dict) -> None:
    r = batch_runs["clean"]
    page = (r.run_dir / "review.html").read_text(encoding="utf-8")
    m = r.manifest
    for text in ("运行参数", "审核基准日", AS_OF, "清单版本", "符合条件", "按状态统计", r.input_path.name):
        assert text in page, text
    assert m["input"]["sha256"] in page and m["versions"]["rules_data"] in page
    assert m["versions"]["calendar"] in page
    for status, n in m["counts"].items():  # in the officer's words, no code beside them
        zh, en = STATUSES[status]
        assert re.search(rf"{zh} / {en}</th><td>{n}</td>", page), status
        assert f"({status})" not in page
    assert "<svg" in page and 'data-key="eligible"' in page  # the chart (inline SVG)
    # no code: neither cell sources nor input areas nor prompts, nor the hidden summary
    assert "report.review_sheet" not in page and "intake_path: str" not in page
    assert "hl-ipython3" not in page  # highlighted code cells
    assert 'class="jp-InputPrompt' not in page and 'class="jp-OutputPrompt' not in page
    assert report.SUMMARY_MIME not in page
    assert not _U_ESCAPE.search(page)


@pytest.mark.notebook
def test_html_is_the_page_nbconvert_makes_less_its_pass_over_the_report_tables(batch_runs: dict) -> None:
    """review.html (outputs set aside during nbconvert's BeautifulSoup pass: toolkit.batch.speedups)
    has the same elements, attributes and text as nbconvert's own page: output wrappers still
    focusable, nothing lost."""
    from bs4 import BeautifulSoup

    from toolkit.batch import export

    r = batch_runs["messy"]
    nb = nbformat.read(r.run_dir / "review.ipynb", as_version=4)
    ours = (r.run_dir / "review.html").read_text(encoding="utf-8")
    exporter = export.html_exporter()
    with export._exporter_lock:
        theirs, _ = exporter.from_notebook_node(nb)
    assert "oqtk-output-" not in ours  # every placeholder put back
    assert BeautifulSoup(ours, "html.parser") == BeautifulSoup(theirs, "html.parser")
    soup = BeautifulSoup(ours, "html.parser")
    outputs = soup.select("div.jp-OutputArea-output")
    assert outputs and all(o.get("tabindex") == "0" for o in outputs)
    assert len(soup.select("table")) >= 3


def test_the_soup_pass_is_still_what_nbconvert_does() -> None:
    """The guard of toolkit.batch.speedups.render_html: nbconvert's exporter still rewrites the
    outputs' markup in a pass of its own (an ``<img>`` without ``alt`` gets one), which ours
    leaves out for our outputs. When nbconvert drops or changes that pass, this fails: re-measure
    the speedup or remove it."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from toolkit.batch import export, speedups

    img = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("display_data", data={"text/html": img})])]
    )
    exporter = export.html_exporter()
    with export._exporter_lock:
        theirs, _ = exporter.from_notebook_node(nb)
        ours = speedups.render_html(exporter, nb)
    assert 'alt="No description has been provided for this image"' in theirs
    assert img in ours and 'tabindex="0"' in ours


def test_html_outputs_are_sanitised_as_they_are_when_the_exporter_sanitises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    nb = new_notebook(
        cells=[
            new_code_cell(
                "x",
                outputs=[
                    new_output("display_data", data={"text/html": "<p>kept</p><script>alert(1)</script>"})
                ],
            )
        ]
    )
    from toolkit.batch import export

    assert "<script>alert(1)</script>" in export.render_html(nb)  # our own outputs: trusted, unchanged
    monkeypatch.setattr(export.html_exporter(), "sanitize_html", True)
    page = export.render_html(nb)
    assert "kept" in page and "alert(1)</script>" not in page


@pytest.mark.notebook
def test_html_shows_problems_of_the_messy_sheet(batch_runs: dict) -> None:
    r = batch_runs["messy"]
    page = (r.run_dir / "review.html").read_text(encoding="utf-8")
    assert "表格问题" in page and "审核结果" in page
    assert not _U_ESCAPE.search(page)


@pytest.mark.notebook
def test_executed_notebook_is_the_record(batch_runs: dict) -> None:
    r = batch_runs["clean"]
    nb = nbformat.read(r.run_dir / "review.ipynb", as_version=4)
    assert nb.metadata["papermill"]["parameters"]["as_of"] == AS_OF
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert any(c.metadata.get("tags") == ["injected-parameters"] for c in nb.cells)


@pytest.mark.notebook
def test_parallel_batch_one_bad_sheet_does_not_stop_the_others(batch_runs: dict) -> None:
    bad = batch_runs["bad"]
    assert (bad.outcome, bad.exit_status) == ("failed", 2)
    assert bad.manifest["error"] and bad.manifest["outputs"] == []
    assert batch_runs["clean"].ok and batch_runs["messy"].ok
    assert batch.exit_code([batch_runs["clean"], batch_runs["messy"], bad]) == 2
    assert batch.exit_code([batch_runs["clean"], batch_runs["messy"]]) == 0


@pytest.mark.notebook
def test_workbook_without_header_is_refused_by_the_notebook_with_exit_2(batch_runs: dict) -> None:
    """The runner checks only the file before a kernel; the notebook's read refuses the header,
    and that ends the run as unreadable: exit 2, the message, a record without a Python stack."""
    r = batch_runs["noheader"]
    assert (r.outcome, r.exit_status) == ("failed", 2)
    assert "no intake header row" in (r.error or "") and r.input_path.name in (r.error or "")
    assert not (r.error or "").startswith("笔记本执行出错")  # the IntakeError message itself
    assert r.manifest["error"] == r.error and r.manifest["counts"] == {}
    assert [o["name"] for o in r.manifest["outputs"]] == ["review.ipynb", "review.html"]
    page = (r.run_dir / "review.html").read_text(encoding="utf-8")
    assert "IntakeError" in page and "no intake header row" in page
    assert "Traceback" not in page and 'File "' not in page and "site-packages" not in page
    assert batch.exit_code([batch_runs["clean"], r]) == 2


@pytest.mark.notebook
def test_runs_are_recorded_in_the_register(batch_runs: dict) -> None:
    from toolkit import register

    reg = register.Register(batch_runs["home"] / register.REGISTER_FILENAME)
    for which in ("clean", "messy", "bad", "noheader"):
        r = batch_runs[which]
        assert r.register_error is None
        assert reg.get_run(r.run_id).outcome == r.outcome


@pytest.mark.notebook
def test_failing_notebook_is_recorded_as_failed_with_exit_1(tmp_path: Path, home: Path) -> None:
    nb = nbformat.read(batch.NOTEBOOK, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('raise ValueError("故意失败 deliberate")'))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    (r,) = run_batch([CLEAN], tmp_path / "runs", as_of=AS_OF, list_version=LIST_VERSION, notebook=broken)
    assert (r.outcome, r.exit_status) == ("failed", 1)
    assert "ValueError" in (r.error or "") and "故意失败" in (r.error or "")
    names = [o["name"] for o in r.manifest["outputs"]]
    assert "review.ipynb" in names and "review.html" in names


def test_register_problem_is_reported_but_the_run_is_kept(
    tmp_path: Path, home: Path, no_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit import register

    def boom(self: object, run_dir: object) -> None:
        raise register.RegisterError("登记簿损坏 / register is corrupt")

    monkeypatch.setattr(register.Register, "record_run", boom)
    (r,) = run_batch([_unreadable(tmp_path)], tmp_path / "runs")
    assert "register is corrupt" in (r.register_error or "")
    assert json.loads((r.run_dir / "manifest.json").read_text(encoding="utf-8"))["outcome"] == "failed"


# ---------------------------------------------------------------------------------------------
# Kernels started ahead of their notebooks
# ---------------------------------------------------------------------------------------------
def _spy_kernel_starts(monkeypatch: pytest.MonkeyPatch, events: list) -> None:
    from toolkit.batch import kernels

    real = kernels.start_kernel

    def spy(*a: object, **k: object) -> object:
        km = real(*a, **k)  # type: ignore[arg-type]
        events.append(("start", km))
        return km

    monkeypatch.setattr(kernels, "start_kernel", spy)


def test_no_kernel_is_started_for_files_that_are_not_workbooks(
    tmp_path: Path, home: Path, no_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list = []
    _spy_kernel_starts(monkeypatch, events)
    results = run_batch([_unreadable(tmp_path), tmp_path / "nope.xlsx"], tmp_path / "runs")
    assert [r.exit_status for r in results] == [2, 2]
    assert events == []


def test_a_kernel_started_ahead_is_stopped_when_the_parameters_are_refused(
    tmp_path: Path, home: Path, no_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    events: list = []
    _spy_kernel_starts(monkeypatch, events)
    with pytest.raises(ParameterError, match="unknown parameter 'as_off'"):
        run_batch([CLEAN], tmp_path / "runs", parameters={"as_off": AS_OF})
    ((_, km),) = events  # started as soon as the first sheet passed the file check …
    assert not km.has_kernel  # … and stopped with the refusal
    with pytest.raises(ProcessLookupError):
        os.kill(km.provisioner.pid, 0)
    assert not (tmp_path / "runs").exists()


@pytest.mark.notebook
def test_sequential_batch_starts_each_next_kernel_while_the_current_sheet_runs(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run gets its own kernel, started ahead (the next one before the current run ends),
    and each kernel and its client are stopped when its run ends; the notebook still counts
    its cells from 1, as in a fresh kernel."""
    import papermill

    from toolkit.batch import kernels

    events: list = []
    _spy_kernel_starts(monkeypatch, events)
    real = papermill.execute_notebook

    def spy_execute(*a: object, **k: object) -> object:
        events.append(("execute", k["km"]))
        nb = real(*a, **k)
        events.append(("executed", k["km"]))
        return nb

    monkeypatch.setattr(papermill, "execute_notebook", spy_execute)
    clients: list = []
    real_client = kernels.BatchKernel.client

    def spy_client(self: kernels.BatchKernel, **kw: object) -> object:
        clients.append(real_client(self, **kw))
        return clients[-1]

    monkeypatch.setattr(kernels.BatchKernel, "client", spy_client)
    first, second = run_batch([CLEAN, MESSY], tmp_path / "runs", as_of=AS_OF, list_version=LIST_VERSION)
    assert first.ok and second.ok, (first.error, second.error)
    kinds = [e for e, _ in events]
    assert kinds.index("start", 1) < kinds.index("executed")  # the second kernel, during the first run
    started = [km for e, km in events if e == "start"]
    assert len(started) == 2 and [km for e, km in events if e == "execute"] == started
    assert not any(km.has_kernel for km in started)  # each stopped when its run ended …
    assert len(clients) == 2 and not any(kc.channels_running for kc in clients)  # … its client closed
    nb = nbformat.read(first.run_dir / "review.ipynb", as_version=4)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]


def test_work_waiting_for_a_ready_kernel_runs_in_order_in_the_background_and_survives_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import threading

    from toolkit.batch import kernels

    done = threading.Event()
    calls: list[str] = []

    def fails() -> None:
        calls.append("fails")
        raise RuntimeError("no")

    hook = kernels.once_ready(
        lambda: calls.append("first"), fails, lambda: (calls.append("last"), done.set())
    )
    assert calls == []  # nothing before nbclient calls the hook
    hook(notebook=None)  # as nbclient's on_notebook_start does
    assert done.wait(10)
    assert calls == ["first", "fails", "last"]
    assert "work started once the kernel was ready failed" in caplog.text


@pytest.mark.notebook
def test_a_kernel_preloads_the_review_without_binding_names_or_using_a_count(tmp_path: Path) -> None:
    """Also: it has its sheet parsed ahead (any path, passed to the kernel as a Python literal),
    and its client (toolkit.batch.speedups.ReadyClient) is ready once the kernel answers, without
    draining IOPub."""
    from toolkit.batch import kernels

    sheet = tmp_path / "申报 O'Brien.xlsx"
    shutil.copy(examples_dir() / "intake_clean.xlsx", sheet)
    km = kernels.start_kernel(batch.KERNEL_NAME, batch._kernel_config(), sheet)
    out: list[str] = []
    code = (
        "import sys\n"
        "print(sorted(k for k in globals() if not k.startswith('_')), 'toolkit.intake.review' in sys.modules)\n"
        "print(list(sys.modules['toolkit.intake.reader']._prefetched))\n"
    )

    async def drive() -> tuple[dict, dict]:  # the client is asynchronous, as nbclient uses it
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        # ready as soon as the kernel answered: the kernel_info request's own IOPub messages are
        # left unread (jupyter_client's client would have drained them, waiting 0.2 s)
        left = await kc.iopub_channel.get_msg(timeout=5)
        reply = await kc.execute_interactive(
            code,
            output_hook=lambda m: out.append(m["content"]["text"]) if m["msg_type"] == "stream" else None,
            timeout=60,
        )
        return left, reply

    import asyncio

    try:
        left, reply = asyncio.run(drive())
    finally:
        km.stop()
    assert left["msg_type"] in {"status", "iopub_welcome"}
    first, prefetched = "".join(out).strip().split("\n")
    names, loaded = first.rsplit(" ", 1)
    assert loaded.strip() == "True"  # the review's modules are already imported …
    assert not {"toolkit", "report", "rules", "workdays", "pd", "pandas"} & set(eval(names))  # … unseen
    assert eval(prefetched) == [os.path.realpath(sheet)]  # its sheet is being (or was) parsed
    assert reply["content"]["execution_count"] == 1


def test_preload_never_raises_even_when_the_policy_data_is_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support import data_copy

    from toolkit import rules
    from toolkit.exceptions import PolicyDataError

    with data_copy(monkeypatch, tmp_path) as root:
        (root / "list" / "versions.yaml").write_text("versions: [", encoding="utf-8")
        with pytest.raises(PolicyDataError):
            rules.list_versions()
        assert report.preload() is None  # the notebook's own call reports it, in the record


# ---------------------------------------------------------------------------------------------
# The report itself (no kernel)
# ---------------------------------------------------------------------------------------------
def _fake_run(lang: str = "zh") -> report.SheetReview:
    evil = '<script>alert("x")</script>'
    results = pd.DataFrame(
        {
            "application_id": [evil, "A-2"],
            "status": ["eligible", "incomplete"],
            "reasons_zh": ["", f"证书 {evil} 不在清单"],
            "reasons_en": ["", f"{evil} not on the List"],
            "categories": ["A,C", ""],
            "title_highest": ["intermediate", None],
            "title_eligible": ["intermediate", None],
            "publicity_end": ["2026-01-09", None],
            "source_row": [2, 3],
        }
    )
    problems = pd.DataFrame(
        {"sheet": ["表1"], "row": [3], "column": ["qualifications"], "value": [evil], "message_zh": ["无法识别"],
         "message_en": ["unknown"], "fix_zh": ["改正"], "fix_en": ["fix"], "code": ["cert_unknown"]}
    )  # fmt: skip
    rows = [
        SimpleNamespace(
            status="eligible",
            title=SimpleNamespace(highest="intermediate"),
            reason_codes=["title_open"],
            reasons_zh=["可申报会计师（中级）"],
            reasons_en=["May apply for Accountant"],
        ),
        SimpleNamespace(
            status="incomplete",
            title=None,
            reason_codes=["cert_unknown"],
            reasons_zh=[f"无法识别：{evil}"],
            reasons_en=[f"unknown: {evil}"],
        ),
    ]
    review = SimpleNamespace(
        path=Path(f"/tmp/{evil}.xlsx"),
        sha256="ab" * 32,
        sheet_name="表1",
        header_row=1,
        rows_in=2,
        rows=rows,
        problems=[object()],
        counts={"eligible": 1, "incomplete": 1},
        to_frame=lambda limit=None: results.head(limit),
        problems_frame=lambda limit=None: problems.head(limit),
    )
    params = {
        "intake_path": str(review.path),
        "as_of": AS_OF,
        "list_version": "1.0",
        "lang": lang,
        "output_dir": "",
    }
    return report.SheetReview(ReviewParameters(**params), review, report.versions("1.0"))


def test_a_long_report_shows_the_first_rows_but_counts_all(tmp_path: Path) -> None:
    """The report builds only the rows it shows; totals and the chart still count every row."""
    n = report.MAX_ROWS_SHOWN + 50
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["申请编号", "姓名", "境外职业资格证书", "平台核验", "人员类别"])
    for i in range(n):
        ws.append([f"L-{i:04d}", f"测试{i}", "IET Fellow", "是", "外籍人员"])
    wb.save(tmp_path / "long.xlsx")
    run = report.review_sheet(str(tmp_path / "long.xlsx"), AS_OF, "1.0", "zh", str(tmp_path / "out"))
    page = "".join(content for _kind, content in report.report_parts(run))
    assert f"审核结果（{n} 行）" in page and f"共 {n} 行" in page
    assert page.count("L-0") == report.MAX_ROWS_SHOWN  # only the rows shown were built
    assert f'data-key="eligible" data-value="{n}"' in page  # the chart counts all of them


def test_report_escapes_applicant_strings() -> None:
    parts = report.report_parts(_fake_run())
    page = "".join(c for kind, c in parts if kind == "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "符合条件" in page and "待补正" in page and "中级" in page
    # column headers an officer reads: bilingual labels, the sheet's own column names
    assert "申请编号 / Application ID" in page and "修改建议 / How to fix" in page
    assert "<td>境外职业资格证书</td>" in page
    assert [kind for kind, _ in parts] == ["html", "html", "html"]
    assert "<svg" in parts[1][1]


@pytest.mark.parametrize(("lang", "label"), [("zh", "符合条件"), ("en", "Eligible")])
def test_chart_shows_each_count_as_a_bar(lang: str, label: str) -> None:
    svg = report.chart_svg({"eligible": 3, "invalid": 1}, {"intermediate": 2, "": 1}, lang)
    bars = dict(re.findall(r'<rect data-key="([^"]*)" data-value="(\d+)"', svg))
    assert bars["eligible"] == "3" and bars["invalid"] == "1" and bars["not_eligible"] == "0"
    assert bars["intermediate"] == "2" and bars[""] == "1"
    assert label in svg
    heights = {
        k: float(h)
        for k, h in re.findall(
            r'data-key="([^"]*)" data-value="\d+" x="[^"]*" y="[^"]*" width="[^"]*" height="([^"]*)"', svg
        )
    }
    assert heights["eligible"] > heights["invalid"] > heights["not_eligible"] == 0


def test_chart_labels_are_escaped() -> None:
    svg = report.chart_svg({}, {"<script>x</script>": 1}, "zh")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_summary_is_plain_json() -> None:
    s = report.summary(_fake_run())
    assert json.loads(json.dumps(s)) == s
    assert s["counts"] == {"eligible": 1, "not_eligible": 0, "incomplete": 1, "invalid": 0}
    assert s["rows_in"] == s["rows_out"] == 2


def test_rules_data_hash_ignores_examples_but_sees_policy_changes(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", root)
    before = report.rules_data_hash(root)
    (root / "examples").mkdir(exist_ok=True)
    (root / "examples" / "new.xlsx").write_bytes(b"x")
    assert report.rules_data_hash(root) == before
    p = root / "policy" / "shanghai_min_years.yaml"
    p.write_text(p.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert report.rules_data_hash(root) != before


def test_kernels_ahead_keeps_one_kernel_per_run_and_stops_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No real kernel: the bookkeeping alone — one kernel per run, none for a file that is no
    workbook, a second start of the same run racing the first stopped at once, every kernel
    not handed out (or handed back) stopped at the end, and none kept once the batch is over."""
    from toolkit.batch import kernels

    class Fake:
        def __init__(self) -> None:
            self.stopped = False

        def stop(self) -> None:
            self.stopped = True

    made: list[Fake] = []
    race = {"on": False}
    ahead = kernels.KernelsAhead("python3", lambda: None, batch._read_check, batch._sniff_check)

    def fake_start(*_a: object, **_k: object) -> Fake:
        km = Fake()
        made.append(km)
        if race["on"]:  # while this start runs, another start of the same run finishes first
            race["on"] = False
            ahead.start(2, CLEAN)
        return km

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    ahead.start(0, CLEAN)
    ahead.start(0, CLEAN)  # already started: nothing new
    ahead.start(1, _unreadable(tmp_path))  # not a workbook: no kernel
    assert len(made) == 1 and ahead.take(1) is None
    first = ahead.take(0)
    assert first is made[0] and ahead.take(0) is None

    race["on"] = True
    ahead.start(2, MESSY)
    outer, inner = made[1], made[2]
    assert outer.stopped and not inner.stopped  # the later of the two is the spare
    assert ahead.take(2) is inner

    ahead.start(3, CLEAN)  # never taken
    ahead.retire(first)  # type: ignore[arg-type]
    late = {"on": True}

    def start_finishing_after_stop_all(*_a: object, **_k: object) -> Fake:
        km = Fake()
        made.append(km)
        if late["on"]:  # a background start still launching when the batch is stopped
            late["on"] = False
            ahead.stop_all()
        return km

    monkeypatch.setattr(kernels, "start_kernel", start_finishing_after_stop_all)
    ahead.start(4, CLEAN)
    assert first.stopped and made[3].stopped and not inner.stopped
    assert made[4].stopped and ahead.take(4) is None  # started after stop_all: stopped at once
    ahead.start(5, CLEAN)  # and no start after stop_all
    assert len(made) == 5


def test_a_kernel_boots_while_its_workbook_is_checked_and_is_stopped_if_the_check_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's own KernelsAhead: a file that is no workbook at all starts no kernel; a zip
    that looks like one starts its kernel at once, before the reading limits' scan and the
    damage check (which ran first before); when those refuse it the kernel is stopped and not
    handed out; a sound workbook's kernel is kept."""
    import zipfile

    from toolkit.batch import kernels

    order: list[str] = []
    made: list[object] = []

    class Fake:
        stopped = False

        def stop(self) -> None:
            self.stopped = True

    def fake_start(*_a: object, **_k: object) -> Fake:
        order.append("kernel")
        km = Fake()
        made.append(km)
        return km

    def check(path: Path) -> None:
        order.append("check")
        batch._read_check(path)

    monkeypatch.setattr(kernels, "start_kernel", fake_start)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as z:
        z.writestr("xl/workbook.xml", "<not xml")
    with kernels.KernelsAhead("python3", lambda: None, check, batch._sniff_check) as ahead:
        ahead.start(0, _unreadable(tmp_path))
        assert made == [] and order == []  # not a workbook: no kernel, no full check
        ahead.start(1, damaged)
        assert order == ["kernel", "check"]  # the kernel first, the full check while it boots
        assert made[0].stopped and ahead.take(1) is None  # type: ignore[attr-defined]
        ahead.start(2, CLEAN)
        kept = ahead.take(2)
        assert kept is made[1] and not kept.stopped  # type: ignore[attr-defined]
    with pytest.raises(IntakeError, match="无法打开"):
        batch._read_check(damaged)  # the run itself then refuses it, with the message


@pytest.mark.notebook
def test_a_fifo_and_a_far_cell_fail_at_once_and_the_good_sheet_beside_them_runs(tmp_path: Path) -> None:
    """Issue 16: a FIFO named .xlsx blocked `oqtk batch` forever; a far cell killed the kernel."""
    import hostile

    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    far = hostile.far_cell(tmp_path / "far.xlsx")
    runs = tmp_path / "runs"
    code = main(
        [
            "batch",
            str(fifo),
            str(far),
            str(CLEAN),
            "--out",
            str(runs),
            "--as-of",
            AS_OF,
            "--list-version",
            LIST_VERSION,
        ]
    )
    assert code == 2
    by_name = {
        m["input"]["name"]: m
        for m in (json.loads((d / "manifest.json").read_text("utf-8")) for d in runs.iterdir())
    }
    assert by_name["pipe.xlsx"]["outcome"] == "failed" and "FIFO" in by_name["pipe.xlsx"]["error"]
    assert by_name["pipe.xlsx"]["input"]["sha256"] is None
    assert by_name["far.xlsx"]["outcome"] == "failed" and "OQTK_MAX_CELLS" in by_name["far.xlsx"]["error"]
    assert by_name["intake_clean.xlsx"]["outcome"] == "succeeded"


@pytest.mark.notebook
def test_every_output_of_a_run_is_private_and_a_service_may_open_it_to_its_group(tmp_path: Path) -> None:
    """Issue 16, item 5: review.ipynb was 0644 in a 0755 folder, readable by any local user."""
    import stat

    old = os.umask(0o022)  # the usual umask: what papermill's own write would give
    try:
        (private,) = run_batch([CLEAN], tmp_path / "runs", as_of=AS_OF, list_version=LIST_VERSION)
        (shared,) = run_batch(
            [CLEAN], tmp_path / "hub-runs", as_of=AS_OF, list_version=LIST_VERSION, access=batch.GROUP_READ
        )
    finally:
        os.umask(old)
    for res, file_mode, dir_mode in ((private, 0o600, 0o700), (shared, 0o640, 0o750)):
        assert res.outcome == "succeeded"
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in res.run_dir.iterdir()}
        assert set(files) == {*batch.OUTPUT_FILES, "manifest.json"}
        assert files == dict.fromkeys(files, file_mode), files
        assert stat.S_IMODE(res.run_dir.stat().st_mode) == dir_mode
        assert stat.S_IMODE(res.run_dir.parent.stat().st_mode) == dir_mode  # the runs folder it created


@pytest.mark.parametrize("modes", [(0o644, 0o700), (0o600, 0o755), (0o700, 0o700)])
def test_run_access_wider_than_the_group_is_refused(modes: tuple[int, int]) -> None:
    with pytest.raises(ParameterError, match="too wide"):
        batch.RunAccess(*modes)


@pytest.mark.notebook
def test_a_batch_names_the_other_sheets_of_applicants_it_did_not_review(tmp_path: Path, capsys) -> None:
    """Issue 16, item 2: a second visible or a hidden sheet of applicants was skipped without a word."""
    import hostile

    src = hostile.book(
        tmp_path / "several.xlsx",
        [
            ("申请人", "visible", hostile.sheet_xml(hostile.applicants(3))),
            ("旧表", "hidden", hostile.sheet_xml(hostile.applicants(4))),
        ],
    )
    runs = tmp_path / "runs"
    code = main(
        [
            "batch",
            str(src),
            "--out",
            str(runs),
            "--as-of",
            AS_OF,
            "--list-version",
            LIST_VERSION,
            "--no-progress",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "NOT REVIEWED" in out and "'旧表'" in out and "4 行 / rows" in out
    (run_dir,) = runs.iterdir()
    m = json.loads((run_dir / "manifest.json").read_text("utf-8"))
    assert m["sheets_not_reviewed"] == [{"sheet": "旧表", "state": "hidden", "header_row": 1, "rows": 4}]
    assert m["rows_in"] == 7 and m["rows_out"] == 3


def test_the_batch_report_opens_with_the_decision_and_shows_words_not_codes(tmp_path: Path) -> None:
    from toolkit.paths import examples_dir

    run = report.review_sheet(
        str(examples_dir() / "intake_messy.xlsx"), AS_OF, "1.0", "zh", str(tmp_path / "out")
    )
    page = "".join(content for _kind, content in report.report_parts(run))
    decision = page.index('class="oqtk-decision"')
    assert decision < page.index("审核结果（") < page.index("运行参数")  # decision, results, then details
    total = len(run.review.rows)
    assert f"共{total}份：" in page and "主要原因：" in page
    assert "(eligible)" not in page and "(not_eligible)" not in page  # no codes beside the statuses
    assert "A类 认可类" in page  # categories in words


def test_the_iri_grammar_speedup_still_targets_what_jsonschema_imports() -> None:
    """The guard of toolkit.batch.speedups.skip_iri_grammar: importing papermill still imports
    the IRI checker `rfc3987_syntax` (else the measure buys nothing: delete it), and with the
    measure in place papermill still imports and a notebook still validates."""
    import subprocess
    import sys

    probe = "import sys, papermill; print(sys.modules.get('rfc3987_syntax') is not None)"
    plain = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "True", (
        "papermill → nbformat → jsonschema no longer imports rfc3987_syntax: "
        "toolkit.batch.speedups.skip_iri_grammar is moot, remove it"
    )
    measured = (
        "import sys\n"
        "from toolkit.batch import speedups\n"
        "speedups.skip_iri_grammar()\n"
        "import nbformat, papermill\n"
        f"nbformat.validate(nbformat.read({str(batch.NOTEBOOK)!r}, as_version=4))\n"
        "print(sys.modules['rfc3987_syntax'] is None)"
    )
    out = subprocess.run([sys.executable, "-c", measured], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out.stderr


def test_the_ready_client_still_matches_jupyter_clients_wait_for_ready() -> None:
    """The guard of toolkit.batch.speedups.ReadyClient: jupyter_client still has the private
    reply handler it calls, and its own wait_for_ready still ends by draining IOPub (the 0.2 s the
    client saves). When jupyter_client changes either, this fails: re-measure or remove it."""
    import inspect

    from jupyter_client.client import KernelClient

    from toolkit.batch import kernels, speedups

    assert callable(getattr(KernelClient, "_handle_kernel_info_reply", None))
    source = inspect.getsource(KernelClient._async_wait_for_ready)
    assert "Flush IOPub channel" in source and "kernel_info_reply" in source
    assert (
        kernels.BatchKernel(kernel_name=batch.KERNEL_NAME).client_class
        == "toolkit.batch.speedups.ReadyClient"
    )
    from jupyter_client.asynchronous.client import AsyncKernelClient

    assert issubclass(speedups.ReadyClient, AsyncKernelClient)  # asynchronous, as nbclient expects


def test_a_batch_without_a_list_version_uses_the_newest_loaded_one_and_its_report_says_so(
    tmp_path: Path,
) -> None:
    from toolkit.rules import list_version_to_use

    choice = list_version_to_use(dt.date.fromisoformat(AS_OF))
    assert choice.fell_back  # 3.0 is in force on AS_OF and has no entries in the shipped data
    run = report.review_sheet(str(CLEAN), AS_OF, "", "zh", "")
    assert run.parameters.list_version == choice.version.version != choice.in_force.version
    head = report.report_parts(run)[0][1]
    assert choice.finding.zh in head and 'class="oqtk-version-note"' in head
    # a version the officer names is used as named, with no note
    named = report.review_sheet(str(CLEAN), AS_OF, choice.in_force.version, "en", "")
    assert named.parameters.list_version == choice.in_force.version
    assert "oqtk-version-note" not in report.report_parts(named)[0][1]
