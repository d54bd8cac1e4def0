"""The webhooks' rules: the signature matches the Standard Webhooks spec's own test vector and a
receiver's independent check, event bodies hold codes only, and failures are retried or given up
as documented."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone

import pytest

from routing.webhooks import (
    EVENT_TYPES,
    InvalidEvent,
    RetryPolicy,
    WebhookError,
    case_events,
    check_data,
    check_events,
    check_url,
    event_body,
    new_secret,
    secret_key,
    shared_data,
    signature,
    signed_headers,
    verdict,
)
from tests.integrations.receiver import verify

# The test vector in the Standard Webhooks Python library's tests
# (standard-webhooks/standard-webhooks:libraries/python/tests/test_webhooks.py, test_sign_function).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_is_the_one_the_spec_gives_for_its_test_vector():
    assert signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_a_receiver_checking_as_the_spec_says_accepts_what_is_signed_and_nothing_else():
    secret, body, now = new_secret(), b'{"id":"evt_1","type":"case.created"}', int(time.time())
    headers = signed_headers(secret, "evt_1", now, body)
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b"created", b"claimed"))  # a tampered body
    assert not verify(new_secret(), headers, body)  # another secret
    assert not verify(secret, {**headers, "webhook-id": "evt_2"}, body)  # the id is signed too
    assert not verify(secret, headers, body, now=now + 6 * 60)  # replayed after five minutes


def test_a_new_secret_is_the_specs_form_and_never_the_same_twice():
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert secret != new_secret()


@pytest.mark.parametrize(
    "bad", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_" + base64.b64encode(b"short").decode()]
)
def test_a_secret_that_is_not_whsec_and_24_to_64_bytes_is_refused(bad):
    with pytest.raises(WebhookError):
        secret_key(bad)


def test_an_event_body_is_compact_json_with_the_specs_fields():
    at = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)
    body = event_body("evt_1", "case.created", at, "SCC-7KQ4XH", {"channel": "phone", "service_code": None})
    assert b" " not in body
    assert json.loads(body) == {
        "id": "evt_1", "type": "case.created", "timestamp": "2026-12-07T15:00:00Z",
        "data": {"reference": "SCC-7KQ4XH", "channel": "phone"},
    }  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [
        {"summary": "my bin was missed"},  # a field that is not a code
        {"service_code": "missed bin outside 12 Acacia Avenue"},  # free text in a code's place
        {"channel": 7},
    ],
)
def test_an_event_cannot_carry_free_text(data):
    with pytest.raises(InvalidEvent):
        check_data("case.created", data)


def test_an_unknown_event_type_is_refused():
    with pytest.raises(InvalidEvent):
        check_data("case.deleted", {})


@pytest.mark.parametrize(
    ("status", "events"),
    [
        ("claimed", ("case.claimed",)),
        ("resolved", ("case.resolved", "case.closed")),
        ("unable_to_contact", ("case.closed",)),
        ("no_show", ("case.closed",)),
        ("cancelled", ("case.closed",)),
        ("queued", ()),
    ],
)
def test_each_change_of_a_case_makes_its_events(status, events):
    assert case_events(status) == events


@pytest.mark.parametrize(
    ("url", "council", "ok"),
    [
        ("https://crm.example.gov.uk/hooks", True, True),
        ("http://crm.example.gov.uk/hooks", False, True),
        ("http://crm.example.gov.uk/hooks", True, False),  # residents' words never over plain http...
        ("http://127.0.0.1:9000/hooks", True, True),  # ...except on this machine
        ("ftp://crm.example.gov.uk/", False, False),
        ("javascript:alert(1)", False, False),
        ("https://", False, False),
        ("https://host:port/", False, False),
    ],
)
def test_only_web_addresses_are_taken(url, council, ok):
    if ok:
        assert check_url(url, council) == url
    else:
        with pytest.raises(WebhookError):
            check_url(url, council)


def test_events_are_chosen_from_the_known_types():
    assert check_events(["report.created", "case.created"]) == ("case.created", "report.created")
    for bad in ([], ["case.deleted"]):
        with pytest.raises(WebhookError):
            check_events(bad)
    assert check_events(EVENT_TYPES) == EVENT_TYPES


POLICY = RetryPolicy()


@pytest.mark.parametrize(
    ("status", "attempts", "expected"),
    [
        (200, 1, "delivered"),
        (204, 5, "delivered"),
        (None, 1, "retry"),  # no answer: a timeout or a refused connection
        (500, 1, "retry"),
        (503, 15, "retry"),
        (503, 16, "gave_up"),  # the cap
        (429, 5, "retry"),
        (408, 5, "retry"),
        (400, 1, "retry"),
        (400, 3, "gave_up"),  # the request itself is refused: a few tries only
        (301, 3, "gave_up"),
        (410, 1, "gone"),
    ],
)
def test_what_an_answer_means(status, attempts, expected):
    assert verdict(status, attempts, POLICY) == expected


def test_the_wait_grows_with_jitter_up_to_the_cap():
    waits = [POLICY.delay(attempts) for attempts in range(1, 17)]
    assert 8 <= waits[0] <= 10 and 24 <= waits[1] <= 30
    assert max(waits) <= POLICY.cap and waits[-1] >= POLICY.cap * 0.8
    assert len({round(POLICY.delay(3), 6) for _ in range(20)}) > 1  # jittered
    assert POLICY.delay(1, retry_after=120) >= 120  # a Retry-After is honoured


def test_the_default_schedule_gives_up_after_about_two_days():
    steady = RetryPolicy(jitter=0)
    total = sum(steady.delay(attempts) for attempts in range(1, steady.attempts))
    assert 2 * 24 * 3600 < total < 3 * 24 * 3600


@pytest.mark.parametrize(
    ("data", "council_system", "shared"),
    [
        ({"channel": "phone", "mode": "callback", "trigger": "asked"}, False, {"channel": "phone", "mode": "callback"}),
        ({"channel": "emergency", "mode": "emergency", "trigger": "safeguarding", "status": "queued"}, False,
         {"status": "queued"}),
        ({"channel": "emergency", "mode": "emergency", "trigger": "safeguarding"}, True,
         {"channel": "emergency", "mode": "emergency", "trigger": "safeguarding"}),
        ({"stage": "closed", "service_code": "pothole"}, False, {"stage": "closed", "service_code": "pothole"}),
    ],
)  # fmt: skip
def test_only_the_council_system_hears_why_a_case_began_or_that_it_was_urgent(data, council_system, shared):
    assert shared_data(data, council_system) == shared
