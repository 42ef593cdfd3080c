"""ap_expr: parse once, evaluate per request (apachemw.config.expr).

The refusal messages below were recorded from Debian's apache2 2.4.71 with
``apache2 -t -f conf``, conf being ServerRoot, PidFile, ``Mutex file:/tmp default``,
ErrorLog, ``LoadModule mpm_event_module ...`` and ``<If "EXPR">\\n</If>`` (core.c prefixes
"Cannot parse condition clause: ", stripped here); string expressions were recorded as
``Header set X-T "expr=EXPR"`` with mod_headers ("Can't parse value expression : "
stripped). "Syntax OK" means apache2 accepted the expression.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apachemw.config.expr import Expr, ExprError, ExprResult, parse_expr

HERE = Path(__file__).parent
GOLDEN = HERE.parent / "golden"


@dataclass
class FakeContext:
    variables: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # path -> the tests that pass
    response: dict[str, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def variable(self, name: str) -> str:
        return self.variables.get(name, "")

    def header(self, name: str) -> str | None:
        self.asked.append(name)
        return {k.lower(): v for k, v in self.headers.items()}.get(name.lower())

    def env(self, name: str) -> str | None:
        return self.environment.get(name)

    def file_exists(self, path: str, test: str) -> bool:
        return test in self.files.get(path, "")

    def note(self, name: str) -> str | None:
        return self.notes.get(name)

    def response_header(self, name: str) -> str | None:
        return self.response.get(name)


def ctx(**kw: object) -> FakeContext:
    return FakeContext(**kw)  # type: ignore[arg-type]


REQUEST = FakeContext(
    variables={
        "REQUEST_URI": "/app/index.html",
        "QUERY_STRING": "id=42&x=y",
        "REMOTE_ADDR": "10.1.2.3",
        "REQUEST_METHOD": "GET",
        "HTTPS": "off",
        "SERVER_PORT": "80",
    },
    headers={"Host": "example.com", "X-V": "abc", "User-Agent": "curl/8", "Empty": ""},
    environment={"FOO": "envfoo", "BOTH": "from-env"},
    notes={"N": "note-n", "BOTH": "from-note"},
    files={"/srv/a.txt": "efs", "/srv/dir": "ed", "/srv/link": "eLhf", "/u": "U"},
    response={"Content-Type": "text/html"},
)

TRUE = [
    "true",
    "!false",
    "not false",
    "!!true",
    "true && true",
    "false || true",
    "true or false",
    "!(true && false)",
    "false || false || true",
    "%{REQUEST_URI} == '/app/index.html'",
    "%{request_uri} = '/app/index.html'",
    "%{REQUEST_METHOD} != 'POST'",
    "'abc' < 'abd' && 'b' > 'abc' && 'a' <= 'a' && 'a' >= 'a'",
    "!('10' > '9')",  # strcmp, not numbers
    "10 -gt 9 && '10' -gt '9'",
    "'  12abc' -eq 12",  # apr_atoi64: leading blanks, trailing junk ignored
    "'x' -eq 0",
    "-1 -lt 0",
    "99999999999999999999 -eq 9223372036854775807",  # saturates
    "1 lt 2 && 2 gt 1 && 1 eq 1 && 1 ne 2 && 1 le 1 && 1 ge 1",
    "1 -le 1 && 1 -ge 1 && 1 -ne 2",
    "%{QUERY_STRING} =~ /id=(\\d+)/",
    "%{QUERY_STRING} !~ /id=x/",
    "%{HTTP:X-V} =~ m#^ABC$#i",
    "!(%{HTTP:X-V} =~ m#^ABC$#)",
    "%{HTTP:X-V} in { 'x', 'abc' }",
    "%{HTTP:X-V} -in { 'abc' }",
    "!(%{HTTP:X-V} in { 'ab', 'abcd' })",
    "'abc' -strmatch 'a*' && !('abc' -strmatch 'A*') && 'abc' -strcmatch 'A*'",
    "'a/b' -strmatch 'a*' && !('a/b' -fnmatch 'a*') && 'a/b' -fnmatch 'a/*'",
    "'a.c' -strmatch 'a?c' && 'abc' -strmatch 'a[a-c]c' && !('abc' -strmatch 'a[!b]c')",
    "'a*c' -strmatch 'a\\\\*c' && !('abc' -strmatch 'a\\\\*c')",
    "'abc' -strmatch '*c' && 'abc' -strmatch '*' && !('abc' -strmatch 'b*')",
    "-n %{HTTP:X-V} && -z %{HTTP:Missing} && -z req('Empty')",
    "-T 'on' && -T 'yes' && -T '00' && !-T 'off' && !-T 'NO' && !-T '0' && !-T '' && !-T 'False'",
    "-R '10.0.0.0/8' && -R '10.1' && !-R '192.168.0.0/16'",
    "%{REMOTE_ADDR} -ipmatch '10.1.2.0/255.255.255.0'",
    "%{REMOTE_ADDR} -ipmatch '10.0.0.0/8.0.0.0'",  # apr takes any mask
    "'::ffff:10.1.2.3' -ipmatch '10.0.0.0/8' && '::1' -ipmatch '::1/128'",
    "!('host.example' -ipmatch '10.0.0.0/8') && !('10.1.2.3' -ipmatch '::/64')",
    "-f '/srv/a.txt' && !-d '/srv/a.txt' && -d '/srv/dir' && -L '/srv/link' && -U '/u'",
    "-e '/srv/a.txt' && -s '/srv/a.txt' && -h '/srv/link' && !-x '/srv/a.txt' && !-F '/x'",
    "tolower('ABC') == 'abc' && toupper('abc') == 'ABC' && tolower('\\304') == '\\304'",
    "escape('a b/\\303\\274?') == 'a%20b/%c3%bc%3f'",
    "unescape('a%20b%2fc') == 'a b%2fc' && unescape('%zz') == '' && unescape('a%00') == ''",
    "base64('abc') == 'YWJj' && unbase64('YWJj') == 'abc' && unbase64('YWJj!!') == 'abc'",
    "unbase64('YWJjZ') == 'abc' && unbase64('YWI') == 'ab'",
    "md5('abc') == '900150983cd24fb0d6963f7d28e17f72'",
    "sha1('abc') == 'a9993e364706816aba3e25717850c26c9cd0d89d'",
    # ldap, escape, unbase64, unescape, toupper and the -strmatch classes below were
    # checked on a live apache2 2.4.71 through Header "expr=%{func:...}"
    "ldap('a*b(c),=+<>;#x') == 'a\\\\2ab\\\\28c\\\\29\\\\2c=\\\\2b\\\\3c\\\\3e\\\\3b#x'",
    "escape('a b/?#%&=') == 'a%20b/%3f%23%25&=' && unbase64('YW-Jj') == 'a'",
    "unescape('a%2fb%41%2Fc%7e') == 'a%2fbA%2Fc~' && toupper('a\\303\\244b') == 'A\\303\\244B'",
    "'a-c' -strmatch 'a[b-]c' && !('x/y' -fnmatch 'x?y') && 'x/y' -strmatch 'x?y'",
    "req('X-V') == 'abc' && http('x-v') == 'abc' && %{HTTP:X-V} == 'abc'",
    "%{HTTP_USER_AGENT} == 'curl/8' && req_novary('X-V') == 'abc'",
    "resp('Content-Type') == 'text/html' && resp('X') == ''",
    "note('N') == 'note-n' && env('BOTH') == 'from-note' && env('FOO') == 'envfoo'",
    "reqenv('BOTH') == 'from-env' && reqenv('N') == ''",
    "%{API_VERSION} == '20120211' && %{HTTPS} == 'off' && %{SERVER_PORT} -eq 80",
    "%{TIME_YEAR} =~ /^[0-9]{4}$/ && %{TIME} =~ /^[0-9]{14}$/ && %{TIME_WDAY} =~ /^[0-6]$/",
    "%{TIME_MON} =~ /^[01][0-9]$/ && %{TIME_HOUR} -lt 24 && %{TIME_SEC} -lt 61",
    "'a' . 'b' . %{HTTP:X-V} == 'ababc'",
    "\"x\\ty\" == 'x\\ty' && '\\101\\x' == 'Ax' && 'a\\'b' == \"a'b\"",
    "'%x' != '' && '$' == '$' && '100%' =~ /%$/ && '}' == '}'",
    "'a\\0b' == 'a'",  # a NUL ends the C string
    "$1 == ''",
    "%{QUERY_STRING} =~ /id=(\\d+)/ && $1 == '42' && '<$1>' == '<42>' && $0 == 'id=42'",
    "%{QUERY_STRING} =~ /id=(\\d+)/ && 'x' =~ /x/ && $1 == '42'",  # no groups: kept
    "%{QUERY_STRING} =~ /id=(\\d+)/ && %{HTTP:X-V} =~ /(b)/ && $1 == 'b'",
    "%{QUERY_STRING} =~ /id=(\\d+)/ && !(%{HTTP:X-V} =~ /(z)/) && $1 == ''",  # cleared
    "%{QUERY_STRING} =~ /(x)?id/ && $1 == '' && $9 == ''",
    "%{HTTP:X-V} =~ /^(a)(b)(c)$/ && $3 . $2 . $1 == 'cba'",
]

FALSE = [
    "false",
    "!true",
    "true && false",
    "false || false",
    "'10' > '9'",
    "%{HTTP:X-V} =~ m#^ABC$#",
    "%{UNKNOWN_TO_CTX_BUT_VALID:x} == 'y'".replace("UNKNOWN_TO_CTX_BUT_VALID", "http"),
    "%{REMOTE_USER} != ''",
    "%{HTTP:X-V} in { 'red', 'green' }",
]


@pytest.mark.parametrize("source", TRUE)
def test_true(source: str) -> None:
    assert parse_expr(source).evaluate(REQUEST) is True


@pytest.mark.parametrize("source", FALSE)
def test_false(source: str) -> None:
    assert parse_expr(source).evaluate(REQUEST) is False


def test_backrefs_of_the_last_capturing_regex() -> None:
    expr = parse_expr("%{QUERY_STRING} =~ /id=(\\d+)/ && 'x' =~ /x/")
    assert expr.execute(REQUEST).backrefs == ("id=42", "42")
    assert parse_expr("'x' =~ /x/").execute(REQUEST).backrefs == ()
    assert parse_expr("'x' =~ /(y)/ || true").execute(REQUEST).backrefs == ()
    # !~ that "succeeds" because the regex failed leaves no captures
    assert parse_expr("'x' !~ /(y)/").execute(REQUEST) == ExprResult(True)
    # the Expr keeps nothing between requests
    other = FakeContext(variables={"QUERY_STRING": "id=7"})
    assert expr.execute(other).backrefs == ("id=7", "7")
    assert expr.execute(REQUEST).backrefs == ("id=42", "42")


def test_vary_names_as_apache_adds_them() -> None:
    result = parse_expr(
        "%{HTTP:X-V} == 'abc' && req('Host') != '' && req_novary('User-Agent') != ''"
        " && %{HTTP_HOST} != '' && %{HTTP_USER_AGENT} != '' && http('x-v') != ''"
    ).execute(REQUEST)
    assert result == ExprResult(True, (), ("X-V", "User-Agent", "x-v"))
    # short-circuited operands are not read
    assert parse_expr("false && %{HTTP:X-V} == ''").execute(REQUEST).vary == ()
    assert parse_expr("true || %{HTTP:X-V} == ''").execute(REQUEST).vary == ()


def test_osenv_and_env_fall_back_to_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APACHEMW_EXPR_T", "os")
    assert parse_expr("osenv('APACHEMW_EXPR_T') == 'os'").evaluate(REQUEST)
    assert parse_expr("env('APACHEMW_EXPR_T') == 'os'").evaluate(REQUEST)
    assert parse_expr("osenv('FOO') == ''").evaluate(REQUEST)


def test_file_functions(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"hello\0world")
    ok = parse_expr(f"file('{target}') == 'hello' && filesize('{target}') == 11")
    assert ok.execute(REQUEST) == ExprResult(True)
    assert parse_expr(f"filesize('{tmp_path}') == 0").evaluate(REQUEST)
    missing = parse_expr(f"file('{tmp_path}/nope') == ''").execute(REQUEST)
    assert missing == ExprResult(False, error=f"Cannot open file {tmp_path}/nope")


def _nested(depth: int) -> str:
    source = "true"
    for _ in range(depth):
        source = f"({source}) && true"
    return source


def test_recursion_limit() -> None:
    # AP_EXPR_MAX_RECURSION: 20 nested evaluations, the 21st fails the expression
    assert parse_expr(_nested(19)).execute(REQUEST) == ExprResult(True)
    too_deep = parse_expr(_nested(20)).execute(REQUEST)
    assert too_deep == ExprResult(False, error="Recursion limit reached")
    # right-nested chains are loops in Apache, not recursion
    assert parse_expr(" && ".join(["true"] * 50)).evaluate(REQUEST)
    assert parse_expr(" . ".join(["'a'"] * 50) + " == '" + "a" * 50 + "'").evaluate(REQUEST)


STRINGS = [
    ("plain text", "plain text"),
    ("a %{REQUEST_URI} b", "a /app/index.html b"),
    ("%{tolower:%{HTTP:X-V}}X$1 $x 100%", "abcX $x 100%"),
    ("a \"quoted\" 'x' } b", "a \"quoted\" 'x' } b"),
    ("a\\nb \\101", "a\nb A"),
    ("%{req:X-V}%{HTTP_USER_AGENT}", "abccurl/8"),
    ("", ""),
]


@pytest.mark.parametrize(("source", "value"), STRINGS)
def test_string_expressions(source: str, value: str) -> None:
    expr = parse_expr(source, string=True)
    assert expr.evaluate_string(REQUEST) == value


def test_string_and_boolean_are_not_mixed() -> None:
    with pytest.raises(TypeError):
        parse_expr("true", string=False).evaluate_string(REQUEST)
    with pytest.raises(TypeError):
        parse_expr("x", string=True).evaluate(REQUEST)


def test_expr_is_a_frozen_value() -> None:
    expr = parse_expr("true")
    assert isinstance(expr, Expr) and expr.source == "true"
    assert expr == parse_expr("true")
    with pytest.raises(AttributeError):
        expr.source = "false"  # type: ignore[misc]


def test_restricted_context_refuses_file_access() -> None:
    with pytest.raises(ExprError, match=r"^file not available in restricted context$"):
        parse_expr("file('/x') == ''", restricted=True)
    with pytest.raises(ExprError, match=r"^-f not available in restricted context$"):
        parse_expr("-f '/x'", restricted=True)
    assert parse_expr("-F '/x' || -U '/x'", restricted=True)


def test_bad_regex_is_refused() -> None:
    with pytest.raises(ExprError, match=r"^Failed to compile regular expression$"):
        parse_expr("'a' =~ /(?<=a+)b/")  # PCRE2 10.42 refuses it
    assert parse_expr("'a{1,2' =~ /^a{1,2$/").evaluate(REQUEST)  # a literal in PCRE2


# --- what apache2 -t 2.4.71 answered (see the module docstring for the conf) -------------

RECORDED_BOOL = [
    ("1 ==", "syntax error, unexpected $end"),
    ("== 1", "syntax error, unexpected T_OP_STR_EQ"),
    ("1 == 1 &&", "syntax error, unexpected $end"),
    ("(1 == 1", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"),
    ("1 == 1)", "syntax error, unexpected ')', expecting $end"),
    ("1 1", "syntax error, unexpected T_DIGIT"),
    ("'a'", "syntax error, unexpected $end"),
    ("'a' 'b'", "syntax error, unexpected T_STR_BEGIN"),
    ("%{REQUEST_URI}", "syntax error, unexpected $end"),
    ("true false", "syntax error, unexpected T_FALSE, expecting $end"),
    ("-z", "syntax error, unexpected $end"),
    ("-z 'a' 'b'", "syntax error, unexpected T_STR_BEGIN, expecting $end"),
    ("-foo 'a'", "syntax error, unexpected T_OP_BINARY"),
    ("'a' -foo 'b'", "Binary operator '-foo' does not exist"),
    ("'a' -ipmatch %{REMOTE_ADDR}", "-ipmatch requires subnet/netmask as constant argument"),
    ("%{REMOTE_ADDR} -ipmatch 'x/y'", "parsing of subnet/netmask failed"),
    ("-R 'nope'", "parsing of subnet/netmask failed"),
    ("'a' =~ 'b'", "syntax error, unexpected T_STR_BEGIN, expecting T_REGEX or T_REGEX_I"),
    ("'a' =~ /x/ /y/", "syntax error, unexpected T_REGEX, expecting $end"),
    ("'a' in 'b'", "syntax error, unexpected T_STR_BEGIN, expecting T_ID or '{'"),
    ("'a' in { }", "syntax error, unexpected '}'"),
    ("'a' in { 'b' ", "syntax error, unexpected $end, expecting '}' or ','"),
    ("'a' in {'b',}", "syntax error, unexpected '}'"),
    ("'a' in foo('x')", "List-returning function 'foo' does not exist"),
    ("'a' == foo('x')", "Function 'foo' does not exist"),
    ("'a' == tolower('x', 'y')", "syntax error, unexpected ',', expecting T_OP_CONCAT or ')'"),
    ("'a' == tolower()", "syntax error, unexpected ')'"),
    ("'a' == %{tolower}", "Variable 'tolower' does not exist"),
    ("'a' == %{foo:bar}", "Function 'foo' does not exist"),
    ("'a' == %{REQUEST_URI:bar}", "Function 'REQUEST_URI' does not exist"),
    ("'abc", "Unterminated string or variable"),
    ("/abc", "syntax error, unexpected $end"),
    ("'a' =~ /abc", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"),
    ("'a' =~ m#abc", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"),
    ("%{", "syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable"),
    ("%{}", "syntax error, unexpected T_VAR_END, expecting T_ID"),
    (
        "%{ FOO}",
        "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name ' '",
    ),
    (
        "%{X-Y}",
        "syntax error, unexpected T_ERROR"
        ", expecting T_VAR_END or ':': Invalid character in variable name '-'",
    ),
    ("'a\\400'", "Escape sequence out of bound"),
    ("'a\\8'", "Bad escape sequence"),
    ("'a' # 'b'", "syntax error, unexpected T_ERROR: Parse error near '#'"),
    ("'a' == 'b' ||| true", "Parse error near '|'"),
    ("!", "syntax error, unexpected $end"),
    ("()", "syntax error, unexpected ')'"),
    ("true && (false", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"),
    ("true true", "syntax error, unexpected T_TRUE, expecting $end"),
    ("1 == 1 == 1", "syntax error, unexpected T_OP_STR_EQ, expecting $end"),
    ("'a' . 'b'", "syntax error, unexpected $end"),
    ("'a' . ", "syntax error, unexpected $end"),
    (". 'a' == 'b'", "syntax error, unexpected T_OP_CONCAT"),
    ("$1 == 'a'", "Syntax OK"),
    ("'$1' == 'a'", "Syntax OK"),
    ("'a' == -1", "Syntax OK"),
    ("'a' == 1a", "syntax error, unexpected T_ID, expecting $end"),
    ("{ 'a' } == 'a'", "syntax error, unexpected '{'"),
    ("'a' == 'b' , 'c'", "syntax error, unexpected ',', expecting $end"),
    ("tolower('A') == 'a'", "Syntax OK"),
    ("tolower('A')", "syntax error, unexpected $end"),
    ("-n tolower", "syntax error, unexpected $end, expecting '('"),
    ("-n %{HTTP:x}", "Syntax OK"),
    ("'a' =~ /(/", "Failed to compile regular expression"),
    ("'a' =~ /a/ix", "syntax error, unexpected T_ID, expecting $end"),
    ("'a' =~ m/a/ig", "syntax error, unexpected T_ID, expecting $end"),
    ("-T on && -z ''", "syntax error, unexpected T_OP_AND, expecting '('"),
    ("file('/etc/hostname') == 'x'", "Syntax OK"),
    ("filemod('/x') == 1", "Function 'filemod' does not exist"),
    ("split('x') == 1", "Function 'split' does not exist"),
    ("'a' in split(/x/, 'y')", "syntax error, unexpected T_REGEX"),
    ("'a' -in { 'b' }", "Syntax OK"),
    ("'a' -inx 'b'", "Binary operator '-inx' does not exist"),
    ("'a' and 'b'", "syntax error, unexpected T_OP_AND"),
    ("not true", "Syntax OK"),
    ("true or false", "Syntax OK"),
    ("'a' lt 'b'", "Syntax OK"),
    ("'a' -strmatch 'b' 'c'", "syntax error, unexpected T_STR_BEGIN, expecting $end"),
    (
        "%{REQUEST_URI} == 'a' && %{FOO} ==",
        "syntax error, unexpected $end: Variable 'FOO' does not exist",
    ),
    ("%{FOO} == %{BAR}", "Variable 'BAR' does not exist"),
    ("%{FOO} #", "syntax error, unexpected T_ERROR: Parse error near '#'"),
    ("'a' =~ /(/ && %{FOO} == 'x'", "Failed to compile regular expression"),
    (
        "%{FOO} == 'x' && 'a' =~ /(/",
        "Failed to compile regular expression: Variable 'FOO' does not exist",
    ),
    ("-R '10.0.0.0/8'", "Syntax OK"),
    ("-R 10", "-R requires subnet/netmask as constant argument"),
    ("-R '10.' . '0'", "-R requires subnet/netmask as constant argument"),
    ("-R ''", "parsing of subnet/netmask failed"),
    ("'1.2.3.4' -ipmatch '1.2.3.0/24'", "Syntax OK"),
    ("'1.2.3.4' -IPMATCH 'x'", "parsing of subnet/netmask failed"),
    ("'a' -STRMATCH 'a'", "Syntax OK"),
    ("-N 'a'", "Unary operator '-N' does not exist"),
    ("-Z 'a'", "Unary operator '-Z' does not exist"),
    ("-d '/tmp'", "Syntax OK"),
    ("%{request_uri} == ''", "Syntax OK"),
    ("%{Time} == ''", "Syntax OK"),
    (
        "%{HTTP:} == ''",
        "syntax error, unexpected T_VAR_END"
        ", expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN",
    ),
    ("%{HTTP:a:b} == ''", "Syntax OK"),
    ("%{HTTP:%{REQUEST_URI}} == ''", "Syntax OK"),
    ("%{HTTP:$1} == ''", "Syntax OK"),
    ("%{HTTP:x'y} == ''", "flex scanner jammed"),
    ("%{HTTP:x\\ny} == ''", "Syntax OK"),
    (
        "'a%{REQUEST_URI' == ''",
        "syntax error, unexpected T_ERROR"
        ", expecting T_VAR_END or ':': Invalid character in variable name '''",
    ),
    ("'%' == '}'", "Syntax OK"),
    ("'$' == '$a'", "Syntax OK"),
    ("\"a\" == 'a'", "Syntax OK"),
    ("'a\\'b' == ''", "Syntax OK"),
    ("'a\\\\' == ''", "Syntax OK"),
    ("'a\\x' == ''", "Syntax OK"),
    ("'a\\0' == ''", "Syntax OK"),
    ("'a\\1234' == ''", "Bad escape sequence"),
    ("m_x_ == 'a'", "syntax error, unexpected T_OP_STR_EQ, expecting '('"),
    ("'a' =~ m_x_", "syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I"),
    ("'a' =~ m_x_i", "syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I"),
    ("'a' =~ m%x%", "Syntax OK"),
    ("'a' =~ m(x(", "syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I"),
    ("'a' =~ m", "syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I"),
    ("'a' !~ /x/i", "Syntax OK"),
    ("'a' == 1 || 'b' == 2 && 'c' == 3", "Syntax OK"),
    ("!!true", "Syntax OK"),
    ("not not 'a' == 'b'", "Syntax OK"),
    ("(true)) ", "syntax error, unexpected ')', expecting $end"),
    ("((true)", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"),
    ("true &&", "syntax error, unexpected $end"),
    ("true ||| false", "Parse error near '|'"),
    ("true & false", "syntax error, unexpected T_ERROR, expecting $end: Parse error near '&'"),
    ("'a' === 'b'", "syntax error, unexpected T_OP_STR_EQ"),
    ("'a' =! 'b'", "syntax error, unexpected T_OP_NOT"),
    ("'a' <> 'b'", "syntax error, unexpected T_OP_STR_GT"),
    ("'a' in {'a','b','c'} && true", "Syntax OK"),
    ("'a' in { %{REQUEST_URI} . 'x', 1, $1, tolower('x') }", "Syntax OK"),
    ("%{REQUEST_URI} . . 'x' == ''", "syntax error, unexpected T_OP_CONCAT"),
    ("-n ''.''", "Syntax OK"),
    ("-n 'a' -n 'b'", "syntax error, unexpected T_OP_UNARY, expecting $end"),
    ("'a' -n 'b'", "syntax error, unexpected T_OP_UNARY"),
    ("-strmatch 'a'", "syntax error, unexpected T_OP_BINARY"),
    ("'a' -x 'b'", "syntax error, unexpected T_OP_UNARY"),
    ("'a' -123 'b'", "syntax error, unexpected T_DIGIT"),
    ("'a' == -1-1", "syntax error, unexpected T_DIGIT, expecting $end"),
    ("true false true", "syntax error, unexpected T_FALSE, expecting $end"),
    ("'a' =~ /a/ =~ /b/", "syntax error, unexpected T_OP_REG, expecting $end"),
    ("'a' =~", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"),
    ("toupper == 'a'", "syntax error, unexpected T_OP_STR_EQ, expecting '('"),
    (
        "toupper(1 == 2) == 'a'",
        "syntax error, unexpected T_OP_STR_EQ, expecting T_OP_CONCAT or ')'",
    ),
    ("tolower(tolower('a')) == 'a'", "Syntax OK"),
    ("tolower('a' . 'b') == 'ab'", "Syntax OK"),
    ("file('x') == 'y'", "Syntax OK"),
    ("filesize('x') == 1", "Syntax OK"),
    ("ldap('x') == 'y'", "Syntax OK"),
    ("escape('x') == unescape('y')", "Syntax OK"),
    ("base64('x') == unbase64('y') && md5('x') == sha1('x')", "Syntax OK"),
    (
        "resp('x') == req_novary('y') && reqenv('a') == osenv('b') && note('x') == env('y')",
        "Syntax OK",
    ),
    ("%{TIME_YEAR} == %{API_VERSION} && %{SERVER_SOFTWARE} == %{HTTPS}", "Syntax OK"),
    ("%{CONN_REMOTE_ADDR} == %{IPV6} && %{HTTP2} == %{CONN_LOG_ID}", "Syntax OK"),
    ("%{HTTP_USER_AGENT} == %{HTTP_ACCEPT}", "Syntax OK"),
    ("%{SSL_PROTOCOL} == ''", "Variable 'SSL_PROTOCOL' does not exist"),
    ("%{ENV:x} == ''", "Syntax OK"),
    ("%{HTTP_X_FOO} == ''", "Variable 'HTTP_X_FOO' does not exist"),
    ("'a' == 'a'\t", "Syntax OK"),
    ("true\t&& true", "Syntax OK"),
    (
        "true || %{",
        "syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable",
    ),
    ("'x' in PeerExtList('y')", "List-returning function 'PeerExtList' does not exist"),
    ("-A '/x'", "Syntax OK"),
    ("-U '/x' && -F '/x' && -h 'x' && -L 'x' && -x 'x' && -s 'x' && -e 'x' && -f 'x'", "Syntax OK"),
    ("-T 'on'", "Syntax OK"),
    ("-ipmatch '1'", "syntax error, unexpected T_OP_BINARY"),
    ("%{REMOTE_ADDR} -ipmatch '::1/128'", "Syntax OK"),
    ("%{REMOTE_ADDR} -ipmatch 'fe80::/ff'", "parsing of subnet/netmask failed"),
    ("%{REMOTE_ADDR} -ipmatch '10.0.0.0/255.0.0.0'", "Syntax OK"),
    ("%{REMOTE_ADDR} -ipmatch '10.0.0.0/33'", "parsing of subnet/netmask failed"),
    ("%{REMOTE_ADDR} -ipmatch '10.0.0.0/0'", "parsing of subnet/netmask failed"),
    ("%{REMOTE_ADDR} -ipmatch 'host.example'", "parsing of subnet/netmask failed"),
    ("%{REMOTE_ADDR} -ipmatch '10.1.2.3.4'", "parsing of subnet/netmask failed"),
    ("%{REMOTE_ADDR} -ipmatch '256.0.0.0'", "parsing of subnet/netmask failed"),
    ("%{REMOTE_ADDR} -ipmatch 10.0.0.1", "-ipmatch requires subnet/netmask as constant argument"),
    ("%{REMOTE_ADDR} -ipmatch '10.0.0.0/8.0.0.0'", "Syntax OK"),
]

RECORDED_STRING = [
    ("plain text", "Syntax OK"),
    ("a %{REQUEST_URI} b", "Syntax OK"),
    ("%{FOO}", "Variable 'FOO' does not exist"),
    (
        "%{REQUEST_URI",
        "syntax error, unexpected T_ERROR"
        ", expecting T_VAR_END or ':': Unterminated string or variable",
    ),
    ("a \"quoted\" 'x' b", "Syntax OK"),
    ("a\\nb \\101", "Syntax OK"),
    ("tail \\", "flex scanner jammed"),
    ("%{tolower:%{REQUEST_URI}} $1 $x %", "Syntax OK"),
    ("%{HTTP:X-V} and }", "Syntax OK"),
    ("%{}", "syntax error, unexpected T_VAR_END, expecting T_ID"),
    ("\\400", "Escape sequence out of bound"),
    ("%{req:a'b}", "flex scanner jammed"),
]


def _verdict(source: str, *, string: bool) -> str:
    try:
        parse_expr(source, string=string)
    except ExprError as exc:
        return str(exc)
    return "Syntax OK"


@pytest.mark.parametrize(("source", "apache"), RECORDED_BOOL)
def test_boolean_parse_verdict_as_apache(source: str, apache: str) -> None:
    assert _verdict(source, string=False) == apache


@pytest.mark.parametrize(("source", "apache"), RECORDED_STRING)
def test_string_parse_verdict_as_apache(source: str, apache: str) -> None:
    assert _verdict(source, string=True) == apache


def test_scanner_limits() -> None:
    # MAX_STRING_LEN (8192) bounds a string and a regex, as in util_expr_scan.l
    assert parse_expr("'" + "a" * 8191 + "' == ''")
    with pytest.raises(ExprError, match=r"^String too long$"):
        parse_expr("'" + "a" * 8192 + "' == ''")
    with pytest.raises(ExprError, match=r"Regexp too long$"):
        parse_expr("'a' =~ /" + "a" * 8192 + "/")


# --- the RewriteCond expr lines of the recorded rewrite_server suite ---------------------


def _golden_cases() -> list[tuple[str, str, FakeContext, bool, bool]]:
    from tests.golden.suites import rewrite_server as suite

    recorded = json.loads((GOLDEN / "recorded" / "rewrite_server.json").read_text())
    cases = []
    for case in recorded["cases"]:
        m = re.fullmatch(r"cond-(expr-[a-z]+)-\w+|cond-(expr-regex)", case["name"])
        if not m:
            continue
        cond = suite.CONDS[m.group(1) or m.group(2)][0]
        source = re.fullmatch(r'expr "(.*)"', cond).group(1)  # type: ignore[union-attr]
        head, _, _ = case["raw"].partition("\r\n\r\n")
        line, *fields = head.split("\r\n")
        target = line.split(" ")[1]
        headers = dict(f.split(": ", 1) for f in fields)
        fake = FakeContext(
            variables={"QUERY_STRING": target.partition("?")[2], "REQUEST_URI": target},
            headers=headers,
        )
        body = __import__("base64").b64decode(case["body_b64"])
        vary = any(name == "Vary" for name, _ in case["headers"])
        cases.append((case["name"], source, fake, body == b"yes.txt\n", vary))
    return cases


GOLDEN_CASES = _golden_cases()


def test_the_golden_suite_has_expr_cases() -> None:
    assert len(GOLDEN_CASES) == 6


@pytest.mark.parametrize(("name", "source", "fake", "value", "vary"), GOLDEN_CASES)
def test_rewrite_server_expr_conditions(
    name: str, source: str, fake: FakeContext, value: bool, vary: bool
) -> None:
    result = parse_expr(source).execute(fake)
    assert result.value is value
    assert bool(result.vary) is vary
