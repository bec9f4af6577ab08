"""Directory accounts (LDAP / Active Directory) for the hub: jupyterhub-ldapauthenticator's
password check against the directory, and the directory groups mapped to the three roles.

In ``$OQTK_HOME/hub/site_config.py`` (read after the shipped configuration)::

    c.JupyterHub.authenticator_class = "toolkit.hub.ldap.OqtkLDAPAuthenticator"
    c.LDAPAuthenticator.server_address = "ad.bureau.example"
    c.LDAPAuthenticator.bind_dn_template = ["uid={username},ou=people,dc=bureau,dc=example"]
    c.OqtkLDAPAuthenticator.role_groups = {
        "officer": "cn=oq-officers,ou=groups,dc=bureau,dc=example",
        "supervisor": "cn=oq-supervisors,ou=groups,dc=bureau,dc=example",
        "admin": "cn=oq-admins,ou=groups,dc=bureau,dc=example",
    }

A user in none of the groups cannot log in; one in several gets the highest role (admin >
supervisor > officer). The role becomes the JupyterHub group as with the hub's own accounts, so
the roles, scopes and the oq-register service work unchanged. The role is read at each login.
"""

from __future__ import annotations

from typing import Any

from ldapauthenticator import LDAPAuthenticator
from traitlets import Dict, default, observe

from . import ROLE_GROUPS

__all__ = ["OqtkLDAPAuthenticator"]


class OqtkLDAPAuthenticator(LDAPAuthenticator):  # type: ignore[misc]
    role_groups = Dict(
        config=True,
        help="role (officer, supervisor, admin) → the distinguished name of its directory group",
    )

    @default("manage_groups")
    def _manage_groups(self) -> bool:
        return True

    @default("group_search_filter")
    def _member_filter(self) -> str:
        # groupOfNames / groupOfUniqueNames (OpenLDAP) and Active Directory groups; the library's
        # default also asks for memberUid, which a directory without the nis schema refuses
        return "(|(member={userdn})(uniqueMember={userdn}))"

    @default("group_attributes")
    def _member_attributes(self) -> list[str]:
        return ["member", "uniqueMember"]

    @observe("role_groups")
    def _allowed_from_roles(self, change: dict[str, Any]) -> None:
        unknown = set(change["new"]) - set(ROLE_GROUPS)
        if unknown:
            raise ValueError(f"role_groups: unknown roles {sorted(unknown)}; use {sorted(ROLE_GROUPS)}")
        self.allowed_groups = list(change["new"].values())

    async def authenticate(self, handler: Any, data: dict[str, Any]) -> dict[str, Any] | None:
        model = await super().authenticate(handler, data)
        if not model:
            return None
        found = set((model.get("auth_state") or {}).get("ldap_groups") or [])
        for role in ("admin", "supervisor", "officer"):
            if self.role_groups.get(role) in found:
                model["groups"] = [ROLE_GROUPS[role]]
                model["admin"] = role == "admin"
                return dict(model)
        self.log.warning("login refused: the account is in none of the role groups")
        return None
