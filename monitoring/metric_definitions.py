"""Every metric the dashboard and the report show: its name, definition, numerator, denominator,
and the ESIA row or mitigation it evidences.

Numerators and denominators are written in counters (``monitoring.measures``), summed with "+".
A ratio metric (outcome parity) divides two rates, each written "numerator/denominator". Nothing
is shown that is not defined here, and a test checks every entry is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitoring.measures import COUNTERS, GROUPS, SATISFACTION_ANSWERS
from monitoring.outcomes import OUTCOMES
from monitoring.update_metrics import UPDATE_FIGURES
from routing.categories import CATEGORIES
from routing.contact_channels import CHANNELS

Kind = Literal["count", "rate", "ratio", "time"]


@dataclass(frozen=True)
class EsiaSection:
    """A row of the council's ESIA (or one of its mitigations) and the groups that speak to it."""

    key: str
    title: str
    esia_says: str
    groups: tuple[str, ...] = ()


ESIA_SECTIONS = (
    EsiaSection(
        "age",
        "Age",
        "Shifting contact online may exclude some older people from the benefits.",
        ("older_age", "digital_exclusion"),
    ),
    EsiaSection(
        "disability",
        "Disability",
        "Shifting contact online may exclude some people who struggle to use online services.",
        ("disability", "mental_health_cognitive", "language_literacy"),
    ),
    EsiaSection(
        "poverty",
        "Poverty",
        "Shifting contact online may exclude people who cannot afford IT equipment or an internet connection.",
        ("financial_hardship", "digital_exclusion"),
    ),
    EsiaSection(
        "community_safety",
        "Community Safety",
        "No impact was identified. The assistant still escalates residents at risk, so this shows it does.",
    ),
    EsiaSection(
        "non_online_channels",
        "Mitigation: non-online contact channels maintained",
        "Non-online contact channels will also be maintained.",
    ),
    EsiaSection(
        "digital_inclusion",
        "Mitigation: digital inclusion programme",
        "There will be a programme of digital inclusion activity: courses and free access to IT equipment.",
        ("digital_exclusion",),
    ),
    EsiaSection(
        "accessibility",
        "Mitigation: accessibility built into improvement plans",
        "Accessibility considerations will be built into improvement plans.",
        ("disability", "language_literacy", "mental_health_cognitive", "older_age"),
    ),
    EsiaSection(
        "automatic_updates",
        "Commitment: automatic updates",
        "Automatic updates will form a part of normal interactions with the council so that customers are kept "
        "up to date.",
        ("digital_exclusion",),
    ),
)
ESIA_KEYS = tuple(section.key for section in ESIA_SECTIONS)


@dataclass(frozen=True)
class Metric:
    """One figure, defined once.

    Attributes:
        key: stable name, used in tables and CSV files.
        title: what a manager reads.
        definition: what it measures, in plain English.
        numerator, denominator: counters (joined by "+"); for a ratio, two rates ("a/b").
        evidences: the ESIA sections it speaks to (``ESIA_KEYS``).
        kind: a count, a rate, a ratio of rates (with a 95% confidence interval), or a time.
    """

    key: str
    title: str
    definition: str
    numerator: str
    denominator: str
    evidences: tuple[str, ...]
    kind: Kind = "rate"


def _label(code: str) -> str:
    return code.replace("_", " ")


def _metrics() -> tuple[Metric, ...]:
    everyone = "conversations"
    metrics = [
        Metric(
            "contacts",
            "Conversations",
            "Conversations residents started with the assistant.",
            everyone,
            "",
            ("non_online_channels",),
            "count",
        ),
        Metric(
            "repeat_contact",
            "Came back within 7 days",
            "Conversations by a resident who had started another in the 7 days before (failure demand).",
            "repeat_7d",
            everyone,
            ("non_online_channels",),
        ),
        Metric(
            "safeguarding_escalations",
            "Safeguarding escalations",
            "Conversations where a risk to someone's safety was noticed and urgent help shown.",
            "outcome_safeguarding",
            "",
            ("community_safety",),
            "count",
        ),
        Metric(
            "offers_out_of_hours",
            "Offers made out of hours",
            "Share of conversations offered a person when no phone line or Gateway desk was open.",
            "offers_ooh",
            "offers",
            ("non_online_channels",),
        ),
        Metric(
            "non_online_offered",
            "Offers that included phone or face to face",
            "Share of conversations offered a person where a phone call or a Gateway visit was among the offers.",
            "offers_non_online",
            "offers",
            ("non_online_channels", "age", "disability", "poverty"),
        ),
        Metric(
            "non_online_offered_out_of_hours",
            "Out-of-hours offers that included phone or face to face",
            "Of offers made out of hours, the share that still offered a booked call back or Gateway visit.",
            "offers_ooh_non_online",
            "offers_ooh",
            ("non_online_channels",),
        ),
        Metric(
            "digital_inclusion_offered",
            "Digital inclusion help offered",
            "Conversations where free IT help or a course was offered (to residents who said they find "
            "online hard and agreed).",
            "di_offered",
            "",
            ("digital_inclusion", "age", "poverty"),
            "count",
        ),
        Metric(
            "digital_inclusion_take_up",
            "Digital inclusion help taken up",
            "Of the offers of digital inclusion help, the share the resident said yes to.",
            "di_accepted",
            "di_offered",
            ("digital_inclusion",),
        ),
        Metric(
            "consent_given",
            "Agreed to a note of their needs",
            "Of residents asked whether we may note what helps them, the share who agreed.",
            "consent_given",
            "consent_given+consent_declined",
            ("accessibility",),
        ),
        Metric(
            "handoff_rate",
            "Handed to a person",
            "Conversations where the resident accepted a person (any way).",
            "handed_off",
            everyone,
            ("non_online_channels",),
        ),
        Metric(
            "abandoned_in_queue",
            "Gave up waiting for webchat",
            "Of residents who accepted a webchat, the share who left the queue before an adviser joined.",
            "abandoned_queue",
            "accepted_webchat",
            ("non_online_channels",),
        ),
        Metric(
            "satisfied",
            "Got what they needed",
            'Of residents who answered "Did you get what you needed?", the share who said yes.',
            "sat_all_yes",
            "+".join(f"sat_all_{answer}" for answer in SATISFACTION_ANSWERS),
            ("accessibility",),
        ),
        # Reports made through the assistant, and closed by staff in the reports queue.
        Metric(
            "reports_made",
            "Reports made",
            "Conversations in which a resident reported a problem, by service.",
            "reports",
            "",
            ("non_online_channels",),
            "count",
        ),
        Metric(
            "reports_closed",
            "Reports closed",
            "Of reports made, the share staff have closed (one opened again counts as open).",
            "reports_closed",
            "reports",
            ("non_online_channels",),
        ),
        Metric(
            "report_closed_within_7_days",
            "Closed within a week",
            "Of reports closed, the share closed within 7 days of being made.",
            "report_closed_1_day+report_closed_7_days",
            "reports_closed",
            ("non_online_channels",),
        ),
    ]
    metrics += [Metric(*figure[:5], ("automatic_updates",), figure[5]) for figure in UPDATE_FIGURES]
    for outcome in OUTCOMES:
        metrics.append(
            Metric(
                f"outcome.{outcome}",
                f"Outcome: {_label(outcome)}",
                f"Conversations whose one outcome (by precedence) was {_label(outcome)}.",
                f"outcome_{outcome}",
                everyone,
                ("non_online_channels",),
            )
        )
    for category in CATEGORIES:
        metrics.append(
            Metric(
                f"need_rate.{category}",
                f"Support need: {_label(category)}",
                f"Conversations where a need was noticed: {_label(category)} (the category only).",
                f"need_{category}",
                everyone,
                _sections_for(category) or ("accessibility",),
            )
        )
    for channel in CHANNELS:
        evidences = ("community_safety",) if channel == "emergency" else ("non_online_channels",)
        metrics += [
            Metric(
                f"handoff_rate.{channel}",
                f"Handed to a person by {channel}",
                f"Conversations where the resident accepted {channel}.",
                f"accepted_{channel}",
                everyone,
                evidences,
            ),
            Metric(
                f"funnel.{channel}.offered",
                f"{channel.capitalize()}: offered",
                f"Conversations offered {channel}.",
                f"offered_{channel}",
                "",
                evidences,
                "count",
            ),
            Metric(
                f"funnel.{channel}.accepted",
                f"{channel.capitalize()}: accepted",
                f"Of conversations offered {channel}, the share that accepted it.",
                f"accepted_{channel}",
                f"offered_{channel}",
                evidences,
            ),
            Metric(
                f"funnel.{channel}.contact",
                f"{channel.capitalize()}: contact made",
                f"Of conversations that accepted {channel}, the share where a person reached the resident.",
                f"contact_{channel}",
                f"accepted_{channel}",
                evidences,
            ),
            Metric(
                f"funnel.{channel}.resolved",
                f"{channel.capitalize()}: resolved",
                f"Of conversations where a person made contact by {channel}, the share they resolved.",
                f"resolved_{channel}",
                f"contact_{channel}",
                evidences,
            ),
            Metric(
                f"contact_time.{channel}",
                f"Time to first human contact by {channel}",
                f"Minutes from accepting {channel} to the first contact by a person: median and 90th "
                "percentile, read from bands, against the channel's SLA.",
                f"wait_{channel}",
                f"contact_{channel}",
                evidences,
                "time",
            ),
            Metric(
                f"within_sla.{channel}",
                f"{channel.capitalize()}: first contact on time",
                f"Of first contacts by {channel}, the share made by the case's pick-up deadline.",
                f"ontime_{channel}",
                f"ontime_{channel}+late_{channel}",
                evidences,
            ),
        ]
    for group in GROUPS:
        article = "an" if group[0] in "aeiou" else "a"
        who = "with no support need noticed" if group == "none" else f"with {article} {_label(group)} need"
        group_evidences = _sections_for(group) or ("accessibility",)
        metrics += [
            Metric(
                f"resolution_rate.{group}",
                f"Resolved: residents {who}",
                f"Of finished conversations by residents {who} (not escalated, not still with a person), "
                "the share resolved by the assistant or by a person.",
                f"resolved_{group}",
                f"eligible_{group}",
                group_evidences,
            ),
            Metric(
                f"offered_person.{group}",
                f"Offered a person: residents {who}",
                f"Of conversations by residents {who}, the share offered a person.",
                f"offered_{group}",
                f"group_{group}",
                group_evidences,
            ),
            Metric(
                f"accepted_person.{group}",
                f"Took up the offer of a person: residents {who}",
                f"Of conversations by residents {who} that were offered a person, the share that accepted one.",
                f"accepted_{group}",
                f"offered_{group}",
                group_evidences,
            ),
            Metric(
                f"satisfied.{group}",
                f"Got what they needed: residents {who}",
                f"Of residents {who} who answered the closing question, the share who said yes.",
                f"sat_{group}_yes",
                "+".join(f"sat_{group}_{answer}" for answer in SATISFACTION_ANSWERS),
                group_evidences,
            ),
        ]
        if group != "none":
            metrics.append(
                Metric(
                    f"parity.{group}",
                    f"Outcome parity: residents {who}",
                    f"Resolution rate of residents {who} divided by that of residents with none, "
                    "with a 95% confidence interval. 1 means the same; below 1, fewer resolved.",
                    f"resolved_{group}/eligible_{group}",
                    "resolved_none/eligible_none",
                    group_evidences,
                    "ratio",
                )
            )
    return tuple(metrics)


def _sections_for(group: str) -> tuple[str, ...]:
    return tuple(section.key for section in ESIA_SECTIONS if group in section.groups)


METRICS = _metrics()
BY_KEY = {metric.key: metric for metric in METRICS}


def counters_in(expression: str) -> tuple[str, ...]:
    """The counters a numerator or denominator adds up (the bands, for a time)."""
    names: list[str] = []
    for part in expression.replace("/", "+").split("+"):
        if not part:
            continue
        names += [name for name in COUNTERS if name.startswith(part + "_")] if part not in COUNTERS else [part]
    return tuple(names)
