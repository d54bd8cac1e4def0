"""Safeguarding and consent actions: what the resident reads and what gets recorded."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.support import ActionAcknowledgeNeed, ActionBereavedHome, ActionRecordConsent, ActionSafeguarding
from tests.actions.conftest import said, tracker


def need(category: str, adjustment: str | None = None, kind: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"category": category, "confidence": 0.95}
    if adjustment:
        item["adjustment"] = adjustment
    if kind:
        item["kind"] = kind
    return item


def user_event(text: str, intent: str, *needs: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}, "entities": [], "support_needs": list(needs)},
    }


async def test_safeguarding_closes_the_form_and_puts_999_first(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    current = tracker("...", "inform", slots={"service": "missed_bin", "requested_slot": "location"})
    current.latest_message["support_needs"] = [need("safeguarding", kind="self_harm")]
    events = await ActionSafeguarding().run(dispatcher, current, domain)
    texts = [message.get("text") or "" for message in dispatcher.messages]
    assert "999" in texts[1] and "116 123" in said(dispatcher)
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert {"event": "slot", "name": "service", "value": None, "timestamp": None} in events
    assert all("exit_this_page" not in str(message.get("custom")) for message in dispatcher.messages)


async def test_abuse_shows_the_exit_this_page_control(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> None:
    current = tracker("...", "inform")
    current.latest_message["support_needs"] = [need("safeguarding", kind="domestic_abuse")]
    await ActionSafeguarding().run(dispatcher, current, domain)
    assert "0808 2000 247" in said(dispatcher)
    assert any((message.get("custom") or {}).get("exit_this_page") for message in dispatcher.messages)


async def test_acknowledgement_thanks_explains_and_asks_one_question(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = [
        user_event("i have no internet", "make_payment", need("digital_exclusion", "prefers_phone_or_face_to_face"))
    ]
    await ActionAcknowledgeNeed().run(dispatcher, tracker(events=events), domain)
    text = said(dispatcher)
    assert text.startswith("Thank you for telling me.")
    assert text.count("?") == 1 and "phone or face to face" in text
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]


async def test_yes_records_the_adjustment_not_the_diagnosis(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    disclosure = user_event(
        "my english not good, i speak polish",
        "inform",
        need("language_literacy", "needs_interpreter_or_plain_language"),
    )
    events = [disclosure, {"event": "action", "name": "action_acknowledge_need"}, user_event("yes", "affirm")]
    result = await ActionRecordConsent().run(dispatcher, tracker("yes", "affirm", events=events), domain)
    assert result == [
        {"event": "slot", "name": "adjustments", "value": ["needs interpreter: Polish"], "timestamp": None}
    ]
    assert "interpreter" in said(dispatcher)


async def test_no_records_nothing_but_still_gives_the_help(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    disclosure = user_event("i can't afford it", "make_payment", need("financial_hardship", "may_need_payment_help"))
    events = [disclosure, {"event": "action", "name": "action_acknowledge_need"}, user_event("no", "deny")]
    result = await ActionRecordConsent().run(dispatcher, tracker("no", "deny", events=events), domain)
    assert result == []
    assert "I have not noted anything" in said(dispatcher)
    assert "Council Tax Support" in said(dispatcher)


async def test_a_bereavement_gets_condolence_first_and_the_question_last(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = [user_event("my husband died last week", "inform", need("life_event", "needs_extra_care"))]
    await ActionAcknowledgeNeed().run(dispatcher, tracker(events=events), domain)
    texts = [str(message.get("text")) for message in dispatcher.messages]
    assert len(texts) == 3
    assert texts[0].startswith("I am so sorry for your loss.") and "Tell Us Once" in texts[0]
    assert "council tax team on 023 8083 3003" in texts[1]
    assert texts[2].endswith("May I note that you need a little extra time and care?")
    assert [b["payload"] for b in dispatcher.messages[-1]["buttons"]] == ["/affirm", "/deny"]


async def test_a_son_acting_for_his_mum_is_asked_about_her(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    text = "I'm writing for my mum, she uses a wheelchair"
    needs = (
        need("carer_proxy", "acting_for_someone_else"),
        need("disability", "needs_home_visit_or_step_free_access"),
    )
    events = [user_event(text, "inform", *needs)]
    await ActionAcknowledgeNeed().run(dispatcher, tracker(events=events), domain)
    question = str(dispatcher.messages[-1]["text"])
    assert question == (
        "May I note that you are helping your mum with this, and that she may need step-free access or a home visit?"
    )
    consent = [*events, {"event": "action", "name": "action_acknowledge_need"}, user_event("yes", "affirm")]
    answer = CollectingDispatcher()
    result = await ActionRecordConsent().run(answer, tracker("yes", "affirm", events=consent), domain)
    assert result == [
        {
            "event": "slot",
            "name": "adjustments",
            "value": ["acting for someone else: their mum", "needs home visit or step free access (for their mum)"],
            "timestamp": None,
        }
    ]
    assert said(answer).startswith("Thank you. I have noted that you are helping your mum with this")


async def test_a_council_home_after_a_death_gets_whom_to_call_about_the_tenancy(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    events = await ActionBereavedHome().run(dispatcher, tracker("she lived on her own in a council flat"), domain)
    assert len(dispatcher.messages) == 1 and events == []
    assert "council homes team on 023 8083" in said(dispatcher) and "tenancy" in said(dispatcher)
    assert "?" not in said(dispatcher)  # nothing to answer: the resident says what they need next
