"""Turn a notification into Telegram text and buttons, in the recipient's language, at send time.

One renderer per kind, in the table at the bottom; a second messenger would bring a table of
its own. Texts are HTML (the bot's parse mode); button data comes from the callback codecs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.county.notices import deadline_reminder, spot_check_tasks
from bot.i18n import I18n
from bot.lifecycle.notices import RENDERERS as LIFECYCLE_RENDERERS
from bot.notify import escalation_render
from bot.notify.notification import Notification
from bot.reminders.texts import ReminderTexts, director_digest, overdue_alert
from bot.reply import Reply
from bot.telegram.callbacks import ESCALATION

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


def _report(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return escalation_render.report(renderer.i18n.translator(locale), params)


def _director_told(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return escalation_render.director_told(renderer.i18n.translator(locale), params)


def _escalation_rollup(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return escalation_render.rollup(renderer.i18n.translator(locale), params)


def _informed(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return escalation_render.informed(renderer.i18n.translator(locale), params)


def _escalation_media(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return escalation_render.media(renderer.i18n.translator(locale), params)


def _director_digest(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    return director_digest(renderer.reminder_texts(locale), params)


def _alert(kind: str) -> Callable[[Renderer, str | None, dict[str, Any]], Reply]:
    def render(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
        return overdue_alert(renderer.reminder_texts(locale), kind, params)

    return render


def _stats_rollup(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    from bot.oversight.rollup import render_rollup  # draws with matplotlib: imported when used

    return render_rollup(renderer.i18n.translator(locale), params)


RENDERERS: dict[str, Callable[[Renderer, str | None, dict[str, Any]], Reply]] = {
    "text": _text,
    "escalation.report": _report,
    "escalation.question": _question,
    "escalation.director_told": _director_told,
    "escalation.informed": _informed,
    "escalation.rollup": _escalation_rollup,
    "escalation.media": _escalation_media,
    "reminder.director": _director_digest,
    "reminder.overdue": _alert("overdue"),
    "reminder.county": _alert("county"),
    "spotcheck.tasks": spot_check_tasks,
    "deadline.reminder": deadline_reminder,
    "reminder.unsupervised": _alert("unsupervised"),
    **LIFECYCLE_RENDERERS,
    "stats.rollup": _stats_rollup,
}
