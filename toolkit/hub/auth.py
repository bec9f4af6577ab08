"""The hub's authenticator: NativeAuthenticator's password check, and the account's role as its
JupyterHub group (``manage_groups``), refreshed every ``auth_refresh_age`` seconds so that a
changed role or a removed account takes effect without a restart."""

from __future__ import annotations

from typing import Any

from nativeauthenticator import NativeAuthenticator
from traitlets import default

from . import ROLE_GROUPS
from .accounts import declare_tables, role_for

__all__ = ["OqtkAuthenticator"]

declare_tables()  # the roles table is declared before the hub creates its tables


class OqtkAuthenticator(NativeAuthenticator):  # type: ignore[misc]
    """Accounts from ``oqtk hub users`` (no sign-up page); roles as groups.

    NativeAuthenticator checks the password (bcrypt, and its lock-out after repeated failures);
    the role decides the group and whether the user is a JupyterHub admin."""

    @default("manage_groups")
    def _manage_groups(self) -> bool:
        return True

    @default("enable_signup")
    def _no_signup(self) -> bool:
        return False

    def _model(self, name: str) -> dict[str, Any] | None:
        role = role_for(self.db, name)
        if role is None:
            return None
        return {"name": name, "groups": [ROLE_GROUPS[role]], "admin": role == "admin"}

    async def authenticate(self, handler: Any, data: dict[str, Any]) -> dict[str, Any] | None:
        name = await super().authenticate(handler, data)
        return self._model(name) if name else None

    def check_allowed(self, username: str, authentication: Any = None) -> bool:
        return role_for(self.db, username) is not None

    def get_handlers(self, app: Any) -> list[tuple[str, Any]]:
        """JupyterHub's own login page, not NativeAuthenticator's: its pages (1.3.0) call
        ``self.statsd``, which JupyterHub 6 removed (a 500 on every login). Accounts are managed
        with ``oqtk hub users``, so its sign-up and authorisation pages are not needed."""
        from jupyterhub.handlers.login import LoginHandler

        return [("/login", LoginHandler)]

    async def refresh_user(self, user: Any, handler: Any = None) -> dict[str, Any] | bool:
        return self._model(user.name) or False
