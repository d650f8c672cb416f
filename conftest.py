"""The test fixtures (a real PostGIS, fresh databases, the demo) for the core's tests and
the plugins' own tests alike."""

import os

# The demo is loaded into many test databases: its GPS tracks every 10 minutes, not every
# minute, keep each copy small (set before any settings are read).
os.environ.setdefault("GRIDGOV_ATTENDANCE_DEMO_FIX_INTERVAL_S", "600")

pytest_plugins = ["tests.fixtures"]
