"""apachemw's benchmark suite: ``python -m benchmarks.run`` and ``python benchmarks/rss.py``."""
