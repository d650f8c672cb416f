"""Database access: the private cluster, engines and sessions, migrations."""
