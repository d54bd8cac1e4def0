"""The webhook sender against a real receiver on a real port that checks every signature itself
(tests/integrations/receiver.py): deliveries that verify, retries through an outage with the same
event id and one delivery in the end, two senders at once, refusals given up, and residents' words
only ever reaching the council's own case system. Real databases: SQLite, and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Callable

import pytest

from integrations.webhooks import keep_delivering
from routing.handoffs import NewHandoff
from routing.hours import load_schedule
from routing.webhooks import EVENT_TYPES, RetryPolicy
from storage.handoffs import HandoffStore
from storage.reports import ReportStore
from storage.webhook_deliveries import DeliveryQueue
from storage.webhooks import WebhookSubscribers
from tests.integrations.receiver import Receiver
from wiring.background import running

FAST = RetryPolicy(first_delay=0.05, factor=2, cap=0.3, jitter=0.2, attempts=30, refused_attempts=3, timeout=2)
WORDS = "the bin outside 12 Acacia Avenue was missed again"
NUMBER = "+447700900123"


async def eventually(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "it did not happen in time"
        await asyncio.sleep(0.05)


def senders(engine, count: int = 1) -> contextlib.AbstractAsyncContextManager[None]:
    """``count`` senders running at once, as ``count`` web-app processes would."""
    return running(*(keep_delivering(engine, 30, FAST, every=0.05) for _ in range(count)))


async def subscribe(engine, name: str, events=EVENT_TYPES, council_system: bool = False) -> Receiver:
    """A receiver, and its subscription made as a manager would (the secret shown once goes to it)."""
    receiver = Receiver(secret="")
    _, receiver.secret = WebhookSubscribers(engine).add(name, receiver.url, events, council_system, "morgan")
    return receiver


def new_case(engine, **changes) -> str:
    values = dict(
        channel="phone", mode="callback", trigger="detected_need", service_code="missed_bin",
        summary={"wanted": "Report a problem: Missed bin", "form": {"location": WORDS}},
        transcript=[{"who": "resident", "text": WORDS}], needs=[{"category": "older_age", "cue": "i'm 84"}],
        callback_number=NUMBER,
    )  # fmt: skip
    values.update(changes)
    return HandoffStore(engine, load_schedule()).create(NewHandoff(**values)).reference


async def test_each_delivery_is_signed_so_the_receiver_can_verify_it(engine):
    receiver = await subscribe(engine, "Council CRM")
    await receiver.start()
    try:
        reference = new_case(engine)
        async with senders(engine):
            await eventually(lambda: len(receiver.delivered) == 1)
    finally:
        await receiver.stop()
    [delivery] = receiver.received
    assert delivery.verified and delivery.status == 200
    body = delivery.json
    assert body["id"] == delivery.headers["webhook-id"] and body["id"].startswith("evt_")
    assert body["type"] == "case.created"
    assert body["data"] == {
        "reference": reference, "service_code": "missed_bin", "channel": "phone", "mode": "callback",
        "status": "queued",
    }  # fmt: skip
    assert delivery.headers["webhook-signature"].startswith("v1,")
    assert delivery.headers["Content-Type"] == "application/json"


async def test_a_receiver_that_is_away_then_failing_gets_the_event_once_it_is_back(engine):
    receiver = await subscribe(engine, "Council CRM", events=["case.created"])
    new_case(engine)
    queue = DeliveryQueue(engine)
    async with senders(engine):
        # Away: nothing listens on its port, so each attempt's connection is refused.
        await eventually(lambda: queue.log()[0].attempts >= 2)
        assert queue.log()[0].state == "pending" and queue.log()[0].last_status is None
        receiver.answer = 503  # back, but failing
        await receiver.start()
        try:
            await eventually(lambda: len(receiver.received) >= 2)
            receiver.answer = 200  # and well again
            await eventually(lambda: queue.log()[0].state == "delivered")
            await asyncio.sleep(0.5)  # time for a wrong second delivery to show itself
        finally:
            await receiver.stop()
    assert len(receiver.delivered) == 1
    assert len({request.headers["webhook-id"] for request in receiver.received}) == 1  # the same event every time
    assert all(request.verified for request in receiver.received)
    [line] = queue.log()
    assert line.last_status == 200 and line.attempts >= len(receiver.received) + 2  # two refused, then these


async def test_a_receiver_too_slow_to_answer_is_tried_again_with_the_same_event_id(engine):
    receiver = await subscribe(engine, "Council CRM", events=["case.created"])
    receiver.delay = FAST.timeout + 1  # it takes the request, but answers after the sender stopped waiting
    await receiver.start()
    queue = DeliveryQueue(engine)
    try:
        new_case(engine)
        async with senders(engine):
            await eventually(lambda: "No answer within" in str(queue.log()[0].last_error))
            receiver.delay = 0
            await eventually(lambda: queue.log()[0].state == "delivered")
    finally:
        await receiver.stop()
    # It saw the event more than once, always with one id: the idempotency key it keeps to notice a repeat.
    assert len(receiver.received) >= 2 and len({request.headers["webhook-id"] for request in receiver.received}) == 1


async def test_two_senders_at_once_deliver_each_event_once_to_each_subscriber(engine):
    first, second = await subscribe(engine, "Council CRM"), await subscribe(engine, "Reporting")
    await first.start()
    await second.start()
    try:
        references = {new_case(engine) for _ in range(12)}
        async with senders(engine, count=2):
            await eventually(lambda: len(first.delivered) == 12 and len(second.delivered) == 12)
            await asyncio.sleep(0.5)
    finally:
        await first.stop()
        await second.stop()
    for receiver in (first, second):
        ids = [request.headers["webhook-id"] for request in receiver.received]
        assert len(ids) == len(set(ids)) == 12
        assert {request.json["data"]["reference"] for request in receiver.received} == references


async def test_only_the_council_system_hears_residents_words(engine):
    council = await subscribe(engine, "Council CRM", council_system=True)
    other = await subscribe(engine, "Reporting")
    await council.start()
    await other.start()
    try:
        reference = new_case(engine)
        report = ReportStore(engine).create("pothole", "POT", "12 Acacia Avenue", WORDS, postcode="SO14 7LY")
        async with senders(engine):
            await eventually(lambda: len(council.delivered) == 2 and len(other.delivered) == 2)
    finally:
        await council.stop()
        await other.stop()
    for request in other.received:
        for private in ("Acacia", "7700", "i'm 84", "older_age", "SO14", "resident", "detected_need", "trigger"):
            assert private not in request.body.decode()
    shared = {request.json["type"]: request.json["data"] for request in other.received}
    assert shared["case.created"] == {
        "reference": reference, "service_code": "missed_bin", "channel": "phone", "mode": "callback",
        "status": "queued",
    }  # fmt: skip
    sent = {request.json["type"]: request.json["data"] for request in council.received}
    assert sent["case.created"]["reference"] == reference and sent["case.created"]["trigger"] == "detected_need"
    assert sent["case.created"]["resident"]["summary"]["form"] == {"location": WORDS}
    assert sent["case.created"]["resident"]["need_categories"] == ["older_age"]
    assert NUMBER not in json.dumps(sent)  # not even the council system gets the call-back number this way
    assert sent["report.created"]["reference"] == report.service_request_id
    assert sent["report.created"]["resident"]["description"] == WORDS
    assert sent["report.created"]["resident"]["address_string"] == "12 Acacia Avenue"


async def test_a_request_the_receiver_refuses_is_tried_a_few_times_then_given_up(engine):
    receiver = await subscribe(engine, "Council CRM", events=["case.created"])
    receiver.answer = 400
    await receiver.start()
    queue = DeliveryQueue(engine)
    try:
        new_case(engine)
        async with senders(engine):
            await eventually(lambda: queue.log()[0].state == "gave_up")
            await asyncio.sleep(0.5)
    finally:
        await receiver.stop()
    assert len(receiver.received) == FAST.refused_attempts == 3
    assert queue.log()[0].last_status == 400


async def test_a_receiver_that_says_gone_is_paused(engine):
    receiver = await subscribe(engine, "Old CRM", events=["case.created"])
    receiver.answer = 410
    await receiver.start()
    try:
        new_case(engine)
        async with senders(engine):
            await eventually(lambda: not WebhookSubscribers(engine).all()[0].active)
            new_case(engine)  # a later event is not queued for it while it is paused
            await asyncio.sleep(0.5)
    finally:
        await receiver.stop()
    assert len(receiver.received) == 1
    assert [line.state for line in DeliveryQueue(engine).log()] == ["gave_up"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_receiver_holding_another_secret_refuses_every_attempt(engine):
    receiver = await subscribe(engine, "Council CRM", events=["case.created"])
    receiver.secret = "whsec_" + "A" * 32  # not the secret it was given
    await receiver.start()
    queue = DeliveryQueue(engine)
    try:
        new_case(engine)
        async with senders(engine):
            await eventually(lambda: queue.log()[0].state == "gave_up")
    finally:
        await receiver.stop()
    assert len(receiver.received) == 3 and not any(request.verified for request in receiver.received)
    assert queue.log()[0].last_status == 401
