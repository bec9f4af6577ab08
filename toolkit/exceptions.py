"""Exceptions raised by oq-toolkit: one class per failure mode (as papermill and nbclient do)."""

from __future__ import annotations

__all__ = [
    "CalendarNotCovered",
    "IntakeError",
    "ListImportError",
    "ParameterError",
    "PolicyDataError",
    "RegisterError",
    "ToolkitError",
]


class ToolkitError(Exception):
    """Raised for any error the toolkit reports to an officer; the message is the whole story."""


class PolicyDataError(ToolkitError):
    """Raised when a file under ``data/`` is malformed; the message names the file and the key."""

    def __init__(self, path: object, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.path}: {key}: {problem}")


class CalendarNotCovered(ToolkitError):
    """Raised when a date lies in a year whose official holiday schedule is not loaded."""

    def __init__(self, year: int, message: str | None = None) -> None:
        self.year = year
        super().__init__(
            message
            or (
                f"{year}年的法定节假日安排尚未载入 / The official holiday schedule for {year} is not loaded. "
                f"Add data/calendar/{year}.yaml from the State Council General Office notice "
                "(see data/calendar/README.md), or upgrade the `holidays` library."
            )
        )


class IntakeError(ToolkitError):
    """Raised when a file cannot be read as an intake sheet at all (row problems are not errors)."""


class ListImportError(ToolkitError):
    """Raised when an annex table cannot be imported as a version of the List."""


class ParameterError(ToolkitError):
    """Raised when batch-run parameters have unknown names or wrong types."""


class RegisterError(ToolkitError):
    """Raised when the run register is missing, corrupt, or refuses an operation."""
