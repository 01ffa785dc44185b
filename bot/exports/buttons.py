"""Export buttons other screens place: on a child's card, and "export this area" on the
statistics screen (a Reply button is a (label, button data) pair)."""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.telegram.callbacks import EXPORT


def export_child_button(t: Translator, child_id: int) -> tuple[str, str]:
    """The card's "export" button: the child's file as an Excel workbook."""
    return t.plain(N_("export.button.child")), EXPORT.encode("child", child_id)


def export_area_button(t: Translator, org_code: str) -> tuple[str, str]:
    """The statistics screen's "export this area" button: the unit's roll-up workbook."""
    return t.plain(N_("export.button.area")), EXPORT.encode("area", org_code)
