"""Framework glue: Django, Flask, Starlette/FastAPI. Each module imports its framework lazily."""

from __future__ import annotations
