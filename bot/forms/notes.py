"""One-question forms for the escalation steps: a resolution note, a question, a reply."""

from __future__ import annotations

from bot.forms.model import Field, Form, section
from bot.i18n import N_


def note_form(name: str, title: str, label: str, saved: str) -> Form:
    """A form with one long-text question, saved once the answer shown back is confirmed."""
    return Form(
        name=name,
        title=title,
        sections=(section("note", title, Field("note", "long_text", label)),),
        brief_review=True,
        saved=saved,
    )


RESOLVE = note_form(
    "esc_resolve",
    N_("escalation.form.resolve"),
    N_("escalation.form.resolve_note"),
    N_("escalation.saved.resolved"),
)
ASK = note_form(
    "esc_ask",
    N_("escalation.form.ask"),
    N_("escalation.form.ask_question"),
    N_("escalation.saved.asked"),
)
REPLY = note_form(
    "esc_reply",
    N_("escalation.form.reply"),
    N_("escalation.form.reply_answer"),
    N_("escalation.saved.replied"),
)
