"""The start of each Rasa session: a conversation, to the monitoring.

Rasa runs ``action_session_start`` before the first message of a session (and again after a
session expires). Besides what Rasa's own does (start the session, then listen), this one names
the conversation by when it started, keeps that name in a slot for every later event, and records
``conversation_started`` with how the resident came in.
"""

from __future__ import annotations

from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import SESSION_SLOT, record_event
from monitoring.events import ENTRY_CHANNELS, EventKind
from routing import clock

METADATA_SLOT = "session_started_metadata"  # Rasa puts the first message's metadata here


def entry_channel(metadata: Any) -> str:
    """How the resident came in: the web app says "web" or "embed" in the message metadata;
    anything else (a bare REST client, a made-up value) counts as "rest"."""
    said = metadata.get("entry_channel") if isinstance(metadata, dict) else None
    return said if said in ENTRY_CHANNELS else "rest"


class ActionSessionStart(Action):
    """Starts the session, names the conversation, and records that it started."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        # Rasa stamps the returned session_started event with its own time, so the name this action
        # chooses is kept in a slot instead (``actions.context.session_of`` reads it).
        session = f"{clock.now().timestamp():.6f}"
        record_event(
            tracker.sender_id,
            EventKind.CONVERSATION_STARTED,
            session,
            entry_channel=entry_channel(tracker.get_slot(METADATA_SLOT)),
        )
        # Slots set before session_started are cleared by it, so the name comes after.
        return [SessionStarted(), SlotSet(SESSION_SLOT, session), ActionExecuted("action_listen")]
