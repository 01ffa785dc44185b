"""The role menu: which items each role sees, and which of them are built yet."""

from __future__ import annotations

from bot.i18n import N_
from storage.models import Role

NEW_FILE = N_("menu.new_file")
VISIT = N_("menu.visit")
CHILDREN = N_("menu.children")
DUE = N_("menu.due")
WORK_LOG = N_("menu.work_log")
ESCALATIONS = N_("menu.escalations")
OVERDUE = N_("menu.overdue")
STATS = N_("menu.stats")
URGENT = N_("menu.urgent")
HELP = N_("menu.help")
LANGUAGE = N_("menu.language")

ROLE_ROWS: dict[Role, list[list[str]]] = {
    Role.DIRECTOR: [[URGENT], [NEW_FILE, VISIT], [CHILDREN, DUE], [WORK_LOG]],
    Role.SUPERVISOR: [[URGENT], [ESCALATIONS, OVERDUE], [VISIT, STATS]],
    Role.ADMIN: [[ESCALATIONS, OVERDUE], [STATS]],
}
COMMON_ROW = [HELP, LANGUAGE]
ALL_ITEMS = [
    URGENT,
    NEW_FILE,
    VISIT,
    CHILDREN,
    DUE,
    WORK_LOG,
    ESCALATIONS,
    OVERDUE,
    STATS,
    HELP,
    LANGUAGE,
]


def menu_rows(role: Role) -> list[list[str]]:
    """Return the menu keys for a role, row by row."""
    return [*ROLE_ROWS[role], COMMON_ROW]


def allowed_items(role: Role) -> set[str]:
    return {key for row in menu_rows(role) for key in row}


HELP_TEXT = {
    Role.DIRECTOR: N_("help.director"),
    Role.SUPERVISOR: N_("help.supervisor"),
    Role.ADMIN: N_("help.admin"),
}
WELCOME_TEXT = {
    Role.DIRECTOR: N_("start.welcome.director"),
    Role.SUPERVISOR: N_("start.welcome.supervisor"),
    Role.ADMIN: N_("start.welcome.admin"),
}
