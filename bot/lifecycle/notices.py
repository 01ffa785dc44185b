"""How the lifecycle's notifications read, rendered at send time (bot.notify.render's table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.i18n import N_
from bot.reply import Reply
from bot.telegram.callbacks import CHILDREN, CLOSE_FILE, DECLINE_TRANSFER, FILES, RETURN_FILE

if TYPE_CHECKING:
    from bot.notify.render import Renderer

REVIEW_TITLE = {"new": N_("lifecycle.review.new_title"), "edit": N_("lifecycle.review.edit_title")}
TRANSFER_TITLE = {
    "push": N_("lifecycle.transfer.push_title"),
    "pull": N_("lifecycle.transfer.pull_title"),
}


def _review(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    child_id = params["child_id"]
    text = t(
        REVIEW_TITLE[params["kind"]],
        name=params["name"],
        id=params["id"],
        village=params["village"],
        category=t.plain(f"choice.category.{params['category']}"),
        risk=t.plain(f"choice.risk.{params['risk']}"),
        director=params["director"],
    )
    return Reply(
        text,
        [
            [
                (t.plain("lifecycle.button.approve"), FILES.encode("ok", child_id)),
                (t.plain("lifecycle.button.return"), RETURN_FILE.encode(child_id)),
            ],
            [(t.plain("lifecycle.button.card"), CHILDREN.encode("card", child_id))],
        ],
    )


def _returned(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    return Reply(
        t("lifecycle.review.returned_notice", name=params["name"], note=params["note"]),
        [[(t.plain("lifecycle.button.fix"), FILES.encode("fix", params["child_id"]))]],
    )


def _transfer(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    transfer_id = params["transfer_id"]
    lines = [
        t(
            TRANSFER_TITLE[params["direction"]],
            name=params["name"],
            origin=params["from"],
            target=params["to"],
        )
    ]
    if params.get("note"):
        lines.append(t("lifecycle.transfer.note", note=params["note"]))
    return Reply(
        "\n".join(lines),
        [
            [
                (t.plain("lifecycle.button.accept"), FILES.encode("acc", transfer_id)),
                (t.plain("lifecycle.button.decline"), DECLINE_TRANSFER.encode(transfer_id)),
            ]
        ],
    )


def _aged(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    child_id = params["child_id"]
    return Reply(
        t(
            "lifecycle.aged.prompt",
            name=params["name"],
            age=params["age"],
            category=t.plain(f"choice.category.{params['category']}"),
        ),
        [
            [
                (t.plain("lifecycle.button.close"), CLOSE_FILE.encode(child_id)),
                (t.plain("lifecycle.button.recategorise"), CHILDREN.encode("edit", child_id)),
            ]
        ],
    )


def _unqualified(renderer: Renderer, locale: str | None, params: dict[str, Any]) -> Reply:
    t = renderer.i18n.translator(locale)
    child_id = params["child_id"]
    return Reply(
        t(
            "lifecycle.unqualified.prompt",
            name=params["name"],
            category=t.plain(f"choice.category.{params['category']}"),
        ),
        [
            [
                (t.plain("lifecycle.button.close"), CLOSE_FILE.encode(child_id)),
                (t.plain("lifecycle.button.recategorise"), CHILDREN.encode("edit", child_id)),
            ]
        ],
    )


RENDERERS: dict[str, Callable[[Renderer, str | None, dict[str, Any]], Reply]] = {
    "lifecycle.review": _review,
    "lifecycle.returned": _returned,
    "lifecycle.transfer": _transfer,
    "lifecycle.aged": _aged,
    "lifecycle.unqualified": _unqualified,
}
