"""On the first day of a period, alert supervisors and the admins above them to what it missed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

from bot.notify.notification import Notification
from bot.people.roles import Role, first_staffed, ladder_above
from bot.reminders.digests import Digest, Due, Item, Memo, ShapeRow, Shapes, overdue_rows
from storage import recipient_queries
from storage.models import OrgLevel
from storage.recipient_queries import Recipient, chain_of


class _Alert:
    """One unit's alert so far: who gets it, and its parameters, village by village."""

    def __init__(self, kind: str, people: list[Recipient], rows_of: Memo[Due, ShapeRow]) -> None:
        self.kind = kind  # overdue (a township's supervisors), county or unsupervised (admins)
        self.recipients = people
        self.children = 0
        self.shapes = Shapes(rows_of)
        # Per village: its name, each line's shape and each line's child's name. Tuples of
        # numbers and strings only: the garbage collector stops walking them once it has seen
        # them, and an alert holds its villages until every director's digest is made.
        self.villages: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = []

    def add(self, village_name: str, entries: list[Item]) -> None:
        _, names, child_ids, _, dues, _ = zip(*entries, strict=True)  # columns, in C
        self.villages.append((village_name, tuple(map(self.shapes.__getitem__, dues)), names))
        self.children += len(set(child_ids))

    def notice(self) -> Notification:
        params: dict[str, Any] = {
            "children": self.children,
            "shapes": self.shapes.rows,
            "villages": self.villages,
        }
        return Notification(f"reminder.{self.kind}", params)


class OverdueAlerts:
    """Supervisors' alerts of the visits the period that ended yesterday missed.

    Children that missed two periods in a row or more also go to the county admins, or, where a
    county has none, up the ladder to the city's and then the province's. A township without a
    supervisor has its whole alert ("unsupervised") sent to those admins instead. Alerts are
    gathered village by village during the directors' pass and sent after every director digest.
    """

    def __init__(self, session: Session) -> None:
        self.supervisors = recipient_queries.enrolled_staff_by_unit(
            session=session, role=Role.SUPERVISOR.value
        )
        self.admins = recipient_queries.enrolled_staff_by_unit(
            session=session, role=Role.ADMIN.value
        )
        self.units = recipient_queries.units(session=session)
        # Where each township's two-period alerts go: the nearest unit above with admins.
        self.admin_unit: Memo[str, str] = Memo(self._admins_above)
        self.alerts: dict[tuple[str, str], _Alert] = {}  # in order of first mention
        self.rows_of = overdue_rows()

    def _admins_above(self, township: str) -> str:
        rungs = ladder_above(chain_of(township, self.units), from_level=OrgLevel.COUNTY.value)
        found = first_staffed(rungs, lambda rung: self.admins.get(rung.org_code, []))
        return found[0].org_code if found is not None else ""

    def add(self, village: str, items: list[Item]) -> None:
        """Gather one village's visits (most urgent first) that the ended period missed."""
        overdue = [item for item in items if item[4].missed_periods]
        if not overdue:
            return
        unit = self.units.get(village)
        township, village_name = (unit.parent_code, unit.name) if unit else ("", village)
        if not self.supervisors.get(township):
            # Nobody supervises the township: its whole alert goes up the ladder, never dropped.
            admins_at = self.admin_unit[township]
            self._add("unsupervised", admins_at, self.admins, village_name, overdue)
            return
        self._add("overdue", township, self.supervisors, village_name, overdue)
        twice = [item for item in overdue if item[4].missed_periods >= 2]
        if twice:
            self._add("county", self.admin_unit[township], self.admins, village_name, twice)

    def _add(
        self,
        kind: str,
        unit: str,
        staff: dict[str, list[Recipient]],
        village_name: str,
        entries: list[Item],
    ) -> None:
        """Add a village's overdue visits to a unit's alert, if anyone there receives it."""
        alert = self.alerts.get((kind, unit))
        if alert is None:
            people = staff.get(unit)
            if not people:
                return
            alert = self.alerts[kind, unit] = _Alert(kind, people, self.rows_of)
        alert.add(village_name, entries)

    def digests(self) -> Iterator[Digest]:
        """Each alert, for each of its recipients; an alert is let go once it is handed on."""
        for key in list(self.alerts):
            alert = self.alerts.pop(key)
            notice = alert.notice()
            for person in alert.recipients:
                yield Digest(person, alert.kind, notice)
