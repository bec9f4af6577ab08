"""Accounts kept by the hub: a name, a bcrypt-hashed password and a role.

Passwords are stored by jupyterhub-nativeauthenticator (its ``users_info`` table, bcrypt) in
the hub's own database; the role of each account is kept beside it in ``oqtk_accounts``. Both
live in ``$OQTK_HOME/hub/jupyterhub.sqlite`` (0600), so an office without a directory server
needs nothing else. ``oqtk hub users add|list|set-role|remove`` call these functions; they work
whether or not the hub is running: a new account can log in at once, and a changed role or a
removed account takes effect at the hub's next authentication refresh (``auth_refresh_age``,
60 s in the shipped configuration; a removed user's cookie and tokens then stop working).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..exceptions import ToolkitError
from . import ROLE_GROUPS

__all__ = [
    "Account",
    "AccountError",
    "add_user",
    "declare_tables",
    "list_users",
    "open_session",
    "remove_user",
    "role_for",
    "set_role",
]

#: JupyterHub user names as this deployment accepts them (lower case; used in URLs and paths).
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD_LENGTH = 8


class AccountError(ToolkitError):
    """Raised when an account cannot be added, changed or removed (the message says why)."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    has_password: bool


def declare_tables() -> Any:
    """The ORM table of roles, declared on JupyterHub's own metadata (created with the hub's tables)."""
    from jupyterhub.orm import Base
    from sqlalchemy import Column, String

    existing = Base.metadata.tables.get("oqtk_accounts")
    if existing is not None:
        return existing
    return type(
        "OqtkAccount",
        (Base,),
        {
            "__tablename__": "oqtk_accounts",
            "username": Column(String(128), primary_key=True),
            "role": Column(String(32), nullable=False),
        },
    ).__table__


def open_session(db_url: str) -> Any:
    """A session on the hub database (its tables created or checked by JupyterHub's own factory)."""
    declare_tables()
    import nativeauthenticator.orm  # noqa: F401  (declares users_info on the same metadata)
    from jupyterhub.orm import new_session_factory

    return new_session_factory(db_url)()


def role_for(db: Any, name: str) -> str | None:
    """The role of ``name`` in the hub database ``db`` (a SQLAlchemy session), read fresh."""
    from sqlalchemy import select

    table = declare_tables()
    row = db.execute(select(table.c.role).where(table.c.username == name)).first()
    return None if row is None else str(row[0])


def _check_name(name: str) -> str:
    if not USERNAME_RE.match(name or ""):
        raise AccountError(
            f"用户名无效 / Invalid user name {name!r}: use 1–64 lower-case letters, digits, '.', '_' or "
            "'-', starting with a letter or digit"
        )
    return name


def _check_role(role: str) -> str:
    if role not in ROLE_GROUPS:
        raise AccountError(f"未知角色 / Unknown role {role!r}; use one of {', '.join(ROLE_GROUPS)}")
    return role


def _check_password(password: str) -> None:
    from nativeauthenticator import NativeAuthenticator

    checker = NativeAuthenticator(
        add_new_table=False, minimum_password_length=MIN_PASSWORD_LENGTH, check_common_password=True
    )
    if not checker.is_password_strong(password):
        raise AccountError(
            f"密码太弱：至少 {MIN_PASSWORD_LENGTH} 个字符，且不能是常见密码 / The password is too weak: "
            f"at least {MIN_PASSWORD_LENGTH} characters, and not a common password"
        )


def add_user(db_url: str, name: str, role: str, password: str) -> Account:
    """Create an account (refused if the name exists, or the password is weak)."""
    import bcrypt
    from nativeauthenticator.orm import UserInfo

    _check_name(name)
    _check_role(role)
    _check_password(password)
    table = declare_tables()
    db = open_session(db_url)
    try:
        if UserInfo.find(db, name) is not None or role_for(db, name) is not None:
            raise AccountError(f"用户 {name} 已存在 / User {name} already exists")
        db.add(UserInfo(username=name, password=bcrypt.hashpw(password.encode(), bcrypt.gensalt()),
                        is_authorized=True))  # fmt: skip
        db.execute(table.insert().values(username=name, role=role))
        db.commit()
    finally:
        db.close()
    return Account(name, role, True)


def list_users(db_url: str) -> list[Account]:
    from nativeauthenticator.orm import UserInfo
    from sqlalchemy import select

    table = declare_tables()
    db = open_session(db_url)
    try:
        with_password = {u.username for u in UserInfo.all_users(db)}
        rows = db.execute(select(table.c.username, table.c.role).order_by(table.c.username)).all()
    finally:
        db.close()
    return [Account(str(n), str(r), n in with_password) for n, r in rows]


def set_role(db_url: str, name: str, role: str) -> Account:
    _check_role(role)
    table = declare_tables()
    db = open_session(db_url)
    try:
        if role_for(db, name) is None:
            raise AccountError(f"没有用户 {name} / No user {name}")
        db.execute(table.update().where(table.c.username == name).values(role=role))
        db.commit()
    finally:
        db.close()
    return Account(name, role, True)


def remove_user(db_url: str, name: str) -> None:
    from nativeauthenticator.orm import UserInfo

    table = declare_tables()
    db = open_session(db_url)
    try:
        info = UserInfo.find(db, name)
        if info is None and role_for(db, name) is None:
            raise AccountError(f"没有用户 {name} / No user {name}")
        if info is not None:
            db.delete(info)
        db.execute(table.delete().where(table.c.username == name))
        db.commit()
    finally:
        db.close()
