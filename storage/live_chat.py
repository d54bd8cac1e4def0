"""Live chat messages and advisers' presence, kept so both pages can pick up new messages by id.

The rules (how long a resident may wait, when an adviser has gone) are ``routing.live_chat``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from routing import clock
from routing.handoffs import HandoffCase
from routing.live_chat import ADVISER_GONE, MAX_MESSAGE, QUEUE_TIMEOUT, LiveChatError, LiveMessage
from routing.redaction import redact
from storage.engine import as_utc, metadata
from storage.handoffs import HandoffStore

live_messages = Table(
    "live_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, index=True),
    Column("conversation_id", String(128), nullable=False, index=True),
    Column("sender", String(16), nullable=False),  # resident, adviser or system
    Column("author", String(80)),
    Column("text", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

adviser_presence = Table(
    "live_chat_presence",
    metadata,
    Column("reference", String(16), primary_key=True),
    Column("adviser_seen_at", DateTime(timezone=True), nullable=False),
)


class LiveChats:
    """Live chat messages and the checks that stop a resident waiting in silence."""

    def __init__(self, engine: Engine, handoffs: HandoffStore) -> None:
        self._engine = engine
        self.handoffs = handoffs

    def open_chat(self, conversation_id: str) -> HandoffCase | None:
        """The conversation's live chat that is waiting or with an adviser, if any."""
        return next(
            (case for case in self.handoffs.open_for_conversation(conversation_id) if case.mode == "live"), None
        )

    def post(self, case: HandoffCase, sender: str, text: str, author: str | None = None) -> LiveMessage:
        """Add a message (card numbers removed); LiveChatError when empty, too long, or the chat has
        ended (only the assistant's own notices are added after that)."""
        clean = redact(text or "").text.strip()
        if not clean:
            raise LiveChatError("Please type a message.")
        if len(clean) > MAX_MESSAGE:
            raise LiveChatError(f"Please keep a message under {MAX_MESSAGE} characters.")
        if sender != "system" and not self.handoffs.get(case.reference).open:
            raise LiveChatError("This chat has ended.")  # the assistant may still say why it ended
        now = clock.now()
        with self._engine.begin() as connection:
            new_id = connection.execute(
                live_messages.insert().values(
                    reference=case.reference,
                    conversation_id=case.conversation_id or "",
                    sender=sender,
                    author=author,
                    text=clean,
                    at=now,
                )  # fmt: skip
            ).inserted_primary_key[0]
        return LiveMessage(int(new_id), sender, author, clean, now)

    def messages(self, reference: str, after: int = 0) -> list[LiveMessage]:
        """The chat's messages after id ``after``, oldest first."""
        return self._after(live_messages.c.reference == reference, after)

    def for_conversation(self, conversation_id: str, after: int = 0) -> list[LiveMessage]:
        """Every live message in a resident's conversation after id ``after`` (all their chats)."""
        return self._after(live_messages.c.conversation_id == conversation_id, after)

    def _after(self, which: ColumnElement[bool], after: int) -> list[LiveMessage]:
        query = select(live_messages).where(which, live_messages.c.id > after).order_by(live_messages.c.id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [LiveMessage(r.id, r.sender, r.author, r.text, as_utc(r.at)) for r in rows]

    def adviser_here(self, reference: str, now: datetime | None = None) -> None:
        """The adviser's page checked in: they are still there."""
        now = now or clock.now()
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(adviser_presence).where(adviser_presence.c.reference == reference).values(adviser_seen_at=now)
            ).rowcount
            if not changed:
                connection.execute(adviser_presence.insert().values(reference=reference, adviser_seen_at=now))

    def _adviser_seen(self, reference: str) -> datetime | None:
        with self._engine.connect() as connection:
            seen = connection.execute(
                select(adviser_presence.c.adviser_seen_at).where(adviser_presence.c.reference == reference)
            ).scalar()
        return as_utc(seen) if seen else None

    def given_up(self, case: HandoffCase, now: datetime | None = None) -> str | None:
        """Why the chat should end now ("queue timed out", "adviser disconnected"), or None."""
        now = now or clock.now()
        # Timed from when it last joined the queue (a released chat starts waiting again).
        if case.status == "queued" and now - case.updated_at > QUEUE_TIMEOUT:
            return "Nobody was free to chat in time."
        if case.status == "claimed":
            # A check-in from before this adviser claimed it (someone else's) does not count.
            claimed = case.claimed_at or now
            seen = max(self._adviser_seen(case.reference) or claimed, claimed)
            if now - seen > ADVISER_GONE:
                return "The adviser was disconnected."
        return None
