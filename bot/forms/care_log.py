"""Help given to a child and the director's work log (section 8's 关爱帮扶记录 and 工作日志)."""

from __future__ import annotations

from typing import Any

from bot.errors import InvalidAnswer
from bot.forms.binding import to_date
from bot.forms.conditions import Answers
from bot.forms.family import choices
from bot.forms.model import Field, Form, section
from bot.forms.rules import none_is_exclusive
from bot.i18n import N_

HELP_KINDS = ("material", "study", "health", "psychological", "referral")


def offered_children_only(value: Any, answers: Answers) -> None:
    """Refuse a pick that is not one of the buttons offered (a forged press)."""
    none_is_exclusive(value, answers)
    offered = {str(child_id) for child_id, _ in answers.get("_children") or []}
    if any(v != "none" and v not in offered for v in value or []):
        raise InvalidAnswer(N_("error.choice.use_buttons"))


# Opened from the child's card: the child is known from the start.
HELP = Form(
    name="help_given",
    title=N_("help.title"),
    context=("_child", "_child_name"),
    saved=N_("help.saved"),
    sections=(
        section(
            "help",
            N_("help.section"),
            Field(
                "kind",
                "choice",
                N_("help.kind"),
                bind="help_given.kind",
                choices=choices("choice.help", *HELP_KINDS),
                label_values=lambda a, _t: {"name": a.get("_child_name", "")},
            ),
            Field(
                "given_by",
                "text",
                N_("help.given_by"),
                bind="help_given.given_by",
                options={"max_length": 100},
            ),
            Field(
                "given_on",
                "date",
                N_("help.given_on"),
                bind="help_given.given_on",
                to_column=to_date,
            ),
            Field(
                "note",
                "long_text",
                N_("help.note"),
                bind="help_given.note",
                required=False,
                options={"max_length": 500},
            ),
        ),
    ),
)

# From the menu or /log: what the director did on a day, and for which of the village's
# children (offered as buttons, from the answers the form starts with).
WORK_LOG = Form(
    name="work_log",
    title=N_("worklog.title"),
    context=("_children",),
    saved=N_("worklog.saved"),
    sections=(
        section(
            "entry",
            N_("worklog.section"),
            Field(
                "done_on",
                "date",
                N_("worklog.done_on"),
                bind="work_log.done_on",
                to_column=to_date,
            ),
            Field(
                "what",
                "long_text",
                N_("worklog.what"),
                bind="work_log.what",
                options={"max_length": 1000},
            ),
            Field(
                "children",
                "pick_many",
                N_("worklog.children"),
                validator=offered_children_only,
                options={"from": "_children", "none_label": N_("worklog.no_child")},
            ),
        ),
    ),
)
