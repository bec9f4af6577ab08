"""``oq-register``: the hub-managed service that runs batch reviews and keeps the run register.

It is the only process that writes run folders (under the runs root) and the register
(``$OQTK_HOME/hub/register.sqlite``, in service mode: see :meth:`toolkit.register.Register.record_run`).
JupyterHub starts it (``c.JupyterHub.services`` in ``jupyterhub_config.py``) and authenticates
for it: every request carries the caller's own hub token (``Authorization: token …``) or the
service's OAuth cookie, and the service asks the hub who that is
(:class:`jupyterhub.services.auth.HubOAuth`). A name in the request is never an identity:
parameters that name a person are refused.

JSON API (under ``/services/oq-register/``)

=============================  ==============================================================
``GET  api/whoami``            the caller: name, role, groups, whether they may approve
``POST api/runs``              body: the ``.xlsx`` sheet; query: ``filename``, ``as_of``,
                               ``list_version``, ``lang``. Answers ``{"run_id": …}`` (201)
``GET  api/runs``              runs: an officer's own; every run for supervisors and admins
``GET  api/runs/<id>``         one run: progress, outcome, files, decisions, verification
``GET  api/runs/<id>/files/N`` one output file (``results.xlsx``, ``review.html`` …)
``POST api/runs/<id>/approve`` body ``{"comment": …}`` (optional); supervisors only, never
                               their own run; every output is hashed again first
``POST api/runs/<id>/return``  body ``{"comment": …}`` (required); supervisors only
``GET  api/audit``             the register's hash chain (:mod:`toolkit.register.chain`)
=============================  ==============================================================

Errors are JSON ``{"error": "<中文> / <English>"}`` with 400 (bad request), 401 (no login),
403 (not allowed), 404 (no such run, or not yours), 409 (files changed, already decided).

Batches run in a thread pool as wide as the machine has cores (``$OQTK_SERVICE_JOBS``); at
start the service closes, as failed, every run it was running when it last stopped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from ..exceptions import ToolkitError
from ..register import Register, RunRecord
from . import APPROVE_SCOPE, READ_ALL_SCOPE, SERVICE_NAME, role_of_groups

__all__ = ["ServiceState", "main", "make_app"]

log = logging.getLogger("toolkit.hub.service")

#: Query parameters ``POST api/runs`` accepts; anything else (a user name, say) is refused.
RUN_PARAMETERS = ("filename", "as_of", "list_version", "lang")
#: Fields that name a person: never accepted, identity comes from the login.
IDENTITY_FIELDS = ("user", "username", "by", "by_name", "submitted_by", "approver", "owner")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: A run id in a URL: ``20261202T035335+0800-aa2a46fa`` ("+" as is or as %2B)
RUN_ID = r"[\w%+-]+"
_SAFE_NAME = re.compile(r"[^\w.\-（）()\u4e00-\u9fff]+", re.UNICODE)


class ServiceState:
    """The register, the runs root, the uploads folder and the runs in progress."""

    def __init__(self, state_dir: Path, runs_root: Path, jobs: int | None = None) -> None:
        for d in (state_dir, runs_root, state_dir / "uploads"):
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.runs_root = runs_root
        self.uploads = state_dir / "uploads"
        self.register = Register(state_dir / "register.sqlite")
        self.register.set_service_mode()
        self.pool = ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1, thread_name_prefix="oq-run")
        self.active: dict[str, Future[Any]] = {}
        for rec in self.register.list_runs(status="incomplete"):
            if rec.submitted_by is not None:
                self.register.fail_run(
                    rec.run_id,
                    "服务在运行期间停止，本次运行未完成 / The service stopped while this run was in progress; "
                    "submit the sheet again",
                )
                log.info("run %s: closed as failed (the service stopped during it)", rec.run_id)

    def submit(
        self, user: str, sheet: Path, params: dict[str, Any], original: str | None = None
    ) -> Future[tuple[str, Path]]:
        """Start one batch run as ``user``; the future resolves to (run_id, run_dir) once the folder exists."""
        from ..batch.runner import run_batch

        started: Future[tuple[str, Path]] = Future()
        reg = self.register

        def on_start(run_id: str, run_dir: Path) -> None:
            reg.record_run(run_dir, submitted_by=user)  # incomplete, owned by the submitter
            started.set_result((run_id, run_dir))

        def record(run_dir: Path) -> None:
            # the manifest's hashes were computed by run_batch in this process, from what it
            # wrote; every approval hashes the files again
            reg.record_run(run_dir, submitted_by=user)

        def job() -> None:
            try:
                run_batch([sheet], self.runs_root, jobs=1, on_start=on_start, recorder=record,
                          original_names=[original], **params)  # fmt: skip
            except BaseException as exc:
                if not started.done():
                    started.set_exception(exc)
                raise
            finally:
                if started.done() and not started.exception():
                    self.active.pop(started.result()[0], None)

        fut = self.pool.submit(job)

        def track(f: Future[tuple[str, Path]]) -> None:
            if not f.exception():
                self.active[f.result()[0]] = fut

        started.add_done_callback(track)
        return started


def _error(handler: web.RequestHandler, status: int, zh: str, en: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "application/json; charset=utf-8")
    handler.finish(json.dumps({"error": f"{zh} / {en}"}, ensure_ascii=False))


class _API(web.RequestHandler):
    """Base handler: the caller from the hub (token or OAuth cookie); JSON in and out."""

    state: ServiceState

    def initialize(self, state: ServiceState, hub_auth: Any) -> None:
        self.state = state
        self.hub_auth = hub_auth
        self.user: dict[str, Any] | None = None

    async def prepare(self) -> None:
        self.user = await self.hub_auth.get_user(self, sync=False)
        if not self.user or self.user.get("kind", "user") != "user":
            _error(
                self, 401, "请先登录", "Log in first (a hub token or the service's login cookie is required)"
            )
            return
        if not self.hub_auth.check_scopes(self.hub_auth.access_scopes, self.user):
            _error(self, 403, "您的账户无权使用此服务", "Your account may not use this service")
            return
        if self.request.method != "GET" and not getattr(self, "_token_authenticated", False):
            # a browser's cookie alone never changes anything (no cross-site request can)
            _error(self, 403, "请使用令牌提交", "Changes need the hub token in the Authorization header")
            return
        for name in IDENTITY_FIELDS:
            if name in self.request.arguments or name in self._json_body():
                _error(
                    self, 400, f"不接受参数 {name}：身份以登录为准",
                    f"{name!r} is not accepted: who you are comes from your login, not from the request",
                )  # fmt: skip
                return

    def _json_body(self) -> dict[str, Any]:
        if not hasattr(self, "_body_cache"):
            body: Any = {}
            ctype = self.request.headers.get("Content-Type", "")
            if self.request.body and ctype.startswith("application/json"):
                try:
                    body = json.loads(self.request.body)
                except ValueError:
                    body = {"__invalid__": True}
            self._body_cache = body if isinstance(body, dict) else {"__invalid__": True}
        return self._body_cache

    @property
    def name(self) -> str:
        assert self.user is not None
        return str(self.user["name"])

    @property
    def role(self) -> str | None:
        assert self.user is not None
        return role_of_groups(self.user.get("groups") or [])

    def may(self, scope: str) -> bool:
        assert self.user is not None
        return bool(self.hub_auth.check_scopes({scope}, self.user))

    def send(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(data, ensure_ascii=False, default=str))

    def run_or_404(self, run_id: str) -> RunRecord | None:
        try:
            rec = self.state.register.get_run(run_id)
        except ToolkitError:
            rec = None
        if (
            rec is None
            or rec.submitted_by is None
            or not (self.may(READ_ALL_SCOPE) or rec.submitted_by == self.name)
        ):
            _error(self, 404, f"没有运行 {run_id}", f"No run {run_id} (or it is not yours)")
            return None
        return rec

    def run_dict(self, rec: RunRecord) -> dict[str, Any]:
        d = rec.to_dict()
        d.pop("run_dir", None)  # the service's folder layout is not the caller's business
        d.pop("input_path", None)
        d["running"] = rec.run_id in self.state.active
        d["may_decide"] = self.may(APPROVE_SCOPE) and rec.submitted_by != self.name
        return d


class WhoAmI(_API):
    def get(self) -> None:
        self.send({"name": self.name, "role": self.role, "groups": self.user.get("groups") if self.user else [],
                   "can_approve": self.may(APPROVE_SCOPE), "can_read_all": self.may(READ_ALL_SCOPE)})  # fmt: skip


class Runs(_API):
    def get(self) -> None:
        mine = None if self.may(READ_ALL_SCOPE) else self.name
        runs = [r for r in self.state.register.list_runs() if r.submitted_by is not None]
        self.send([self.run_dict(r) for r in runs if mine is None or r.submitted_by == mine])

    async def post(self) -> None:
        unknown = [k for k in self.request.arguments if k not in RUN_PARAMETERS]
        if unknown:
            return _error(
                self, 400, f"未知参数：{', '.join(unknown)}", f"Unknown parameters: {', '.join(unknown)}"
            )
        body = self.request.body
        if not body:
            return _error(
                self, 400, "请随请求上传申报汇总表（.xlsx）", "Send the intake sheet (.xlsx) as the body"
            )
        if len(body) > MAX_UPLOAD_BYTES:
            return _error(
                self, 400, "文件过大", f"The sheet is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            )
        filename = self.get_argument("filename", "intake.xlsx")
        safe = _SAFE_NAME.sub("_", Path(filename).name).strip("._") or "intake.xlsx"
        if not safe.lower().endswith(".xlsx"):
            safe += ".xlsx"
        folder = self.state.uploads / secrets.token_hex(8)
        folder.mkdir(mode=0o700)
        sheet = folder / safe[:120]
        fd = os.open(sheet, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        params: dict[str, Any] = {"lang": self.get_argument("lang", "zh")}
        for key in ("as_of", "list_version"):
            value = self.get_argument(key, "").strip()
            if value:
                params[key] = value
        try:
            run_id, _run_dir = await asyncio.wait_for(
                asyncio.wrap_future(self.state.submit(self.name, sheet, params, filename)), timeout=120
            )
        except ToolkitError as exc:
            return _error(self, 400, "无法开始运行", f"The run cannot start: {exc}")
        log.info("run %s submitted by a user", run_id)
        self.send({"run_id": run_id}, 201)


class Run(_API):
    def get(self, run_id: str) -> None:
        rec = self.run_or_404(run_id)
        if rec is None:
            return
        d = self.run_dict(rec)
        if rec.outcome == "succeeded":
            d["verify"] = self.state.register.verify_run(run_id).to_dict()
            d["verify"].pop("run_dir", None)
        self.send(d)


class RunFile(_API):
    def get(self, run_id: str, name: str) -> None:
        rec = self.run_or_404(run_id)
        if rec is None:
            return
        if name not in {o.name for o in rec.outputs}:
            return _error(self, 404, f"运行没有文件 {name}", f"The run has no file {name}")
        path = rec.run_dir / name
        if not path.is_file():
            return _error(self, 404, f"{name} 已缺失", f"{name} is missing")
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.finish(path.read_bytes())


class Decide(_API):
    def post(self, run_id: str, decision: str) -> None:
        body = self._json_body()
        if body.get("__invalid__") or set(body) - {"comment"}:
            return _error(self, 400, "请求体只接受 comment", 'The body may only hold {"comment": …}')
        if not self.may(APPROVE_SCOPE):
            return _error(self, 403, "只有主管可以批准或退回", "Only supervisors approve or return runs")
        rec = self.run_or_404(run_id)
        if rec is None:
            return
        if rec.submitted_by == self.name:
            return _error(self, 403, "不能审核自己提交的运行（双人复核）",
                          "You cannot decide on a run you submitted (four eyes)")  # fmt: skip
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            return _error(self, 400, "comment 应为文字", "comment must be text")
        reg = self.state.register
        try:
            if decision == "approve":
                d = reg.approve(run_id, by=self.name, comment=comment, role="supervisor")
            else:
                if not (comment or "").strip():
                    return _error(
                        self, 400, "退回时须填写理由", "A comment saying why is required to return a run"
                    )
                d = reg.return_run(run_id, by=self.name, comment=comment or "", role="supervisor")
        except ToolkitError as exc:
            return _error(self, 409, "未能记录决定", str(exc))
        log.info("run %s: %s recorded", run_id, decision)
        self.send(d.to_dict())


class Audit(_API):
    def get(self) -> None:
        if not self.may(READ_ALL_SCOPE):
            return _error(
                self, 403, "只有主管和管理员可以核查登记簿", "Only supervisors and admins audit the register"
            )
        self.send(self.state.register.audit().to_dict())


def make_app(state: ServiceState, prefix: str) -> web.Application:
    from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler

    hub_auth = HubOAuth(cache_max_age=10)
    hub_auth.access_scopes = {f"access:services!service={SERVICE_NAME}"}
    kw = {"state": state, "hub_auth": hub_auth}
    p = prefix.rstrip("/")
    return web.Application(
        [
            (rf"{p}/api/whoami", WhoAmI, kw),
            (rf"{p}/api/runs", Runs, kw),
            (rf"{p}/api/runs/({RUN_ID})", Run, kw),
            (rf"{p}/api/runs/({RUN_ID})/files/([\w.]+)", RunFile, kw),
            (rf"{p}/api/runs/({RUN_ID})/(approve|return)", Decide, kw),
            (rf"{p}/api/audit", Audit, kw),
            (rf"{p}/oauth_callback", HubOAuthCallbackHandler),
        ],
        cookie_secret=secrets.token_bytes(32),
        hub_auth=hub_auth,
        xsrf_cookies=False,
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    state_dir = Path(os.environ["OQTK_HUB_STATE"])
    runs_root = Path(os.environ.get("OQTK_RUNS_DIR") or state_dir / "runs")
    jobs = int(os.environ.get("OQTK_SERVICE_JOBS") or 0) or None
    state = ServiceState(state_dir, runs_root, jobs)
    app = make_app(state, os.environ["JUPYTERHUB_SERVICE_PREFIX"])
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    server = HTTPServer(app, max_body_size=MAX_UPLOAD_BYTES + 1024 * 1024)
    server.listen(url.port or 80, url.hostname or "127.0.0.1")
    log.info("oq-register listening on %s:%s (runs root %s)", url.hostname, url.port, runs_root)
    IOLoop.current().start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
