"""The report's two tables as an officer reads them: the results and the problems, with words for
codes (statuses, title levels, List categories, the sheet's own column headers) and bilingual
column labels. (The column labels are to be described once with the intake contract.)"""

from __future__ import annotations

from typing import Any

from ..vocab import CATEGORIES, LEVELS, STATUSES
from .parameters import LANGS

__all__ = ["PROBLEM_COLUMN_LABELS", "RESULT_COLUMN_LABELS", "bilingual", "problems_view", "results_view"]

RESULT_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "source_row": ("行号", "Row"),
    "application_id": ("申请编号", "Application ID"),
    "status": ("状态", "Status"),
    "reasons_zh": ("原因", "Reasons"),
    "reasons_en": ("原因", "Reasons"),
    "categories": ("清单类别", "Categories"),
    "title_highest": ("可申报最高级别", "Highest title level"),
    "title_eligible": ("可申报级别", "Title levels open"),
    "publicity_end": ("公示结束日", "Publicity ends"),
}
PROBLEM_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "sheet": ("工作表", "Sheet"),
    "row": ("行号", "Row"),
    "column": ("列", "Column"),
    "value": ("填写内容", "Value"),
    "message_zh": ("问题", "Problem"),
    "message_en": ("问题", "Problem"),
    "fix_zh": ("修改建议", "How to fix"),
    "fix_en": ("修改建议", "How to fix"),
    "code": ("代码", "Code"),
}


def bilingual(pair: tuple[str, str]) -> str:
    """``("状态", "Status")`` → ``状态 / Status``."""
    return f"{pair[0]} / {pair[1]}"


def _levels_text(value: Any, i: int) -> Any:
    """``junior;intermediate`` → ``初级；中级`` (unknown codes kept as they are)."""
    if not isinstance(value, str) or not value:
        return value
    sep = "；" if i == 0 else "; "
    return sep.join(LEVELS[v][i] if v in LEVELS else v for v in value.split(";"))


def results_view(results: Any, lang: str) -> Any:
    i = 0 if lang == "zh" else 1
    cols = [
        c
        for c in (
            "source_row",
            "application_id",
            "status",
            f"reasons_{lang}",
            "categories",
            "title_highest",
            "title_eligible",
            "publicity_end",
        )
        if c in results
    ]
    view = results[cols].copy()
    if "status" in view:
        view["status"] = [STATUSES[s][i] if s in STATUSES else s for s in view["status"]]
    for c in ("title_highest", "title_eligible"):
        if c in view:
            view[c] = [_levels_text(v, i) for v in view[c]]
    if "categories" in view:  # A;B;C → A类 认可类；B类 … (the officer's words)
        csep = "；" if i == 0 else "; "
        view["categories"] = [
            csep.join(CATEGORIES[c][i] if c in CATEGORIES else c for c in v.split(";"))
            if isinstance(v, str) and v
            else v
            for v in view["categories"]
        ]
    return view.rename(columns={c: bilingual(RESULT_COLUMN_LABELS[c]) for c in cols})


def problems_view(problems: Any, lang: str) -> Any:
    from ..intake.contract import COLUMN_BY_KEY

    i = 0 if lang == "zh" else 1
    cols = [
        c
        for c in ("sheet", "row", "column", "value", f"message_{lang}", f"fix_{lang}", "code")
        if c in problems
    ]
    view = problems[cols].copy()
    if "column" in view:  # the contract's header for a column key, as the officer sees it
        view["column"] = [
            COLUMN_BY_KEY[k].label(LANGS[i]) if k in COLUMN_BY_KEY else k for k in view["column"]
        ]
    return view.rename(columns={c: bilingual(PROBLEM_COLUMN_LABELS[c]) for c in cols})
