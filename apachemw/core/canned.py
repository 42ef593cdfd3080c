"""Apache's canned error pages (http_protocol.c ap_send_error_response and
get_canned_error_string), byte for byte as Debian's apache2 2.4.71 sends them.

2.4.71 opens them with an HTML 4.01 Strict doctype (older 2.4 releases used HTML 2.0).
They are sent as ``text/html; charset=iso-8859-1`` (:data:`CONTENT_TYPE`).
"""

from __future__ import annotations

from collections.abc import Callable

from apachemw.core.uri_escape import escape_html

__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_ADMIN",
    "REASONS",
    "canned_body",
    "escape_html",
    "server_signature",
    "status_line",
]

CONTENT_TYPE = "text/html; charset=iso-8859-1"
_DOCTYPE = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n'
)
# ServerAdmin when none is configured (httpd DEFAULT_ADMIN).
DEFAULT_ADMIN = "[no address given]"

# Apache's status_lines table: only these have a reason phrase; any other status is
# reported with the 500 line (ap_index_of_response).
REASONS: dict[int, str] = {
    100: "Continue",
    101: "Switching Protocols",
    102: "Processing",
    200: "OK",
    201: "Created",
    202: "Accepted",
    203: "Non-Authoritative Information",
    204: "No Content",
    205: "Reset Content",
    206: "Partial Content",
    207: "Multi-Status",
    208: "Already Reported",
    226: "IM Used",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    305: "Use Proxy",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable",
    417: "Expectation Failed",
    421: "Misdirected Request",
    422: "Unprocessable Entity",
    423: "Locked",
    424: "Failed Dependency",
    426: "Upgrade Required",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates",
    507: "Insufficient Storage",
    508: "Loop Detected",
    510: "Not Extended",
    511: "Network Authentication Required",
}


def status_line(status: int) -> str:
    """ "NNN Reason" as Apache puts it in the status line and the page title; unknown codes
    give Apache's 500 line."""
    if status not in REASONS:
        status = 500
    return f"{status} {REASONS[status]}"


def server_signature(
    mode: str, *, version: str, server_name: str, port: int, admin: str = DEFAULT_ADMIN
) -> str:
    """The ServerSignature footer (ap_psignature with the "<hr>\\n" prefix).

    ``mode`` is "off", "on" or "email"; ``version`` is the ServerTokens banner, e.g.
    "Apache/2.4.71 (Debian)"; ``port`` the port Apache reports (ap_get_server_port).
    """
    mode = mode.lower()
    if mode == "off":
        return ""
    name = escape_html(server_name)
    if mode == "email":
        name = f'<a href="mailto:{escape_html(admin)}">{name}</a>'
    return f"<hr>\n<address>{version} Server at {name} Port {port}</address>\n"


def _notes(prefix: str, notes: str | None, suffix: str) -> str:
    # add_optional_notes: the request's "error-notes" go between prefix and suffix.
    return f"{prefix}{notes or ''}{suffix}"


def _moved(location: str) -> str:
    return f'<p>The document has moved <a href="{escape_html(location)}">here</a>.</p>\n'


_FIXED: dict[int, str] = {
    305: "<p>This resource is only accessible through the proxy\n"
    "<br />\nYou will need to configure your client to use that proxy.</p>\n",
    401: "<p>This server could not verify that you\n"
    "are authorized to access the document\n"
    "requested.  Either you supplied the wrong\n"
    "credentials (e.g., bad password), or your\n"
    "browser doesn't understand how to supply\n"
    "the credentials required.</p>\n",
    404: "<p>The requested URL was not found on this server.</p>\n",
    408: "<p>Server timeout waiting for the HTTP request from the client.</p>\n",
    410: "<p>The requested resource is no longer available on this server"
    " and there is no forwarding address.\n"
    "Please remove all references to this resource.</p>\n",
    412: "<p>The precondition on the request for this URL evaluated to false.</p>\n",
    415: "<p>The supplied request data is not in a format\n"
    "acceptable for processing by this resource.</p>\n",
    416: "<p>None of the range-specifier values in the Range\n"
    "request-header field overlap the current extent\n"
    "of the selected resource.</p>\n",
    421: "<p>The client needs a new connection for this\n"
    "request as the requested host name does not match\n"
    "the Server Name Indication (SNI) in use for this\n"
    "connection.</p>\n",
    422: "<p>The server understands the media type of the\n"
    "request entity, but was unable to process the\n"
    "contained instructions.</p>\n",
    423: "<p>The requested resource is currently locked.\n"
    "The lock must be released or proper identification\n"
    "given before the method can be applied.</p>\n",
    424: "<p>The method could not be performed on the resource\n"
    "because the requested action depended on another\n"
    "action and that other action failed.</p>\n",
    426: "<p>The requested resource can only be retrieved\n"
    "using SSL.  The server is willing to upgrade the current\n"
    "connection to SSL, but your client doesn't support it.\n"
    "Either upgrade your client, or try requesting the page\n"
    "using https://\n",
    428: "<p>The request is required to be conditional.</p>\n",
    429: "<p>The user has sent too many requests\nin a given amount of time.</p>\n",
    431: "<p>The server refused this request because\n"
    "the request header fields are too large.</p>\n",
    503: "<p>The server is temporarily unable to service your\n"
    "request due to maintenance downtime or capacity\n"
    "problems. Please try again later.</p>\n",
    504: "<p>The gateway did not receive a timely response\n"
    "from the upstream server or application.</p>\n",
    506: "<p>A variant for the requested resource\n<pre>\n\n</pre>\n"
    "is itself a negotiable resource. This indicates a configuration error.</p>\n",
    507: "<p>The method could not be performed on the resource\n"
    "because the server is unable to store the\n"
    "representation needed to successfully complete the\n"
    "request.  There is insufficient free space left in\n"
    "your storage allocation.</p>\n",
    508: "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n",
    510: "<p>A mandatory extension policy in the request is not\n"
    "accepted by the server for this resource.</p>\n",
    511: "<p>The client needs to authenticate to gain\nnetwork access.</p>\n",
}
_FIXED[407] = _FIXED[401]


class _Context:
    """What get_canned_error_string reads from the request."""

    __slots__ = ("admin", "expect", "location", "method", "notes", "variants")

    def __init__(
        self,
        method: str,
        location: str,
        notes: str | None,
        variants: str | None,
        expect: str | None,
        admin: str,
    ) -> None:
        self.method = method
        self.location = location
        self.notes = notes
        self.variants = variants
        self.expect = expect
        self.admin = admin


def _p400(c: _Context) -> str:
    prefix = "<p>Your browser sent a request that this server could not understand.<br />\n"
    return _notes(prefix, c.notes, "</p>\n")


def _p403(c: _Context) -> str:
    return _notes("<p>You don't have permission to access this resource.", c.notes, "</p>\n")


def _p405(c: _Context) -> str:
    return f"<p>The requested method {escape_html(c.method)} is not allowed for this URL.</p>\n"


def _p406(c: _Context) -> str:
    prefix = (
        "<p>An appropriate representation of the requested resource "
        "could not be found on this server.</p>\n"
    )
    return _notes(prefix, c.variants, "")


def _p411(c: _Context) -> str:
    prefix = (
        f"<p>A request of the requested method {escape_html(c.method)}"
        " requires a valid Content-length.<br />\n"
    )
    return _notes(prefix, c.notes, "</p>\n")


def _p413(c: _Context) -> str:
    # Apache's 413 text has no <p>.
    return (
        "The requested resource does not allow request data with "
        f"{escape_html(c.method)} requests, or the amount of data provided in\n"
        "the request exceeds the capacity limit.\n"
    )


def _p414(c: _Context) -> str:
    prefix = "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n"
    return _notes(prefix, c.notes, "</p>\n")


def _p417(c: _Context) -> str:
    if c.expect is not None:
        prefix = (
            "<p>The expectation given in the Expect request-header\n"
            "field could not be met by this server.\n"
            f"The client sent<pre>\n    Expect: {escape_html(c.expect)}\n</pre>\n"
        )
    else:
        prefix = (
            "<p>No expectation was seen, the Expect request-header \n"
            "field was not presented by the client.\n"
        )
    return _notes(prefix, c.notes, "</p><p>Only the 100-continue expectation is supported.</p>\n")


def _p451(c: _Context) -> str:
    prefix = "<p>Access to this URL has been denied for legal reasons.<br />\n"
    return _notes(prefix, c.notes, "</p>\n")


def _p501(c: _Context) -> str:
    prefix = f"<p>{escape_html(c.method)} not supported for current URL.<br />\n"
    return _notes(prefix, c.notes, "</p>\n")


def _p502(c: _Context) -> str:
    # The only canned text with CRLF line ends.
    prefix = (
        "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n"
    )
    return _notes(prefix, c.notes, "</p>\n")


def _p500(c: _Context) -> str:
    # Also what every status without its own text gets (e.g. 402, 409, 505).
    return (
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n "
        f"{escape_html(c.admin)} to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
    )


_BUILDERS: dict[int, Callable[[_Context], str]] = {
    300: lambda c: c.variants or "",
    301: lambda c: _moved(c.location),
    302: lambda c: _moved(c.location),
    303: lambda c: (
        "<p>The answer to your request is located "
        f'<a href="{escape_html(c.location)}">here</a>.</p>\n'
    ),
    307: lambda c: _moved(c.location),
    308: lambda c: _moved(c.location),
    400: _p400,
    403: _p403,
    405: _p405,
    406: _p406,
    411: _p411,
    413: _p413,
    414: _p414,
    417: _p417,
    451: _p451,
    501: _p501,
    502: _p502,
}


def _paragraph(status: int, context: _Context) -> str:
    fixed = _FIXED.get(status)
    if fixed is not None:
        return fixed
    return _BUILDERS.get(status, _p500)(context)


def canned_body(
    status: int,
    *,
    uri: str,
    method: str,
    location: str | None = None,
    allow_method_msg: str | None = None,
    signature: str = "",
    error_notes: str | None = None,
    variant_list: str | None = None,
    expect: str | None = None,
    server_admin: str = DEFAULT_ADMIN,
    recursive_error: int | None = None,
) -> bytes:
    """The body Apache sends for ``status`` when no ErrorDocument applies.

    ``signature`` is the whole ServerSignature footer (see :func:`server_signature`), ""
    when Off. ``error_notes`` are the request's "error-notes" (Apache shows them for 400,
    403, 411, 414, 417, 451, 501 and 502), ``variant_list`` mod_negotiation's list for
    300/406, ``expect`` the request's Expect header for 417, ``server_admin`` the
    ServerAdmin for the 500 text, ``recursive_error`` the status of a failed ErrorDocument.
    ``uri`` and ``allow_method_msg`` are accepted for callers' convenience but 2.4.71 shows
    neither (the 404 page no longer names the URL; the 405 page names only the method).
    204 and 304 have no body. The text is latin-1 encoded, as Apache sends bytes through.
    """
    del uri, allow_method_msg
    if status in (204, 304):
        return b""
    context = _Context(method, location or "", error_notes, variant_list, expect, server_admin)
    title = status_line(status)
    parts = [
        _DOCTYPE,
        f"<html><head>\n<title>{title}</title>\n</head><body>\n<h1>{title[4:]}</h1>\n",
        _paragraph(status, context),
    ]
    if recursive_error is not None:
        parts.append(
            f"<p>Additionally, a {status_line(recursive_error)}\n"
            "error was encountered while trying to use an ErrorDocument to handle the request."
            "</p>\n"
        )
    parts += [signature, "</body></html>\n"]
    return _to_bytes("".join(parts))


def _to_bytes(text: str) -> bytes:
    # Values come from latin-1 headers or surrogateescape-decoded URIs: give back their
    # bytes; a character neither can hold becomes "?".
    try:
        return text.encode("latin-1", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("latin-1", "replace")
