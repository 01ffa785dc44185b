"""Escalation messages as Telegram text and buttons: the whole report, who was told, and what
else was informed. Parameters come from `bot.care.escalation.message`."""

from __future__ import annotations

from typing import Any

from bot.i18n import N_, Translator
from bot.reply import Reply
from bot.telegram.callbacks import ESCALATION, ESCALATION_INFORMED

TITLE = {True: N_("escalation.urgent_title"), False: N_("escalation.title")}
INFORMED_LABEL = {
    "police": N_("ladder.informed.police"),
    "ambulance": N_("ladder.informed.ambulance"),
    "school": N_("ladder.informed.school"),
    "other": N_("ladder.informed.other"),
}
INFORMED_BUTTON = {
    "police": N_("ladder.button.police"),
    "ambulance": N_("ladder.button.ambulance"),
    "school": N_("ladder.button.school"),
    "other": N_("ladder.button.other"),
}


def _who(t: Translator, people: list[list[str]]) -> str:
    return "、".join(
        t.plain("ladder.person_role", name=name, role=t.plain(role)) for role, name in people
    )


def _history(t: Translator, params: dict[str, Any]) -> list[str]:
    lines = []
    for key, role, name, at, note in params.get("history") or []:
        if note in INFORMED_LABEL:
            note = t.plain(INFORMED_LABEL[note])
        elif note.startswith(("escalation.", "ladder.")):
            note = ""  # why it moved is the key of the line above the title, not a note
        lines.append(t(key, at=at, name=name, role=t.plain(role), note=note))
    return [t("ladder.history_title"), *lines] if lines else []


def escalation_summary(t: Translator, params: dict[str, Any]) -> str:
    """The report as its recipient reads it: why it came, the child and where, what was seen
    and done, whom to call, who has been told, and what happened so far."""
    lines = [t(params["reason"])] if params.get("reason") else []
    lines.append(t(TITLE[bool(params["urgent"])], id=params["esc_id"]))
    child = params["child"]
    lines.append(
        t(
            "escalation.child",
            name=child["name"],
            id=child["id"],
            category=t.plain(f"choice.category.{child['category']}"),
            risk=t.plain(f"choice.risk.{child['risk']}"),
        )
    )
    if "village" in child:
        lines.append(
            t(
                "ladder.child_where",
                age=child.get("age", ""),
                village=child["village"],
                address=child.get("address") or "",
            )
        )
    for key in params["situations"]:
        lines.append("🚨 " + t.plain(key))
    if params["note"]:
        lines.append(t("escalation.note", note=params["note"]))
    for category, note in params["problems"]:
        lines.append(t("escalation.problem", category=t.plain(category), note=note))
    if params["measures"]:
        lines.append(t("escalation.measures", measures=params["measures"]))
    people = params.get("people") or []
    if people:
        lines.append(t("ladder.contacts_title"))
        for label, name, phone in people:
            lines.append(t("ladder.contact", who=t.plain(label), name=name, phone=phone or "-"))
    director = params.get("director")
    if director is not None:
        name, phone = director
        lines.append(t("escalation.director", name=name or "", phone=phone or ""))
    if params.get("raised"):
        lines.append(t("ladder.raised_at", at=params["raised"]))
    if params.get("told"):
        lines.append(t("ladder.told", people=_who(t, params["told"])))
    if "acknowledged" in params:
        if params["acknowledged"]:
            lines.append(t("ladder.acknowledged_by", name=params["acknowledged"]))
        else:
            lines.append(t("ladder.not_acknowledged_yet"))
    for kind, at in params.get("informed") or []:
        lines.append(t("ladder.informed_line", what=t.plain(INFORMED_LABEL[kind]), at=at))
    lines.extend(_history(t, params))
    return "\n".join(lines)


def escalation_buttons(
    t: Translator, esc_id: int, urgent: bool = False
) -> list[list[tuple[str, str]]]:
    """Acknowledge and Resolved, then Ask the director; on an urgent report, who else was
    informed (police, ambulance, school, others)."""
    rows = [
        [
            (t.plain("escalation.button.ack"), ESCALATION.encode("ack", esc_id)),
            (t.plain("escalation.button.resolve"), ESCALATION.encode("res", esc_id)),
        ],
        [(t.plain("escalation.button.ask"), ESCALATION.encode("ask", esc_id))],
    ]
    if urgent:
        kinds = list(INFORMED_BUTTON)
        for pair in (kinds[:2], kinds[2:]):
            rows.append(
                [(t.plain(INFORMED_BUTTON[k]), ESCALATION_INFORMED.encode(k, esc_id)) for k in pair]
            )
    return rows


def report(t: Translator, params: dict[str, Any]) -> Reply:
    return Reply(
        escalation_summary(t, params),
        escalation_buttons(t, params["esc_id"], bool(params["urgent"])),
    )


def director_told(t: Translator, params: dict[str, Any]) -> Reply:
    """The director's notice that the report went out, with who received it."""
    text = t(params["key"], **params["values"])
    if params.get("people"):
        text += "\n" + t("ladder.received_by", people=_who(t, params["people"]))
    return Reply(text)


def informed(t: Translator, params: dict[str, Any]) -> Reply:
    """The director's notice that someone recorded who else was informed."""
    what = t.plain(INFORMED_LABEL.get(params["kind"], INFORMED_LABEL["other"]))
    return Reply(
        t("ladder.director_informed", child=params["child"], name=params["name"], what=what)
    )


def rollup(t: Translator, params: dict[str, Any]) -> Reply:
    """A city or province admin's weekly roll-up of their area."""
    return Reply(t("ladder.rollup", **params))


def media(t: Translator, params: dict[str, Any]) -> Reply:
    """The photo and place a director sent after the report went out, for its holders."""
    lines = [t(N_("urgent.media.title"), id=params["id"], name=params["name"])]
    lat, lon = params.get("lat"), params.get("lon")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        # Amap's marker link opens in the map apps people in Fujian use.
        link = f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}"
        lines.append(t(N_("urgent.media.place"), lat=f"{lat:.5f}", lon=f"{lon:.5f}", link=link))
    photo = params.get("photo") or None
    return Reply("\n".join(lines), photo=photo if isinstance(photo, str) else None)
