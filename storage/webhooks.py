"""Signed outgoing webhooks' tables: who subscribes, the events, and each delivery to each subscriber.

``record_event`` is called inside the transaction that makes the change (a case created, a report
closed), so an event is stored exactly when its change is: none lost, none invented. It queues one
delivery for each active subscriber that wants the event's type, then and there. The delivery queue
(leases, retries, the log) is ``storage.webhook_deliveries``; the rules are ``routing.webhooks``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    select,
    update,
)  # fmt: skip
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from routing.webhooks import (
    NO_SUCH_SUBSCRIBER,
    SubscriberNotFound,
    SubscriberSpec,
    WebhookError,
    check_data,
    check_events,
    check_name,
    check_url,
    new_secret,
    secret_key,
)
from storage.engine import from_row, metadata

webhook_subscribers = Table(
    "webhook_subscribers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("url", String(500), nullable=False),
    Column("secret", String(128), nullable=False),  # whsec_...: the sender needs it whole to sign
    Column("events", Text, nullable=False),  # JSON: ["case.created", ...]
    Column("active", Boolean, nullable=False),
    Column("council_system", Boolean, nullable=False),  # may receive residents' words
    Column("from_file", Boolean, nullable=False),  # set by COUNCIL_WEBHOOKS_FILE, changed only there
    Column("note", String(200)),  # why it was paused, when the sender paused it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(40), nullable=False, unique=True),  # evt_...: the webhook-id header
    Column("event_type", String(32), nullable=False),
    Column("reference", String(16), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("data", Text, nullable=False),  # JSON: fixed vocabularies only (routing.webhooks.SAFE_FIELDS)
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, ForeignKey("webhook_events.id", ondelete="CASCADE"), nullable=False, index=True),
    Column(
        "subscriber_id", Integer, ForeignKey("webhook_subscribers.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("state", String(16), nullable=False, index=True),  # pending, delivered, gave_up
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("lease_until", DateTime(timezone=True)),  # a process is sending it until then
    Column("leased_by", String(32)),
    Column("last_status", Integer),  # the receiver's HTTP status; None for no answer
    Column("last_error", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    UniqueConstraint("event_id", "subscriber_id", name="one_delivery_per_subscriber"),
)

PENDING, DELIVERED, GAVE_UP = "pending", "delivered", "gave_up"
MANAGER_FILE = "the webhooks file"  # ``created_by`` of subscribers from COUNCIL_WEBHOOKS_FILE


def record_event(
    connection: Connection, event_type: str, reference: str, data: Mapping[str, Any], now: datetime | None = None
) -> str:
    """Store an event on ``connection`` (inside the change's own transaction) and queue a delivery
    to every active subscriber of its type; its id (``evt_...``).

    ``data`` holds fixed vocabularies only (InvalidEvent otherwise, which undoes the change with it).
    """
    now = now or clock.now()
    checked = check_data(event_type, data)
    event_id = f"evt_{uuid.uuid4().hex}"
    values = {"event_id": event_id, "event_type": event_type, "reference": reference, "at": now}
    row_id = connection.execute(webhook_events.insert().values(data=json.dumps(checked), **values))
    stored_id = int(row_id.inserted_primary_key[0])
    subscribers = connection.execute(
        select(webhook_subscribers.c.id, webhook_subscribers.c.events).where(webhook_subscribers.c.active.is_(True))
    ).all()
    wanting = [row.id for row in subscribers if event_type in json.loads(row.events)]
    if wanting:
        pending = {"state": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now}
        connection.execute(
            webhook_deliveries.insert(),
            [{"event_id": stored_id, "subscriber_id": subscriber, **pending} for subscriber in wanting],
        )
    return event_id


@dataclass(frozen=True)
class Subscriber:
    """A subscriber as the manager's page shows it (never its secret)."""

    id: int
    name: str
    url: str
    events: tuple[str, ...]
    active: bool
    council_system: bool
    from_file: bool
    note: str | None
    created_at: datetime
    created_by: str


class WebhookSubscribers:
    """Adds, pauses and removes subscribers, and keeps those from the webhooks file as the file says."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def all(self) -> list[Subscriber]:
        """Every subscriber, by name."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(webhook_subscribers).order_by(webhook_subscribers.c.name)).mappings()
            return [_subscriber(row) for row in rows]

    def get(self, subscriber_id: int) -> Subscriber:
        """The subscriber; WebhookError when there is none (it was removed meanwhile, say)."""
        with self._engine.connect() as connection:
            query = select(webhook_subscribers).where(webhook_subscribers.c.id == subscriber_id)
            row = connection.execute(query).mappings().first()
        if row is None:
            raise SubscriberNotFound(NO_SUCH_SUBSCRIBER)
        return _subscriber(row)

    def add(
        self, name: str, url: str, events: Sequence[str], council_system: bool, by: str, now: datetime | None = None
    ) -> tuple[Subscriber, str]:
        """A new active subscriber with a fresh signing secret: (it, the secret, to show once).

        WebhookError for a name already taken or settings that cannot be used."""
        secret = new_secret()
        spec = SubscriberSpec(
            check_name(name), check_url(url, council_system), secret, check_events(events), council_system
        )
        values = _values(spec) | {"from_file": False, **_new(now or clock.now(), by)}
        try:
            with self._engine.begin() as connection:
                new_id = connection.execute(webhook_subscribers.insert().values(**values)).inserted_primary_key[0]
        except IntegrityError:
            raise WebhookError(f"There is already a subscriber called {spec.name!r}. Choose another name.") from None
        return self.get(int(new_id)), secret

    def set_active(self, subscriber_id: int, active: bool, note: str | None = None) -> Subscriber:
        """Pause a subscriber (its deliveries wait, and it gets no new events) or start it again."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(webhook_subscribers)
                .where(webhook_subscribers.c.id == subscriber_id)
                .values(active=active, note=None if active else note)
            ).rowcount
        if changed != 1:
            raise SubscriberNotFound(NO_SUCH_SUBSCRIBER)
        return self.get(subscriber_id)

    def remove(self, subscriber_id: int) -> None:
        """Remove a subscriber with its queue and log; one from the webhooks file is changed there."""
        if self.get(subscriber_id).from_file:
            raise WebhookError("This subscriber comes from the webhooks file: remove it there, then restart.")
        with self._engine.begin() as connection:
            connection.execute(delete(webhook_deliveries).where(webhook_deliveries.c.subscriber_id == subscriber_id))
            connection.execute(delete(webhook_subscribers).where(webhook_subscribers.c.id == subscriber_id))

    def keep_as_file_says(self, specs: Sequence[SubscriberSpec], now: datetime | None = None) -> None:
        """Make the file's subscribers what the file says (taking over a manager's of the same name),
        and remove those it no longer names. Safe when several processes start at once."""
        now = now or clock.now()
        named = [spec.name for spec in specs]
        with self._engine.begin() as connection:
            gone = select(webhook_subscribers.c.id).where(
                webhook_subscribers.c.from_file.is_(True), webhook_subscribers.c.name.not_in(named)
            )
            old = [row.id for row in connection.execute(gone).all()]
            if old:
                connection.execute(delete(webhook_deliveries).where(webhook_deliveries.c.subscriber_id.in_(old)))
                connection.execute(delete(webhook_subscribers).where(webhook_subscribers.c.id.in_(old)))
        for spec in specs:
            values = _values(spec) | {"from_file": True}
            for _attempt in range(2):  # another process may insert it between our update and insert
                with self._engine.begin() as connection:
                    same = webhook_subscribers.c.name == spec.name
                    if connection.execute(update(webhook_subscribers).where(same).values(**values)).rowcount:
                        break
                try:
                    with self._engine.begin() as connection:
                        connection.execute(webhook_subscribers.insert().values(**values, **_new(now, MANAGER_FILE)))
                    break
                except IntegrityError:
                    continue


def _values(spec: SubscriberSpec) -> dict[str, Any]:
    secret_key(spec.secret)  # a secret the sender could not sign with is refused before it is stored
    return {
        "name": spec.name,
        "url": spec.url,
        "secret": spec.secret,
        "events": json.dumps(list(spec.events)),
        "council_system": spec.council_system,
    }


def _new(now: datetime, by: str) -> dict[str, Any]:
    # A subscriber starts active; a restart leaves a paused one from the file paused.
    return {"active": True, "note": None, "created_at": now, "created_by": by}


def _subscriber(row: Mapping[str, Any]) -> Subscriber:
    return from_row(Subscriber, row, events=tuple(json.loads(row["events"])))
