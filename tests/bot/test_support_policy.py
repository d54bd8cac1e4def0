"""The support policy's decisions, on conversations built event by event with the real domain."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.support_policy import next_support_action, session_view
from routing.conversation_events import ConversationView
from tests.bot.conftest import recorded_events
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def user(
    intent: str,
    *needs: str,
    text: str = "...",
    tier: str | None = None,
    evidence: str | None = "means: pills",
    service: str | None = None,
    guessed: bool = False,
) -> UserUttered:
    """A resident's message; ``guessed``: its needs come from the classifier alone, with no cue."""
    entities = [{"entity": "support_need", "value": need, "start": 0, "end": 1} for need in needs]
    if service:
        entities.append({"entity": "service", "value": service, "start": 0, "end": 1, "cue": service})
    parse_data: dict[str, Any] = {}
    if guessed:
        parse_data["support_needs"] = [{"category": need, "confidence": 0.5} for need in needs]
    if tier:
        item = {"category": "safeguarding", "tier": tier, "confidence": 0.5, "evidence": evidence}
        parse_data["support_needs"] = [item]
    return UserUttered(text, {"name": intent, "confidence": 0.99}, entities, parse_data=parse_data)  # type: ignore[arg-type]


def possible_risk(intent: str = "nlu_fallback", service: str | None = None) -> UserUttered:
    return user(intent, "safeguarding", tier="possible", service=service)


def act(name: str) -> ActionExecuted:
    return ActionExecuted(name)


def in_form(slot: str) -> list[Event]:
    return [act("report_form"), ActiveLoop("report_form"), SlotSet("requested_slot", slot), act("action_listen")]


def decide(*events: Any) -> str | None:
    flat: list[Event] = [act("action_listen")]
    for event in events:
        flat.extend(event if isinstance(event, list) else [event])
    return next_support_action(DialogueStateTracker.from_events("resident", flat, DOMAIN.slots))


NO_INTERNET_CONSENTED = [
    user("make_payment", "digital_exclusion"),
    act("action_acknowledge_need"),
    act("action_listen"),
    user("affirm"),
    act("action_record_consent"),
]

CASES = [
    ("a risk cue in an ordinary message", [user("make_payment", "safeguarding")], "action_safeguarding"),
    (
        "a risk cue inside a form interrupts it",
        [user("report_issue"), *in_form("location"), user("inform", "safeguarding")],
        "action_safeguarding",
    ),
    (
        "listening after the emergency routes",
        [user("inform", "safeguarding"), act("action_safeguarding")],
        "action_listen",
    ),
    (
        "the answer to the offer of urgent contact",
        [user("inform", "safeguarding"), act("action_safeguarding"), act("action_listen"), user("affirm")],
        "action_safeguarding_followup",
    ),
    (
        "no to urgent contact: the task the risk came with carries on",
        [
            user("get_information", "safeguarding", service="council_tax"),
            act("action_safeguarding"),
            act("action_listen"),
            user("deny"),
            act("action_safeguarding_followup"),
        ],
        "information_form",
    ),
    (
        "and once it has answered, the assistant listens (a need shown beside the risk waits)",
        [
            user("make_payment", "safeguarding", "financial_hardship", service="council_tax"),
            act("action_safeguarding"),
            act("action_listen"),
            user("deny"),
            act("action_safeguarding_followup"),
            act("action_payment_info"),
        ],
        "action_listen",
    ),
    (
        "no to urgent contact during a report: the report waits to be asked for",
        [
            user("report_issue"),
            *in_form("location"),
            user("report_issue", "safeguarding"),
            act("action_safeguarding"),
            ActiveLoop(None),
            SlotSet("interrupted_task", "report_form"),
            act("action_listen"),
            user("deny"),
            act("action_safeguarding_followup"),
        ],
        "action_listen",
    ),
    (
        "no to urgent contact after a risk that named no service: no task starts (a concern is not a report)",
        [
            user("report_issue", "safeguarding"),
            act("action_safeguarding"),
            act("action_listen"),
            user("deny"),
            act("action_safeguarding_followup"),
        ],
        "action_listen",
    ),
    (
        "yes to urgent contact: the case is made and nothing else is said",
        [
            user("get_information", "safeguarding"),
            act("action_safeguarding"),
            act("action_listen"),
            user("affirm"),
            act("action_safeguarding_followup"),
        ],
        "action_listen",
    ),
    (
        "a risk with no task: listening after the close",
        [
            user("inform", "safeguarding"),
            act("action_safeguarding"),
            act("action_listen"),
            user("deny"),
            act("action_safeguarding_followup"),
        ],
        "action_listen",
    ),
    ("a possible risk gets the check-in", [possible_risk()], "action_risk_check_in"),
    (
        "a possible risk inside a form gets the check-in, not the form's question",
        [user("report_issue"), *in_form("location"), possible_risk("inform")],
        "action_risk_check_in",
    ),
    (
        "in answer to a form's question, a possible risk with only the classifier's score still checks in",
        [user("report_issue"), *in_form("location"), user("inform", "safeguarding", tier="possible", evidence=None)],
        "action_risk_check_in",
    ),
    ("listening after the check-in", [possible_risk(), act("action_risk_check_in")], "action_listen"),
    (
        "no, I need help now: the emergency routes",
        [possible_risk(), act("action_risk_check_in"), act("action_listen"), user("deny")],
        "action_safeguarding",
    ),
    (
        "asking for a person in answer to the check-in escalates too",
        [possible_risk(), act("action_risk_check_in"), act("action_listen"), user("request_human")],
        "action_safeguarding",
    ),
    (
        "I'm safe: thanks, the routes and a person offered",
        [possible_risk(), act("action_risk_check_in"), act("action_listen"), user("affirm")],
        "action_risk_safe",
    ),
    (
        "then the task the resident came with carries on",
        [
            possible_risk("make_payment", service="council_tax"),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
        ],
        "action_payment_info",
    ),
    (
        "but 'i've been feeling really down lately' read as a report starts no report",
        [
            possible_risk("report_issue"),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
        ],
        "action_listen",
    ),
    (
        "or the form asks its question again",
        [
            user("report_issue"),
            *in_form("location"),
            possible_risk("inform"),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
        ],
        "report_form",
    ),
    (
        "goodbye after a check-in gives the routes again, not a consent question about a need it showed",
        [
            user("nlu_fallback", "safeguarding", "mental_health_cognitive", tier="possible"),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
            act("action_listen"),
            user("goodbye"),
        ],
        "action_goodbye",
    ),
    (
        "and no consent question after it: the need it showed waits for another turn",
        [
            user("nlu_fallback", "safeguarding", "mental_health_cognitive", tier="possible"),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
            act("action_listen"),
            user("goodbye"),
            act("action_goodbye"),
        ],
        None,
    ),
    (
        "asking for a person after a check-in goes to the person, not to a consent question",
        [
            user("nlu_fallback", "safeguarding", "mental_health_cognitive", tier="possible"),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
            act("action_listen"),
            user("request_human"),
        ],
        None,
    ),
    (
        "the concern is not forgotten: a later possible risk goes straight to the routes",
        [
            possible_risk(),
            act("action_risk_check_in"),
            act("action_listen"),
            user("affirm"),
            act("action_risk_safe"),
            act("action_listen"),
            possible_risk(),
        ],
        "action_safeguarding",
    ),
    (
        "a disclosure the NLU could not place for sure still carries on with its likeliest task",
        [
            UserUttered(
                "...",
                {"name": "nlu_fallback", "confidence": 0.3},
                [{"entity": "support_need", "value": "financial_hardship", "start": 0, "end": 1}],
                parse_data={  # type: ignore[arg-type]
                    "intent_ranking": [
                        {"name": "nlu_fallback", "confidence": 0.3},
                        {"name": "make_payment", "confidence": 0.3},
                    ]
                },
            ),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("affirm"),
            act("action_record_consent"),
        ],
        "action_payment_info",
    ),
    ("a clear risk interrupts at once", [user("inform", "safeguarding", tier="clear")], "action_safeguarding"),
    ("a disclosure alone is acknowledged", [user("inform", "digital_exclusion")], "action_acknowledge_need"),
    ("a disclosure with a task: the task answers first", [user("make_payment", "digital_exclusion")], None),
    (
        "then the consent question ends the turn",
        [user("make_payment", "digital_exclusion"), act("action_payment_info")],
        "action_acknowledge_need",
    ),
    (
        "a bereavement is answered first, with sympathy, whatever the task",
        [user("make_payment", "life_event")],
        "action_acknowledge_need",
    ),
    (
        "a person is different: the adviser should know first",
        [user("request_human", "disability")],
        "action_acknowledge_need",
    ),
    (
        "after the consent answer, nothing more when the task was answered first",
        [
            user("make_payment", "digital_exclusion"),
            act("action_payment_info"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("affirm"),
            act("action_record_consent"),
        ],
        "action_listen",
    ),
    (
        "the yes or no to the consent question is recorded",
        [user("make_payment", "digital_exclusion"), act("action_acknowledge_need"), act("action_listen"), user("deny")],
        "action_record_consent",
    ),
    (
        "after the consent answer, the task the resident asked for",
        [
            user("make_payment", "older_age"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("affirm"),
            act("action_record_consent"),
        ],
        "action_payment_info",
    ),
    (
        "no internet: after the consent answer the payment answer follows (it ends with the offer)",
        [*NO_INTERNET_CONSENTED],
        "action_payment_info",
    ),
    (
        "the yes or no to the offer of help to get online, asked at the end of the task",
        [
            *NO_INTERNET_CONSENTED,
            act("action_payment_info"),
            SlotSet("digital_inclusion", "asked"),
            act("action_listen"),
            user("affirm"),
        ],
        "action_digital_inclusion",
    ),
    (
        "and listening after that answer",
        [
            *NO_INTERNET_CONSENTED,
            act("action_payment_info"),
            SlotSet("digital_inclusion", "asked"),
            act("action_listen"),
            user("deny"),
            act("action_digital_inclusion"),
        ],
        "action_listen",
    ),
    (
        "a disclosure with no task: the consent answer asks about help to get online itself, so listen",
        [
            user("inform", "digital_exclusion"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("affirm"),
            act("action_record_consent"),
            SlotSet("digital_inclusion", "asked"),
        ],
        "action_listen",
    ),
    (
        "a resident who ignores the offer is not held up: the rules take the new message",
        [
            *NO_INTERNET_CONSENTED,
            act("action_payment_info"),
            SlotSet("digital_inclusion", "asked"),
            act("action_listen"),
            user("report_issue"),
        ],
        None,
    ),
    (
        "a yes much later is not taken as the answer to the offer",
        [
            *NO_INTERNET_CONSENTED,
            act("action_payment_info"),
            SlotSet("digital_inclusion", "asked"),
            act("action_listen"),
            user("report_issue"),
            *in_form("location"),
            user("affirm"),
        ],
        None,
    ),
    (
        "a report resumes as the report form",
        [
            user("report_issue", "disability"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("deny"),
            act("action_record_consent"),
        ],
        "report_form",
    ),
    (
        "a need said inside a form waits: the form goes on",
        [user("report_issue"), *in_form("description"), user("inform", "disability")],
        None,
    ),
    (
        "and is acknowledged once the report is sent",
        [
            user("report_issue"),
            *in_form("description"),
            user("inform", "disability"),
            act("report_form"),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            act("action_submit_report"),
        ],
        "action_acknowledge_need",
    ),
    (
        "but not a need the classifier alone guessed from a short answer ('outside my house')",
        [
            user("report_issue"),
            *in_form("location"),
            user("inform", "language_literacy", text="outside my house", guessed=True),
            act("report_form"),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            act("action_submit_report"),
        ],
        None,
    ),
    (
        "a longer answer is read for its needs too",
        [
            user("report_issue"),
            *in_form("description"),
            user("inform", "disability", text="it's my wheelchair ramp, I can't get out of the house", guessed=True),
            act("report_form"),
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            act("action_submit_report"),
        ],
        "action_acknowledge_need",
    ),
    (
        "a need is acknowledged only once",
        [
            user("inform", "older_age"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("affirm"),
            act("action_record_consent"),
            act("action_listen"),
            user("make_payment", "older_age"),
        ],
        None,
    ),
    ("frustration is not asked about, it is answered", [user("make_payment", "frustration")], "action_offer_support"),
    (
        "yes or no twice to a question that wants words",
        [user("report_issue"), *in_form("location"), user("affirm"), *in_form("location"), user("affirm")],
        "action_offer_support",
    ),
    (
        "after the offer of a person, the form carries on",
        [
            user("report_issue"),
            *in_form("location"),
            user("affirm"),
            *in_form("location"),
            user("affirm"),
            act("action_offer_support"),
        ],
        "report_form",
    ),
    (
        "a fallback that forgot the message: wait",
        [user("nlu_fallback"), act("action_default_fallback"), UserUtteranceReverted()],
        "action_listen",
    ),
    ("an ordinary message is left to the rules", [user("make_payment")], None),
    # After a death, the council home of the one who died is whom to call, not a report.
    (
        "a council flat told of after a death: whom to call about the tenancy",
        [
            user("get_information", "life_event", text="my mum died on tuesday. who do i tell at the council"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("report_issue", text="she lived on her own in a council flat"),
        ],
        "action_bereaved_home",
    ),
    (
        "a council flat told of after a death, that the service classifier guessed was a repair",
        [
            user("get_information", "life_event", text="my mum died on tuesday"),
            act("action_acknowledge_need"),
            act("action_listen"),
            UserUttered(
                "she lived on her own in a council flat",
                {"name": "report_issue", "confidence": 0.83},
                [{"entity": "service", "value": "housing_repair", "start": 0, "end": 38, "confidence_entity": 0.65}],
            ),
        ],
        "action_bereaved_home",
    ),
    (
        "listening after whom to call about the tenancy",
        [
            user("get_information", "life_event", text="my dad passed away last week"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("inform", text="he was a council tenant"),
            act("action_bereaved_home"),
        ],
        "action_listen",
    ),
    (
        "the tenancy already covered when the death was told: a council flat is not answered again",
        [
            user("get_information", "life_event", text="my mum died and she had a council flat"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("report_issue", text="she lived on her own in a council flat"),
        ],
        None,
    ),
    (
        "a repair in the council flat of the one who died is a report",
        [
            user("get_information", "life_event", text="my mum died on tuesday"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("report_issue", text="her council flat has a leak", service="housing_repair"),
        ],
        None,
    ),
    (
        "a council flat with no death told of is left to the rules",
        [user("report_issue", text="i live in a council flat")],
        None,
    ),
    # The offer of support gives the complaints route: a resident already asking for it needs no offer.
    ("a frustrated request to complain goes to the complaint form", [user("make_complaint", "frustration")], None),
    (
        "after the consent question, the complaint carries on",
        [
            user("make_complaint", "older_age"),
            act("action_acknowledge_need"),
            act("action_listen"),
            user("affirm"),
            act("action_record_consent"),
        ],
        "complaint_form",
    ),
    (
        "after the offer of support during a report, the resident's button starts a complaint by the rules",
        [
            user("report_issue"),
            *in_form("location"),
            user("affirm"),
            *in_form("location"),
            user("affirm"),
            act("action_offer_support"),
            act("report_form"),
            act("action_listen"),
            user("make_complaint"),
        ],
        None,
    ),
]


@pytest.mark.parametrize(("case", "events", "expected"), CASES, ids=[case for case, _, _ in CASES])
def test_support_policy_decides(case: str, events: list[Any], expected: str | None) -> None:
    assert decide(*events) == expected


def test_the_session_read_step_by_step_is_the_session_read_at_once() -> None:
    # The policy keeps its reading of the conversation between the steps of a turn; after every
    # event of a real conversation (a form, fallbacks, a new session) it reads what a fresh reading does.
    events = recorded_events() + [Restarted(), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker("step-by-step", [])
    for event in events:
        tracker.update(event)
        starts = [i for i, e in enumerate(tracker.events) if isinstance(e, (SessionStarted, Restarted))]
        session = list(tracker.events)[starts[-1] + 1 :] if starts else list(tracker.events)
        fresh = ConversationView([e.as_dict() for e in session])
        read = session_view(tracker)
        assert (read.events, read.messages, read.steps, read.said, read.slots) == (
            fresh.events,
            fresh.messages,
            fresh.steps,
            fresh.said,
            fresh.slots,
        ), f"after {event}"


def test_a_tracker_that_keeps_only_its_latest_events_is_still_read_to_the_end() -> None:
    # With max_event_history the oldest events drop off and the count stays the same: the new
    # message, a risk, must still be read.
    tracker = DialogueStateTracker("trimmed", [], max_event_history=4)
    for event in recorded_events()[:6]:
        tracker.update(event)
    session_view(tracker)
    tracker.update(user("nlu_fallback", text="I want to hurt myself"))
    assert session_view(tracker).messages[-1].text == "I want to hurt myself"
