"""Thanks and goodbye: when "Did you get what you needed?" is asked, and which reply each gets.

The question is asked once a conversation (a Rasa session): at goodbye, or at thanks once a task
is done; never after a sign of risk (goodbye then gives the emergency routes, which needs the
``action_goodbye`` custom action). Everything else is a fixed response, so the dialogue policy
(``bot.support_policy``) chooses it with no custom action, and the actions (``actions.closing``)
read the same state from the same events. The words are in ``routing.satisfaction``; the rules and
stories (``data/``) show the usual turns.
"""

from __future__ import annotations

from routing.conversation_events import ConversationView

# The responses (domain.yml) the policy chooses, and Rasa's listening step.
GOODBYE = "utter_goodbye"
WELCOME = "utter_welcome"
ANYTHING_ELSE = "utter_anything_else"
ASK = "utter_ask_satisfaction"
LISTEN = "action_listen"
RECORD = "action_record_satisfaction"
ROUTES_GOODBYE = "action_goodbye"  # goodbye after a sign of risk: the emergency routes again
QUESTION_SLOT = "satisfaction_question"  # None, then "asked", then "answered"
# A conversation in which one of these ran has done something for the resident worth asking about.
TASK_ACTIONS = frozenset({
    "action_submit_report", "action_payment_info", "action_apply_info", "action_information",
    "action_check_status", "action_submit_handoff", "action_cancel_handoff", "action_rebook_done",
})  # fmt: skip
# Someone who has shown a sign of risk is not asked to rate the conversation.
RISK_ACTIONS = frozenset({"action_safeguarding", "action_risk_check_in"})
# The message right after one of these is read as the answer to the question (if it was asked) or
# to "Is there anything else?" (a "no" is a goodbye).
ANSWERED_AFTER = frozenset({ASK, GOODBYE, ANYTHING_ELSE, ROUTES_GOODBYE})
ANSWER_INTENTS = frozenset({"inform", "affirm", "deny"})
ENDED = frozenset({GOODBYE, ROUTES_GOODBYE})


def question_state(session: ConversationView, slot: object) -> str | None:
    """Where the question stands this session: None, "asked" or "answered"."""
    if slot == "answered":
        return "answered"
    if slot == "asked" or session.ran({ASK}):
        return "asked"
    return None


def concern_raised(session: ConversationView) -> bool:
    """Whether this session showed a sign of risk (a check-in or the emergency routes)."""
    return session.ran(RISK_ACTIONS)


def may_ask(session: ConversationView, slot: object) -> bool:
    """Whether the question may still be asked this session."""
    return question_state(session, slot) is None and not concern_raised(session)


def thanked_last_turn(session: ConversationView) -> bool:
    """Whether the bot's reply to the message before the latest one was to thanks."""
    answered = len(session.messages) - 1
    return any(step.after == answered and step.name == WELCOME for step in session.steps)


def next_closing_step(session: ConversationView, slot: object) -> str | None:
    """The step due now on thanks, goodbye or the answer after them, with no form in progress; None
    when it is none of these.

    ``session`` is this session's events; ``slot`` the value of ``QUESTION_SLOT``.
    """
    message = session.latest_message
    if message is None:
        return None
    since = session.steps_since_message()
    if since:
        latest = since[-1]
        if latest == GOODBYE:
            return ASK if may_ask(session, slot) else LISTEN
        if latest == WELCOME:
            return ASK
        if latest in (ASK, ANYTHING_ELSE):
            return LISTEN
        return None
    intent = message.intent_name
    if intent == "goodbye":
        return ROUTES_GOODBYE if concern_raised(session) else GOODBYE
    if intent == "thank":
        return WELCOME if may_ask(session, slot) and session.ran(TASK_ACTIONS) else ANYTHING_ELSE
    if intent in ANSWER_INTENTS and session.previous_bot_action() in ANSWERED_AFTER:
        return RECORD
    return None
