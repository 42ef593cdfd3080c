"""The example's views; apachemw's rules in htdocs/.htaccess sit in front of them."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home),
    path("about/", views.about),
    path("articles/<int:number>/", views.article),
    path("catalogue/", views.catalogue),
    path("members/whoami", views.whoami),
]
