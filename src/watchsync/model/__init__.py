"""watchsync.model."""
