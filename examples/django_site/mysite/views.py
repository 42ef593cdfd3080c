"""Small views: what each one shows is what the README and the smoke tests check."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

PAGE = """<!DOCTYPE html>
<html><head><title>{title}</title>
<link rel="stylesheet" href="/static/css/site.css"></head>
<body><h1>{title}</h1><p>{text}</p></body></html>
"""


def _page(title: str, text: str) -> HttpResponse:
    return HttpResponse(PAGE.format(title=title, text=text))


def home(request: HttpRequest) -> HttpResponse:
    return _page("Django behind apachemw", "Served by Django; Apache's rules came first.")


def about(request: HttpRequest) -> HttpResponse:
    return _page("About", "The old /about.html is redirected here by a Redirect line.")


def article(request: HttpRequest, number: int) -> HttpResponse:
    return _page(f"Article {number}", "The old /blog/N.php is redirected here by RewriteRule.")


def catalogue(request: HttpRequest) -> JsonResponse:
    """Reached through the front-controller rewrite of /products/SLUG."""
    return JsonResponse(
        {
            "view": "catalogue",
            "path": request.path,
            "slug": request.GET.get("slug"),
            "redirect_url": request.META.get("REDIRECT_URL"),
        }
    )


def whoami(request: HttpRequest) -> JsonResponse:
    """Under /members/: apachemw checked the password; Django reads who it was."""
    return JsonResponse(
        {"user": request.META.get("REMOTE_USER"), "auth_type": request.META.get("AUTH_TYPE")}
    )
