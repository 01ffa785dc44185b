"""The reminder texts of one locale, looked up once and reused for every line of a digest."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date

from bot.i18n import N_, Translator

KIND_LABEL = {"contact": N_("reminder.kind.contact"), "home_visit": N_("reminder.kind.visit")}
SNOOZE_DATA = "rz:1"
# Stands in for a value (mostly a child's name) while a text is formatted: the formatted text is
# split around it once, and each use is then the parts joined with the value, with no lookup.
SLOT = "\x00"

LineParts = list[str]


def escape(value: str) -> str:
    """HTML-escape a value as the Translator does, without the work when nothing needs it."""
    if "&" in value or "<" in value or ">" in value:
        return html.escape(value, quote=False)
    return value


def fill(parts: LineParts, name: str) -> str:
    """Put a child's name into a line split at its name slot; the name is HTML-escaped."""
    return escape(name).join(parts)


class ReminderTexts:
    """Reminder texts of one locale: every catalog lookup the sweep would repeat, done once.

    Texts come from the Translator itself, so they are byte for byte what it would give.
    """

    def __init__(self, t: Translator) -> None:
        self.t = t
        self._kinds = {kind: t.plain(label) for kind, label in KIND_LABEL.items()}
        self.button = t.plain("reminder.visit_button", name=SLOT).split(SLOT)
        self.snooze_button = (t.plain("reminder.snooze"), SNOOZE_DATA)
        self._titles = {
            kind: t(key, count=SLOT).split(SLOT)
            for kind, key in (
                ("director", N_("reminder.director_title")),
                ("overdue", N_("reminder.overdue_title")),
                ("county", N_("reminder.county_title")),
            )
        }
        self._village = t("reminder.village", village=SLOT).split(SLOT)

    def title(self, kind: str, children: int) -> str:
        """The heading of a director's digest, a supervisor's ("overdue") or an admin's
        ("county") alert."""
        return str(children).join(self._titles[kind])

    def director_line(self, kind: str, due: date, days_overdue: int) -> LineParts:
        """A director's line for one due visit, split at the child's name (see `fill`)."""
        key = N_("reminder.overdue_line") if days_overdue else N_("reminder.due_line")
        line = self.t(
            key, name=SLOT, kind=self._kinds[kind], due=due.isoformat(), days=days_overdue
        )
        return line.split(SLOT)

    def stale_draft(self, title_key: str) -> str:
        return self.t("reminder.stale_draft", title=self.t.plain(title_key))

    def village(self, name: str) -> str:
        return fill(self._village, name)

    def overdue_line(self, kind: str, due: date, missed_periods: int) -> LineParts:
        """A supervisor's line for one missed visit, split at the child's name (see `fill`)."""
        line = self.t(
            "reminder.overdue_child",
            name=SLOT,
            kind=self._kinds[kind],
            due=due.isoformat(),
            periods=missed_periods,
        )
        return line.split(SLOT)


def director_text(
    texts: ReminderTexts, children: int, lines: Iterable[str], stale_titles: Iterable[str]
) -> str:
    """A director's digest: the heading, a line per due visit, then any forgotten drafts."""
    stale = [texts.stale_draft(title) for title in stale_titles]
    return "\n".join([texts.title("director", children), *lines, *stale])


def visit_buttons(texts: ReminderTexts, children: dict[int, str]) -> list[list[tuple[str, str]]]:
    """One "report a visit" button per child (id → name, most urgent first)."""
    button = texts.button
    return [[(name.join(button), f"vs:{child_id}")] for child_id, name in children.items()]
