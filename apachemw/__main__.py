"""``python -m apachemw serve ...``."""

from apachemw.cli import main

raise SystemExit(main())
