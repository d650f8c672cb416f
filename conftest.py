"""The test fixtures (a real PostGIS, fresh databases, the demo) for the core's tests and
the plugins' own tests alike."""

pytest_plugins = ["tests.fixtures"]
