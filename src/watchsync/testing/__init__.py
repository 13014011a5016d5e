"""Test doubles shipped for ``watchsync server`` and ``make demo``.

The local Garmin server, the activity simulator and report samples live here. Production modules
never import this package (``tests/test_layers.py`` checks it).
"""
