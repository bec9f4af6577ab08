"""The bureau deployment: JupyterHub with logins, roles and the ``oq-register`` service.

- :mod:`toolkit.hub.accounts` — accounts kept by the hub (jupyterhub-nativeauthenticator's
  bcrypt-hashed passwords in the hub database) and each account's role.
- :mod:`toolkit.hub.auth` — the hub's authenticator: NativeAuthenticator's password check, the
  role as the user's JupyterHub group (``officers``, ``supervisors``, ``admins``).
- ``jupyterhub_config.py`` — the hub's configuration (plain assignments), read by ``oqtk hub``.
- ``singleuser_config.py`` — each user's Jupyter server: the dashboards (Voila as a server
  extension) and, for supervisors and admins, JupyterLab.
- :mod:`toolkit.hub.service` — ``oq-register``: the only process that runs batches and writes
  run folders and the register; it learns who calls from the caller's hub token or cookie.
- :mod:`toolkit.hub.client` — how a user's server (the dashboards, ``oqtk batch``,
  ``oqtk runs``) talks to the service: ``OQTK_REGISTER_URL``, ``OQTK_RUNS_DIR`` and
  ``JUPYTERHUB_API_TOKEN`` in the environment decide the mode.
"""

from __future__ import annotations

#: role → JupyterHub group
ROLE_GROUPS: dict[str, str] = {"officer": "officers", "supervisor": "supervisors", "admin": "admins"}
#: role → (zh, en)
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "officer": ("经办人", "Case officer"),
    "supervisor": ("主管", "Supervisor"),
    "admin": ("管理员", "Administrator"),
}
SERVICE_NAME = "oq-register"
#: The custom scope that approving and returning a run needs (held by the supervisors' role only).
APPROVE_SCOPE = f"custom:{SERVICE_NAME}:approve"
#: The custom scope that lets a user see every run (supervisors and admins); others see their own.
READ_ALL_SCOPE = f"custom:{SERVICE_NAME}:read-all"

__all__ = ["APPROVE_SCOPE", "READ_ALL_SCOPE", "ROLE_GROUPS", "ROLE_LABELS", "SERVICE_NAME", "role_of_groups"]


def role_of_groups(groups: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The role a user's groups give (the highest: admin > supervisor > officer)."""
    for role in ("admin", "supervisor", "officer"):
        if ROLE_GROUPS[role] in groups:
            return role
    return None
