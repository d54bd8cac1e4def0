"""Handoff cases: a resident passed to a person, with everything staff need, and its lifecycle.

A case is created by the assistant with a reference, the channel, why it was created (the trigger),
an automatic summary, the consented adjustments, a redacted transcript and any booked time. Staff
claim it (exactly one of two racing claims wins), add notes and record the outcome. Every change is
an event with who and when, and so is the first time staff reached the resident ("contacted").

Lifecycle: ``queued`` -> ``claimed`` -> ``resolved``, or ``unable_to_contact``, ``cancelled``,
``no_show``. A claimed case can be released back to ``queued``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Sequence

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, and_, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from routing.bookings import SlotBook, SlotUnavailable, slot_bookings
from routing.database import as_utc, metadata
from routing.hours import ContactSchedule
from routing.redaction import redact
from routing.references import new_reference

TRIGGERS = ("asked", "repeated_failure", "detected_need", "safeguarding")
CHANNELS = ("webchat", "phone", "gateway", "emergency")
MODES = ("live", "call_now", "text_relay", "callback", "out_of_hours_line", "walk_in", "appointment", "emergency")
OUTCOMES = ("resolved", "unable_to_contact", "cancelled", "no_show")
STATUSES = ("queued", "claimed", *OUTCOMES)
ALLOWED = {
    "queued": {"claimed", "cancelled", "unable_to_contact"},
    "claimed": {"queued", *OUTCOMES},
}
CONTACTED = "contacted"  # the history entry for the first time staff reached the resident
MAX_NOTE_LENGTH = 2000
MAX_TRANSCRIPT_TURNS = 200

handoff_cases = Table(
    "handoff_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("conversation_id", String(128), index=True),
    Column("channel", String(16), nullable=False),
    Column("mode", String(24), nullable=False),
    Column("trigger", String(24), nullable=False),
    Column("status", String(24), nullable=False, index=True),
    Column("service_code", String(64)),
    Column("intent", String(64)),
    Column("summary", Text, nullable=False),  # JSON
    Column("needs", Text, nullable=False),  # JSON: [{"category", "cue"}]
    Column("adjustments", Text, nullable=False),  # JSON: ["prefers phone"]
    Column("transcript", Text, nullable=False),  # JSON: [{"who", "text"}]
    Column("callback_number", String(20)),
    Column("slot_start", DateTime(timezone=True)),
    Column("slot_end", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sla_due_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
)

handoff_events = Table(
    "handoff_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(24), nullable=False),
    Column("detail", Text),
)


_WAITING_FOR_CHAT = and_(handoff_cases.c.channel == "webchat", handoff_cases.c.status == "queued")


class HandoffError(Exception):
    """A handoff operation that cannot be done; the message is safe to show."""


class CaseNotFound(HandoffError):
    """No case has that reference."""


class InvalidTransition(HandoffError):
    """The case's status does not allow that change (for example claiming a resolved case)."""


class AlreadyClaimed(InvalidTransition):
    """Someone else claimed the case first."""


class NotYours(InvalidTransition):
    """The case is held by another member of staff."""


@dataclass(frozen=True)
class NewHandoff:
    """What the assistant knows when it hands a resident over."""

    channel: str
    mode: str
    trigger: str
    conversation_id: str | None = None
    service_code: str | None = None
    intent: str | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)
    needs: Sequence[Mapping[str, Any]] = ()
    adjustments: Sequence[str] = ()
    transcript: Sequence[Mapping[str, str]] = ()
    callback_number: str | None = None


@dataclass(frozen=True)
class CaseEvent:
    """One step in a case's history."""

    at: datetime
    actor: str
    action: str
    detail: str | None


@dataclass(frozen=True)
class HandoffCase:
    """A stored handoff case."""

    reference: str
    conversation_id: str | None
    channel: str
    mode: str
    trigger: str
    status: str
    service_code: str | None
    intent: str | None
    summary: Mapping[str, Any]
    needs: list[dict[str, Any]]
    adjustments: list[str]
    transcript: list[dict[str, str]]
    callback_number: str | None
    slot_start: datetime | None
    slot_end: datetime | None
    created_at: datetime
    updated_at: datetime
    sla_due_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    closed_at: datetime | None
    events: tuple[CaseEvent, ...] = ()

    @property
    def open(self) -> bool:
        """Still waiting for, or with, a member of staff."""
        return self.status in ("queued", "claimed")

    @property
    def contacted(self) -> bool:
        """Staff have reached the resident on this case (its history says so)."""
        return any(event.action == CONTACTED for event in self.events)

    def as_json(self) -> dict[str, Any]:
        """The case as the JSON API returns it."""
        data = {key: getattr(self, key) for key in self.__dataclass_fields__ if key != "events"}
        data["events"] = [event.__dict__ for event in self.events]
        return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def clean_transcript(turns: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The transcript with card numbers and security codes removed, and the newest turns kept."""
    kept = list(turns)[-MAX_TRANSCRIPT_TURNS:]
    return [{"who": str(turn.get("who", "")), "text": redact(str(turn.get("text", ""))).text} for turn in kept]


class HandoffStore:
    """Creates handoff cases, moves them through their lifecycle, and lists the staff queues."""

    def __init__(self, engine: Engine, schedule: ContactSchedule, slots: SlotBook | None = None) -> None:
        self._engine = engine
        self._schedule = schedule
        self.slots = slots or SlotBook(engine, schedule)

    # --- creating -------------------------------------------------------------------------------

    def create(self, new: NewHandoff, slot_start: datetime | None = None, now: datetime | None = None) -> HandoffCase:
        """Store a new queued case; with ``slot_start`` also book that callback window or appointment.

        Raises SlotUnavailable when the slot has gone, and HandoffError for an unknown channel or trigger.
        """
        now = now or clock.now()
        if new.channel not in CHANNELS or new.mode not in MODES or new.trigger not in TRIGGERS:
            raise HandoffError(f"unknown channel, mode or trigger: {new.channel}/{new.mode}/{new.trigger}")
        slot = None
        for _attempt in range(5):
            reference = new_reference()
            if slot_start is not None:
                slot = self.slots.book(new.mode, slot_start, reference, now)
            try:
                with self._engine.begin() as connection:
                    case_id = self._insert(connection, new, reference, slot, now)
                    self._event(connection, case_id, now, "assistant", "created", f"{new.channel} ({new.trigger})")
            except IntegrityError:
                self.slots.release(reference)  # the random reference was taken: draw another
                continue
            return self.get(reference)
        raise HandoffError("could not find a free reference after 5 attempts")

    def _insert(self, connection: Connection, new: NewHandoff, reference: str, slot: Any, now: datetime) -> int:
        return int(
            connection.execute(
                handoff_cases.insert().values(
                    reference=reference,
                    conversation_id=new.conversation_id,
                    channel=new.channel,
                    mode=new.mode,
                    trigger=new.trigger,
                    status="queued",
                    service_code=new.service_code,
                    intent=new.intent,
                    summary=json.dumps(_jsonable(new.summary)),
                    needs=json.dumps([{"category": n.get("category"), "cue": n.get("cue")} for n in new.needs]),
                    adjustments=json.dumps(list(new.adjustments)),
                    transcript=json.dumps(clean_transcript(new.transcript)),
                    callback_number=new.callback_number,
                    slot_start=slot.start if slot else None,
                    slot_end=slot.end if slot else None,
                    created_at=now,
                    updated_at=now,
                    sla_due_at=self.sla_due(
                        new.channel, new.mode, now, slot.start if slot else None, slot.end if slot else None
                    ),
                )  # fmt: skip
            ).inserted_primary_key[0]
        )

    def sla_due(
        self, channel: str, mode: str, now: datetime, slot_start: datetime | None, slot_end: datetime | None
    ) -> datetime:
        """When staff must have picked the case up, by channel: the end of a callback window, the
        start of an appointment plus the channel's allowance, otherwise from when it next opens."""
        minutes = timedelta(minutes=self._schedule.channels[channel].sla_minutes)
        if mode == "callback" and slot_end is not None:
            return slot_end
        if slot_start is not None:
            return slot_start + minutes
        if channel == "emergency":
            return now + minutes
        return self._schedule.next_opening(channel, now).astimezone(timezone.utc) + minutes

    # --- reading --------------------------------------------------------------------------------

    def get(self, reference: str) -> HandoffCase:
        """The case with this reference, with its history; CaseNotFound when there is none."""
        with self._engine.connect() as connection:
            row = connection.execute(select(handoff_cases).where(handoff_cases.c.reference == reference)).first()
            if row is None:
                raise CaseNotFound(f"no handoff case {reference}")
            events = connection.execute(
                select(handoff_events).where(handoff_events.c.case_id == row.id).order_by(handoff_events.c.id)
            ).all()
        return _case(row._mapping, events)

    def find(self, reference: str) -> HandoffCase | None:
        """The case, or None."""
        try:
            return self.get(reference)
        except CaseNotFound:
            return None

    def queue(self, channel: str | None = None, statuses: Sequence[str] = ("queued", "claimed")) -> list[HandoffCase]:
        """Open cases, most urgent first: emergencies, then by SLA due time."""
        query = select(handoff_cases).where(handoff_cases.c.status.in_(list(statuses)))
        if channel:
            query = query.where(handoff_cases.c.channel == channel)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        cases = [_case(row._mapping, []) for row in rows]
        return sorted(cases, key=lambda case: (case.channel != "emergency", case.sla_due_at))

    def webchat_waiting(self) -> int:
        """How many webchat cases are waiting for an adviser."""
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).where(_WAITING_FOR_CHAT)).scalar_one())

    def position_in_queue(self, case: HandoffCase) -> int:
        """1 for the next to be answered: those who joined earlier (by arrival order) come first."""
        own_id = select(handoff_cases.c.id).where(handoff_cases.c.reference == case.reference).scalar_subquery()
        query = select(func.count()).where(_WAITING_FOR_CHAT, handoff_cases.c.id < own_id)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one()) + 1

    def open_for_conversation(self, conversation_id: str) -> list[HandoffCase]:
        """The conversation's cases still waiting or being handled, newest first."""
        query = (
            select(handoff_cases)
            .where(handoff_cases.c.conversation_id == conversation_id)
            .where(handoff_cases.c.status.in_(["queued", "claimed"]))
            .order_by(handoff_cases.c.id.desc())
        )
        with self._engine.connect() as connection:
            return [_case(row._mapping, []) for row in connection.execute(query).all()]

    # --- changing -------------------------------------------------------------------------------

    def _transition(self, reference: str, to: str, actor: str, detail: str | None = None,
                    now: datetime | None = None, only_by: str | None = None) -> HandoffCase:  # fmt: skip
        now = now or clock.now()
        case = self.get(reference)
        if to not in ALLOWED.get(case.status, set()):
            raise InvalidTransition(f"case {reference} is {_words(case.status)}; it cannot be {_words(to)}")
        values: dict[str, Any] = {"status": to, "updated_at": now}
        if to == "claimed":
            values |= {"claimed_by": actor, "claimed_at": now}
        elif to == "queued":
            values |= {"claimed_by": None, "claimed_at": None}
        else:
            values["closed_at"] = now
        if only_by is not None and case.status == "claimed" and case.claimed_by != only_by:
            raise NotYours(f"case {reference} is with {case.claimed_by}; only they or a manager can change it")
        condition = and_(handoff_cases.c.reference == reference, handoff_cases.c.status == case.status)
        if only_by is not None and case.status == "claimed":
            condition = and_(condition, handoff_cases.c.claimed_by == only_by)
        with self._engine.begin() as connection:
            # The status in the WHERE clause makes this a compare-and-set: of two racing changes, one wins.
            changed = connection.execute(update(handoff_cases).where(condition).values(**values)).rowcount
            if changed != 1:
                raise AlreadyClaimed(f"case {reference} was changed by someone else just now")
            self._event(connection, _case_id(connection, reference), now, actor, to, detail)
        if to == "cancelled":
            self.slots.release(reference)
        return self.get(reference)

    @staticmethod
    def _event(
        connection: Connection, case_id: int, now: datetime, actor: str, action: str, detail: str | None
    ) -> None:
        values = {"case_id": case_id, "at": now, "actor": actor, "action": action, "detail": detail}
        connection.execute(handoff_events.insert().values(**values))

    def claim(self, reference: str, staff: str, now: datetime | None = None) -> HandoffCase:
        """Staff take the case; AlreadyClaimed if someone else got there first."""
        case = self.get(reference)
        if case.status == "claimed":
            raise AlreadyClaimed(f"case {reference} is already claimed by {case.claimed_by}")
        return self._transition(reference, "claimed", staff, now=now)

    def release(self, reference: str, staff: str, now: datetime | None = None, manager: bool = False) -> HandoffCase:
        """Put a claimed case back in the queue (only its holder, or a manager, can)."""
        return self._transition(reference, "queued", staff, now=now, only_by=None if manager else staff)

    def record_outcome(self, reference: str, outcome: str, staff: str, note: str | None = None,
                       now: datetime | None = None, manager: bool = False) -> HandoffCase:  # fmt: skip
        """Close a claimed case with its outcome (only its holder, or a manager, can)."""
        if outcome not in OUTCOMES:
            raise HandoffError(f"unknown outcome {outcome!r}; use one of {', '.join(OUTCOMES)}")
        note_text = _note(note) if note else None
        return self._transition(
            reference, outcome, staff, detail=note_text, now=now, only_by=None if manager else staff
        )

    def add_note(self, reference: str, staff: str, note: str, now: datetime | None = None) -> HandoffCase:
        """Add a staff note to the case's history."""
        text = _note(note)
        with self._engine.begin() as connection:
            self._event(connection, _case_id(connection, reference), now or clock.now(), staff, "note", text)
        return self.get(reference)

    def record_contact(self, reference: str, staff: str, now: datetime | None = None) -> bool:
        """Note in the case's history that staff have reached the resident; True only the first time."""
        with self._engine.begin() as connection:
            # Locking the case's row (on PostgreSQL) makes two racing first messages note it once.
            case_id = connection.execute(
                select(handoff_cases.c.id).where(handoff_cases.c.reference == reference).with_for_update()
            ).scalar()
            if case_id is None:
                raise CaseNotFound(f"no handoff case {reference}")
            seen = connection.execute(
                select(handoff_events.c.id).where(
                    handoff_events.c.case_id == case_id, handoff_events.c.action == CONTACTED
                )
            ).first()
            if seen is not None:
                return False
            self._event(connection, int(case_id), now or clock.now(), staff, CONTACTED, None)
        return True

    def give_up(self, reference: str, why: str, now: datetime | None = None) -> HandoffCase:
        """Close a case nobody could answer in time (a live chat timing out), saying why."""
        return self._transition(reference, "unable_to_contact", "assistant", detail=why, now=now)

    def cancel_by_resident(self, reference: str, now: datetime | None = None) -> HandoffCase:
        """The resident no longer needs the case; their booked time is freed."""
        case = self.get(reference)
        if not case.open:
            raise InvalidTransition(f"case {reference} is already {_words(case.status)}")
        if case.status == "claimed":
            # Staff are on it: record the wish without pulling it from under them.
            return self.add_note(reference, "resident", "The resident asked to cancel.", now=now)
        return self._transition(reference, "cancelled", "resident", now=now)

    def rebook(self, reference: str, slot_start: datetime, now: datetime | None = None) -> HandoffCase:
        """Move a queued case's callback window or appointment; the old time is kept if the new one is gone."""
        now = now or clock.now()
        case = self.get(reference)
        if case.status != "queued" or case.mode not in ("callback", "appointment"):
            raise InvalidTransition(f"case {reference} has no booked time that can be moved")
        holder = f"{reference}~"  # book the new seat under a temporary holder, then swap
        slot = self.slots.book(case.mode, slot_start, holder, now)
        try:
            with self._engine.begin() as connection:
                # Moved only while still waiting: a case cancelled a moment ago keeps no seat.
                moved = connection.execute(
                    update(handoff_cases)
                    .where(handoff_cases.c.reference == reference, handoff_cases.c.status == "queued")
                    .values(
                        slot_start=slot.start,
                        slot_end=slot.end,
                        updated_at=now,
                        sla_due_at=self.sla_due(case.channel, case.mode, now, slot.start, slot.end),
                    )
                ).rowcount
                if moved != 1:
                    raise InvalidTransition(f"case {reference} changed while it was being moved")
                connection.execute(slot_bookings.delete().where(slot_bookings.c.reference == reference))
                held = slot_bookings.c.reference == holder
                connection.execute(slot_bookings.update().where(held).values(reference=reference))
                case_id = _case_id(connection, reference)
                self._event(connection, case_id, now, "resident", "rebooked", slot.start.isoformat())
        except InvalidTransition:
            self.slots.release(holder)
            raise
        return self.get(reference)


def _case_id(connection: Connection, reference: str) -> int:
    found = connection.execute(select(handoff_cases.c.id).where(handoff_cases.c.reference == reference)).scalar()
    if found is None:
        raise CaseNotFound(f"no handoff case {reference}")
    return int(found)


def _words(status: str) -> str:
    return status.replace("_", " ")


def _note(note: str) -> str:
    text = redact(str(note or "")).text.strip()
    if not text:
        raise HandoffError("A note cannot be empty.")
    if len(text) > MAX_NOTE_LENGTH:
        raise HandoffError(f"A note can be at most {MAX_NOTE_LENGTH} characters.")
    return text


def _case(row: Mapping[str, Any], events: Sequence[Any]) -> HandoffCase:
    return HandoffCase(
        reference=row["reference"],
        conversation_id=row["conversation_id"],
        channel=row["channel"],
        mode=row["mode"],
        trigger=row["trigger"],
        status=row["status"],
        service_code=row["service_code"],
        intent=row["intent"],
        summary=json.loads(row["summary"]),
        needs=json.loads(row["needs"]),
        adjustments=json.loads(row["adjustments"]),
        transcript=json.loads(row["transcript"]),
        callback_number=row["callback_number"],
        slot_start=as_utc(row["slot_start"]),
        slot_end=as_utc(row["slot_end"]),
        created_at=as_utc(row["created_at"]),
        updated_at=as_utc(row["updated_at"]),
        sla_due_at=as_utc(row["sla_due_at"]),
        claimed_by=row["claimed_by"],
        claimed_at=as_utc(row["claimed_at"]),
        closed_at=as_utc(row["closed_at"]),
        events=tuple(CaseEvent(as_utc(e.at), e.actor, e.action, e.detail) for e in events),
    )


__all__ = [
    "AlreadyClaimed", "CaseNotFound", "HandoffCase", "HandoffError", "HandoffStore", "InvalidTransition",
    "NewHandoff", "SlotUnavailable",
]  # fmt: skip
