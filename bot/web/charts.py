"""Charts for the dashboard, drawn on the server as inline SVG (no JavaScript needed).

This module only works out the geometry and the words; ``templates/dashboard/_charts.html`` draws
it, with Jinja's escaping. A chart only ever shows a table's protected values (``Table.chart``):
a hidden value gets no bar, just the "[c]" mark, so the picture cannot give away what the table hides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from monitoring.figures import NOT_SHOWN, Table

WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 70
ROW_HEIGHT = 26
COLUMN_CHART_HEIGHT = 220
AXIS_SPACE = 40
TOP_SPACE = 20
MOST_X_LABELS = 7
MOST_VALUES = 16  # above this many weeks, values are written under the labelled columns only


@dataclass(frozen=True)
class Bar:
    """One bar (or column): where it is drawn, its label and its value as text."""

    label: str
    value: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    show_label: bool = True
    show_value: bool = True


@dataclass(frozen=True)
class Rule:
    """A vertical reference line across a bar chart (parity: 1, and the council's screen)."""

    x: float
    label: str
    dashed: bool


@dataclass(frozen=True)
class Chart:
    """A chart and its text alternative (``title`` and ``description``)."""

    key: str
    kind: str  # "bars" (horizontal) or "columns" (week by week)
    width: int
    height: int
    title: str
    description: str
    bars: tuple[Bar, ...]
    rules: tuple[Rule, ...] = ()
    baseline: float = 0.0
    top: str = ""  # the value at the top of a column chart's scale


def _number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _top(values: list[float], ratio: bool = False) -> float:
    """A round number at or above the largest value, so bars keep their proportions."""
    if ratio:
        return math.ceil(max([*values, 1.2]) / 0.5) * 0.5  # room for the line at 1 and a bit beyond
    biggest = max([*values, 10.0])
    step = 10 ** math.floor(math.log10(biggest))
    return float(math.ceil(biggest / step) * step)


def chart_for(table: Table, parity_screen: float | None = None) -> Chart | None:
    """The chart for a table that has one (its ``chart`` pairs), else None."""
    if not table.chart:
        return None
    if table.key == "trend":
        return _columns(table)
    return _bars(table, parity_screen)


def _describe(table: Table, unit: str) -> str:
    shown = [(name, value) for name, value in table.chart if value is not None]
    hidden = len(table.chart) - len(shown)
    words = [f"Bar chart of {table.title.lower()}, in {unit}."]
    if shown:
        high = max(shown, key=lambda pair: pair[1])
        words.append(f"Highest: {high[0]}, {_number(high[1])}.")
    if hidden:
        words.append(f"{hidden} of {len(table.chart)} values are hidden to protect privacy, shown as {NOT_SHOWN}.")
    words.append("The same figures are in the table that follows.")
    return " ".join(words)


def _bars(table: Table, parity_screen: float | None) -> Chart:
    unit = "ratio to the reference group" if table.chart_unit == "ratio" else table.chart_unit
    values = [value for _, value in table.chart if value is not None]
    top = _top(values, ratio=table.chart_unit == "ratio")
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for row, (name, value) in enumerate(table.chart):
        y = TOP_SPACE + row * ROW_HEIGHT
        length = 0.0 if value is None else area * value / top
        bar = Bar(
            label=name, value=NOT_SHOWN if value is None else _number(value),
            x=LABEL_WIDTH, y=y + 4, width=length, height=ROW_HEIGHT - 8,
            label_x=LABEL_WIDTH - 8, label_y=y + ROW_HEIGHT / 2 + 5,
            value_x=LABEL_WIDTH + length + 6, value_y=y + ROW_HEIGHT / 2 + 5,
        )  # fmt: skip
        bars.append(bar)
    rules: tuple[Rule, ...] = ()
    if table.chart_unit == "ratio":
        rules = (Rule(LABEL_WIDTH + area / top, "Same as reference (1)", False),)
        if parity_screen is not None:
            rules += (Rule(LABEL_WIDTH + area * parity_screen / top, f"Screen ({parity_screen:g})", True),)
    height = TOP_SPACE * 2 + ROW_HEIGHT * len(table.chart)
    return Chart(table.key, "bars", WIDTH, height, table.title, _describe(table, unit), tuple(bars), rules)


def _week_label(week: str) -> str:
    try:
        day = date.fromisoformat(week)
    except ValueError:
        return week
    return f"{day.day} {day:%b}"


def _columns(table: Table) -> Chart:
    values = [value for _, value in table.chart if value is not None]
    top = _top(values)
    count = len(table.chart)
    left, area_width = 50.0, WIDTH - 60.0
    slot = area_width / count
    baseline = TOP_SPACE + COLUMN_CHART_HEIGHT
    every = max(1, math.ceil(count / MOST_X_LABELS))
    bars = []
    for index, (week, value) in enumerate(table.chart):
        height = 0.0 if value is None else COLUMN_CHART_HEIGHT * value / top
        x = left + index * slot
        bar = Bar(
            label=_week_label(week), value=NOT_SHOWN if value is None else _number(value),
            x=x + slot * 0.15, y=baseline - height, width=slot * 0.7, height=height,
            label_x=x + slot / 2, label_y=baseline + 18,
            value_x=x + slot / 2, value_y=baseline - height - 4, show_label=index % every == 0,
            show_value=count <= MOST_VALUES or index % every == 0,
        )  # fmt: skip
        bars.append(bar)
    first, last = table.chart[0][0], table.chart[-1][0]
    words = [f"Column chart of conversations week by week, from the week starting {first} to the week starting {last}."]
    if values:
        words.append(f"Between {_number(min(values))} and {_number(max(values))} conversations a week.")
    hidden = count - len(values)
    if hidden:
        words.append(f"{hidden} weeks are hidden to protect privacy, shown as {NOT_SHOWN}.")
    words.append("The same figures are in the table that follows.")
    return Chart(
        table.key, "columns", WIDTH, int(baseline + AXIS_SPACE), table.title, " ".join(words), tuple(bars),
        baseline=baseline, top=_number(top),
    )  # fmt: skip
