"""Directory accounts (issue 13): the hub against a real OpenLDAP server (Debian's slapd, started
by the test on a free loopback port from a throw-away configuration), the directory groups
mapped to the roles by ``toolkit.hub.ldap.OqtkLDAPAuthenticator``."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from browser_support import free_port
from hub_support import HubServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]

SLAPD = "/usr/sbin/slapd"
BASE = "dc=bureau,dc=test"
PEOPLE = {  # uid → (password, group)
    "ldapofficer": ("officer-Pass!2026", "oq-officers"),
    "ldapsuper": ("super-Pass!2026", "oq-supervisors"),
    "ldapnobody": ("nobody-Pass!2026", None),
}


def _ldif() -> str:
    out = [f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: bureau\ndc: bureau\n"]
    for ou in ("people", "groups"):
        out.append(f"dn: ou={ou},{BASE}\nobjectClass: organizationalUnit\nou: {ou}\n")
    for uid, (pw, _g) in PEOPLE.items():
        out.append(f"dn: uid={uid},ou=people,{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\n"
                   f"sn: {uid}\nuserPassword: {pw}\n")  # fmt: skip
    for group in ("oq-officers", "oq-supervisors", "oq-admins"):
        members = [uid for uid, (_pw, g) in PEOPLE.items() if g == group] or ["nobody"]
        lines = "".join(f"member: uid={m},ou=people,{BASE}\n" for m in members)
        out.append(f"dn: cn={group},ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: {group}\n{lines}")
    return "\n".join(out)


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    if not os.path.exists(SLAPD):  # fail, never skip: `make test` installs Debian's slapd
        pytest.fail(f"{SLAPD} is not installed: run `make system-deps` (Debian's slapd)")
    d = Path(tmp_path_factory.mktemp("slapd"))
    (d / "db").mkdir()
    conf = d / "slapd.conf"
    conf.write_text(
        "include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n"
        "include /etc/ldap/schema/inetorgperson.schema\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'pidfile {d / "slapd.pid"}\ndatabase mdb\nsuffix "{BASE}"\nrootdn "cn=admin,{BASE}"\n'
        f"rootpw admin-secret\ndirectory {d / 'db'}\n",
        encoding="utf-8",
    )
    (d / "data.ldif").write_text(_ldif(), encoding="utf-8")
    subprocess.run([shutil.which("slapadd") or "/usr/sbin/slapadd", "-f", str(conf), "-l", str(d / "data.ldif")],
                   check=True, capture_output=True)  # fmt: skip
    port = free_port()
    proc = subprocess.Popen([SLAPD, "-f", str(conf), "-h", f"ldap://127.0.0.1:{port}/", "-d", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        time.sleep(0.1)
    try:
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def ldap_hub(slapd, tmp_path_factory):
    home = Path(tmp_path_factory.mktemp("ldap_hub"))
    (home / "hub").mkdir(mode=0o700)
    groups = {role: f"cn=oq-{role}s,ou=groups,{BASE}" for role in ("officer", "supervisor", "admin")}
    (home / "hub" / "site_config.py").write_text(
        'c.JupyterHub.authenticator_class = "toolkit.hub.ldap.OqtkLDAPAuthenticator"\n'
        'c.LDAPAuthenticator.server_address = "127.0.0.1"\n'
        f"c.LDAPAuthenticator.server_port = {slapd}\n"
        "c.LDAPAuthenticator.tls_strategy = 'insecure'\n"
        f'c.LDAPAuthenticator.bind_dn_template = ["uid={{username}},ou=people,{BASE}"]\n'
        f"c.OqtkLDAPAuthenticator.role_groups = {groups!r}\n",
        encoding="utf-8",
    )
    users = {uid: ("", pw) for uid, (pw, _g) in PEOPLE.items()}
    hub = HubServer(home, users=users, add_accounts=False)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def test_directory_users_log_in_with_their_group_as_role(ldap_hub):
    for uid, role in (("ldapofficer", "officer"), ("ldapsuper", "supervisor")):
        session = ldap_hub.login(uid)
        token = ldap_hub.token(session, uid)
        me = ldap_hub.api("GET", "api/whoami", token).json()
        assert (me["name"], me["role"], me["can_approve"]) == (uid, role, role == "supervisor")


def test_a_directory_user_in_no_role_group_or_with_a_wrong_password_cannot_log_in(ldap_hub):
    import requests

    for uid, pw in (("ldapnobody", PEOPLE["ldapnobody"][0]), ("ldapofficer", "wrong-password")):
        s = requests.Session()
        s.get(ldap_hub.base + "/hub/login", timeout=30)
        r = s.post(ldap_hub.base + "/hub/login", data={"username": uid, "password": pw,
                                                      "_xsrf": s.cookies.get("_xsrf")}, timeout=60)  # fmt: skip
        assert f"/user/{uid}" not in r.url and "spawn" not in r.url
