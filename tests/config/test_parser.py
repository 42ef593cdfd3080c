"""The config reader against what apache2 2.4.71 (``apache2 -t``) does with the same text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apachemw.config.parser import Node, ParseEnv, parse_file, parse_text
from apachemw.errors import ConfigError


def parse(text: str, env: ParseEnv | None = None, **kw: bool) -> tuple[Node, ...]:
    return parse_text(text, "/t.conf", env or ParseEnv(), **kw)


def error(text: str, env: ParseEnv | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse(text, env)
    return info.value


def names(nodes: tuple[Node, ...]) -> list[str]:
    return [n.name for n in nodes]


# --- lines, comments, words -------------------------------------------------------------


def test_comments_blank_lines_and_leading_space() -> None:
    nodes = parse("# comment\n\n   \t# indented comment\n  Listen 80\n")
    assert nodes == (Node("Listen", ("80",), "80", "/t.conf", 4),)


def test_hash_after_words_is_an_argument() -> None:
    # apache2 -t: "DocumentRoot takes one argument, ..." for this line: '#' is a word.
    (node,) = parse("DocumentRoot /x # comment")
    assert node.args == ("/x", "#", "comment")
    assert node.raw_args == "/x # comment"


def test_continuation_keeps_next_line_indent_and_first_line_number() -> None:
    # apache2 -t shows "a    b" for "Error a\" + "    b": backslash and newline go,
    # the next line's indentation stays.
    nodes = parse("A 1\nB a\\\n    b\\\r\nc\nC 3\n")
    assert [(n.name, n.raw_args, n.line) for n in nodes] == [
        ("A", "1", 1),
        ("B", "a    bc", 2),
        ("C", "3", 5),
    ]


def test_comment_with_trailing_backslash_swallows_next_line() -> None:
    # apache2 -t skips "Error x" after "# comment \": the comment continues.
    assert names(parse("# comment \\\nSkipped x\nKept y\n")) == ["Kept"]


def test_backslash_at_end_of_file_is_kept() -> None:
    (node,) = parse("A b\\")
    assert node.args == ("b\\",)


def test_crlf_and_missing_final_newline() -> None:
    nodes = parse("A 1\r\nB 2")
    assert [(n.name, n.args, n.line) for n in nodes] == [("A", ("1",), 1), ("B", ("2",), 2)]


def test_nul_ends_the_line() -> None:
    # apache2 -t shows "ab" for "Error ab<NUL>cd".
    (node,) = parse("A ab\0cd\nB 1\n")[:1]
    assert node.args == ("ab",)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        # apache2 -t, via DocumentRoot's "is not a directory" message:
        (r'"a\"b\\c\d\.e"', ('a"b\\c\\d\\.e',)),
        (r"a\\b\.c\"d", ('a\\b\\.c\\"d',)),
        (r"'it\'s'", ("it's",)),
        ('"ab"cd', ("ab", "cd")),
        ('"/x y"  z', ("/x y", "z")),
        ('""', ("",)),
        ('"unterminated x', ("unterminated x",)),
        (r"^/a\.(png|gif)$ - [F]", (r"^/a\.(png|gif)$", "-", "[F]")),
    ],
)
def test_words_follow_ap_getword_conf(raw: str, words: tuple[str, ...]) -> None:
    (node,) = parse(f"Directive {raw}")
    assert node.args == words


def test_python_only_whitespace_is_not_a_separator() -> None:
    (node,) = parse("A x\x1cy\xa0z")
    assert node.args == ("x\x1cy\xa0z",)


# --- sections ---------------------------------------------------------------------------


def test_nested_sections_keep_file_line_and_case() -> None:
    text = '<VirtualHost *:80>\n<Directory "/var/www">\n<files x>\nA\n</FILES>\n</directory>\n'
    (vhost,) = parse(text + "</VirtualHost>\n")
    assert (vhost.name, vhost.args, vhost.line, vhost.is_section) == (
        "VirtualHost",
        ("*:80",),
        1,
        True,
    )
    (directory,) = vhost.children or ()
    assert (directory.raw_args, directory.args, directory.line) == ('"/var/www"', ("/var/www",), 2)
    (files,) = directory.children or ()
    assert (files.name, files.lname) == ("files", "files")
    assert files.children == (Node("A", (), "", "/t.conf", 4),)


def test_section_without_args_and_text_after_bracket() -> None:
    # Section handlers cut at the last '>'; what follows is ignored.
    empty, after = parse("<Directory>\n</Directory>\n<Location /a> junk\n</Location>\n")
    assert (empty.args, empty.raw_args, empty.children) == ((), "", ())
    assert after.args == ("/a",)
    assert not Node("A", (), "", "f", 1).is_section


def test_deep_nesting_is_fine() -> None:
    depth = 3000
    nodes = parse("<A>\n" * depth + "</A>\n" * depth)
    for _ in range(depth - 1):
        nodes = nodes[0].children or ()
    assert names(nodes) == ["A"]


def test_section_not_closed() -> None:
    # apache2 -t: "/tmp/ap/t.conf:9: <Directory> was not closed."
    err = error("A\n<Directory /x>\n<Files y>\n")
    assert (
        err.message == "/t.conf:3: <Files> was not closed.\n/t.conf:2: <Directory> was not closed."
    )
    assert (err.file, err.line) == ("/t.conf", 2)
    assert str(err).startswith("AH00526: Syntax error on line 2 of /t.conf:\n")


def test_mismatched_close() -> None:
    # apache2 -t: "Expected </Directory> but saw </Files>"
    err = error("<Directory /x>\n</Files>\n")
    assert (err.message, err.line) == ("Expected </Directory> but saw </Files>", 2)


def test_stray_close() -> None:
    # apache2 -t: "</Directory> without matching <Directory> section"
    err = error("A\n</Directory>\n")
    assert (err.message, err.line) == ("</Directory> without matching <Directory> section", 2)


def test_close_tag_without_bracket() -> None:
    err = error("<Directory /x>\n</Directory x>\n")
    assert err.message == "</Directory> directive missing closing '>'"


def test_open_tag_without_bracket_is_reported_after_reading() -> None:
    # apache2 -t: "<Directory> directive missing closing '>'" -- found by the section
    # handler, so a reading error elsewhere in the file wins.
    err = error("<Directory /x\n</Directory>\n")
    assert (err.message, err.line) == ("<Directory> directive missing closing '>'", 1)
    assert "was not closed" in error("<Directory /x\nA\n<Files y>\n").message


# --- Include ----------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_include_splices_nodes_with_their_own_file_and_line(tmp_path: Path) -> None:
    inc = write(tmp_path / "inc.conf", "\nB 1\n<Files x>\nC\n</Files>\n")
    env = ParseEnv(server_root=str(tmp_path))
    nodes = parse("A\n<Directory /d>\nInclude inc.conf\n</Directory>\nD\n", env)
    assert names(nodes) == ["A", "Directory", "D"]
    inner = nodes[1].children or ()
    assert [(n.name, n.file, n.line) for n in inner] == [
        ("B", str(inc), 2),
        ("Files", str(inc), 3),
    ]


def test_include_glob_order_and_dot_files(tmp_path: Path) -> None:
    for name in ("b.conf", "B.conf", "a.conf", ".hidden.conf", "x.txt"):
        write(tmp_path / "conf" / name, f"From {name}\n")
    env = ParseEnv(server_root=str(tmp_path))
    nodes = parse("Include conf/*.conf\n", env)
    # strcmp order; APR_FNM_PERIOD keeps '*' off dot files.
    assert [n.args[0] for n in nodes] == ["B.conf", "a.conf", "b.conf"]


def test_include_directory_is_recursive_and_takes_dot_files(tmp_path: Path) -> None:
    write(tmp_path / "d" / "z.conf", "From z\n")
    write(tmp_path / "d" / ".h", "From h\n")
    write(tmp_path / "d" / "sub" / "a.conf", "From sub\n")
    nodes = parse(f"Include {tmp_path / 'd'}\n")
    assert [n.args[0] for n in nodes] == ["h", "sub", "z"]


def test_include_wildcard_in_directories(tmp_path: Path) -> None:
    write(tmp_path / "sites" / "one" / "x.conf", "From one\n")
    write(tmp_path / "sites" / "two" / "x.conf", "From two\n")
    write(tmp_path / "sites" / "file", "not a dir\n")
    nodes = parse(f"Include {tmp_path}/sites/*/x.conf\n")
    assert [n.args[0] for n in nodes] == ["one", "two"]


def test_include_missing_file(tmp_path: Path) -> None:
    # apache2 -t: "Could not open configuration file /tmp/ap/inc/nonexist.conf:
    # No such file or directory", at the Include line.
    env = ParseEnv(server_root=str(tmp_path))
    err = error("A\nInclude nope.conf\n", env)
    assert err.message == (
        f"Could not open configuration file {tmp_path}/nope.conf: No such file or directory"
    )
    assert (err.file, err.line) == ("/t.conf", 2)


def test_include_no_wildcard_match(tmp_path: Path) -> None:
    # apache2 -t: "Include/IncludeOptional: No matches for the wildcard 'nonexist*.conf'
    # in '/tmp/ap/inc', failing"
    err = error(f"Include {tmp_path}/*.conf\n")
    assert err.message == (
        f"Include/IncludeOptional: No matches for the wildcard '*.conf' in '{tmp_path}', failing"
    )


def test_include_missing_directory_in_pattern() -> None:
    # apache2 -t: "Include/IncludeOptional: Could not open directory /nonexist:
    # No such file or directory"
    err = error("Include /nonexist/*/x.conf\n")
    assert err.message == (
        "Include/IncludeOptional: Could not open directory /nonexist: No such file or directory"
    )


def test_include_optional_ignores_what_is_missing(tmp_path: Path) -> None:
    # apache2 -t: Syntax OK for all three.
    env = ParseEnv(server_root=str(tmp_path))
    text = "IncludeOptional /nonexist/*/x.conf\nIncludeOptional nope.conf\n"
    assert names(parse(text + "IncludeOptional *.nope\nA\n", env)) == ["A"]


def test_include_arity() -> None:
    # apache2 -t wording, from the command table's help text.
    assert error("Include\n").message == (
        "Include takes one argument, Name(s) of the config file(s) to be included; "
        "fails if the wildcard does not match at least one file"
    )
    assert error("IncludeOptional a b\n").message.startswith("IncludeOptional takes one argument")


def test_include_recursion(tmp_path: Path) -> None:
    me = write(tmp_path / "self.conf", f"Include {tmp_path}/self.conf\n")
    with pytest.raises(ConfigError) as info:
        parse_file(str(me), ParseEnv())
    # apache2 -t ends its nested message with this.
    assert info.value.message == (
        "Exceeded maximum include depth of 128, There appears to be a recursion."
    )
    assert (info.value.file, info.value.line) == (str(me), 1)


def test_errors_in_included_file_point_into_it(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.conf", "Foo bar\n<Directory /x>\n")
    err = error(f"Include {bad}\n")
    assert (err.message, err.file, err.line) == (
        f"{bad}:2: <Directory> was not closed.",
        str(bad),
        2,
    )


def test_include_of_a_non_regular_file_and_dev_null(tmp_path: Path) -> None:
    assert parse("Include /dev/null\nA\n")[0].name == "A"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    err = error(f"Include {tmp_path}/fif?\n")
    assert err.message == f"Could not open configuration file {fifo}: Bad file descriptor"


def test_parse_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Could not open configuration file .*/nope\.conf"):
        parse_file(str(tmp_path / "nope.conf"), ParseEnv())


def test_binary_junk_parses_without_traceback(tmp_path: Path) -> None:
    junk = write(tmp_path / "junk.conf", "")
    junk.write_bytes(bytes(range(256)) * 4 + b"\n\xff\xfe<\x00>\n\\\n")
    parse_file(str(junk), ParseEnv())


def test_line_too_long_in_htaccess() -> None:
    # .htaccess lines are limited to HUGE_STRING_LEN (8192) in Apache.
    with pytest.raises(ConfigError, match="Line too long"):
        parse("A " + "x" * 9000, htaccess=True)
    assert parse("A " + "x" * 9000)[0].raw_args == "x" * 9000


# --- Define, UnDefine, ${VAR} -----------------------------------------------------------


def test_define_and_expansion_everywhere() -> None:
    env = ParseEnv()
    text = "Define ROOT /srv\nDefine D DocumentRoot\n${D} ${ROOT}/www\n<Directory ${ROOT}>\n"
    nodes = parse(text + "</Directory>\n", env)
    assert names(nodes) == ["Define", "Define", "DocumentRoot", "Directory"]
    assert nodes[2].args == ("/srv/www",)
    assert nodes[3].raw_args == "/srv"
    assert env.defines == {"ROOT": "/srv", "D": "DocumentRoot"}


def test_expansion_happens_before_splitting_words() -> None:
    # apache2 -t: with Define Q "a b", "DocumentRoot ${Q}" has two arguments.
    (_, node) = parse('Define Q "a b"\nA ${Q}\n')
    assert node.args == ("a", "b")
    assert node.raw_args == "a b"


def test_define_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # apache2 -t with HOME=/envhome: Define HOME /defhome gives /defhome; a bare
    # "Define HOME" falls back to the environment.
    monkeypatch.setenv("APACHEMW_T", "/env")
    assert parse("A ${APACHEMW_T}")[0].args == ("/env",)
    assert parse("Define APACHEMW_T /def\nA ${APACHEMW_T}")[1].args == ("/def",)
    assert parse("Define APACHEMW_T\nA ${APACHEMW_T}")[1].args == ("/env",)


def test_bare_define_keeps_an_earlier_value() -> None:
    env = ParseEnv(defines={"X": None})
    parse("Define X 1\nDefine X\n", env)
    assert env.defines == {"X": "1"}


def test_undefined_variable_is_kept_and_warned() -> None:
    # apache2 -t: "AH00111: Config variable ${NOPE} is not defined"; the text stays,
    # names with ':' (mod_rewrite maps) are not warned about, and 2.4 has no ?= default.
    env = ParseEnv()
    nodes = parse("A /x/${NOPE}/y ${map:key} ${N?=d} $HOME ${open\n", env)
    assert nodes[0].args == ("/x/${NOPE}/y", "${map:key}", "${N?=d}", "$HOME", "${open")
    assert env.warnings == [
        "AH00111: Config variable ${NOPE} is not defined",
        "AH00111: Config variable ${N?=d} is not defined",
    ]


def test_undefine() -> None:
    env = ParseEnv(defines={"CMDLINE": None})
    nodes = parse("Define X /one\nUnDefine X\nUnDefine CMDLINE\nA ${X}\n", env)
    assert names(nodes) == ["Define", "UnDefine", "UnDefine", "A"]
    assert env.defines == {}
    assert env.warnings == ["AH00111: Config variable ${X} is not defined"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # apache2 -t wordings.
        ("Define a:b c", "Variable name must not contain ':'"),
        ("UnDefine a:b", "Variable name must not contain ':'"),
        (
            "Define",
            "Define takes 1-2 arguments, Define a variable, optionally to a value.  "
            "Same as passing -D to the command line.",
        ),
        (
            "Define a b c",
            "Define takes 1-2 arguments, Define a variable, optionally to a value.  "
            "Same as passing -D to the command line.",
        ),
        (
            "UnDefine",
            "UnDefine takes one argument, Undefine the existence of a variable. Undo a Define.",
        ),
        (
            "LoadModule foo",
            "LoadModule takes two arguments, a module name and the name of a shared object "
            "file to load it from",
        ),
        (
            "ServerRoot",
            "ServerRoot takes one argument, Common directory of server-related files "
            "(logs, confs, etc.)",
        ),
        ("ServerRoot /nonexistent/dir", "ServerRoot must be a valid directory"),
    ],
)
def test_exec_on_read_errors(text: str, message: str) -> None:
    err = error("A\n" + text + "\n")
    assert (err.message, err.line) == (message, 2)


def test_server_root_and_load_module(tmp_path: Path) -> None:
    write(tmp_path / "x.conf", "X\n")
    env = ParseEnv(loaded_modules={"core_module"})
    text = f"ServerRoot {tmp_path}\nLoadModule rewrite_module modules/mod_rewrite.so\n"
    nodes = parse(text + "Include x.conf\nLoadModule core_module x.so\n", env)
    assert names(nodes) == ["ServerRoot", "LoadModule", "X", "LoadModule"]
    assert env.server_root == str(tmp_path)
    assert env.loaded_modules == {"core_module", "rewrite_module"}
    # apache2 -t warns when a module is loaded twice.
    assert env.warnings == ["AH01574: module core_module is already loaded, skipping"]


# --- conditionals -----------------------------------------------------------------------


def cond(text: str, env: ParseEnv | None = None) -> bool:
    """Whether the body of a one-line conditional is kept."""
    nodes = parse(f"{text}\nInside\n</{text[1:].split()[0].rstrip('>')}>\n", env)
    return names(nodes) == ["Inside"]


def test_ifmodule_forms() -> None:
    env = ParseEnv(
        loaded_modules={"rewrite_module", "mpm_event_module"},
        module_files={"event.c": "mpm_event_module"},
    )
    assert cond("<IfModule rewrite_module>", env)
    assert cond("<IfModule mod_rewrite.c>", env)
    assert cond("<IfModule event.c>", env)
    assert not cond("<IfModule !mod_rewrite.c>", env)
    assert cond("<IfModule !mod_alias.c>", env)
    # apache2 -t: "! foo" negates; a quoted "!foo" names a module called "!foo".
    assert cond("<IfModule ! mod_alias.c>", env)
    assert not cond('<IfModule "!mod_alias.c">', env)
    assert not cond("<IfModule Rewrite_Module>", env)


def test_ifdefine_sees_earlier_defines() -> None:
    env = ParseEnv(defines={"CMD": None})
    assert cond("<IfDefine CMD>", env)
    assert not cond("<IfDefine !CMD>", env)
    assert not cond("<IfDefine LATER>", env)
    nodes = parse("Define LATER\n<IfDefine LATER>\nYes\n</IfDefine>\n", env)
    assert names(nodes) == ["Define", "Yes"]


def test_iffile(tmp_path: Path) -> None:
    write(tmp_path / "here", "")
    env = ParseEnv(server_root=str(tmp_path))
    assert cond("<IfFile here>", env)
    assert cond(f"<IfFile {tmp_path}>", env)
    assert not cond("<IfFile missing>", env)
    assert cond("<IfFile !/nonexistent>", env)


def test_ifdirective_and_ifsection() -> None:
    env = ParseEnv(
        is_known_directive=lambda n: n.lower() == "documentroot",
        is_known_section=lambda n: n.lower() == "directory",
    )
    assert cond("<IfDirective DocumentRoot>", env)
    assert cond("<IfDirective !RewriteRule>", env)
    assert cond("<IfSection Directory>", env)
    assert not cond("<IfSection !directory>", env)
    assert not cond("<IfDirective DocumentRoot>")


@pytest.mark.parametrize(
    ("test", "kept"),
    [
        # Each checked with apache2 2.4.71 -t.
        ("2.4.71", True),
        ("= 2.4.71", True),
        ("== 2.4", False),
        ("!= 2.4.71", False),
        ("< 2.4.72", True),
        ("<= 2.4.71", True),
        ("> 2.4.70", True),
        (">= 2.5", False),
        (r"~ ^2\.4", True),
        (r"/^2\.4/", True),
        (r"= /^2\.4/", True),
        ("!~ ^2", False),
        ('"2.4.71"', True),
        ('> "2.4.70"', True),
        ("2", False),
        ("2.4.7.", False),
    ],
)
def test_ifversion(test: str, kept: bool) -> None:
    assert cond(f"<IfVersion {test}>") is kept


def test_ifversion_uses_env_version() -> None:
    assert cond("<IfVersion 2.2>", ParseEnv(version=(2, 2, 0)))


@pytest.mark.parametrize(
    ("test", "message"),
    [
        # apache2 2.4.71 -t wordings.
        (
            "2.x",
            "Version appears to be invalid. It must have the format major[.minor[.patch]] "
            "where major, minor and patch are numbers.",
        ),
        (r"!/^2\.4/", "Version appears to be invalid. It must have the format major[.minor"),
        ("=~ 2", "unrecognized operator '=~'"),
        (">> 2", "unrecognized operator '>>'"),
        ("! 2.4.71", "unrecognized operator '!'"),
        ("= /abc", "Missing delimiting / of regular expression."),
        ("~ (", "Unable to compile regular expression"),
        (
            "1 2 3 4",
            "<IfVersion takes one, two or three arguments, a comparison operator, "
            "a version (and a delimiter)",
        ),
        ("= 2.4.71 x", "<IfVersion> directive missing closing '>'"),
    ],
)
def test_ifversion_errors(test: str, message: str) -> None:
    err = error(f"A\n<IfVersion {test}>\n</IfVersion>\n")
    assert err.message.startswith(message)
    assert err.line == 2


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        # apache2 -t wordings and lines (the conditional's own line while skipping).
        ("<IfModule>\n</IfModule>", "<IfModule> directive requires additional arguments", 1),
        ("<IfDefine !X\n</IfDefine>", "<IfDefine> directive missing closing '>'", 1),
        ("<IfModule foo>", "Expected </IfModule> before end of configuration", 1),
        ("<IfModule foo>\n<Directory /x>", "Expected </Directory> before end of configuration", 1),
        (
            "<IfModule foo>\n<Directory /x>\n</IfModule>",
            "Expected </Directory> but saw </IfModule>",
            1,
        ),
        ("<IfModule foo>\nA\n</IfModule >", "Expected </IfModule> but saw </IfModul>", 1),
        (
            "<IfModule !foo>\n<Directory /x>\n</IfModule>",
            "Expected </Directory> but saw </IfModule>",
            3,
        ),
        ("<IfModule !foo>\nA\n</IfModule >", "</IfModule without matching <IfModule section", 3),
        (
            "<IfModule !foo>\n</Directory>\n</IfModule>",
            "</Directory> without matching <Directory> section",
            2,
        ),
    ],
)
def test_conditional_errors(text: str, message: str, line: int) -> None:
    err = error(text + "\n")
    assert (err.message, err.line) == (message, line)


def test_false_block_is_skipped_without_reading_it(tmp_path: Path) -> None:
    env = ParseEnv(server_root=str(tmp_path))
    text = (
        "<IfModule nope>\n"
        "Include missing.conf\n"
        "Define X 1\n"
        "A ${UNDEFINED}\n"
        "<Directory /x>\n"
        "</directory>\n"
        "</IfModule>\n"
        "B\n"
    )
    assert names(parse(text, env)) == ["B"]
    assert env.defines == {}
    assert env.warnings == []


def test_true_block_is_spliced_and_nests() -> None:
    env = ParseEnv(defines={"A": None}, loaded_modules={"x_module"})
    text = (
        "<Directory /d>\n"
        "<IfDefine A>\n"
        "  One\n"
        "  <IfModule mod_x.c>\n"
        "    <Files f>\n"
        "      <IfDefine !A>\n"
        "        Never\n"
        "      </IfDefine>\n"
        "      Two\n"
        "    </Files>\n"
        "  </IfModule>\n"
        "</IfDefine>\n"
        "</Directory>\n"
    )
    (directory,) = parse(text, env)
    one, files = directory.children or ()
    assert (one.name, one.line, files.name, files.line) == ("One", 3, "Files", 5)
    assert files.children == (Node("Two", (), "", "/t.conf", 9),)


def test_true_block_may_end_with_the_file() -> None:
    # apache2 -t: Syntax OK for "<IfModule !foo>" + "<Directory /x>" at end of file.
    (directory,) = parse("<IfModule !foo>\n<Directory /x>\nA\n")
    assert directory.children == (Node("A", (), "", "/t.conf", 3),)


def test_load_module_then_ifmodule() -> None:
    env = ParseEnv()
    text = "LoadModule rewrite_module x.so\n<IfModule mod_rewrite.c>\nRewriteEngine on\n"
    assert names(parse(text + "</IfModule>\n", env)) == ["LoadModule", "RewriteEngine"]


def test_deep_true_conditionals() -> None:
    depth = 2000
    nodes = parse("<IfDefine !X>\n" * depth + "A\n" + "</IfDefine>\n" * depth)
    assert names(nodes) == ["A"]


def test_deep_false_conditionals() -> None:
    depth = 2000
    assert parse("<IfDefine X>\n" * depth + "</IfDefine>\n" * depth) == ()


# --- .htaccess --------------------------------------------------------------------------


def test_htaccess_keeps_server_directives_as_plain_nodes(tmp_path: Path) -> None:
    env = ParseEnv(server_root=str(tmp_path))
    text = (
        "Include missing.conf\nIncludeOptional x\nDefine X 1\nUnDefine Y\n"
        "ServerRoot /nonexistent\nLoadModule a_module a.so\n"
        "<IfDefine !X>\nA ${X}\n</IfDefine>\n"
    )
    nodes = parse(text, env, htaccess=True)
    assert [(n.name, n.line) for n in nodes] == [
        ("Include", 1),
        ("IncludeOptional", 2),
        ("Define", 3),
        ("UnDefine", 4),
        ("ServerRoot", 5),
        ("LoadModule", 6),
        ("A", 8),
    ]
    assert env.defines == {}
    assert env.loaded_modules == set()


# --- Debian's real configuration --------------------------------------------------------


@pytest.mark.skipif(
    not os.path.exists("/etc/apache2/apache2.conf"), reason="no Debian apache2 installed"
)
def test_debian_apache2_conf_parses() -> None:
    env = ParseEnv(server_root="/etc/apache2")
    nodes = parse_file("/etc/apache2/apache2.conf", env)
    assert nodes
    loads = [
        line.split()[1]
        for path in Path("/etc/apache2/mods-enabled").glob("*.load")
        for line in path.read_text().splitlines()
        if line.startswith("LoadModule")
    ]
    assert loads
    assert set(loads) <= env.loaded_modules
    assert any("${APACHE_RUN_USER}" in w for w in env.warnings)
