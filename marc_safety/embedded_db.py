"""The embedded PostgreSQL server used when DATABASE_URL is unset.

A bare laptop with only Python runs the portal against a PostgreSQL server that the
`pgserver` package ships and starts itself, with its data in var/pgdata. The server is
left running between commands (like any local database) so that runserver, its reloader,
migrate and the test suite share it.
"""

import os
from pathlib import Path


def embedded_database_url(var_dir: Path) -> str:
    runtime_dir = var_dir / "run"  # pgserver keeps its lock file here
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - only on a machine without the dev extra
        raise RuntimeError(
            "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not installed. "
            "Run `make run` or `make test`, which install it, or set DATABASE_URL."
        ) from exc
    if os.environ.get("CI"):
        raise RuntimeError("Under CI, DATABASE_URL must point at the real PostgreSQL server.")
    var_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(var_dir / "pgdata", cleanup_mode=None)
    return server.get_uri()
