"""watchsync.formats."""
