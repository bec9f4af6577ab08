"""The rules: the List, services by category, Category C title eligibility, the publicity period,
one case end to end, and the assessment process as that case's checklist."""

from .case import CaseInput, CaseResult, assess_case
from .experience import completion_date, full_years, years_between
from .listdata import (
    ListEntry,
    ListVersion,
    VersionChoice,
    get_version,
    list_version_to_use,
    list_versions,
    lookup_version,
    version_in_force,
)
from .listsearch import QualificationMatch, find_qualifications
from .process import Step, process_steps
from .publicity import (
    PublicityCheck,
    PublicityWindow,
    assess_publicity,
    check_publicity,
    latest_publicity_start,
    provisional_finding,
    publicity_end_date,
    publicity_window,
    required_working_days,
)
from .requirements import Requirement, basic_requirements, requirements_for
from .services import Service, services_for
from .titles import Round, TitleAssessment, assess_title, rounds, title_series

__all__ = [
    "CaseInput",
    "CaseResult",
    "ListEntry",
    "ListVersion",
    "PublicityCheck",
    "PublicityWindow",
    "QualificationMatch",
    "Requirement",
    "Round",
    "Service",
    "Step",
    "TitleAssessment",
    "VersionChoice",
    "assess_case",
    "assess_publicity",
    "assess_title",
    "basic_requirements",
    "check_publicity",
    "completion_date",
    "find_qualifications",
    "full_years",
    "get_version",
    "latest_publicity_start",
    "list_version_to_use",
    "list_versions",
    "lookup_version",
    "process_steps",
    "provisional_finding",
    "publicity_end_date",
    "publicity_window",
    "required_working_days",
    "requirements_for",
    "rounds",
    "services_for",
    "title_series",
    "version_in_force",
    "years_between",
]
