"""Webhook settings and process roles: refused at start-up in one sentence naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import check_role
from bot.cli import main
from bot.settings import SettingsError, load_settings
from tests.conftest import TEST_DATA_KEY, TEST_TOKEN

HOOK = {"webhook_url": "https://bot.example.org/telegram", "webhook_secret": "s3cret_-X"}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("WEBHOOK_URL", "WEBHOOK_LISTEN", "WEBHOOK_SECRET", "TELEGRAM_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def refusal(**values: object) -> str:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, **values)
    return str(refused.value)


def test_settings__no_webhook_url__long_polling_on_the_default_listener() -> None:
    settings = load_settings(_env_file=None)
    assert not settings.uses_webhook
    assert settings.webhook_host_port == ("127.0.0.1", 8080)


def test_settings__https_webhook_with_secret__accepted() -> None:
    settings = load_settings(_env_file=None, webhook_listen="0.0.0.0:8443", **HOOK)
    assert settings.uses_webhook
    assert settings.webhook_host_port == ("0.0.0.0", 8443)


def test_settings__http_webhook_with_telegrams_servers__refused() -> None:
    message = refusal(webhook_url="http://bot.example.org/telegram", webhook_secret="abc")
    assert message.startswith("Invalid setting WEBHOOK_URL:")
    assert "https" in message


def test_settings__http_webhook_with_a_local_bot_api_server__accepted() -> None:
    settings = load_settings(
        _env_file=None,
        telegram_api_url="http://127.0.0.1:8081/bot",
        webhook_url="http://10.0.0.2:8080/telegram",
        webhook_secret="abc",
    )
    assert settings.webhook_url == "http://10.0.0.2:8080/telegram"


@pytest.mark.parametrize("secret", ["has space", "ünicode", "x" * 257, "semi;colon"])
def test_settings__secret_with_characters_telegram_refuses__named(secret: str) -> None:
    message = refusal(webhook_url=HOOK["webhook_url"], webhook_secret=secret)
    assert message.startswith("Invalid setting WEBHOOK_SECRET:")
    assert "A-Z, a-z, 0-9, _ and -" in message


def test_settings__webhook_without_secret__refused() -> None:
    message = refusal(webhook_url=HOOK["webhook_url"])
    assert message.startswith("Invalid setting WEBHOOK_SECRET:")


@pytest.mark.parametrize("listen", ["8080", "localhost:", ":8080", "127.0.0.1:99999", "a:b"])
def test_settings__listen_not_host_port__named(listen: str) -> None:
    assert refusal(webhook_listen=listen).startswith("Invalid setting WEBHOOK_LISTEN:")


def test_roles__web_or_worker_on_sqlite__refused_in_one_sentence() -> None:
    settings = load_settings(_env_file=None, database_url="sqlite:////tmp/x.db", **HOOK)
    for role in ("web", "worker"):
        with pytest.raises(SettingsError, match="needs PostgreSQL"):
            check_role(settings, role)
    check_role(settings, "all")


def test_roles__web_without_webhook__refused() -> None:
    settings = load_settings(_env_file=None, database_url="postgresql://u@h/db")
    with pytest.raises(SettingsError, match="WEBHOOK_URL"):
        check_role(settings, "web")
    check_role(settings, "worker")


@pytest.mark.parametrize("role", ["web", "worker"])
def test_cli__run_role_on_sqlite__exits_non_zero_with_the_reason(
    role: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'guanai.db'}")
    assert main(["run", "--role", role]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "needs PostgreSQL" in error
