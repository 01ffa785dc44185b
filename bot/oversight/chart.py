"""The statistics chart as a PNG: visit compliance by unit, and children by risk tier.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, safe in a worker
thread). Every text is set in Noto Sans SC, which the project installs with its own
dependencies (pylopdf-fonts-zh-cn, SIL Open Font License 1.1): Chinese labels never fall back
to a font without Chinese glyphs, whatever the machine has.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn: most processes never draw one
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

TIER_COLOURS = {"low": "#5b9bd5", "medium": "#f4b183", "high": "#c00000"}
GOOD, FAIR, POOR = "#70ad47", "#ffc000", "#c00000"
MAX_UNITS = 30  # bars in one chart; more would be unreadable in a phone's photo viewer
_lock = threading.RLock()  # rc settings are global: one chart drawn at a time


def font_path() -> Path:
    """The CJK font file the charts are drawn with (installed with the project)."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def chart_font() -> FontProperties:
    """Register the CJK font with matplotlib once, and return it as the charts' font."""
    from matplotlib import font_manager

    path = font_path()
    with _lock:
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path))


@dataclass(frozen=True)
class UnitBar:
    """One unit's compliance: its name and (done, required) for each period shown."""

    name: str
    ratios: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, every text already translated."""

    title: str
    compliance_title: str
    periods: tuple[str, ...]  # the legend of each ratio in a UnitBar (this month, the quarter)
    units: Sequence[UnitBar]
    tiers_title: str
    tiers: Sequence[tuple[str, str, int]]  # (tier, label, children)
    no_data: str  # shown where there is nothing to draw
    # Over MAX_UNITS units, the chart shows those furthest behind; this note (after the
    # compliance title) says so.
    lowest_note: str = ""


def _percent(done: int, required: int) -> float:
    return 100.0 * done / required if required else 0.0


def _colour(percent: float) -> str:
    return GOOD if percent >= 90 else FAIR if percent >= 60 else POOR


def render_chart(data: ChartData) -> bytes:
    """Draw the chart and return it as PNG bytes."""
    from matplotlib import rc_context

    font = chart_font()
    # Texts made by matplotlib itself (tick numbers) take the family from the rc settings.
    with _lock, rc_context(chart_rc(font)):  # type: ignore[arg-type]
        figure = build_figure(data, font)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()


def chart_rc(font: FontProperties) -> dict[str, Any]:
    return {"font.family": font.get_name(), "axes.unicode_minus": False}


def build_figure(data: ChartData, font: FontProperties) -> Figure:
    """The chart as a matplotlib Figure (drawn when saved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    units = list(data.units)
    title = data.compliance_title
    if len(units) > MAX_UNITS:
        # The units furthest behind this period are the ones to see; the text lists them all.
        units = sorted(units, key=lambda unit: _percent(*unit.ratios[0]))[:MAX_UNITS]
        title += data.lowest_note
    height = max(4.5, 1.2 + 0.25 * len(units) * max(1, len(data.periods)))
    figure = Figure(figsize=(11, height), dpi=100)
    FigureCanvasAgg(figure)
    figure.suptitle(data.title, fontproperties=font, fontsize=15)
    bars_axes, tiers_axes = figure.subplots(1, 2, width_ratios=(3, 2))
    _compliance(bars_axes, data, title, units, font)
    _tiers(tiers_axes, data, font)
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return figure


def _compliance(axes, data: ChartData, title: str, units: list[UnitBar], font) -> None:  # type: ignore[no-untyped-def]
    axes.set_title(title, fontproperties=font, fontsize=12)
    if not units:
        axes.text(0.5, 0.5, data.no_data, ha="center", fontproperties=font)
        axes.set_axis_off()
        return
    count = max(1, len(data.periods))
    step = 0.8 / count
    for index, label in enumerate(data.periods):
        positions = [row + (index - (count - 1) / 2) * step for row in range(len(units))]
        percents = [_percent(*unit.ratios[index]) for unit in units]
        colours = [_colour(p) for p in percents]
        bars = axes.barh(
            positions, percents, height=step * 0.9, color=colours, alpha=1.0 - 0.45 * index
        )
        for bar, unit, percent in zip(bars, units, percents, strict=True):
            done, required = unit.ratios[index]
            text = f"{label} {percent:.0f}% ({done}/{required})" if required else f"{label} -"
            axes.text(
                min(percent, 100) + 1,
                bar.get_y() + bar.get_height() / 2,
                text,
                va="center",
                fontsize=8,
                fontproperties=font,
            )
    axes.set_yticks(range(len(units)))
    axes.set_yticklabels([unit.name for unit in units], fontproperties=font)
    axes.invert_yaxis()
    axes.set_xlim(0, 160)
    axes.set_xticks([0, 25, 50, 75, 100])
    axes.set_xticklabels(["0%", "25%", "50%", "75%", "100%"], fontproperties=font)
    axes.axvline(100, color="#999999", linewidth=0.8)


def _tiers(axes, data: ChartData, font) -> None:  # type: ignore[no-untyped-def]
    axes.set_title(data.tiers_title, fontproperties=font, fontsize=12)
    tiers = [(tier, label, n) for tier, label, n in data.tiers]
    if not any(n for _, _, n in tiers):
        axes.text(0.5, 0.5, data.no_data, ha="center", fontproperties=font)
        axes.set_axis_off()
        return
    labels = [label for _, label, _ in tiers]
    counts = [n for _, _, n in tiers]
    colours = [TIER_COLOURS.get(tier, "#999999") for tier, _, _ in tiers]
    bars = axes.bar(labels, counts, color=colours)
    for bar, n in zip(bars, counts, strict=True):
        axes.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height(),
            f"{n:,}",
            ha="center",
            va="bottom",
            fontproperties=font,
        )
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, fontproperties=font)
    axes.set_ylim(0, max(counts) * 1.15)
