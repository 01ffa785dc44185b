"""What the file card shows of a file's life: closed, under review, returned; and its buttons."""

from __future__ import annotations

from sqlmodel import Session

from bot.care.children import PAGE_SIZE, ChildPage
from bot.i18n import N_, Translator
from bot.lifecycle.closing import CLOSE_REASONS
from bot.lifecycle.review import PENDING, RETURNED
from bot.people.access import Caller
from bot.reply import Reply
from bot.telegram.callbacks import (
    CHILDREN,
    CLOSE_FILE,
    FILES,
    REOPEN_FILE,
    RETURN_FILE,
    TRANSFER_FILE,
)
from storage import lifecycle_queries
from storage.child_models import Child

UNKNOWN_REASON = N_("lifecycle.close_reason.unknown")
Buttons = list[list[tuple[str, str]]]


def status_lines(child: Child, t: Translator) -> list[str]:
    """The marks a card shows above the file: closed (why, when), pending or returned."""
    lines = []
    if child.closed:
        reason = CLOSE_REASONS.get(child.closed_reason or "", UNKNOWN_REASON)
        closed_on = child.closed_on.isoformat() if child.closed_on else ""
        lines.append(t("lifecycle.card.closed", reason=t.plain(reason), date=closed_on))
    if child.review_state == PENDING:
        lines.append(t("lifecycle.card.pending"))
    elif child.review_state == RETURNED:
        lines.append(t("lifecycle.card.returned", note=child.review_note or ""))
    return lines


def file_buttons(child: Child, t: Translator, *, own_village: bool, reviewer: bool) -> Buttons:
    """Close, transfer or reopen for the village's director; approve or return for a reviewer."""
    rows: Buttons = []
    if own_village and child.closed:
        rows.append([(t.plain("lifecycle.button.reopen"), REOPEN_FILE.encode(child.id))])
    elif own_village:
        if child.review_state == RETURNED:
            rows.append([(t.plain("lifecycle.button.fix"), FILES.encode("fix", child.id))])
        rows.append(
            [
                (t.plain("lifecycle.button.close"), CLOSE_FILE.encode(child.id)),
                (t.plain("lifecycle.button.transfer"), TRANSFER_FILE.encode(child.id)),
            ]
        )
    if reviewer and child.review_state == PENDING:
        rows.append(review_buttons(t, child.id or 0))
    return rows


def review_buttons(t: Translator, child_id: int) -> list[tuple[str, str]]:
    return [
        (t.plain("lifecycle.button.approve"), FILES.encode("ok", child_id)),
        (t.plain("lifecycle.button.return"), RETURN_FILE.encode(child_id)),
    ]


def closed_files_button(t: Translator) -> list[tuple[str, str]]:
    """The list's way to the area's closed files, which the open list leaves out."""
    return [(t.plain("lifecycle.button.closed_files"), FILES.encode("closed", 0))]


def closed_list_reply(page: ChildPage, t: Translator) -> Reply:
    """One page of the area's closed files, a button each opening its card."""
    if not page.children:
        return Reply(t("lifecycle.closed.none"))
    rows: Buttons = [
        [
            (
                t.plain(
                    "lifecycle.closed.item",
                    name=c.name,
                    reason=t.plain(CLOSE_REASONS.get(c.closed_reason or "", UNKNOWN_REASON)),
                ),
                CHILDREN.encode("card", c.id),
            )
        ]
        for c in page.children
    ]
    paging = []
    if page.page > 0:
        paging.append((t.plain("children.previous"), FILES.encode("closed", page.page - 1)))
    if page.page + 1 < page.pages:
        paging.append((t.plain("children.next"), FILES.encode("closed", page.page + 1)))
    if paging:
        rows.append(paging)
    return Reply(t("lifecycle.closed.title", page=page.page + 1, pages=page.pages), rows)


def list_closed(*, session: Session, caller: Caller, page: int) -> ChildPage:
    """One page of the closed files in the caller's area: they stay findable by its staff."""
    page = max(page, 0)
    children, total = lifecycle_queries.closed_in_area(
        session=session, area_prefix=caller.area_prefix, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    return ChildPage(children, page, max(1, -(-total // PAGE_SIZE)))
