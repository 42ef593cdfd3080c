"""The golden suite's WSGI app (stdlib only, deterministic): run by mod_wsgi under
Apache when recording, and by apachemw from the same file when replaying.

GET <mount>/<anything> echoes what it sees; the first path segment that names an
answer picks it (so /hdr/status/404 is status/404 below a <Location /app/hdr>):
status/NNN (NNN with a body and Content-Length), bare/NNN (no body, no Content-Length),
nolen (two chunks, no Content-Length), type/<a>/<b> (that Content-Type), headers (extra
response headers), raise (raises before start_response), hop/<name> (a hop-by-hop
header), shortlen / longlen (a Content-Length that disagrees with the body)."""

SHOWN = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "REMOTE_USER",
    "AUTH_TYPE",
    "HTTP_AUTHORIZATION",
    "HTTP_X_TEST",
)
PREFIXES = ("SUITE_", "REDIRECT_")


def echo(environ):
    keys = list(SHOWN)
    keys += sorted(k for k in environ if k.startswith(PREFIXES))
    lines = [f"{k}={environ[k]}" if k in environ else f"{k}-" for k in keys]
    return ("\n".join(lines) + "\n").encode("latin-1", "backslashreplace")


def answer(environ, start_response, status, headers, body, length=True):
    if length:
        headers = [*headers, ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body] if body else []


KINDS = ("status", "bare", "nolen", "type", "headers", "raise", "hop", "shortlen", "longlen")
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    304: "Not Modified",
    404: "Not Found",
    500: "Internal Server Error",
}


def application(environ, start_response):
    parts = environ.get("PATH_INFO", "").split("/")
    at = next((i for i, p in enumerate(parts) if p in KINDS), len(parts))
    parts = ["", *parts[at:]]
    kind = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    text = [("Content-Type", "text/plain")]
    if kind in ("status", "bare") and arg.isdigit():
        code = int(arg)
        status = f"{code} {REASONS.get(code, 'Other')}"
        if kind == "bare":
            return answer(environ, start_response, status, [], b"", length=False)
        return answer(environ, start_response, status, text, f"app says {code}\n".encode())
    if kind == "nolen":
        start_response("200 OK", text)
        return [b"first part\n", b"second part\n"]
    if kind == "type":
        ctype = "/".join(parts[2:4])
        return answer(environ, start_response, "200 OK", [("Content-Type", ctype)], echo(environ))
    if kind == "headers":
        extra = [("X-App", "from-app"), ("X-Remove", "app-value"), ("Cache-Control", "no-store")]
        return answer(environ, start_response, "200 OK", text + extra, echo(environ))
    if kind == "raise":
        raise RuntimeError("the app failed before start_response")
    if kind == "hop":
        hop = {"te": ("Transfer-Encoding", "chunked"), "conn": ("Connection", "close")}
        extra = [hop[arg]] if arg in hop else []
        return answer(environ, start_response, "200 OK", text + extra, b"hop body\n")
    if kind == "shortlen":
        start_response("200 OK", [*text, ("Content-Length", "4")])
        return [b"more than four bytes\n"]
    if kind == "longlen":
        start_response("200 OK", [*text, ("Content-Length", "100")])
        return [b"fewer than a hundred\n"]
    return answer(environ, start_response, "200 OK", text, echo(environ))
