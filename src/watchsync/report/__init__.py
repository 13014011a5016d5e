"""watchsync.report."""
