"""Every outcome event a conversation leaves, end to end over real HTTP against the running assistant.

Each flow is a table: what the resident (or a member of staff) does, and the exact events that step
stores in ``outcome_events`` (kind and fields). The events are read straight from the database: the
conversation's own events carry its key (the sender and the Rasa session, keyed as
``monitoring.recorder.Outcomes`` does), and what staff do carries only the case's key, tied to the
conversation by its ``handoff_accepted`` event. Last, the facts derived from the events (the one
outcome, and a few others) are checked after ``monitoring.refresh``.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any, Callable, Union

import pytest
from sqlalchemy import select

from monitoring.events import keyed_hash
from monitoring.refresh import refresh
from monitoring.schema import conversation_facts, outcome_events
from routing.references import find_reference
from storage.engine import open_engine
from tests.conftest import Assistant
from tests.databases import ADVISER, adviser_taking_chats, make_test_staff
from tests.http import request_json, say, session_of, texts

pytestmark = pytest.mark.server

FIELDS = ("entry_channel", "intent", "service", "category", "handoff_channel", "in_hours", "value")
Event = tuple[str, dict[str, Any]]
OFFERED = [  # every channel open (tests/fixtures/channels_always_open.yml) and an adviser taking chats
    ("handoff_offered", {"handoff_channel": "webchat", "in_hours": True}),
    ("handoff_offered", {"handoff_channel": "phone", "in_hours": True}),
    ("handoff_offered", {"handoff_channel": "gateway", "in_hours": True}),
]
WEBCHAT = '/request_human{"channel":"webchat","mode":"live"}'
CALL_ME_BACK = '/request_human{"channel":"phone","mode":"callback"}'


def secret(assistant: Assistant) -> bytes:
    """The key the assistant's pseudonyms are made with (see wiring.kept_secrets.metrics_secret)."""
    raw = os.environ.get("COUNCIL_METRICS_KEY")
    return bytes.fromhex(raw) if raw else bytes.fromhex((assistant.var_dir / "metrics.key").read_text().strip())


def browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def post_form(opener: urllib.request.OpenerDirector, url: str, json_wanted: bool = False, **fields: str) -> str:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode())
    if json_wanted:
        request.add_header("Accept", "application/json")
    with opener.open(request, timeout=60) as answer:
        return str(answer.read().decode())


class Staff:
    """An adviser signed in to the inbox in a browser of their own (forms with the CSRF token)."""

    def __init__(self, web_url: str) -> None:
        self.web_url = web_url
        self.opener = browser()
        page = self.opener.open(f"{web_url}/staff/sign-in").read().decode()
        name, password = ADVISER[0], ADVISER[1]
        queues = post_form(
            self.opener, f"{web_url}/staff/sign-in", csrf_token=self._token(page), username=name, password=password
        )
        self.token = self._token(queues)

    @staticmethod
    def _token(html: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found, html[:500]
        return found.group(1)

    def post(self, path: str, **fields: str) -> None:
        post_form(self.opener, f"{self.web_url}{path}", csrf_token=self.token, **fields)


@dataclass
class Conversation:
    """One resident's conversation: over the REST channel, or on the chat page (plain or embedded)."""

    assistant: Assistant
    sender: str
    via: str = "rest"  # "rest", "web" or "embed"
    opener: urllib.request.OpenerDirector = field(default_factory=browser)
    last: str = ""
    reference: str | None = None
    staff: Staff | None = None

    def __post_init__(self) -> None:
        if self.via == "embed":  # the widget opens the chat page like this (static/embed.js)
            self.opener.open(f"{self.assistant.web_url}/?via=embed").read()

    def says(self, message: str) -> None:
        if self.via == "rest":
            self.last = texts(say(self.assistant.rasa_url, self.sender, message))
        else:
            field_name = "payload" if message.startswith("/") else "message"
            answer = json.loads(post_form(self.opener, f"{self.assistant.web_url}/", True, **{field_name: message}))
            self.last = "\n".join(line["text"] for line in answer["lines"])
            self.sender = self.chat_id()
        self.reference = find_reference(self.last).reference or self.reference

    def chat_id(self) -> str:
        handler = next(h for h in self.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
        return next(cookie.value for cookie in handler.cookiejar if cookie.name == "chat_id")

    def adviser(self) -> Staff:
        if self.staff is None:
            make_test_staff(self.assistant.database_url)
            self.staff = Staff(self.assistant.web_url)
        return self.staff

    # --- the keys the monitoring files this conversation under -----------------------------------

    def keys(self) -> tuple[str, str]:
        """The resident's key and the conversation's (named by its session's start)."""
        status, tracker = request_json(self.assistant.rasa_api(f"/conversations/{self.sender}/tracker"))
        assert status == 200
        session = session_of(tracker)
        key = secret(self.assistant)
        return keyed_hash(key, f"resident:{self.sender}"), keyed_hash(key, f"conversation:{self.sender}:{session}")

    def stored(self) -> list[Event]:
        """Every event stored for this resident, in order, checking that each is filed right. The
        action server writes events in the background, so this waits until no more arrive."""
        resident, conversation = self.keys()
        engine = open_engine(self.assistant.database_url)
        query = select(outcome_events).where(outcome_events.c.resident_key == resident)
        query = query.order_by(outcome_events.c.at, outcome_events.c.id)  # Rasa and the actions record them
        rows: list[Any] = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                latest = list(connection.execute(query).mappings())
            if rows and len(latest) == len(rows):
                break
            rows = latest
            time.sleep(0.2)
        engine.dispose()
        cases = {row["case_key"] for row in rows if row["kind"] == "handoff_accepted"}
        for row in rows:
            if row["conversation_key"] is None:  # what staff did: the case's key only, of a case of ours
                assert row["case_key"] in cases, row
            else:
                assert row["conversation_key"] == conversation, row
        if cases and self.reference:  # the case staff work on is the one the conversation accepted
            assert keyed_hash(secret(self.assistant), f"case:{self.reference}") in cases
        return [(row["kind"], {name: row[name] for name in FIELDS if row[name] is not None}) for row in rows]

    def facts(self) -> dict[str, Any]:
        """The conversation's derived facts, brought up to date first."""
        _, conversation = self.keys()
        engine = open_engine(self.assistant.database_url)
        refresh(engine)
        with engine.connect() as connection:
            row = (
                connection.execute(
                    select(conversation_facts).where(conversation_facts.c.conversation_key == conversation)
                )
                .mappings()
                .one()
            )
        engine.dispose()
        return dict(row)


# What a member of staff does, or the resident away from the message box.
Step = Union[str, Callable[[Conversation], None]]


def claim(conversation: Conversation) -> None:
    conversation.adviser().post(f"/staff/cases/{conversation.reference}/claim")


def resolve(conversation: Conversation) -> None:
    conversation.adviser().post(f"/staff/cases/{conversation.reference}/outcome", outcome="resolved")


def adviser_says(text: str) -> Callable[[Conversation], None]:
    def send(conversation: Conversation) -> None:
        conversation.adviser().post(f"/staff/live/{conversation.reference}/send", message=text)

    send.__name__ = f"adviser says {text!r}"
    return send


def hand_back(conversation: Conversation) -> None:
    conversation.adviser().post(f"/staff/live/{conversation.reference}/hand-back")


def stop_waiting(conversation: Conversation) -> None:
    post_form(conversation.opener, f"{conversation.assistant.web_url}/chat/leave")


def first_time_offered(conversation: Conversation) -> None:
    """Press the first time button the assistant offered."""
    status, tracker = request_json(conversation.assistant.rasa_api(f"/conversations/{conversation.sender}/tracker"))
    last_bot = [event for event in tracker["events"] if event["event"] == "bot"][-1]
    times = [b["payload"] for b in last_bot["data"]["buttons"] if b["payload"].startswith('/inform{"slot_key"')]
    assert times, conversation.last
    conversation.says(times[0])


@dataclass(frozen=True)
class Flow:
    """A conversation as a table of steps and the events each stores, and the facts it comes to."""

    name: str
    via: str
    steps: list[tuple[Step, list[Event]]]
    facts: dict[str, Any]


FLOWS = [
    Flow(
        "report a pothole, no updates, thanks, yes, goodbye",
        "rest",
        [
            ("there's a pothole on Portswood Road", [("conversation_started", {"entry_channel": "rest"})]),
            ("about a foot wide and deep", []),
            ("yes", [
                ("intent", {"intent": "report_issue", "service": "pothole"}),
                ("report_created", {"intent": "report_issue", "service": "pothole"}),
            ]),
            ("no thanks", [("updates_chosen", {"value": "none"})]),  # to "How would you like to hear back?"
            ("thank you", []),  # "Did you get what you needed?"
            ('/inform{"satisfaction":"yes"}', [("satisfaction", {"value": "yes"})]),
            ("bye", [("conversation_ended", {})]),  # asked already: not asked again
        ],
        {"outcome": "resolved_by_bot", "service": "pothole", "satisfaction": "yes", "ended": True},
    ),
    Flow(
        "pay council tax, goodbye, a typed no",
        "rest",
        [
            ("i want to pay my council tax", [
                ("conversation_started", {"entry_channel": "rest"}),
                ("intent", {"intent": "make_payment", "service": "council_tax"}),
                ("payment_signposted", {"intent": "make_payment", "service": "council_tax"}),
            ]),
            ("goodbye", [("conversation_ended", {})]),
            ("no", [("satisfaction", {"value": "no"})]),
        ],
        {"outcome": "resolved_by_bot", "satisfaction": "no", "ended": True},
    ),
    Flow(
        "apply for a parking permit on the chat page, goodbye, partly",
        "web",
        [
            ("how do I get a parking permit", [
                ("conversation_started", {"entry_channel": "web"}),
                ("intent", {"intent": "apply_for_service", "service": "parking_permit"}),
                ("application_signposted", {"intent": "apply_for_service", "service": "parking_permit"}),
            ]),
            ("bye", [("conversation_ended", {})]),
            ('/inform{"satisfaction":"partly"}', [("satisfaction", {"value": "partly"})]),
        ],
        {"outcome": "resolved_by_bot", "entry_channel": "web", "satisfaction": "partly"},
    ),
    Flow(
        "bin day from the widget on another council page",
        "embed",
        [
            ("when is my bin day", [("conversation_started", {"entry_channel": "embed"})]),
            ("SO17 1BJ", [("intent", {"intent": "get_information", "service": "bin_collection"})]),
            ("bye", [("conversation_ended", {})]),
        ],
        # The answer given is the resolution (monitoring/outcomes.py).
        {"outcome": "resolved_by_bot", "entry_channel": "embed", "service": "bin_collection", "ended": True},
    ),
    Flow(
        "a report stopped part-way",
        "rest",
        [
            ("my bin wasn't collected", [("conversation_started", {"entry_channel": "rest"})]),
            ("stop", [("abandoned", {"value": "form"})]),
        ],
        {"outcome": "abandoned", "abandoned_at": "form", "ended": False},
    ),
    Flow(
        "no internet: the payment first, then consent, then help to get online accepted",
        "rest",
        [
            ("i need to pay my council tax but i haven't got the internet", [
                ("conversation_started", {"entry_channel": "rest"}),
                ("intent", {"intent": "make_payment", "service": "council_tax"}),
                ("payment_signposted", {"intent": "make_payment", "service": "council_tax"}),
                ("support_need_detected", {"category": "digital_exclusion"}),
            ]),
            ("yes", [
                ("consent_given", {}),
                ("digital_inclusion_offered", {"category": "digital_exclusion"}),
            ]),
            ("yes please", [("digital_inclusion_accepted", {"category": "digital_exclusion"})]),
        ],
        {
            "outcome": "resolved_by_bot", "needs": "digital_exclusion", "consent": "given",
            "digital_inclusion_offered": True, "digital_inclusion_accepted": True,
        },
    ),
    Flow(
        "a safeguarding disclosure, then urgent contact",
        "rest",
        [
            ("i have nowhere to sleep tonight", [
                ("conversation_started", {"entry_channel": "rest"}),
                ("safeguarding_escalated", {"category": "safeguarding", "value": "clear_risk"}),
            ]),
            ("yes please", [("handoff_accepted", {"handoff_channel": "emergency"})]),
            ("bye", [("conversation_ended", {})]),  # and not asked to rate it
        ],
        {"outcome": "safeguarding", "needs": "safeguarding", "accepted": "emergency", "satisfaction": None},
    ),
    Flow(
        "a possible risk: the check-in, I'm safe, and the concern kept to the end",
        "rest",
        [
            ("i've been feeling really down lately", [
                ("conversation_started", {"entry_channel": "rest"}),
                ("risk_check_in", {"category": "safeguarding", "value": "asked"}),
            ]),
            ("/affirm", [("risk_check_in", {"category": "safeguarding", "value": "safe"})]),
            ("bye", [("conversation_ended", {})]),  # the routes again, and not asked to rate it
        ],
        {"outcome": "abandoned", "satisfaction": None, "ended": True},
    ),
    Flow(
        "a call back booked, then made and resolved by staff in the inbox",
        "rest",
        [
            ("can someone ring me back about my council tax", [
                ("conversation_started", {"entry_channel": "rest"}),
                *OFFERED,
            ]),
            (CALL_ME_BACK, []),
            ("07912 345678", []),
            (first_time_offered, [("handoff_accepted", {"handoff_channel": "phone", "service": "council_tax"})]),
            (claim, [("handoff_claimed", {"handoff_channel": "phone"})]),
            (resolve, [
                ("contact_made", {"handoff_channel": "phone", "value": "on_time"}),
                ("resolved", {"handoff_channel": "phone"}),
            ]),
        ],
        {
            "outcome": "handed_off_resolved", "offered": "gateway,phone,webchat", "accepted": "phone",
            "contacted": "phone", "resolved": "phone", "contact_on_time": True, "offered_out_of_hours": False,
        },
    ),
    Flow(
        "live webchat with an adviser, handed back, goodbye",
        "web",
        [
            ("can i talk to a person", [("conversation_started", {"entry_channel": "web"}), *OFFERED]),
            (WEBCHAT, [("handoff_accepted", {"handoff_channel": "webchat"})]),
            (claim, [("handoff_claimed", {"handoff_channel": "webchat"})]),
            (adviser_says("Hello, I am Asha. How can I help?"), [
                ("contact_made", {"handoff_channel": "webchat", "value": "on_time"}),
            ]),
            (adviser_says("Your bin will be collected tomorrow."), []),  # contact is counted once
            (hand_back, [("resolved", {"handoff_channel": "webchat"})]),
            ("bye", [("conversation_ended", {})]),
            ("yes", [("satisfaction", {"value": "yes"})]),
        ],
        {
            "outcome": "handed_off_resolved", "contact_channel": "webchat", "contact_on_time": True,
            "satisfaction": "yes", "ended": True,
        },
    ),
    Flow(
        "a resident who stops waiting in the webchat queue",
        "embed",
        [
            ("can i talk to a person", [("conversation_started", {"entry_channel": "embed"}), *OFFERED]),
            (WEBCHAT, [("handoff_accepted", {"handoff_channel": "webchat"})]),
            (stop_waiting, [("abandoned", {"handoff_channel": "webchat", "value": "queue"})]),
            ("goodbye", [("conversation_ended", {})]),
        ],
        {"outcome": "handed_off_unresolved", "abandoned_at": "queue", "accepted": "webchat", "contacted": ""},
    ),
    Flow(
        "hello, then goodbye with the answer",
        "rest",
        [
            ("hello", [("conversation_started", {"entry_channel": "rest"})]),
            ("bye", [("conversation_ended", {})]),
            ('/inform{"satisfaction":"no"}', [("satisfaction", {"value": "no"})]),
        ],
        {"outcome": "abandoned", "satisfaction": "no", "ended": True},
    ),
]  # fmt: skip


@pytest.mark.parametrize("flow", FLOWS, ids=[flow.name for flow in FLOWS])
def test_each_flow_stores_exactly_its_events_and_comes_to_its_outcome(assistant: Assistant, flow: Flow) -> None:
    adviser_taking_chats(assistant.database_url)  # so live chat is offered
    sender = "flow-" + re.sub(r"\W+", "-", flow.name)[:60]
    conversation = Conversation(assistant, sender, flow.via)
    seen = 0
    for step, expected in flow.steps:
        conversation.says(step) if isinstance(step, str) else step(conversation)
        stored = conversation.stored()
        what = step if isinstance(step, str) else step.__name__
        assert stored[seen:] == expected, f"after {what!r} (the bot said: {conversation.last!r})"
        seen = len(stored)
    facts = conversation.facts()
    assert {name: facts[name] for name in flow.facts} == flow.facts
