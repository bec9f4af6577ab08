"""One page for every tool: a navigation bar over the forms, each form built when first opened.

Each tool is also its own Voila page (``notebooks/<name>.ipynb``); the app
(``notebooks/app.ipynb``) serves them all from one kernel, so that moving between tools is a
widget switch rather than a page load, the language chosen stays, and the case carries over (the
assessment's publicity start opens in the publicity calculator). A link per tool is the URL
fragment (``app.ipynb#lookup``): the page template selects that tool on arrival and keeps the
fragment in step with the navigation bar.
"""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as w

from .base import Form, LanguageToggle, esc, message_html, safe_handler
from .page import PAGES, _load_form

__all__ = ["TOOLS", "App", "show_app"]

log = logging.getLogger("toolkit.dashboards")

TOOLS: tuple[str, ...] = tuple(PAGES)  # the navigation bar's order (the template reads it too)


class App(Form):
    """The navigation bar (``nav``, a ``ToggleButtons`` of :data:`TOOLS`), the language toggle,
    and the current tool's form in ``body``. ``forms`` holds the forms built so far; ``show_tool(name)``
    switches (tests call it, or set ``nav.value``)."""

    def __init__(self, start: str = "home", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("oqtk-app")
        self.forms: dict[str, Form] = {}
        self.nav = w.ToggleButtons(options=[(PAGES[n].title_zh, n) for n in TOOLS], value=None)
        self.nav.add_class("oqtk-app-nav")
        self.toggle = LanguageToggle(self)
        self.body = w.VBox()
        self.body.add_class("oqtk-app-body")
        self.children = [self.nav, self.toggle, self.message, self.body]
        self.nav.observe(self._on_nav, names="value")
        self.show_tool(start if start in PAGES else "home")

    def _render_labels(self) -> None:
        current = self.nav.value
        self.nav.unobserve(self._on_nav, names="value")
        try:
            self.nav.options = [(PAGES[n].title(self.lang), n) for n in TOOLS]
            self.nav.value = current
        finally:
            self.nav.observe(self._on_nav, names="value")

    @safe_handler
    def _on_nav(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.show_tool(change["new"])

    def show_tool(self, name: str) -> Form | None:
        """Show tool ``name``, building its form the first time; the language and the case come along."""
        if name not in PAGES:
            raise KeyError(f"unknown tool {name!r}; tools: {', '.join(TOOLS)}")
        form = self.forms.get(name)
        if form is not None and name == "supervisor":
            form.refresh()  # type: ignore[attr-defined]  # fresh each time it is opened: runs finished meanwhile
        if form is None:
            try:
                form = _load_form(PAGES[name])
            except Exception:
                log.exception("app: the %s form could not be built", name)
                self.message.value = message_html(
                    "error",
                    esc(
                        self.t(
                            "此工具暂不可用，已记录日志。请联系管理员。",
                            "This tool is not available; the problem has been logged. Contact the administrator.",
                        )
                    ),
                )
                return None
            self.forms[name] = form
            self.toggle.forms.append(form)
        self.clear_message()
        form.lang = self.lang
        self._carry_over(name, form)
        if self.nav.value != name:
            self.nav.value = name  # _on_nav → open again: the body is already this form
        self.body.children = [form]
        return form

    def _carry_over(self, name: str, form: Form) -> None:
        """The case goes along: the assessment's publicity start opens in the publicity calculator."""
        assess = self.forms.get("assess")
        if name == "publicity" and assess is not None:
            start = getattr(assess, "publicity_start", None)
            if start is not None and start.value is not None and getattr(form, "start", None) is not None:
                form.start.value = start.value  # type: ignore[attr-defined]


def show_app() -> None:
    """Build and display the app (the only call ``notebooks/app.ipynb`` makes)."""
    from IPython.display import display

    from .page import setup_logging

    setup_logging()
    display(App())
