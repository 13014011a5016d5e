"""Test doubles shipped for ``watchsync server`` and ``make demo``: the local Garmin server, the activity simulator, report samples. Production modules never import this package."""
