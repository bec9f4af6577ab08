"""Small helpers shared by the assessment, batch and supervisor forms.

Nothing here knows about policy: labelled field rows with a place for a validation message,
dropdown relabelling that keeps the chosen value, escaped HTML tables, outcome icons and the
``data:`` download link (ipywidgets has no download widget).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as w

from ..exceptions import PolicyNotInForce
from ..findings import Finding, Outcome
from ..rules.publicity import required_working_days
from .base import esc, message_html, tr

__all__ = [
    "OUTCOME_ICONS",
    "FieldRow",
    "data_link",
    "finding_html",
    "relabel",
    "table_html",
    "tri_options",
]

# outcome → (icon, zh, en); the icon is never the only signal (the word is shown too)
OUTCOME_ICONS: dict[Outcome, tuple[str, str, str]] = {
    Outcome.PASS: ("✔", "符合", "met"),
    Outcome.FAIL: ("✖", "不符合", "not met"),
    Outcome.MISSING: ("◌", "待补", "missing"),
    Outcome.CHECK: ("⚠", "须核对", "to check"),
    Outcome.INFO: ("ℹ", "说明", "note"),
}

_OUTCOME_COLOURS = {
    Outcome.PASS: "#1b5e20",
    Outcome.FAIL: "#b71c1c",
    Outcome.MISSING: "#8d6e00",
    Outcome.CHECK: "#8d6e00",
    Outcome.INFO: "#0d47a1",
}


def tri_options(lang: str) -> list[tuple[str, bool | None]]:
    """Unknown / yes / no for a question the intake sheet may leave blank."""
    return [
        (tr(lang, "（未填）", "(not given)"), None),
        (tr(lang, "是", "Yes"), True),
        (tr(lang, "否", "No"), False),
    ]


def relabel(widget: w.Dropdown, options: Sequence[tuple[str, Any]]) -> None:
    """Replace a dropdown's (label, value) options, keeping its value when it is still offered."""
    value = widget.value
    widget.options = list(options)
    if any(v == value and type(v) is type(value) for _, v in options):
        widget.value = value


def data_link(content: bytes, filename: str, label: str, mime: str = "text/html") -> str:
    """An ``<a download>`` link carrying ``content`` as a base64 ``data:`` URL.

    ``filename`` and ``label`` are escaped; the payload is base64 so it needs no escaping.
    """
    b64 = base64.b64encode(content).decode("ascii")
    return (
        f'<a class="oqtk-download" download="{esc(filename)}" href="data:{esc(mime)};base64,{b64}" '
        f'style="display:inline-block;padding:4px 10px;border:1px solid #0d47a1;border-radius:4px;'
        f'text-decoration:none">⬇ {esc(label)}</a>'
    )


def outcome_label(outcome: Outcome, lang: str) -> str:
    icon, zh, en = OUTCOME_ICONS[outcome]
    return f"{icon} {tr(lang, zh, en)}"


def finding_html(f: Finding, lang: str, *, cite: bool = True, seen: set[str] | None = None) -> str:
    """One finding as an ``<li>``: icon and word, the text, and its clause (all escaped). With
    ``seen`` (shared across a result's findings), a clause already quoted reads "条文同上"."""
    colour = _OUTCOME_COLOURS[f.outcome]
    clause = ""
    if cite and f.source is not None:
        text = f.source.cite(lang) if seen is None else f.source.cite_once(lang, seen)
        clause = (
            f'<div class="oqtk-cite" style="color:#555;font-size:90%">'
            f"{esc(tr(lang, '依据：', 'Basis: '))}{esc(text)}</div>"
        )
    return (
        f'<li class="oqtk-finding oqtk-{esc(f.outcome.value)}" data-code="{esc(f.code)}">'
        f'<span style="color:{colour};font-weight:bold">{esc(outcome_label(f.outcome, lang))}</span> '
        f"{esc(f.text(lang))}{clause}</li>"
    )


def table_html(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, css_class: str = "oqtk-table"
) -> str:
    """An HTML table; every header and cell is escaped."""
    head = "".join(
        f'<th style="text-align:left;border-bottom:1px solid #999;padding:2px 6px">{esc(h)}</th>'
        for h in headers
    )
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:2px 6px;vertical-align:top">{esc(c)}</td>' for c in r) + "</tr>"
        for r in rows
    )
    return f'<table class="{esc(css_class)}" style="border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class FieldRow(w.HBox):
    """A labelled field: label, input widget, and a message slot for its validation error."""

    def __init__(self, widget: w.Widget, **kwargs: Any) -> None:
        self.label = w.HTML(layout=w.Layout(width="230px", min_width="230px"))
        self.widget = widget
        self.error = w.HTML(value="", layout=w.Layout(margin="0 0 0 8px"))
        super().__init__(children=[self.label, widget, self.error], **kwargs)
        self.add_class("oqtk-field")

    def set_label(self, text: str, hint: str = "") -> None:
        extra = f'<br><span style="color:#666;font-size:85%">{esc(hint)}</span>' if hint else ""
        self.label.value = f"<b>{esc(text)}</b>{extra}"

    def set_error(self, kind: str | None, text: str = "") -> None:
        """Show (``kind`` = "error" or "warning") or clear (``kind`` None) the field's message."""
        self.error.value = "" if kind is None else message_html(kind, esc(text))

    @property
    def error_text(self) -> str:
        return self.error.value


def publicity_days(on: dt.date | None = None) -> str:
    """The working days the publicity rule in force on ``on`` requires, as text
    (:func:`toolkit.rules.publicity.required_working_days`; never typed into a label); "?" before
    the rule."""
    try:
        return str(required_working_days(on or dt.date.today()))
    except PolicyNotInForce:
        return "?"
