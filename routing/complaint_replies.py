"""What the assistant says about a complaint: the opening and the two questions, the procedure in
plain English, the confirmation once it is logged, and "what happens now" when asked about it later.

The wording and the timescales are in ``data/catalogue/complaints.yml`` (``routing.complaints``
reads it); the contact centre's number comes from ``council.yml``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Mapping

from routing.answers import Button, Reply
from routing.complaints import Complaint, Ombudsman, Procedure, date_words
from routing.handoffs import HandoffCase
from routing.hours import ContactSchedule

REPORT_INSTEAD = "/report_issue"
STATUS_WORDS = {
    "queued": "with our complaints team",
    "claimed": "with our complaints team",
    "resolved": "answered",
    "unable_to_contact": "closed, because we could not reach you",
    "cancelled": "withdrawn",
    "no_show": "closed",
}


def contact_phone(council: Mapping[str, Any]) -> str:
    """The contact centre's number (never written into the wording itself)."""
    return str(council["contact_centre"]["phone"]["number"])


def opening(procedure: Procedure, council: Mapping[str, Any]) -> Reply:
    """Before the first question: the complaints team and when it replies, the other ways to
    complain, and that a first report of a problem is a report (with a button to make one instead)."""
    text = f"{procedure.text('opening')} {procedure.text('first_report')}".format(
        contact_phone=contact_phone(council), reply_days=procedure.reply_days[1]
    )
    return Reply(text, (Button(procedure.text("first_report_button"), REPORT_INSTEAD),))


def ask_about(procedure: Procedure) -> Reply:
    """The first question: what the complaint is about."""
    return Reply(procedure.text("ask_about"))


def ask_details(procedure: Procedure) -> Reply:
    """The second question: what happened, and what would put it right."""
    return Reply(procedure.text("ask_details"))


def in_your_own_words(procedure: Procedure) -> Reply:
    """An answer that was only "yes" or "no"."""
    return Reply(procedure.text("in_your_own_words"))


def not_logged(procedure: Procedure, council: Mapping[str, Any]) -> Reply:
    """The complaint could not be stored just now."""
    return Reply(procedure.text("not_logged").format(contact_phone=contact_phone(council)))


def ombudsman_reply(procedure: Procedure, ombudsman: Ombudsman) -> Reply:
    """Where to go once the council's own stages are done, with the number and the website."""
    return Reply(procedure.text("ombudsman", "explain").format(**asdict(ombudsman)))


def procedure_explained(procedure: Procedure, complaint: Complaint, reply_date: date, today: date) -> list[Reply]:
    """The procedure from where this complaint is: stage 1 with its times, then stage 2, then the
    right ombudsman; for a review (stage 2), the review with its time, then the ombudsman."""
    values = {
        "acknowledge_days": procedure.acknowledge_days,
        "reply_days": procedure.reply_days[complaint.stage],
        "reply_by": date_words(reply_date, today),
    }
    ombudsman = ombudsman_reply(procedure, procedure.ombudsman_for(complaint.council_home))
    if complaint.stage == 2:
        return [Reply(procedure.text("stage_2", "explain").format(**values)), ombudsman]
    then = procedure.text("stage_2", "next").format(reply_days=procedure.reply_days[2])
    return [Reply(procedure.text("stage_1", "explain").format(**values)), Reply(then), ombudsman]


def complaint_logged(
    procedure: Procedure, reference: str, complaint: Complaint, reply_date: date, today: date
) -> list[Reply]:
    """The confirmation, in at most three messages: the reference, the reply date and this stage;
    the next stage; the ombudsman."""
    stage = f"stage_{complaint.stage}"
    logged = procedure.text(stage, "logged").format(reference=reference)
    first, *rest = procedure_explained(procedure, complaint, reply_date, today)
    return [Reply(f"{logged} {first.text}"), *rest]


def what_happens_now(procedure: Procedure, reply_date: date, today: date, council: Mapping[str, Any]) -> Reply:
    """A short recap: who is looking at it, when they will reply, and how to add something."""
    values = {"reply_by": date_words(reply_date, today), "contact_phone": contact_phone(council)}
    return Reply(procedure.text("what_happens_now").format(**values))


def complaint_status(
    case: HandoffCase, procedure: Procedure, schedule: ContactSchedule, now: datetime,
    council: Mapping[str, Any], owner: bool = True,
) -> list[Reply]:  # fmt: skip
    """Where a complaint is up to; to the conversation that made it, what happens now as well.

    Asked from another conversation (``owner`` False), only the status: anyone who heard the
    reference could ask.
    """
    status = Reply(f"Your complaint {case.reference} is {STATUS_WORDS.get(case.status, case.status)}.")
    if not owner or not case.open:
        return [status]
    today = schedule.local(now).date()
    return [status, what_happens_now(procedure, schedule.local(case.sla_due_at).date(), today, council)]
