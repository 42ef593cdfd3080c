"""Basic auth in front of the wrapped app, on both faces: the app sees REMOTE_USER and
AUTH_TYPE as a handler behind Apache does, %u reaches the access log, a refused request
never reaches the app, and an htpasswd file is re-read when it changes."""

from __future__ import annotations

import base64
import hashlib
import os

from apachemw.core.apr_password import validate

from .conftest import Face, Site

# Written by `htpasswd -nbm alice secret`; the second is `htpasswd -nbs alice changed`.
ALICE_APR1 = "alice:$apr1$SwBODNta$gnBqQsT79nLggQimP3YSS1\n"
ALICE_SHA = "alice:{SHA}" + base64.b64encode(hashlib.sha1(b"changed").digest()).decode() + "\n"


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _conf(site: Site) -> str:
    users = site.tmp / "users"
    return site.conf(
        f"""
<Directory {site.docroot}/private>
    AuthType Basic
    AuthName "Private"
    AuthUserFile {users}
    Require valid-user
</Directory>
"""
    )


def test_app_sees_the_user_and_the_log_names_them(client: Face, site: Site) -> None:
    (site.tmp / "users").write_text(ALICE_APR1)
    site.write("private/.keep", "")
    app = client.echo_app()
    c = client.wrap(app, text=_conf(site))
    r = c.get("/private/report", headers=_basic("alice", "secret"))
    assert r.status == 200
    seen = app.calls[0]
    assert (seen.env["REMOTE_USER"], seen.env["AUTH_TYPE"]) == ("alice", "Basic")
    assert " - alice [" in site.log_lines()[-1]


def test_refused_request_never_reaches_the_app(client: Face, site: Site) -> None:
    (site.tmp / "users").write_text(ALICE_APR1)
    site.write("private/.keep", "")
    app = client.echo_app()
    c = client.wrap(app, text=_conf(site))
    for headers in ({}, _basic("alice", "wrong"), {"Authorization": "Basic %%%"}):
        r = c.get("/private/report", headers=headers)
        assert r.status == 401
        assert r.header("WWW-Authenticate") == 'Basic realm="Private"'
    assert app.calls == []


def test_changed_user_file_is_read_again(client: Face, site: Site) -> None:
    users = site.tmp / "users"
    users.write_text(ALICE_APR1)
    site.write("private/a.txt", "a")
    c = client.wrap(None, text=_conf(site))
    assert c.get("/private/a.txt", headers=_basic("alice", "secret")).status == 200
    users.write_text(ALICE_SHA)
    os.utime(users, (1, 1))  # a different version even within the same second
    assert validate(b"changed", ALICE_SHA.strip().partition(":")[2])
    assert c.get("/private/a.txt", headers=_basic("alice", "secret")).status == 401
    assert c.get("/private/a.txt", headers=_basic("alice", "changed")).status == 200
