"""The report's two tables as an officer reads them: the results and the problems, with words for
codes (statuses, title levels, List categories, the sheet's own column headers) and bilingual
column labels from the one description of the columns (:mod:`toolkit.intake.columns`)."""

from __future__ import annotations

from typing import Any

from ..vocab import CATEGORIES, LEVELS, STATUSES
from .parameters import LANGS

__all__ = ["bilingual", "column_labels", "problems_view", "results_view"]


def bilingual(pair: tuple[str, str]) -> str:
    """``("状态", "Status")`` → ``状态 / Status``."""
    return f"{pair[0]} / {pair[1]}"


def column_labels(key: str) -> tuple[str, str]:
    """A result or problem column's header in both languages, from :mod:`toolkit.intake.columns`."""
    from ..intake.columns import shown_label

    return shown_label(key, "zh"), shown_label(key, "en")


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
    return view.rename(columns={c: bilingual(column_labels(c)) for c in cols})


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
    return view.rename(columns={c: bilingual(column_labels(c)) for c in cols})
