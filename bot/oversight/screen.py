"""The statistics screen: the figures as text (monospace tables), its buttons, and its chart.

Texts come from the catalog (stats.po); unit names come from the org tree and are escaped. The
tables are padded by display width, a Chinese character taking two columns, so they line up
in Telegram's monospace blocks.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence

from bot.exports.buttons import export_area_button
from bot.i18n import N_, Translator
from bot.oversight.chart import MAX_UNITS, ChartData, UnitBar
from bot.oversight.figures import AGE_LIMITS, CATEGORIES, TIERS, AreaFigures, Ratio, UnitFigures
from bot.people.roles import Action, may
from bot.reply import Buttons, Reply
from bot.telegram.callbacks import STATS

NAME_WIDTH = 12  # display columns of a unit's name in a table (six Chinese characters)
UNITS_PER_ROW = 3
MAX_UNIT_BUTTONS = 90  # Telegram takes 100 buttons in a keyboard; the rest stay in the tables
LEVEL_KEYS = {
    "township": N_("stats.level.township"),
    "county": N_("stats.level.county"),
    "city": N_("stats.level.city"),
    "province": N_("stats.level.province"),
}
AGE_KEYS = (
    N_("stats.age.day"),
    N_("stats.age.three_days"),
    N_("stats.age.week"),
    N_("stats.age.older"),
)
assert len(AGE_KEYS) == len(AGE_LIMITS) + 1
TIER_COLUMNS = (N_("stats.col.low"), N_("stats.col.medium"), N_("stats.col.high"))
assert len(TIER_COLUMNS) == len(TIERS)


def width(text: str) -> int:
    """Display columns of a text: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, columns: int) -> str:
    """Cut a text to `columns` display columns (with an ellipsis) and pad it to them."""
    if width(text) > columns:
        while width(text) > columns - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (columns - width(text))


def ratio_text(ratio: Ratio) -> str:
    return "-" if ratio.percent is None else f"{ratio.percent}% {ratio.done}/{ratio.required}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A monospace table, names left and numbers right, as one escaped <pre> block."""
    columns = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    columns[0] = min(columns[0], NAME_WIDTH)
    lines = []
    for row in [header, *rows]:
        cells = [fit(row[0], columns[0])]
        cells += [" " * (columns[i] - width(row[i])) + row[i] for i in range(1, len(row))]
        lines.append(" ".join(cells).rstrip())
    return "<pre>" + html.escape("\n".join(lines), quote=False) + "</pre>"


def _summary(t: Translator, figures: AreaFigures) -> list[str]:
    total = figures.total
    lines = [
        t("stats.title", area=figures.name, today=figures.today.isoformat()),
        t(
            "stats.children",
            children=total.children,
            left_behind=total.categories.get(CATEGORIES[0], 0),
            difficulty=total.categories.get(CATEGORIES[1], 0),
        ),
    ]
    if total.difficulties:
        kinds = t.plain("stats.separator").join(
            f"{t.plain(f'choice.difficulty.{kind}')} {n}"
            for kind, n in sorted(total.difficulties.items(), key=lambda item: -item[1])
        )
        lines.append(t("stats.difficulties", kinds=kinds))
    lines.append(
        t(
            "stats.tiers",
            low=total.tiers.get(TIERS[0], 0),
            medium=total.tiers.get(TIERS[1], 0),
            high=total.tiers.get(TIERS[2], 0),
        )
    )
    lines.append(
        t("stats.compliance", month=ratio_text(total.month), quarter=ratio_text(total.quarter))
    )
    lines.append(t("stats.overdue", count=total.overdue))
    lines.append(t("stats.drafts", count=total.drafts))
    lines.append(t("stats.reviews", pending=total.pending_review, returned=total.returned))
    lines.append(
        t(
            "stats.directors",
            directors=total.directors,
            villages=total.villages,
            without=total.without_director,
            overloaded=total.overloaded,
        )
    )
    lines.append(
        t(
            "stats.training",
            year=figures.today.year,
            ratio=ratio_text(Ratio(total.trained, total.to_train)),
        )
    )
    return lines


def _escalation_lines(t: Translator, figures: AreaFigures) -> list[str]:
    rows = [
        [t.plain(LEVEL_KEYS[level]), *map(str, counts)]
        for level, counts in figures.escalations.items()
        if level in LEVEL_KEYS and any(counts)
    ]
    if not rows:
        return [t("stats.escalations.none")]
    header = [t.plain("stats.col.level"), *(t.plain(key) for key in AGE_KEYS)]
    return [t("stats.escalations"), table(header, rows)]


def _unit_tables(t: Translator, units: list[UnitFigures]) -> list[str]:
    visits = [
        [
            u.name,
            str(u.children),
            ratio_text(u.month),
            ratio_text(u.quarter),
            str(u.overdue),
        ]
        for u in units
    ]
    visit_header = [
        t.plain("stats.col.unit"),
        t.plain("stats.col.children"),
        t.plain("stats.col.month"),
        t.plain("stats.col.quarter"),
        t.plain("stats.col.overdue"),
    ]
    tiers = [[u.name, *(str(u.tiers.get(tier, 0)) for tier in TIERS), str(u.drafts)] for u in units]
    tier_header = [
        t.plain("stats.col.unit"),
        *(t.plain(key) for key in TIER_COLUMNS),
        t.plain("stats.col.drafts"),
    ]
    staff = [
        [
            u.name,
            str(u.villages),
            str(u.directors),
            str(u.without_director),
            str(u.overloaded),
            f"{u.trained}/{u.to_train}",
        ]
        for u in units
    ]
    staff_header = [
        t.plain("stats.col.unit"),
        t.plain("stats.col.villages"),
        t.plain("stats.col.directors"),
        t.plain("stats.col.without"),
        t.plain("stats.col.overloaded"),
        t.plain("stats.col.trained"),
    ]
    return [
        t("stats.by_unit.visits"),
        table(visit_header, visits),
        t("stats.by_unit.tiers"),
        table(tier_header, tiers),
        t("stats.by_unit.directors"),
        table(staff_header, staff),
    ]


def stats_text(figures: AreaFigures, t: Translator) -> str:
    """The figures as text: the area's totals, then a table per subject by unit."""
    lines = _summary(t, figures) + _escalation_lines(t, figures)
    if figures.units:
        lines += _unit_tables(t, figures.units)
    if figures.short_villages:
        lines.append(t("stats.short_villages"))
        lines += [
            t("stats.short_village", name=name, children=children, directors=directors)
            for name, children, directors in figures.short_villages
        ]
    return "\n".join(lines)


def stats_keyboard(
    figures: AreaFigures, t: Translator, extra: Sequence[Sequence[tuple[str, str]]] = ()
) -> Buttons:
    """The screen's buttons: a unit under the area each, back up, the chart, then `extra`
    (rows another feature adds, such as an export of the area)."""
    units = [(u.name, STATS.encode("v", u.code)) for u in figures.units[:MAX_UNIT_BUTTONS]]
    rows: list[list[tuple[str, str]]] = [
        units[i : i + UNITS_PER_ROW] for i in range(0, len(units), UNITS_PER_ROW)
    ]
    last = [(t.plain("stats.button.chart"), STATS.encode("c", figures.code))]
    if figures.parent is not None:
        last.insert(0, (t.plain("stats.button.up"), STATS.encode("v", figures.parent)))
    rows.append(last)
    rows += [list(row) for row in extra]
    return rows


def area_actions(role: str, code: str, t: Translator) -> list[list[tuple[str, str]]]:
    """The rows under the figures that act on the area: its ledger export, for those who may."""
    return [[export_area_button(t, code)]] if may(role, Action.EXPORT) else []


def stats_reply(
    figures: AreaFigures, t: Translator, extra: Sequence[Sequence[tuple[str, str]]] = ()
) -> Reply:
    return Reply(stats_text(figures, t), stats_keyboard(figures, t, extra))


def chart_data(figures: AreaFigures, t: Translator) -> ChartData:
    """The chart of the screen: this month's and the quarter's compliance by unit, and tiers."""
    rows = figures.units or [figures.total]
    return ChartData(
        title=t.plain("stats.chart.title", area=figures.name, today=figures.today.isoformat()),
        compliance_title=t.plain("stats.chart.compliance"),
        periods=(t.plain("stats.col.month"), t.plain("stats.col.quarter")),
        units=[
            UnitBar(
                u.name,
                ((u.month.done, u.month.required), (u.quarter.done, u.quarter.required)),
            )
            for u in rows
        ],
        tiers_title=t.plain("stats.chart.tiers"),
        tiers=[
            (tier, t.plain(f"choice.risk.{tier}"), figures.total.tiers.get(tier, 0))
            for tier in TIERS
        ],
        no_data=t.plain("stats.chart.no_data"),
        lowest_note=t.plain("stats.chart.lowest", shown=MAX_UNITS, total=len(rows)),
    )
