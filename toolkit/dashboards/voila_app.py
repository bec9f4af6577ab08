"""The two needs of ``oqtk serve`` that Voila's public configuration does not meet, in one place.

Everything else the server needs is plain configuration (:func:`toolkit.dashboards.server.voila_config`).
These two are written against Voila 0.5.13 (:data:`VOILA_CHECKED`) and checked by
``tests/test_dashboards_forms.py::test_the_voila_extension_points_are_the_ones_checked``, which
fails on any Voila upgrade until they have been read again against the new release.

1. **Routes that serve nothing** (:class:`DashboardsVoila`). Voila serving a folder always offers a
   directory listing (``/``, ``/voila/tree``) and a contents API (``/voila/api/contents``), with no
   option to turn them off (voila-dashboards/voila#1511). They list names only — the folder holds
   only the dashboard pages, so nothing else can be rendered — but the server promises no listing,
   so our subclass puts a few rules of its own *before* Voila's handlers (tornado takes the first
   match): the listing and contents routes answer 404, ``/`` redirects to the home page, and a
   template static path that is not ``<template>/static/<file>`` answers 404 (Voila's handler
   raises on it: a 500 with a traceback in the log). Voila's own handler list is not read or
   changed. Measured gain: none; it is a lock, not a speed-up.

2. **A kernel handed out from the pool lives until its page connects** (:class:`PageKernelManager`,
   Voila's public ``VoilaConfiguration.multi_kernel_manager_class``). Culling shuts down a kernel
   with no connection that has been idle longer than ``cull_idle_timeout``. A preheated kernel
   that waited in the pool longer than that is idle from the start: between the page being served
   and its browser connecting (a second or two), a cull pass would shut it down and leave the page
   dead. Jupyter Server's ``cull_kernel_if_idle`` is overridden so that a kernel is first counted
   idle from the cull pass that first sees it outside the pool (Voila keeps pooled kernels from
   this method). No private attribute is read or written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import tornado.web
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from voila.app import Voila

__all__ = ["VOILA_CHECKED", "DashboardsVoila", "NotServed", "PageKernelManager"]

#: The Voila release both extension points were read against.
VOILA_CHECKED = "0.5.13"

_DOT_DOT = r"(?:\.|%2[eE]){2}"


class NotServed(tornado.web.RequestHandler):
    """404 for every method: a route that exists in Voila but serves nothing here."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


class DashboardsVoila(Voila):  # type: ignore[misc]
    """Voila with the listing and contents routes closed and ``/`` sent to the home page."""

    name = "voila"
    home_page = "home.ipynb"

    def init_handlers(self) -> list[Any]:
        base = self.server_url
        closed: list[Any] = [
            (url_path_join(base, r"/voila/tree(?:/.*)?"), NotServed),
            (url_path_join(base, r"/voila/api/contents(?:/.*)?"), NotServed),
            (url_path_join(base, rf"/voila/templates/(?:.*/)?{_DOT_DOT}(?:/.*)?"), NotServed),
            (url_path_join(base, r"/voila/templates/(?![^/]+/static/[^/]).*"), NotServed),
            (
                url_path_join(base, "/?"),
                tornado.web.RedirectHandler,
                {"url": url_path_join(base, "/voila/render", self.home_page)},
            ),
        ]
        return [*closed, *super().init_handlers()]


class PageKernelManager(AsyncMappingKernelManager):  # type: ignore[misc]
    """Jupyter Server's kernel manager, with a kernel first counted idle from the cull pass that
    first sees it (Voila keeps pooled kernels from this method): a pooled kernel handed to a page
    gets a full ``cull_idle_timeout`` for its page to connect."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._first_seen: dict[str, dt.datetime] = {}

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        now = dt.datetime.now(dt.UTC)
        first = self._first_seen.setdefault(kernel_id, now)
        for gone in [k for k in self._first_seen if k not in self]:
            del self._first_seen[gone]
        if now - first <= dt.timedelta(seconds=self.cull_idle_timeout):
            return
        await super().cull_kernel_if_idle(kernel_id)
