"""One settings object, read from the environment or `.env`, built once by the entry point."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'guanai.db'}"
SUPPORTED_LOCALES = ("zh_Hans", "en")
TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
TOKEN_HELP = (
    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot) "
    "and put the token it gives you in the environment or in .env as TELEGRAM_BOT_TOKEN=..."
)


def parse_clock(value: str) -> time:
    """Read a local time of day written as HH:MM."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError("expected a time of day such as 09:00")
    return time(int(match[1]), int(match[2]))


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the setting."""


class Settings(BaseSettings):
    """Configuration of one Guanai deployment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_bot_username: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    bot_timezone: str = "Asia/Shanghai"
    bot_locale: str = "zh_Hans"
    invite_valid_days: int = Field(default=7, ge=1, le=90)
    start_attempts_allowed: int = Field(default=5, ge=1, le=100)
    start_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    escalation_urgent_sla_minutes: int = Field(default=60, ge=1, le=24 * 60)
    escalation_normal_sla_hours: int = Field(default=24, ge=1, le=24 * 14)
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    reminder_time: str = "09:00"
    reminder_quiet_hours: str = "21:00-08:00"

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

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme.split("+", 1)[0] not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("expected sqlite:///path/to/file.db or postgresql://user@host/db")
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA time zone such as Asia/Shanghai") from exc
        return value

    @field_validator("reminder_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        parse_clock(value)
        return value.strip()

    @field_validator("reminder_quiet_hours")
    @classmethod
    def _quiet_window(cls, value: str) -> str:
        if value.strip():
            start, separator, end = value.partition("-")
            if not separator:
                raise ValueError("expected a window such as 21:00-08:00, or empty for none")
            parse_clock(start)
            parse_clock(end)
        return value.strip()

    @field_validator("bot_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        normalised = {"zh": "zh_Hans", "zh_hans": "zh_Hans", "zh-hans": "zh_Hans", "en": "en"}
        locale = normalised.get(value.strip().lower())
        if locale is None:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LOCALES)}")
        return locale

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def invite_lifetime(self) -> timedelta:
        return timedelta(days=self.invite_valid_days)

    @property
    def urgent_sla(self) -> timedelta:
        return timedelta(minutes=self.escalation_urgent_sla_minutes)

    @property
    def normal_sla(self) -> timedelta:
        return timedelta(hours=self.escalation_normal_sla_hours)

    @property
    def reminder_clock(self) -> time:
        return parse_clock(self.reminder_time)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        if not self.reminder_quiet_hours:
            return None
        start, _, end = self.reminder_quiet_hours.partition("-")
        return parse_clock(start), parse_clock(end)

    @property
    def start_lockout(self) -> timedelta:
        return timedelta(minutes=self.start_lockout_minutes)

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
