"""A real JupyterHub for the tests and the benchmark: ``oqtk hub`` (its proxy, the oq-register
service, SimpleLocalProcessSpawner) on free loopback ports, with its own ``OQTK_HOME``.

:class:`HubServer` adds accounts with ``oqtk hub users add``, starts the hub in its own process
group, waits until the hub's API and the service answer, and stops it by process id: SIGTERM to
the hub (which stops its proxy, services and user servers), then SIGKILL to whatever of its
group is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
from browser_support import free_port

REPO = Path(__file__).resolve().parent.parent
USERS = {
    "officer1": ("officer", "officer1-Pass!2026"),
    "supervisor1": ("supervisor", "supervisor1-Pass!2026"),
    "supervisor2": ("supervisor", "supervisor2-Pass!2026"),
}


def oqtk(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("oqtk")
    return subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120, check=False)  # fmt: skip


class HubServer:
    def __init__(
        self, home: Path, users: dict[str, tuple[str, str]] | None = None, *, add_accounts: bool = True
    ) -> None:
        self.home = home
        self.add_accounts = add_accounts
        self.users = dict(USERS if users is None else users)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.service = f"{self.base}/services/oq-register/"
        self.log_path = home / "hub.log"
        self.proc: subprocess.Popen[bytes] | None = None
        env = {k: v for k, v in os.environ.items() if k not in ("OQTK_REGISTER_URL", "OQTK_RUNS_DIR",
                                                               "JUPYTERHUB_API_TOKEN", "JUPYTER_PATH")}  # fmt: skip
        self.env = {**env, "OQTK_HOME": str(home)}

    @property
    def runs_root(self) -> Path:
        return self.home / "hub" / "runs"

    @property
    def register_path(self) -> Path:
        return self.home / "hub" / "register.sqlite"

    def start(self, timeout: float = 120.0) -> HubServer:
        self.home.mkdir(parents=True, exist_ok=True)
        for name, (role, password) in self.users.items() if self.add_accounts else ():
            r = oqtk("hub", "users", "add", name, "--role", role, "--password-stdin", env=self.env,
                     stdin=password + "\n")  # fmt: skip
            assert r.returncode == 0, r.stderr
        self._log = open(self.log_path, "wb")
        exe = Path(sys.executable).with_name("oqtk")
        self.proc = subprocess.Popen([str(exe), "hub", "--port", str(self.port)], cwd=REPO, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oqtk hub exited ({self.proc.returncode}):\n{self.log_text()[-4000:]}")
            if (
                self._status(self.base + "/hub/api/") == 200
                and self._status(self.service + "api/whoami") == 401
            ):
                return self
            time.sleep(0.25)
        raise TimeoutError(f"the hub did not start in {timeout}s:\n{self.log_text()[-4000:]}")

    def _status(self, url: str) -> int:
        try:
            return requests.get(url, timeout=5).status_code
        except requests.RequestException:
            return 0

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def login(self, name: str, timeout: float = 90.0) -> requests.Session:
        """Log in through /hub/login and wait until the user's server serves the dashboards' home."""
        s = requests.Session()
        s.get(self.base + "/hub/login", timeout=30)
        r = s.post(self.base + "/hub/login", data={"username": name, "password": self.users[name][1],
                                                   "_xsrf": s.cookies.get("_xsrf")}, timeout=60)  # fmt: skip
        assert r.status_code == 200, (r.status_code, r.url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = s.get(f"{self.base}/user/{name}/voila/render/dashboards/home.ipynb", timeout=60)
            if r.status_code == 200 and "application/vnd.jupyter.widget-view+json" in r.text:
                return s
            time.sleep(0.5)
        raise TimeoutError(f"{name}'s server did not serve the home page")

    def token(self, session: requests.Session, name: str) -> str:
        """A hub API token of ``name`` (as from /hub/token), for the CLI and the service."""
        xsrf = session.cookies.get("_xsrf", path="/hub/") or session.cookies.get("_xsrf")
        r = session.post(f"{self.base}/hub/api/users/{name}/tokens", headers={"X-XSRFToken": xsrf},
                         json={"note": "tests", "expires_in": 3600}, timeout=30)  # fmt: skip
        assert r.status_code == 201, r.text
        return str(r.json()["token"])

    def api(self, method: str, path: str, token: str | None, **kw: Any) -> requests.Response:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"token {token}"
        return requests.request(method, self.service + path, headers=headers, timeout=120, **kw)

    def user_env(self, token: str) -> dict[str, str]:
        """The environment a user's server gives its processes (so `oqtk` acts as that user)."""
        return {**self.env, "OQTK_REGISTER_URL": self.service, "OQTK_RUNS_DIR": str(self.runs_root),
                "JUPYTERHUB_API_TOKEN": token, "OQTK_HOME": str(self.home / "cli-home")}  # fmt: skip

    def stop(self) -> None:
        """SIGTERM to the hub (it stops its proxy, services and user servers), then SIGKILL to
        every process it had started that is still there: the user servers run in sessions of
        their own, so a process group does not hold them."""
        if self.proc is None:
            return
        import psutil

        try:
            started = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            started = []
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)  # the hub stops its proxy, services, servers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything of its group still there
        for p in started:  # and of its children in sessions of their own (user servers, kernels)
            with contextlib.suppress(psutil.Error):
                p.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._log.close()
        self.proc = None

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
