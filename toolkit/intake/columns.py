"""The result and problem columns, described once: key, Chinese and English label, kind, audience.

Every table a review produces is laid out from here — ``results.csv`` (:data:`RESULT_COLUMNS`),
``results.xlsx``'s officer sheet (:data:`OFFICER_COLUMNS`), its codes sheet
(:data:`CODE_COLUMNS`) and its problems sheet (:data:`PROBLEM_COLUMNS`) — and every view of them
takes its headers from here: the batch report, the Batch and Supervisor pages, and the reader of
``results.csv`` (:mod:`.results_csv`) that the register and the pages use. A label is changed here
or nowhere.

A column is one of two audiences: ``officer`` (a value or words an officer reads: the row, the
ID, the status in words, the reasons, dates) or ``code`` (a stable machine code, for filtering
and for programs: ``status``, ``reason_codes``, ``categories`` …). A code column's key also names
the column of its words on the officer sheet (``categories`` holds ``A;B`` in ``results.csv`` and
"A类 认可类；B类 …" on the officer sheet). A column holding one language of a text (``reasons_zh``)
names the column it stands for (``reasons``): a view showing one language uses that column's
label (:func:`shown_label`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CODE_COLUMNS",
    "OFFICER_COLUMNS",
    "PROBLEM_COLUMNS",
    "PROBLEM_FIELDS",
    "RESULT_COLUMNS",
    "RESULT_FIELDS",
    "ResultColumn",
    "column",
    "label",
    "shown_label",
]


@dataclass(frozen=True)
class ResultColumn:
    """One column of a result or problem table."""

    key: str
    zh: str
    en: str
    kind: str  # number | text | date | code | codes (several, ';'-separated) | words
    audience: str  # officer | code
    width: float = 14  # in results.xlsx
    shows: str | None = None  # a one-language column: the key of the column it stands for

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _col(key: str, zh: str, en: str, kind: str, audience: str = "officer", width: float = 14,
         shows: str | None = None) -> ResultColumn:  # fmt: skip
    return ResultColumn(key, zh, en, kind, audience, width, shows)


#: Every result column, each once (the officer sheet's word columns included).
RESULT_FIELDS: tuple[ResultColumn, ...] = (
    _col("source_row", "原表行号", "Source row", "number"),
    _col("application_id", "申请编号", "Application ID", "text", width=16),
    _col("full_name", "姓名", "Full name", "text", width=16),
    _col("status", "状态代码", "Status code", "code", "code"),
    _col("status_text", "状态", "Status", "words", width=12),
    _col("status_zh", "状态", "Status (zh)", "words", shows="status_text"),
    _col("status_en", "Status", "Status", "words", shows="status_text"),
    _col("reason_codes", "原因代码", "Reason codes", "codes", "code"),
    _col("reasons", "原因", "Reasons", "words", width=60),
    _col("reasons_zh", "原因", "Reasons (zh)", "words", width=60, shows="reasons"),
    _col("reasons_en", "Reasons", "Reasons", "words", width=60, shows="reasons"),
    _col("problem_count", "待补正项数", "Problems", "number"),
    _col("categories", "类别", "Categories", "codes", "code"),
    _col("services", "可享服务", "Services", "codes", "code", width=30),
    _col("title_series", "申报职称系列", "Title series", "code", "code"),
    _col("title_requested", "申报级别", "Requested level", "code", "code"),
    _col("title_highest", "可申报最高级别", "Highest level open", "code", "code"),
    _col("title_eligible", "可申报级别", "Levels open", "codes", "code"),
    _col("title_name", "职称名称", "Title", "words"),
    _col("title_name_zh", "职称名称", "Title (zh)", "words", shows="title_name"),
    _col("title_name_en", "Title", "Title", "words", shows="title_name"),
    _col("eligible_from", "可申报日期", "Eligible from", "date"),
    _col("publicity_start", "公示开始日期", "Publicity start", "date"),
    _col("publicity_end", "公示结束日期", "Publicity end", "date"),
    _col("publicity_check", "公示核对", "Publicity check", "code", "code"),
    _col("list_version", "清单版本", "List version", "text"),
    _col("as_of", "评估日期", "Assessed as of", "date"),
)

#: Every problem column (``results.xlsx``'s 待补正 Problems, ``IntakeReview.problems_frame``).
PROBLEM_FIELDS: tuple[ResultColumn, ...] = (
    _col("sheet", "工作表", "Sheet", "text"),
    _col("row", "行号", "Row", "number"),
    _col("cell", "单元格", "Cell", "text"),
    _col("column", "字段", "Field", "code", "code"),
    _col("header", "列名", "Header", "text"),
    _col("value", "填写内容", "Value", "text", width=24),
    _col("code", "问题代码", "Code", "code", "code"),
    _col("severity", "影响", "Effect", "code", "code"),
    _col("message", "问题", "Problem", "words", width=50),
    _col("message_zh", "问题", "Problem (zh)", "words", width=50, shows="message"),
    _col("message_en", "Problem", "Problem", "words", width=50, shows="message"),
    _col("fix", "修改建议", "How to fix", "words", width=45),
    _col("fix_zh", "修改建议", "How to fix (zh)", "words", width=45, shows="fix"),
    _col("fix_en", "How to fix", "How to fix", "words", width=45, shows="fix"),
)

_BY_KEY = {c.key: c for c in (*RESULT_FIELDS, *PROBLEM_FIELDS)}

#: ``results.csv``: every row's values and codes; extra input columns follow under their own headers.
RESULT_COLUMNS: tuple[str, ...] = (
    "source_row",
    "application_id",
    "full_name",
    "status",
    "status_zh",
    "status_en",
    "reason_codes",
    "reasons_zh",
    "reasons_en",
    "problem_count",
    "categories",
    "services",
    "title_series",
    "title_requested",
    "title_highest",
    "title_eligible",
    "title_name_zh",
    "title_name_en",
    "eligible_from",
    "publicity_start",
    "publicity_end",
    "publicity_check",
    "list_version",
    "as_of",
)
#: ``results.xlsx``'s first sheet, in the officer's words (the decision first).
OFFICER_COLUMNS: tuple[str, ...] = (
    "source_row",
    "application_id",
    "full_name",
    "status_text",
    "reasons",
    "problem_count",
    "title_highest",
    "title_name",
    "eligible_from",
    "title_series",
    "title_requested",
    "title_eligible",
    "categories",
    "publicity_start",
    "publicity_end",
    "publicity_check",
    "services",
    "list_version",
    "as_of",
)
#: ``results.xlsx``'s codes sheet: the codes an officer may filter on (results.csv has them all).
CODE_COLUMNS: tuple[str, ...] = (
    "source_row",
    "status",
    "reason_codes",
    "categories",
    "title_series",
    "title_highest",
)
#: The problems table, in ``results.xlsx`` and ``IntakeReview.problems_frame``.
PROBLEM_COLUMNS: tuple[str, ...] = (
    "sheet",
    "row",
    "cell",
    "column",
    "header",
    "value",
    "code",
    "severity",
    "message_zh",
    "message_en",
    "fix_zh",
    "fix_en",
)


def column(key: str) -> ResultColumn:
    """The description of a result or problem column (KeyError for an unknown key)."""
    return _BY_KEY[key]


def label(key: str, lang: str = "zh") -> str:
    """A column's header in ``lang`` as the workbook writes it; an unknown key (an extra input
    column) is its own header."""
    c = _BY_KEY.get(key)
    return c.label(lang) if c is not None else key


def shown_label(key: str, lang: str = "zh") -> str:
    """The header of a view that shows ``key``'s value in words of one language: a one-language
    column (``reasons_zh``) and a code shown in words (``status``) take the label of the column
    they stand for (``reasons``: 原因 / Reasons; ``status_text``: 状态 / Status)."""
    c = _BY_KEY.get(key)
    if c is None:
        return key
    if c.shows:
        return label(c.shows, lang)
    return label(_WORDS_OF.get(key, key), lang)


# a code whose words have a column of their own under another key
_WORDS_OF = {"status": "status_text"}
