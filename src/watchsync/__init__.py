"""watchsync: workouts as text files -> Garmin FIT / Garmin Connect, plans, compliance, daemon."""

__version__ = "0.1.0"
