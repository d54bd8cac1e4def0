"""How each resident chose to hear back about a reference: text, email, letter or not at all, with
the checked number or address (``routing.updates.check_contact``).

One row per reference; a later choice replaces an earlier one. A contact is kept until its case or
report closes, plus the transcripts' retention period (``storage.retention.forget_update_contacts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, String, Table, Text, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from routing.updates import UPDATE_CHANNELS
from storage.engine import from_row, metadata

update_contacts = Table(
    "update_contacts",
    metadata,
    Column("reference", String(16), primary_key=True),
    Column("channel", String(8), nullable=False),  # text, email, letter or none
    Column("contact", Text),  # E.164 number, email address or address lines; None for "none"
    Column("conversation_id", String(128)),  # ties sent/failed outcome events to the conversation
    Column("chosen_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class UpdateContact:
    """A resident's choice of updates for one reference."""

    reference: str
    channel: str
    contact: str | None
    conversation_id: str | None
    chosen_at: datetime


class UpdateContacts:
    """Stores and reads residents' choices of updates."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def choose(
        self, reference: str, channel: str, contact: str | None, conversation_id: str | None,
        now: datetime | None = None,
    ) -> None:  # fmt: skip
        """Record the choice for ``reference`` (replacing any earlier one). ``contact`` is what
        ``check_contact`` returned; channel "none" keeps no contact at all."""
        if channel not in UPDATE_CHANNELS:
            raise ValueError(f"no update channel {channel!r}; use one of {', '.join(UPDATE_CHANNELS)}")
        if channel != "none" and not contact:
            raise ValueError(f"a contact is needed for updates by {channel}")
        values = {
            "channel": channel, "contact": None if channel == "none" else contact,
            "conversation_id": conversation_id, "chosen_at": now or clock.now(),
        }  # fmt: skip
        for _attempt in range(2):  # another process may insert it between our update and insert
            with self._engine.begin() as connection:
                same = update_contacts.c.reference == reference
                if connection.execute(update(update_contacts).where(same).values(**values)).rowcount:
                    return
            try:
                with self._engine.begin() as connection:
                    connection.execute(update_contacts.insert().values(reference=reference, **values))
                return
            except IntegrityError:  # the other process's row is there now: update it instead
                continue

    def get(self, reference: str) -> UpdateContact | None:
        """The choice for ``reference``, or None when none was made (or it has been forgotten)."""
        with self._engine.connect() as connection:
            query = select(update_contacts).where(update_contacts.c.reference == reference)
            row = connection.execute(query).mappings().first()
        return None if row is None else from_row(UpdateContact, row)
