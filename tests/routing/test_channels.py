"""The channel decision: who gets which first offer, by need, time and capacity."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from routing.catalogue import default_catalogue
from routing.channels import Capacity, ChannelOption, HandoffContext, decide_channels
from routing.handoff_replies import asks_for_soon, channel_from_text, soonest
from routing.hours import load_schedule

UK = ZoneInfo("Europe/London")
TUESDAY_11AM = datetime(2026, 12, 1, 11, 0, tzinfo=UK)
TUESDAY_9PM = datetime(2026, 12, 1, 21, 0, tzinfo=UK)
BANK_HOLIDAY_9PM = datetime(2026, 12, 28, 21, 0, tzinfo=UK)  # Boxing Day, moved to Monday 28th
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=UK)
STAFFED = Capacity(advisers_online=2, webchat_waiting=1)


def offer(now: datetime, capacity: Capacity = STAFFED, **context: object) -> list[ChannelOption]:
    return decide_channels(
        HandoffContext(now=now, capacity=capacity, **context),  # type: ignore[arg-type]
        load_schedule(),
        default_catalogue().council,
    )


def ways(options: list[ChannelOption]) -> list[tuple[str, str]]:
    return [(option.channel, option.mode) for option in options]


@pytest.mark.parametrize(
    ("case", "now", "context", "first"),
    [
        ("anyone, in hours, webchat staffed", TUESDAY_11AM, {}, ("webchat", "live")),
        ("no internet", TUESDAY_11AM, {"needs": frozenset({"digital_exclusion"})}, ("phone", "call_now")),
        ("older, prefers phone (consented)", TUESDAY_11AM,
         {"adjustments": frozenset({"prefers phone or face to face"})}, ("phone", "call_now")),
        ("deaf", TUESDAY_11AM, {"adjustments": frozenset({"prefers_text_relay_or_webchat"})}, ("webchat", "live")),
        ("limited English", TUESDAY_11AM, {"needs": frozenset({"language_literacy"})}, ("phone", "call_now")),
        ("step-free access", TUESDAY_11AM,
         {"adjustments": frozenset({"needs_home_visit_or_step_free_access"})}, ("phone", "call_now")),
        ("asked for the Gateway", TUESDAY_11AM, {"preference": "gateway"}, ("gateway", "walk_in")),
        ("anyone, 9pm on a weekday", TUESDAY_9PM, {}, ("phone", "callback")),
        ("anyone, 9pm on a bank holiday", BANK_HOLIDAY_9PM, {}, ("phone", "callback")),
        ("anyone, Saturday", SATURDAY_NOON, {}, ("phone", "callback")),
        ("at risk", TUESDAY_11AM, {"needs": frozenset({"safeguarding"})}, ("emergency", "emergency")),
        ("at risk, at night", TUESDAY_9PM, {"needs": frozenset({"safeguarding"})}, ("emergency", "emergency")),
    ],
)  # fmt: skip
def test_the_first_offer_fits_the_resident_and_the_time(case, now, context, first):
    assert ways(offer(now, **context))[0] == first, case


def test_a_deaf_resident_is_never_told_to_ring():
    deaf = {"adjustments": frozenset({"prefers_text_relay_or_webchat"})}
    for now in (TUESDAY_11AM, TUESDAY_9PM, BANK_HOLIDAY_9PM):
        options = offer(now, **deaf)
        assert ("phone", "call_now") not in ways(options)
        assert ("phone", "callback") not in ways(options)
        assert not any("Call us on" in option.reason for option in options)
    in_hours = offer(TUESDAY_11AM, **deaf)
    assert ("phone", "text_relay") in ways(in_hours)
    assert "18001" in next(o.reason for o in in_hours if o.mode == "text_relay")


def test_a_deaf_resident_out_of_hours_is_offered_a_gateway_visit_with_sign_language():
    options = offer(TUESDAY_9PM, adjustments=frozenset({"prefers_text_relay_or_webchat"}))
    assert ways(options)[0] == ("gateway", "appointment")
    assert "Sign Language" in options[0].reason


def test_webchat_is_offered_only_while_someone_is_online_and_the_queue_has_room():
    assert ("webchat", "live") not in ways(offer(TUESDAY_11AM, Capacity(advisers_online=0)))
    full = Capacity(advisers_online=1, webchat_waiting=3)  # 3 per adviser in channels.yml
    assert ("webchat", "live") not in ways(offer(TUESDAY_11AM, full))
    assert ("webchat", "live") in ways(offer(TUESDAY_11AM, Capacity(advisers_online=1, webchat_waiting=2)))
    assert ("webchat", "live") not in ways(offer(TUESDAY_9PM))


def test_the_webchat_offer_says_how_many_are_waiting():
    options = offer(TUESDAY_11AM, Capacity(advisers_online=2, webchat_waiting=2))
    assert "2 people are waiting" in options[0].reason


def test_out_of_hours_the_offer_says_when_we_open_and_offers_a_gateway_appointment():
    options = offer(BANK_HOLIDAY_9PM)
    callback = options[0]
    assert "tomorrow at 9am" in callback.reason
    assert ("gateway", "appointment") in ways(options)


def test_urgent_housing_out_of_hours_gets_the_out_of_hours_line():
    options = offer(TUESDAY_9PM, service="housing_repair")
    assert ("phone", "out_of_hours_line") in ways(options)
    line = next(o for o in options if o.mode == "out_of_hours_line")
    assert "023 8023 3344" in line.reason
    assert ways(options)[0] == ("phone", "out_of_hours_line")  # it comes first when it is urgent


def test_every_offer_out_of_hours_gives_a_number_to_ring_now_last_when_it_is_not_urgent():
    options = offer(TUESDAY_9PM, service="missed_bin")
    assert ways(options)[-1] == ("phone", "out_of_hours_line")
    assert "for emergencies" in options[-1].reason


def test_at_risk_out_of_hours_gets_999_then_the_out_of_hours_line():
    options = offer(TUESDAY_9PM, needs=frozenset({"safeguarding"}))
    assert ways(options)[:2] == [("emergency", "emergency"), ("phone", "out_of_hours_line")]
    assert "999" in options[0].reason and "55" in options[0].reason


def test_an_interpreter_is_promised_on_the_phone_for_limited_english():
    options = offer(TUESDAY_11AM, needs=frozenset({"language_literacy"}))
    assert "interpreter" in options[0].reason


def test_every_offer_has_a_short_plain_reason_and_a_button_label():
    for now in (TUESDAY_11AM, TUESDAY_9PM, BANK_HOLIDAY_9PM, SATURDAY_NOON):
        for option in offer(now, needs=frozenset({"safeguarding", "digital_exclusion"})):
            assert option.title and len(option.title) <= 25
            assert option.reason and all(len(sentence.split()) <= 22 for sentence in option.reason.split(". "))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can you ring me back", ("phone", "callback")),
        ("no i want live chat not a call back", ("webchat", None)),
        ("not a call back, live chat please", ("webchat", None)),
        ("i dont want a call back i want to come in", ("gateway", None)),
        ("i want to chat not ring", ("webchat", None)),
        ("book me an appointment", ("gateway", "appointment")),
        ("whatever", None),
    ],
)
def test_the_way_a_typed_answer_asks_for(text: str, expected: tuple[str, str | None] | None) -> None:
    assert channel_from_text(text) == expected


def test_asking_for_someone_today_when_closed_gets_the_out_of_hours_line() -> None:
    closed = offer(TUESDAY_9PM)
    assert asks_for_soon("today") and asks_for_soon("can someone ring me tonight") and not asks_for_soon("phone")
    assert "023 8023 3344" in soonest(closed, "023 8023 3344").text
    assert soonest(offer(TUESDAY_11AM), "023 8023 3344").text.startswith("The soonest is")
