"""``python -m bot retention``: delete residents' data past its retention period, and the web
app's hourly run of the same.

The periods are ``wiring.settings.RetentionPeriods`` (defaults and reasons in the README). The
command prints counts only, never what was deleted.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Engine

from monitoring.recorder import monitoring_engine
from monitoring.retention import forget_resident_keys
from routing import clock
from storage.retention import (
    Deleted,
    forget_cases,
    forget_conversations,
    forget_reports,
    forget_transcripts,
    forget_update_contacts,
)
from storage.schema import ASSISTANT, migrate_monitoring, open_database
from wiring.settings import Settings, load_settings

logger = logging.getLogger(__name__)
RETENTION_SECONDS = 60 * 60  # hourly: nothing is kept much more than an hour past its period


@dataclass(frozen=True)
class RetentionRun:
    """What one run deleted (counts) and how many conversations lost their resident key."""

    deleted: Deleted
    keys_forgotten: int

    def lines(self) -> list[str]:
        """The counts in words, one a line."""
        return [*self.deleted.lines(), f"Resident keys forgotten: {self.keys_forgotten}"]


def apply_retention(
    settings: Settings, engine: Engine, monitoring: Engine, now: datetime | None = None
) -> RetentionRun:
    """Delete everything past its period, as of ``now`` (the assistant's clock by default). Blocking."""
    # Rasa stamps its events with the real time, not the assistant's clock (which a demonstration
    # may set days ahead): its conversations are aged by the real time.
    stamped = now or datetime.now(timezone.utc)
    now = now or clock.now()
    keep = settings.retention
    conversations, events = forget_conversations(settings.tracker_url, stamped - timedelta(days=keep.conversations))
    messages, transcripts = forget_transcripts(engine, now - timedelta(days=keep.transcripts))
    cases = forget_cases(engine, now - timedelta(days=keep.cases))
    reports = forget_reports(engine, now - timedelta(days=keep.cases))
    # Numbers and addresses for updates go with the closed cases' other details.
    forget_update_contacts(engine, now - timedelta(days=keep.transcripts))
    keys = forget_resident_keys(monitoring, now - timedelta(days=keep.resident_keys))
    return RetentionRun(Deleted(conversations, events, messages, transcripts, cases, reports), keys)


async def keep_retention(
    settings: Settings, engine: Engine, monitoring: Engine, every: float = RETENTION_SECONDS
) -> None:
    """Apply retention now and then every ``every`` seconds, off the event loop, until cancelled.
    A failure is logged and tried again next time."""
    while True:
        try:
            run = await asyncio.to_thread(apply_retention, settings, engine, monitoring)
            logger.info("Retention: %s", "; ".join(run.lines()))
        except Exception:  # noqa: BLE001 - the data waits an hour more; the web app carries on
            logger.exception("Could not apply the retention periods; trying again later")
        await asyncio.sleep(every)


def main() -> int:
    """The command: apply retention once and print what went, as counts."""
    settings = load_settings()
    engine = open_database(settings.database_url, ASSISTANT)
    monitoring = monitoring_engine(settings, engine)
    migrate_monitoring(monitoring)
    try:
        run = apply_retention(settings, engine, monitoring)
    finally:
        engine.dispose()
        if monitoring is not engine:
            monitoring.dispose()
    keep = settings.retention
    print(
        f"Kept: conversations {keep.conversations} days, transcripts {keep.transcripts} days, "
        f"closed cases {keep.cases} days, resident keys {keep.resident_keys} days."
    )
    print("\n".join(run.lines()))
    return 0
