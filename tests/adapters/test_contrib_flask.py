"""``apachemw.contrib.flask``: a real Flask app, and werkzeug's ProxyFix placed inside or
outside apachemw, or replaced by apachemw's mod_remoteip.

The client 203.0.113.7 reaches the app through the proxy 10.0.0.2, which appends it to
X-Forwarded-For; ``/office/`` is ``Require ip 203.0.113.0/24``. The log line is
``%a %{c}a``: the client Apache believed, then the connection's peer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from apachemw.contrib.flask import Apache, wrap

from .conftest import Site

PROXY, CLIENT, STRANGER = "10.0.0.2", "203.0.113.7", "198.51.100.9"


def _flask() -> Flask:
    app = Flask(__name__)

    @app.get("/office/report")
    def report() -> dict[str, Any]:
        return {
            "remote_addr": request.remote_addr,
            "forwarded_for": request.headers.get("X-Forwarded-For"),
        }

    return app


def _conf(site: Site, remoteip: bool = False, office: bool = True) -> str:
    extra = ['LogFormat "%a %{c}a %>s" clients', f"CustomLog {site.tmp / 'clients.log'} clients"]
    if office:
        extra += ["<Location /office>", "    Require ip 203.0.113.0/24", "</Location>"]
    if remoteip:
        extra += ["RemoteIPHeader X-Forwarded-For", f"RemoteIPInternalProxy {PROXY}"]
    return site.conf("\n".join(extra))


def _get(app: Flask, peer: str, forwarded: str | None) -> tuple[int, Any]:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = app.test_client().get(
        "/office/report", headers=headers, environ_base={"REMOTE_ADDR": peer}
    )
    response.close()  # the log phase runs when the server closes the body
    return response.status_code, response.get_json(silent=True)


def _last_log(site: Site) -> str:
    return Path(site.tmp / "clients.log").read_text().splitlines()[-1]


def test_wrap_keeps_a_flask_object_and_puts_apache_in_wsgi_app(site: Site) -> None:
    site.write("robots.txt", "User-agent: *\n")
    app = _flask()
    assert wrap(app, text=site.conf()) is app
    assert isinstance(app.wsgi_app, Apache)
    response = app.test_client().get("/robots.txt")
    assert (response.status_code, response.data) == (200, b"User-agent: *\n")
    assert response.headers["ETag"]
    assert app.test_client().get("/office/report").status_code == 200  # Flask's route


def test_proxyfix_inside_only_flask_sees_the_client(site: Site) -> None:
    app = _flask()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    wrap(app, text=_conf(site))
    status, _ = _get(app, PROXY, CLIENT)
    assert status == 403  # Require ip saw the proxy
    assert _last_log(site) == f"{PROXY} {PROXY} 403"
    # Where Apache lets the request through, Flask alone learns the client.
    app2 = _flask()
    app2.wsgi_app = ProxyFix(app2.wsgi_app, x_for=1)  # type: ignore[method-assign]
    wrap(app2, text=_conf(site, office=False))
    status, seen = _get(app2, PROXY, CLIENT)
    assert (status, seen["remote_addr"]) == (200, CLIENT)
    assert _last_log(site) == f"{PROXY} {PROXY} 200"


def test_proxyfix_outside_apache_sees_the_client(site: Site) -> None:
    app = wrap(_flask(), proxy_fix={"x_for": 1}, text=_conf(site))
    assert isinstance(app.wsgi_app, ProxyFix)
    status, seen = _get(app, PROXY, CLIENT)
    assert (status, seen["remote_addr"]) == (200, CLIENT)
    # Even %{c}a: ProxyFix replaced REMOTE_ADDR before Apache saw the connection.
    assert _last_log(site) == f"{CLIENT} {CLIENT} 200"


def test_proxyfix_outside_believes_a_spoofed_header_from_anyone(site: Site) -> None:
    app = wrap(_flask(), proxy_fix={"x_for": 1}, text=_conf(site))
    status, seen = _get(app, STRANGER, CLIENT)  # no proxy: the client wrote the header
    assert (status, seen["remote_addr"]) == (200, CLIENT)
    assert _last_log(site) == f"{CLIENT} {CLIENT} 200"


def test_mod_remoteip_sees_the_client_behind_the_listed_proxy(site: Site) -> None:
    app = wrap(_flask(), text=_conf(site, remoteip=True))
    status, seen = _get(app, PROXY, CLIENT)
    assert (status, seen["remote_addr"]) == (200, CLIENT)  # no ProxyFix needed
    assert seen["forwarded_for"] is None  # the address it used is off the header
    assert _last_log(site) == f"{CLIENT} {PROXY} 200"


def test_mod_remoteip_ignores_a_spoofed_header(site: Site) -> None:
    app = wrap(_flask(), text=_conf(site, remoteip=True))
    status, _ = _get(app, STRANGER, CLIENT)
    assert status == 403
    assert _last_log(site) == f"{STRANGER} {STRANGER} 403"


@pytest.mark.parametrize("hops", ["203.0.113.5", "203.0.113.5, 192.0.2.1"])
def test_proxyfix_x_for_on_top_of_mod_remoteip_takes_another_hop(site: Site, hops: str) -> None:
    """Both consume the header: ProxyFix inside, after mod_remoteip, reads what is left."""
    app = _flask()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)  # type: ignore[method-assign]
    wrap(app, text=_conf(site, remoteip=True))
    status, seen = _get(app, PROXY, f"{hops}, {CLIENT}")
    assert status == 200
    assert seen["remote_addr"] == hops.split(", ")[-1]  # not the client Apache logged
    assert _last_log(site) == f"{CLIENT} {PROXY} 200"
