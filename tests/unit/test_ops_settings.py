"""OPS_LISTEN and LOG_FORMAT: read once into typed values, refused with the setting's name."""

from __future__ import annotations

import pytest

from bot.settings import ListenAddress, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("OPS_LISTEN", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_ops_settings__defaults__no_ops_server_and_text_logs() -> None:
    settings = load_settings()
    assert settings.ops_listen is None
    assert settings.log_format == "text"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:9090", ListenAddress("127.0.0.1", 9090)),
        ("0.0.0.0:9100", ListenAddress("0.0.0.0", 9100)),
        ("[::1]:9090", ListenAddress("::1", 9090)),
        ("localhost:0", ListenAddress("localhost", 0)),
        ("  ", None),
    ],
)
def test_ops_settings__ops_listen__host_and_port(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: ListenAddress | None
) -> None:
    monkeypatch.setenv("OPS_LISTEN", value)
    assert load_settings().ops_listen == expected


@pytest.mark.parametrize("value", ["9090", "127.0.0.1", "127.0.0.1:", ":9090", "host:70000"])
def test_ops_settings__ops_listen_without_host_and_port__refused_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("OPS_LISTEN", value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "OPS_LISTEN" in str(error.value) and "host:port" in str(error.value)


def test_ops_settings__log_format_json__any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert load_settings().log_format == "json"


def test_ops_settings__unknown_log_format__refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value) == "Invalid setting LOG_FORMAT: expected one of text, json."
