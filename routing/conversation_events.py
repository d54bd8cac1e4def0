"""A typed view over a conversation's events, read once: what the resident said, what the bot did.

Rasa keeps a conversation as a list of events (``{"event": "user", ...}``, ``{"event": "action",
...}``, ...). The actions (through rasa-sdk, as dicts) and the support policy (through Rasa, as
objects it turns into the same dicts) ask the same questions of it: the resident's messages and
the needs they showed, the bot's last step before the latest message, which steps ran this
session, what the bot said this turn. This module answers them from plain mappings, so it stays
free of Rasa and every question can be tested with hand-built events.

Events are read raw (not Rasa's ``applied_events()``): that hides the resident's answers inside a
form, and those answers can disclose a need or show them struggling.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

# Rasa's own steps between messages: listening and filling slots are never a decision of the bot.
NOT_BOT_STEPS = frozenset({"action_listen", "action_extract_slots"})
SESSION_STARTED = "session_started"
RESTARTED = "restart"
REWOUND = "rewind"  # a fallback forgot the resident's message (``UserUtteranceReverted``)
# An answer to a form's question shorter than this is read for its answer (``Message.shown_needs``).
SHORT_ANSWER_WORDS = 6


def need_entities(parse: Mapping[str, Any]) -> frozenset[str]:
    """The categories of a parse's ``support_need`` entities (a test story gives needs only this way)."""
    entities = parse.get("entities") or []
    return frozenset(str(item.get("value")) for item in entities if item.get("entity") == "support_need")


@dataclass(frozen=True)
class Message:
    """One message from the resident.

    Attributes:
        position: where it is among the conversation's events.
        number: how many resident messages came before it.
        text: what they wrote (already redacted by the input channel).
        parse: the NLU's result: intent, ranking, entities, ``support_needs``.
        asked_for: the form question (``requested_slot``) it came in answer to, if any.
    """

    position: int
    number: int
    text: str
    parse: Mapping[str, Any]
    asked_for: str | None = None

    @property
    def intent(self) -> Mapping[str, Any]:
        """The NLU's intent: ``{"name": ..., "confidence": ...}`` (empty when there was none)."""
        return self.parse.get("intent") or {}

    @property
    def intent_name(self) -> str | None:
        """The intent's name."""
        name = self.intent.get("name")
        return None if name is None else str(name)

    @property
    def ranking(self) -> Sequence[Mapping[str, Any]]:
        """The NLU's other candidate intents, likeliest first."""
        return self.parse.get("intent_ranking") or []

    @property
    def needs(self) -> list[Mapping[str, Any]]:
        """The support needs the NLU found (``{"category": ..., "confidence": ..., ...}``)."""
        return list(self.parse.get("support_needs") or [])

    @property
    def need_entities(self) -> frozenset[str]:
        """The categories of the message's ``support_need`` entities."""
        return need_entities(self.parse)

    @property
    def guessed_in_passing(self) -> frozenset[str]:
        """Needs not worth asking about: those the classifier alone guessed from a short answer to a
        form's question ("outside my house" is an address, not limited English)."""
        if self.asked_for is None or len(self.text.split()) >= SHORT_ANSWER_WORDS:
            return frozenset()
        return frozenset(str(need.get("category")) for need in self.needs if not need.get("cue")) - {"safeguarding"}

    @property
    def names_a_service(self) -> bool:
        """Whether the NLU found a service in it ("my bin", "the pothole"), by its words or its guess."""
        return any(entity.get("entity") == "service" for entity in self.parse.get("entities") or [])

    @property
    def says_a_service(self) -> bool:
        """Whether the resident's own words name a service (a keyword matched: "boiler", "pothole"),
        not only the service classifier's guess ("a council flat" reads like a repair to it)."""
        entities = self.parse.get("entities") or []
        return any(entity.get("entity") == "service" and entity.get("cue") for entity in entities)

    @property
    def shown_needs(self) -> frozenset[str]:
        """The categories of the message's ``support_need`` entities worth asking about."""
        return self.need_entities - self.guessed_in_passing


@dataclass(frozen=True)
class Step:
    """An action the bot ran (Rasa's listening and slot filling left out).

    Attributes:
        position: where it is among the conversation's events.
        name: the action's name.
        after: how many resident messages came before it.
    """

    position: int
    name: str
    after: int


@dataclass(frozen=True)
class Utterance:
    """A message the bot sent, and how many resident messages came before it."""

    position: int
    text: str
    after: int


@dataclass(frozen=True)
class SlotChange:
    """A slot set, and how many resident messages came before it."""

    position: int
    name: str
    value: Any
    after: int


class ConversationView:
    """The conversation's events, read once into messages, steps, bot messages and slot changes."""

    def __init__(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Read ``events`` (Rasa's event dicts, oldest first)."""
        self.events: tuple[Mapping[str, Any], ...] = ()
        self.messages: tuple[Message, ...] = ()
        self.steps: tuple[Step, ...] = ()
        self.said: tuple[Utterance, ...] = ()
        self.slots: tuple[SlotChange, ...] = ()
        self._asked_for: str | None = None  # the form question the next message answers
        self._read(tuple(events))

    def extended(self, events: Iterable[Mapping[str, Any]]) -> ConversationView:
        """The view of this view's events followed by ``events``, reading only the new ones (each
        step of a turn asks about the same conversation, a few events longer)."""
        view = copy.copy(self)
        view._read(tuple(events))
        return view

    def _read(self, new: tuple[Mapping[str, Any], ...]) -> None:
        messages: list[Message] = []
        steps: list[Step] = []
        said: list[Utterance] = []
        slots: list[SlotChange] = []
        asked_for = self._asked_for
        count = len(self.messages)
        for position, event in enumerate(new, start=len(self.events)):
            kind = event.get("event")
            if kind == "user":
                parse = event.get("parse_data") or {}
                text = str(event.get("text") or "")
                messages.append(Message(position, count + len(messages), text, parse, asked_for))
            elif kind == "action" and event.get("name") and event.get("name") not in NOT_BOT_STEPS:
                steps.append(Step(position, str(event["name"]), count + len(messages)))
            elif kind == "bot" and event.get("text"):
                said.append(Utterance(position, str(event["text"]), count + len(messages)))
            elif kind == "slot":
                slots.append(SlotChange(position, str(event.get("name")), event.get("value"), count + len(messages)))
                if event.get("name") == "requested_slot":
                    asked_for = event.get("value")
        self.events = self.events + new
        self.messages = self.messages + tuple(messages)
        self.steps = self.steps + tuple(steps)
        self.said = self.said + tuple(said)
        self.slots = self.slots + tuple(slots)
        self._asked_for = asked_for

    # Sessions

    def since_last(self, *kinds: str) -> ConversationView:
        """The events after the latest event of one of these kinds (all of them when there is none)."""
        starts = [position for position, event in enumerate(self.events) if event.get("event") in kinds]
        return ConversationView(self.events[starts[-1] + 1 :] if starts else self.events)

    def current_session(self) -> ConversationView:
        """This Rasa session's events (the tracker may still hold the end of the last one)."""
        return self.since_last(SESSION_STARTED)

    def session_started_at(self) -> float | None:
        """When the latest session started (Rasa's timestamp), if one did."""
        for event in reversed(self.events):
            if event.get("event") == SESSION_STARTED:
                return float(event.get("timestamp") or 0)
        return None

    @property
    def ends_with_rewind(self) -> bool:
        """True when the last event forgot the resident's message (a fallback reverted it)."""
        return bool(self.events) and self.events[-1].get("event") == REWOUND

    # The bot's steps

    def step_names(self) -> list[str]:
        """The names of the bot's steps, oldest first."""
        return [step.name for step in self.steps]

    def ran(self, names: Iterable[str]) -> bool:
        """Whether any of these actions ran."""
        wanted = set(names)
        return any(step.name in wanted for step in self.steps)

    def count(self, names: Iterable[str]) -> int:
        """How many times these actions ran, together."""
        wanted = set(names)
        return sum(step.name in wanted for step in self.steps)

    def last_step(self, name: str) -> Step | None:
        """The latest run of this action."""
        return next((step for step in reversed(self.steps) if step.name == name), None)

    def ran_first_in_its_turn(self, name: str) -> bool:
        """Whether the latest run of this action was the first step after the message it answered
        (False when something else, such as the resident's task, answered that message before it)."""
        step = self.last_step(name)
        if step is None:
            return False
        return not any(other.after == step.after and other.position < step.position for other in self.steps)

    def steps_since_message(self) -> list[str]:
        """The bot's steps since the resident's latest message (all of them before any message)."""
        return [step.name for step in self.steps if step.after == len(self.messages)]

    def steps_before_message(self) -> list[str]:
        """The bot's steps before the resident's latest message."""
        return [step.name for step in self.steps if step.after < len(self.messages)]

    def previous_bot_action(self) -> str | None:
        """The bot's last step before the resident's latest message (what the message answered)."""
        before = self.steps_before_message()
        return before[-1] if before and self.messages else None

    def runs_in_a_row(self, names: Iterable[str]) -> int:
        """How many resident messages in a row, the latest included, were answered by one of these
        actions, counting the latest as one (it is being answered now)."""
        wanted = set(names)
        answered = [set() for _ in self.messages]  # type: list[set[str]]
        for step in self.steps:
            if step.after:
                answered[step.after - 1].add(step.name)
        count = 1
        for steps in reversed(answered[:-1]):
            if not steps & wanted:
                break
            count += 1
        return count

    # What the resident said

    @property
    def latest_message(self) -> Message | None:
        """The resident's latest message."""
        return self.messages[-1] if self.messages else None

    def message_before(self, step: Step) -> Message | None:
        """The resident's message a step came after."""
        return self.messages[step.after - 1] if step.after else None

    def messages_since_last(self, name: str) -> list[Message]:
        """The resident's messages since the latest run of this action (all of them if it never ran)."""
        step = self.last_step(name)
        return list(self.messages[step.after if step else 0 :])

    def messages_before_last(self, name: str) -> list[Message]:
        """The resident's messages before the latest run of this action and after the run before it
        (the messages that run answered); none when it never ran."""
        runs = [step for step in self.steps if step.name == name]
        if not runs:
            return []
        start = runs[-2].after if len(runs) > 1 else 0
        return list(self.messages[start : runs[-1].after])

    def needs_seen(self) -> list[dict[str, Any]]:
        """Every support need the resident's messages showed, the first sighting of each category."""
        seen: dict[str, dict[str, Any]] = {}
        for message in self.messages:
            for need in message.needs:
                seen.setdefault(str(need.get("category")), dict(need))
        return list(seen.values())

    def latest_need(self, category: str) -> Mapping[str, Any] | None:
        """The latest sighting of a need of this category."""
        for message in reversed(self.messages):
            found = next((need for need in message.needs if need.get("category") == category), None)
            if found is not None:
                return found
        return None

    def latest_intent_among(self, intents: Iterable[str]) -> str | None:
        """The intent of the resident's latest message that had one of these intents."""
        wanted = set(intents)
        for message in reversed(self.messages):
            if message.intent_name in wanted:
                return message.intent_name
        return None

    # What was said, both ways

    def said_since_message(self) -> list[str]:
        """What the bot has said since the resident's latest message."""
        return [utterance.text for utterance in self.said if utterance.after == len(self.messages)]

    def transcript(self) -> list[dict[str, str]]:
        """The conversation as a person reads it: who said what, in order."""
        lines = [(m.position, "resident", m.text) for m in self.messages if m.text]
        lines += [(u.position, "assistant", u.text) for u in self.said]
        return [{"who": who, "text": text} for _, who, text in sorted(lines)]

    # Slots

    def last_turn_slot_set(self, name: str, value: Any) -> int | None:
        """How many resident messages had come when this slot was last set to this value."""
        for change in reversed(self.slots):
            if change.name == name and change.value == value:
                return change.after
        return None
