"""The rules: the List, services by category, Category C title eligibility, one case end to end, and
the assessment process as that case's checklist."""

from .case import CaseInput, CaseResult, assess_case
from .experience import completion_date, full_years, years_between
from .listdata import (
    ListEntry,
    ListVersion,
    QualificationMatch,
    find_qualifications,
    get_version,
    list_versions,
    lookup_version,
    version_in_force,
)
from .process import Step, process_steps
from .requirements import Requirement, basic_requirements, requirements_for
from .services import Service, services_for
from .titles import Round, TitleAssessment, assess_title, rounds, title_series

__all__ = [
    "CaseInput",
    "CaseResult",
    "ListEntry",
    "ListVersion",
    "QualificationMatch",
    "Requirement",
    "Round",
    "Service",
    "Step",
    "TitleAssessment",
    "assess_case",
    "assess_title",
    "basic_requirements",
    "completion_date",
    "find_qualifications",
    "full_years",
    "get_version",
    "list_versions",
    "lookup_version",
    "process_steps",
    "requirements_for",
    "rounds",
    "services_for",
    "title_series",
    "version_in_force",
    "years_between",
]
