"""The one speed measure of ``oqtk batch`` that needs another package's insides, and what it buys.

Issue 17 measured every such measure on the 10,000-row batch (``oqtk batch`` end to end, on and
off in the same run, five times each, twice, on a loaded 2-core machine) and kept only those
buying at least 5 % of it. The others went: a ``wait_for_ready`` without jupyter_client's final
0.2 s IOPub drain (+3.2 % / +x % when off), a kernel launcher hiding ``debugpy`` (+3.0 %),
setting outputs aside during nbconvert's BeautifulSoup pass (−0.5 %: no gain).

:func:`skip_iri_grammar` — kept
    *What.* papermill imports nbformat, which imports jsonschema, whose format checker imports the
    optional IRI checker ``rfc3987_syntax`` when it is installed (jupyter-events pulls it in); that
    module compiles a Lark grammar at import, about 0.5–1 s of every ``oqtk batch``. Notebook
    validation never checks an IRI format, so this process marks the module unavailable
    (``sys.modules["rfc3987_syntax"] = None``) before papermill is imported; jsonschema then
    skips that format exactly as when the package is absent.
    *Private interface.* The ``sys.modules`` entry of a module jsonschema imports optionally
    (``jsonschema._format``), and jsonschema's handling of its absence.
    *Measured.* +18 % of the 10k-row batch when off (2.58 s → 3.05 s; median of five).
    *Guard.* ``tests/test_batch.py::test_the_iri_grammar_speedup_still_targets_what_jsonschema_imports``
    fails when jsonschema stops importing ``rfc3987_syntax`` (the measure is then moot: delete
    it) or when a notebook no longer validates with it in place.
"""

from __future__ import annotations

import sys

__all__ = ["IRI_GRAMMAR_MODULE", "skip_iri_grammar"]

#: The optional module jsonschema's format checker imports, at a grammar compile's cost.
IRI_GRAMMAR_MODULE = "rfc3987_syntax"


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail in this process (unless it is already imported)."""
    if IRI_GRAMMAR_MODULE not in sys.modules:
        sys.modules[IRI_GRAMMAR_MODULE] = None  # type: ignore[assignment]
