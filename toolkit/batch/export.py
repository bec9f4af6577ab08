"""``review.html`` from the executed notebook (nbconvert's HTML exporter), and the run summary the
notebook emits (read back from its outputs)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from ..files import write_text_atomic
from ..paths import REPO_ROOT
from .report import SUMMARY_MIME, SUMMARY_TAG

__all__ = [
    "HTML_TEMPLATE",
    "HTML_TEMPLATE_DIR",
    "export_html",
    "html_exporter",
    "notebook_summary",
    "render_html",
]

#: review.html's nbconvert template: the lab page without require.js, MathJax, mermaid or the
#: widget renderer from a CDN, under a Content-Security-Policy allowing no request at all.
HTML_TEMPLATE_DIR = REPO_ROOT / "templates" / "nbconvert"
HTML_TEMPLATE = "oqtk_report"

_exporter_lock = threading.Lock()
_exporter: Any = None


def html_exporter() -> Any:
    """The one HTML exporter of this process (its templates compiled once, reused for every run).

    A run asks for it once its kernel is ready, so that its 0.4 s of imports and template
    compilation overlap the notebook's cells rather than the kernel's own boot."""
    global _exporter
    with _exporter_lock:
        if _exporter is None:
            from nbconvert import HTMLExporter
            from nbformat.v4 import new_notebook
            from traitlets.config import Config

            c = Config()
            c.TagRemovePreprocessor.enabled = True
            c.TagRemovePreprocessor.remove_cell_tags = {SUMMARY_TAG}
            exporter = HTMLExporter(
                config=c,
                template_name=HTML_TEMPLATE,  # lab, less its CDN scripts: nothing loaded from outside
                extra_template_basedirs=[str(HTML_TEMPLATE_DIR)],
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
            )
            exporter.from_notebook_node(new_notebook())  # compiles the templates
            _exporter = exporter
        return _exporter


def render_html(nb: Any) -> str:
    """The executed notebook as ``review.html`` (code hidden), as nbconvert's HTML exporter makes
    it, less its BeautifulSoup pass over the report's own outputs (:func:`.speedups.render_html`)."""
    from .speedups import render_html as render_setting_outputs_aside

    exporter = html_exporter()
    with _exporter_lock:  # from_notebook_node re-registers filters on the exporter: one at a time
        return render_setting_outputs_aside(exporter, nb)


def export_html(nb: Any, target: Path) -> None:
    write_text_atomic(target, render_html(nb))


def notebook_summary(nb: Any) -> dict[str, Any] | None:
    """The summary the notebook displayed under :data:`SUMMARY_MIME`, or None."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return None
