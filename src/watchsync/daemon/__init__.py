"""watchsync.daemon."""
