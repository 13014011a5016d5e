"""watchsync.garmin."""
