"""The ESIA monitoring report: for each row of the council's ESIA (and each mitigation), what the
ESIA says, the figures that evidence it this period and the period before, and plain-English flags
where a promise did not hold.

Pure: it takes two ``Period`` objects and the thresholds and returns text already protected by the
dashboard's disclosure rules (``monitoring.dashboard``, ``monitoring.disclosure``). A figure whose
counts are hidden shows "[c]", is not compared with the other period and raises no flag, so nothing
here gives a hidden count away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Callable, Iterable

from monitoring.disclosure import protect_count, protect_rate, rate_text, shown
from monitoring.figures import (
    NOT_SHOWN,
    deadline,
    label,
    metric_hidden,
    minutes,
    parity_row,
    percent,
    protected_rate,
)
from monitoring.measures import GROUPS
from monitoring.metric_definitions import ESIA_SECTIONS, METRICS, EsiaSection, Metric
from monitoring.metric_values import Counts, Filters, Period, amount, percentile_minutes, wait_bands
from monitoring.thresholds import Thresholds
from routing.contact_channels import CHANNEL_NAMES, CHANNELS

# Who each group is, in words a manager reads (a group is the residents where that need was noticed).
WHO = {
    "digital_exclusion": "residents with no internet or device",
    "disability": "disabled residents",
    "mental_health_cognitive": "residents with mental health or memory needs",
    "older_age": "older residents",
    "financial_hardship": "residents with money worries",
    "language_literacy": "residents with language or reading needs",
    "life_event": "residents going through a life event",
    "carer_proxy": "residents acting for someone else",
    "frustration": "residents who became frustrated",
    "none": "residents with no need noticed",
}
# The order of a group's figures: how often the need is noticed, then what happens to these residents.
GROUP_FIGURES = (
    "need_rate", "resolution_rate", "parity", "offered_person", "accepted_person", "satisfied", "updates_chosen",
)  # fmt: skip
CHANNEL_FIGURES = ("handoff_rate", "funnel", "contact_time", "within_sla")
NOT_COMPARED = "not compared"


@dataclass(frozen=True)
class Value:
    """A figure as shown, and the number it is compared by (None when hidden or missing)."""

    text: str
    number: float | None


@dataclass(frozen=True)
class Figure:
    """One row of the report: a defined metric (``monitoring.metric_definitions``) in this period and the one before."""

    metric: str
    title: str
    now: str
    before: str
    change: str


@dataclass(frozen=True)
class FigureGroup:
    """The figures about one group of residents, one channel, or everyone."""

    title: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Flag:
    """A promise that fell short: what, in one sentence (``headline``), then by how much and what it means."""

    metric: str
    headline: str
    detail: str

    @property
    def text(self) -> str:
        """The whole flag as one paragraph."""
        return f"{self.headline} {self.detail}"


@dataclass(frozen=True)
class ReportSection:
    """One ESIA row or mitigation: what the ESIA says, its figures, and any flags raised."""

    key: str
    title: str
    esia_says: str
    groups: tuple[FigureGroup, ...]
    flags: tuple[Flag, ...]


@dataclass(frozen=True)
class Definition:
    """What a figure means, for the definitions list."""

    key: str
    title: str
    definition: str
    numerator: str
    denominator: str
    esia_rows: str


@dataclass(frozen=True)
class Report:
    """The whole report for one set of filters."""

    period: Filters
    previous: Filters
    sections: tuple[ReportSection, ...]
    definitions: tuple[Definition, ...]
    thresholds: Thresholds

    @property
    def flag_count(self) -> int:
        """How many flags the report raises (a flag shown under several ESIA rows counts once)."""
        return len({flag.metric for section in self.sections for flag in section.flags})


def previous_filters(filters: Filters) -> Filters:
    """The same filters over the period of the same length just before."""
    end = filters.start - timedelta(days=1)
    return replace(filters, start=end - (filters.end - filters.start), end=end)


def day_text(day: date) -> str:
    """A date as a manager writes it ("5 January 2026")."""
    return f"{day.day} {day:%B %Y}"


def period_text(filters: Filters) -> str:
    """A filter's date range in words."""
    return f"{day_text(filters.start)} to {day_text(filters.end)}"


def build_report(current: Period, previous: Period, thresholds: Thresholds) -> Report:
    """The report: one section per ESIA row, each figure now and before, with its flags."""
    sections = tuple(_section(section, current.totals, previous.totals, thresholds) for section in ESIA_SECTIONS)
    used = {figure.metric for section in sections for group in section.groups for figure in group.figures}
    return Report(
        current.filters, previous.filters, sections, definitions(m.key for m in METRICS if m.key in used), thresholds
    )


def definitions(keys: Iterable[str]) -> tuple[Definition, ...]:
    """The definitions of these metrics (their keys), in the order they are defined."""
    wanted = set(keys)
    titles = {section.key: section.title for section in ESIA_SECTIONS}
    return tuple(
        Definition(
            key=metric.key,
            title=metric.title,
            definition=metric.definition,
            numerator=_counters_text(metric.numerator),
            denominator=_counters_text(metric.denominator) if metric.denominator else "none: this is a count",
            esia_rows=", ".join(titles[key] for key in metric.evidences),
        )
        for metric in METRICS
        if metric.key in wanted
    )


def _counters_text(expression: str) -> str:
    return expression.replace("+", " + ").replace("/", " / ")


def _subject(metric: Metric) -> tuple[str, str] | None:
    """("group", code) or ("channel", code) for a figure about one group or channel."""
    prefix, _, rest = metric.key.partition(".")
    if prefix in GROUP_FIGURES and rest in GROUPS:
        return "group", rest
    if prefix in CHANNEL_FIGURES and rest.split(".")[0] in CHANNELS:
        return "channel", rest.split(".")[0]
    return None


def _order(section: EsiaSection) -> Callable[[Metric], tuple[int, int, int, int]]:
    groups = list(section.groups) + [g for g in GROUPS if g not in section.groups and g != "none"] + ["none"]

    def key(metric: Metric) -> tuple[int, int, int, int]:
        subject = _subject(metric)
        position = METRICS.index(metric)
        if subject is None:
            return (0, 0, 0, position)
        kind, code = subject
        if kind == "channel":
            return (1, CHANNELS.index(code), 0, position)
        return (2, groups.index(code), GROUP_FIGURES.index(metric.key.partition(".")[0]), position)

    return key


def _group_title(subject: tuple[str, str] | None) -> str:
    if subject is None:
        return "All conversations"
    kind, code = subject
    if kind == "channel":
        return f"Handoffs by {CHANNEL_NAMES[code]}" if code != "emergency" else "Urgent handoffs (residents at risk)"
    who = WHO.get(code, f"residents with a {label(code).lower()} need")
    return who[0].upper() + who[1:] + (" (the reference group)" if code == "none" else "")


def _section(section: EsiaSection, now: Counts, before: Counts, thresholds: Thresholds) -> ReportSection:
    metrics = sorted((m for m in METRICS if section.key in m.evidences), key=_order(section))
    groups: list[FigureGroup] = []
    flags: list[Flag] = []
    for metric in metrics:
        current, earlier = value_of(metric, now, thresholds), value_of(metric, before, thresholds)
        figure = Figure(metric.key, metric.title, current.text, earlier.text, change(metric, current, earlier))
        title = _group_title(_subject(metric))
        if groups and groups[-1].title == title:
            groups[-1] = FigureGroup(title, groups[-1].figures + (figure,))
        else:
            groups.append(FigureGroup(title, (figure,)))
        flag = flag_for(metric, now, before, thresholds)
        if flag:
            flags.append(flag)
    return ReportSection(section.key, section.title, section.esia_says, tuple(groups), tuple(flags))


def value_of(metric: Metric, totals: Counts, thresholds: Thresholds) -> Value:
    """A figure as protected text, with the number used to compare it with another period."""
    if metric.kind in ("count", "rate") and metric_hidden(metric, totals):
        return Value(NOT_SHOWN, None)  # hidden in the dashboard's outcomes table too
    if metric.kind == "count":
        protected = protect_count(amount(totals, metric.numerator))
        return Value(shown(protected), None if protected is None else float(protected))
    if metric.kind == "ratio":
        return _ratio_value(metric, totals, thresholds)
    if metric.kind == "time":
        return _time_value(metric.key.partition(".")[2], totals)
    numerator, denominator = amount(totals, metric.numerator), amount(totals, metric.denominator)
    text = protected_rate(numerator, denominator)
    rate = protect_rate(numerator, denominator)
    return Value(text, round(100 * rate) if text.endswith("%") and rate is not None else None)


def _ratio_value(metric: Metric, totals: Counts, thresholds: Thresholds) -> Value:
    found, may_show, _ = parity_row(totals, metric.key.partition(".")[2], thresholds)
    counts = (found.group_events, found.group_total, found.reference_events, found.reference_total)
    if may_show and found.value is not None and found.low is not None and found.high is not None:
        text = f"{found.value:.2f} (95% interval {found.low:.2f} to {found.high:.2f})"
        return Value(text, round(found.value, 2))
    if any(protect_count(count) is None for count in counts):
        return Value(NOT_SHOWN, None)
    if found.group_total == 0 or found.reference_total == 0:
        return Value("no data", None)
    return Value("cannot be worked out", None)  # nobody resolved in one of the groups


def _time_value(channel: str, totals: Counts) -> Value:
    bands = wait_bands(totals, channel)
    if sum(bands) == 0:
        return Value("no data", None)
    if protect_count(sum(bands)) is None:
        return Value(NOT_SHOWN, None)
    median = percentile_minutes(bands, 0.5)
    return Value(f"half {minutes(median)}; 9 in 10 {minutes(percentile_minutes(bands, 0.9))}", median)


def change(metric: Metric, now: Value, before: Value) -> str:
    """This period against the one before, in words; not compared when either is hidden or missing."""
    if now.number is None or before.number is None:
        return NOT_COMPARED
    difference = now.number - before.number
    if metric.kind == "rate":
        points = round(difference)
        return "same" if points == 0 else f"{'up' if points > 0 else 'down'} {abs(points):.0f} percentage points"
    if metric.kind == "ratio":
        step = round(difference, 2)
        return "same" if step == 0 else f"{'up' if step > 0 else 'down'} {abs(step):.2f}"
    if metric.kind == "time":
        return "same" if now.number == before.number else ("longer" if difference > 0 else "shorter")
    if difference == 0:
        return "same"
    if before.number == 0:
        return "up from none"
    return f"{'up' if difference > 0 else 'down'} {abs(100 * difference / before.number):.0f}%"


def flag_for(metric: Metric, now: Counts, before: Counts, thresholds: Thresholds) -> Flag | None:
    """A flag for a manager when this figure falls short of its threshold, if it does and may be shown."""
    prefix, _, subject = metric.key.partition(".")
    if prefix == "parity":
        return _parity_flag(subject, now, before, thresholds)
    if metric.key == "non_online_offered":
        return _share_flag(metric, now, before, thresholds.non_online_offered, _availability_words)
    if prefix == "within_sla":
        return _share_flag(metric, now, before, thresholds.within_sla, _sla_words(subject, thresholds))
    return None


def _parity_flag(group: str, now: Counts, before: Counts, thresholds: Thresholds) -> Flag | None:
    found, _, flagged = parity_row(now, group, thresholds)
    if not flagged or found.value is None or found.low is None or found.high is None:
        return None  # parity_row flags only figures that may be shown
    who = WHO.get(group, f"residents with a {label(group).lower()} need")
    group_rate = percent(found.group_events, found.group_total)
    reference_rate = percent(found.reference_events, found.reference_total)
    gap = 100 * (found.reference_events / found.reference_total - found.group_events / found.group_total)  # rounded
    headline = f"Fewer {who} got what they came for."
    text = (
        f"{group_rate} of their finished conversations were resolved, against "
        f"{reference_rate} for residents with no need noticed: {gap:.0f} percentage points fewer, a ratio of "
        f"{found.value:.2f} where the council's screen is {thresholds.parity_ratio:g}. The whole 95% interval "
        f"({found.low:.2f} to {found.high:.2f}) is below 1, so the gap is unlikely to be chance, though it does not "
        "say why. Check on the dashboard where these residents drop out (the funnel) and whether they were offered "
        "a person on a channel they can use."
    )
    if parity_row(before, group, thresholds)[2]:
        text += " It was also below the screen in the previous period."
    return Flag(f"parity.{group}", headline, text)


def _share_flag(
    metric: Metric, now: Counts, before: Counts, threshold: float, words: Callable[[str, str, str], tuple[str, str]]
) -> Flag | None:
    # Compared by the rate as shown (from rounded counts), so a flag gives nothing more away.
    shown_rate = protect_rate(amount(now, metric.numerator), amount(now, metric.denominator))
    if shown_rate is None or shown_rate >= threshold:
        return None  # met, no data, or hidden: a hidden figure raises nothing
    gap = f"{100 * (threshold - shown_rate):.0f} percentage points"
    headline, text = words(rate_text(shown_rate), gap, f"{threshold:.0%}")
    earlier = protect_rate(amount(before, metric.numerator), amount(before, metric.denominator))
    if earlier is not None and earlier < threshold:
        text += " It was also short in the previous period."
    return Flag(metric.key, headline, text)


def _availability_words(rate: str, gap: str, target: str) -> tuple[str, str]:
    return "Not every offer of a person included phone or face to face.", (
        f"Only {rate} of the offers included a phone "
        f"call or a Gateway visit, {gap} below the {target} the council set. Residents who cannot use online "
        "services may have been offered only online help, so the promise that non-online channels are maintained "
        "did not fully hold. Check opening hours, call-back windows and Gateway slots, and the out-of-hours offers "
        "('Is a person available?' on the dashboard)."
    )


def _sla_words(channel: str, thresholds: Thresholds) -> Callable[[str, str, str], tuple[str, str]]:
    due = f" (the deadline: {deadline(channel, thresholds)})" if channel in thresholds.sla_minutes else ""

    def words(rate: str, gap: str, target: str) -> tuple[str, str]:
        if channel == "emergency":
            return "Urgent handoffs of residents at risk were not always picked up in time.", (
                f"{rate} of first contacts "
                f"were made by the case's deadline{due}, {gap} short of the {target} target. People at risk "
                "waited longer than promised: review urgent cover with the safeguarding lead."
            )
        name = CHANNEL_NAMES[channel]
        return f"First contact by {name} missed its deadline too often.", (
            f"{rate} of first contacts were made by the case's deadline"
            f"{due}, {gap} short of the {target} target. Residents who asked for a person by {name} waited "
            "longer than they were told, which can push them to give up or contact the council again."
        )

    return words
