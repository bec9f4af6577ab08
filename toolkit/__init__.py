"""oq-toolkit: rules, calendar, intake review, batch runs and dashboards for the
Shanghai List of Recognized Overseas Occupational Qualifications (3.0).

The public surface is named in ``__all__``; everything else is internal.
"""

from __future__ import annotations

from .exceptions import (
    CalendarNotCovered,
    IntakeError,
    ListImportError,
    ParameterError,
    PolicyDataError,
    RegisterError,
    ToolkitError,
)
from .findings import Basis, Finding, Outcome, Source

__version__ = "0.1.0"

__all__ = [
    "Basis",
    "CalendarNotCovered",
    "Finding",
    "IntakeError",
    "ListImportError",
    "Outcome",
    "ParameterError",
    "PolicyDataError",
    "RegisterError",
    "Source",
    "ToolkitError",
    "__version__",
]
