"""The local Garmin Connect stand-in: SSO, DI token exchange, workout/calendar/activity API, faults."""
