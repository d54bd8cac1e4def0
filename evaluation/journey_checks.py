"""The pure parts of the resident journeys (``python -m evaluation.journeys``): loading the journeys,
checking their goals against a played conversation, and counting the conversation figures.

Nothing here talks to the assistant, so all of it is unit-tested without one
(``tests/evaluation/test_journeys.py``).

**A journey** (``evaluation/journeys/*.yml``, a list under ``journeys:``) is one resident with a goal::

    - id: phone-number-live-chat
      who: impatient resident who wants a number, not a form
      hours: in                 # in or out of office hours
      turns:                    # what the resident types, in order (a fixed script)
        - whats the phone number for the council
        - just give me a number to ring
      goal:                     # checks over the bot's replies in the whole conversation
        any_reply_contains_any: ["023 8083 3000", "live chat", "webchat"]
        no_fallback: true

**Goal checks** (all must hold; text is compared case-insensitively with spaces collapsed, and a
phone number also matches when written without spaces; button titles count as what the resident reads):

- ``any_reply_contains: [a, b]``: every string appears somewhere in the bot's replies.
- ``any_reply_contains_any: [a, b]``: at least one of them appears. A list of lists is several such
  groups, each of which must be met: ``[[a, b], [c, d]]`` means (a or b) and (c or d).
- ``never_contains: [a, b]``: none of them appears in any bot reply.
- ``reference_given: true``: a reference like ``SCC-7KQ4XH`` appears that the resident did not type.
- ``turn_contains_any: {3: [a, b]}``: the bot's reply to the resident's 3rd message (1-based)
  contains at least one of them.
- ``asked_at_most: {"reference": 2}``: at most 2 bot turns ask a question (a sentence ending in "?")
  that mentions "reference".
- ``no_fallback: true``: no bot turn is a fallback (one of ``FALLBACK_WORDINGS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# What the assistant says when it does not understand or brushes the resident off, found by talking
# to it. A bot turn with any of these (case-insensitive) counts as a fallback turn.
FALLBACK_WORDINGS: tuple[str, ...] = (
    "sorry, i did not understand",
    "sorry, i am still not understanding",
    "sorry, i cannot help with that",
    "i could not see a phone number in that",
    "sorry, i did not catch which you would like",
    "sorry, i could not find a reference in that",
    "i could not tell where that is",
)

REFERENCE = re.compile(r"\bSCC-[A-HJKMNP-Z2-9]{6}\b", re.IGNORECASE)
MESSAGE_BUDGET = 3
EMERGENCY_MESSAGE_BUDGET = 4  # a turn naming 999 may carry one more message (the emergency routes)
CHECKS = (
    "any_reply_contains",
    "any_reply_contains_any",
    "never_contains",
    "reference_given",
    "turn_contains_any",
    "asked_at_most",
    "no_fallback",
)


@dataclass(frozen=True)
class Journey:
    """One resident, their script and what would satisfy them."""

    id: str
    who: str
    hours: str
    turns: tuple[str, ...]
    goal: dict[str, Any]
    source: str = ""


@dataclass(frozen=True)
class BotMessage:
    """One message from the bot: its text and the titles of its buttons."""

    text: str
    buttons: tuple[str, ...] = ()

    @property
    def seen(self) -> str:
        """What the resident reads: the text and the button titles."""
        return "\n".join((self.text, *self.buttons))


@dataclass(frozen=True)
class Turn:
    """One resident message and everything the bot said before the resident's next message."""

    said: str
    replies: tuple[BotMessage, ...]

    @property
    def text(self) -> str:
        """All the bot said in this turn, as one text."""
        return "\n".join(reply.seen for reply in self.replies)


@dataclass
class JourneyResult:
    """A played journey: its turns, whether it met its goal and the first check that failed."""

    journey: Journey
    turns: list[Turn]
    reached_goal: bool = False
    first_failed_check: str = ""
    fallback_turns: int = 0
    silent_turns: int = 0
    third_time_questions: list[str] = field(default_factory=list)
    turns_over_budget: int = 0
    max_messages: int = 0
    longest_turn_words: int = 0
    error: str = ""


class JourneyFormatError(ValueError):
    """A journey file that does not follow the format."""


class _ScriptLoader(yaml.SafeLoader):
    """YAML as residents type it: only ``true`` and ``false`` are booleans, so ``- yes``, ``- no``
    and ``- ok`` stay the words the resident typed (plain YAML 1.1 would read ``yes`` as true)."""


_ScriptLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScriptLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str) -> Any:
    """Load one journey file's YAML (``yes``/``no``/``on``/``off`` are strings, not booleans)."""
    return yaml.load(text, Loader=_ScriptLoader)  # noqa: S506 - a SafeLoader subclass


def load_journeys(folder: Path) -> list[Journey]:
    """Every journey in ``folder``'s ``*.yml`` files, in file then script order; ids must be unique."""
    journeys: list[Journey] = []
    for path in sorted(folder.glob("*.yml")):
        journeys.extend(parse_journeys(read_yaml(path.read_text()) or {}, path.name))
    ids = [journey.id for journey in journeys]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    if duplicates:
        raise JourneyFormatError(f"journey ids used twice: {', '.join(duplicates)}")
    return journeys


def parse_journeys(document: dict[str, Any], source: str = "") -> list[Journey]:
    """The journeys in one loaded YAML document (``{"journeys": [...]}``), checked for format."""
    journeys = []
    for entry in document.get("journeys") or []:
        name = str(entry.get("id", ""))
        where = f"{source}: {name or '(no id)'}"
        if not name or not entry.get("who") or not entry.get("turns") or not entry.get("goal"):
            raise JourneyFormatError(f"{where}: needs id, who, turns and goal")
        if entry.get("hours") not in ("in", "out"):
            raise JourneyFormatError(f"{where}: hours must be 'in' or 'out'")
        if not all(isinstance(turn, str) for turn in entry["turns"]):
            raise JourneyFormatError(f"{where}: every turn must be text (quote numbers)")
        unknown = sorted(set(entry["goal"]) - set(CHECKS))
        if unknown:
            raise JourneyFormatError(f"{where}: unknown goal checks {unknown}")
        journeys.append(
            Journey(
                id=name,
                who=str(entry["who"]),
                hours=str(entry["hours"]),
                turns=tuple(str(turn) for turn in entry["turns"]),
                goal=dict(entry["goal"]),
                source=source,
            )
        )
    return journeys


def bot_messages(replies: list[dict[str, Any]]) -> tuple[BotMessage, ...]:
    """The REST channel's reply list as bot messages (images and custom payloads keep their text only)."""
    return tuple(
        BotMessage(
            text=str(reply.get("text") or ""),
            buttons=tuple(str(button.get("title", "")) for button in reply.get("buttons") or []),
        )
        for reply in replies
    )


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` is in ``haystack``, ignoring case and spacing (so numbers match unspaced)."""
    if _normal(needle) in _normal(haystack):
        return True
    squeezed = re.sub(r"\s+", "", needle.lower())
    return bool(re.fullmatch(r"[\d+()-]{6,}", squeezed)) and squeezed in re.sub(r"\s+", "", haystack.lower())


def is_fallback(turn: Turn) -> bool:
    """Whether the bot's turn is a did-not-understand or cannot-help reply."""
    said = turn.text.lower()
    return any(wording in said for wording in FALLBACK_WORDINGS)


def turn_questions(turn: Turn) -> set[str]:
    """The questions the bot asks in one turn: each sentence ending in "?", normalised. A message like
    "What is your reference? It starts with SCC-." asks "what is your reference?"."""
    asked = set()
    for reply in turn.replies:
        for sentence in re.findall(r"[^.?!\n]*\?", reply.text):
            if sentence.strip():
                asked.add(_normal(sentence))
    return asked


def questions(turns: list[Turn]) -> list[str]:
    """Every bot question in the conversation, once per turn that asks it, in order."""
    return [question for turn in turns for question in sorted(turn_questions(turn))]


def third_time_questions(turns: list[Turn]) -> list[str]:
    """The bot questions asked in three turns or more of one conversation, each named once."""
    asked = questions(turns)
    return sorted({question for question in asked if asked.count(question) >= 3})


def message_budget(turn: Turn) -> int:
    """How many messages this turn may have: 3, or 4 when it names 999."""
    return EMERGENCY_MESSAGE_BUDGET if re.search(r"\b999\b", turn.text) else MESSAGE_BUDGET


def _groups(value: Any) -> list[list[str]]:
    if value and all(isinstance(item, list) for item in value):
        return [[str(item) for item in group] for group in value]
    return [[str(item) for item in value or []]]


def failed_check(journey: Journey, turns: list[Turn]) -> str:
    """The first goal check the conversation fails, described for a person; empty when the goal is met."""
    everything = "\n".join(turn.text for turn in turns)
    goal = journey.goal
    for needle in goal.get("any_reply_contains") or []:
        if not contains(everything, str(needle)):
            return f"any_reply_contains: never said {needle!r}"
    if "any_reply_contains_any" in goal:
        for group in _groups(goal["any_reply_contains_any"]):
            if not any(contains(everything, needle) for needle in group):
                return f"any_reply_contains_any: said none of {group}"
    for needle in goal.get("never_contains") or []:
        if contains(everything, str(needle)):
            return f"never_contains: said {needle!r}"
    if goal.get("reference_given"):
        typed = {match.upper() for turn in turns for match in REFERENCE.findall(turn.said)}
        given = {match.upper() for match in REFERENCE.findall(everything)} - typed
        if not given:
            return "reference_given: no reference was given"
    for number, group in (goal.get("turn_contains_any") or {}).items():
        index = int(number) - 1
        reply = turns[index].text if 0 <= index < len(turns) else ""
        if not any(contains(reply, str(needle)) for needle in group):
            return f"turn_contains_any: the reply to turn {number} said none of {list(group)}"
    for word, most in (goal.get("asked_at_most") or {}).items():
        times = sum(1 for question in questions(turns) if contains(question, str(word)))
        if times > int(most):
            return f"asked_at_most: asked about {word!r} {times} times (at most {most})"
    if goal.get("no_fallback"):
        for number, turn in enumerate(turns, start=1):
            if is_fallback(turn):
                return f"no_fallback: the reply to turn {number} was a fallback"
    return ""


def score(journey: Journey, turns: list[Turn], error: str = "") -> JourneyResult:
    """A played journey's goal result and figures."""
    problem = f"error: {error}" if error else failed_check(journey, turns)
    return JourneyResult(
        journey=journey,
        turns=turns,
        reached_goal=not problem,
        first_failed_check=problem,
        fallback_turns=sum(1 for turn in turns if is_fallback(turn)),
        silent_turns=sum(1 for turn in turns if not turn.replies),
        third_time_questions=third_time_questions(turns),
        turns_over_budget=sum(1 for turn in turns if len(turn.replies) > message_budget(turn)),
        max_messages=max((len(turn.replies) for turn in turns), default=0),
        longest_turn_words=max((len(turn.text.split()) for turn in turns), default=0),
        error=error,
    )


@dataclass(frozen=True)
class Summary:
    """The figures over all played journeys, and whether each target is met."""

    journeys: int
    reached_goal: int
    goal_share: float
    bot_turns: int
    fallback_turns: int
    fallback_share: float
    silent_turns: int
    third_time_questions: int
    max_messages_per_turn: int
    turns_over_budget: int
    share_over_budget: float
    longest_turn_words: int
    failing: list[tuple[str, str]]
    targets_missed: list[str]


GOAL_TARGET = 0.95
FALLBACK_TARGET = 0.03


def summarise(results: list[JourneyResult]) -> Summary:
    """Add up the journeys' figures and compare them with the targets."""
    turns = sum(len(result.turns) for result in results)
    reached = sum(1 for result in results if result.reached_goal)
    fallbacks = sum(result.fallback_turns for result in results)
    third = sum(len(result.third_time_questions) for result in results)
    over = sum(result.turns_over_budget for result in results)
    goal_share = reached / len(results) if results else 0.0
    fallback_share = fallbacks / turns if turns else 0.0
    missed = []
    if goal_share < GOAL_TARGET:
        missed.append(f"goals reached {goal_share:.0%} < {GOAL_TARGET:.0%}")
    if fallback_share > FALLBACK_TARGET:
        missed.append(f"fallback turns {fallback_share:.1%} > {FALLBACK_TARGET:.0%}")
    if third:
        missed.append(f"{third} questions asked a third time (target 0)")
    if over:
        missed.append(f"{over} turns over the message budget (target 0)")
    return Summary(
        journeys=len(results),
        reached_goal=reached,
        goal_share=goal_share,
        bot_turns=turns,
        fallback_turns=fallbacks,
        fallback_share=fallback_share,
        silent_turns=sum(result.silent_turns for result in results),
        third_time_questions=third,
        max_messages_per_turn=max((result.max_messages for result in results), default=0),
        turns_over_budget=over,
        share_over_budget=over / turns if turns else 0.0,
        longest_turn_words=max((result.longest_turn_words for result in results), default=0),
        failing=[(result.journey.id, result.first_failed_check) for result in results if not result.reached_goal],
        targets_missed=missed,
    )
