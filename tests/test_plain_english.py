"""Every message the assistant can send scores at least 60 on Flesch reading ease ("plain English").

Collected from the domain's responses, the wording files (support and safeguarding), every
catalogue answer, and every reply of the wording modules the actions speak from (``routing.prompts``,
``routing.menu``, ``routing.report_replies``, ``routing.handoff_replies``: form questions and
re-asks, report read-backs and statuses, handoff offers, confirmations, bookings and cancellations). Placeholders are
filled with realistic values first. The score comes from the maintained ``textstat`` package.
"""

from __future__ import annotations

import re
import string
from datetime import datetime
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import textstat
import yaml

from routing.catalogue import default_catalogue
from routing.channels import Capacity, HandoffContext, decide_channels
from routing.handoff_replies import STATUS_WORDS, case_status, confirmation, moved, offer
from routing.handoffs import MODES, HandoffCase
from routing.hours import load_schedule
from tests.conftest import ROOT
from tests.routing.test_answers import _everything_said

MIN_READING_EASE = 60
UK = ZoneInfo("Europe/London")
SAMPLE = {
    "adjustment": "would rather talk by phone or face to face",
    "contact_phone": "023 8083 3000",
    "out_of_hours_phone": "023 8023 3344",
    "homelessness_phone": "023 8083 2000",
    "council_tax_phone": "023 8083 3003",
    "housing_phone": "023 8083 4000",
    "phone": "023 8083 3009",
    "link": "https://www.southampton.gov.uk/blue-badge/apply/",
    "person": "your mum",
    "they": "she",
    "them": "her",
    "their": "her",
    "action": "fill it in for her",
    "clauses": "you are helping your mum with this, and that she may need step-free access or a home visit",
}


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str) and len(value.split()) >= 3 and not value.startswith("http"):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


# A link, a reference or a phone number is read as one thing, not as words: score it as one.
AS_ONE_THING = [
    (re.compile(r"https?://\S+"), "this link"),
    (re.compile(r"\bSCC-[A-Z0-9]{6}\b"), "your code"),
    (re.compile(r"\b\d[\d ]{5,}\d\b"), "this number"),
]


def readable(text: str) -> str:
    """The text as a reader meets it, for scoring."""
    for pattern, words in AS_ONE_THING:
        text = pattern.sub(words, text)
    return text


def _filled(text: str) -> str:
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    return text.format(**{name: SAMPLE.get(name, "the council") for name in names})


def _handoff_messages() -> Iterator[tuple[str, str]]:
    schedule, council = load_schedule(), default_catalogue().council
    for when in (datetime(2026, 12, 1, 11, tzinfo=UK), datetime(2026, 12, 28, 21, tzinfo=UK)):
        for needs in (frozenset(), frozenset({"safeguarding"}), frozenset({"language_literacy"})):
            context = HandoffContext(now=when, needs=needs, capacity=Capacity(2, 1), service="housing_repair")
            options = decide_channels(context, schedule, council)
            for trigger in ("asked", "repeated_failure", "detected_need", "safeguarding"):
                yield from ((f"offer {trigger}", reply.text) for reply in offer(options, trigger))
    now = datetime(2026, 12, 1, 11, tzinfo=UK)
    for mode in MODES:
        for status in STATUS_WORDS:
            case = HandoffCase(
                reference="SCC-7KQ4XH", conversation_id=None, channel="phone", mode=mode, trigger="asked",
                status=status, service_code=None, intent=None, summary={}, needs=[], adjustments=[], transcript=[],
                callback_number=None, slot_start=now, slot_end=now, created_at=now, updated_at=now, sla_due_at=now,
                claimed_by=None, claimed_at=None, closed_at=None,
            )  # fmt: skip
            yield f"status {mode} {status}", case_status(case, schedule, now).text
            yield f"moved {mode} {status}", moved(case, schedule, now).text
        yield from ((f"confirmation {mode}", r.text) for r in confirmation(case, schedule, council, 2))


def everything_the_assistant_says() -> list[tuple[str, str]]:
    """Each message, labelled by where it comes from."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    said = [
        (name, variant["text"]) for name, variants in domain["responses"].items() for variant in variants
        if variant.get("text")
    ]  # fmt: skip
    for wording in ("support", "safeguarding", "money"):
        said += list(_strings(yaml.safe_load((ROOT / "data" / "catalogue" / f"{wording}.yml").read_text()), wording))
    said += _everything_said()
    said += list(_handoff_messages())
    return [(where, _filled(text)) for where, text in said]


def test_the_check_sees_every_kind_of_message() -> None:
    sources = {where.split(" ")[0].split(".")[0] for where, _ in everything_the_assistant_says()}
    assert {"utter_greet", "support", "safeguarding", "offer", "confirmation", "status"} <= sources
    assert len(everything_the_assistant_says()) > 300


def test_every_message_scores_at_least_60_on_reading_ease() -> None:
    said = everything_the_assistant_says()
    scored = [(textstat.flesch_reading_ease(readable(text)), where, text) for where, text in said]
    hard = sorted((score, where, text) for score, where, text in scored if score < MIN_READING_EASE)
    assert not hard, "\n".join(f"{score:5.1f}  {where}: {text}" for score, where, text in hard)
