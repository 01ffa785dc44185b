"""Settings: defaults, validation messages that name the setting, the token requirement."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "DATABASE_URL",
        "BOT_TIMEZONE",
        "BOT_LOCALE",
        "REMINDER_TIME",
        "REMINDER_QUIET_HOURS",
        "ESCALATION_URGENT_SLA_MINUTES",
        "ESCALATION_NORMAL_SLA_HOURS",
        "TELEGRAM_PROXY_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_settings__defaults__sqlite_shanghai_chinese() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("data/guanai.db")
    assert settings.timezone == ZoneInfo("Asia/Shanghai")
    assert settings.bot_locale == "zh_Hans"
    assert settings.telegram_api_url == "https://api.telegram.org/bot"


def test_settings__read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:abc_DEF-1")
    monkeypatch.setenv("BOT_LOCALE", "en")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/guanai")
    settings = load_settings()
    assert settings.require_token() == "42:abc_DEF-1"
    assert settings.bot_locale == "en"


def test_settings__read_from_dotenv_file(tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text("BOT_TIMEZONE=Asia/Urumqi\n", encoding="utf-8")
    assert load_settings().timezone == ZoneInfo("Asia/Urumqi")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_TIMEZONE", "Mars/Olympus"),
        ("BOT_LOCALE", "fr"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("TELEGRAM_API_URL", "not a url"),
        ("TELEGRAM_BOT_TOKEN", "no-colon-here"),
        ("INVITE_VALID_DAYS", "0"),
        ("REMINDER_TIME", "25:00"),
        ("REMINDER_QUIET_HOURS", "21:00"),
        ("ESCALATION_URGENT_SLA_MINUTES", "0"),
        ("ESCALATION_NORMAL_SLA_HOURS", "a day"),
        ("TELEGRAM_PROXY_URL", "proxy.example:8080"),
    ],
)
def test_settings__invalid_value__error_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert name in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_settings__missing_token__explains_how_to_get_one() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match=r"TELEGRAM_BOT_TOKEN.*BotFather"):
        settings.require_token()


def test_settings__times_and_durations__read_once_into_typed_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REMINDER_TIME", " 7:30 ")
    monkeypatch.setenv("REMINDER_QUIET_HOURS", "22:00-06:30")
    monkeypatch.setenv("ESCALATION_URGENT_SLA_MINUTES", "15")
    monkeypatch.setenv("ESCALATION_NORMAL_SLA_HOURS", "48")
    monkeypatch.setenv("BOT_TIMEZONE", "Asia/Urumqi")
    settings = load_settings()
    assert settings.reminder_clock == time(7, 30)
    assert settings.quiet_hours == (time(22, 0), time(6, 30))
    assert settings.urgent_sla == timedelta(minutes=15)
    assert settings.normal_sla == timedelta(hours=48)
    assert settings.timezone == ZoneInfo("Asia/Urumqi")


def test_settings__defaults__nine_oclock_quiet_at_night_one_hour_and_one_day() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.reminder_clock == time(9, 0)
    assert settings.quiet_hours == (time(21, 0), time(8, 0))
    assert settings.urgent_sla == timedelta(hours=1)
    assert settings.normal_sla == timedelta(days=1)
    assert settings.invite_lifetime == timedelta(days=7)
    assert settings.invite_valid_days == 7
    assert settings.start_lockout == timedelta(minutes=15)


def test_settings__empty_quiet_hours__none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_QUIET_HOURS", "")
    assert load_settings().quiet_hours is None
