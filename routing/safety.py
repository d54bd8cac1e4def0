"""The safety net's tiers: how sure the assistant must be before it interrupts, or checks in.

* **Clear risk** interrupts whatever is happening with the emergency routes for that kind of risk.
* **Possible risk** gets one gentle check-in that already names 999 and Samaritans, and asks one
  question. It is used where the evidence is weaker: a middling score from the risk classifier; a
  lower score with a risk cue or a risk concept in the message, or in a message the assistant
  cannot otherwise place (its intent is unsure, or out of scope); a risk cue the classifier barely
  backs.
* Nothing else is a risk sign.

A risk sign is never brushed off: the support policy answers it before any fallback, form question or
reference question, and a form never takes it as an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Mapping


class Tier(str, Enum):
    """How the assistant answers a message's risk signs."""

    NONE = "none"
    POSSIBLE = "possible"
    CLEAR = "clear"


# Intents that mean the assistant could not otherwise place the message.
UNPLACED_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})


@dataclass(frozen=True)
class Thresholds:
    """Where the risk classifier's score turns into a tier (tuned on the development sets only).

    Attributes:
        clear: a score at or above this interrupts.
        clear_with_cue: with a lexicon cue as well, a score at or above this interrupts.
        possible_alone: a score at or above this checks in, whatever else the message shows.
        possible: a score at or above this checks in when something else backs it: a risk cue or
            concept, or a message the assistant cannot otherwise place.
        possible_with_cue: with a lexicon cue, a score at or above this checks in (the cue is one
            feature among many: "overdosed on mince pies" has a cue and a low score).
        unplaced: a score at or above this checks in when the message is otherwise unplaced and a
            risk cue or risk concept is present.
        unsure_intent: below this intent confidence a message counts as unplaced.
    """

    clear: float = 0.6
    clear_with_cue: float = 0.3
    possible_alone: float = 0.4
    possible: float = 0.3
    possible_with_cue: float = 0.0
    unplaced: float = 0.08
    unsure_intent: float = 0.6


@dataclass(frozen=True)
class RiskEvidence:
    """What one message shows about risk, for the tier decision.

    Attributes:
        score: the risk classifier's probability that the message shows risk to life or safety.
        cue: the lexicon's risk cue in it, if any (what staff are shown).
        concepts: whether it mentions any risk concept (a means, a threat, a child, a hazard...).
    """

    score: float
    cue: str | None = None
    concepts: bool = False


def tier_for(evidence: RiskEvidence, intent: str | None, intent_confidence: float, limits: Thresholds) -> Tier:
    """The tier one message's evidence earns, given how well the assistant could place it otherwise."""
    if evidence.score >= limits.clear or (evidence.cue and evidence.score >= limits.clear_with_cue):
        return Tier.CLEAR
    unplaced = intent in UNPLACED_INTENTS or intent_confidence < limits.unsure_intent
    backed = bool(evidence.cue) or evidence.concepts or unplaced
    if evidence.score >= limits.possible_alone or (backed and evidence.score >= limits.possible):
        return Tier.POSSIBLE
    if evidence.cue and evidence.score >= limits.possible_with_cue:
        return Tier.POSSIBLE
    if unplaced and evidence.concepts and evidence.score >= limits.unplaced:
        return Tier.POSSIBLE
    return Tier.NONE


def safeguarding_tier(support_needs: Iterable[Mapping[str, Any]]) -> Tier:
    """The tier a parse's ``support_needs`` list gives (a safeguarding item with no tier interrupts)."""
    for item in support_needs:
        if item.get("category") == "safeguarding":
            return Tier(item.get("tier") or Tier.CLEAR.value)
    return Tier.NONE
