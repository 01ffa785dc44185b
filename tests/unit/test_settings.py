"""Settings: defaults, validation messages that name the setting, the token requirement."""

from __future__ import annotations

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
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_settings__defaults__sqlite_shanghai_chinese() -> None:
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("data/guanai.db")
    assert settings.bot_timezone == "Asia/Shanghai"
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
    assert load_settings().bot_timezone == "Asia/Urumqi"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_TIMEZONE", "Mars/Olympus"),
        ("BOT_LOCALE", "fr"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("TELEGRAM_API_URL", "not a url"),
        ("TELEGRAM_BOT_TOKEN", "no-colon-here"),
        ("INVITE_VALID_DAYS", "0"),
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
