"""Excel intake sheets: the template, reading, validation, row review and results.

- :func:`read_intake` reads a workbook into an :class:`IntakeSheet` (raw cells mapped to the
  contract in :mod:`.contract`), or raises :class:`~toolkit.exceptions.IntakeError`;
  :func:`check_workbook` makes only the file-level checks (cheap: no cell is read);
- :func:`review_intake` validates every row (the pandera schema in :mod:`.schema`) and assesses it
  with :func:`toolkit.rules.assess_case`;
- :func:`write_results` writes ``results.xlsx`` and ``results.csv``, every table laid out and
  labelled by :mod:`.columns` (the one description of the result and problem columns), and
  :func:`~.results_csv.read_results_csv` reads ``results.csv`` back;
- :func:`make_template` writes the blank intake template.

The names are imported on first use (PEP 562): ``oqtk batch`` checks a workbook in its own
process without loading pandas, pandera and openpyxl, which only the notebook's kernel needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:  # pragma: no cover
    from .columns import PROBLEM_COLUMNS, RESULT_COLUMNS
    from .contract import COLUMNS, REQUIRED, Column, match_header
    from .reader import ErrorCell, FormulaCell, IntakeSheet, check_workbook, read_intake
    from .review import IntakeReview, review_intake
    from .rows import ReviewedRow
    from .schema import Problem, intake_schema
    from .template import make_template
    from .writer import WrittenFiles, write_results

_LAZY = {
    "COLUMNS": "contract",
    "REQUIRED": "contract",
    "RESULT_COLUMNS": "columns",
    "Column": "contract",
    "match_header": "contract",
    "ErrorCell": "reader",
    "FormulaCell": "reader",
    "IntakeSheet": "reader",
    "check_workbook": "reader",
    "read_intake": "reader",
    "PROBLEM_COLUMNS": "columns",
    "IntakeReview": "review",
    "ReviewedRow": "rows",
    "review_intake": "review",
    "Problem": "schema",
    "intake_schema": "schema",
    "make_template": "template",
    "WrittenFiles": "writer",
    "write_results": "writer",
}

__all__ = [
    "COLUMNS",
    "PROBLEM_COLUMNS",
    "REQUIRED",
    "RESULT_COLUMNS",
    "Column",
    "ErrorCell",
    "FormulaCell",
    "IntakeReview",
    "IntakeSheet",
    "Problem",
    "ReviewedRow",
    "WrittenFiles",
    "check_workbook",
    "intake_schema",
    "make_template",
    "match_header",
    "read_intake",
    "review_intake",
    "write_results",
]


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
