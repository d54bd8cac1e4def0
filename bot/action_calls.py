"""Rasa's calls to the action server: only what the server does not hold yet, written with ujson.

Rasa sends every custom action the whole conversation so far: at turn 40 about 170 kB of JSON to
write, send and read again on every call. With ``use_conversation_deltas`` a call leaves out the
events the action server was sent before (``bot/conversation_deltas.py`` says how the server puts
them back), so a call costs about the same at turn 40 as at turn 4. It needs each Rasa process to
call one action server (the scale-out's balancer pairs them, ``bot/scaled.py``): a server that was
not sent the earlier events asks for the whole conversation.

What is sent is written with ujson, which Rasa itself depends on, instead of the standard
library's json (at turn 40, 0.5 ms against 1.4 ms for the whole conversation). The session is
otherwise Rasa's own (``EndpointConfig.session`` in Rasa 3.6).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
import rasa
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.conversation_deltas import CONTINUES, HELD_CONVERSATIONS, HELD_SECONDS, RESEND_STATUS


def dumps(value: Any) -> str:
    """``value`` as JSON text that encodes to UTF-8: Unicode as it is (no \\u escapes, fewer bytes),
    unless the text holds a lone surrogate, which only a \\u escape can carry (a REST client may send
    one; written raw, aiohttp's UTF-8 encode fails and the action's events are lost)."""
    text: str = ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return str(ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False))
    return text


def fast_json_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's client session for ``endpoint``, writing JSON bodies with ujson."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
    )


def use_fast_json() -> None:
    """Make every Rasa endpoint (the action server above all) write its JSON with ujson."""
    EndpointConfig.session = fast_json_session


@dataclass
class _Sent:
    """What the action server holds of one conversation: the events sent under ``token``."""

    token: str
    events: List[Event]  # the tracker's event objects, as they were when last sent
    # Their timestamps then: Rasa sends an action a copy of the tracker with the policy's events
    # added, and adds the same objects to the conversation afterwards with a new timestamp.
    stamps: List[float]
    at: float  # when (``time.monotonic``): the server forgets a conversation after HELD_SECONDS


_sent: OrderedDict[str, _Sent] = OrderedDict()  # by sender id, the most recently called last
_rasa_run: Callable[..., Awaitable[List[Event]]] | None = None


def use_conversation_deltas() -> None:
    """Send each custom action only the events the action server does not hold yet
    (``bot/conversation_deltas.py``), and the whole conversation again when it asks."""
    global _rasa_run
    if _rasa_run is None:
        _rasa_run = RemoteAction.run
        RemoteAction._action_call_format = _action_call_format
        RemoteAction.run = _run_sending_whole_when_asked


def _action_call_format(action: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[str, Any]:
    """Rasa 3.6's call (``RemoteAction._action_call_format``), with the events the action server
    holds left out and a ``continues`` mark saying which."""
    events = list(tracker.events)
    now = time.monotonic()
    while _sent and next(iter(_sent.values())).at < now - HELD_SECONDS:
        _sent.popitem(last=False)
    sent = _sent.pop(tracker.sender_id, None)
    start = 0 if sent is None else _shared_start(sent, events)
    token = sent.token if sent is not None and start else uuid.uuid4().hex
    # The server holds this call's events as soon as it reads it; a call it could not complete is
    # answered 409 and sent again whole (``_run_sending_whole_when_asked``).
    _sent[tracker.sender_id] = _Sent(token, events, [event.timestamp for event in events], now)
    while len(_sent) > HELD_CONVERSATIONS:
        _sent.popitem(last=False)
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in events[start:]]
    call: Dict[str, Any] = {
        "next_action": action.name(),
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
        CONTINUES: {"token": token, "from": start},
    }
    if not action._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(action.name()):
        call["domain"] = domain.as_dict()
    return call


def _shared_start(sent: _Sent, events: List[Event]) -> int:
    """How many events, from the start, are the very objects sent last time, unchanged."""
    count = 0
    for before, stamp, now in zip(sent.events, sent.stamps, events, strict=False):
        if before is not now or stamp != now.timestamp:
            break
        count += 1
    return count


async def _run_sending_whole_when_asked(
    action: RemoteAction,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> List[Event]:
    """Rasa's ``RemoteAction.run``; sent again whole when the action server does not hold the
    events the call left out (it answered 409 before running anything)."""
    assert _rasa_run is not None
    try:
        return await _rasa_run(action, output_channel, nlg, tracker, domain)
    except RasaException as error:
        cause = error.__cause__
        if not (isinstance(cause, ClientResponseError) and cause.status == RESEND_STATUS):
            raise
        _sent.pop(tracker.sender_id, None)
        return await _rasa_run(action, output_channel, nlg, tracker, domain)
