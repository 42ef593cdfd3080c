"""A rowing club's site: Flask pages, with Apache's static files and Basic auth in front.

``app`` is a Flask app whose ``wsgi_app`` is wrapped by apachemw (``httpd.conf`` next to
this file), so ``flask run`` and ``app.test_client()`` go through Apache's rules too;
``asgi`` is the same app for uvicorn, through a2wsgi. See README.md.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template_string, request

from apachemw.contrib.flask import wrap
from apachemw.contrib.wsgi import to_asgi

HERE = Path(__file__).resolve().parent
DOCUMENTS = HERE / "htdocs" / "members"

HEAD = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/club.css"></head>
<body>
<h1>{{ title }}</h1>
"""

HOME = (
    HEAD
    + """<p>Rowing on the river since 1931. Novices welcome on Saturday mornings.</p>
<p><a href="/members/">Members' area</a> (login required)</p>
</body>
</html>
"""
)

MEMBERS = (
    HEAD
    + """<p>Welcome back, {{ user }}.</p>
<ul>
{% for name in documents %}<li><a href="/members/{{ name }}">{{ name }}</a></li>
{% endfor %}</ul>
</body>
</html>
"""
)

app = Flask(__name__, static_folder=None)  # Apache serves htdocs/static


@app.get("/")
def home() -> str:
    return render_template_string(HOME, title="Riverside Rowing Club")


@app.get("/members/")
def members() -> str:
    # Apache checked the password before the app ran (htdocs/members/.htaccess).
    user = request.environ["REMOTE_USER"]
    documents = sorted(p.name for p in DOCUMENTS.iterdir() if not p.name.startswith("."))
    return render_template_string(MEMBERS, title="Club members", user=user, documents=documents)


wrap(app, config=HERE / "httpd.conf")
asgi = to_asgi(app)
