"""Exceptions raised by oq-toolkit: one class per failure mode (as papermill and nbclient do)."""

from __future__ import annotations

__all__ = [
    "CalendarNotCovered",
    "IntakeError",
    "ListImportError",
    "NoticeImportError",
    "OutputError",
    "ParameterError",
    "PolicyDataError",
    "PolicyNotInForce",
    "RegisterError",
    "ToolkitError",
]


class ToolkitError(Exception):
    """Raised for any error the toolkit reports to an officer; the message is the whole story."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for it in a notebook: the message, not a Python stack.

        An executed batch notebook is a supervisor's record; the message names the file, row or
        key and the fix. (IPython calls this hook in place of its traceback formatter.)
        """
        return [f"{type(self).__name__}: {self}"]


class PolicyDataError(ToolkitError):
    """Raised when a file under ``data/`` is malformed; the message names the file and the key."""

    def __init__(self, path: object, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        super().__init__(f"{self.path}: {key}: {problem}")


class PolicyNotInForce(PolicyDataError):
    """Raised when a dated parameter has no value in force on the date asked (before its first rule).

    ``on`` (the date asked), ``first`` (the first date a value takes effect) and ``what_zh`` /
    ``what_en`` (the parameter's description) let callers word a plain message for officers:
    :meth:`officer_text` names no file and keeps each language to itself.
    """

    def __init__(
        self,
        path: object,
        key: str,
        problem: str,
        *,
        on: object = None,
        first: object = None,
        what_zh: str | None = None,
        what_en: str | None = None,
    ) -> None:
        super().__init__(path, key, problem)
        self.on = on
        self.first = first
        self.what_zh = what_zh
        self.what_en = what_en

    def officer_text(
        self, lang: str = "zh", date_zh: str = "评估日", date_en: str = "The assessment date"
    ) -> str:
        """The date precedes the rule: what it means and what to do, in one language, no file path.

        ``date_zh``/``date_en`` name the date (the assessment date, a publicity start, …)."""
        on = getattr(self.on, "isoformat", lambda: str(self.on))()
        first = getattr(self.first, "isoformat", lambda: str(self.first))()
        if lang == "zh":
            what = f"“{self.what_zh}”" if self.what_zh else "相关规则"
            return (
                f"{date_zh}{on}早于{what}的最早生效日{first}，本工具未载有当时的规则，无法评估。"
                f"请改用{first}或之后的评估日；如须按更早的规则评估，请系统管理员补充当时的规则数据"
            )
        what = f"“{self.what_en}”" if self.what_en else "the rule"
        return (
            f"{date_en} {on} is before {what} first took effect ({first}); the toolkit holds no "
            f"rule for that date, so it cannot assess. Use {first} or later; to assess under earlier "
            "rules, the system administrator must add them to the data"
        )


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


class NoticeImportError(ToolkitError):
    """Raised when a holiday notice cannot be read or fails a check; nothing is written."""


class OutputError(ToolkitError):
    """Raised when results or run files cannot be written (disk full, read-only folder, no permission)."""

    def __init__(self, folder: object, exc: OSError) -> None:
        import errno

        self.folder = str(folder)
        self.errno = exc.errno
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            zh, en = (
                "磁盘已满或超出配额：请清理空间，或换一个文件夹后重新运行",
                "the disk is full or over quota: free some space, or choose another folder, and run again",
            )
        elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            zh, en = (
                "文件夹只读或没有写权限：请换一个可写的文件夹后重新运行",
                "the folder is read-only or not writable: choose a folder you can write to and run again",
            )
        else:
            zh, en = ("请检查该文件夹后重新运行", "check the folder and run again")
        reason = exc.strerror or str(exc)
        super().__init__(
            f"无法写入文件夹 {self.folder}（{reason}）：{zh}。不完整的文件不会以正式文件名留下。 / "
            f"Cannot write to the folder {self.folder} ({reason}): {en}. Nothing incomplete is left under a final file name."
        )


class ParameterError(ToolkitError):
    """Raised when batch-run parameters have unknown names or wrong types."""


class RegisterError(ToolkitError):
    """Raised when the run register is missing, corrupt, or refuses an operation."""
