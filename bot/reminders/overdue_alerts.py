"""On the first day of a period, alert supervisors and county admins to what it missed."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress

from sqlalchemy import select
from sqlmodel import Session, col

from bot.reminders.digests import Digest, Item, Lines, Memo, Recipient, recipients
from bot.reply import Reply
from storage.models import OrgUnit, Role


class _Alert:
    """One unit's alert so far: who gets it, and a block of lines per village, by locale."""

    def __init__(self, kind: str, people: list[Recipient]) -> None:
        self.kind = kind  # overdue (a township's supervisors) or county (its admins)
        self.recipients = people
        self.locales = list(dict.fromkeys(person.locale for person in people))
        self.children = 0
        self.blocks: dict[str | None, list[str]] = {locale: [] for locale in self.locales}


class OverdueAlerts:
    """Supervisors' alerts of the visits the period that ended yesterday missed.

    Children that missed two periods in a row or more also go to the county admins. Alerts are
    gathered village by village during the directors' pass and sent after every director digest,
    as they always were, so their text (some tens of MB at a million children) waits till then.
    """

    def __init__(self, session: Session, lines: Memo[str | None, Lines]) -> None:
        self.lines = lines
        self.supervisors = recipients(session, Role.SUPERVISOR)
        self.admins = recipients(session, Role.ADMIN)
        statement = select(col(OrgUnit.code), col(OrgUnit.parent_code), col(OrgUnit.name))
        self.units = {
            code: (parent or "", name)
            for code, parent, name in session.connection().execute(statement)
        }
        self.alerts: dict[tuple[str, str], _Alert] = {}  # in order of first mention

    def add(self, village: str, items: list[Item]) -> None:
        """Gather one village's visits (most urgent first) that the ended period missed."""
        overdue = [item for item in items if item[4].missed_periods]
        if not overdue:
            return
        township, village_name = self.units.get(village, ("", village))
        county = self.units.get(township, ("", ""))[0]
        # Supervisors and admins share the village's lines; each locale's are made on first use.
        rendered: Memo[str | None, list[str]] = Memo(
            lambda locale: self._render(locale, village_name, overdue)
        )
        self._add("overdue", township, self.supervisors, overdue, rendered, None)
        twice = [item[4].missed_periods >= 2 for item in overdue]
        if any(twice):
            self._add("county", county, self.admins, overdue, rendered, twice)

    def _add(
        self,
        kind: str,
        unit: str,
        staff: dict[str, list[Recipient]],
        overdue: list[Item],
        rendered: Memo[str | None, list[str]],
        only: list[bool] | None,
    ) -> None:
        """Add a village's overdue visits (those marked in `only`) to a unit's alert, if any."""
        alert = self.alerts.get((kind, unit))
        if alert is None:
            people = staff.get(unit)
            if not people:
                return
            alert = self.alerts[kind, unit] = _Alert(kind, people)
        entries = overdue if only is None else compress(overdue, only)
        alert.children += len({item[2] for item in entries})
        keep = None if only is None else [True, *only]  # the village heading, then the lines
        for locale in alert.locales:
            lines = rendered[locale]
            block = "\n".join(lines if keep is None else compress(lines, keep))
            alert.blocks[locale].append(block)

    def _render(self, locale: str | None, village_name: str, overdue: list[Item]) -> list[str]:
        """A village's heading, then a line per missed visit, in one locale."""
        lines = self.lines[locale]
        parts = lines.overdue
        rendered = [lines.texts.village(village_name)]
        rendered += [shown.join(parts[due]) for _, _, _, _, due, shown in overdue]
        return rendered

    def digests(self) -> Iterator[Digest]:
        """Each alert, for each of its recipients; an alert's text is let go once it is sent."""
        for key in list(self.alerts):
            alert = self.alerts.pop(key)
            for person in alert.recipients:
                title = self.lines[person.locale].texts.title(alert.kind, alert.children)
                text = "\n".join([title, *alert.blocks[person.locale]])
                yield Digest(person, alert.kind, Reply(text))
