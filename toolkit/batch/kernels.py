"""Kernels for batch runs, started ahead of their notebooks.

papermill starts a notebook's kernel only when it executes the notebook, and that kernel then
spends about a second booting and importing pandas, pandera and the toolkit before the first
cell does any work. ``oqtk batch`` instead starts each kernel as soon as it knows the kernel
will be needed (its sheet is a workbook), and the kernel spends that second *while* the runner
imports papermill, checks the parameters, writes the first manifest, or — for the next sheet of
a sequential batch — while the previous sheet's notebook runs. Work the runner can put off
(building the HTML exporter, starting the next sheet's kernel) waits until the kernel is ready
(:func:`once_ready`): on two cores it would otherwise slow the kernel's boot.

Each kernel preloads (:func:`toolkit.batch.report.preload`): it imports the review's modules and
reads the policy data a review reads first, and has calamine parse its sheet in a background
thread meanwhile (used by the notebook's read only if the file's bytes are unchanged). No date or
parameter is touched, nothing is bound in the notebook's namespace and no execution count is
used; the notebook then runs exactly as it would in a fresh kernel, and is still the whole record.

papermill is handed the kernel through its ``km`` argument. A client does not shut down a kernel
it did not start, nor close its own connections to it; :class:`BatchKernel` remembers the
clients it hands out (jupyter_client's asynchronous client, as nbclient expects: a kernel killed
mid-cell is then noticed within about a second) so that :meth:`BatchKernel.stop` can do both.
Work to do once the kernel has answered is handed to nbclient's public ``on_notebook_start``
hook (:func:`once_ready`).

jupyter_client, nbclient and ipykernel are used through their public interfaces (the stock
``ipykernel_launcher`` kernel, jupyter_client's own kernelspec lookup) except for one measured
shortcut kept in :mod:`toolkit.batch.speedups` (the client's ``wait_for_ready``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager

__all__ = ["PRELOAD", "BatchKernel", "KernelsAhead", "once_ready", "start_kernel"]

log = logging.getLogger(__name__)

#: Run by each ipykernel at start-up (``IPKernelApp.exec_lines``); binds no name.
PRELOAD = '__import__("toolkit.batch.report").batch.report.preload({path})'


class BatchKernel(KernelManager):
    """A kernel manager that can stop its kernel *and* close the clients papermill opened on it;
    its clients are :class:`toolkit.batch.speedups.ReadyClient` (jupyter_client's asynchronous
    client, ready without the final 0.2 s IOPub drain)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(client_class="toolkit.batch.speedups.ReadyClient", **kwargs)
        self._clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        self._clients.append(kc)
        return kc

    def stop(self) -> None:
        """Close every client's channels and kill the kernel at once (never raises).

        The kernel is sent SIGKILL and watched until it has gone (a few ms) before
        ``shutdown_kernel(now=True)`` tidies up (the connection file): that call, given a live
        kernel, kills it and then polls every 0.1 s, so the end of every batch waited 0.1 s for
        a process already dead."""
        for kc in self._clients:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        self._clients.clear()
        with contextlib.suppress(Exception):
            if self.has_kernel:
                self.signal_kernel(signal.SIGKILL)
                deadline = time.monotonic() + 2.0
                while self.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.002)
                self.shutdown_kernel(now=True)  # also removes the connection file


def once_ready(*callbacks: Callable[[], None]) -> Callable[..., None]:
    """A hook for nbclient's ``on_notebook_start`` (called once its client finds the kernel
    ready) that runs ``callbacks`` in order in a background thread, logging any error.

    Work the runner has to do anyway — start the next sheet's kernel, build the HTML exporter —
    then overlaps the notebook's cells instead of competing with this kernel's own boot and
    preload for the CPU."""

    def run_all() -> None:
        for cb in callbacks:
            try:
                cb()
            except Exception:  # best-effort work ahead: the run does it itself if need be
                log.exception("work started once the kernel was ready failed")

    def hook(**_kwargs: Any) -> None:
        threading.Thread(target=run_all, name="oqtk-kernel-ready", daemon=True).start()

    return hook


def start_kernel(
    kernel_name: str, config: Any = None, intake_path: str | os.PathLike[str] | None = None
) -> BatchKernel:
    """Launch a kernel (returns at once; it boots and preloads in its own process, and starts
    parsing ``intake_path`` if given)."""
    km = BatchKernel(kernel_name=kernel_name, config=config)
    args = ["--HistoryManager.hist_file=:memory:"]  # as nbclient passes: no history database
    if km.ipykernel:
        path = ascii(os.fspath(intake_path)) if intake_path is not None else ""  # a Python literal
        args.append(f"--IPKernelApp.exec_lines={PRELOAD.format(path=path)}")
    km.start_kernel(extra_arguments=args)
    return km


class KernelsAhead:
    """Kernels started ahead of their runs, one per run index at most.

    :meth:`start` is best-effort (a kernel that cannot start here is started, or its failure
    reported, by the run itself); :meth:`take` hands a run its kernel; :meth:`retire` stops it
    once the run is done with it; :meth:`stop_all` kills those never taken (a refused
    parameter, an interrupted batch) and waits for those retiring; leaving a ``with`` block
    does the same. A start that completes after :meth:`stop_all` (it runs in the background
    once the current kernel is ready) stops its kernel at once.

    ``check`` refuses a file no run could read; ``sniff`` is its first ~2 ms (is the file a
    workbook at all?). A kernel is started once ``sniff`` passes and ``check`` runs while it
    boots: 50–70 ms earlier for a 10,000-row sheet, the time the reading limits' scan takes; a
    file ``check`` refuses has its kernel stopped at once and not handed out.
    """

    def __init__(
        self,
        kernel_name: str,
        config_factory: Callable[[], Any],
        check: Callable[[Path], None],
        sniff: Callable[[Path], None],
    ) -> None:
        self._kernel_name = kernel_name
        self._config_factory = config_factory
        self._check = check  # raises when the sheet cannot be read at all: no kernel kept for it
        self._sniff = sniff  # its quick first part: no kernel started for a non-workbook
        self._kms: dict[int, BatchKernel] = {}
        self._stopping: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self, index: int, path: str | os.PathLike[str]) -> None:
        with self._lock:
            if index in self._kms or self._closed:
                return
        km = None
        try:
            full = Path(path).expanduser().absolute()
            self._sniff(full)  # a workbook at all: its kernel boots while the rest is checked
            km = start_kernel(self._kernel_name, self._config_factory(), full)
            self._check(full)
        except Exception:
            if km is not None:
                km.stop()
            return
        with self._lock:
            # started twice at once: keep one; started after stop_all: keep none
            spare = self._closed or self._kms.setdefault(index, km) is not km
        if spare:
            km.stop()

    def take(self, index: int) -> BatchKernel | None:
        with self._lock:
            return self._kms.pop(index, None)

    def retire(self, km: BatchKernel) -> None:
        """Stop a finished run's kernel in the background: the kill is immediate, but reaping the
        process and removing its connection file take ~0.1 s the run need not wait for."""
        t = threading.Thread(target=km.stop, name="oqtk-kernel-stop")
        with self._lock:
            self._stopping.append(t)
        t.start()

    def __enter__(self) -> KernelsAhead:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop_all()

    def stop_all(self) -> None:
        """Stop the kernels never taken and wait for those being retired; start no more."""
        with self._lock:
            self._closed = True
            kms, self._kms = list(self._kms.values()), {}
            stopping, self._stopping = self._stopping, []
        for km in kms:
            km.stop()
        for t in stopping:
            t.join()
