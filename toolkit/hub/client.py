"""Talking to the ``oq-register`` service from a user's server (dashboards, ``oqtk batch``,
``oqtk runs``): the environment decides the mode.

A process with ``OQTK_REGISTER_URL``, ``OQTK_RUNS_DIR`` and ``JUPYTERHUB_API_TOKEN`` set (the
hub's spawner gives each user server all three) acts as that token's user: its batches are
submitted to the service, and its decisions are made by the service under the token's login.
Without them everything works on the local register, as before. Standard library HTTP only
(``urllib``): the service is on the same machine or intranet, requests are small.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..exceptions import ToolkitError

__all__ = [
    "HUB_ENV",
    "HubRegister",
    "RegisterClient",
    "ServiceError",
    "fetch_outputs",
    "hub_client",
    "run_result",
]

#: The three variables that make a process act as a hub user.
HUB_ENV = ("OQTK_REGISTER_URL", "OQTK_RUNS_DIR", "JUPYTERHUB_API_TOKEN")


class ServiceError(ToolkitError):
    """Raised when the oq-register service refuses a request or cannot be reached (its message)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def hub_client(environ: Mapping[str, str] | None = None) -> RegisterClient | None:
    """The client for this process's hub user, or None when not all of :data:`HUB_ENV` are set."""
    env = os.environ if environ is None else environ
    if not all(env.get(k) for k in HUB_ENV):
        return None
    return RegisterClient(env["OQTK_REGISTER_URL"], env["JUPYTERHUB_API_TOKEN"], Path(env["OQTK_RUNS_DIR"]))


class RegisterClient:
    """The service's JSON API (see :mod:`toolkit.hub.service`) for one token."""

    def __init__(self, url: str, token: str, runs_dir: Path, timeout: float = 150.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.token = token
        self.runs_dir = runs_dir
        self.timeout = timeout
        self._whoami: dict[str, Any] | None = None

    def _call(self, method: str, path: str, *, query: Mapping[str, str] | None = None,
              body: bytes | None = None, json_body: Any = None) -> tuple[bytes, str]:  # fmt: skip
        url = urllib.parse.urljoin(self.url, path)
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"token {self.token}"}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif body is not None:
            headers["Content-Type"] = "application/octet-stream"
        req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 (our service)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                message = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {exc.code}"
            raise ServiceError(message, exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            raise ServiceError(
                f"无法连接审核服务 oq-register / Cannot reach the oq-register service at {self.url}: "
                f"{getattr(exc, 'reason', exc)}. 请联系管理员 / Contact the administrator."
            ) from None

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        raw, _ctype = self._call(method, path, **kw)
        return json.loads(raw)

    def whoami(self) -> dict[str, Any]:
        """The token's user: ``name``, ``role``, ``groups``, ``can_approve``, ``can_read_all`` (kept)."""
        if self._whoami is None:
            self._whoami = self._json("GET", "api/whoami")
        return self._whoami

    def submit(self, sheet: Path, *, filename: str | None = None, as_of: str | None = None,
               list_version: str | None = None, lang: str = "zh") -> str:  # fmt: skip
        """Send a sheet to be reviewed; the service answers with the run id once the run exists."""
        query = {"filename": filename or sheet.name, "lang": lang}
        if as_of:
            query["as_of"] = str(as_of)
        if list_version:
            query["list_version"] = str(list_version)
        return str(self._json("POST", "api/runs", query=query, body=sheet.read_bytes())["run_id"])

    def runs(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "api/runs"))

    def run(self, run_id: str) -> dict[str, Any]:
        return dict(self._json("GET", f"api/runs/{urllib.parse.quote(run_id)}"))

    def wait(self, run_id: str, timeout: float = 3600.0, poll: float = 0.5) -> dict[str, Any]:
        """Poll until the run has finished (its outcome is no longer ``incomplete``)."""
        deadline = time.monotonic() + timeout
        while True:
            info = self.run(run_id)
            if not info.get("running") and info.get("outcome") != "incomplete":
                return info
            if time.monotonic() > deadline:
                raise ServiceError(
                    f"运行 {run_id} 未在时限内完成 / Run {run_id} did not finish in {timeout:g} s"
                )
            time.sleep(poll)

    def file(self, run_id: str, name: str) -> bytes:
        raw, _ = self._call("GET", f"api/runs/{urllib.parse.quote(run_id)}/files/{urllib.parse.quote(name)}")
        return raw

    def approve(self, run_id: str, comment: str | None = None) -> dict[str, Any]:
        body = {"comment": comment} if comment else {}
        return dict(self._json("POST", f"api/runs/{urllib.parse.quote(run_id)}/approve", json_body=body))

    def return_run(self, run_id: str, comment: str) -> dict[str, Any]:
        return dict(
            self._json(
                "POST", f"api/runs/{urllib.parse.quote(run_id)}/return", json_body={"comment": comment}
            )
        )

    def audit(self) -> dict[str, Any]:
        return dict(self._json("GET", "api/audit"))


# ---------------------------------------------------------------------------------------------
# The register as the dashboards see it in hub mode
# ---------------------------------------------------------------------------------------------
def fetch_outputs(client: RegisterClient, run_id: str, names: list[str], folder: Path) -> Path:
    """Download a run's outputs (those it has) into ``folder``/<run_id> and return that folder."""
    target = folder / run_id
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in names:
        data = client.file(run_id, name)
        (target / name).write_bytes(data)
    return target


def record_from_dict(d: Mapping[str, Any], run_dir: Path) -> Any:
    """A :class:`toolkit.register.RunRecord` from the service's JSON for one run."""
    from ..register import Decision, OutputRecord, RunRecord

    fields = {f for f in RunRecord.__dataclass_fields__}
    kw = {k: v for k, v in d.items() if k in fields}
    kw["run_dir"] = run_dir
    kw["outputs"] = tuple(OutputRecord(**o) for o in d.get("outputs") or ())
    kw["decisions"] = tuple(Decision(**x) for x in d.get("decisions") or ())
    kw.setdefault("input_path", None)
    return RunRecord(**kw)


class HubRegister:
    """What the supervisor form needs of a register, served by the oq-register service.

    Decisions go to the service, which records them under the token's login (the ``by`` the
    form passes is ignored); file checks are the service's own re-hashing. Outputs are
    downloaded into ``cache`` to be shown (never written back)."""

    def __init__(self, client: RegisterClient, cache: Path) -> None:
        self.client = client
        self.cache = cache

    def scan(self, _runs_dir: Any) -> Any:
        from ..register import ScanResult

        return ScanResult()  # the service records its own runs; folders are never adopted

    def list_runs(self, status: str | None = None, since: Any = None, **_kw: Any) -> list[Any]:
        from ..register.records import _since_utc

        records = [record_from_dict(d, self.cache / d["run_id"]) for d in self.client.runs()]
        if status is not None:
            records = [r for r in records if r.status == status]
        if since is not None:
            from datetime import datetime

            t = _since_utc(since)
            records = [r for r in records if r.created_at and datetime.fromisoformat(r.created_at) >= t]
        return records

    def get_run(self, run_id: str) -> Any:
        d = self.client.run(run_id)
        names = [o["name"] for o in d.get("outputs") or () if o["name"] in ("results.csv", "review.html")]
        folder = fetch_outputs(self.client, run_id, names, self.cache)
        return record_from_dict(d, folder)

    def verify_run(self, run_id: str) -> Any:
        from ..register import FileCheck, VerifyResult

        d = self.client.run(run_id).get("verify") or {"checked_at": "", "checks": []}
        checks = tuple(FileCheck(**c) for c in d.get("checks") or ())
        return VerifyResult(run_id, self.cache / run_id, d.get("checked_at", ""), checks)

    def approve(self, run_id: str, by: Any = None, comment: str | None = None) -> Any:
        from ..register import Decision

        return Decision(**self.client.approve(run_id, comment))

    def return_run(self, run_id: str, by: Any = None, comment: str = "") -> Any:
        from ..register import Decision

        return Decision(**self.client.return_run(run_id, comment))

    def compare_runs(self, run_a: str, run_b: str) -> list[Any]:
        from ..register import compare_records

        return compare_records(self.get_run(run_a), self.get_run(run_b))

    def audit(self) -> dict[str, Any]:
        return self.client.audit()


def run_result(
    client: RegisterClient, run_id: str, input_path: Path, cache: Path, timeout: float = 3600.0
) -> Any:
    """Wait for a submitted run, download its outputs into ``cache`` and return a
    :class:`toolkit.batch.runner.RunResult` as a local run would (exit status 0 succeeded, else 1)."""
    from ..batch.runner import RunResult

    info = client.wait(run_id, timeout=timeout)
    names = [o["name"] for o in info.get("outputs") or ()]
    folder = fetch_outputs(client, run_id, names, cache)
    # the manifest as the register knows it: a run the service closed as failed says so
    manifest = {
        **(info.get("manifest") or {}),
        "run_id": run_id,
        "outcome": info["outcome"],
        "error": info.get("error"),
    }
    status = 0 if info["outcome"] == "succeeded" else 1
    return RunResult(folder, input_path, manifest, status)
