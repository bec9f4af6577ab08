"""The speed measures of ``oqtk batch`` that need another package's insides, and what each buys.

Issue 17 measured every such measure on the 10,000-row batch and kept only those buying at least
5 % of it (about 0.13 s of the 2.6 s ``oqtk batch`` of this 2-core machine when idle). The
machine was shared and loaded while measuring, so each is measured two ways: ``oqtk batch`` end
to end on and off in the same run, and the step itself (CPU or wall time of the step on the
critical path, which load does not blur). One went: a kernel launcher hiding ``debugpy``
(+3.0 % end to end when off; 0.07 s of a kernel's boot, which overlaps the runner's own start).

:func:`skip_iri_grammar`
    *What.* papermill imports nbformat, which imports jsonschema, whose format checker imports the
    optional IRI checker ``rfc3987_syntax`` when it is installed (jupyter-events pulls it in); that
    module compiles a Lark grammar at import. Notebook validation never checks an IRI format, so
    this process marks the module unavailable before papermill is imported; jsonschema then skips
    that format exactly as when the package is absent.
    *Private interface.* The ``sys.modules`` entry of a module jsonschema imports optionally.
    *Measured.* +18 % and +25 % of the 10k-row batch when off (two runs, median of five each).
    *Guard.* ``test_the_iri_grammar_speedup_still_targets_what_jsonschema_imports``.

:class:`ReadyClient`
    *What.* jupyter_client's ``wait_for_ready``, less its final wait for 0.2 s of silence on IOPub
    (the messages left there belong to the ``kernel_info`` request; nbclient skips every message
    whose parent is not its own request). It sits between the kernel's answer and the first cell.
    *Private interface.* ``KernelClient._handle_kernel_info_reply`` (jupyter_client 8), and the
    shape of ``_async_wait_for_ready`` it copies.
    *Measured.* A fixed 0.2 s of waiting before the first cell, every run (8 % of the idle
    2.6 s batch). End to end when off: +3.2 % (first run), +3.7 % median total and +0.19 s median
    to the first cell (third run, 6 × interleaved, the machine at load 8–13).
    *Guard.* ``test_the_ready_client_still_matches_jupyter_clients_wait_for_ready``.

:func:`render_html`
    *What.* nbconvert's ``HTMLExporter.from_notebook_node`` ends with a BeautifulSoup pass over the
    whole page that gives each cell and output wrapper a ``tabindex`` and each ``<img>`` without
    one an ``alt``; over the report's two 200-row tables that pass is 0.18 s of CPU after the last
    cell. Each ``text/html`` output (escaped tables and inline SVG, no ``<img>``) is set aside behind
    a unique placeholder for that pass and put back after it, unchanged: the page has the same
    elements, attributes and text. With ``sanitize_html`` on, outputs go through as they are.
    *Private interface.* What nbconvert's post-processing pass does (``nbconvert/exporters/html.py``).
    *Measured.* 0.19 s → 0.013 s CPU per export (median of five), on the critical path after the
    last cell (7 % of the idle batch); end to end, the time after the last cell 0.24 s on, 0.62 s
    off (median of six, interleaved, loaded machine). The first two on/off runs, whose wall-clock
    noise was ±0.2 s, showed −0.5 % and −4 %: the step-level measure is the reliable one.
    *Guard.* ``test_html_is_the_page_nbconvert_makes_less_its_pass_over_the_report_tables`` and
    ``test_the_soup_pass_is_still_what_nbconvert_does``.
"""

from __future__ import annotations

import copy
import sys
import time
import uuid
from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient

__all__ = ["IRI_GRAMMAR_MODULE", "ReadyClient", "render_html", "skip_iri_grammar"]

#: The optional module jsonschema's format checker imports, at a grammar compile's cost.
IRI_GRAMMAR_MODULE = "rfc3987_syntax"


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail in this process (unless it is already imported)."""
    if IRI_GRAMMAR_MODULE not in sys.modules:
        sys.modules[IRI_GRAMMAR_MODULE] = None  # type: ignore[assignment]


class ReadyClient(AsyncKernelClient):
    """jupyter_client's asynchronous client (as nbclient expects: a kernel killed mid-cell is
    noticed within about a second), ready as soon as the kernel has answered ``kernel_info``
    and IOPub is connected."""

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
                    return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


def render_html(exporter: Any, nb: Any) -> str:
    """``exporter.from_notebook_node(nb)`` with each ``text/html`` output set aside during
    nbconvert's BeautifulSoup pass (unless the exporter sanitises HTML)."""
    held: dict[str, str] = {}
    if not exporter.sanitize_html:
        nb = copy.deepcopy(nb)
        token = uuid.uuid4().hex
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                html = (out.get("data") or {}).get("text/html")
                if html is not None:
                    key = f"oqtk-output-{token}-{len(held)}"
                    held[key] = html if isinstance(html, str) else "".join(html)
                    out["data"]["text/html"] = key
    body, _resources = exporter.from_notebook_node(nb)
    for key, html in held.items():
        body = body.replace(key, html, 1)
    return str(body)
