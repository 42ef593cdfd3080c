"""Configuration errors, differentially: apache2 -t and load_site read the same file.

Each bad configuration is written with a small header into its own directory; both
Apache (``apache2 -d DIR -f DIR/httpd.conf -t``) and ``load_site`` must refuse it, with
the same message and the same line. The expected message is never written here: it is
whatever Apache prints after "AH00526: Syntax error on line N of FILE:" (directive
errors) or "apache2: Syntax error on line N of FILE: " (errors found while reading).
Good configurations must give "Syntax OK" and load.

All apache2 runs happen once, in a module fixture, concurrently (~20 ms each).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from apachemw.config.site import load_site
from apachemw.errors import ConfigError

APACHE2 = shutil.which("apache2") or (
    "/usr/sbin/apache2" if os.path.exists("/usr/sbin/apache2") else None
)
pytestmark = pytest.mark.skipif(APACHE2 is None, reason="apache2 is not installed")
MODULE_DIR = "/usr/lib/apache2/modules"


@dataclass(frozen=True)
class Conf:
    """A configuration body, the modules it needs (beyond mpm_event) and extra files."""

    body: str
    modules: tuple[str, ...] = ()
    files: tuple[tuple[str, str], ...] = ()


def header(root: str, modules: tuple[str, ...]) -> str:
    loads = "".join(
        f"LoadModule {m}_module {MODULE_DIR}/mod_{m}.so\n" for m in ("mpm_event", *modules)
    )
    return (
        f"ServerRoot {root}\nServerName localhost\nPidFile {root}/httpd.pid\n"
        f"Mutex file:{root} default\nErrorLog {root}/error.log\n{loads}"
    )


AUTHZ = ("authz_core",)
MIME = ("mime",)
HOST = ("authz_host",)
COMPAT = ("access_compat",)
AUTHN = ("auth_basic", "authn_core")
NEG = ("negotiation",)
MAGIC = ("mime_magic",)


def _dir(body: str, modules: tuple[str, ...] = ()) -> Conf:
    """``body`` inside <Directory /tmp>, with authz_core and ``modules`` loaded."""
    return Conf(f"<Directory /tmp>\n{body}\n</Directory>\n", (*AUTHZ, *modules))


STATUS = ("status", "info")

BAD: dict[str, Conf] = {
    "extendedstatus-in-vhost": Conf(
        "<VirtualHost *:80>\nExtendedStatus On\n</VirtualHost>\n", STATUS
    ),
    "seerequesttail-in-vhost": Conf(
        "<VirtualHost *:80>\nSeeRequestTail On\n</VirtualHost>\n", STATUS
    ),
    "extendedstatus-bogus": Conf("ExtendedStatus maybe\n", STATUS),
    "extendedstatus-in-location": Conf("<Location /s>\nExtendedStatus On\n</Location>\n", STATUS),
    "addmoduleinfo-one-arg": Conf("AddModuleInfo mod_alias.c\n", STATUS),
    "addmoduleinfo-in-directory": Conf(
        "<Directory /tmp>\nAddModuleInfo mod_alias.c x\n</Directory>\n", STATUS
    ),
    "addmoduleinfo-without-info": Conf("AddModuleInfo a b\n"),
    "unknown-directive": Conf("Bogusdirective on\n"),
    "unknown-section": Conf("<Bogus /x>\n</Bogus>\n"),
    "documentroot-in-directory": Conf("<Directory /tmp>\nDocumentRoot /tmp\n</Directory>\n"),
    "documentroot-in-location": Conf("<Location /x>\nDocumentRoot /tmp\n</Location>\n"),
    "documentroot-two-args": Conf("DocumentRoot a b\n"),
    "documentroot-missing": Conf("DocumentRoot /nonexistent-apachemw\n"),
    "allowoverride-top-level": Conf("AllowOverride None\n"),
    "allowoverride-bogus": Conf("<Directory /tmp>\nAllowOverride Bogus\n</Directory>\n"),
    "allowoverride-options-bogus": Conf(
        "<Directory /tmp>\nAllowOverride Options=Bogus\n</Directory>\n"
    ),
    "allowoverride-nonfatal-bare": Conf("<Directory /tmp>\nAllowOverride Nonfatal\n</Directory>\n"),
    "allowoverridelist-top-level": Conf("AllowOverrideList Redirect\n"),
    "directory-in-directory": Conf(
        "<Directory /tmp>\n<Directory /tmp/x>\n</Directory>\n</Directory>\n"
    ),
    "directory-without-args": Conf("<Directory>\n</Directory>\n"),
    "files-without-args": Conf("<Files>\n</Files>\n"),
    "virtualhost-without-args": Conf("<VirtualHost>\n</VirtualHost>\n"),
    "ifmodule-without-args": Conf("<IfModule>\n</IfModule>\n"),
    "directorymatch-bad-regex": Conf('<DirectoryMatch "(">\n</DirectoryMatch>\n'),
    "virtualhost-in-virtualhost": Conf(
        "<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n"
    ),
    "require-top-level": Conf("Require all granted\n", AUTHZ),
    "authmerging-xor": Conf("<Directory /tmp>\nAuthMerging xor\n</Directory>\n", AUTHZ),
    "require-unknown-provider": Conf("<Directory /tmp>\nRequire bogus\n</Directory>\n", AUTHZ),
    "limit-top-level": Conf("<Limit GET>\n</Limit>\n", AUTHZ),
    "limit-without-methods": Conf("<Directory /tmp>\n<Limit>\n</Limit>\n</Directory>\n"),
    "options-bad-word": Conf("<Directory /tmp>\nOptions Bogus\n</Directory>\n"),
    "options-plus-then-plain": Conf(
        "<Directory /tmp>\nOptions +Indexes FollowSymLinks\n</Directory>\n"
    ),
    "options-plain-then-plus": Conf(
        "<Directory /tmp>\nOptions FollowSymLinks +Indexes\n</Directory>\n"
    ),
    "options-plus-none": Conf("<Directory /tmp>\nOptions +None\n</Directory>\n"),
    "options-plus-all": Conf("<Directory /tmp>\nOptions +All\n</Directory>\n"),
    "options-none-not-first": Conf("<Directory /tmp>\nOptions Indexes None\n</Directory>\n"),
    "errordocument-one-arg": Conf("ErrorDocument 404\n"),
    "errordocument-999": Conf("ErrorDocument 999 /x\n"),
    "mergeslashes-maybe": Conf("MergeSlashes maybe\n"),
    "addtype-no-args": Conf("AddType\n", MIME),
    "addtype-one-arg": Conf("AddType text/plain\n", MIME),
    "removetype-no-args": Conf("RemoveType\n", MIME),
    "typesconfig-in-directory": Conf(
        "<Directory /tmp>\nTypesConfig /etc/mime.types\n</Directory>\n", MIME
    ),
    "fileetag-bogus": Conf("FileETag Bogus\n"),
    "fileetag-plus-all": Conf("FileETag +All\n"),
    "maxranges-negative": Conf("MaxRanges -3\n"),
    "allowencodedslashes-maybe": Conf("AllowEncodedSlashes maybe\n"),
    "limitinternalrecursion-zero": Conf("LimitInternalRecursion 0\n"),
    "limitinternalrecursion-three-args": Conf("LimitInternalRecursion 1 2 3\n"),
    "directoryindexredirect-200": Conf("DirectoryIndexRedirect 200\n", ("dir",)),
    "serveralias-outside-vhost": Conf("ServerAlias www.example.com\n"),
    "serversignature-maybe": Conf("ServerSignature maybe\n"),
    "traceenable-maybe": Conf("TraceEnable maybe\n"),
    "usecanonicalname-maybe": Conf("UseCanonicalName maybe\n"),
    "hostnamelookups-maybe": Conf("HostnameLookups maybe\n"),
    "servertokens-bogus": Conf("ServerTokens Bogus\n"),
    "acceptpathinfo-maybe": Conf("AcceptPathInfo maybe\n"),
    "loglevel-bogus": Conf("LogLevel bogus\n"),
    "logformat-percent-z": Conf('LogFormat "%Z"\n'),
    "customlog-one-arg": Conf("CustomLog logs/x.log\n"),
    "logformat-lone-percent": Conf('LogFormat "%"\n'),
    "logformat-open-brace": Conf('LogFormat "%{Referer"\n'),
    "logformat-modifier-only": Conf('LogFormat "%h %<"\n'),
    "logformat-modified-percent": Conf('LogFormat "%<%"\n'),
    "logformat-caret-unknown": Conf('LogFormat "%^xy"\n'),
    "logformat-caret-short": Conf('LogFormat "%{X}^t"\n'),
    "logformat-negated-unknown": Conf('LogFormat "%!200x"\n'),
    "logformat-nickname-bad": Conf('LogFormat "%Z" nick\n'),
    "logformat-no-args": Conf("LogFormat\n"),
    "customlog-env-empty": Conf('CustomLog x.log "%h" env=\n'),
    "customlog-env-bang": Conf('CustomLog x.log "%h" env=!\n'),
    "customlog-expr-empty": Conf('CustomLog x.log "%h" expr=\n'),
    "customlog-expr-unterminated": Conf('CustomLog x.log "%h" expr=%{\n'),
    "customlog-expr-incomplete": Conf('CustomLog x.log "%h" "expr=1 -eq"\n'),
    "customlog-bad-clause": Conf('CustomLog x.log "%h" foo=bar\n'),
    "customlog-clause-before-format": Conf('CustomLog x.log "%Z" foo=bar\n'),
    "customlog-bad-format": Conf('CustomLog x.log "%h %Z"\n'),
    "customlog-four-args": Conf("CustomLog a b c d\n"),
    "globallog-in-vhost": Conf('<VirtualHost *:80>\nGlobalLog x.log "%h"\n</VirtualHost>\n'),
    "transferlog-two-args": Conf("TransferLog a b\n"),
    "bufferedlogs-not-flag": Conf("BufferedLogs maybe\n"),
    "sethandler-two-args": Conf("SetHandler a b\n"),
    "alias-one-arg-global": Conf("Alias /a\n", ("alias",)),
    "listen-no-args": Conf("Listen\n"),
    "keepalive-no-args": Conf("KeepAlive\n"),
    "error-directive": Conf('Error "stop right here"\n'),
    "define-three-args": Conf("Define a b c\n"),
    "define-with-colon": Conf("Define a:b\n"),
    "loadmodule-one-arg": Conf("LoadModule foo_module\n"),
    "include-no-match": Conf("Include conf.d/*.conf\n", files=(("conf.d/readme", ""),)),
    "include-missing-file": Conf("Include nowhere.conf\n"),
    "unclosed-directory": Conf("<Directory /tmp>\nOptions None\n"),
    "unclosed-nested": Conf("<VirtualHost *:80>\n<Directory /tmp>\n</Directory>\n"),
    "stray-closing-tag": Conf("</Directory>\n"),
    "mismatched-closing-tag": Conf("<Directory /tmp>\n</Files>\n"),
    "error-in-included-file": Conf(
        "Include conf.d/*.conf\n", files=(("conf.d/a.conf", "ServerName a\n\nBogus x\n"),)
    ),
    "error-in-ifmodule": Conf("<IfModule mime_module>\nAddType\n</IfModule>\n", MIME),
    # issue 4: access control, authentication, <If>
    "require-all-bad": _dir("Require all maybe"),
    "require-all-none": _dir("Require all"),
    "require-not-in-any": _dir("Require not all granted"),
    "require-unknown-provider-args": _dir("Require bogus x"),
    "require-method-invalid": _dir("Require method GET FOO"),
    "requireall-empty": _dir("<RequireAll>\n</RequireAll>"),
    "requireall-args": _dir("<RequireAll x>\nRequire all granted\n</RequireAll>"),
    "requirenone-in-any": _dir(
        "<RequireAny>\n<RequireNone>\nRequire all granted\n</RequireNone>\n</RequireAny>"
    ),
    "authmerging-bogus": _dir("AuthMerging Maybe"),
    "require-expr-bad": _dir('Require expr "%{REQUEST_URI"'),
    "require-ip-mask": _dir("Require ip 10.1.2.3/33", HOST),
    "require-ip-host": _dir("Require ip example.com", HOST),
    "require-ip-empty": _dir("Require ip", HOST),
    "allow-no-from": _dir("Allow 10.1 10.2", COMPAT),
    "allow-one-arg": _dir("Allow from", COMPAT),
    "allow-bad-mask": _dir("Allow from 10.0.0.0/33", COMPAT),
    "allow-slash-host": _dir("Deny from example.com/8", COMPAT),
    "allow-comment": _dir("Allow from example.com#x", COMPAT),
    "order-bogus": _dir("Order allow", COMPAT),
    "satisfy-bogus": _dir("Satisfy maybe", COMPAT),
    "authbasicprovider-unknown": _dir("AuthBasicProvider nope", AUTHN),
    "authname-bad-expr": _dir('AuthName "%{REQUEST_URI"', AUTHN),
    "if-bad-expr": _dir('<If "%{REQUEST_URI">\n</If>'),
    "if-no-arg": _dir("<If>\n</If>"),
    "else-without-if": _dir("<Else>\n</Else>"),
    "elseif-without-if": _dir('<ElseIf "true">\n</ElseIf>'),
    "else-with-arg": _dir('<If "true">\n</If>\n<Else "x">\n</Else>'),
    "if-two-args": _dir('<If "true" "false">\n</If>'),
    "limitrequestfieldsize-negative": Conf("LimitRequestFieldsize -1\n"),
    "header-bad-action": _dir("Header frobnicate X-A 1", ("headers",)),
    "header-missing-value": _dir("Header set X-A", ("headers",)),
    "header-edit-no-subs": _dir("Header edit X-A ^a", ("headers",)),
    "header-unknown-clause": _dir("Header set X-A 1 sometimes", ("headers",)),
    "header-empty-env": _dir("Header set X-A 1 env=", ("headers",)),
    "header-bad-expr": _dir('Header set X-A 1 "expr=%{REQUEST_URI"', ("headers",)),
    "header-bad-tag": _dir('Header set X-A "%Q"', ("headers",)),
    "header-too-many": _dir("Header set X-A 1 env=B extra more", ("headers",)),
    "requestheader-echo": _dir("RequestHeader echo ^X", ("headers",)),
    "expires-bad-base": _dir('ExpiresDefault "tomorrow plus 1 day"', ("expires",)),
    "expires-no-number": _dir('ExpiresDefault "access plus one day"', ("expires",)),
    "expires-no-type": _dir('ExpiresDefault "access plus 1"', ("expires",)),
    "expires-bad-type": _dir('ExpiresDefault "access plus 1 fortnight"', ("expires",)),
    "expires-mime-no-slash": _dir("ExpiresByType text A60", ("expires",)),
    "expires-bytype-bad": _dir('ExpiresByType text/html "modification plus 2 m"', ("expires",)),
    "authnalias-same-name": Conf(
        "<AuthnProviderAlias file file>\n</AuthnProviderAlias>\n", (*AUTHN, "authn_file")
    ),
    "authnalias-unknown-base": Conf("<AuthnProviderAlias nope x>\n</AuthnProviderAlias>\n", AUTHN),
    "authnalias-one-word": Conf("<AuthnProviderAlias file>\n</AuthnProviderAlias>\n", AUTHN),
    "authnalias-in-directory": _dir("<AuthnProviderAlias file x>\n</AuthnProviderAlias>", AUTHN),
    "authnalias-in-vhost": Conf(
        "<VirtualHost *:80>\n<AuthnProviderAlias file x>\n</AuthnProviderAlias>\n</VirtualHost>\n",
        (*AUTHN, "authn_file"),
    ),
    "authzalias-in-vhost": Conf(
        "<VirtualHost *:80>\n<AuthzProviderAlias all x granted>\n</AuthzProviderAlias>\n"
        "</VirtualHost>\n",
        AUTHZ,
    ),
    "authzalias-unknown-base": Conf("<AuthzProviderAlias nope x>\n</AuthzProviderAlias>\n", AUTHZ),
    "authzalias-bad-args": Conf(
        "<AuthzProviderAlias method m FOO>\n</AuthzProviderAlias>\n", AUTHZ
    ),
    "limitrequestfields-negative": Conf("LimitRequestFields -5\n"),
    "limitrequestfields-in-directory": _dir("LimitRequestFields 5"),
    "forcelangpriority-none-then-prefer": _dir("ForceLanguagePriority None Prefer", NEG),
    "forcelangpriority-fallback-then-none": _dir("ForceLanguagePriority Fallback None", NEG),
    "forcelangpriority-none-then-fallback": _dir("ForceLanguagePriority none fallback", NEG),
    "forcelangpriority-bogus": _dir("ForceLanguagePriority Sometimes", NEG),
    "forcelangpriority-empty": _dir("ForceLanguagePriority", NEG),
    "languagepriority-empty": _dir("LanguagePriority", NEG),
    "cachenegotiateddocs-in-directory": _dir("CacheNegotiatedDocs On", NEG),
    "cachenegotiateddocs-not-flag": Conf("CacheNegotiatedDocs maybe\n", NEG),
    "multiviewsmatch-any-handlers": _dir("MultiviewsMatch Any Handlers", MIME),
    "multiviewsmatch-filters-any": _dir("MultiviewsMatch Filters Any", MIME),
    "multiviewsmatch-negotiated-filters": _dir("MultiviewsMatch NegotiatedOnly Filters", MIME),
    "multiviewsmatch-handlers-negotiated": _dir("MultiviewsMatch Handlers NegotiatedOnly", MIME),
    "multiviewsmatch-bogus": _dir("MultiviewsMatch Everything", MIME),
    "h2pushresource-three": _dir("H2PushResource /a /b critical", ("http2",)),
    "h2pushresource-last": _dir("H2PushResource /a later", ("http2",)),
    "h2pushresource-add-last": _dir("H2PushResource add /a later", ("http2",)),
    "h2earlyhints-bogus": Conf("H2EarlyHints maybe\n", ("http2",)),
    "h2earlyhints-in-directory": _dir("H2EarlyHints on", ("http2",)),
    "h2earlyhint-one-arg": _dir("H2EarlyHint Link", ("http2",)),
    "h2earlyhint-blank": _dir('H2EarlyHint Link "   "', ("http2",)),
    "h2earlyhint-control": _dir('H2EarlyHint Link "a\x01b"', ("http2",)),
    "servername-wildcard": Conf("ServerName *.example.com\n"),
    "servername-port-zero": Conf("ServerName example.com:0\n"),
    "servername-port-letters": Conf("ServerName example.com:http\n"),
    "servername-port-huge": Conf("ServerName https://example.com:70000\n"),
    "userdir-empty": Conf("UserDir\n", ("userdir",)),
    "userdir-in-directory": _dir("UserDir public_html", ("userdir",)),
    "virtualhost-port-only": Conf("<VirtualHost 80>\n</VirtualHost>\n"),
    "virtualhost-bad-port": Conf("<VirtualHost 127.0.0.1:99999>\n</VirtualHost>\n"),
    "mimemagicfile-empty": Conf("MimeMagicFile\n", MAGIC),
    "mimemagicfile-two-args": Conf("MimeMagicFile magic other\n", MAGIC),
    "mimemagicfile-in-directory": _dir("MimeMagicFile magic", MAGIC),
    "mimemagicfile-in-location": Conf("<Location /x>\nMimeMagicFile magic\n</Location>\n", MAGIC),
    "multiviewsmatch-in-location": Conf(
        "<Location /x>\nMultiviewsMatch Any\n</Location>\n", (*AUTHZ, *MIME)
    ),
    "multiviewsmatch-in-locationmatch": Conf(
        "<LocationMatch ^/x>\nMultiviewsMatch Any\n</LocationMatch>\n", (*AUTHZ, *MIME)
    ),
}

GOOD: dict[str, Conf] = {
    # A magic file is read after the configuration (post_config): a missing one, or
    # one with bad lines, is logged at startup and never fails ``apache2 -t``.
    "mimemagicfile-missing": Conf("MimeMagicFile /nonexistent-apachemw/magic\n", MAGIC),
    "mimemagicfile-bad-lines": Conf(
        "MimeMagicFile magic\n<VirtualHost *:80>\nMimeMagicFile other\n</VirtualHost>\n",
        MAGIC,
        files=(
            ("magic", "0 quad 1 x/y\n>(1.q+2 string x a/b\nnonsense\n0 string abc a/b\n"),
            ("other", "0 string \\x89PNG image/png\n"),
        ),
    ),
    "negotiation-everything": Conf(
        "CacheNegotiatedDocs On\n<Directory /tmp>\nOptions +MultiViews\n"
        "LanguagePriority en fr de-CH\nLanguagePriority it\n"
        "ForceLanguagePriority Prefer Fallback\nMultiviewsMatch Handlers Filters\n"
        "AddOutputFilter INCLUDES;DEFLATE .shtml\nAddInputFilter X .y\n"
        "RemoveOutputFilter .shtml\nRemoveInputFilter .y\nDefaultLanguage EN\n"
        "AddHandler type-map .var\n</Directory>\n",
        (*AUTHZ, *NEG, *MIME),
    ),
    "multiviewsmatch-repeated-any": _dir("MultiviewsMatch Any Any", MIME),
    "http2-everything": Conf(
        "H2EarlyHints on\nH2Push off\nH2PushPriority text/css before\nH2MaxWorkers 5\n"
        "H2PushResource /srv.css\n<Directory /tmp>\nH2PushResource add /a.css critical\n"
        'H2EarlyHint Link "</b.js>; rel=preload"\nH2CopyFiles on\n</Directory>\n',
        (*AUTHZ, "http2"),
    ),
    "userdir-forms": Conf(
        "UserDir public_html /srv/*/www http://example.com/~*\nUserDir disabled root bob\n"
        "UserDir enabled alice\nUserDir disabled\n<VirtualHost *:80>\nUserDir enabled\n"
        "</VirtualHost>\n",
        ("userdir",),
    ),
    "servername-forms": Conf(
        "ServerName HTTPS://www.example.com:8443x\n<VirtualHost *:80>\n"
        "ServerName http://v.example.com\n</VirtualHost>\n"
    ),
    "virtualhost-empty-port": Conf("<VirtualHost 127.0.0.1:>\n</VirtualHost>\n"),
    "virtualhost-forms": Conf(
        "<VirtualHost *:* _default_:81 127.0.0.1 [::1]:8080 localhost:82>\n"
        "ServerPath /legacy\n</VirtualHost>\n"
    ),
    "if-chain-nested": _dir(
        "<If \"-n req('X-A')\">\nForceType text/x-a\n<If \"-n req('X-B')\">\n"
        "ForceType text/x-b\n</If>\n</If>\n<ElseIf \"%{REQUEST_METHOD} == 'POST'\">\n"
        "Require all denied\n</ElseIf>\n<Else>\nRequire all granted\n</Else>",
        MIME,
    ),
    "auth-everything": _dir(
        'AuthType Basic\nAuthName "Staff %{SERVER_NAME}"\nAuthUserFile users\n'
        "AuthGroupFile groups\nAuthBasicProvider file\nAuthBasicAuthoritative Off\n"
        "AuthzSendForbiddenOnFailure On\nSatisfy Any\nOrder deny,allow\nDeny from all\n"
        "Allow from 10.1 192.168.0.0/16 10.0.0.0/255.0.0.0 ::1 example.com env=LET_IN\n"
        "<RequireAll>\nRequire valid-user\nRequire not user bob\n<RequireAny>\n"
        "Require ip 127 ::1/128\nRequire host .example.com\nRequire forward-dns localhost\n"
        "Require local\nRequire group staff\nRequire expr %{TIME_HOUR} -lt 20\n"
        "</RequireAny>\n</RequireAll>",
        (*AUTHN, "authn_file", "authz_user", "authz_groupfile", "authz_host", "access_compat"),
    ),
    "directory-basics": Conf(
        "<Directory /tmp>\nOptions Indexes FollowSymLinks\nAllowOverride All\n"
        "Require all granted\n</Directory>\n",
        AUTHZ,
    ),
    "htaccess-style-in-directory": Conf(
        "<Directory /tmp>\nOptions -Indexes +FollowSymLinks\nAuthMerging And\n"
        "FileETag MTime\nForceType text/plain\nSetHandler none\nAddDefaultCharset utf-8\n"
        "DirectoryIndex index.html\nAddType text/x-foo .foo\nRemoveType .bar\n"
        "ErrorDocument 404 /missing.html\n</Directory>\n",
        (*AUTHZ, *MIME, "dir"),
    ),
    "vhosts": Conf(
        "DocumentRoot htdocs\n<VirtualHost *:80>\nServerName a.example\n"
        "ServerAlias www.a.example *.a.example\nDocumentRoot htdocs\n</VirtualHost>\n"
        "<VirtualHost *:80>\nServerName b.example\nErrorLog b-error.log\n</VirtualHost>\n",
        files=(("htdocs/index.html", "hi\n"),),
    ),
    # apache2 -t only warns here (AH00114: Useless use of AllowOverride).
    "allowoverride-in-location": Conf("<Location /x>\nAllowOverride None\n</Location>\n"),
    "allowoverride-in-files": Conf("<Files x>\nAllowOverride None\n</Files>\n"),
    "include-glob": Conf(
        "Include conf.d/*.conf\n",
        files=(
            ("conf.d/a.conf", "ServerAdmin a@example.com\n"),
            ("conf.d/b.conf", "KeepAlive On\n"),
        ),
    ),
    "includeoptional-no-match": Conf("IncludeOptional conf.d/*.conf\n"),
    "ifmodule": Conf(
        "<IfModule mime_module>\nAddType text/x-a .a\n</IfModule>\n"
        "<IfModule !rewrite_module>\nServerAdmin x@example.com\n</IfModule>\n"
        "<IfModule mod_rewrite.c>\nRewriteEngine On\n</IfModule>\n",
        MIME,
    ),
    "ifdefine-false-hides-garbage": Conf("<IfDefine NOPE>\nBogusdirective x\n</IfDefine>\n"),
    "define-then-ifdefine": Conf(
        "Define FOO\n<IfDefine FOO>\nServerAdmin ${FOO}x@e.com\n</IfDefine>\n"
    ),
    "files-and-filesmatch": Conf(
        '<Files "secret.txt">\nRequire all denied\n</Files>\n'
        '<FilesMatch "\\.(png|gif)$">\nRequire all granted\n</FilesMatch>\n',
        AUTHZ,
    ),
    "location-sethandler": Conf("<Location /status>\nSetHandler server-status\n</Location>\n"),
    "limitexcept-in-directory": Conf(
        "<Directory /tmp>\n<LimitExcept GET POST>\nRequire all denied\n</LimitExcept>\n"
        "</Directory>\n",
        AUTHZ,
    ),
    "require-containers": Conf(
        "<Directory /tmp>\n<RequireAll>\nRequire all granted\n<RequireAny>\n"
        "Require method GET\nRequire all denied\n</RequireAny>\n</RequireAll>\n</Directory>\n",
        AUTHZ,
    ),
    "log-config-forms": Conf(
        'LogFormat "%h %{X}^ti %^FB %400,501{User-agent}i %!200,304<{Referer}i %%" nick\n'
        'CustomLog x.log NICK ENV=!nolog\nGlobalLog |/bin/cat "%h" expr=-n%{HTTP_HOST}\n'
        "TransferLog y.log\nBufferedLogs On\nCustomLog z.log later\n"
        'LogFormat "%{%d/%b}t %{begin:msec}t %{pid}P" later\nLogFormat "%T"\n'
    ),
    "logformat-customlog": Conf(
        'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common\nCustomLog access.log common\n'
        'CustomLog other.log "%h %>s" env=!nolog\n'
    ),
    "alias-and-aliasmatch": Conf(
        "Alias /icons/ /usr/share/apache2/icons/\nAliasMatch ^/img/(.*)$ /tmp/$1\n"
        "<Location /x>\nAlias /tmp\n</Location>\n",
        ("alias",),
    ),
    "errordocument-forms": Conf(
        'ErrorDocument 404 "Not here"\nErrorDocument 500 http://example.com/oops\n'
        "ErrorDocument 401 http://example.com/full-url-warns\nErrorDocument 403 default\n"
    ),
    "fileetag-relative": Conf(
        "FileETag +INode -MTime\n<Directory /tmp>\nFileETag None\n</Directory>\n"
    ),
    "ranges": Conf("MaxRanges unlimited\nMaxRangeOverlaps none\nMaxRangeReversals 10\n"),
    "recursion-and-slashes": Conf(
        "LimitInternalRecursion 5 10\nMergeSlashes off\nAllowEncodedSlashes NoDecode\n"
        "TraceEnable extended\nUseCanonicalName dns\n"
    ),
    "allowoverride-forms": Conf(
        "<Directory /tmp>\nAllowOverride AuthConfig Options=Indexes,MultiViews Nonfatal=All\n"
        "AllowOverrideList Redirect Header\n</Directory>\n"
    ),
    "options-all-and-none": Conf(
        "<Directory /tmp>\nOptions All\n</Directory>\n<Directory /var>\nOptions None\n"
        "</Directory>\n"
    ),
    "regex-sections": Conf(
        '<DirectoryMatch "^/tmp/(a|b)/">\nOptions None\n</DirectoryMatch>\n'
        '<LocationMatch "^/api/">\nForceType application/json\n</LocationMatch>\n'
        "<Directory ~ /srv/[0-9]+>\nOptions None\n</Directory>\n"
    ),
    "status-and-info": Conf(
        "ExtendedStatus Off\nSeeRequestTail On\nAddModuleInfo mod_alias.c '<b>x</b>'\n"
        "<VirtualHost *:80>\nAddModuleInfo mod_rewrite.c y\n</VirtualHost>\n"
        "<Location /s>\nSetHandler server-status\n</Location>\n",
        STATUS,
    ),
    "process-directives": Conf(
        "Listen 127.0.0.1:8080\nKeepAlive On\nTimeout 30\nMaxRequestWorkers 10\n"
        "ThreadsPerChild 5\nLogLevel info core:debug\nServerTokens Prod\n"
    ),
}


# ------------------------------------------------------------------ running both sides


@dataclass(frozen=True)
class Refusal:
    """Where and why a configuration was refused."""

    line: int
    file: str
    message: str


APACHE_DIRECTIVE = re.compile(r"AH00526: Syntax error on line (\d+) of (.+?):\n(.*)", re.S)
APACHE_READING = re.compile(r"apache2: Syntax error on line (\d+) of (.+?): (.*)", re.S)


def write_case(base: Path, name: str, conf: Conf) -> Path:
    root = base / name
    root.mkdir()
    for rel, text in conf.files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    path = root / "httpd.conf"
    path.write_text(header(str(root), conf.modules) + conf.body)
    return path


def run_apache(path: Path) -> Refusal | str:
    """apache2 -t's verdict: a Refusal, or its output when it says Syntax OK."""
    assert APACHE2 is not None
    root = str(path.parent)
    done = subprocess.run(
        [APACHE2, "-d", root, "-f", str(path), "-t"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if done.returncode == 0:
        assert "Syntax OK" in done.stderr, done.stderr
        return done.stderr
    found = APACHE_DIRECTIVE.search(done.stderr) or APACHE_READING.search(done.stderr)
    assert found is not None, f"apache2 -t failed without a syntax error:\n{done.stderr}"
    return Refusal(int(found[1]), found[2], found[3].rstrip("\n"))


def run_apachemw(path: Path) -> Refusal | None:
    try:
        load_site(str(path))
    except ConfigError as exc:
        return Refusal(exc.line, exc.file, exc.message)
    return None


@pytest.fixture(scope="module")
def apache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Refusal | str]]:
    base = tmp_path_factory.mktemp("walker")
    paths = {name: write_case(base, name, conf) for name, conf in {**BAD, **GOOD}.items()}
    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = dict(zip(paths, pool.map(run_apache, paths.values()), strict=True))
    return {name: (paths[name], verdicts[name]) for name in paths}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_config_refused_like_apache(
    name: str, apache: dict[str, tuple[Path, Refusal | str]]
) -> None:
    path, expected = apache[name]
    assert isinstance(expected, Refusal), f"apache2 -t accepted {name}:\n{expected}"
    got = run_apachemw(path)
    assert got == expected, f"\napache2 -t: {expected}\nload_site:  {got}"


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_config_accepted_like_apache(
    name: str, apache: dict[str, tuple[Path, Refusal | str]]
) -> None:
    path, verdict = apache[name]
    assert not isinstance(verdict, Refusal), f"apache2 -t refused {name}: {verdict}"
    got = run_apachemw(path)
    assert got is None, f"load_site refused what apache2 -t accepts: {got}"
