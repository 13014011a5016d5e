"""watchsync.activity."""
