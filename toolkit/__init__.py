"""oq-toolkit: rules, calendar, intake review, batch runs and dashboards for the
Shanghai List of Recognized Overseas Occupational Qualifications (3.0).

The public surface is named in ``__all__``; everything else is internal.

Only the exceptions and findings are imported eagerly; every other name is imported on first use
(PEP 562): a dashboard kernel that only looks up certificates or dates starts without pandas,
pandera, papermill or sqlite, and ``oqtk batch`` can launch its first kernel before the rules
and their policy data are even imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from .exceptions import (
    CalendarNotCovered,
    IntakeError,
    ListImportError,
    OutputError,
    ParameterError,
    PolicyDataError,
    PolicyNotInForce,
    RegisterError,
    ToolkitError,
)
from .findings import Basis, Finding, Outcome, Source

if TYPE_CHECKING:  # pragma: no cover
    from .batch.runner import RunResult, run_batch
    from .calendar import (
        CalendarStatus,
        add_working_days,
        calendar_status,
        count_working_days,
        is_working_day,
    )
    from .intake import IntakeReview, read_intake, review_intake, write_results
    from .register import Decision, Register, RowChange, RunFolderError, RunRecord, ScanResult, VerifyResult
    from .rules import (
        CaseInput,
        CaseResult,
        ListEntry,
        ListVersion,
        PublicityCheck,
        PublicityWindow,
        QualificationMatch,
        Service,
        TitleAssessment,
        assess_case,
        assess_title,
        check_publicity,
        find_qualifications,
        get_version,
        latest_publicity_start,
        list_version_to_use,
        list_versions,
        publicity_end_date,
        publicity_window,
        rounds,
        services_for,
        title_series,
        version_in_force,
    )

from .version import __version__

_LAZY = {
    "CaseInput": "rules",
    "CaseResult": "rules",
    "ListEntry": "rules",
    "ListVersion": "rules",
    "QualificationMatch": "rules",
    "Service": "rules",
    "TitleAssessment": "rules",
    "assess_case": "rules",
    "assess_title": "rules",
    "find_qualifications": "rules",
    "get_version": "rules",
    "list_version_to_use": "rules",
    "list_versions": "rules",
    "rounds": "rules",
    "services_for": "rules",
    "title_series": "rules",
    "version_in_force": "rules",
    "CalendarStatus": "calendar",
    "PublicityCheck": "rules.publicity",
    "PublicityWindow": "rules.publicity",
    "add_working_days": "calendar",
    "calendar_status": "calendar",
    "check_publicity": "rules.publicity",
    "count_working_days": "calendar",
    "is_working_day": "calendar",
    "latest_publicity_start": "rules.publicity",
    "publicity_end_date": "rules.publicity",
    "publicity_window": "rules.publicity",
    "RunResult": "batch.runner",
    "run_batch": "batch.runner",
    "IntakeReview": "intake",
    "read_intake": "intake",
    "review_intake": "intake",
    "write_results": "intake",
    "Decision": "register",
    "Register": "register",
    "RowChange": "register",
    "RunFolderError": "register",
    "RunRecord": "register",
    "ScanResult": "register",
    "VerifyResult": "register",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)


__all__ = [
    "Basis",
    "CalendarNotCovered",
    "CalendarStatus",
    "CaseInput",
    "CaseResult",
    "Decision",
    "Finding",
    "IntakeError",
    "IntakeReview",
    "ListEntry",
    "ListImportError",
    "ListVersion",
    "Outcome",
    "OutputError",
    "ParameterError",
    "PolicyDataError",
    "PolicyNotInForce",
    "PublicityCheck",
    "PublicityWindow",
    "QualificationMatch",
    "Register",
    "RegisterError",
    "RowChange",
    "RunFolderError",
    "RunRecord",
    "RunResult",
    "ScanResult",
    "Service",
    "Source",
    "TitleAssessment",
    "ToolkitError",
    "VerifyResult",
    "__version__",
    "add_working_days",
    "assess_case",
    "assess_title",
    "calendar_status",
    "check_publicity",
    "count_working_days",
    "find_qualifications",
    "get_version",
    "is_working_day",
    "latest_publicity_start",
    "list_version_to_use",
    "list_versions",
    "publicity_end_date",
    "publicity_window",
    "read_intake",
    "review_intake",
    "rounds",
    "run_batch",
    "services_for",
    "title_series",
    "version_in_force",
    "write_results",
]
