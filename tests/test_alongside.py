"""Work in a forked child alongside this process (toolkit/alongside.py), and results.xlsx written so.

What each test proves:
- the function runs in another process while the block runs here, and its file is whole when
  the block is left;
- an exception the child raises is raised here, with its type and arguments; one that does not
  pickle arrives as its traceback text; a child that dies without a word is a clear error;
- a block that raises kills the child (its work stops) and its own exception goes on;
- ``fork=False`` runs the function here, first, and so does a fork that fails (out of memory);
- ``write_results`` on a review of ``FORK_FROM_ROWS`` rows or more writes, through the child, the
  same workbook (every cell of every sheet) and the same CSV as in one process.
"""

from __future__ import annotations

import os
import signal
import time
import zipfile
from pathlib import Path

import pytest

from toolkit.alongside import ChildFailed, alongside, can_fork
from toolkit.exceptions import ToolkitError

pytestmark = pytest.mark.skipif(
    not can_fork(), reason="alongside forks on Linux only: elsewhere it runs in process"
)


def _write_pid(path: Path, wait: float = 0.0) -> None:
    time.sleep(wait)
    path.write_text(str(os.getpid()))


def test_the_function_runs_in_another_process_while_the_block_runs(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    with alongside(_write_pid, out, 0.3):
        assert not out.exists()  # the block goes on while the child still works
        here = os.getpid()
    assert int(out.read_text()) != here  # whole once the block is left


def test_fork_false_runs_it_here_first(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    with alongside(_write_pid, out, fork=False):
        assert int(out.read_text()) == os.getpid()


def test_when_no_process_can_be_forked_it_runs_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Out of memory or at the process limit, fork fails: the work is done here, not lost."""
    import errno

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))

    monkeypatch.setattr(os, "fork", no_fork)
    out = tmp_path / "pid"
    with alongside(_write_pid, out):
        assert int(out.read_text()) == os.getpid()


class _Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("no way back")
        self.handle = lambda: None  # a lambda does not pickle


def _raise(exc: BaseException) -> None:
    raise exc


def test_the_childs_exception_is_raised_here_with_its_type_and_arguments() -> None:
    with pytest.raises(OSError) as err, alongside(_raise, OSError(28, "No space left on device", "x.tmp")):
        pass
    assert (err.value.errno, err.value.strerror, err.value.filename) == (
        28,
        "No space left on device",
        "x.tmp",
    )


def test_an_exception_that_does_not_pickle_arrives_as_its_traceback() -> None:
    with pytest.raises(ChildFailed, match=r"_Unpicklable: no way back"), alongside(_raise, _Unpicklable()):
        pass


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_that_dies_without_a_word_is_a_clear_error() -> None:
    with pytest.raises(ChildFailed) as err, alongside(_die):
        pass
    assert isinstance(err.value, ToolkitError)
    assert "可能内存不足" in str(err.value) and "possibly out of memory" in str(err.value)
    assert str(-signal.SIGKILL) in str(err.value)


def test_a_block_that_raises_stops_the_child_and_its_exception_goes_on(tmp_path: Path) -> None:
    out = tmp_path / "pid"
    t0 = time.monotonic()
    with pytest.raises(KeyError), alongside(_write_pid, out, 5.0):
        raise KeyError("the block failed")
    assert time.monotonic() - t0 < 4  # killed, not waited for
    time.sleep(0.2)
    assert not out.exists()


def _workbook_cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_results_written_alongside_are_the_results_written_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from intake_helpers import write_book

    from toolkit.intake import COLUMNS, review_intake, write_results
    from toolkit.intake import writer as writer_mod

    header = [c.zh for c in COLUMNS]
    keys = [c.key for c in COLUMNS]
    certs = ["FCCA", "ACCA", "CFA", "IET Fellow", "=HYPERLINK(1)"]

    def line(i: int) -> list[object]:
        v = {
            "application_id": f"P{i:05d}",
            "full_name": f"测试{i}",
            "holder_type": "外籍人员",
            "qualifications": certs[i % len(certs)],
            "verified": "是",
            "degree": "硕士",
            "title_series": "会计",
            "relevant_since": dt.date(2015, 1, 1) + dt.timedelta(days=i),
            "publicity_start": dt.date(2025, 9, 1) + dt.timedelta(days=i % 60),
        }
        return [v.get(k) for k in keys]

    n = writer_mod.FORK_FROM_ROWS
    book = write_book(tmp_path / "big.xlsx", [header, *(line(i) for i in range(n))])
    review = review_intake(book, as_of="2025-12-31", list_version="1.0")
    assert len(review.rows) == n
    forked = write_results(review, tmp_path / "forked")
    monkeypatch.setattr(writer_mod, "FORK_FROM_ROWS", n + 1)
    here = write_results(review, tmp_path / "here")
    assert _workbook_cells(forked["xlsx"]) == _workbook_cells(here["xlsx"])
    with zipfile.ZipFile(forked["xlsx"]) as a, zipfile.ZipFile(here["xlsx"]) as b:
        assert {i.filename: a.read(i) for i in a.infolist()} == {i.filename: b.read(i) for i in b.infolist()}
    assert forked["csv"].read_bytes() == here["csv"].read_bytes()
    assert not list((tmp_path / "forked").glob("*.tmp"))
