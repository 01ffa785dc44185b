"""Administrative divisions: code shapes, the level ladder, and which role sits at which level."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.errors import InvalidAnswer, UserError
from bot.forms.parsers import refuse_hidden, tidy
from bot.i18n import N_
from bot.people.roles import ROLE_LEVELS
from storage import queries
from storage.models import OrgLevel, OrgUnit, Role

LEVEL_ORDER = [
    OrgLevel.PROVINCE,
    OrgLevel.CITY,
    OrgLevel.COUNTY,
    OrgLevel.TOWNSHIP,
    OrgLevel.VILLAGE,
]
# How many leading digits of a code name the area: 35 Fujian, 3501 Fuzhou, 350121 Minhou ...
PREFIX_LENGTH = {
    OrgLevel.PROVINCE: 2,
    OrgLevel.CITY: 4,
    OrgLevel.COUNTY: 6,
    OrgLevel.TOWNSHIP: 9,
    OrgLevel.VILLAGE: 12,
}
CODE_LENGTH = {
    OrgLevel.PROVINCE: 6,
    OrgLevel.CITY: 6,
    OrgLevel.COUNTY: 6,
    OrgLevel.TOWNSHIP: 9,
    OrgLevel.VILLAGE: 12,
}
# Counties usually sit under a city; a few (province-administered) sit directly under the province.
ALLOWED_PARENTS = {
    OrgLevel.PROVINCE: set(),
    OrgLevel.CITY: {OrgLevel.PROVINCE},
    OrgLevel.COUNTY: {OrgLevel.CITY, OrgLevel.PROVINCE},
    OrgLevel.TOWNSHIP: {OrgLevel.COUNTY},
    OrgLevel.VILLAGE: {OrgLevel.TOWNSHIP},
}


@dataclass(frozen=True)
class OrgInput:
    code: str
    name: str
    level: str
    parent_code: str | None = None
    line: int | None = None  # where the row starts in an imported CSV file


def parse_level(value: str) -> OrgLevel:
    """Return the level named by `value` or raise a UserError listing the levels."""
    try:
        return OrgLevel(value.strip().lower())
    except ValueError:
        raise UserError(N_("org.error.level"), value=value, levels=", ".join(LEVEL_ORDER)) from None


def canonical_code(code: str, level: OrgLevel) -> str:
    """Return the code in its canonical length for the level, accepting 12-digit padded forms."""
    code = code.strip()
    # ASCII digits only: str.isdigit() also takes full-width ０-９ and superscripts, which would
    # store a second, different code for the same place.
    if not (code.isascii() and code.isdigit()):
        raise UserError(N_("org.error.code_digits"), code=code)
    length = CODE_LENGTH[level]
    if len(code) == 12 and length < 12 and set(code[length:]) == {"0"}:
        code = code[:length]
    if len(code) != length:
        raise UserError(N_("org.error.code_length"), code=code, level=level, length=length)
    shape_ok = {
        OrgLevel.PROVINCE: code[2:] == "0000" and code[:2] != "00",
        OrgLevel.CITY: code[4:] == "00" and code[2:4] != "00",
        OrgLevel.COUNTY: code[4:6] != "00",
        OrgLevel.TOWNSHIP: code[6:9] != "000",
        OrgLevel.VILLAGE: code[9:12] != "000",
    }[level]
    if not shape_ok:
        raise UserError(N_("org.error.code_shape"), code=code, level=level)
    return code


def area_prefix(org: OrgUnit) -> str:
    """Return the code prefix shared by the unit and everything under it."""
    return prefix_of(org.code, org.level)


def prefix_of(code: str, level: str) -> str:
    """Return the code prefix shared by a unit of this level and everything under it."""
    return code[: PREFIX_LENGTH[OrgLevel(level)]]


def check_parent(*, level: OrgLevel, code: str, parent: OrgUnit | None) -> None:
    """Refuse a parent at the wrong level or whose code does not contain the child's."""
    allowed = ALLOWED_PARENTS[level]
    if parent is None:
        if allowed:
            raise UserError(N_("org.error.parent_required"), level=level)
        return
    parent_level = OrgLevel(parent.level)
    if parent_level not in allowed:
        raise UserError(
            N_("org.error.parent_level"), level=level, parent=parent.code, parent_level=parent_level
        )
    if not code.startswith(area_prefix(parent)):
        raise UserError(N_("org.error.parent_prefix"), code=code, parent=parent.code)


def add_org(*, session: Session, data: OrgInput, actor: Actor) -> OrgUnit:
    """Validate and store one organisation unit, with an audit row."""
    level = parse_level(data.level)
    code = canonical_code(data.code, level)
    name = data.name.strip()
    if not name or len(name) > 100:
        raise UserError(N_("org.error.name"))
    if queries.get_org(session=session, code=code) is not None:
        raise UserError(N_("org.error.exists"), code=code)
    parent = None
    if data.parent_code:
        parent_code = data.parent_code.strip()
        parent = queries.get_org(session=session, code=parent_code)
        if parent is None:
            raise UserError(N_("org.error.unknown"), code=parent_code)
    check_parent(level=level, code=code, parent=parent)
    org = OrgUnit(
        code=code, name=name, level=level.value, parent_code=parent.code if parent else None
    )
    queries.insert_org(session=session, org=org)
    record_audit(
        session=session,
        actor=actor,
        action="org.add",
        table="org_unit",
        record_id=code,
        new={"code": code, "name": name, "level": level.value, "parent": org.parent_code},
    )
    return org


def read_org_csv(path: Path) -> list[OrgInput]:
    """Read an org CSV with columns code,name,level[,parent]; raise UserError naming the line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(_org_rows(handle))
    except OSError as exc:
        raise UserError(N_("org.error.csv_read"), path=str(path), reason=exc.strerror) from None
    except (UnicodeDecodeError, csv.Error):
        raise UserError(N_("org.error.csv_format"), path=str(path)) from None


def _org_rows(handle: Iterable[str]) -> Iterator[OrgInput]:
    """Yield the rows after the header, each with the line it starts on in the file.

    The reader's `line_num` counts physical lines, so a quoted name that holds a line break
    does not shift the numbers of the lines after it.
    """
    reader = csv.reader(handle)
    names = [name.strip() for name in next(reader, [])]
    missing = {"code", "name", "level"} - set(names)
    if missing:
        raise UserError(N_("org.error.csv_columns"), columns=", ".join(sorted(missing)))
    ended = reader.line_num
    for cells in reader:
        line, ended = ended + 1, reader.line_num
        if not cells:
            continue
        row = dict(zip(names, cells, strict=False))
        for column in ("code", "name", "level", "parent"):
            try:
                refuse_hidden(row.get(column) or "")
            except InvalidAnswer:
                reason = UserError(N_("org.error.hidden"), column=column)
                raise UserError(N_("org.error.csv_line"), line=line, reason=reason) from None
        yield OrgInput(
            code=row.get("code") or "",
            name=tidy(row.get("name") or ""),
            level=row.get("level") or "",
            parent_code=(row.get("parent") or "").strip() or None,
            line=line,
        )


def import_orgs(*, session: Session, rows: Iterable[OrgInput], actor: Actor) -> int:
    """Add every row in one transaction; the first bad row aborts the whole import."""
    count = 0
    for index, row in enumerate(rows, start=2):
        try:
            add_org(session=session, data=row, actor=actor)
        except UserError as exc:
            line = row.line or index
            raise UserError(N_("org.error.csv_line"), line=line, reason=exc) from exc
        count += 1
    return count


def level_allows_role(level: OrgLevel, role: Role) -> bool:
    return level in ROLE_LEVELS[role]


def area_prefix_of(*, session: Session, code: str | None) -> str:
    """Return the area prefix of the unit with this code ("" for everything when no code)."""
    if not code:
        return ""
    org = queries.get_org(session=session, code=code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=code)
    return area_prefix(org)


def list_area(*, session: Session, under: str | None) -> Sequence[OrgUnit]:
    """Return a unit and everything under it (every unit when `under` is empty)."""
    return queries.list_orgs(session=session, prefix=area_prefix_of(session=session, code=under))
