"""Button data, one codec per prefix: encode and decode, always within Telegram's 64 bytes.

Form presses have their own codec in `bot.forms.callbacks` (draft, version, action, argument).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.settings import SUPPORTED_LOCALES

MAX_BYTES = 64
ID = r"\d{1,12}"


@dataclass(frozen=True)
class Codec:
    """Button data `prefix:part:part…`, each part matching its own pattern."""

    prefix: str
    parts: tuple[str, ...]

    @property
    def pattern(self) -> str:
        """The regular expression a CallbackQueryHandler matches this codec's data with."""
        return "^" + ":".join([re.escape(self.prefix), *(f"({p})" for p in self.parts)]) + "$"

    def encode(self, *values: object) -> str:
        data = ":".join([self.prefix, *(str(v) for v in values)])
        if len(data.encode()) > MAX_BYTES or not re.match(self.pattern, data):
            raise ValueError(f"button data {data!r} does not fit codec {self.prefix}")
        return data

    def decode(self, data: str) -> tuple[str, ...] | None:
        """Read the parts back, or None when the data is not this codec's."""
        match = re.match(self.pattern, data)
        return match.groups() if match else None


ESCALATION = Codec("esc", ("ack|res|ask|reply", ID))
# Who else was informed of an urgent escalation: police (110), ambulance (120), school, others.
ESCALATION_INFORMED = Codec("esi", ("police|ambulance|school|other", ID))
VISIT_START = Codec("vs", (ID,))
VISIT_EDIT = Codec("ve", (ID,))
HELP_GIVEN = Codec("hg", (ID,))  # record help given to the child
CHILDREN = Codec("ch", ("list|card|edit", ID))
SNOOZE = Codec("rz", ("1",))
SPOT_CHECK = Codec("sc", (ID,))  # a sampled file's checklist
TRAINING = Codec("tr", ("ev|tw|tick", ID, r"\d{0,12}"))  # event, township page, tick a person
TASK_DONE = Codec("td", (ID,))
PROGRESS = Codec("pr", (r"\d{6}", r"\d{4}"))  # the progress workbook of an org and year
PRACTICE = Codec("pm", ("side|finish|leave",))
LEDGER_IMPORT = Codec("imp", ("all|part|no", ID))  # the checked import's audit row
LANGUAGE = Codec("lang", ("|".join(map(re.escape, SUPPORTED_LOCALES)),))
# Urgent reports: a child on file, a child not on file in a village, the village (supervisors
# pick it first), and finishing the file an unfiled child's report opened.
URGENT_CHILD = Codec("uc", (ID,))
URGENT_UNFILED = Codec("uu", (ID,))
URGENT_VILLAGE = Codec("uv", (ID,))
URGENT_COMPLETE = Codec("uf", (ID,))
# "export" on a child's card, and "export this area" (an org code) on the statistics screen.
EXPORT = Codec("ex", ("child|area", ID))
# The life of a file (bot/lifecycle/): approve a review, open a returned file, decide a
# transfer, page the closed files; and the buttons that open the close, reopen, return and
# transfer forms (one codec per form, as the form registry wants).
FILES = Codec("fl", ("ok|fix|acc|closed", ID))
CLOSE_FILE = Codec("fc", (ID,))
REOPEN_FILE = Codec("fo", (ID,))
RETURN_FILE = Codec("fr", (ID,))
TRANSFER_FILE = Codec("ft", (ID,))
DECLINE_TRANSFER = Codec("fd", (ID,))
# The statistics screen: view an area, or its chart ("v" or "c", then the unit's code). Any code
# the caller forges is checked against their area when pressed (bot/oversight/figures.py).
STATS = Codec("st", ("v|c", r"\d{2,12}"))
