"""The statistics text: tables that line up, and long areas split within the limit."""

from __future__ import annotations

from collections import Counter
from datetime import date

from bot.i18n import default_i18n
from bot.oversight.figures import AreaFigures, Ratio, UnitFigures
from bot.oversight.screen import fit, stats_reply, width
from bot.telegram.chat_text import MESSAGE_LIMIT, text_length


def unit(number: int) -> UnitFigures:
    return UnitFigures(
        code=f"35{number:04d}",
        name=f"演示县名字很长的第{number}县",
        children=20_000 + number,
        tiers=Counter(low=14_000, medium=4_000, high=2_000 + number),
        overdue=number,
        month=Ratio(15_000, 20_000 + number),
        quarter=Ratio(40_000, 60_000),
        villages=1_200,
        directors=1_100,
        without_director=100,
        overloaded=number,
    )


def province(units: int) -> AreaFigures:
    rows = [unit(n) for n in range(1, units + 1)]
    total = UnitFigures("350000", "演示省")
    for row in rows:
        total.add(row)
    return AreaFigures(
        "350000",
        "演示省",
        "province",
        None,
        date(2026, 11, 30),
        total,
        rows,
        {"township": [1, 2, 3, 4], "county": [0, 0, 0, 1]},
    )


def test_width__chinese_counts_two_columns_and_names_are_cut_to_fit() -> None:
    assert width("溪头村") == 6 and width("abc") == 3
    assert fit("演示县名字很长的县", 12) == "演示县名字… "
    assert width(fit("演示县名字很长的县", 12)) == 12


def test_stats_reply__sixty_units__split_within_the_limit_buttons_under_the_last_part() -> None:
    t = default_i18n().translator("zh_Hans")
    parts = stats_reply(province(60), t).parts()
    assert len(parts) > 1
    for part in parts:
        assert text_length(part.text) <= MESSAGE_LIMIT
        assert part.text.count("<pre>") == part.text.count("</pre>")
    assert all(not part.buttons for part in parts[:-1])
    labels = [label for row in parts[-1].buttons for label, _ in row]
    assert len(labels) == 61 and labels[-1] == "📊 图表"
    assert "75% 15000/20001" in "".join(part.text for part in parts)


def test_stats_text__table_rows__line_up_by_display_width() -> None:
    t = default_i18n().translator("zh_Hans")
    text = stats_reply(province(3), t).text
    table = text.split("<pre>")[2].split("</pre>")[0]
    widths = {width(line) for line in table.splitlines()}
    assert len(widths) == 1


def test_chart_data__more_units_than_a_chart_holds__says_it_shows_the_lowest() -> None:
    from bot.oversight.chart import render_chart
    from bot.oversight.screen import chart_data

    data = chart_data(province(60), default_i18n().translator("zh_Hans"))
    assert data.lowest_note == "（达标率最低的 30 个，共 60 个）"
    assert render_chart(data).startswith(b"\x89PNG")
