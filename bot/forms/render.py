"""Turn a screen into messages: question text and buttons, or the review summary in parts."""

from __future__ import annotations

import html

from bot.forms import callbacks
from bot.forms.engine import FormState, relevant_answers
from bot.forms.model import Field, Form
from bot.forms.registry import get_form
from bot.forms.service import Screen
from bot.forms.types import FIELD_TYPES, SKIP, ParseContext, max_length, render_answer
from bot.i18n import N_, Translator
from bot.reply import Reply
from bot.telegram.chat_text import split_messages


def label_of(f: Field, answers: dict[str, object], t: Translator) -> str:
    values = f.label_values(answers, t) if f.label_values else {}
    return t.plain(f.label, **values)


def _question(screen: Screen, form: Form, t: Translator, today: object) -> list[Reply]:
    state = screen.state
    assert state is not None
    f = form.field(state.current)

    def data(action: str, arg: str = "") -> str:
        return callbacks.encode(screen.draft_id, state.version, action, arg)

    lines = []
    last = state.history[-1] if state.history else None
    previous = next((p for p in form.fields if p.name == last), None)
    if previous is not None and previous.name in state.answers and previous.name != f.name:
        # The pressed question gives way to this one, so the answer just given is echoed here.
        given = render_answer(previous, state.answers[previous.name], t, state.answers)
        lines.append(
            t("form.previous_answer", label=label_of(previous, state.answers, t), value=given)
        )
    if screen.error is not None:
        lines.append("⚠️ " + screen.error.render(t))
    section = form.section_of(f.name)
    lines.append(f"<b>{html.escape(t.plain(section.label))}</b>")
    label = label_of(f, state.answers, t)
    field_type = FIELD_TYPES[f.type]
    lines.append(t(field_type.prompt, label=label))
    limit = max_length(f)
    if limit is not None:
        lines.append(t("form.hint.max_length", limit=limit))
    answered = f.name in state.answers
    collecting = field_type.accepts == "media"
    if answered and collecting and state.answers[f.name]:
        lines.append(t("form.media_received", value=render_answer(f, state.answers[f.name], t)))
    elif answered and not field_type.multi:
        lines.append(t("form.current_answer", value=render_answer(f, state.answers[f.name], t)))
    context = ParseContext(today=today, answers=dict(state.answers))  # type: ignore[arg-type]
    value = list(state.working) or state.answers.get(f.name)
    rows = [
        [(b.label, data(b.action, b.arg)) for b in row]
        for row in field_type.buttons(f, value, t, context)
    ]
    extra = []
    if answered and not field_type.multi and not collecting:
        extra.append((t.plain("form.button.keep"), data("keep")))
    if not f.required and not (collecting and state.answers.get(f.name)):
        extra.append((t.plain(f.options.get("skip_label", SKIP)), data("skip")))
    if extra:
        rows.append(extra)
    navigation = [(t.plain("form.button.cancel"), data("cancel"))]
    if state.history:
        navigation.insert(0, (t.plain("form.button.back"), data("back")))
    rows.append(navigation)
    return [Reply("\n".join(lines), rows)]


def review_blocks(form: Form, answers: dict[str, object], t: Translator) -> list[str]:
    """The answers grouped by section, personal numbers masked, one block per section."""
    kept = relevant_answers(form, dict(answers))
    blocks = []
    for section in form.sections:
        lines = [
            t(
                "form.review_line",
                label=label_of(f, kept, t),
                value=render_answer(f, kept[f.name], t, kept),
            )
            for f in section.fields
            if f.name in kept and not f.options.get("hide_in_review")
        ]
        if lines:
            blocks.append(f"<b>{html.escape(t.plain(section.label))}</b>\n" + "\n".join(lines))
    return blocks


def _brief_review(screen: Screen, form: Form, t: Translator) -> list[Reply]:
    """A one-question form's review: the answer as it will be saved, asked once."""
    state = screen.state
    assert state is not None

    def data(action: str, arg: str = "") -> str:
        return callbacks.encode(screen.draft_id, state.version, action, arg)

    (only,) = form.fields
    lines = []
    if screen.error is not None:
        lines.append("⚠️ " + screen.error.render(t))
    lines.append(
        t(
            "form.brief_review",
            title=t.plain(form.title),
            label=label_of(only, state.answers, t),
            value=render_answer(only, state.answers.get(only.name), t),
        )
    )
    rows = [
        [
            (t.plain("form.button.save"), data("save")),
            (t.plain("form.button.change"), data("fix", "0")),
            (t.plain("form.button.cancel"), data("cancel")),
        ]
    ]
    return [Reply("\n".join(lines), rows)]


def _review(screen: Screen, form: Form, t: Translator) -> list[Reply]:
    state = screen.state
    assert state is not None
    if form.brief_review:
        return _brief_review(screen, form, t)

    def data(action: str, arg: str = "") -> str:
        return callbacks.encode(screen.draft_id, state.version, action, arg)

    header = t("form.review_title", title=t.plain(form.title))
    messages = split_messages([header, *review_blocks(form, state.answers, t)])
    footer: list[str] = []
    rows: list[list[tuple[str, str]]] = []
    if screen.error is not None:
        footer.append("⚠️ " + screen.error.render(t))
    field_names = [f.name for f in form.fields]
    kept = relevant_answers(form, state.answers)
    for problem in screen.problems:
        footer.append(("⚠️ " if problem.warning else "❌ ") + t(problem.key, **problem.values))
        if problem.action:
            rows.append([(t.plain(problem.action_label), data(problem.action))])
        for name in problem.fields:
            f = form.field(name)
            if f.applies(kept):
                rows.append(
                    [
                        (
                            t.plain("form.button.fix", label=label_of(f, kept, t)),
                            data("fix", str(field_names.index(name))),
                        )
                    ]
                )
    sections = [
        (t.plain("form.button.section", section=t.plain(s.label)), data("section", str(i)))
        for i, s in enumerate(form.sections)
        if any(f.applies(kept) for f in s.fields)
    ]
    rows.extend(sections[i : i + 2] for i in range(0, len(sections), 2))
    blocking = any(not p.warning for p in screen.problems)
    if not blocking:
        action = "confirm" if screen.problems else "save"
        label = N_("form.button.save_anyway") if screen.problems else N_("form.button.save")
        rows.append([(t.plain(label), data(action))])
    rows.append(
        [
            (t.plain("form.button.back"), data("back")),
            (t.plain("form.button.cancel"), data("cancel")),
        ]
    )
    footer.append(t("form.review_hint") if not screen.problems else t("form.review_fix_hint"))
    replies = [Reply(text) for text in messages]
    replies.append(Reply("\n".join(footer), rows))
    return replies


def _offer_to_continue(screen: Screen, form: Form, state: FormState, t: Translator) -> Reply:
    """Where an open draft stands, with Continue and (resume offer) Restart or (paused) Drop."""
    where = (
        t.plain("form.at_review")
        if state.in_review
        else label_of(form.field(state.current), state.answers, t)
    )
    if screen.kind == "paused":
        # Drop asks first, as Cancel does: a long draft is not lost to a slip.
        key, other = N_("form.paused"), (t.plain("form.button.drop"), "cancel")
    else:
        key, other = N_("form.resume_offer"), (t.plain("form.button.restart"), "restart")
    version = state.version
    return Reply(
        t(key, title=t.plain(form.title), question=where),
        [
            [
                (
                    t.plain("form.button.resume"),
                    callbacks.encode(screen.draft_id, version, "resume"),
                ),
                (other[0], callbacks.encode(screen.draft_id, version, other[1])),
            ]
        ],
    )


def render_screen(screen: Screen, t: Translator, today: object) -> list[Reply]:
    """Render any form screen in the user's language."""
    form = get_form(screen.form) if screen.form else None
    notice = [Reply(t(screen.info["notice"]))] if screen.info.get("notice") else []
    if screen.kind == "question" and form is not None:
        return [*notice, *_question(screen, form, t, today)]
    if screen.kind == "review" and form is not None:
        return [*notice, *_review(screen, form, t)]
    state = screen.state
    version = state.version if state else 0
    if screen.kind in ("resume_offer", "paused") and form is not None and state is not None:
        return [_offer_to_continue(screen, form, state, t)]
    if screen.kind == "cancel_confirm":
        return [
            Reply(
                t("form.cancel_confirm"),
                [
                    [
                        (
                            t.plain("form.button.discard"),
                            callbacks.encode(screen.draft_id, version, "discard"),
                        ),
                        (
                            t.plain("form.button.continue"),
                            callbacks.encode(screen.draft_id, version, "resume"),
                        ),
                    ]
                ],
            )
        ]
    if screen.kind == "saved" and form is not None:
        return [Reply(t(form.saved, name=screen.info.get("name", "")))]
    if screen.kind == "cancelled":
        return [Reply(t("form.cancelled"))]
    return [Reply(t("form.none"))]
