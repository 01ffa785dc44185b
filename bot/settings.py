"""One settings object, read from the environment or `.env`, built once by the entry point.

Every value is parsed into the type its users want (a `time`, a `timedelta`, a `ZoneInfo`) here,
once, so nothing else re-reads a string; the environment names stay those the README lists.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.crypto import DataKeyError, Keyring, load_keyring

TELEGRAM_CLOUD = "https://api.telegram.org/"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'guanai.db'}"
SUPPORTED_LOCALES = ("zh_Hans", "en")
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot) "
    "and put the token it gives you in the environment or in .env as TELEGRAM_BOT_TOKEN=..."
)


class QuietHours(NamedTuple):
    """A local window in which reminders wait; it may run over midnight (21:00-08:00)."""

    start: time
    end: time


def parse_clock(value: str) -> time:
    """Read a local time of day written as HH:MM."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError("expected a time of day such as 09:00")
    return time(int(match[1]), int(match[2]))


def _clock(value: Any) -> Any:
    """Turn HH:MM into a time (a time passes through)."""
    return parse_clock(value) if isinstance(value, str) else value


def _quiet_window(value: Any) -> Any:
    """Turn HH:MM-HH:MM into QuietHours, and an empty value into None (no quiet hours)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    start, separator, end = value.partition("-")
    if not separator:
        raise ValueError("expected a window such as 21:00-08:00, or empty for none")
    return QuietHours(parse_clock(start), parse_clock(end))


def _zone(value: Any) -> Any:
    """Turn an IANA name into a ZoneInfo (a ZoneInfo passes through)."""
    if not isinstance(value, str):
        return value
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("expected an IANA time zone such as Asia/Shanghai") from exc


def _whole(value: Any, *, low: int, high: int, unit: str) -> int:
    """Read a whole number of `unit` between `low` and `high`."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a whole number of {unit}") from None
    if not low <= number <= high:
        raise ValueError(f"expected a whole number of {unit} from {low} to {high}")
    return number


def _duration(unit: str, *, low: int, high: int) -> BeforeValidator:
    """Validate a count of `unit` (minutes, hours, days) into a timedelta."""

    def parse(value: Any) -> Any:
        if isinstance(value, timedelta):
            return value
        return timedelta(**{unit: _whole(value, low=low, high=high, unit=unit)})

    return BeforeValidator(parse)


Clock = Annotated[time, BeforeValidator(_clock)]
Zone = Annotated[ZoneInfo, BeforeValidator(_zone)]
Quiet = Annotated[QuietHours | None, BeforeValidator(_quiet_window)]


class ListenAddress(NamedTuple):
    """Where a server binds: a host (name or address) and a port (0 picks a free one)."""

    host: str
    port: int


def _listen_address(value: Any) -> Any:
    """Turn host:port into a ListenAddress, and an empty value into None (no server)."""
    if value is None or isinstance(value, ListenAddress):
        return value
    value = str(value)  # the environment's "9090" arrives JSON-decoded, as a number
    if not value.strip():
        return None
    host, separator, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")  # [::1]:9090
    if not separator or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError("expected host:port such as 127.0.0.1:9090, or empty for none")
    return ListenAddress(host, int(port))


Listen = Annotated[ListenAddress | None, BeforeValidator(_listen_address)]
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the setting."""


class Settings(BaseSettings):
    """Configuration of one Guanai deployment."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        arbitrary_types_allowed=True,  # ZoneInfo
    )

    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str = ""
    telegram_proxy_url: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    # Each typed value is read from the environment name the README documents.
    timezone: Zone = Field(default=ZoneInfo("Asia/Shanghai"), validation_alias="bot_timezone")
    bot_locale: str = "zh_Hans"
    invite_lifetime: Annotated[timedelta, _duration("days", low=1, high=90)] = Field(
        default=timedelta(days=7), validation_alias="invite_valid_days"
    )
    start_attempts_allowed: int = Field(default=5, ge=1, le=100)
    start_lockout: Annotated[timedelta, _duration("minutes", low=1, high=24 * 60)] = Field(
        default=timedelta(minutes=15), validation_alias="start_lockout_minutes"
    )
    urgent_sla: Annotated[timedelta, _duration("minutes", low=1, high=24 * 60)] = Field(
        default=timedelta(minutes=60), validation_alias="escalation_urgent_sla_minutes"
    )
    normal_sla: Annotated[timedelta, _duration("hours", low=1, high=24 * 14)] = Field(
        default=timedelta(hours=24), validation_alias="escalation_normal_sla_hours"
    )
    # Above the township each level has its own time to acknowledge before the report goes up.
    county_urgent_sla: Annotated[timedelta, _duration("minutes", low=1, high=24 * 60)] = Field(
        default=timedelta(minutes=60), validation_alias="escalation_sla_county_urgent_minutes"
    )
    county_normal_sla: Annotated[timedelta, _duration("hours", low=1, high=24 * 14)] = Field(
        default=timedelta(hours=24), validation_alias="escalation_sla_county_normal_hours"
    )
    city_urgent_sla: Annotated[timedelta, _duration("minutes", low=1, high=24 * 60)] = Field(
        default=timedelta(minutes=60), validation_alias="escalation_sla_city_urgent_minutes"
    )
    city_normal_sla: Annotated[timedelta, _duration("hours", low=1, high=24 * 14)] = Field(
        default=timedelta(hours=24), validation_alias="escalation_sla_city_normal_hours"
    )
    province_urgent_sla: Annotated[timedelta, _duration("minutes", low=1, high=24 * 60)] = Field(
        default=timedelta(minutes=60), validation_alias="escalation_sla_province_urgent_minutes"
    )
    province_normal_sla: Annotated[timedelta, _duration("hours", low=1, high=24 * 14)] = Field(
        default=timedelta(hours=24), validation_alias="escalation_sla_province_normal_hours"
    )
    # An acknowledged report still unresolved after this: its owner is reminded; after it
    # again, it goes up the ladder.
    followup_urgent: Annotated[timedelta, _duration("days", low=1, high=90)] = Field(
        default=timedelta(days=3), validation_alias="escalation_followup_urgent_days"
    )
    followup_normal: Annotated[timedelta, _duration("days", low=1, high=180)] = Field(
        default=timedelta(days=14), validation_alias="escalation_followup_flagged_days"
    )
    # New files, and edits of eligibility facts or the risk tier, go to the supervisors.
    review_new_files: bool = True
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    reminder_clock: Clock = Field(default=time(9, 0), validation_alias="reminder_time")
    quiet_hours: Quiet = Field(
        default=QuietHours(time(21, 0), time(8, 0)), validation_alias="reminder_quiet_hours"
    )
    # The monthly statistics roll-up to supervisors and admins (first working day, at the
    # reminder time, within the quiet hours' rule); false sends none.
    stats_rollup: bool = True
    # Health and metrics: /healthz and /metrics on a port of their own; empty serves none.
    ops_listen: Listen = None
    log_format: str = "text"

    # Telegram refuses bots' uploads over 50 MB: a larger export is split by unit, or refused.
    export_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024, le=2000 * 1024 * 1024)
    # Personal data at rest (storage/crypto.py): the key is kept apart from the database.
    data_key: str = Field(default="", repr=False)
    data_key_file: str = ""
    data_key_previous: str = Field(default="", repr=False)  # comma-separated, during a rotation
    data_key_previous_file: str = ""  # one key per line
    draft_retention: Annotated[timedelta, _duration("days", low=1, high=3650)] = Field(
        default=timedelta(days=30), validation_alias="draft_retention_days"
    )
    # Webhooks: empty WEBHOOK_URL means long polling.
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1:8080"
    webhook_secret: str = ""

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("expected the public https URL Telegram calls")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _webhook_listen_shape(cls, value: str) -> str:
        value = value.strip()
        host, separator, port = value.rpartition(":")
        if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("expected host:port such as 127.0.0.1:8080")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: str) -> str:
        if value and not WEBHOOK_SECRET_PATTERN.match(value):
            raise ValueError("expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Settings:
        if not self.webhook_url:
            return self
        if not self.webhook_secret:
            raise SettingsError(
                "Invalid setting WEBHOOK_SECRET: it is required with WEBHOOK_URL, so that only "
                "Telegram can deliver updates."
            )
        # Telegram's servers call only https URLs; a local Bot API server also calls http ones.
        if self.telegram_api_url.startswith(TELEGRAM_CLOUD) and not self.webhook_url.startswith(
            "https://"
        ):
            raise SettingsError(
                "Invalid setting WEBHOOK_URL: Telegram calls only https URLs (http works only "
                "with a local Bot API server in TELEGRAM_API_URL)."
            )
        return self

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        value = value.strip()
        if value and not TOKEN_PATTERN.match(value):
            raise ValueError("expected the form 123456789:ABC... that @BotFather gives")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("expected an http(s) URL such as https://api.telegram.org/bot")
        return value

    @field_validator("telegram_proxy_url")
    @classmethod
    def _proxy_url_shape(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("expected an http(s) proxy URL such as http://127.0.0.1:7890")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme.split("+", 1)[0] not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("expected sqlite:///path/to/file.db or postgresql://user@host/db")
        return value

    @field_validator("bot_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        normalised = {"zh": "zh_Hans", "zh_hans": "zh_Hans", "zh-hans": "zh_Hans", "en": "en"}
        locale = normalised.get(value.strip().lower())
        if locale is None:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LOCALES)}")
        return locale

    @field_validator("log_format")
    @classmethod
    def _known_log_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in LOG_FORMATS:
            raise ValueError(f"expected one of {', '.join(LOG_FORMATS)}")
        return value

    @property
    def invite_valid_days(self) -> int:
        return self.invite_lifetime.days

    def require_keyring(self) -> Keyring:
        """Return the data keys or raise a SettingsError that says how to make one."""
        try:
            return load_keyring(
                key=self.data_key,
                key_file=self.data_key_file,
                previous=self.data_key_previous,
                previous_file=self.data_key_previous_file,
            )
        except DataKeyError as error:
            raise SettingsError(str(error)) from None

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook_url)

    @property
    def webhook_host_port(self) -> tuple[str, int]:
        """Return WEBHOOK_LISTEN as (host, port)."""
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    def require_token(self) -> str:
        """Return the bot token or raise a SettingsError that says how to get one."""
        if not self.telegram_bot_token:
            raise SettingsError(TOKEN_HELP)
        return self.telegram_bot_token


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one sentence naming the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {reason}.") from None
