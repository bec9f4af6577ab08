"""oq-toolkit: rules, calendar, intake review, batch runs and dashboards for the
Shanghai List of Recognized Overseas Occupational Qualifications (3.0).

The public surface is named in ``__all__``; everything else is internal.
"""

from __future__ import annotations

from .batch import RunResult, run_batch
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
from .intake import IntakeReview, read_intake, review_intake, write_results
from .register import (
    Decision,
    Register,
    RowChange,
    RunFolderError,
    RunRecord,
    ScanResult,
    VerifyResult,
)
from .rules import (
    CaseInput,
    CaseResult,
    ListEntry,
    ListVersion,
    QualificationMatch,
    Service,
    TitleAssessment,
    assess_case,
    assess_title,
    find_qualifications,
    get_version,
    list_versions,
    rounds,
    services_for,
    title_series,
    version_in_force,
)
from .workdays import (
    CalendarStatus,
    PublicityCheck,
    PublicityWindow,
    add_working_days,
    calendar_status,
    check_publicity,
    count_working_days,
    is_working_day,
    latest_publicity_start,
    publicity_end_date,
    publicity_window,
)

__version__ = "0.1.0"

__all__ = [
    "Basis",
    "CaseInput",
    "CaseResult",
    "ListEntry",
    "ListVersion",
    "QualificationMatch",
    "Service",
    "TitleAssessment",
    "assess_case",
    "assess_title",
    "find_qualifications",
    "get_version",
    "list_versions",
    "rounds",
    "services_for",
    "title_series",
    "version_in_force",
    "CalendarNotCovered",
    "Finding",
    "IntakeError",
    "IntakeReview",
    "read_intake",
    "review_intake",
    "write_results",
    "ListImportError",
    "Outcome",
    "RunResult",
    "ParameterError",
    "PolicyDataError",
    "RegisterError",
    "Source",
    "ToolkitError",
    "__version__",
    "CalendarStatus",
    "PublicityCheck",
    "PublicityWindow",
    "add_working_days",
    "calendar_status",
    "check_publicity",
    "count_working_days",
    "is_working_day",
    "latest_publicity_start",
    "publicity_end_date",
    "publicity_window",
    "Decision",
    "Register",
    "RowChange",
    "RunFolderError",
    "RunRecord",
    "ScanResult",
    "VerifyResult",
]
