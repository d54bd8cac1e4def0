"""The automatic-update figures (issue 17), as ``monitoring.metric_definitions`` registers them: each
evidences the ESIA's commitment that "automatic updates will form a part of normal interactions".

Kept apart so the registry stays readable; each figure is (key, title, definition, numerator,
denominator, kind), in counters (``monitoring.measures.UPDATE_COUNTERS``).
"""

from __future__ import annotations

from typing import Literal

from monitoring.events import UPDATE_CHOICES, UPDATE_SENT_CHANNELS
from monitoring.measures import GROUPS

Figure = tuple[str, str, str, str, str, Literal["count", "rate"]]


def _chose(group: str, choices: tuple[str, ...]) -> str:
    return "+".join(f"chose_{group}_{choice}" for choice in choices)


def _channels(stage: str) -> str:
    return "+".join(f"update_{stage}_{channel}" for channel in UPDATE_SENT_CHANNELS)


def _who(group: str) -> str:
    return "residents with no need noted" if group == "none" else f"residents with a {group.replace('_', ' ')} need"


UPDATES_ON = _chose("all", UPDATE_SENT_CHANNELS)
UPDATE_FIGURES: tuple[Figure, ...] = (
    (
        "updates_chosen",
        "Chose updates",
        "Of residents asked how they would like to hear back, the share who chose text, email or letter.",
        UPDATES_ON,
        _chose("all", UPDATE_CHOICES),
        "rate",
    ),
    (
        "updates_sent",
        "Cases sent an update",
        "Cases (reports, handoffs, changes) with at least one automatic update sent, by any channel.",
        _channels("sent"),
        "",
        "count",
    ),
    (
        "updates_failed",
        "Updates failed",
        "Of cases an automatic update was tried for, the share where one could not be sent after retries.",
        _channels("failed"),
        _channels("tried"),
        "rate",
    ),
    (
        "no_show_reminded",
        "No-shows with a reminder",
        "Of booked calls back and Gateway visits with a reminder, the share where the resident did not come.",
        "no_show_reminded",
        "booked_reminded",
        "rate",
    ),
    (
        "no_show_not_reminded",
        "No-shows without a reminder",
        "Of booked calls back and Gateway visits without a reminder, the share where the resident did not come.",
        "no_show_not_reminded",
        "booked_not_reminded",
        "rate",
    ),
    (
        "status_asked_updates_on",
        "Asked for news, with updates",
        "Conversations asking for news on a reference with updates chosen, per reference updates were chosen for.",
        "status_asked_updates_on",
        UPDATES_ON,
        "rate",
    ),
    (
        "status_asked_no_updates",
        "Asked for news, without updates",
        "Conversations asking for news on a reference without updates, per reference the resident chose no "
        "updates for.",
        "status_asked_no_updates",
        "chose_all_none",
        "rate",
    ),
    *(
        (
            f"updates_chosen.{group}",
            "Chose updates",
            f"Of {_who(group)} asked how they would like to hear back, the share who chose text, email or letter.",
            _chose(group, UPDATE_SENT_CHANNELS),
            _chose(group, UPDATE_CHOICES),
            "rate",
        )
        for group in GROUPS
    ),
)
