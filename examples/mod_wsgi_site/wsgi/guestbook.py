"""The guestbook: a Flask app that mod_wsgi (or apachemw) mounts at /guestbook.

Entries live in the memory of each process, as a small demo does; a real site would
keep them in a database. Apache checks the moderators' login (``<Location
/guestbook/admin>`` in httpd.conf); the app only reads ``REMOTE_USER``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask, abort, redirect, render_template_string, request, url_for
from werkzeug.wrappers import Response

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
{% if user %}<p>Signed in as {{ user }}.</p>{% endif %}
<ul>
{% for entry in entries %}
  <li><b>{{ entry.name }}</b>: {{ entry.message }}
  {% if user %}<form method="post" action="{{ url_for('delete', number=loop.index0) }}">
  <button>Remove</button></form>{% endif %}</li>
{% else %}
  <li>No entries yet.</li>
{% endfor %}
</ul>
{% if not user %}
<form method="post" action="{{ url_for('sign') }}">
  <input name="name" placeholder="Your name" required>
  <input name="message" placeholder="Your message" required>
  <button>Sign</button>
</form>
{% endif %}
</body>
</html>
"""


@dataclass(frozen=True)
class Entry:
    name: str
    message: str


def create_app() -> Flask:
    app = Flask(__name__)
    entries: list[Entry] = []
    lock = threading.Lock()

    @app.get("/")
    def index() -> str:
        return render_template_string(PAGE, title="Our guestbook", entries=entries, user=None)

    @app.post("/sign")
    def sign() -> Response:
        name = request.form.get("name", "").strip()
        message = request.form.get("message", "").strip()
        if not name or not message:
            abort(400)
        with lock:
            entries.append(Entry(name[:80], message[:500]))
        return redirect(url_for("index"), code=303)

    @app.get("/admin/")
    def admin() -> str:
        user = request.environ["REMOTE_USER"]  # set by Apache's Basic auth
        return render_template_string(PAGE, title="Moderation", entries=entries, user=user)

    @app.post("/admin/delete/<int:number>")
    def delete(number: int) -> Response:
        with lock:
            if number >= len(entries):
                abort(404)
            del entries[number]
        return redirect(url_for("admin"), code=303)

    return app
