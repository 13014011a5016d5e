"""watchsync.plan."""
