"""watchsync.compliance."""
