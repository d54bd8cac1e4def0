"""The dashboard's table about reports: how many residents made through the assistant, and how long
staff took to close them, service by service.

Counted on the day each report was made, so a period's reports stay the same reports as they
close. Time to close comes in the bands the ``report_closed`` event carries (``CLOSE_TIMES``), never
the exact time. The bands add up to the reports closed, and the services to all services, so both
are protected as tables with totals (``monitoring.disclosure.protect_table``).
"""

from __future__ import annotations

from monitoring.disclosure import ProtectedTable, shown
from monitoring.events import CLOSE_TIMES
from monitoring.figures import Table, cell_text, cell_visible, count_table, label, protected_rate
from monitoring.metric_values import Counts, Period

BAND_NAMES = {"1_day": "Within a day", "7_days": "Within a week", "28_days": "Within 4 weeks", "longer": "Longer"}
WITHIN_A_WEEK = ("1_day", "7_days")
MADE = "Reports made"


def reports_table(period: Period) -> Table:
    """Reports made and closed per service, with the time staff took to close them."""
    services = dict(period.services)
    made = count_table({service: {MADE: counts["reports"]} for service, counts in services.items()})
    bands = count_table(
        {service: {BAND_NAMES[band]: counts[f"report_closed_{band}"] for band in CLOSE_TIMES}
         for service, counts in services.items()}
    )  # fmt: skip
    rows = [_service_row(service, counts, made, bands) for service, counts in services.items()]
    rows.append(_all_services_row(services, made, bands))
    return Table(
        "reports",
        "Reports and time to close, by service",
        "Reports residents made through the assistant in the period, and how many staff have closed, by how "
        "long it took from the report being made. A report opened again counts as open.",
        ("Service", MADE, "Closed", *BAND_NAMES.values(), "Closed (%)", "Closed within a week (%)"),
        tuple(rows),
        ("reports_made", "reports_closed", "report_closed_within_7_days"),
    )


def _service_row(service: str, counts: Counts, made: ProtectedTable, bands: ProtectedTable) -> tuple[str, ...]:
    closed_shown = bands.row_totals[service] is not None
    within = sum(counts[f"report_closed_{band}"] for band in WITHIN_A_WEEK)
    within_shown = all(cell_visible(bands, service, BAND_NAMES[band]) for band in WITHIN_A_WEEK)
    return (
        label(service),
        cell_text(made, service, MADE),
        shown(bands.row_totals[service]),
        *(cell_text(bands, service, BAND_NAMES[band]) for band in CLOSE_TIMES),
        protected_rate(counts["reports_closed"], counts["reports"], closed_shown, cell_visible(made, service, MADE)),
        protected_rate(within, counts["reports_closed"], within_shown, closed_shown),
    )


def _all_services_row(
    services: dict[str, Counts], made: ProtectedTable, bands: ProtectedTable
) -> tuple[str, ...]:  # fmt: skip
    def total(name: str) -> int:
        return sum(counts[name] for counts in services.values())

    made_shown = made.column_totals.get(MADE) is not None if services else True
    closed = bands.grand_total if services else 0
    band_totals = {band: bands.column_totals.get(BAND_NAMES[band]) if services else 0 for band in CLOSE_TIMES}
    within = sum(total(f"report_closed_{band}") for band in WITHIN_A_WEEK)
    within_shown = all(band_totals[band] is not None for band in WITHIN_A_WEEK)
    return (
        "All services",
        shown(made.column_totals.get(MADE)) if services else "0",
        shown(closed),
        *(shown(band_totals[band]) for band in CLOSE_TIMES),
        protected_rate(total("reports_closed"), total("reports"), closed is not None, made_shown),
        protected_rate(within, total("reports_closed"), within_shown, closed is not None),
    )
