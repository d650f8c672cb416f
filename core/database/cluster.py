"""A private PostgreSQL + PostGIS cluster under ``var/pgdata``: the zero-configuration default.

The server listens only on a Unix socket (no TCP port). PostgreSQL refuses to run as root,
so as root the server runs as the ``postgres`` system account, which then owns the folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PACKAGES_HINT = "apt-get install postgresql postgresql-15-postgis-3"
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; leave room for "/.s.PGSQL.5432"
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "max_connections": "200",
    "shared_buffers": "256MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "2GB",
    "timezone": "'UTC'",
}


class ClusterError(RuntimeError):
    """The private cluster cannot be used; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Binaries:
    bindir: Path
    sharedir: Path

    def __call__(self, name: str) -> str:
        return str(self.bindir / name)


def find_binaries(search_root: Path = Path("/usr/lib/postgresql")) -> Binaries:
    """Locate initdb/pg_ctl (newest installed major) and check that PostGIS is installed."""
    candidates: list[Path] = []
    for bindir in sorted(
        search_root.glob("*/bin"), key=lambda p: _major(p.parent.name), reverse=True
    ):
        candidates.append(bindir)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            sharedir = _sharedir(bindir)
            if not (sharedir / "extension" / "postgis.control").exists():
                raise ClusterError(
                    f"PostGIS is not installed for the PostgreSQL in {bindir}. "
                    f"Install it: {PACKAGES_HINT}"
                )
            return Binaries(bindir=bindir, sharedir=sharedir)
    raise ClusterError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. "
        f"Install them: {PACKAGES_HINT} — or set GRIDGOV_DATABASE_URL to an existing PostGIS."
    )


def _major(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _sharedir(bindir: Path) -> Path:
    pg_config = bindir / "pg_config"
    if pg_config.exists():
        out = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    version = bindir.parent.name
    return Path("/usr/share/postgresql") / version


class PrivateCluster:
    """initdb / start / stop of a cluster owned by this checkout."""

    def __init__(
        self,
        datadir: Path,
        *,
        database: str = "gridgov",
        settings: dict[str, str] | None = None,
    ) -> None:
        """``settings`` are written to postgresql.conf at initdb, after the defaults."""
        self.datadir = datadir.resolve()
        self.database = database
        self.settings = dict(SERVER_SETTINGS, **(settings or {}))
        self._bins: Binaries | None = None

    # -- locations ---------------------------------------------------------------------
    @property
    def bins(self) -> Binaries:
        if self._bins is None:
            self._bins = find_binaries()
        return self._bins

    @property
    def socket_dir(self) -> Path:
        if len(str(self.datadir)) <= _SOCKET_PATH_MAX - len("/.s.PGSQL.5432"):
            return self.datadir
        digest = hashlib.sha1(str(self.datadir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"gridgov-{digest}"

    def url(self, database: str | None = None) -> str:
        return (
            f"postgresql+asyncpg://{self.superuser}@/{database or self.database}"
            f"?host={self.socket_dir}"
        )

    @property
    def superuser(self) -> str:
        return "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name

    # -- running commands as the server account -----------------------------------------
    def _as_server(self, args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        # ``kw`` (timeout, check, env…) is passed through as given
        done: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]  # **kw: object
            args, capture_output=True, text=True, **kw
        )
        return done

    def _chown_to_server(self, path: Path) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.datadir.parent / ".pgdata.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def initialized(self) -> bool:
        return (self.datadir / "PG_VERSION").exists()

    def running(self) -> bool:
        if not self.initialized:
            return False
        out = self._as_server([self.bins("pg_ctl"), "-D", str(self.datadir), "status"])
        return out.returncode == 0

    def init(self) -> None:
        bins = self.bins
        self.datadir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._chown_to_server(self.datadir)
        out = self._as_server(
            [
                bins("initdb"),
                "-D",
                str(self.datadir),
                "-U",
                self.superuser,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ]
        )
        if out.returncode != 0:
            raise ClusterError(f"initdb failed:\n{out.stderr.strip()}")
        settings = dict(self.settings, unix_socket_directories=f"'{self.socket_dir}'")
        conf = "\n".join(f"{k} = {v}" for k, v in settings.items())
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(f"\n# gridgov private cluster\n{conf}\n")

    def start(self) -> None:
        """Initialise when needed and start the server; a running server is left alone."""
        with self._lock():
            if not self.initialized:
                self.init()
            if self.running():
                return
            sock = self.socket_dir
            if sock != self.datadir:
                sock.mkdir(mode=0o700, exist_ok=True)
                self._chown_to_server(sock)
            log = self.datadir / "server.log"
            out = self._as_server(
                [
                    self.bins("pg_ctl"),
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
            if out.returncode != 0:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise ClusterError(f"pg_ctl start failed:\n{out.stderr.strip()}\n{tail}")

    def stop(self) -> None:
        with self._lock():
            if self.running():
                out = self._as_server(
                    [self.bins("pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
                )
                if out.returncode != 0:
                    raise ClusterError(f"pg_ctl stop failed:\n{out.stderr.strip()}")
