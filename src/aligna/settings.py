"""Settings: one declarative object; each field also an ALIGNA_* variable and an aligna.toml key."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

SETTINGS_FILE = "aligna.toml"
# Read from the environment only: a file in the project folder is easily committed to git.
SECRET_FIELDS = frozenset({"secret_key", "oidc_client_secret", "smtp_password"})


class SettingsError(Exception):
    """Settings that cannot be read, with where and why."""


class Settings(BaseSettings):
    """Everything aligna reads from its environment; see docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="ALIGNA_", extra="ignore")

    project: Path | None = Field(
        default=None, description="The project folder (the folder holding aligna.toml)."
    )
    name: str = Field(default="", description="The organisation's name, for pages and messages.")
    database_url: str = Field(
        default="sqlite:///aligna.db",
        description="SQLAlchemy URL of the application database; relative SQLite paths are "
        "relative to the project folder.",
    )
    timezone: str = Field(default="UTC", description="The organisation's time zone (IANA name).")
    actor: str | None = Field(
        default=None, description="Who command-line changes are audited as (default cli:<user>)."
    )
    refresh_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="How many KPI queries a refresh runs at the same time.",
    )
    query_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=86400,
        description="Statement timeout of a KPI query, for connections that set no "
        "timeout_seconds of their own.",
    )
    query_row_limit: int = Field(
        default=100_000,
        ge=1,
        description="The most rows a KPI query may return; more is an error on that KPI.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Signs session cookies and CSRF tokens. Set it in production (any long "
        "random text, the same for every web process); unset, aligna keeps a random one in "
        "the project folder (.aligna-secret).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address people reach aligna at, for links in messages; https makes "
        "session cookies Secure.",
    )
    session_idle_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="A web session ends after this long idle."
    )
    session_max_days: float = Field(
        default=7.0, gt=0, le=365, description="A web session ends this long after sign-in."
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="The OpenID Connect provider's issuer URL; set, the sign-in page offers "
        "single sign-on (see docs/web.md).",
    )
    oidc_client_id: str = Field(
        default="", description="aligna's client ID, registered with the OpenID provider."
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        description="The client secret from the OpenID provider; give it only as the "
        "ALIGNA_OIDC_CLIENT_SECRET environment variable (never in aligna.toml). Unset, aligna "
        "is a public client relying on PKCE alone.",
    )
    oidc_scopes: str = Field(
        default="openid email profile",
        description="The scopes asked of the provider (space-separated, openid included).",
    )
    oidc_create_accounts: bool = Field(
        default=False,
        description="Whether a person of the organisation without an account gets one at "
        "their first single sign-on (matched by verified email); off, an admin creates "
        "accounts first.",
    )
    oidc_button_label: str = Field(
        default="Sign in with single sign-on",
        description="The text of the single sign-on button on the sign-in page.",
    )

    smtp_host: str | None = Field(
        default=None,
        description="The SMTP server that sends aligna's email; unset, messages go to the "
        "in-app inbox only (see docs/channels.md).",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="The SMTP server's port.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="How the SMTP connection is encrypted: starttls (usually port 587), ssl "
        "(implicit TLS, usually port 465) or none (a local relay only).",
    )
    smtp_username: str = Field(
        default="", description="The SMTP user name; empty, aligna does not authenticate."
    )
    smtp_password: SecretStr | None = Field(
        default=None,
        description="The SMTP password; give it only as the ALIGNA_SMTP_PASSWORD environment "
        "variable (never in aligna.toml).",
    )
    smtp_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="How long one SMTP exchange may take."
    )
    mail_from: str = Field(
        default="aligna@localhost",
        description="The From address of aligna's email, e.g. 'aligna <aligna@example.org>'.",
    )
    milestone_reminder_days: int = Field(
        default=7,
        ge=0,
        le=90,
        description="How many days before a milestone is due its people are reminded of it.",
    )
    digest_weekday: int = Field(
        default=1,
        ge=1,
        le=7,
        description="The day weekly digests go out (ISO: 1 Monday ... 7 Sunday).",
    )
    delivery_max_attempts: int = Field(
        default=8,
        ge=1,
        le=100,
        description="How many times a message is tried before it is dead-lettered for an "
        "admin to retry.",
    )
    scheduler: Literal["embedded", "off"] = Field(
        default="embedded",
        description="Who runs the scheduled jobs: embedded, one process of aligna serve "
        "(elected when several run); off when aligna worker processes run them (PostgreSQL).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments win, then the environment; the settings file comes in as init values
        # of lower rank (see load_settings), so the environment overrides the file.
        return (init_settings, env_settings)

    @property
    def audit_actor(self) -> str:
        """Who command-line changes are recorded as."""
        if self.actor:
            return self.actor
        try:
            user = os.getlogin()
        except OSError:
            import getpass

            user = getpass.getuser()
        return f"cli:{user}"

    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path made absolute against the project."""
        return resolve_relative_url(self.database_url, self.project)


def resolve_relative_url(url: str, base: Path | None) -> str:
    """Make a relative file path in a sqlite:/// or duckdb:/// URL absolute against a folder."""
    for scheme in ("sqlite:///", "duckdb:///"):
        if url.startswith(scheme):
            path = url[len(scheme) :]
            if path and path != ":memory:" and not path.startswith("/") and base is not None:
                return scheme + str((base / path).resolve())
    return url


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder from start upwards that holds aligna.toml, like git finds .git."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def read_settings_file(folder: Path) -> dict[str, Any]:
    """The [project] table of a folder's aligna.toml, with keys named as Settings fields."""
    path = folder / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from None
    table = data.get("project", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [project] must be a table")
    known = set(Settings.model_fields) - {"project"}
    renamed = {"database": "database_url"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        field = renamed.get(key, key)
        if field in SECRET_FIELDS:
            raise SettingsError(
                f"{path}: [project] {key}: a secret is never kept in a file; set the "
                f"environment variable ALIGNA_{field.upper()} instead"
            )
        if field not in known:
            expected = ", ".join(sorted({"database", *known} - {"database_url"}))
            raise SettingsError(
                f"{path}: [project] {key}: unknown setting, expected one of {expected}"
            )
        values[field] = value
    return values


def load_settings(project: Path | None = None, **overrides: Any) -> Settings:
    """Settings for a command: explicit values, then ALIGNA_* variables, then aligna.toml."""
    env_project = os.environ.get("ALIGNA_PROJECT")
    folder = project or (Path(env_project) if env_project else None) or find_project()
    if folder is not None:
        folder = folder.resolve()
    file_values = read_settings_file(folder) if folder else {}
    env_names = {f"ALIGNA_{name.upper()}" for name in Settings.model_fields}
    # The file only fills what neither the environment nor the caller gave.
    for field, value in file_values.items():
        if f"ALIGNA_{field.upper()}" in os.environ and f"ALIGNA_{field.upper()}" in env_names:
            continue
        overrides.setdefault(field, value)
    overrides["project"] = folder
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid settings: {problems}") from None
