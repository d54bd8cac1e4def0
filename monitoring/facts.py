"""What one conversation amounts to, derived from its events: the row every metric counts from.

A conversation is one Rasa session of one resident. Staff events about a handoff case (or a report)
carry the case's key, not the conversation's; they join the conversation through its
``handoff_accepted`` (or ``report_created``) event, which carries both. Nothing here is recorded by
the flows: a change to the precedence or to a definition only needs the facts rebuilt
(``python -m monitoring rebuild``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Protocol

from monitoring.events import NO_SHOW_REMINDERS, EventKind
from monitoring.outcomes import INFORMATION_INTENT, derive_outcome

NON_ONLINE = frozenset({"phone", "gateway"})
REPEAT_WINDOW = timedelta(days=7)


class Happening(Protocol):
    """What ``facts_of`` reads of an event: an ``OutcomeEvent``, or the seeder's lighter tuple."""

    @property
    def kind(self) -> EventKind: ...
    @property
    def resident_key(self) -> str: ...
    @property
    def conversation_key(self) -> str | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def entry_channel(self) -> str | None: ...
    @property
    def intent(self) -> str | None: ...
    @property
    def service(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def handoff_channel(self) -> str | None: ...
    @property
    def in_hours(self) -> bool | None: ...
    @property
    def value(self) -> str | None: ...


@dataclass(frozen=True)
class ConversationFacts:
    """One conversation, in fixed vocabularies.

    Attributes:
        conversation_key, resident_key: the keyed pseudonyms (see ``monitoring.events``).
        started_at: the hour it started in (UTC).
        entry_channel: how the resident came in ("unknown" if the start was not recorded).
        service: the first catalogue code the conversation was about, if any.
        outcome: the one outcome, by the precedence in ``monitoring.outcomes``.
        needs: support-need categories detected (category only).
        offered, accepted, contacted, resolved: handoff channels at each stage of the funnel.
        offered_out_of_hours: None without an offer; else True when no non-online channel was open
            at the first offer.
        contact_minutes: minutes from the first handoff accepted to the first human contact.
        contact_channel: the channel of that first contact.
        contact_on_time: whether that contact met the case's pick-up deadline.
        satisfaction: the answer to "Did you get what you needed?", if given.
        consent: "given" or "declined" when the resident was asked to let us note a need.
        abandoned_at: where the resident gave up, when they did ("queue" or "form").
        ended: the resident said goodbye (or ended the chat).
        repeat: the same resident started another conversation in the 7 days before this one.
        report_made: the resident made a report (``report_created``).
        report_closed_in: how long staff took to close it (``monitoring.events.CLOSE_TIMES``), from
            its last closing; None while it is open (or was opened again after closing).
        updates_chosen: how the resident chose to hear back (``monitoring.events.UPDATE_CHOICES``),
            the last choice made; None when they were not asked (or did not answer).
        updates_sent, updates_failed: the channels automatic updates went out on, or failed on.
        no_show: "reminded" or "not_reminded" when the resident did not come to a booked call or
            visit; "unknown" for a no-show recorded before reminders were tracked.
        status_asked: in this conversation the resident asked for news on a reference that had
            updates chosen ("updates_on") or had not ("no_updates").
    """

    conversation_key: str
    resident_key: str
    started_at: datetime
    entry_channel: str
    service: str | None
    outcome: str
    needs: frozenset[str]
    offered: frozenset[str]
    accepted: frozenset[str]
    contacted: frozenset[str]
    resolved: frozenset[str]
    offered_out_of_hours: bool | None
    contact_minutes: float | None
    contact_channel: str | None
    contact_on_time: bool | None
    digital_inclusion_offered: bool
    digital_inclusion_accepted: bool
    satisfaction: str | None
    consent: str | None
    abandoned_at: str | None
    ended: bool
    repeat: bool = False
    report_made: bool = False
    report_closed_in: str | None = None
    updates_chosen: str | None = None
    updates_sent: frozenset[str] = frozenset()
    updates_failed: frozenset[str] = frozenset()
    no_show: str | None = None
    status_asked: frozenset[str] = frozenset()

    @property
    def non_online_offered(self) -> bool:
        """A phone call or a face-to-face visit was among the offers (now or booked)."""
        return bool(self.offered & NON_ONLINE)


def facts_of(conversation_key: str, events: Iterable[Happening], repeat: bool = False) -> ConversationFacts:
    """The facts of one conversation from all its events (its own and its cases'), in any order."""
    ordered = sorted(events, key=lambda event: event.at)
    if not ordered:
        raise ValueError("a conversation has at least one event")
    own = [event for event in ordered if event.conversation_key == conversation_key] or ordered
    kinds = [event.kind for event in ordered]

    def channels(kind: EventKind) -> frozenset[str]:
        return frozenset(e.handoff_channel for e in ordered if e.kind is kind and e.handoff_channel)

    def values(kind: EventKind) -> frozenset[str]:
        return frozenset(e.value for e in ordered if e.kind is kind and e.value)

    def first(kind: EventKind) -> Happening | None:
        return next((event for event in ordered if event.kind is kind), None)

    started = first(EventKind.CONVERSATION_STARTED)
    offer, accepted = first(EventKind.HANDOFF_OFFERED), first(EventKind.HANDOFF_ACCEPTED)
    contact = first(EventKind.CONTACT_MADE)
    satisfaction = [event.value for event in ordered if event.kind is EventKind.SATISFACTION]
    consent = [event.kind for event in ordered if event.kind in (EventKind.CONSENT_GIVEN, EventKind.CONSENT_DECLINED)]
    abandoned = first(EventKind.ABANDONED)
    chosen = [event.value for event in ordered if event.kind is EventKind.UPDATES_CHOSEN and event.value]
    return ConversationFacts(
        conversation_key=conversation_key,
        resident_key=own[0].resident_key,
        # To the hour only, so a row cannot be matched to a transcript by its exact time.
        started_at=(started or own[0]).at.replace(minute=0, second=0, microsecond=0),
        entry_channel=(started.entry_channel if started else None) or "unknown",
        service=next((event.service for event in ordered if event.service), None),
        outcome=derive_outcome(
            kinds,
            information_given=any(e.kind is EventKind.INTENT and e.intent == INFORMATION_INTENT for e in ordered),
        ),
        needs=frozenset(
            e.category
            for e in ordered
            if e.category and e.kind in (EventKind.SUPPORT_NEED_DETECTED, EventKind.SAFEGUARDING_ESCALATED)
        ),
        offered=channels(EventKind.HANDOFF_OFFERED),
        accepted=channels(EventKind.HANDOFF_ACCEPTED),
        contacted=channels(EventKind.CONTACT_MADE),
        resolved=channels(EventKind.RESOLVED),
        offered_out_of_hours=None if offer is None else offer.in_hours is False,
        contact_minutes=(max(0.0, (contact.at - accepted.at).total_seconds() / 60) if contact and accepted else None),
        contact_channel=contact.handoff_channel if contact else None,
        contact_on_time=None if contact is None or contact.value is None else contact.value == "on_time",
        digital_inclusion_offered=EventKind.DIGITAL_INCLUSION_OFFERED in kinds,
        digital_inclusion_accepted=EventKind.DIGITAL_INCLUSION_ACCEPTED in kinds,
        satisfaction=satisfaction[-1] if satisfaction else None,
        consent=None if not consent else ("given" if consent[-1] is EventKind.CONSENT_GIVEN else "declined"),
        abandoned_at=abandoned.value if abandoned else None,
        ended=EventKind.CONVERSATION_ENDED in kinds,
        repeat=repeat,
        report_made=EventKind.REPORT_CREATED in kinds,
        report_closed_in=_report_closed_in(ordered),
        updates_chosen=chosen[-1] if chosen else None,
        updates_sent=values(EventKind.UPDATE_SENT),
        updates_failed=values(EventKind.UPDATE_FAILED),
        no_show=_no_show(ordered),
        status_asked=values(EventKind.STATUS_ASKED),
    )


def _report_closed_in(ordered: list[Happening]) -> str | None:
    """The band of the report's last closing, unless it was opened again after it."""
    last = next((e for e in reversed(ordered) if e.kind in (EventKind.REPORT_CLOSED, EventKind.REPORT_REOPENED)), None)
    return last.value if last is not None and last.kind is EventKind.REPORT_CLOSED else None


def _no_show(ordered: list[Happening]) -> str | None:
    """Whether a no-show had its reminder; "unknown" for one recorded before reminders were tracked."""
    last = next((e for e in reversed(ordered) if e.kind is EventKind.NO_SHOW), None)
    if last is None:
        return None
    return last.value if last.value in NO_SHOW_REMINDERS else "unknown"
