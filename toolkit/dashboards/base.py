"""Shared pieces of every form: language, safe handlers, escaping, messages.

- Chinese first: ``lang`` is ``"zh"`` by default; a :class:`LanguageToggle` switches every form
  on the page to English (labels re-rendered by each form's ``_render_labels``).
- Handlers never fail silently (Voila hides tracebacks): :func:`safe_handler` catches, logs the
  detail (never applicant data), and shows a clear bilingual message in the form.
- Applicant strings are escaped with :func:`esc` before they go into any ``HTML`` widget.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import traitlets

from ..exceptions import ToolkitError
from ..textsafe import visible_controls

__all__ = ["Form", "LanguageToggle", "esc", "message_html", "safe_handler", "tr"]

log = logging.getLogger("toolkit.dashboards")


def esc(value: object) -> str:
    """HTML-escape any value (None → empty), control characters made visible (:mod:`toolkit.textsafe`)."""
    return "" if value is None else html.escape(visible_controls(str(value)), quote=True)


def tr(lang: str, zh: str, en: str) -> str:
    """Pick the text for the language: ``zh`` shows Chinese, ``en`` English."""
    return en if lang == "en" else zh


_STYLES = {
    "error": ("#fdecea", "#b71c1c", "✖"),
    "warning": ("#fff8e1", "#8d6e00", "⚠"),
    "info": ("#e8f4fd", "#0d47a1", "ℹ"),
    "ok": ("#e8f5e9", "#1b5e20", "✔"),
}


def message_html(kind: str, text_html: str) -> str:
    """A coloured message box; ``text_html`` must already be escaped."""
    bg, fg, icon = _STYLES[kind]
    return (
        f'<div class="oqtk-msg oqtk-{kind}" role="{"alert" if kind == "error" else "status"}" '
        f'style="background:{bg};color:{fg};padding:8px 12px;border-radius:4px;margin:4px 0">'
        f"{icon} {text_html}</div>"
    )


class Form(w.VBox):
    """Base class of every dashboard form.

    Subclasses build their widgets in ``__init__`` (after ``super().__init__()``), put them in
    ``self.children``, implement ``_render_labels()`` to (re)label widgets for ``self.lang``, and
    decorate event handlers with :func:`safe_handler`. ``self.message`` is an HTML widget for
    errors and notices.
    """

    lang = traitlets.Unicode("zh").tag(sync=False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = w.HTML(value="")
        self.add_class("oqtk-form")
        self.observe(lambda _change: self._render_labels(), names="lang")

    def t(self, zh: str, en: str) -> str:
        return tr(self.lang, zh, en)

    def _render_labels(self) -> None:  # pragma: no cover - overridden
        """Re-label every widget for ``self.lang``."""

    def show_message(self, kind: str, zh: str, en: str) -> None:
        """Show a message (texts are escaped here)."""
        self.message.value = message_html(kind, esc(self.t(zh, en)))

    def clear_message(self) -> None:
        self.message.value = ""


def safe_handler(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a form's event handler: any exception becomes a message in the form and a log line.

    A :class:`ToolkitError` is the officer's business (its message is shown as is); anything else
    is our bug: the page says so, and the log has the traceback (no applicant data in it).
    """

    @functools.wraps(fn)
    def wrapper(self: Form, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except ToolkitError as exc:
            log.info("%s: %s", fn.__qualname__, type(exc).__name__)
            self.message.value = message_html("error", esc(str(exc)))
        except Exception:
            log.exception("handler %s failed", fn.__qualname__)
            self.show_message(
                "error",
                "处理时出错，已记录日志。请检查输入后重试；如仍出错请联系管理员。",
                "Something went wrong and it has been logged. Check the input and try again; "
                "if it persists, contact the administrator.",
            )
        return None

    return wrapper


class LanguageToggle(w.ToggleButtons):
    """中文 / English switch that sets ``lang`` on every form it is linked to."""

    def __init__(self, *forms: Form, **kwargs: Any) -> None:
        super().__init__(options=[("中文", "zh"), ("English", "en")], value="zh", **kwargs)
        self.add_class("oqtk-lang")
        self.forms = list(forms)
        self.observe(self._on_change, names="value")

    def _on_change(self, change: dict[str, Any]) -> None:
        for f in self.forms:
            f.lang = change["new"]
