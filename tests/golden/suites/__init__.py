"""One module per area; each defines NAME, conf(), prepare() and CASES (see harness.py)."""
