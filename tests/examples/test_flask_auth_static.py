"""examples/flask_auth_static: Flask routes, public files, and Basic-auth-protected files
and pages, loaded as the README's uvicorn command loads them (``members:asgi``) and
through Flask's own test client (``members:app``, whose wsgi_app carries apachemw)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from .live import load_uvicorn_app, readme_command, serving

ALICE = ("alice", "wonderland")


def _members() -> Any:
    argv = readme_command("flask_auth_static")
    asgi = load_uvicorn_app(argv)
    import members  # the module uvicorn just imported, from --app-dir

    assert asgi is members.asgi
    return members


class FlaskClient:
    """Flask's test client on ``members.app``: apachemw runs inside ``app.wsgi_app``."""

    def __init__(self) -> None:
        self.client = _members().app.test_client()

    def get(
        self, path: str, auth: tuple[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        r = self.client.get(path, auth=auth)
        result = (r.status_code, dict(r.headers), r.get_data(as_text=True))
        r.close()  # the log phase runs on close, as under a server
        return result


class ASGIClient:
    """httpx over ``members.asgi``, what uvicorn serves."""

    def __init__(self) -> None:
        self.app = _members().asgi

    def get(
        self, path: str, auth: tuple[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
                return await c.get(path, auth=auth)

        r = asyncio.run(go())
        return r.status_code, dict(r.headers), r.text


@pytest.fixture(params=["flask", "uvicorn"])
def club(request: pytest.FixtureRequest) -> Any:
    return FlaskClient() if request.param == "flask" else ASGIClient()


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def test_home_page_is_flasks(club: Any) -> None:
    status, headers, text = club.get("/")
    assert status == 200
    assert "<h1>Riverside Rowing Club</h1>" in text
    assert _header(headers, "ETag") is None  # a page, not a file


def test_public_files_are_apaches(club: Any) -> None:
    status, headers, text = club.get("/static/club.css")
    assert (status, _header(headers, "Content-Type")) == (200, "text/css")
    assert _header(headers, "ETag") and text.startswith("body {")
    assert club.get("/robots.txt")[2] == "User-agent: *\nDisallow: /members/\n"


def test_members_files_need_a_login(club: Any) -> None:
    status, headers, text = club.get("/members/rota-november.txt")
    assert status == 401
    assert _header(headers, "WWW-Authenticate") == 'Basic realm="Riverside Rowing Club members"'
    assert "<title>401 Unauthorized</title>" in text
    assert club.get("/members/rota-november.txt", auth=("alice", "nope"))[0] == 401
    status, _, text = club.get("/members/rota-november.txt", auth=ALICE)
    assert status == 200 and text.startswith("Boathouse rota, November")
    assert club.get("/members/minutes-october.txt", auth=("bob", "builder"))[0] == 200


def test_the_members_page_is_flasks_behind_the_same_login(club: Any) -> None:
    assert club.get("/members/")[0] == 401  # Apache refuses before Flask runs
    status, _, text = club.get("/members/", auth=ALICE)
    assert status == 200
    assert "Welcome back, alice." in text  # REMOTE_USER
    assert '<a href="/members/minutes-october.txt">' in text
    assert ".htaccess" not in text


def test_htaccess_is_never_served(club: Any) -> None:
    assert club.get("/members/.htaccess", auth=ALICE)[0] == 403


def test_unknown_paths_get_flasks_404(club: Any) -> None:
    status, _, text = club.get("/regatta")
    assert status == 404
    assert "The requested URL was not found on the server." in text  # Werkzeug's wording


def test_readme_command() -> None:
    with serving("flask_auth_static") as base, httpx.Client(base_url=base) as http:
        assert "Riverside Rowing Club" in http.get("/").text
        assert http.get("/members/rota-november.txt").status_code == 401
        page = http.get("/members/", auth=ALICE)
        assert (page.status_code, "Welcome back, alice." in page.text) == (200, True)
