"""How the county's notifications read when sent: tasks from a spot check, deadline reminders.

Registered in bot/notify/render.py's table; parameters are JSON data, rendered per locale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.i18n import N_, Translator
from bot.reply import Reply
from bot.telegram.callbacks import PROGRESS

if TYPE_CHECKING:
    from bot.notify.render import Renderer

ITEM_LABELS = {
    "basic_info": N_("spotcheck.short.basic_info"),
    "visits": N_("spotcheck.short.visits"),
    "records": N_("spotcheck.short.records"),
    "follow_up": N_("spotcheck.short.follow_up"),
    "privacy": N_("spotcheck.short.privacy"),
}
DEADLINES = {
    "spot_check": N_("deadline.spot_check"),
    "progress": N_("deadline.progress"),
}


def item_label(t: Translator, item: str) -> str:
    return t(ITEM_LABELS[item]) if item in ITEM_LABELS else item


def spot_check_tasks(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    lines = [t("spotcheck.tasks_notice", child=params["child"], year=params["year"])]
    for item, note in params["tasks"]:
        lines.append(t("spotcheck.task_line", item=item_label(t, item), note=note))
    lines.append(t("spotcheck.tasks_hint"))
    return Reply("\n".join(lines))


def deadline_reminder(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    figures = params["figures"]
    lines = [
        t(DEADLINES[params["deadline"]], due=params["due"], days=params["days"], org=params["org"]),
        t(
            "deadline.figures",
            files=figures["files"],
            done=figures["visits_done"],
            required=figures["visits_required"],
            escalations=figures["escalations"],
            trained=figures["trained"],
            staff=figures["staff"],
            without=figures["without_director"],
            checked=figures["checked"],
            sampled=figures["sampled"],
        ),
    ]
    button = (t.plain("deadline.button.workbook"), PROGRESS.encode(params["org"], params["year"]))
    return Reply("\n".join(lines), [[button]])
