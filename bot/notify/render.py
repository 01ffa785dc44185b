"""Turn a notification into Telegram text and buttons, in the recipient's language, at send time.

One renderer per kind, in the table at the bottom; a second messenger would bring a table of
its own. Texts are HTML (the bot's parse mode); button data comes from the callback codecs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import N_, I18n, Translator
from bot.notify.notification import Notification
from bot.personal import national_phone
from bot.reminders.texts import ReminderTexts, director_digest, overdue_alert
from bot.reply import Reply
from bot.telegram.callbacks import ESCALATION

TITLE = {True: N_("escalation.urgent_title"), False: N_("escalation.title")}
MAX_CACHED_LOCALES = 8
# Kinds whose rendering takes long enough (a chart is drawn) that the sender does it in a
# worker thread; found in the stored payload without parsing it.
SLOW_KINDS = ("stats.rollup",)
_SLOW_MARKS = tuple(f'"kind": "{kind}"' for kind in SLOW_KINDS)


class Renderer:
    """Renders notifications; keeps each locale's reminder texts (and line shapes) once made."""

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n
        self._reminder_texts: dict[str | None, ReminderTexts] = {}
        # The last message made: an alert's recipients share one notification in a sweep.
        self._last: tuple[Notification | None, str | None, Reply | None] = (None, None, None)

    def reminder_texts(self, locale: str | None) -> ReminderTexts:
        texts = self._reminder_texts.get(locale)
        if texts is None:
            if len(self._reminder_texts) >= MAX_CACHED_LOCALES:
                self._reminder_texts.clear()
            texts = self._reminder_texts[locale] = ReminderTexts(self.i18n.translator(locale))
        return texts

    def is_slow(self, payload: str) -> bool:
        """Whether a stored payload's rendering should leave the event loop (see SLOW_KINDS)."""
        return any(mark in payload for mark in _SLOW_MARKS)

    def render(self, content: Notification | Reply, locale: str | None) -> Reply:
        """The message to send: a notification rendered in `locale`, or one rendered already."""
        if isinstance(content, Reply):
            return content
        last, last_locale, reply = self._last
        if content is last and locale == last_locale and reply is not None:
            return reply
        reply = RENDERERS[content.kind](self, locale, content.params)
        self._last = (content, locale, reply)
        return reply


def _text(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return Reply(renderer.i18n.translator(locale)(params["key"], **params["values"]))


def _question(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    reply = ESCALATION.encode("reply", params["esc_id"])
    return Reply(
        t("escalation.question", name=params["name"], question=params["question"]),
        [[(t.plain("escalation.button.reply"), reply)]],
    )


def escalation_summary(t: Translator, params: dict[str, Any]) -> str:
    """The report as a supervisor reads it: title, child, situations, notes, the director."""
    lines = [t(params["reason"])] if params.get("reason") else []
    lines.append(t(TITLE[bool(params["urgent"])], id=params["esc_id"]))
    child = params["child"]
    lines.append(
        t(
            "escalation.child",
            name=child["name"],
            id=child["id"],
            category=t.plain(f"choice.category.{child['category']}"),
            risk=t.plain(f"choice.risk.{child['risk']}"),
        )
    )
    for key in params["situations"]:
        lines.append("🚨 " + t.plain(key))
    if params["note"]:
        lines.append(t("escalation.note", note=params["note"]))
    for category, note in params["problems"]:
        lines.append(t("escalation.problem", category=t.plain(category), note=note))
    if params["measures"]:
        lines.append(t("escalation.measures", measures=params["measures"]))
    director = params.get("director")
    if director is not None:
        name, phone = director
        shown = national_phone(phone) if phone else ""
        lines.append(t("escalation.director", name=name or "", phone=shown))
    return "\n".join(lines)


def escalation_buttons(t: Translator, esc_id: int) -> list[list[tuple[str, str]]]:
    """Acknowledge and Resolved, then Ask the director."""
    return [
        [
            (t.plain("escalation.button.ack"), ESCALATION.encode("ack", esc_id)),
            (t.plain("escalation.button.resolve"), ESCALATION.encode("res", esc_id)),
        ],
        [(t.plain("escalation.button.ask"), ESCALATION.encode("ask", esc_id))],
    ]


def _report(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    return Reply(escalation_summary(t, params), escalation_buttons(t, params["esc_id"]))


def _director_digest(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return director_digest(renderer.reminder_texts(locale), params)


def _alert(kind: str) -> Callable[[Renderer, str | None, dict[str, Any]], Reply]:
    def render(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
        return overdue_alert(renderer.reminder_texts(locale), kind, params)

    return render


def _rollup(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    from bot.oversight.rollup import render_rollup  # draws with matplotlib: imported when used

    return render_rollup(renderer.i18n.translator(locale), params)


RENDERERS: dict[str, Callable[[Renderer, str | None, dict[str, Any]], Reply]] = {
    "text": _text,
    "escalation.report": _report,
    "escalation.question": _question,
    "reminder.director": _director_digest,
    "reminder.overdue": _alert("overdue"),
    "reminder.county": _alert("county"),
    "stats.rollup": _rollup,
}
