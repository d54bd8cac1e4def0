"""Why a resident was handed to a person, and the summary staff read first on the case.

Pure rules over what the conversation showed (``routing.conversation_events`` reads it): the
trigger, in order of precedence, and the summary built from the task, the form's answers, the
needs noticed (with the words that showed them) and the offer the resident chose from.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from routing.channels import ChannelOption
from routing.conversation_signals import FALLBACK_ACTIONS
from routing.menu import TALK_TO_A_PERSON
from routing.tasks import TASK_NAMES

OFFER_SUPPORT = "action_offer_support"
ACKNOWLEDGE = "action_acknowledge_need"


def handoff_trigger(needs: Iterable[str], steps: Sequence[str]) -> str:
    """Why the handoff happened, from the need categories seen and the bot's steps so far.

    A risk comes first; then the bot failing the resident (two misunderstandings, or an offer of
    support because they were struggling); then a need they told us about; else they simply asked.
    """
    if "safeguarding" in set(needs):
        return "safeguarding"
    misunderstood = sum(step in FALLBACK_ACTIONS for step in steps)
    if misunderstood >= 2 or OFFER_SUPPORT in steps:
        return "repeated_failure"
    if ACKNOWLEDGE in steps:
        return "detected_need"
    return "asked"


def wanted(intent: str | None, service_name: str | None) -> str:
    """What the resident came for, in a few words: "Report a problem: Missed bin"."""
    task = TASK_NAMES.get(intent or "", TALK_TO_A_PERSON.title)
    return f"{task}: {service_name}" if service_name else task


def case_summary(
    intent: str | None,
    service_name: str | None,
    form: Mapping[str, Any],
    needs: Sequence[Mapping[str, Any]],
    chosen: ChannelOption,
    offered: Sequence[ChannelOption],
) -> dict[str, Any]:
    """The automatic summary: what they wanted, what they told the forms, their needs and cue words,
    the way they chose and the way offered first (``offered`` is the decision already made)."""
    return {
        "wanted": wanted(intent, service_name),
        "form": dict(form),
        "needs": [{"category": need.get("category"), "cue": need.get("cue") or need.get("evidence")} for need in needs],
        "chosen": chosen.title,
        "first_offer": offered[0].title,
    }
