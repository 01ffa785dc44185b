"""The statistics chart: a PNG whose every text, Chinese included, is drawn in the shipped font."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib import font_manager, rc_context
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from bot.oversight.chart import (
    ChartData,
    UnitBar,
    build_figure,
    chart_font,
    chart_rc,
    font_path,
    render_chart,
)

DATA = ChartData(
    title="白沙镇 统计 2026-11-16",
    compliance_title="走访达标率",
    periods=("本月", "本季"),
    units=[UnitBar("溪头村", ((2, 3), (5, 7))), UnitBar("上洋村", ((0, 1), (0, 3)))],
    tiers_title="按风险等级的儿童数",
    tiers=[("low", "低风险", 2), ("medium", "中风险", 1), ("high", "高风险", 1)],
    no_data="暂无数据",
)


def test_font__shipped_with_the_install__has_the_chinese_glyphs_of_the_labels() -> None:
    path = font_path()
    assert path.is_file() and "site-packages" in str(path)  # the package's, not the system's
    face = FT2Font(str(path))
    for character in "白沙镇统计走访达标率按风险等级的儿童数低中高暂无数据本月季溪头上洋村":
        assert face.get_char_index(ord(character)) != 0, character


def test_chart__png__every_text_resolves_to_the_shipped_font() -> None:
    font = chart_font()
    with rc_context(chart_rc(font)):
        figure = build_figure(DATA, font)
        figure.savefig(io.BytesIO(), format="png")  # draws the tick labels too
        texts = [t for t in figure.findobj(Text) if t.get_text().strip()]
        resolved = {str(font_manager.findfont(t.get_fontproperties())) for t in texts}
    assert any(t.get_text() == "溪头村" for t in texts)
    assert resolved == {str(font_path())}


def test_chart__rendered__is_a_png_and_no_glyph_is_missing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        png = render_chart(DATA)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 800 and image.size[1] >= 400


def test_chart__font_without_chinese__would_warn_of_missing_glyphs() -> None:
    """The check above can fail: a Latin-only font does warn for the same labels."""
    latin = font_manager.FontProperties(fname=font_manager.findfont("DejaVu Sans"))
    with rc_context({"font.family": "DejaVu Sans"}), pytest.warns(UserWarning, match="missing"):
        figure = build_figure(DATA, latin)
        figure.savefig(io.BytesIO(), format="png")


def test_chart__no_units_and_no_children__says_there_is_no_data() -> None:
    empty = ChartData("空", "走访达标率", ("本月",), [], "按风险等级的儿童数", [], "暂无数据")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert render_chart(empty).startswith(b"\x89PNG")
