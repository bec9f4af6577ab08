"""Faults (issue 8, item 3): a killed batch run, a full disk or read-only folder, a corrupt register.

What each test proves:

- a batch run killed (SIGKILL) after it has written its results but before it finished leaves
  a manifest saying ``incomplete``; the register records it so and refuses to approve it;
- a disk that fills up (``ENOSPC``, or ``RLIMIT_FSIZE`` in a real process) or a read-only folder
  (``EROFS``) while the results are written gives one clear bilingual message naming the folder
  and what to do — through ``oqtk review`` and ``oqtk batch`` exit non-zero without a traceback —
  and leaves no partial ``results.xlsx``/``results.csv`` under the final names, no temporary file,
  an earlier pair of results untouched, and the intake sheet unchanged;
- a run folder whose manifest cannot be written stops with that message; when only the final
  manifest cannot be written, the run still reads ``incomplete`` and the next sheet still runs;
- a kernel killed mid-cell (as the out-of-memory killer does) fails that sheet's run within
  seconds with "审核进程意外终止，可能内存不足", and the next sheet of the batch succeeds;
- a corrupt register does not lose a batch run: ``oqtk batch`` keeps the run folder, says the
  register is corrupt and what to do, and leaves the register file byte for byte.

(One failing *sheet* not stopping the others is proved by ``tests/test_batch.py``.)
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from toolkit.batch import runner as batch
from toolkit.cli import main
from toolkit.exceptions import OutputError, RegisterError, ToolkitError
from toolkit.intake import review_intake, write_results
from toolkit.intake import writer as writer_mod
from toolkit.paths import REPO_ROOT, examples_dir
from toolkit.register import REGISTER_FILENAME, Register

AS_OF = "2025-12-31"
LIST_VERSION = "1.0"
CLEAN = examples_dir() / "intake_clean.xlsx"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


def _unreadable(folder: Path, name: str = "broken.xlsx") -> Path:
    p = folder / name
    p.write_text("不是 Excel / not a workbook", encoding="utf-8")
    return p


# ---------------------------------------------------------------------------------------------
# A batch run killed midway
# ---------------------------------------------------------------------------------------------
_PAUSE_CELL = textwrap.dedent(
    """\
    import os, pathlib, time
    pathlib.Path(os.environ["OQTK_FAULT_MARKER"]).write_text(str(os.getpid()))
    time.sleep(300)
    """
)
_DRIVER = textwrap.dedent(
    """\
    import sys
    from toolkit.batch.runner import run_batch
    run_batch([sys.argv[1]], sys.argv[2], as_of=sys.argv[3], list_version=sys.argv[4], notebook=sys.argv[5])
    """
)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.mark.notebook
def test_a_batch_run_killed_midway_never_looks_complete(tmp_path: Path) -> None:
    # the batch notebook with a cell after the review that says "now" and waits: the results
    # files are written, the final manifest is not
    nb = nbformat.read(batch.NOTEBOOK, as_version=4)
    review_at = next(i for i, c in enumerate(nb.cells) if "review_sheet" in c.source)
    nb.cells.insert(review_at + 1, nbformat.v4.new_code_cell(_PAUSE_CELL))
    paused_nb = tmp_path / "paused.ipynb"
    nbformat.write(nb, paused_nb)
    runs, home, marker = tmp_path / "runs", tmp_path / "home", tmp_path / "kernel.pid"
    env = {**os.environ, "OQTK_HOME": str(home), "OQTK_FAULT_MARKER": str(marker)}
    before = _sha256(CLEAN)
    proc = subprocess.Popen(
        [sys.executable, "-c", _DRIVER, str(CLEAN), str(runs), AS_OF, LIST_VERSION, str(paused_nb)],
        cwd=REPO_ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() or not marker.read_text():
            assert proc.poll() is None, "the batch ended before reaching the pause"
            assert time.monotonic() < deadline, "the notebook never reached the pause"
            time.sleep(0.1)
        kernel_pid = int(marker.read_text())
        os.killpg(proc.pid, signal.SIGKILL)  # the batch process and anything in its session
        _kill(kernel_pid)  # the kernel runs in a session of its own
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    (run_dir,) = runs.iterdir()
    assert (run_dir / "results.xlsx").is_file()  # killed after the results were written …
    m = _manifest(run_dir)
    assert m["outcome"] == "incomplete" and m["finished_at"] is None  # … yet it says incomplete
    assert m["outputs"] == []
    assert _sha256(CLEAN) == before

    reg = Register(home / REGISTER_FILENAME)
    assert reg.record_run(run_dir).status == "incomplete"
    assert reg.scan(runs).unchanged == [run_dir.name]
    assert reg.get_run(run_dir.name).status == "incomplete"
    with pytest.raises(RegisterError, match=r"incomplete|未完成"):
        reg.approve(run_dir.name, by="王主任")
    assert reg.decisions(run_dir.name) == []


# ---------------------------------------------------------------------------------------------
# Full disk, read-only folder: write_results
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clean_review():
    return review_intake(CLEAN, as_of=AS_OF, list_version=LIST_VERSION)


def _fail(err: int):
    def boom(*_a: object, **_k: object) -> None:
        raise OSError(err, os.strerror(err))

    return boom


def _assert_clear(exc: BaseException, folder: Path, zh: str, en: str) -> None:
    assert isinstance(exc, ToolkitError)  # printed by the CLI as a message, not a traceback
    text = str(exc)
    assert str(folder) in text
    assert zh in text and en in text


@pytest.mark.parametrize(
    ("where", "err", "zh", "en"),
    [
        ("xlsx", errno.ENOSPC, "磁盘已满", "disk is full"),
        ("csv", errno.ENOSPC, "磁盘已满", "disk is full"),
        ("xlsx", errno.EROFS, "只读", "read-only"),
        ("folder", errno.EROFS, "只读", "read-only"),
    ],
)
@pytest.mark.parametrize("alongside", [False, True], ids=["one process", "xlsx alongside"])
def test_a_full_disk_or_read_only_folder_is_a_clear_error_leaving_no_partial_results(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clean_review,
    where: str,
    err: int,
    zh: str,
    en: str,
    alongside: bool,
) -> None:
    """The same whether results.xlsx is written here or by a forked child (``FORK_FROM_ROWS``,
    lowered to this small sheet): the child's error, or the CSV's while the child writes, ends the
    write the same way."""
    out = tmp_path / "out"
    write_results(clean_review, out)  # an earlier, complete pair of results
    if alongside:
        monkeypatch.setattr(writer_mod, "FORK_FROM_ROWS", 1)
    earlier = {n: _sha256(out / n) for n in ("results.xlsx", "results.csv")}
    before = _sha256(CLEAN)
    if where == "xlsx":
        monkeypatch.setattr(writer_mod, "write_xlsx_file", _fail(err))
    elif where == "csv":
        real_open = open

        def full_on_csv(file, mode="r", *a, **k):  # type: ignore[no-untyped-def]
            if "w" in mode and str(file).endswith(".tmp") and "results.csv" in str(file):
                f = real_open(file, mode, *a, **k)
                f.write("source_row,applic")  # a partial file, then the disk is full
                f.close()
                raise OSError(err, os.strerror(err))
            return real_open(file, mode, *a, **k)

        monkeypatch.setattr("builtins.open", full_on_csv)
    else:
        monkeypatch.setattr(tempfile, "mkstemp", _fail(err))
    with pytest.raises(OutputError) as exc:
        write_results(clean_review, out, lang="en")  # different content from the earlier pair
    monkeypatch.undo()
    _assert_clear(exc.value, out, zh, en)
    assert exc.value.errno == err
    assert {n: _sha256(out / n) for n in earlier} == earlier  # the earlier pair, both files, untouched
    assert _leftovers(out) == []
    assert _sha256(CLEAN) == before


_RLIMIT_DRIVER = textwrap.dedent(
    """\
    import resource, signal, sys
    from toolkit.cli import main
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file-size limits")
def test_oqtk_review_on_a_disk_that_fills_up_exits_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _sha256(CLEAN)
    env = {**os.environ, "OQTK_HOME": str(tmp_path / "home"), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _RLIMIT_DRIVER, "review", str(CLEAN), "--out", str(out),
         "--as-of", AS_OF, "--list-version", LIST_VERSION],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"Cannot write to the folder {out}" in proc.stderr and "无法写入文件夹" in proc.stderr
    assert "disk is full" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == []  # nothing under a final name, no temp file
    assert _sha256(CLEAN) == before


# ---------------------------------------------------------------------------------------------
# Full disk, read-only folder: the batch's run folders and manifests
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "err", "zh", "en"),
    [("mkdir", errno.EROFS, "只读", "read-only"), ("fsync", errno.ENOSPC, "磁盘已满", "disk is full")],
)
def test_a_runs_folder_that_cannot_be_written_stops_the_batch_with_a_clear_message(
    tmp_path: Path, home: Path, no_kernel: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], fault: str, err: int, zh: str, en: str,
) -> None:  # fmt: skip
    runs = tmp_path / "runs"
    sheet = _unreadable(tmp_path)
    if fault == "mkdir":  # a read-only runs folder: no run folder can be made in it
        real_mkdir = os.mkdir

        def read_only(path, *a, **k):  # type: ignore[no-untyped-def]
            if Path(path).parent == runs:
                raise OSError(err, os.strerror(err), str(path))
            return real_mkdir(path, *a, **k)

        monkeypatch.setattr(os, "mkdir", read_only)
    else:  # the disk is full: the first manifest cannot be written
        monkeypatch.setattr(os, "fsync", _fail(err))
    code = main(["batch", str(sheet), "--out", str(runs), "--no-progress"])
    monkeypatch.undo()
    err_text = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err_text
    assert f"Cannot write to the folder {runs}" in err_text and zh in err_text and en in err_text
    for run_dir in runs.iterdir():  # a run folder that could be made says incomplete, no temp file
        assert _manifest(run_dir)["outcome"] == "incomplete" if (run_dir / "manifest.json").exists() else True
        assert _leftovers(run_dir) == []


def test_a_final_manifest_that_cannot_be_written_leaves_the_run_incomplete_and_the_batch_goes_on(
    tmp_path: Path, home: Path, no_kernel: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    real_fsync = os.fsync
    calls = []

    def full_on_second_call(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first sheet's final manifest: the disk is full by then
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_on_second_call)
    first, second = batch.run_batch([_unreadable(tmp_path, "a.xlsx"), _unreadable(tmp_path, "b.xlsx")], runs)
    monkeypatch.undo()
    assert first.outcome == "incomplete" and not first.ok
    assert f"Cannot write to the folder {first.run_dir}" in (first.error or "")
    assert _manifest(first.run_dir)["outcome"] == "incomplete"  # the earlier manifest, whole
    assert _leftovers(first.run_dir) == []
    assert (second.outcome, second.exit_status) == ("failed", 2)  # the next sheet still ran
    reg = Register(home / REGISTER_FILENAME)
    assert reg.get_run(first.run_id).status == "incomplete"


# ---------------------------------------------------------------------------------------------
# A corrupt register
# ---------------------------------------------------------------------------------------------
def test_a_batch_with_a_corrupt_register_keeps_its_run_and_says_so(
    tmp_path: Path, home: Path, no_kernel: None, capsys: pytest.CaptureFixture[str]
) -> None:
    home.mkdir()
    garbage = b"not a register, a shopping list\n" * 100
    (home / REGISTER_FILENAME).write_bytes(garbage)
    runs = tmp_path / "runs"
    code = main(["batch", str(_unreadable(tmp_path)), "--out", str(runs), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 2  # the unreadable sheet's code; the register problem does not hide it
    assert "Traceback" not in out + err
    (run_dir,) = runs.iterdir()
    assert _manifest(run_dir)["outcome"] == "failed"  # the run folder is kept
    assert "not recorded in the register" in out and "corrupt" in out
    assert "backup" in out  # … and what to do
    assert (home / REGISTER_FILENAME).read_bytes() == garbage  # never replaced
    assert sorted(p.name for p in home.iterdir()) == [REGISTER_FILENAME]

    code = main(["runs", "list", "--runs-dir", str(runs)])
    assert code == 2 and "corrupt" in capsys.readouterr().err
    assert (home / REGISTER_FILENAME).read_bytes() == garbage


# ---------------------------------------------------------------------------------------------
# A kernel that dies mid-cell (issue 16, item 4)
# ---------------------------------------------------------------------------------------------
_DIE_CELL = textwrap.dedent(
    """\
    import os, pathlib, time
    if pathlib.Path(intake_path).name == "dies.xlsx":
        pathlib.Path(os.environ["OQTK_FAULT_MARKER"]).write_text(str(os.getpid()))
        time.sleep(300)
    """
)


@pytest.mark.notebook
def test_a_kernel_killed_mid_cell_fails_its_sheet_within_seconds_and_the_next_sheet_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as the out-of-memory killer would: SIGKILL to the kernel while a cell runs. Before the
    # client was asynchronous, nbclient blocked in get_msg and the batch hung past the cell timeout
    nb = nbformat.read(batch.NOTEBOOK, as_version=4)
    review_at = next(i for i, c in enumerate(nb.cells) if "review_sheet" in c.source)
    nb.cells.insert(review_at, nbformat.v4.new_code_cell(_DIE_CELL))
    dying_nb = tmp_path / "dying.ipynb"
    nbformat.write(nb, dying_nb)
    marker = tmp_path / "kernel.pid"
    monkeypatch.setenv("OQTK_FAULT_MARKER", str(marker))
    monkeypatch.setenv("OQTK_HOME", str(tmp_path / "home"))
    dies = tmp_path / "dies.xlsx"
    dies.write_bytes(CLEAN.read_bytes())
    killed_at: list[float] = []
    failed_at: dict[str, float] = {}

    def killer() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text():
                killed_at.append(time.monotonic())
                _kill(int(marker.read_text()))
                return
            time.sleep(0.05)

    import threading

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    results = batch.run_batch(
        [dies, CLEAN],
        tmp_path / "runs",
        as_of=AS_OF,
        list_version=LIST_VERSION,
        notebook=dying_nb,
        timeout=600,  # the cell timeout is not what ends it
        on_progress=lambda _n, _total, res: failed_at.setdefault(res.input_path.name, time.monotonic()),
    )
    t.join(5)
    assert killed_at, "the notebook never reached the dying cell"
    died, good = results
    assert died.outcome == "failed" and died.exit_status == 1
    assert died.error == batch.KERNEL_DIED
    assert "审核进程意外终止，可能内存不足" in died.error and "possibly out of memory" in died.error
    assert _manifest(died.run_dir)["error"] == batch.KERNEL_DIED
    assert failed_at["dies.xlsx"] - killed_at[0] < 15  # noticed within seconds, not at the timeout
    assert good.outcome == "succeeded" and good.manifest["rows_in"] > 0  # the other sheet goes on
