"""Button data codecs: what goes in comes out, and nothing over 64 bytes or malformed passes."""

import pytest

from bot.telegram import callbacks


def test_codec__round_trip__parts_come_back() -> None:
    data = callbacks.ESCALATION.encode("ack", 42)
    assert data == "esc:ack:42"
    assert callbacks.ESCALATION.decode(data) == ("ack", "42")


def test_codec__forged_or_other_prefix__decodes_to_none() -> None:
    assert callbacks.ESCALATION.decode("esc:burn:42") is None
    assert callbacks.ESCALATION.decode("vs:42") is None
    assert callbacks.VISIT_START.decode("vs:42:extra") is None


def test_codec__value_outside_its_pattern__refused() -> None:
    with pytest.raises(ValueError):
        callbacks.VISIT_START.encode("x" * 70)
    with pytest.raises(ValueError):
        callbacks.CHILDREN.encode("delete", 1)


def test_stats_codec__view_or_chart_of_a_code__anything_else_refused() -> None:
    assert callbacks.STATS.decode(callbacks.STATS.encode("v", "350121100")) == ("v", "350121100")
    assert callbacks.STATS.decode("st:c:35") == ("c", "35")
    assert callbacks.STATS.decode("st:x:350121") is None
    assert callbacks.STATS.decode("st:v:35'--") is None
    with pytest.raises(ValueError):
        callbacks.STATS.encode("v", "1" * 13)
