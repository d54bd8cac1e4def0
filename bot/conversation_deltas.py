"""The action server keeps the conversation it was sent, so Rasa need send only what is new.

Rasa sends the whole conversation with every custom action: at turn 40 about 170 kB of JSON, to
write, send and read again on every call, a cost that grows with each turn. Rasa's side
(``bot/action_calls.py``) marks each call with a ``continues`` object: a token it chose when it
last sent the whole conversation, and how many events of the conversation held under that token
the call leaves out (``from``). The call's own events are those after them. The action server (this
module) puts the two together before the actions see the call, so the actions read the whole
conversation exactly as before.

A call the server cannot complete (it restarted, another worker holds the token, the token is
forgotten) is answered ``409 Conflict`` before any action runs, and Rasa sends the same
call again whole, under a new token. A call without ``continues`` (any other caller) is left as it is.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping

CONTINUES = "continues"  # the call's key: {"token": str, "from": int}
# What the server holds is a copy of residents' words, so it holds little and not for long: the
# most recently called conversations (each about 0.7 MB of Python objects at turn 40), each for a
# quarter of an hour after its last call, and none longer than MAX_HELD_EVENTS events. Past those,
# Rasa is asked for the whole conversation again.
HELD_CONVERSATIONS = 200
HELD_SECONDS = 15 * 60
MAX_HELD_EVENTS = 5_000
RESEND_STATUS = 409  # not 412: Sanic drops the Content-Length of a 412 (a 304-like answer), and the caller waits


class MustResend(Exception):
    """The call leaves out events this server does not hold: Rasa must send it whole."""


@dataclass(frozen=True)
class Continues:
    """What a call leaves out: the events held under ``token`` before position ``start``."""

    token: str
    start: int


def continues_of(call: Mapping[str, Any]) -> Continues | None:
    """The call's ``continues`` mark, or None for a call that carries the whole conversation."""
    mark = call.get(CONTINUES)
    if not isinstance(mark, dict):
        return None
    token, start = mark.get("token"), mark.get("from")
    if not isinstance(token, str) or not token or not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise MustResend("the call's continues mark is not a token and a count")
    return Continues(token, start)


@dataclass(frozen=True)
class _Held:
    """One conversation as held: whose it is, its events, and when it was last called."""

    sender_id: Any
    events: List[Dict[str, Any]]
    called_at: float


class HeldConversations:
    """The events of the conversations called most recently, by token."""

    def __init__(
        self, size: int = HELD_CONVERSATIONS, seconds: float = HELD_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size = size
        self._seconds = seconds
        self._clock = clock
        self._held: OrderedDict[str, _Held] = OrderedDict()

    def complete(self, call: Dict[str, Any]) -> Dict[str, Any]:
        """The call as Rasa would have sent it, with the conversation's every event; held for the
        next call. Raises ``MustResend`` when the events it leaves out are not held here."""
        mark = continues_of(call)
        if mark is None:
            return call
        tracker = call.get("tracker")
        if not isinstance(tracker, dict) or not isinstance(tracker.get("events"), list):
            raise MustResend("the call has no events")
        events: List[Dict[str, Any]] = tracker["events"]
        now = self._clock()
        self._forget_older_than(now - self._seconds)
        if mark.start:
            held = self._held.get(mark.token)
            if held is None or len(held.events) < mark.start or held.sender_id != call.get("sender_id"):
                raise MustResend("the events the call leaves out are not held here")
            events = held.events[: mark.start] + events
        self._held.pop(mark.token, None)
        if len(events) <= MAX_HELD_EVENTS:
            self._held[mark.token] = _Held(call.get("sender_id"), events, now)
        while len(self._held) > self._size:
            self._held.popitem(last=False)
        whole = {key: value for key, value in call.items() if key != CONTINUES}
        # The actions get their own list: rasa-sdk adds validated slots to it.
        whole["tracker"] = {**tracker, "events": list(events)}
        return whole

    def _forget_older_than(self, moment: float) -> None:
        """Forget the conversations last called before ``moment`` (the oldest are first)."""
        while self._held and next(iter(self._held.values())).called_at < moment:
            self._held.popitem(last=False)
