"""The child's file card and the list of files, as text and buttons."""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.care.children import ChildFile, ChildPage, answers_of
from bot.exports.buttons import export_child_button
from bot.forms.intake import INTAKE
from bot.forms.render import review_blocks, split_messages
from bot.forms.rules import SEX_LABEL
from bot.i18n import N_, Translator
from bot.lifecycle.card import closed_files_button, file_buttons, status_lines
from bot.personal import mask_id_number
from bot.reply import Reply
from bot.telegram.callbacks import CHILDREN, HELP_GIVEN, URGENT_COMPLETE, VISIT_EDIT, VISIT_START

CATEGORY = {
    "left_behind": N_("choice.category.left_behind"),
    "difficulty": N_("choice.category.difficulty"),
    "pending": N_("choice.category.pending"),  # a file an urgent report opened, to complete
}
RISK = {
    "low": N_("choice.risk.low"),
    "medium": N_("choice.risk.medium"),
    "high": N_("choice.risk.high"),
}


def list_reply(page: ChildPage, t: Translator) -> Reply:
    """One page of children, a button each, with paging buttons."""
    if not page.children:
        return Reply(t("children.none"), [closed_files_button(t)])
    rows = [
        [
            (
                t.plain(
                    "children.item",
                    name=c.name,
                    risk=t.plain(RISK.get(c.risk_tier, "")),
                    id=mask_id_number(c.id_number),
                ),
                CHILDREN.encode("card", c.id),
            )
        ]
        for c in page.children
    ]
    paging = []
    if page.page > 0:
        paging.append((t.plain("children.previous"), CHILDREN.encode("list", page.page - 1)))
    if page.page + 1 < page.pages:
        paging.append((t.plain("children.next"), CHILDREN.encode("list", page.page + 1)))
    if paging:
        rows.append(paging)
    rows.append(closed_files_button(t))
    return Reply(t("children.title", page=page.page + 1, pages=page.pages), rows)


def history_block(file: ChildFile, t: Translator) -> str:
    """The latest visits, newest first."""
    if not file.visits:
        return t("children.no_visits")
    lines = [t("children.history_title")]
    for visit in file.visits:
        problems = "、".join(t.plain(f"choice.problem.{p}") for p in visit.problems)
        if visit.outcome == "nobody_home":
            lines.append(
                t(
                    "children.history_nobody_home",
                    date=visit.visited_on.isoformat(),
                    kind=t.plain(f"choice.visit_kind.{visit.kind}"),
                )
            )
            continue
        lines.append(
            t(
                "children.history_line",
                date=visit.visited_on.isoformat(),
                kind=t.plain(f"choice.visit_kind.{visit.kind}"),
                problems=problems or t.plain("choice.problem.none"),
                marks=("🚨" if visit.urgent else "") + ("📋" if visit.flagged else ""),
            )
        )
    return "\n".join(lines)


INFORMED = {
    "police": N_("ladder.informed.police"),
    "ambulance": N_("ladder.informed.ambulance"),
    "school": N_("ladder.informed.school"),
    "other": N_("ladder.informed.other"),
}


def informed_block(file: ChildFile, t: Translator) -> list[str]:
    """Who else was informed of the child's urgent reports (police, ambulance, …), and when."""
    if not file.informed:
        return []
    lines = [t("ladder.card.informed_title")]
    for esc_id, kind, at in file.informed:
        what = t.plain(INFORMED.get(kind, INFORMED["other"]))
        lines.append(
            t(
                "ladder.card.informed_line",
                id=esc_id,
                what=what,
                at=at.isoformat(timespec="minutes"),
            )
        )
    return ["\n".join(lines)]


def care_log_block(file: ChildFile, t: Translator) -> str:
    """Help given and the work log naming the child: the file's "problems and solutions"."""
    lines = [t("children.help_title")]
    lines.extend(
        t(
            "children.help_line",
            date=h.given_on.isoformat(),
            kind=t.plain(f"choice.help.{h.kind}"),
            by=h.given_by,
            note=h.note or "",
        )
        for h in file.help
    )
    if not file.help:
        lines.append(t("children.help_none"))
    lines.append(t("children.work_log_title"))
    lines.extend(
        t("children.work_log_line", date=w.done_on.isoformat(), what=w.what) for w in file.work_log
    )
    if not file.work_log:
        lines.append(t("children.work_log_none"))
    return "\n".join(lines)


def card_replies(
    file: ChildFile,
    t: Translator,
    editable: bool,
    editable_visits: Sequence[int] = (),
    exportable: bool = False,
    *,
    own_village: bool = False,
    reviewer: bool = False,
) -> list[Reply]:
    """The whole file and its visits, numbers masked, split to fit; actions for those who may."""
    child = file.child
    header = t(
        "children.card_title",
        name=child.name,
        village=file.village_name,
        category=t.plain(CATEGORY.get(child.category, child.category)),
        risk=t.plain(RISK.get(child.risk_tier, child.risk_tier)),
        filed=child.filed_at.date().isoformat(),
        sex=t.plain(SEX_LABEL.get(child.sex, child.sex)),
        birth_date=child.birth_date.isoformat(),
    )
    # Closed, under review or returned (bot.lifecycle): said first, under the name.
    header = "\n".join([header, *status_lines(child, t)])
    blocks = [
        header,
        *review_blocks(INTAKE, answers_of(file), t),
        history_block(file, t),
        *informed_block(file, t),
        care_log_block(file, t),
    ]
    replies = [Reply(text) for text in split_messages(blocks)]
    buttons = []
    if editable:
        # A file an urgent report opened is finished through the intake, not edited.
        edit = (
            (t.plain("urgent.button.complete"), URGENT_COMPLETE.encode(child.id))
            if child.placeholder
            else (t.plain("children.edit"), CHILDREN.encode("edit", child.id))
        )
        buttons.append(
            [
                edit,
                (t.plain("children.visit"), VISIT_START.encode(child.id)),
            ]
        )
        buttons.append([(t.plain("children.help_given"), HELP_GIVEN.encode(child.id))])
    buttons.extend(file_buttons(child, t, own_village=own_village, reviewer=reviewer))
    buttons.extend(
        [(t.plain("children.edit_visit", date=v.visited_on.isoformat()), VISIT_EDIT.encode(v.id))]
        for v in file.visits
        if v.id in editable_visits
    )
    if exportable and child.id is not None:
        buttons.append([export_child_button(t, child.id)])
    buttons.append([(t.plain("children.back_to_list"), CHILDREN.encode("list", 0))])
    replies.append(Reply(html.escape(t.plain("children.card_actions")), buttons))
    return replies
