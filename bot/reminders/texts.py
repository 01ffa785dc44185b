"""The reminder texts of one locale, looked up once and reused for every line of a digest."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from bot.i18n import N_, Translator
from bot.reply import Buttons, Reply
from bot.telegram.callbacks import SNOOZE, VISIT_START

KIND_LABEL = {"contact": N_("reminder.kind.contact"), "home_visit": N_("reminder.kind.visit")}
SNOOZE_DATA = SNOOZE.encode("1")
# "vs:" as the codec writes it: a child id from the database always fits its pattern, so the
# data of each of a sweep's many buttons is this head and the id, with no pattern match.
VISIT_HEAD = VISIT_START.encode(0)[:-1]
# Stands in for a value (mostly a child's name) while a text is formatted: the formatted text is
# split around it once, and each use is then the parts joined with the value, with no lookup.
SLOT = "\x00"

LineParts = list[str]


# What `escape` does, as a table for str.translate.
HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escaped_all(names: Sequence[str]) -> Sequence[str]:
    """Names HTML-escaped; when none needs it (nearly always), the same list, at one C call."""
    joined = "".join(names)
    if "&" in joined or "<" in joined or ">" in joined:
        return [name.translate(HTML_ESCAPES) for name in names]
    return names


def escape(value: str) -> str:
    """HTML-escape a value as the Translator does, without the work when nothing needs it."""
    if "&" in value or "<" in value or ">" in value:
        return html.escape(value, quote=False)
    return value


def fill(parts: LineParts, name: str) -> str:
    """Put a child's name into a line split at its name slot; the name is HTML-escaped."""
    return escape(name).join(parts)


class ShapeMemo(dict[tuple[Any, ...], LineParts]):
    """Line parts by shape, each made once; a process keeps at most a few thousand shapes."""

    def __init__(self, make: Callable[[str, str, int], LineParts]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, shape: tuple[Any, ...]) -> LineParts:
        if len(self) > 10_000:  # dates move on: a long-running bot must not keep them all
            self.clear()
        parts = self[shape] = self._make(*shape)
        return parts


class ReminderTexts:
    """Reminder texts of one locale: every catalog lookup the sweep would repeat, done once.

    Texts come from the Translator itself, so they are byte for byte what it would give.
    """

    def __init__(self, t: Translator) -> None:
        self.t = t
        self._kinds = {kind: t.plain(label) for kind, label in KIND_LABEL.items()}
        self.button = t.plain("reminder.visit_button", name=SLOT).split(SLOT)
        self.snooze_button = (t.plain("reminder.snooze"), SNOOZE_DATA)
        self._titles = {
            kind: t(key, count=SLOT).split(SLOT)
            for kind, key in (
                ("director", N_("reminder.director_title")),
                ("overdue", N_("reminder.overdue_title")),
                ("county", N_("reminder.county_title")),
                ("unsupervised", N_("ladder.unsupervised_title")),
            )
        }
        self._village = t("reminder.village", village=SLOT).split(SLOT)
        # Line shapes as a digest's parameters give them, (kind, ISO date, number) tuples,
        # each formatted once: looked up as `director_shapes[shape]`, a plain dict lookup.
        self.director_shapes: ShapeMemo = ShapeMemo(self.director_shape)
        self.overdue_shapes: ShapeMemo = ShapeMemo(self.overdue_shape)

    def title(self, kind: str, children: int) -> str:
        """The heading of a director's digest, a supervisor's ("overdue") or an admin's
        ("county") alert."""
        return str(children).join(self._titles[kind])

    def director_line(self, kind: str, due: date, days_overdue: int) -> LineParts:
        """A director's line for one due visit, split at the child's name (see `fill`)."""
        key = N_("reminder.overdue_line") if days_overdue else N_("reminder.due_line")
        line = self.t(
            key, name=SLOT, kind=self._kinds[kind], due=due.isoformat(), days=days_overdue
        )
        return line.split(SLOT)

    def stale_draft(self, title_key: str) -> str:
        return self.t("reminder.stale_draft", title=self.t.plain(title_key))

    def village(self, name: str) -> str:
        return fill(self._village, name)

    def overdue_line(self, kind: str, due: date, missed_periods: int) -> LineParts:
        """A supervisor's line for one missed visit, split at the child's name (see `fill`)."""
        line = self.t(
            "reminder.overdue_child",
            name=SLOT,
            kind=self._kinds[kind],
            due=due.isoformat(),
            periods=missed_periods,
        )
        return line.split(SLOT)

    def director_shape(self, kind: str, due: str, days_overdue: int) -> LineParts:
        """`director_line` for a shape stored as (kind, ISO date, days)."""
        return self.director_line(kind, date.fromisoformat(due), days_overdue)

    def overdue_shape(self, kind: str, due: str, missed_periods: int) -> LineParts:
        """`overdue_line` for a shape stored as (kind, ISO date, periods)."""
        return self.overdue_line(kind, date.fromisoformat(due), missed_periods)


def director_text(
    texts: ReminderTexts,
    children: int,
    lines: Iterable[str],
    stale_titles: Iterable[str],
    no_id: Iterable[str] = (),
) -> str:
    """A director's digest: the heading, a line per due visit, then any forgotten drafts and
    the children still without an ID number (the heading only when visits are due)."""
    stale = [texts.stale_draft(title) for title in stale_titles]
    missing = [texts.t("reminder.no_id", name=name) for name in no_id]
    heading = [texts.title("director", children)] if children or not missing else []
    return "\n".join([*heading, *lines, *stale, *missing])


def visit_buttons(texts: ReminderTexts, children: dict[int, str]) -> Buttons:
    """One "report a visit" button per child (id → name, most urgent first)."""
    button, head = texts.button, VISIT_HEAD
    return [[(name.join(button), f"{head}{child_id}")] for child_id, name in children.items()]


def director_digest(texts: ReminderTexts, params: dict[str, Any]) -> Reply:
    """A director's digest from its parameters: `shapes` [kind, due, days overdue], then for
    each line, most urgent first, `line_shapes`, `child_ids` and `names`; `stale` titles of
    forgotten drafts."""
    memo = texts.director_shapes  # shapes read back from JSON are lists: made tuples to look up
    parts = [memo[tuple(shape)] for shape in params["shapes"]]
    names = params["names"]
    shown = escaped_all(names)
    body = [
        name.join(parts[shape]) for shape, name in zip(params["line_shapes"], shown, strict=True)
    ]
    children = dict(zip(params["child_ids"], names, strict=True))  # in order of first mention
    buttons = visit_buttons(texts, children)
    buttons.append([texts.snooze_button])
    no_id = params.get("no_id", ())
    return Reply(director_text(texts, len(children), body, params["stale"], no_id), buttons)


def overdue_alert(texts: ReminderTexts, kind: str, params: dict[str, Any]) -> Reply:
    """A supervisor's ("overdue") or admin's ("county") alert from its parameters: `shapes`
    [kind, due, missed periods], `villages` [name, line shapes, child names], `children`."""
    memo = texts.overdue_shapes
    parts = [memo[tuple(shape)] for shape in params["shapes"]]
    lines = [texts.title(kind, params["children"])]
    for village, line_shapes, names in params["villages"]:
        lines.append(texts.village(village))
        shown = escaped_all(names)
        lines += [name.join(parts[shape]) for shape, name in zip(line_shapes, shown, strict=True)]
    return Reply("\n".join(lines))
