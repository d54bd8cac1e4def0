"""The handoff cases' tables and their store: create, read, and move cases through their lifecycle.

The rules (statuses, allowed changes, SLA times, note limits) are ``routing.handoffs``; this module
keeps them in the database, where a compare-and-set makes exactly one of two racing changes win.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, and_, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from routing.bookings import SlotUnavailable
from routing.contact_channels import CHANNELS
from routing.handoffs import (
    CONTACTED,
    MODES,
    OUTCOMES,
    TRIGGERS,
    AlreadyClaimed,
    CaseEvent,
    CaseNotFound,
    HandoffCase,
    HandoffError,
    InvalidTransition,
    NewHandoff,
    NotYours,
    check_transition,
    clean_transcript,
    jsonable,
    note_text,
    sla_due,
    status_words,
)
from routing.hours import ContactSchedule
from routing.references import new_reference
from routing.webhooks import case_data, case_events
from storage.bookings import SlotBook, slot_bookings
from storage.engine import as_utc, from_row, metadata
from storage.webhooks import record_event

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
                    record_event(connection, "case.created", reference, case_data(new, "queued"), now)
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
                    summary=json.dumps(jsonable(new.summary)),
                    needs=json.dumps([{"category": n.get("category"), "cue": n.get("cue")} for n in new.needs]),
                    adjustments=json.dumps(list(new.adjustments)),
                    transcript=json.dumps(clean_transcript(new.transcript)),
                    callback_number=new.callback_number,
                    slot_start=slot.start if slot else None,
                    slot_end=slot.end if slot else None,
                    created_at=now,
                    updated_at=now,
                    sla_due_at=new.due_at
                    or sla_due(
                        self._schedule,
                        new.channel,
                        new.mode,
                        now,
                        slot.start if slot else None,
                        slot.end if slot else None,
                    ),
                )  # fmt: skip
            ).inserted_primary_key[0]
        )

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
        check_transition(reference, case.status, to)
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
            for event_type in case_events(to):  # a webhook event for each, in the change's transaction
                record_event(connection, event_type, reference, case_data(case, to), now)
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
        detail = note_text(note) if note else None
        return self._transition(reference, outcome, staff, detail=detail, now=now, only_by=None if manager else staff)

    def add_note(self, reference: str, staff: str, note: str, now: datetime | None = None) -> HandoffCase:
        """Add a staff note to the case's history."""
        text = note_text(note)
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
            case = connection.execute(select(handoff_cases).where(handoff_cases.c.id == case_id)).mappings().one()
            record_event(connection, "case.contact_made", reference, case_data(case, case["status"]), now)
        return True

    def give_up(self, reference: str, why: str, now: datetime | None = None) -> HandoffCase:
        """Close a case nobody could answer in time (a live chat timing out), saying why."""
        return self._transition(reference, "unable_to_contact", "assistant", detail=why, now=now)

    def cancel_by_resident(self, reference: str, now: datetime | None = None) -> HandoffCase:
        """The resident no longer needs the case; their booked time is freed."""
        case = self.get(reference)
        if not case.open:
            raise InvalidTransition(f"case {reference} is already {status_words(case.status)}")
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
                        sla_due_at=sla_due(self._schedule, case.channel, case.mode, now, slot.start, slot.end),
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


def _case(row: Mapping[str, Any], events: Sequence[Any]) -> HandoffCase:
    stored_as_json = {name: json.loads(row[name]) for name in ("summary", "needs", "adjustments", "transcript")}
    history = tuple(CaseEvent(as_utc(e.at), e.actor, e.action, e.detail) for e in events)
    return from_row(HandoffCase, row, events=history, **stored_as_json)


__all__ = ["HandoffStore", "SlotUnavailable"]
