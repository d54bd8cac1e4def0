"""The resident's tasks: the intents that ask the council to do something, and where the
conversation goes to carry one on after the assistant has dealt with something else first (a
consent question, a check that the resident is safe, an offer of a person)."""

from __future__ import annotations

TASK_INTENTS = ("report_issue", "make_payment", "apply_for_service", "get_information", "check_status")

# The action or form that carries each task on (request_human is a task too, once the rest is dealt with).
RESUME_TASK = {
    "report_issue": "report_form",
    "make_payment": "action_payment_info",
    "apply_for_service": "action_apply_info",
    "get_information": "information_form",
    "check_status": "status_form",
    "request_human": "handoff_form",
}
