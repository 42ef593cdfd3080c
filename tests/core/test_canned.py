"""Canned error pages, compared with bodies captured from Debian's apache2 2.4.71."""

from __future__ import annotations

import pytest

from apachemw.core.canned import (
    CONTENT_TYPE,
    REASONS,
    canned_body,
    escape_html,
    server_signature,
    status_line,
)

DOCTYPE = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">\n'
)
ADMIN = "adm<in>@example.com"

# Captured from apache2 2.4.71 with `Redirect <status> /s<status>` for each status, a GET,
# ServerSignature Off and ServerAdmin "adm<in>@example.com" (bodies after the doctype).
# Statuses Apache does not know (418, 499, 600...) come back as its 500 page.
CAPTURED_GET: dict[int, str] = {
    400: (
        "<html><head>\n"
        "<title>400 Bad Request</title>\n"
        "</head><body>\n"
        "<h1>Bad Request</h1>\n"
        "<p>Your browser sent a request that this server could not understand.<br />\n"
        "</p>\n"
        "</body></html>\n"
    ),
    401: (
        "<html><head>\n"
        "<title>401 Unauthorized</title>\n"
        "</head><body>\n"
        "<h1>Unauthorized</h1>\n"
        "<p>This server could not verify that you\n"
        "are authorized to access the document\n"
        "requested.  Either you supplied the wrong\n"
        "credentials (e.g., bad password), or your\n"
        "browser doesn't understand how to supply\n"
        "the credentials required.</p>\n"
        "</body></html>\n"
    ),
    402: (
        "<html><head>\n"
        "<title>402 Payment Required</title>\n"
        "</head><body>\n"
        "<h1>Payment Required</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    403: (
        "<html><head>\n"
        "<title>403 Forbidden</title>\n"
        "</head><body>\n"
        "<h1>Forbidden</h1>\n"
        "<p>You don't have permission to access this resource.</p>\n"
        "</body></html>\n"
    ),
    404: (
        "<html><head>\n"
        "<title>404 Not Found</title>\n"
        "</head><body>\n"
        "<h1>Not Found</h1>\n"
        "<p>The requested URL was not found on this server.</p>\n"
        "</body></html>\n"
    ),
    405: (
        "<html><head>\n"
        "<title>405 Method Not Allowed</title>\n"
        "</head><body>\n"
        "<h1>Method Not Allowed</h1>\n"
        "<p>The requested method GET is not allowed for this URL.</p>\n"
        "</body></html>\n"
    ),
    406: (
        "<html><head>\n"
        "<title>406 Not Acceptable</title>\n"
        "</head><body>\n"
        "<h1>Not Acceptable</h1>\n"
        "<p>An appropriate representation of the requested resource could not b"
        "e found on this server.</p>\n"
        "</body></html>\n"
    ),
    407: (
        "<html><head>\n"
        "<title>407 Proxy Authentication Required</title>\n"
        "</head><body>\n"
        "<h1>Proxy Authentication Required</h1>\n"
        "<p>This server could not verify that you\n"
        "are authorized to access the document\n"
        "requested.  Either you supplied the wrong\n"
        "credentials (e.g., bad password), or your\n"
        "browser doesn't understand how to supply\n"
        "the credentials required.</p>\n"
        "</body></html>\n"
    ),
    408: (
        "<html><head>\n"
        "<title>408 Request Timeout</title>\n"
        "</head><body>\n"
        "<h1>Request Timeout</h1>\n"
        "<p>Server timeout waiting for the HTTP request from the client.</p>\n"
        "</body></html>\n"
    ),
    409: (
        "<html><head>\n"
        "<title>409 Conflict</title>\n"
        "</head><body>\n"
        "<h1>Conflict</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    410: (
        "<html><head>\n"
        "<title>410 Gone</title>\n"
        "</head><body>\n"
        "<h1>Gone</h1>\n"
        "<p>The requested resource is no longer available on this server and th"
        "ere is no forwarding address.\n"
        "Please remove all references to this resource.</p>\n"
        "</body></html>\n"
    ),
    411: (
        "<html><head>\n"
        "<title>411 Length Required</title>\n"
        "</head><body>\n"
        "<h1>Length Required</h1>\n"
        "<p>A request of the requested method GET requires a valid Content-length.<br />\n"
        "</p>\n"
        "</body></html>\n"
    ),
    412: (
        "<html><head>\n"
        "<title>412 Precondition Failed</title>\n"
        "</head><body>\n"
        "<h1>Precondition Failed</h1>\n"
        "<p>The precondition on the request for this URL evaluated to false.</p>\n"
        "</body></html>\n"
    ),
    413: (
        "<html><head>\n"
        "<title>413 Request Entity Too Large</title>\n"
        "</head><body>\n"
        "<h1>Request Entity Too Large</h1>\n"
        "The requested resource does not allow request data with GET requests, "
        "or the amount of data provided in\n"
        "the request exceeds the capacity limit.\n"
        "</body></html>\n"
    ),
    414: (
        "<html><head>\n"
        "<title>414 Request-URI Too Long</title>\n"
        "</head><body>\n"
        "<h1>Request-URI Too Long</h1>\n"
        "<p>The requested URL's length exceeds the capacity\n"
        "limit for this server.<br />\n"
        "</p>\n"
        "</body></html>\n"
    ),
    415: (
        "<html><head>\n"
        "<title>415 Unsupported Media Type</title>\n"
        "</head><body>\n"
        "<h1>Unsupported Media Type</h1>\n"
        "<p>The supplied request data is not in a format\n"
        "acceptable for processing by this resource.</p>\n"
        "</body></html>\n"
    ),
    416: (
        "<html><head>\n"
        "<title>416 Requested Range Not Satisfiable</title>\n"
        "</head><body>\n"
        "<h1>Requested Range Not Satisfiable</h1>\n"
        "<p>None of the range-specifier values in the Range\n"
        "request-header field overlap the current extent\n"
        "of the selected resource.</p>\n"
        "</body></html>\n"
    ),
    417: (
        "<html><head>\n"
        "<title>417 Expectation Failed</title>\n"
        "</head><body>\n"
        "<h1>Expectation Failed</h1>\n"
        "<p>No expectation was seen, the Expect request-header \n"
        "field was not presented by the client.\n"
        "</p><p>Only the 100-continue expectation is supported.</p>\n"
        "</body></html>\n"
    ),
    418: (
        "<html><head>\n"
        "<title>500 Internal Server Error</title>\n"
        "</head><body>\n"
        "<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    421: (
        "<html><head>\n"
        "<title>421 Misdirected Request</title>\n"
        "</head><body>\n"
        "<h1>Misdirected Request</h1>\n"
        "<p>The client needs a new connection for this\n"
        "request as the requested host name does not match\n"
        "the Server Name Indication (SNI) in use for this\n"
        "connection.</p>\n"
        "</body></html>\n"
    ),
    422: (
        "<html><head>\n"
        "<title>422 Unprocessable Entity</title>\n"
        "</head><body>\n"
        "<h1>Unprocessable Entity</h1>\n"
        "<p>The server understands the media type of the\n"
        "request entity, but was unable to process the\n"
        "contained instructions.</p>\n"
        "</body></html>\n"
    ),
    423: (
        "<html><head>\n"
        "<title>423 Locked</title>\n"
        "</head><body>\n"
        "<h1>Locked</h1>\n"
        "<p>The requested resource is currently locked.\n"
        "The lock must be released or proper identification\n"
        "given before the method can be applied.</p>\n"
        "</body></html>\n"
    ),
    424: (
        "<html><head>\n"
        "<title>424 Failed Dependency</title>\n"
        "</head><body>\n"
        "<h1>Failed Dependency</h1>\n"
        "<p>The method could not be performed on the resource\n"
        "because the requested action depended on another\n"
        "action and that other action failed.</p>\n"
        "</body></html>\n"
    ),
    425: (
        "<html><head>\n"
        "<title>500 Internal Server Error</title>\n"
        "</head><body>\n"
        "<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    426: (
        "<html><head>\n"
        "<title>426 Upgrade Required</title>\n"
        "</head><body>\n"
        "<h1>Upgrade Required</h1>\n"
        "<p>The requested resource can only be retrieved\n"
        "using SSL.  The server is willing to upgrade the current\n"
        "connection to SSL, but your client doesn't support it.\n"
        "Either upgrade your client, or try requesting the page\n"
        "using https://\n"
        "</body></html>\n"
    ),
    428: (
        "<html><head>\n"
        "<title>428 Precondition Required</title>\n"
        "</head><body>\n"
        "<h1>Precondition Required</h1>\n"
        "<p>The request is required to be conditional.</p>\n"
        "</body></html>\n"
    ),
    429: (
        "<html><head>\n"
        "<title>429 Too Many Requests</title>\n"
        "</head><body>\n"
        "<h1>Too Many Requests</h1>\n"
        "<p>The user has sent too many requests\n"
        "in a given amount of time.</p>\n"
        "</body></html>\n"
    ),
    431: (
        "<html><head>\n"
        "<title>431 Request Header Fields Too Large</title>\n"
        "</head><body>\n"
        "<h1>Request Header Fields Too Large</h1>\n"
        "<p>The server refused this request because\n"
        "the request header fields are too large.</p>\n"
        "</body></html>\n"
    ),
    451: (
        "<html><head>\n"
        "<title>451 Unavailable For Legal Reasons</title>\n"
        "</head><body>\n"
        "<h1>Unavailable For Legal Reasons</h1>\n"
        "<p>Access to this URL has been denied for legal reasons.<br />\n"
        "</p>\n"
        "</body></html>\n"
    ),
    499: (
        "<html><head>\n"
        "<title>500 Internal Server Error</title>\n"
        "</head><body>\n"
        "<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    500: (
        "<html><head>\n"
        "<title>500 Internal Server Error</title>\n"
        "</head><body>\n"
        "<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    501: (
        "<html><head>\n"
        "<title>501 Not Implemented</title>\n"
        "</head><body>\n"
        "<h1>Not Implemented</h1>\n"
        "<p>GET not supported for current URL.<br />\n"
        "</p>\n"
        "</body></html>\n"
    ),
    502: (
        "<html><head>\n"
        "<title>502 Bad Gateway</title>\n"
        "</head><body>\n"
        "<h1>Bad Gateway</h1>\n"
        "<p>The proxy server received an invalid\r\n"
        "response from an upstream server.<br />\r\n"
        "</p>\n"
        "</body></html>\n"
    ),
    503: (
        "<html><head>\n"
        "<title>503 Service Unavailable</title>\n"
        "</head><body>\n"
        "<h1>Service Unavailable</h1>\n"
        "<p>The server is temporarily unable to service your\n"
        "request due to maintenance downtime or capacity\n"
        "problems. Please try again later.</p>\n"
        "</body></html>\n"
    ),
    504: (
        "<html><head>\n"
        "<title>504 Gateway Timeout</title>\n"
        "</head><body>\n"
        "<h1>Gateway Timeout</h1>\n"
        "<p>The gateway did not receive a timely response\n"
        "from the upstream server or application.</p>\n"
        "</body></html>\n"
    ),
    505: (
        "<html><head>\n"
        "<title>505 HTTP Version Not Supported</title>\n"
        "</head><body>\n"
        "<h1>HTTP Version Not Supported</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    506: (
        "<html><head>\n"
        "<title>506 Variant Also Negotiates</title>\n"
        "</head><body>\n"
        "<h1>Variant Also Negotiates</h1>\n"
        "<p>A variant for the requested resource\n"
        "<pre>\n"
        "\n"
        "</pre>\n"
        "is itself a negotiable resource. This indicates a configuration error.</p>\n"
        "</body></html>\n"
    ),
    507: (
        "<html><head>\n"
        "<title>507 Insufficient Storage</title>\n"
        "</head><body>\n"
        "<h1>Insufficient Storage</h1>\n"
        "<p>The method could not be performed on the resource\n"
        "because the server is unable to store the\n"
        "representation needed to successfully complete the\n"
        "request.  There is insufficient free space left in\n"
        "your storage allocation.</p>\n"
        "</body></html>\n"
    ),
    508: (
        "<html><head>\n"
        "<title>508 Loop Detected</title>\n"
        "</head><body>\n"
        "<h1>Loop Detected</h1>\n"
        "<p>The server terminated an operation because\n"
        "it encountered an infinite loop.</p>\n"
        "</body></html>\n"
    ),
    509: (
        "<html><head>\n"
        "<title>500 Internal Server Error</title>\n"
        "</head><body>\n"
        "<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
    510: (
        "<html><head>\n"
        "<title>510 Not Extended</title>\n"
        "</head><body>\n"
        "<h1>Not Extended</h1>\n"
        "<p>A mandatory extension policy in the request is not\n"
        "accepted by the server for this resource.</p>\n"
        "</body></html>\n"
    ),
    511: (
        "<html><head>\n"
        "<title>511 Network Authentication Required</title>\n"
        "</head><body>\n"
        "<h1>Network Authentication Required</h1>\n"
        "<p>The client needs to authenticate to gain\n"
        "network access.</p>\n"
        "</body></html>\n"
    ),
    600: (
        "<html><head>\n"
        "<title>500 Internal Server Error</title>\n"
        "</head><body>\n"
        "<h1>Internal Server Error</h1>\n"
        "<p>The server encountered an internal error or\n"
        "misconfiguration and was unable to complete\n"
        "your request.</p>\n"
        "<p>Please contact the server administrator at \n"
        " adm&lt;in&gt;@example.com to inform them of the time this error occurred,\n"
        " and the actions you performed just before this error.</p>\n"
        "<p>More information about this error may be available\n"
        "in the server error log.</p>\n"
        "</body></html>\n"
    ),
}


@pytest.mark.parametrize("status", sorted(CAPTURED_GET))
def test_every_status_matches_apache(status: int) -> None:
    body = canned_body(status, uri=f"/s{status}", method="GET", server_admin=ADMIN)
    assert body == (DOCTYPE + CAPTURED_GET[status]).encode("latin-1")


def _page(title: str, paragraph: str, signature: str = "") -> bytes:
    return (
        f"{DOCTYPE}<html><head>\n<title>{title}</title>\n</head><body>\n"
        f"<h1>{title[4:]}</h1>\n{paragraph}{signature}</body></html>\n"
    ).encode("latin-1")


# Captured from apache2 2.4.71: mod_alias Redirect and mod_dir DirectorySlash answers.
@pytest.mark.parametrize(
    ("status", "location", "paragraph"),
    [
        (
            302,
            'http://example.com/a"b<c>&d',
            '<p>The document has moved <a href="http://example.com/a&quot;b&lt;c&gt;&amp;d">'
            "here</a>.</p>\n",
        ),
        (
            301,
            "http://localhost/sub/",
            '<p>The document has moved <a href="http://localhost/sub/">here</a>.</p>\n',
        ),
        (
            303,
            "http://example.com/see",
            "<p>The answer to your request is located "
            '<a href="http://example.com/see">here</a>.</p>\n',
        ),
        (
            307,
            "http://example.com/t",
            '<p>The document has moved <a href="http://example.com/t">here</a>.</p>\n',
        ),
        (
            308,
            "http://example.com/p",
            '<p>The document has moved <a href="http://example.com/p">here</a>.</p>\n',
        ),
        (
            305,
            "http://example.com/px",
            "<p>This resource is only accessible through the proxy\n<br />\n"
            "You will need to configure your client to use that proxy.</p>\n",
        ),
        (300, "http://example.com/mc", ""),
    ],
)
def test_redirect_pages(status: int, location: str, paragraph: str) -> None:
    body = canned_body(status, uri="/r", method="GET", location=location)
    assert body == _page(status_line(status), paragraph)


def test_header_only_statuses_have_no_body() -> None:
    # Apache sends 204 and 304 without a body (304 captured: no Content-Length, no body).
    assert canned_body(304, uri="/nm", method="GET", location="http://example.com/nm") == b""
    assert canned_body(204, uri="/", method="GET") == b""


def test_405_501_name_the_escaped_method() -> None:
    # Captured: PUT /index.html -> 405; "get /index.html" -> 501.
    put = canned_body(405, uri="/index.html", method="PUT")
    assert put == _page(
        "405 Method Not Allowed",
        "<p>The requested method PUT is not allowed for this URL.</p>\n",
    )
    assert len(put) == 260  # Content-Length Apache sent
    low = canned_body(501, uri="/index.html", method="get")
    assert low == _page(
        "501 Not Implemented", "<p>get not supported for current URL.<br />\n</p>\n"
    )
    assert len(low) == 242
    assert b"&lt;x&gt;" in canned_body(405, uri="/", method="<x>")


def test_417_with_expect_header() -> None:
    # Captured: GET with "Expect: <foo>".
    body = canned_body(417, uri="/index.html", method="GET", expect="<foo>")
    assert body == _page(
        "417 Expectation Failed",
        "<p>The expectation given in the Expect request-header\n"
        "field could not be met by this server.\n"
        "The client sent<pre>\n    Expect: &lt;foo&gt;\n</pre>\n"
        "</p><p>Only the 100-continue expectation is supported.</p>\n",
    )
    assert len(body) == 403


def test_content_lengths_seen_in_observed_tsv() -> None:
    # apache-2.4.71-observed.tsv: 400 -> 266, 403 -> 239, 404 -> 236, 414 -> 288.
    assert len(canned_body(400, uri="/", method="GET")) == 266
    assert len(canned_body(403, uri="/", method="GET")) == 239
    assert len(canned_body(404, uri="/", method="GET")) == 236
    assert len(canned_body(414, uri="/", method="GET")) == 288
    assert len(canned_body(301, uri="/sub", method="GET", location="http://localhost/sub/")) == 269


def test_default_admin_500() -> None:
    body = canned_body(500, uri="/", method="GET")
    assert b"administrator at \n [no address given] to inform" in body
    assert len(body) == 571  # captured before a ServerAdmin was set


# Captured with ServerSignature On / EMail in a <Location>, ServerAdmin "adm<in>@example.com".
SIG_ON = "<hr>\n<address>Apache/2.4.71 (Debian) Server at localhost Port 80</address>\n"
SIG_MAIL = (
    '<hr>\n<address>Apache/2.4.71 (Debian) Server at <a href="mailto:adm&lt;in&gt;@example.com">'
    "localhost</a> Port 80</address>\n"
)


def test_server_signature() -> None:
    common = {"version": "Apache/2.4.71 (Debian)", "server_name": "localhost", "port": 80}
    assert server_signature("On", **common) == SIG_ON
    assert server_signature("EMail", admin=ADMIN, **common) == SIG_MAIL
    assert server_signature("Off", **common) == ""
    body = canned_body(404, uri="/sig/x", method="GET", signature=SIG_ON)
    assert body == _page(
        "404 Not Found", "<p>The requested URL was not found on this server.</p>\n", SIG_ON
    )
    assert canned_body(501, uri="/sig/x", method="get", signature=SIG_ON).endswith(
        b"<p>get not supported for current URL.<br />\n</p>\n"
        + SIG_ON.encode()
        + b"</body></html>\n"
    )


def test_error_notes_and_variants() -> None:
    body = canned_body(400, uri="/", method="GET", error_notes="Size of a request header")
    assert b"understand.<br />\nSize of a request header</p>\n" in body
    body = canned_body(403, uri="/", method="GET", error_notes=" x")
    assert b"access this resource. x</p>\n" in body
    body = canned_body(406, uri="/", method="GET", variant_list="<ul>v</ul>\n")
    assert body.endswith(b"on this server.</p>\n<ul>v</ul>\n</body></html>\n")
    assert b"<ul>v</ul>" in canned_body(300, uri="/", method="GET", variant_list="<ul>v</ul>")


def test_recursive_error_paragraph() -> None:
    body = canned_body(404, uri="/", method="GET", recursive_error=500)
    assert body.endswith(
        b"<p>Additionally, a 500 Internal Server Error\nerror was encountered while trying "
        b"to use an ErrorDocument to handle the request.</p>\n</body></html>\n"
    )


def test_reasons_and_status_line() -> None:
    assert REASONS[413] == "Request Entity Too Large"
    assert REASONS[414] == "Request-URI Too Long"
    assert REASONS[416] == "Requested Range Not Satisfiable"
    assert status_line(418) == "500 Internal Server Error"
    assert status_line(99) == "500 Internal Server Error"
    assert CONTENT_TYPE == "text/html; charset=iso-8859-1"


def test_escape_html_and_bytes() -> None:
    assert escape_html('<a href="x">&\'') == "&lt;a href=&quot;x&quot;&gt;&amp;'"
    # surrogate-escaped bytes go out as themselves, other characters as "?"
    assert b"\xff" in canned_body(405, uri="/", method="M\udcff")
    assert b"M?" in canned_body(405, uri="/", method="M\u20ac")
