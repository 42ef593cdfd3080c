"""Front-controller .htaccess files in the style of WordPress, Drupal, Laravel, Symfony,
HTML5 Boilerplate and CodeIgniter (our own minimal versions). Apache runs no PHP here:
index.php is a static text file (AddType text/plain .php) naming itself, so each answer
shows which file the rules reached."""

from __future__ import annotations

import os

from ..harness import Case, header, request, set_mtimes

NAME = "rewrite_apps"


def conf(root: str, port: int) -> str:
    h = f"{root}/htdocs"
    return (
        header(root, port, ("dir", "rewrite"))
        + f"""
DocumentRoot {h}
DirectoryIndex index.php index.html
AddType text/plain .php
<Directory {h}>
    Options FollowSymLinks
    AllowOverride All
    Require all granted
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
"""
    )


GIT_CONFIG = "drupal/.git/config\n"


def prepare(root: str) -> None:
    # git cannot hold a directory named .git, so the Drupal tree's .git/config
    # (which the .htaccess must keep private) is written here.
    git_dir = os.path.join(root, "htdocs", "drupal", ".git")
    os.makedirs(git_dir, exist_ok=True)
    with open(os.path.join(git_dir, "config"), "w") as handle:
        handle.write(GIT_CONFIG)
    set_mtimes(root, ("htdocs",))


def _g(
    name: str,
    target: str,
    note: str,
    headers: list[tuple[str, str]] | None = None,
    host: str = "localhost",
) -> Case:
    return Case(name, request("GET", target, headers or [], host=host), note)


WP = [
    _g("wp-root", "/wp/", "WordPress: DirectoryIndex index.php"),
    _g("wp-noslash", "/wp", "WordPress: directory without slash"),
    _g("wp-index", "/wp/index.php", "WordPress: ^index\\.php$ - [L]"),
    _g("wp-pretty", "/wp/hello-world/", "WordPress: pretty permalink"),
    _g("wp-pretty-query", "/wp/hello-world/?replytocom=5", "permalink with a query"),
    _g("wp-query-only", "/wp/?p=1", "plain permalink"),
    _g("wp-asset", "/wp/wp-content/themes/style.css", "existing asset served"),
    _g("wp-missing-asset", "/wp/wp-content/themes/missing.css", "missing asset: index.php"),
    _g("wp-admin", "/wp/wp-admin/", "existing directory with index.php"),
    _g("wp-admin-noslash", "/wp/wp-admin", "existing directory without slash: 301"),
    _g(
        "wp-empty-dir",
        "/wp/wp-content/uploads/empty/",
        "existing directory without index, no autoindex: 404",
    ),
    _g("wp-readme", "/wp/readme.html", "existing html"),
    _g(
        "wp-auth",
        "/wp/page",
        "Authorization copied into the env",
        [("Authorization", "Basic eDp5")],
    ),
    _g("wp-encoded", "/wp/caf%C3%A9/", "encoded permalink"),
    _g("wp-htaccess", "/wp/.htaccess", "D01 .htaccess denied"),
    Case("wp-post", request("POST", "/wp/wp-json/x", body=b"a=1"), "POST to a pretty URL"),
    Case("wp-head", request("HEAD", "/wp/hello-world/"), "HEAD to a pretty URL"),
]

DRUPAL = [
    _g("drupal-root", "/drupal/", "Drupal: index"),
    _g("drupal-node", "/drupal/node/1", "Drupal: clean URL"),
    _g("drupal-node-query", "/drupal/node/1?destination=x", "clean URL with a query"),
    _g("drupal-asset", "/drupal/core/misc/drupal.js", "existing asset"),
    _g("drupal-robots", "/drupal/robots.txt", "existing robots.txt"),
    _g("drupal-settings", "/drupal/sites/default/settings.php", "existing .php served (text)"),
    _g("drupal-sites-dir", "/drupal/sites/default/", "existing directory without index"),
    _g("drupal-git", "/drupal/.git/config", "hidden directory: [F]"),
    _g("drupal-git-missing", "/drupal/.git/nope", "missing file in a hidden directory"),
    _g("drupal-wellknown", "/drupal/.well-known/security.txt", ".well-known allowed"),
    _g("drupal-htaccess", "/drupal/.htaccess", ".htaccess denied"),
    _g("drupal-www", "/drupal/node/1", "www. host redirected", host="www.example.com"),
    _g(
        "drupal-www-query",
        "/drupal/node/1?a=b",
        "www. redirect keeps the query",
        host="WWW.Example.com",
    ),
    _g("drupal-favicon", "/drupal/favicon.ico", "missing favicon.ico below root"),
    _g("drupal-missing-php", "/drupal/nope.php", "missing .php"),
    _g("drupal-module-file", "/drupal/x.module", "missing .module: FilesMatch first"),
]

LARAVEL = [
    _g("laravel-root", "/laravel/", "Laravel: index.php"),
    _g("laravel-route", "/laravel/users/5", "route to index.php"),
    _g("laravel-route-query", "/laravel/users?page=2", "route with a query"),
    _g("laravel-trailing", "/laravel/users/", "trailing slash redirected (301)"),
    _g("laravel-trailing-query", "/laravel/users/?page=2", "trailing slash redirect with a query"),
    _g("laravel-trailing-deep", "/laravel/a/b/c/", "deep trailing slash"),
    _g("laravel-asset", "/laravel/css/app.css", "existing asset"),
    _g("laravel-asset-slash", "/laravel/css/app.css/", "existing file with a slash"),
    _g("laravel-css-dir", "/laravel/css/", "existing directory"),
    _g("laravel-css-noslash", "/laravel/css", "existing directory without slash"),
    _g("laravel-storage", "/laravel/storage/", "empty existing directory"),
    _g("laravel-robots", "/laravel/robots.txt", "robots.txt"),
    _g("laravel-auth", "/laravel/api/me", "Authorization header", [("Authorization", "Bearer t")]),
    _g("laravel-crlf", "/laravel/x%0d%0aSet-Cookie:a=b/", "CRLF in the trailing-slash redirect"),
    _g("laravel-double", "/laravel//evil.example/", "R04-like //host in the redirect"),
    _g("laravel-index", "/laravel/index.php", "index.php directly"),
]

SYMFONY = [
    _g("symfony-root", "/symfony/", "Symfony: DirectoryIndex index.php"),
    _g("symfony-route", "/symfony/blog/42", "route to index.php"),
    _g("symfony-route-query", "/symfony/blog?page=3", "route with a query"),
    _g("symfony-index", "/symfony/index.php", "index.php directly: 301 to base"),
    _g("symfony-index-path", "/symfony/index.php/blog/42", "index.php/path: 301"),
    _g("symfony-index-query", "/symfony/index.php/blog?x=1", "index.php/path?query: 301"),
    _g("symfony-asset", "/symfony/bundles/app.js", "existing asset"),
    _g("symfony-sub-file", "/symfony/sub/file.txt", "existing file in a subdirectory"),
    _g("symfony-sub-dir", "/symfony/sub/", "existing directory: not a file, index.php"),
    _g("symfony-missing", "/symfony/missing.css", "missing asset: index.php"),
    _g("symfony-auth", "/symfony/api", "Authorization copied", [("Authorization", "Basic eDp5")]),
]

H5BP = [
    _g("h5bp-root", "/h5bp/", "H5BP: index.html"),
    _g("h5bp-css", "/h5bp/css/main.css", "existing css"),
    _g("h5bp-bust-css", "/h5bp/css/main.12345.css", "cache busting: main.12345.css -> main.css"),
    _g("h5bp-bust-js", "/h5bp/js/app.abc.js", "cache busting js"),
    _g("h5bp-bust-missing", "/h5bp/css/none.1.css", "cache busting to a missing file"),
    _g("h5bp-bust-png", "/h5bp/img/logo.2.png", "cache busting, missing image"),
    _g("h5bp-hidden-file", "/h5bp/.hidden.txt", "hidden file: [F]"),
    _g("h5bp-hidden-missing", "/h5bp/.nothere", "hidden but missing: 404"),
    _g("h5bp-wellknown", "/h5bp/.well-known/x.txt", ".well-known allowed"),
    _g("h5bp-www", "/h5bp/about/", "www. redirect", host="www.example.org"),
    _g("h5bp-about", "/h5bp/about/", "subdirectory index"),
    _g("h5bp-about-noslash", "/h5bp/about", "subdirectory without slash"),
    _g("h5bp-missing", "/h5bp/nope", "missing page: 404"),
]

CI = [
    _g("ci-route", "/ci/welcome/index", "index.php/$1: path info on a static file"),
    _g("ci-root", "/ci/", "CodeIgniter root"),
    _g("ci-asset", "/ci/assets/site.css", "existing asset"),
    _g("ci-index", "/ci/index.php", "index.php directly"),
    _g("ci2-route", "/ci2/welcome/index", "index.php?/$1 form"),
    _g("ci2-route-query", "/ci2/welcome?x=1", "index.php?/$1 replaces the query"),
    _g("ci2-root", "/ci2/", "root"),
    _g("ci2-index", "/ci2/index.php", "excluded by RewriteCond $1"),
]

CASES = [*WP, *DRUPAL, *LARAVEL, *SYMFONY, *H5BP, *CI]
