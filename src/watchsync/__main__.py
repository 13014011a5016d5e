"""``python -m watchsync``."""

from watchsync.cli import main

raise SystemExit(main())
