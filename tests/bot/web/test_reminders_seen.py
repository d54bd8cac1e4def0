"""A no-show says whether the resident had a reminder: one sent through Notify, or written to the
local outbox, counts; one still waiting, failed, or a message that is not a reminder does not. A
database that cannot be read leaves the no-show without a value rather than failing the staff action.

A real Notify outbox on a real database (SQLite and PostgreSQL); the outcome recorder and Rasa are
the case service tests' stand-ins.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine

from bot.web.cases import CaseService
from bot.web.reminders_seen import RemindersSeen
from monitoring.events import EventKind
from routing.hours import load_schedule
from storage.handoffs import HandoffStore
from storage.live_chat import LiveChats
from storage.notify_outbox import FAILED, SENT, WRITTEN_LOCALLY, NotifyOutbox
from tests.bot.web.test_cases import ASHA, KeptOutcomes, KeptRasa, new_case
from tests.conftest import ALWAYS_OPEN

FIELDS = {"reference": "", "service": "Gateway visit", "when": "tomorrow at 10am"}


def deliver(outbox: NotifyOutbox, reference: str, kind: str, state: str | None) -> None:
    """Queue a message about ``reference``; with ``state``, the sender's last try ends in it."""
    outbox.queue(reference, kind, f"slot:{reference}", FIELDS | {"reference": reference})
    if state is None:
        return
    [message] = [message for message in outbox.claim(60) if message.reference == reference]
    outbox.record(message, state, channel="text", body="A reminder" if state == WRITTEN_LOCALLY else None)


@pytest.mark.parametrize(
    ("kind", "state", "reminded"),
    [("appointment_tomorrow", SENT, True), ("callback_today", WRITTEN_LOCALLY, True),
     ("appointment_tomorrow", None, False), ("appointment_tomorrow", FAILED, False),
     ("case_claimed", SENT, False)],
)  # fmt: skip
def test_only_a_reminder_that_went_out_counts(engine: Any, kind: str, state: str | None, reminded: bool) -> None:
    deliver(NotifyOutbox(engine), "SCC-7KQ4XH", kind, state)
    assert NotifyOutbox(engine).was_reminded("SCC-7KQ4XH") is reminded
    assert NotifyOutbox(engine).was_reminded("SCC-9MN3PW") is False  # another case's reminder is not this one's


@pytest.fixture
def cases(engine: Any) -> tuple[CaseService, KeptOutcomes]:
    store = HandoffStore(engine, load_schedule(ALWAYS_OPEN))
    outcomes = KeptOutcomes()
    service = CaseService(store, outcomes, KeptRasa(), LiveChats(engine, store), reminded=RemindersSeen(engine))  # type: ignore[arg-type]
    return service, outcomes


@pytest.mark.parametrize(("state", "value"), [(WRITTEN_LOCALLY, "reminded"), (None, "not_reminded")])
async def test_a_no_show_is_recorded_with_whether_it_had_its_reminder(engine, cases, state, value) -> None:
    service, outcomes = cases
    reference = new_case(service, "gateway", "appointment")
    deliver(NotifyOutbox(engine), reference, "appointment_tomorrow", state)
    await service.claim(reference, ASHA)
    await service.close(reference, "no_show", ASHA)
    assert outcomes.events[-1] == (EventKind.NO_SHOW, value)


async def test_other_outcomes_carry_no_reminder_value(cases) -> None:
    service, outcomes = cases
    reference = new_case(service, "phone", "callback")
    await service.claim(reference, ASHA)
    await service.close(reference, "unable_to_contact", ASHA)
    assert outcomes.events[-1] == (EventKind.UNABLE_TO_CONTACT, None)


def test_a_database_that_cannot_be_read_gives_no_answer_rather_than_an_error(tmp_path) -> None:
    empty = create_engine(f"sqlite:///{tmp_path}/empty.db", future=True)  # no outbox table at all
    assert RemindersSeen(empty)("SCC-7KQ4XH") is None
