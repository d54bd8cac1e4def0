"""Every metric is documented: name, definition, numerator, denominator and the ESIA row it
evidences; every figure the dashboard shows is one of them."""

from __future__ import annotations

from datetime import date

import pytest

from monitoring.dashboard import build_dashboard
from monitoring.measures import COUNTERS
from monitoring.metric_definitions import BY_KEY, ESIA_KEYS, ESIA_SECTIONS, METRICS, Metric, counters_in
from monitoring.metric_values import Filters, Period
from monitoring.thresholds import load_thresholds


@pytest.mark.parametrize("metric", METRICS, ids=lambda metric: metric.key)
def test_every_metric_is_documented(metric: Metric) -> None:
    assert metric.title and metric.definition.endswith(".")
    assert metric.numerator, "every metric says what it counts"
    assert set(metric.evidences) <= set(ESIA_KEYS) and metric.evidences, "every metric evidences an ESIA row"
    for expression in (metric.numerator, metric.denominator):
        for part in expression.replace("/", "+").split("+") if expression else []:
            assert counters_in(part), f"{metric.key}: {part!r} is not a counter"
    if metric.kind in ("rate", "ratio", "time"):
        assert metric.denominator, f"{metric.key}: a rate states its denominator"
    if metric.kind == "ratio":
        assert "/" in metric.numerator and "/" in metric.denominator


def test_metric_names_are_unique_and_every_esia_row_is_evidenced() -> None:
    assert len(BY_KEY) == len(METRICS)
    evidenced = {section for metric in METRICS for section in metric.evidences}
    assert evidenced == set(ESIA_KEYS)
    assert [section.title for section in ESIA_SECTIONS][:4] == ["Age", "Disability", "Poverty", "Community Safety"]


def test_every_figure_on_the_dashboard_is_a_registered_metric() -> None:
    counts = dict.fromkeys(COUNTERS, 0)
    period = Period(Filters(date(2026, 11, 1), date(2026, 11, 30)), counts, ((date(2026, 11, 2), counts),))
    dashboard = build_dashboard(period, load_thresholds())
    shown = {headline.metric for headline in dashboard.headlines}
    shown |= {key for table in dashboard.tables for key in table.metrics}
    assert shown <= set(BY_KEY), shown - set(BY_KEY)


def test_the_table_keys_the_export_accepts_are_the_dashboards_tables() -> None:
    from monitoring.dashboard import TABLE_KEYS

    counts = dict.fromkeys(COUNTERS, 0)
    period = Period(Filters(date(2026, 11, 1), date(2026, 11, 30)), counts, ())
    assert tuple(table.key for table in build_dashboard(period, load_thresholds()).tables) == TABLE_KEYS


def test_the_migrations_make_the_daily_table_the_code_sums(tmp_path) -> None:
    from sqlalchemy import create_engine, inspect

    from monitoring.schema import metadata
    from storage.schema import MONITORING, migrate

    engine = create_engine(f"sqlite:///{tmp_path}/m.db", future=True)
    migrate(engine, MONITORING)
    for table in ("outcome_events", "conversation_facts", "daily_measures", "monitoring_state"):
        made = {column["name"] for column in inspect(engine).get_columns(table)}
        assert made == {column.name for column in metadata.tables[table].columns}, table
