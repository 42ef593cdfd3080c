"""Glue for putting apachemw in front of common frameworks.

Each module shows the lines to copy into a project and offers a function the test
suite calls (``tests/adapters/test_frameworks.py``), so the snippets cannot rot.
"""
