"""Settings: the TOML config file parsed into frozen, typed values (DESIGN, configuration)."""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from watcher.errors import ConfigError

# No pydantic plugin is used: building the models below would otherwise read the metadata
# of every installed package looking for one (about 50 ms of each command's start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

APP_NAME = "followup"
CONFIG_ENV = "FOLLOWUP_CONFIG"

TlsMode = Literal["implicit", "starttls", "none"]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def default_config_path() -> Path:
    """``$FOLLOWUP_CONFIG``, else ``config.toml`` in the user config dir."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'followup.db'}"


FALLBACK_ZONE = "America/New_York"  # what `init` writes when this machine's zone is unknown


def local_zone_name() -> str | None:
    """This machine's IANA time zone name (TZ, /etc/localtime ...), or None."""
    import tzlocal

    try:
        return str(tzlocal.get_localzone_name() or "") or None
    except (LookupError, ValueError, OSError):  # tzlocal's errors for a broken setup
        return None


def parse_zone_tab(text: str) -> dict[str, str]:
    """``zone.tab`` (tzdata) as IANA zone -> ISO 3166 country code."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            found[fields[2].strip()] = fields[0].strip()
    return found


def zone_countries() -> dict[str, str]:
    """Each IANA zone's country, from the tzdata package's ``zone.tab``."""
    from importlib.resources import files

    table = files("tzdata").joinpath("zoneinfo", "zone.tab")
    return parse_zone_tab(table.read_text(encoding="utf-8"))


def holidays_country_for(zone: str, countries: dict[str, str]) -> str | None:
    """The ``holidays_country`` to propose for ``zone``: its country, if `holidays` knows it."""
    code = countries.get(zone)
    if code is None:
        return None
    import holidays  # imported when used: slow, and only `init` asks

    return code if code in holidays.list_supported_countries() else None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _SecretSources(_Section):
    """Where a password or token comes from; never the value itself in logs."""

    username: str = ""
    password_command: str | None = None
    keyring: bool = False
    password_env: str | None = None
    oauth2_token_command: str | None = None
    password: str | None = Field(default=None, repr=False)  # discouraged: plain text

    def secret_source(self) -> str:
        """A description of the secret source, safe to print."""
        # The program's name only: a command line may carry a secret ("--password x").
        if self.oauth2_token_command:
            return f"oauth2_token_command (runs {program_name(self.oauth2_token_command)})"
        if self.password_command:
            return f"password_command (runs {program_name(self.password_command)})"
        if self.keyring:
            return "keyring"
        if self.password_env:
            return f"password_env = {self.password_env!r}"
        if self.password:
            return "password = '********'"
        return "none"


def program_name(command: str) -> str:
    """The program a command line runs, without its arguments or directory."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return Path(words[0]).name if words else "''"


def _check_tls(host: str, tls: str, what: str) -> None:
    if tls == "none" and host and not is_loopback(host):
        raise ValueError(
            f"tls = 'none' is only allowed to a loopback address, not {host!r}; "
            f"use 'implicit' or 'starttls' for {what}"
        )


class AccountSettings(_SecretSources):
    """One ``[[account]]``: an IMAP server or a local Maildir."""

    name: NonEmpty
    host: str = ""
    port: int | None = Field(default=None, ge=1, le=65535)
    tls: TlsMode = "implicit"
    ca_file: str = ""
    addresses: tuple[str, ...] = ()
    folders: Literal["auto"] | tuple[str, ...] = "auto"
    since_days: int = Field(default=120, ge=1)
    maildir: str | None = None
    max_message_bytes: int = Field(default=2_000_000, ge=1024)
    batch_size: int = Field(default=200, ge=1, le=5000)
    poll_seconds: int = Field(default=300, ge=5)
    idle: bool = True

    @field_validator("addresses")
    @classmethod
    def _lower_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a.strip().lower() for a in value)

    @model_validator(mode="after")
    def _host_or_maildir(self) -> AccountSettings:
        if not self.host and not self.maildir:
            raise ValueError("needs either host (IMAP) or maildir")
        if self.host:
            _check_tls(self.host, self.tls, f"account {self.name!r}")
        return self

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return 993 if self.tls == "implicit" else 143

    @property
    def own_addresses(self) -> frozenset[str]:
        """The user's addresses: the listed ones, else the username if it is one."""
        found = set(self.addresses)
        if not found and "@" in self.username:
            found.add(self.username.lower())
        return frozenset(found)


class SmtpSettings(_SecretSources):
    host: NonEmpty
    port: int | None = Field(default=None, ge=1, le=65535)
    tls: TlsMode = "starttls"
    ca_file: str = ""
    from_: str = Field(default="", alias="from")

    @model_validator(mode="after")
    def _tls_ok(self) -> SmtpSettings:
        _check_tls(self.host, self.tls, "[smtp]")
        return self

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return {"implicit": 465, "starttls": 587, "none": 25}[self.tls]


class DigestSettings(_Section):
    to: str = ""
    time: str = "08:00"
    timezone: str = "America/New_York"
    send_empty: bool = False
    drafts: bool = False

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"{value!r} is not a time of day; use HH:MM, e.g. '08:00'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class PolicySettings(_Section):
    """The numbers behind the follow-up rules (DESIGN, the follow-up rules)."""

    business_days: bool = True
    thank_you: bool = True
    first_nudge_days: int = Field(default=2, ge=0)
    nudge_due_days: int = Field(default=3, ge=0)
    grace_days: int = Field(default=1, ge=0)
    max_nudges: int = Field(default=2, ge=0)
    min_gap_days: int = Field(default=7, ge=0)
    give_up_days: int = Field(default=7, ge=0)
    stale_days: int = Field(default=30, ge=1)
    holidays_country: str | None = None
    low_confidence: float = Field(default=0.6, ge=0, le=1)

    @model_validator(mode="after")
    def _due_after_open(self) -> PolicySettings:
        if self.nudge_due_days < self.first_nudge_days:
            raise ValueError("nudge_due_days must be >= first_nudge_days")
        return self


class DatabaseSettings(_Section):
    url: str = ""

    @property
    def effective_url(self) -> str:
        return self.url or default_database_url()


class _File(_Section):
    account: tuple[AccountSettings, ...]
    smtp: SmtpSettings | None = None
    digest: DigestSettings = DigestSettings()
    policy: PolicySettings = PolicySettings()
    database: DatabaseSettings = DatabaseSettings()

    @model_validator(mode="after")
    def _unique_names(self) -> _File:
        if not self.account:
            raise ValueError("at least one [[account]] is required")
        names = [a.name for a in self.account]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"account names must be unique: {', '.join(dupes)}")
        return self


@dataclass(frozen=True)
class Settings:
    """The effective settings, with where they came from."""

    path: Path | None
    accounts: tuple[AccountSettings, ...]
    smtp: SmtpSettings | None
    digest: DigestSettings
    policy: PolicySettings
    database: DatabaseSettings
    warnings: tuple[str, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return self.digest.zone

    def account(self, name: str) -> AccountSettings:
        for account in self.accounts:
            if account.name == name:
                return account
        raise KeyError(name)


def defaults_without_file() -> Settings:
    """Settings for commands that can run without a config (detect, demo)."""
    return Settings(
        path=None,
        accounts=(),
        smtp=None,
        digest=DigestSettings(),
        policy=PolicySettings(),
        database=DatabaseSettings(),
    )


def _describe_location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item + 1}]"] if parts else [f"[{item + 1}]"]
        elif item in ("function-after", "literal['auto']", "tuple[str, ...]") or "[" in item:
            continue
        else:
            parts.append("from" if item == "from_" else item)
    return ".".join(parts)


def _problems(error: ValidationError) -> list[str]:
    problems: list[str] = []
    for item in error.errors():
        where = _describe_location(tuple(item["loc"]))
        if item["type"] == "extra_forbidden":
            text = f"unknown key {where!r}"
        elif item["type"] == "missing":
            text = f"missing required key {where!r}"
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            text = f"{where}: {message}" if where else message
        if text not in problems:
            problems.append(text)
    return problems


def _permission_warnings(path: Path, data: dict[str, Any]) -> list[str]:
    mode = path.stat().st_mode
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return []
    sections = [*data.get("account", []), data.get("smtp") or {}]
    if any(isinstance(s, dict) and s.get("password") for s in sections):
        return [
            f"{path} holds a password and is readable by other users; "
            f"run `chmod 600 {path}` or use password_command"
        ]
    return []


def parse_settings(text: str, path: Path | None = None) -> Settings:
    """Parse config text; raise ConfigError naming every bad key."""
    where = str(path) if path else "<config>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, [f"not valid TOML: {exc}"]) from exc
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(where, _problems(exc)) from exc
    warnings = _permission_warnings(path, data) if path is not None and path.exists() else []
    return Settings(
        path=path,
        accounts=parsed.account,
        smtp=parsed.smtp,
        digest=parsed.digest,
        policy=parsed.policy,
        database=parsed.database,
        warnings=tuple(warnings),
    )


def load_settings(path: Path | None = None) -> Settings:
    """Read the config at ``path`` (or the default location)."""
    path = path or default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            str(path), ["no such file; run `followup init` to write one, or pass --config"]
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read: {exc}"]) from exc
    return parse_settings(text, path)
