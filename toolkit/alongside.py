"""Work done in a forked child process while this process goes on: the one place the toolkit forks.

Why: a batch kernel reviews its sheet on one core while the machine's other core waits (the
runner that started the kernel only waits for it). A review's results are two independent files,
so :func:`toolkit.intake.writer.write_results` has a child build ``results.xlsx`` while this
process writes ``results.csv``; the two meet before either is moved into place. Measured on
this 2-core machine, alternating on one review: writing the results of 10,000 rows 0.45 → 0.35 s,
of 100,000 rows 4.5 → 3.2 s (``make bench`` repeats it in its intake review's "write" rows).

The child is a ``fork`` of this process (multiprocessing's ``fork`` context, a public interface):
it sees the review as it is in memory, so nothing is pickled or copied to it up front, and it
starts in milliseconds. Only the forking thread exists in the child. It runs one function, which
writes to a path it was given and takes no lock another thread may hold; it sends back ``None``
or the exception raised over a pipe, and exits as multiprocessing's forked children do
(``os._exit``: no ``atexit`` handler, no output). An ipykernel or Voila kernel is undisturbed
(ipykernel's output streams are themselves made for forked children).

Off Linux (:func:`can_fork`), or when the caller says the work is too small to be worth a process,
the function simply runs here first, with the same outcome.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from .exceptions import ToolkitError

__all__ = ["ChildFailed", "alongside", "can_fork"]


class ChildFailed(ToolkitError):
    """The child ended without an answer (killed, out of memory), or with an exception that could
    not be sent back (its traceback is the message)."""


def can_fork() -> bool:
    """Whether work is forked here: on Linux, where multiprocessing's ``fork`` is its default.

    Not on macOS, where Python itself stopped forking by default (3.8) because system frameworks
    can crash a forked child; nor on Windows, which has no ``fork``."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _child(send: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        fn(*args)
    except BaseException as exc:  # sent back whole, to be raised in the parent
        try:
            send.send(exc)
        except Exception:  # it does not pickle: its traceback, as text
            send.send(ChildFailed("".join(traceback.format_exception(exc)).strip()))
    else:
        send.send(None)
    finally:
        send.close()


def _answer(recv: Any, proc: Any) -> BaseException | None:
    try:
        return recv.recv()  # type: ignore[no-any-return]
    except EOFError:  # the child ended without a word
        proc.join()
        return ChildFailed(
            f"并行的子进程意外结束（退出码 {proc.exitcode}），可能内存不足 / the process working "
            f"alongside ended unexpectedly (exit code {proc.exitcode}), possibly out of memory"
        )


def _fork(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, Any] | None:
    """The child started on ``fn`` and the end of the pipe its answer comes by; None if no
    process could be forked."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args), name="oqtk-alongside", daemon=True)
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns at every fork of a process with threads (a kernel has some); the
            # child runs only ``fn`` (see the module docstring).
            warnings.filterwarnings("ignore", r".*use of fork\(\) may lead to deadlocks", DeprecationWarning)
            proc.start()
    except OSError:  # EAGAIN, ENOMEM: the work is done here instead
        recv.close()
        return None
    finally:
        send.close()  # the child's end: once the child is gone, recv() sees EOF
    return proc, recv


@contextlib.contextmanager
def alongside(fn: Callable[..., Any], *args: Any, fork: bool = True) -> Iterator[None]:
    """Run ``fn(*args)`` in a forked child while the ``with`` block runs here; on leaving the
    block, wait for the child and raise the exception ``fn`` raised, if any.

    Should the block raise (or the wait be interrupted), the child is killed and waited for, and
    that exception goes on. With ``fork=False``, where :func:`can_fork` is false, or when no
    process can be forked now (out of memory, at the process limit), ``fn`` runs here before the
    block.
    """
    started = _fork(fn, args) if fork and can_fork() else None
    if started is None:
        fn(*args)
        yield
        return
    proc, recv = started
    try:
        yield
        outcome = _answer(recv, proc)
    except BaseException:
        proc.kill()
        raise
    finally:
        recv.close()
        proc.join()
    if outcome is not None:
        raise outcome
