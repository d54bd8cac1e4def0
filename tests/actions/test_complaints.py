"""The complaint form's answers and questions, and logging the complaint as a case on a real database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import complaints, context
from actions.complaints import (
    ActionAskComplaintAbout,
    ActionAskComplaintDetails,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from actions.context import form_answer
from actions.conversation import ActionCancelTask
from actions.handoff_changes import ActionCancelHandoff
from actions.support import ActionOfferSupport
from actions.tasks import ActionCheckStatus
from monitoring.events import EventKind
from monitoring.outcomes import derive_outcome
from monitoring.schema import outcome_events
from routing.complaints import due_at
from routing.hours import load_schedule
from routing.references import find_reference
from tests.actions.conftest import said, tracker
from tests.actions.test_handoff import TUESDAY_11AM, user
from tests.actions.test_outcome_events import recorded

RUDE = "i want to complain about the man at the gateway who was rude to me"
THIRD_TIME = "this is the THIRD time i have asked, i want to complain"
FRUSTRATED = {"category": "frustration", "confidence": 0.9, "cue": "THIRD time"}
RISK = {"category": "safeguarding", "confidence": 0.95, "tier": "clear"}


@pytest.fixture(autouse=True)
def clock(set_clock: Callable[[datetime], None]) -> None:
    set_clock(TUESDAY_11AM)


def asked(slot: str) -> dict[str, Any]:
    return {"event": "slot", "name": "requested_slot", "value": slot}


def step(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


# --- which messages are answers ----------------------------------------------------------------

# message, intent, confidence -> is it taken as the answer to a complaint question?
ANSWERS = [
    ("the bin men threw my bin in the road", "report_issue", 0.99, True),
    ("i was charged twice for my council tax and nobody will refund it", "make_payment", 0.97, True),
    ("i applied for a parking permit in march and still have nothing", "apply_for_service", 0.95, True),
    ("i reported it three times and nobody came back to me", "check_status", 0.95, True),
    ("and i want to complain about the rudeness too", "make_complaint", 0.95, True),
    ("stop", "stop", 0.95, False),
    ("can i talk to a person", "request_human", 0.90, False),
    ("/report_issue", "report_issue", 1.0, False),  # the opening's button: a report instead
    ("", "inform", 0.99, False),
]


@pytest.mark.parametrize(("text", "intent", "confidence", "taken"), ANSWERS)
def test_the_residents_own_words_are_the_answer_unless_they_stop_or_ask_for_a_person(
    text: str, intent: str, confidence: float, taken: bool
) -> None:
    current = tracker(text, intent, confidence, slots={"requested_slot": "complaint_details"})
    assert (form_answer(current, "complaint_details", tasks_interrupt=False) == text) is taken


def test_an_answer_with_a_risk_sign_is_never_taken() -> None:
    current = tracker("they left me with nothing and i want to end it", "make_complaint")
    current.latest_message["support_needs"] = [RISK]
    current.slots["requested_slot"] = "complaint_details"
    assert form_answer(current, "complaint_details", tasks_interrupt=False) is None


@pytest.mark.parametrize(
    ("text", "confidence", "switches"),
    [
        ("i dont want it reported again i want to complain about the service", 0.95, True),
        ("complain", 0.95, False),  # a short answer is an answer
        ("i dont want it reported again i want to complain about the service", 0.5, False),  # unsure
    ],
)
def test_asking_to_complain_during_a_report_leaves_the_report(text: str, confidence: float, switches: bool) -> None:
    current = tracker(text, "make_complaint", confidence, slots={"requested_slot": "location"})
    assert (form_answer(current, "location") is None) is switches


# --- the first question is skipped when the request says enough ------------------------------


async def extract_about(current: Any, domain: dict[str, Any]) -> dict[str, Any]:
    return await ValidateComplaintForm().extract_complaint_about(CollectingDispatcher(), current, domain)


@pytest.mark.parametrize(
    ("history", "slots", "expected"),
    [
        ([user(RUDE, "make_complaint")], {}, {"complaint_about": RUDE}),
        ([user("i want to make a complaint", "make_complaint")], {}, {}),
        ([user(THIRD_TIME, "make_complaint", FRUSTRATED)], {}, {}),
        ([user("/make_complaint", "make_complaint")], {}, {}),
        ([user("i want to complain about council tax", "make_complaint")], {"service": "council_tax"},
         {"complaint_about": "i want to complain about council tax"}),
        ([user(RUDE, "make_complaint", RISK)], {}, {}),  # a risk sign is never an answer
        # After the consent question, the request is still the message that asked to complain.
        ([user(RUDE, "make_complaint"), step("action_acknowledge_need"), user("yes", "affirm")], {},
         {"complaint_about": RUDE}),
        # A request the form already ran for (made, or stopped) does not fill a new complaint.
        ([user(RUDE, "make_complaint"), step("complaint_form"), user("stop", "stop"), user("/make_complaint",
          "make_complaint")], {}, {}),
        ([user(RUDE, "make_complaint"), step("complaint_form"), user("hello", "greet")], {}, {}),
    ],
)  # fmt: skip
async def test_the_request_itself_answers_the_first_question_when_it_says_enough(
    history: list[dict[str, Any]], slots: dict[str, Any], expected: dict[str, Any], domain: dict[str, Any]
) -> None:
    latest = history[-1]
    current = tracker(latest["text"], latest["parse_data"]["intent"]["name"], slots=slots, events=history)
    assert await extract_about(current, domain) == expected


HELD = "He would not help me and sent me away. I would like an apology."
MAYBE_RISK = {"category": "safeguarding", "confidence": 0.67, "tier": "possible", "kind": "domestic_abuse"}


@pytest.mark.parametrize(
    ("risk", "reply", "after_check", "taken"),
    [
        (MAYBE_RISK, "/affirm", "action_risk_safe", HELD),  # "Yes, I am safe": the words were the answer
        (MAYBE_RISK, "/deny", "action_safeguarding", None),  # "No, I need help now": never an answer
        (RISK, "/affirm", "action_risk_safe", None),  # a clear sign is never held as an answer
    ],
)
async def test_an_answer_held_back_by_a_safety_check_is_taken_once_the_resident_is_safe(
    risk: dict[str, Any], reply: str, after_check: str, taken: str | None
) -> None:
    history = [
        user(RUDE, "make_complaint"), step("complaint_form"), asked("complaint_details"),
        user(HELD, "request_human", risk), step("action_risk_check_in"),
        user(reply, reply.removeprefix("/")), step(after_check),
    ]  # fmt: skip
    current = tracker(reply, reply.removeprefix("/"), slots={"requested_slot": "complaint_details"}, events=history)
    extracted = await ValidateComplaintForm().extract_complaint_details(CollectingDispatcher(), current, {})
    assert extracted == ({} if taken is None else {"complaint_details": taken})


async def test_once_asked_the_answer_is_the_message(domain: dict[str, Any]) -> None:
    current = tracker("the parking wardens", "inform", slots={"requested_slot": "complaint_about"})
    assert await extract_about(current, domain) == {"complaint_about": "the parking wardens"}
    details = await ValidateComplaintForm().extract_complaint_details(CollectingDispatcher(), current, domain)
    assert details == {}  # it answered the other question


@pytest.mark.parametrize(
    ("value", "kept", "again"),
    [
        ("  the bin men\n threw my bin  ", "the bin men threw my bin", False),
        ("yes", None, True),
        ("no", None, True),
        ("x" * 5000, "x" * 2000, False),
    ],
)
def test_answers_are_kept_as_written_and_a_bare_yes_or_no_is_asked_again(
    value: str, kept: str | None, again: bool, domain: dict[str, Any]
) -> None:
    for slot, validate in (
        ("complaint_about", ValidateComplaintForm().validate_complaint_about),
        ("complaint_details", ValidateComplaintForm().validate_complaint_details),
    ):
        dispatcher = CollectingDispatcher()
        assert validate(value, dispatcher, tracker(value), domain) == {slot: kept}
        assert ("Please tell me in your own words." in said(dispatcher)) is again


# --- the questions ---------------------------------------------------------------------------


async def test_the_first_question_comes_after_the_opening(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    current = tracker(events=[user("i want to make a complaint", "make_complaint")])
    await ActionAskComplaintAbout().run(dispatcher, current, domain)
    assert len(dispatcher.messages) == 2
    assert "023 8083 3000" in said(dispatcher) and "Gateway" in said(dispatcher)
    assert "missed bin" in said(dispatcher)
    assert dispatcher.messages[0]["buttons"] == [{"title": "Report a problem instead", "payload": "/report_issue"}]
    assert dispatcher.messages[-1]["text"].startswith("What is your complaint about?")


async def test_skipping_the_first_question_the_opening_comes_before_the_second(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskComplaintDetails().run(dispatcher, tracker(events=[user(RUDE, "make_complaint")]), domain)
    assert len(dispatcher.messages) == 2 and "complaints team" in said(dispatcher)
    assert dispatcher.messages[-1]["text"] == "What happened, and what would you like us to do to put it right?"


async def test_a_request_that_says_what_about_is_asked_the_second_question_first(domain: dict[str, Any]) -> None:
    # Rasa asks the first question without validating: the ask action takes the request's words.
    dispatcher = CollectingDispatcher()
    starting = tracker(events=[user(RUDE, "make_complaint"), step("complaint_form")])  # as Rasa sends it
    events = await ActionAskComplaintAbout().run(dispatcher, starting, domain)
    assert events == [SlotSet("complaint_about", RUDE), SlotSet("requested_slot", "complaint_details")]
    assert dispatcher.messages[-1]["text"] == "What happened, and what would you like us to do to put it right?"
    assert "What is your complaint about?" not in said(dispatcher)


async def test_the_second_question_after_the_first_has_no_opening(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    history = [user("i want to make a complaint", "make_complaint"), asked("complaint_about"), user("bins", "inform")]
    await ActionAskComplaintDetails().run(dispatcher, tracker(events=history), domain)
    assert [message["text"] for message in dispatcher.messages] == [
        "What happened, and what would you like us to do to put it right?"
    ]


# --- logging it ------------------------------------------------------------------------------

DETAILS = "He shouted at me in front of everyone. I would like an apology."


def answered(about: str = RUDE, details: str = DETAILS, *history: dict[str, Any], **slots: Any) -> Any:
    events = [*history, user(about, "make_complaint"), asked("complaint_details"), user(details, "inform")]
    values = {"complaint_about": about, "complaint_details": details, **slots}
    return tracker(details, "inform", slots=values, events=events)


async def submit(current: Any, domain: dict[str, Any]) -> tuple[CollectingDispatcher, list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitComplaint().run(dispatcher, current, domain)
    return dispatcher, events


async def test_a_complaint_is_logged_for_the_complaints_team_with_the_residents_words(domain: dict[str, Any]) -> None:
    dispatcher, events = await submit(answered(), domain)
    texts = [message["text"] for message in dispatcher.messages]
    assert len(texts) == 3
    reference = find_reference(texts[0]).reference
    assert reference and "10 working days" in texts[0] and "Tuesday 15 December" in texts[0]
    assert "stage 2" in texts[1] and "senior manager" in texts[1]
    assert "Local Government and Social Care Ombudsman" in texts[2] and "0300 061 0614" in texts[2]
    case = context.handoff_store().get(reference)
    assert (case.channel, case.mode, case.trigger, case.intent) == ("phone", "complaint", "complaint", "make_complaint")
    assert case.conversation_id == "test-resident" and case.status == "queued"
    assert case.summary["form"] == {"complaint about": RUDE, "what happened and what would put it right": DETAILS}
    assert case.summary["wanted"].startswith("Complaint (stage 1): i want to complain about the man")
    assert case.summary["reply_by"] == "2026-12-15"
    assert case.sla_due_at == due_at(date(2026, 12, 15), load_schedule())
    assert [turn["who"] for turn in case.transcript] == ["resident", "resident"]
    assert SlotSet("complaint_about", None) in events and SlotSet("complaint_details", None) in events


async def test_a_council_tenant_is_told_about_the_housing_ombudsman(domain: dict[str, Any]) -> None:
    current = answered("the repairs team", "I am a council tenant. The damp in my flat was never fixed.")
    dispatcher, _ = await submit(current, domain)
    assert "Housing Ombudsman Service" in said(dispatcher) and "0300 111 3000" in said(dispatcher)
    assert "Local Government" not in said(dispatcher)
    reference = find_reference(said(dispatcher)).reference
    assert context.handoff_store().get(str(reference)).summary["ombudsman"] == "Housing Ombudsman Service"


async def test_a_complaint_left_from_a_housing_repair_report_goes_to_the_housing_ombudsman(
    domain: dict[str, Any],
) -> None:
    current = answered("the service", "nobody ever comes", service="housing_repair")
    dispatcher, _ = await submit(current, domain)
    assert "Housing Ombudsman Service" in said(dispatcher)
    case = context.handoff_store().get(str(find_reference(said(dispatcher)).reference))
    assert case.service_code == "housing_repair"


async def test_a_request_for_a_review_is_stage_2_with_its_own_date(domain: dict[str, Any]) -> None:
    current = answered("i want to escalate my complaint to the ombudsman", "You never fixed my bins. SCC-7KQ4XH")
    dispatcher, _ = await submit(current, domain)
    texts = [message["text"] for message in dispatcher.messages]
    assert len(texts) == 2 and "request for a review" in texts[0] and "20 working days" in texts[0]
    assert "Thursday 31 December" in texts[0] and "Ombudsman" in texts[1]


async def test_frustration_shown_in_the_conversation_is_on_the_case(domain: dict[str, Any]) -> None:
    frustrated = user(THIRD_TIME, "make_complaint", FRUSTRATED)
    current = answered("the bins", "missed again", frustrated, step("action_ask_complaint_about"))
    dispatcher, _ = await submit(current, domain)
    case = context.handoff_store().get(str(find_reference(said(dispatcher)).reference))
    assert {"category": "frustration", "cue": "THIRD time"} in case.needs
    assert case.summary["needs"] == [{"category": "frustration", "cue": "THIRD time"}]


async def test_misunderstood_twice_before_complaining_counts_as_frustration(domain: dict[str, Any]) -> None:
    misunderstood = [user("blah", "nlu_fallback"), user("blah blah", "nlu_fallback")]
    dispatcher, _ = await submit(answered("the bins", "missed again", *misunderstood), domain)
    case = context.handoff_store().get(str(find_reference(said(dispatcher)).reference))
    assert case.needs == [{"category": "frustration", "cue": None}]


async def test_logging_a_complaint_records_the_intent_and_a_handoff_by_phone(domain: dict[str, Any]) -> None:
    await submit(answered(), domain)
    assert recorded() == [
        ("intent", {"intent": "make_complaint"}),
        ("handoff_offered", {"handoff_channel": "phone", "in_hours": True}),
        ("handoff_accepted", {"handoff_channel": "phone"}),
    ]
    assert derive_outcome(EventKind(kind) for kind, _ in recorded()) == "handed_off"


async def test_no_event_holds_the_complaint_or_who_made_it(domain: dict[str, Any]) -> None:
    await submit(answered(service="missed_bin"), domain)
    context.written()
    with context.database_engine().connect() as connection:
        rows = list(connection.execute(select(outcome_events)))
    everything = " ".join(str(value) for row in rows for value in row)
    assert "test-resident" not in everything and "rude" not in everything and "apology" not in everything
    assert "missed_bin" in everything  # the service code only


async def test_nothing_is_logged_without_both_answers(domain: dict[str, Any]) -> None:
    dispatcher, events = await submit(tracker(slots={"complaint_about": "bins"}), domain)
    assert dispatcher.messages == [] and SlotSet("complaint_about", None) in events
    assert context.handoff_store().open_for_conversation("test-resident") == []


async def test_a_complaint_that_cannot_be_stored_keeps_the_answers(
    domain: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> Any:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(complaints, "handoff_store", broken)
    dispatcher, events = await submit(answered(), domain)
    assert "could not log your complaint" in said(dispatcher) and "023 8083 3000" in said(dispatcher)
    assert events == []


# --- afterwards ------------------------------------------------------------------------------


async def test_asked_later_the_complaint_says_where_it_is_and_what_happens_now(domain: dict[str, Any]) -> None:
    dispatcher, _ = await submit(answered(), domain)
    reference = str(find_reference(said(dispatcher)).reference)
    status = CollectingDispatcher()
    await ActionCheckStatus().run(status, tracker(slots={"reference": reference}), domain)
    assert f"Your complaint {reference} is with our complaints team." in said(status)
    assert "reply by Tuesday 15 December" in said(status)


async def test_cancel_my_call_back_never_withdraws_a_complaint(domain: dict[str, Any]) -> None:
    dispatcher, _ = await submit(answered(), domain)
    reference = str(find_reference(said(dispatcher)).reference)
    cancel = CollectingDispatcher()
    await ActionCancelHandoff().run(cancel, tracker("cancel my call back", "cancel_handoff"), domain)
    assert context.handoff_store().get(reference).status == "queued"


async def test_stopping_part_way_says_nothing_was_sent_and_forgets_the_answers(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionCancelTask().run(
        dispatcher, tracker("stop", "stop", slots={"complaint_about": "the bins"}), domain
    )
    assert "I have not sent anything" in said(dispatcher)
    assert SlotSet("complaint_about", None) in events


@pytest.mark.parametrize(
    ("active_loop", "payloads"),
    [
        (None, ["/request_human", "/make_complaint"]),
        ("report_form", ["/request_human", "/make_complaint"]),
        ("complaint_form", ["/request_human"]),  # already complaining: only a person
    ],
)
async def test_a_struggling_resident_is_offered_the_complaints_route(
    active_loop: str | None, payloads: list[str], domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionOfferSupport().run(dispatcher, tracker("yes", "affirm", active_loop=active_loop), domain)
    assert [button["payload"] for button in dispatcher.messages[0]["buttons"]] == payloads
