"""The update sender through the real GOV.UK Notify client, pointed at a real local server that
speaks Notify's v2 API and checks every token (tests/notify_server.py): a normal send on each
channel, a 400 failed and not retried, a 500 then a send, a timeout whose request did reach Notify
(looked up, never sent twice), and the local outbox when no key is set. Real databases."""

from __future__ import annotations

from datetime import timedelta

from integrations.notify import send_due
from routing import clock
from routing.updates import MESSAGE_KINDS, NOTIFY_CHANNELS, PERSONALISATION, personalisation
from storage.notify_outbox import NotifyOutbox, outbox_key
from storage.update_contacts import UpdateContacts
from tests.notify_server import serving
from wiring.notify import NotifySettings

MOBILE = "+447700900123"
FIELDS = personalisation("HX4K7P2Q", "Missed bin collections", "today at 2:30pm")


def settings_for(server, timeout: float = 5.0) -> NotifySettings:
    templates = {
        (kind, channel): f"00000000-0000-4000-8000-{number:012d}"
        for number, (kind, channel) in enumerate((k, c) for k in MESSAGE_KINDS for c in NOTIFY_CHANNELS)
    }
    return NotifySettings(api_key=server.api_key, base_url=server.url, templates=templates, timeout=timeout)


class Outcomes:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bool]] = []

    def __call__(self, message, channel: str, sent: bool) -> None:
        self.seen.append((message.reference, channel, sent))


def queued(engine, channel: str = "text", contact: str = MOBILE, kind: str = "report_updated") -> NotifyOutbox:
    UpdateContacts(engine).choose("HX4K7P2Q", channel, contact, "conversation-1")
    outbox = NotifyOutbox(engine)
    assert outbox.queue("HX4K7P2Q", kind, "evt_1", FIELDS)
    assert not outbox.queue("HX4K7P2Q", kind, "evt_1", FIELDS)  # queued once, however often planned
    return outbox


def later(set_clock, hours: float = 2) -> None:
    set_clock(clock.now() + timedelta(hours=hours))


async def test_a_text_goes_to_notify_with_only_the_reference_service_and_time(engine):
    outbox, outcomes = queued(engine), Outcomes()
    async with serving() as server:
        assert await send_due(outbox, settings_for(server), outcomes) == 1
    [sent] = server.notifications
    assert sent["type"] == "sms" and sent["phone_number"] == MOBILE
    assert sent["personalisation"] == FIELDS and set(sent["personalisation"]) == set(PERSONALISATION)
    assert sent["reference"] == outbox_key("HX4K7P2Q", "report_updated", "evt_1")
    assert sent["template_id"] == settings_for(server).templates[("report_updated", "text")]
    [entry] = outbox.entries()
    assert (entry.state, entry.channel, entry.attempts) == ("sent", "text", 1)
    assert outcomes.seen == [("HX4K7P2Q", "text", True)]


async def test_an_email_and_a_letter_go_to_their_own_addresses(engine):
    async with serving() as server:
        outbox = queued(engine, "email", "resident@example.org")
        await send_due(outbox, settings_for(server), Outcomes())
        UpdateContacts(engine).choose("HX4K7P2Q", "letter", "Flat 2\n1 High Street\nSouthampton\nSO14 7LY", None)
        outbox.queue("HX4K7P2Q", "report_closed", "evt_2", FIELDS)
        await send_due(outbox, settings_for(server), Outcomes())
    email, letter = server.notifications
    assert email["email_address"] == "resident@example.org" and email["personalisation"] == FIELDS
    assert letter["type"] == "letter"
    assert letter["personalisation"] == {
        **FIELDS, "address_line_1": "Flat 2", "address_line_2": "1 High Street", "address_line_3": "Southampton",
        "address_line_4": "SO14 7LY",
    }  # fmt: skip


async def test_a_400_is_failed_for_staff_and_not_tried_again(engine, set_clock):
    outbox, outcomes = queued(engine), Outcomes()
    async with serving() as server:
        server.fail_next("400")
        await send_due(outbox, settings_for(server), outcomes)
        later(set_clock)
        assert await send_due(outbox, settings_for(server), outcomes) == 0
    assert server.posts == 1 and server.notifications == []
    [entry] = outbox.entries()
    assert entry.state == "failed" and entry.last_error == "Notify answered 400 (BadRequestError)"
    assert outcomes.seen == [("HX4K7P2Q", "text", False)]


async def test_a_500_is_tried_again_and_sent_once(engine, set_clock):
    outbox, outcomes = queued(engine), Outcomes()
    async with serving() as server:
        server.fail_next("500")
        await send_due(outbox, settings_for(server), outcomes)
        assert outbox.entries()[0].state == "pending" and outcomes.seen == []
        assert await send_due(outbox, settings_for(server), outcomes) == 0  # not due yet: it waits
        later(set_clock)
        await send_due(outbox, settings_for(server), outcomes)
    assert server.posts == 2 and len(server.notifications) == 1
    assert outbox.entries()[0].state == "sent" and outcomes.seen == [("HX4K7P2Q", "text", True)]


async def test_a_timeout_after_notify_took_the_message_is_looked_up_not_sent_again(engine, set_clock):
    outbox, outcomes = queued(engine), Outcomes()
    async with serving(hang_seconds=1.5) as server:
        server.fail_next("store_then_hang")
        await send_due(outbox, settings_for(server, timeout=0.5), outcomes)
        [entry] = outbox.entries()
        assert entry.state == "pending" and "No answer from Notify" in (entry.last_error or "")
        later(set_clock)
        await send_due(outbox, settings_for(server, timeout=0.5), outcomes)
    assert server.posts == 1 and len(server.notifications) == 1
    assert outbox.entries()[0].state == "sent" and outcomes.seen == [("HX4K7P2Q", "text", True)]


async def test_a_wrong_key_is_refused_by_the_server_and_failed(engine):
    outbox, outcomes = queued(engine), Outcomes()
    async with serving() as server:
        wrong = NotifySettings(
            api_key=f"test_key-{server.service_id}-00000000-0000-4000-8000-000000000000", base_url=server.url,
            templates=settings_for(server).templates,
        )  # fmt: skip
        await send_due(outbox, wrong, outcomes)
    assert server.notifications == [] and outbox.entries()[0].state == "failed"
    assert outbox.entries()[0].last_error == "Notify answered 403 (AuthError)"


async def test_with_no_key_each_message_is_written_to_the_local_outbox(engine):
    outbox, outcomes = queued(engine), Outcomes()
    assert await send_due(outbox, NotifySettings(), outcomes) == 1
    [entry] = outbox.entries()
    assert entry.state == "written_locally"
    assert entry.body == (
        "Your report HX4K7P2Q about Missed bin collections was updated today at 2:30pm. "
        "To find out more, contact us and give your reference."
    )
    assert MOBILE not in entry.body and outcomes.seen == [("HX4K7P2Q", "text", True)]


async def test_a_resident_who_stopped_updates_is_not_sent_the_waiting_message(engine):
    outbox = queued(engine)
    UpdateContacts(engine).choose("HX4K7P2Q", "none", None, None)
    await send_due(outbox, NotifySettings(), Outcomes())
    [entry] = outbox.entries()
    assert entry.state == "cancelled" and entry.body is None
