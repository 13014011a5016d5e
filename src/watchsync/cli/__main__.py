"""``python -m watchsync.cli``."""

from watchsync.cli import main

raise SystemExit(main())
