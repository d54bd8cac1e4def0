"""Changing a handoff case: the one way the staff pages, the JSON API and live chat do it.

Claim, release, add a note, record the outcome; and for a live chat, the adviser's messages and
every way it ends (closed with an outcome, handed back, nobody free in time, the resident leaving
the queue). Each change records its outcome events here, and a live chat that ends always gives the
resident the bot back, telling them why.

A change that cannot be made raises the store's ``HandoffError`` (``CaseNotFound``,
``InvalidTransition``, ``AlreadyClaimed``, ``NotYours``) and changes nothing; ``bot/web/refusals.py``
turns those into HTTP answers, the same for the pages and the API.
"""

from __future__ import annotations

import contextlib
from typing import Callable

from bot.web.live_signals import EVERYONE, LiveSignals
from bot.web.outcomes import record_case, record_closed, record_first_contact, record_left_queue
from bot.web.rasa_client import RasaClient, RasaUnavailable
from monitoring.events import EventKind
from monitoring.recorder import Outcomes
from routing import clock
from routing.handoffs import CaseNotFound, HandoffCase, HandoffError, InvalidTransition, NotYours
from routing.live_chat import LiveMessage
from routing.menu import menu_buttons
from routing.references import find_reference
from storage.handoffs import HandoffStore
from storage.live_chat import LiveChats
from storage.staff import StaffUser

Buttons = list[dict[str, str]]

CHAT_CLOSED = "The adviser has closed the chat. You are back with the online assistant."
BACK_TO_THE_ASSISTANT = "You are back with the online assistant. What would you like to do next?"
HANDED_BACK = "Handed back to the assistant."
LEFT_THE_QUEUE = "You have left the queue. We can call you back instead, or you can book a visit to the Gateway."
QUEUE_FULL = "There are already several chats waiting from your connection."
NOBODY_FREE_BUTTONS = [
    {"title": "Call me back", "payload": '/request_human{"channel":"phone","mode":"callback"}'},
    {"title": "Book a Gateway visit", "payload": '/request_human{"channel":"gateway","mode":"appointment"}'},
]


def case_reference(raw: str) -> str:
    """The case reference in ``raw`` (as typed in a URL); ``CaseNotFound`` when it holds none."""
    found = find_reference(raw).reference
    if found is None:
        raise CaseNotFound("no case has that reference")
    return found


class CaseService:
    """Changes handoff cases, recording what happened and keeping the resident's conversation right.

    A resident handed back to the assistant is offered the main menu next.
    """

    def __init__(
        self, store: HandoffStore, outcomes: Outcomes, rasa: RasaClient, live: LiveChats,
        signals: LiveSignals | None = None, reminded: Callable[[str], bool | None] | None = None,
    ) -> None:  # fmt: skip
        self.store = store
        self._reminded = reminded  # whether a case had its reminder, for a no-show (bot/web/reminders_seen.py)
        self._outcomes = outcomes
        self._rasa = rasa
        self._live = live
        self.signals = signals or LiveSignals()  # wakes the residents' live chat streams
        self._menu = menu_buttons()

    def get(self, reference: str) -> HandoffCase:
        """The case; ``CaseNotFound`` if there is none."""
        return self.store.get(reference)

    async def claim(self, reference: str, staff: StaffUser) -> HandoffCase:
        """Take a queued case (of two racing claims, one wins: the other gets ``AlreadyClaimed``)."""
        case = self.store.claim(reference, staff.username)
        record_case(self._outcomes, case, EventKind.HANDOFF_CLAIMED)
        await self._queue_moved(case)
        return case

    async def release(self, reference: str, staff: StaffUser) -> HandoffCase:
        """Put a claimed case back in the queue (its holder, or a manager)."""
        case = self.store.release(reference, staff.username, manager=staff.is_manager)
        await self._queue_moved(case)
        return case

    async def add_note(self, reference: str, staff: StaffUser, note: str) -> HandoffCase:
        """Add a note to the case's history (``HandoffError`` when it is empty or too long)."""
        return self.store.add_note(reference, staff.username, note)

    async def close(self, reference: str, outcome: str, staff: StaffUser, note: str | None = None) -> HandoffCase:
        """Close a claimed case with its outcome (its holder, or a manager); a live chat ends and the
        resident is back with the assistant."""
        closed = self.store.record_outcome(reference, outcome, staff.username, note=note, manager=staff.is_manager)
        return await self._ended(closed, CHAT_CLOSED, self._menu)

    async def hand_back(self, reference: str, staff: StaffUser) -> HandoffCase:
        """The adviser holding a live chat ends it as resolved and hands the resident back."""
        self._holder_only(self.store.get(reference), staff, "Only the adviser holding this chat can hand it back.")
        closed = self.store.record_outcome(reference, "resolved", staff.username, note=HANDED_BACK)
        return await self._ended(closed, BACK_TO_THE_ASSISTANT, self._menu)

    async def adviser_says(self, reference: str, staff: StaffUser, text: str) -> LiveMessage:
        """The adviser holding a live chat sends a message (``LiveChatError`` when it is empty or too
        long); the first one is when staff reached the resident."""
        case = self.store.get(reference)
        self._holder_only(case, staff, "Claim this chat before you reply.")
        # Residents see the adviser's first name, never their login name.
        message = self._live.post(case, "adviser", text, author=staff.resident_name)
        await self.signals.changed(str(case.conversation_id))
        self._live.adviser_here(case.reference)
        at = clock.now()
        if self.store.record_contact(case.reference, staff.username, now=at):
            record_first_contact(self._outcomes, case, at)
        with contextlib.suppress(RasaUnavailable):  # the resident's page still gets it from the live chat
            await self._rasa.adviser_says(str(case.conversation_id), message.text, staff.resident_name)
        return message

    async def end_if_unanswered(self, case: HandoffCase) -> HandoffCase:
        """End a live chat nobody can answer (the queue timed out, the adviser's page went away): the
        resident is told and offered a call back instead. The case as it is now."""
        why = self._live.given_up(case)
        if why is None:
            return case
        try:
            ended = self.store.give_up(case.reference, why)
        except HandoffError:
            return self.store.get(case.reference)  # someone else changed it a moment ago
        if case.status == "queued":
            record_left_queue(self._outcomes, ended)  # nobody picked it up in time (not an adviser who went away)
        text = f"Sorry. {why} We can call you back instead, or you can book a visit to the Gateway."
        return await self._ended(ended, text, NOBODY_FREE_BUTTONS)

    async def queue_full(self, case: HandoffCase) -> HandoffCase:
        """End a live chat that would take more than its client's share of the queue: the resident is
        told and offered a call back or a visit instead. The case as it is now."""
        try:
            ended = self.store.give_up(case.reference, QUEUE_FULL)
        except HandoffError:
            return self.store.get(case.reference)  # an adviser took it, or it ended, a moment ago
        text = f"Sorry. {QUEUE_FULL} We can call you back instead, or you can book a visit to the Gateway."
        return await self._ended(ended, text, NOBODY_FREE_BUTTONS)

    async def resident_leaves(self, case: HandoffCase) -> HandoffCase:
        """The resident stops waiting in the live chat queue: the assistant is back, offering a call
        back or a visit. A chat an adviser has taken is left to them."""
        if case.status != "queued":
            return case
        try:
            left = self.store.cancel_by_resident(case.reference)
        except HandoffError:
            return self.store.get(case.reference)  # an adviser took it a moment ago
        if left.status == "cancelled":
            record_left_queue(self._outcomes, left)
            await self._ended(left, LEFT_THE_QUEUE, NOBODY_FREE_BUTTONS)
        return left

    async def _queue_moved(self, case: HandoffCase) -> None:
        """A live chat was taken, put back or ended: its resident's page, and the places of everyone
        waiting, change."""
        if case.mode == "live":
            await self.signals.changed(EVERYONE)

    @staticmethod
    def _holder_only(case: HandoffCase, staff: StaffUser, refusal: str) -> None:
        if not case.open:
            raise InvalidTransition(refusal)
        if case.claimed_by != staff.username:
            raise NotYours(refusal)

    async def _ended(self, case: HandoffCase, text: str, buttons: Buttons) -> HandoffCase:
        """Record how the case ended; a live chat's resident is told ``text`` and gets the bot back."""
        record_closed(self._outcomes, case, self._reminded)
        if case.mode == "live":
            self._live.post(case, "system", text)
            await self._queue_moved(case)
            with contextlib.suppress(RasaUnavailable):  # the live chat still tells them
                await self._rasa.back_to_the_assistant(str(case.conversation_id), text, buttons)
        return case
