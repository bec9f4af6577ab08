"""Excel intake sheets: the template, reading, validation, row review and results.

- :func:`read_intake` reads a workbook into an :class:`IntakeSheet` (raw cells mapped to the
  contract in :mod:`.contract`), or raises :class:`~toolkit.exceptions.IntakeError`;
- :func:`review_intake` validates every row (the pandera schema in :mod:`.schema`) and assesses it
  with :func:`toolkit.rules.assess_case`;
- :func:`write_results` writes ``results.xlsx`` and ``results.csv``;
- :func:`make_template` writes the blank intake template.
"""

from .contract import COLUMNS, REQUIRED, RESULT_COLUMNS, Column, match_header
from .reader import ErrorCell, FormulaCell, IntakeSheet, read_intake
from .review import PROBLEM_COLUMNS, IntakeReview, ReviewedRow, review_intake
from .schema import Problem, intake_schema
from .template import make_template
from .writer import WrittenFiles, write_results

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
    "intake_schema",
    "make_template",
    "match_header",
    "read_intake",
    "review_intake",
    "write_results",
]
