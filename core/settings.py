"""Settings, read from the environment (prefix ``GRIDGOV_``) and built once per app."""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PrivateAttr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every knob of a deployment. Construct with keyword arguments in tests."""

    model_config = SettingsConfigDict(env_prefix="GRIDGOV_", extra="ignore")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str | None = Field(
        default=None,
        description="postgresql+asyncpg://… of an existing PostGIS database; unset: the "
        "private cluster under var_dir/pgdata is used.",
    )
    var_dir: Path = Field(default=Path("var"), description="State folder (cluster, secret).")
    secret_key: str | None = Field(
        default=None,
        min_length=32,
        description="Token signing key (32+ characters); unset: generated into var_dir.",
    )
    token_ttl_seconds: int = Field(default=8 * 3600, ge=60, le=30 * 86400)
    password_min_length: int = Field(
        default=12, ge=8, le=128, description="Fewest characters of a new password"
    )
    login_window_seconds: int = Field(
        default=900,
        ge=1,
        le=86400,
        description="Sign-in failures older than this are forgotten (and those before an "
        "account's last success or password change)",
    )
    login_free_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Failures of one account answered at once; each later attempt waits "
        "twice as long as the one before, from 1 s (a throttled attempt is refused unchecked)",
    )
    login_lock_failures: int = Field(
        default=10,
        ge=2,
        le=1000,
        description="Failures after which an account is locked for login_lock_seconds",
    )
    login_lock_seconds: int = Field(
        default=300,
        ge=1,
        le=86400,
        description="How long a lock lasts after the last failure (short: an attacker cannot "
        "keep a person out for long; a password reset lifts it)",
    )
    login_address_free_failures: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Failures from one address (any accounts) answered at once; then "
        "growing delays as for an account",
    )
    password_reset_seconds: int = Field(
        default=86400, ge=60, le=30 * 86400, description="How long a reset code may be used"
    )
    disabled_plugins: str = Field(
        default="", description="Comma-separated names of plugins to switch off."
    )
    timezone: str = Field(
        default="Asia/Shanghai", description="Calendar of time codes (IANA zone name)."
    )
    upload_root: Path | None = Field(
        default=None, description="Folder of event attachments; unset: var_dir/uploads."
    )
    upload_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=1024**3)
    max_depth: int = Field(default=12, ge=2, le=100, description="Deepest selection allowed")
    max_aliases: int = Field(default=30, ge=1, le=1000)
    max_tokens: int = Field(default=3000, ge=100, le=100_000)
    max_query_cost: int = Field(
        default=50_000, ge=100, description="Fields × page sizes a request may ask for"
    )
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, description="JSON request body cap")
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests per account (or address) per minute; 0: off"
    )
    max_page_size: int = Field(default=100, ge=1, le=100)
    compiled_reads: bool = Field(
        default=True,
        description="Answer list queries whose whole selection is declared without "
        "per-field resolvers (grids: one SQL statement; persons: nodes built from a table of "
        "fields). Off: always the resolvers; the answers are the same",
    )
    lean_requests: bool = Field(
        default=True,
        description="Answer plain GraphQL requests (a JSON POST or a GET, one valid query or "
        "mutation) without Strawberry's view: documents parsed, validated and measured once "
        "per text. Off: every request takes the full path; the answers are the same",
    )
    persisted_queries: int = Field(
        default=10_000,
        ge=0,
        le=1_000_000,
        description="Automatic persisted queries kept per process (documents by sha256); "
        "0: none are kept, so a hash alone is always PERSISTED_QUERY_NOT_FOUND",
    )
    identity_cache_seconds: float = Field(
        default=60,
        ge=0,
        le=3600,
        description="How long a request's actor (account, areas, grants) is reused for the "
        "same account while nothing it was built from changes (0: read on every request)",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_pool_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="Longest a request waits for a free database connection; then 503 "
        "SERVICE_UNAVAILABLE",
    )
    shutdown_grace_seconds: int = Field(
        default=20,
        ge=1,
        le=600,
        description="On SIGTERM, how long requests in flight may take to finish before "
        "they are cancelled (new connections are refused at once; WebSockets are closed "
        "with 1012, service restart)",
    )
    statement_timeout_ms: int = Field(
        default=15_000,
        ge=0,
        le=3_600_000,
        description="Longest one SQL statement of a request may run; then TIMEOUT "
        "(0: no limit). Not applied to the command line (migrations, demo, imports)",
    )
    db_echo: bool = False
    _signing_key: str | None = PrivateAttr(default=None)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        if not value:
            return None
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if not value.startswith("postgresql+asyncpg://"):
            raise ValueError("GRIDGOV_DATABASE_URL must be a postgresql+asyncpg:// URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def disabled_plugin_names(self) -> frozenset[str]:
        return frozenset(p.strip() for p in self.disabled_plugins.split(",") if p.strip())

    @property
    def uploads(self) -> Path:
        return (self.upload_root or self.var_dir / "uploads").resolve()

    @property
    def pgdata(self) -> Path:
        return (self.var_dir / "pgdata").resolve()

    def signing_key(self) -> str:
        """The token signing key: the setting, or one generated once under ``var_dir``
        (read from disk once per Settings object)."""
        if self.secret_key:
            return self.secret_key
        if self._signing_key is None:
            self._signing_key = self._load_signing_key()
        return self._signing_key

    def _load_signing_key(self) -> str:
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # O_EXCL so two processes starting together agree on one key.
        try:
            with open(path, "x", encoding="ascii") as fh:
                path.chmod(0o600)
                fh.write(key)
        except FileExistsError:
            return path.read_text().strip()
        return key
