"""Kernels for batch runs, started ahead of their notebooks.

papermill starts a notebook's kernel only when it executes the notebook, and that kernel then
spends about a second booting and importing pandas, pandera and the toolkit before the first
cell does any work. ``oqtk batch`` instead starts each kernel as soon as it knows the kernel
will be needed (its sheet is a workbook), and the kernel spends that second *while* the runner
imports papermill, checks the parameters, writes the first manifest, or — for the next sheet of
a sequential batch — while the previous sheet's notebook runs. Work the runner can put off
(building the HTML exporter, starting the next sheet's kernel) waits until the kernel is ready
(:meth:`BatchKernel.when_ready`): on two cores it would otherwise slow the kernel's boot.

Each kernel preloads (:func:`toolkit.batch.report.preload`): it imports the review's modules and
reads the policy data a review reads first, and has calamine parse its sheet in a background
thread meanwhile (used by the notebook's read only if the file's bytes are unchanged). No date or
parameter is touched, nothing is bound in the notebook's namespace and no execution count is
used; the notebook then runs exactly as it would in a fresh kernel, and is still the whole record.

papermill is handed the kernel through its ``km`` argument. A client does not shut down a kernel
it did not start, nor close its own connections to it; :class:`BatchKernel` remembers the
clients it hands out so that :meth:`BatchKernel.stop` can do both. Its clients
(:class:`BatchKernelClient`) wait for the kernel as jupyter_client's do, less the final 0.2 s
spent draining IOPub, which nbclient does not need (it reads only the messages of its own
requests).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

__all__ = ["PRELOAD", "BatchKernel", "BatchKernelClient", "KernelsAhead", "kernel_specs", "start_kernel"]

log = logging.getLogger(__name__)

#: Run by each ipykernel at start-up (``IPKernelApp.exec_lines``); binds no name.
PRELOAD = '__import__("toolkit.batch.report").batch.report.preload({path})'


class BatchKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous client, ready as soon as the kernel has answered.

    Asynchronous, as nbclient expects: nbclient waits for a cell's reply and, alongside, checks
    every second that the kernel is still alive (``NotebookClient._async_poll_kernel_alive``,
    which raises ``DeadKernelError``). With a blocking client the wait for the reply blocked the
    event loop, so a kernel killed mid-cell (by the OOM killer, say) was never noticed and the
    batch hung for the whole cell timeout and beyond; with this one it is noticed within about
    a second (tested by killing the kernel mid-cell).

    ``wait_for_ready`` asks for ``kernel_info`` until the reply comes and an IOPub message shows
    that channel is connected — as jupyter_client does — but then returns, where jupyter_client
    goes on reading IOPub until it has been quiet for 0.2 s. Messages left there belong to that
    ``kernel_info`` request; nbclient skips every message whose parent is not its own request.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(msg)
                    if isinstance(self.parent, BatchKernel):
                        self.parent.ready()
                    return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class BatchKernel(KernelManager):
    """A kernel manager that can stop its kernel *and* close the clients papermill opened on it.

    An ipykernel kernelspec (``python -m ipykernel_launcher``) is launched through
    :mod:`toolkit.batch.kernel_main` instead, without ``-Xfrozen_modules=off``: the same kernel
    without its debugger, which a headless batch run never uses (0.07 s less per kernel). Any
    other kernelspec is launched as it is.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(client_class="toolkit.batch.kernels.BatchKernelClient", **kwargs)
        self._clients: list[Any] = []
        self._when_ready: list[Callable[[], None]] = []

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        cmd = super().format_kernel_cmd(extra_arguments)
        for i in range(1, len(cmd) - 1):
            if cmd[i : i + 2] == ["-m", "ipykernel_launcher"]:
                head = [a for a in cmd[1:i] if a != "-Xfrozen_modules=off"]
                return [cmd[0], *head, "-m", "toolkit.batch.kernel_main", *cmd[i + 2 :]]
        return cmd

    def when_ready(self, *callbacks: Callable[[], None]) -> None:
        """Call ``callbacks`` (in order, in a background thread) once a client finds the kernel
        ready: work the runner has to do anyway — start the next sheet's kernel, build the HTML
        exporter — then overlaps the notebook's cells instead of competing with this kernel's
        own boot and preload for the CPU."""
        self._when_ready.extend(callbacks)

    def ready(self) -> None:
        """The kernel answered: run the :meth:`when_ready` callbacks (once; errors are logged)."""
        callbacks, self._when_ready = self._when_ready, []
        if callbacks:
            threading.Thread(
                target=_call_each, args=(callbacks,), name="oqtk-kernel-ready", daemon=True
            ).start()

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        self._clients.append(kc)
        return kc

    def stop(self) -> None:
        """Close every client's channels and kill the kernel at once (never raises)."""
        for kc in self._clients:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        self._clients.clear()
        with contextlib.suppress(Exception):
            if self.has_kernel:
                self.shutdown_kernel(now=True)  # also removes the connection file


def _call_each(callbacks: list[Callable[[], None]]) -> None:
    for cb in callbacks:
        try:
            cb()
        except Exception:  # best-effort work ahead: the run does it itself if need be
            log.exception("work started once the kernel was ready failed")


@functools.cache
def kernel_specs() -> KernelSpecManager:
    """Where batch kernels are looked up: jupyter_client's own directories, named without
    importing IPython.

    jupyter_client looks in the Jupyter data directories and then in IPython's legacy
    ``<ipython dir>/kernels``, and names the latter by importing IPython — 0.04 s before the first
    kernel can even be launched, in a process that has no other use for IPython. The same
    directories, IPython's named as IPython names it (``$IPYTHONDIR``, else ``~/.ipython``).
    """
    from jupyter_core.paths import jupyter_path

    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    return KernelSpecManager(kernel_dirs=[*jupyter_path("kernels"), os.path.join(ipython_dir, "kernels")])


def start_kernel(
    kernel_name: str, config: Any = None, intake_path: str | os.PathLike[str] | None = None
) -> BatchKernel:
    """Launch a kernel (returns at once; it boots and preloads in its own process, and starts
    parsing ``intake_path`` if given)."""
    km = BatchKernel(kernel_name=kernel_name, config=config, kernel_spec_manager=kernel_specs())
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
    """

    def __init__(
        self,
        kernel_name: str,
        config_factory: Callable[[], Any],
        check: Callable[[Path], None],
    ) -> None:
        self._kernel_name = kernel_name
        self._config_factory = config_factory
        self._check = check  # raises when the sheet cannot be read at all: no kernel for it
        self._kms: dict[int, BatchKernel] = {}
        self._stopping: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self, index: int, path: str | os.PathLike[str]) -> None:
        with self._lock:
            if index in self._kms or self._closed:
                return
        try:
            full = Path(path).expanduser().absolute()
            self._check(full)
            km = start_kernel(self._kernel_name, self._config_factory(), full)
        except Exception:
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
