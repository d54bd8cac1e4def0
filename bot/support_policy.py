"""A Rasa dialogue policy that puts the resident's safety and support needs before the task.

It reads the ``support_needs`` the NLU adds to each message and, ahead of the rules (higher
priority), decides:

* a clear risk interrupts whatever is happening, a form included: ``action_safeguarding``;
* a possible risk gets one gentle check-in, with 999 and Samaritans in it: ``action_risk_check_in``.
  "No, I need help now" escalates to the interrupt; "I'm safe" gets ``action_risk_safe``, then the
  task carries on. The concern is kept: any later risk sign in the session goes straight to the
  interrupt. A form stays open through a check-in and asks its question again after it;
* the answer to the offer of urgent contact: ``action_safeguarding_followup``; after "no, thank
  you", the task the message with the risk asked for carries on ("sh again last night, anyway when
  is my bin day" still gets its bin day);
* any other newly disclosed need: ``action_acknowledge_need`` (thank, explain, ask consent). When the
  message also asks for a task, the task is answered first and the consent question ends the turn:
  "can I pay my council tax by phone, I have no internet" gets the phone line before anything else;
* the yes/no to that consent question: ``action_record_consent``, then the resident's task if it has
  not been answered yet;
* the yes/no to the offer of help to get online: ``action_digital_inclusion``;
* a conversation that shows the resident struggling (``routing.conversation_signals``):
  ``action_offer_support`` (a person, or the complaints route), unless the message already asks to
  complain;
* after a death the resident told of, a message about the council home of the one who died ("she
  lived on her own in a council flat"): ``action_bereaved_home``, whom to call about the tenancy,
  not a report form;
* after its own actions, listening or carrying on with the task;
* with no form in progress, thanks and goodbye as plain responses (``routing.closing``: "Did you get
  what you needed?" once, never after a sign of risk), so those turns call no custom action.

Everything else it leaves to the other policies.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Dict, List, Mapping

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, Restarted, SessionStarted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from routing.bereavement import council_home_still_to_answer
from routing.closing import QUESTION_SLOT, ROUTES_GOODBYE, next_closing_step
from routing.conversation_events import ConversationView, Message, need_entities
from routing.conversation_signals import Turn, new_signals
from routing.safety import Tier, safeguarding_tier
from routing.support_responses import DIGITAL_INCLUSION_SLOT
from routing.tasks import INTERRUPTED_TASK, RESUME_TASK, asks_to_carry_on, task_intent

SAFEGUARDING = "action_safeguarding"
SAFEGUARDING_FOLLOWUP = "action_safeguarding_followup"
CHECK_IN = "action_risk_check_in"
SAFE = "action_risk_safe"
ACKNOWLEDGE = "action_acknowledge_need"
RECORD_CONSENT = "action_record_consent"
OFFER_SUPPORT = "action_offer_support"
DIGITAL_INCLUSION = "action_digital_inclusion"
BEREAVED_HOME = "action_bereaved_home"
# What a message telling of the council home of someone who died may read as ("she lived in a
# council flat" is no report; "what happens to her council flat" no question the catalogue answers).
ABOUT_THEIR_HOME = {"report_issue", "inform", "get_information", "apply_for_service", "nlu_fallback", "out_of_scope"}
SIGNALS_HANDLED_ELSEWHERE = {"repeated_misunderstanding", "repeated_ask_for_person"}
NOT_ACKNOWLEDGED = {"safeguarding", "frustration"}
YES_NO = {"affirm", "deny"}
NEEDS_HELP_NOW = {"deny", "request_human"}  # answers to "Are you safe right now?" that escalate
# Tasks answered before the consent question (a person is different: the adviser should know first).
TASK_FIRST = {intent for intent in RESUME_TASK if intent != "request_human"}
# A death or another big change in someone's life is answered first, with sympathy, whatever the task.
ACKNOWLEDGED_FIRST = {"life_event"}
COMPLAINT = "make_complaint"  # the route the offer of support gives: a resident asking for it needs no offer
WAIT_FOR_THE_RESIDENT = {SAFEGUARDING, SAFEGUARDING_FOLLOWUP, ACKNOWLEDGE, CHECK_IN, DIGITAL_INCLUSION, BEREAVED_HOME}


def risk_tier(event: UserUttered) -> Tier:
    """How the assistant should answer the risk signs in one message (see ``routing.safety``)."""
    items = event.parse_data.get("support_needs")
    if items is None:  # a message built without the NLU's output (a test story): its entities say it
        items = [{"category": need} for need in need_entities(event.parse_data)]
    return safeguarding_tier(items)


@dataclass
class _State:
    """What the policy needs to know about the conversation, read from this session's events."""

    turns: list[Turn] = field(default_factory=list)
    actions_since_user: list[str] = field(default_factory=list)
    previous_bot_action: str | None = None  # the bot's last action before the latest message
    unacknowledged: set[str] = field(default_factory=set)  # disclosed needs not yet acknowledged
    consent_trigger_intent: str | None = None  # the intent of the message the consent question followed
    consent_after_task: bool = False  # the latest consent question came after the task's answer
    check_in_intent: str | None = None  # the task the check-in's message named
    safeguarding_intent: str | None = None  # the task the emergency routes' message named
    concern_raised: bool = False  # a check-in or the interrupt happened earlier this session
    offered_support: bool = False
    digital_inclusion_asked_at: int = -1  # the turn whose answer the offer of help to get online awaits
    council_home_due: bool = False  # the latest message tells of the council home of someone who died


def _message_before(session: ConversationView, action: str) -> Message | None:
    """The resident's message that the latest run of ``action`` followed."""
    step = session.last_step(action)
    return session.message_before(step) if step else None


def _intent_before(session: ConversationView, action: str) -> str | None:
    """The task of the resident's message that the latest run of ``action`` followed."""
    message = _message_before(session, action)
    return task_intent(message.intent, message.ranking) if message else None


def _task_named_before(session: ConversationView, action: str) -> str | None:
    """Like ``_intent_before``, for a risk message: its task only when it named the service.

    Writers call a concern for someone "reporting" it, so a risk message alone ("i've been feeling
    really down lately") can read as ``report_issue``; carrying on would start a pothole report.
    """
    message = _message_before(session, action)
    if message is None or not message.names_a_service:
        return None
    return task_intent(message.intent, message.ranking)


def _read(session: ConversationView) -> _State:
    # Each need is acknowledged once a session: those shown before the latest acknowledgement were
    # covered by it (or an earlier one); those shown since are still to acknowledge.
    acknowledged_at = session.last_step(ACKNOWLEDGE)
    split = acknowledged_at.after if acknowledged_at else 0
    before = {need for message in session.messages[:split] for need in message.shown_needs}
    since = {need for message in session.messages[split:] for need in message.shown_needs}
    asked_at = session.last_turn_slot_set(DIGITAL_INCLUSION_SLOT, "asked")
    return _State(
        turns=[Turn(str(m.intent_name), m.asked_for, "frustration" in m.need_entities) for m in session.messages],
        actions_since_user=session.steps_since_message(),
        previous_bot_action=session.previous_bot_action(),
        unacknowledged=since - NOT_ACKNOWLEDGED - before,
        consent_trigger_intent=_intent_before(session, ACKNOWLEDGE),
        consent_after_task=session.ran({ACKNOWLEDGE}) and not session.ran_first_in_its_turn(ACKNOWLEDGE),
        check_in_intent=_task_named_before(session, CHECK_IN),
        safeguarding_intent=_task_named_before(session, SAFEGUARDING),
        concern_raised=bool({CHECK_IN, SAFEGUARDING} & set(session.steps_before_message())),
        offered_support=session.ran({OFFER_SUPPORT}),
        digital_inclusion_asked_at=-1 if asked_at is None else asked_at,
        council_home_due=_council_home_due(session),
    )


def _council_home_due(session: ConversationView) -> bool:
    """Whether the latest message tells of the council home of the one who died, with no service
    in its words (a leak in it is a report), and the tenancy has not been answered yet."""
    if not session.messages or session.ran({BEREAVED_HOME}) or session.messages[-1].says_a_service:
        return False
    earlier = [message.text for message in session.messages[:-1]]
    return council_home_still_to_answer(earlier, session.messages[-1].text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class SupportPolicy(Policy):
    """Safety first, then consented support, then the rest of the conversation."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Above RulePolicy (6), so a risk sign interrupts forms and rules."""
        return {"priority": 7}

    @staticmethod
    def supported_data() -> SupportedData:
        """Reads no training data: its behaviour is the safeguarding and consent protocol."""
        return SupportedData.ML_DATA

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn."""
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Predict one of the support actions (or listening after them), or abstain."""
        action = next_support_action(tracker)
        result = self._default_predictions(domain)
        if action is None:
            return self._prediction(result)
        result[domain.index_for_action(action)] = 1.0
        # The rules' loop and "listen now" predictions are "no-user" predictions, which Rasa lets
        # overrule every other kind; this policy's decisions are marked the same way so that, with
        # its higher priority, safety and consent come before the form or the rule.
        return self._prediction(result, is_no_user_prediction=True)


# Each step of a turn asks the policy again about the same tracker, a few events longer: the view of
# the events already read is kept (for the tracker being answered only) and extended, so each event
# is turned into a dict and read once.
_READ: dict[int, tuple[weakref.ref[DialogueStateTracker], ConversationView, int, Event | None]] = {}


def session_view(tracker: DialogueStateTracker) -> ConversationView:
    """This session's events (after the latest session start or restart), read as a conversation.

    Every event of the session, not ``applied_events()``: that hides the resident's answers inside
    a form, and those answers can disclose a need or show them struggling.
    """
    held = _READ.get(id(tracker))
    view = ConversationView(())
    read = 0
    if held is not None and held[0]() is tracker and _still_begins_as_read(tracker, held[2], held[3]):
        view, read = held[1], held[2]
    new: list[Mapping[str, Any]] = []
    for event in islice(tracker.events, read, None):
        if isinstance(event, (SessionStarted, Restarted)):
            view, new = ConversationView(()), []
        else:
            new.append(event.as_dict())
    if new:
        view = view.extended(new)
    _READ.clear()  # one conversation at a time is being answered between two awaits
    _READ[id(tracker)] = (
        weakref.ref(tracker),
        view,
        len(tracker.events),
        tracker.events[-1] if tracker.events else None,
    )
    return view


def _still_begins_as_read(tracker: DialogueStateTracker, read: int, last: Event | None) -> bool:
    """Whether the tracker's events still hold the ones read, in their places: a tracker that keeps
    only its latest events (``max_event_history``) drops the oldest, and its count stays the same."""
    if read > len(tracker.events):
        return False
    return read == 0 or tracker.events[read - 1] is last


def next_support_action(tracker: DialogueStateTracker) -> str | None:
    """The support action due now, or None to leave the decision to the other policies.

    A pure function of the tracker, so every decision can be tested with hand-built conversations.
    """
    session = session_view(tracker)
    if session.ends_with_rewind:
        return ACTION_LISTEN_NAME  # a fallback forgot the message: wait for the resident's next one
    state = _read(session)
    if not state.turns or not isinstance(tracker.latest_message, UserUttered):
        return None
    loop = tracker.active_loop_name
    closing = next_closing_step(session, tracker.get_slot(QUESTION_SLOT)) if loop is None else None
    interrupted = tracker.get_slot(INTERRUPTED_TASK)
    if state.actions_since_user:
        return _after_an_action(state, loop, bool(interrupted)) if closing is None else closing
    decided = _after_the_resident(state, tracker.latest_message, loop, str(interrupted) if interrupted else None)
    return decided or closing


def _after_the_resident(
    state: _State, user: UserUttered, loop: str | None, interrupted: str | None = None
) -> str | None:
    intent = str(user.intent.get("name"))
    tier = risk_tier(user)
    if tier is Tier.CLEAR or (tier is Tier.POSSIBLE and state.concern_raised):
        return SAFEGUARDING
    if tier is Tier.POSSIBLE:
        return CHECK_IN
    if state.previous_bot_action == CHECK_IN and intent in NEEDS_HELP_NOW:
        return SAFEGUARDING
    if state.previous_bot_action == CHECK_IN and intent == "affirm":
        return SAFE
    if state.previous_bot_action == SAFEGUARDING and intent in YES_NO:
        return SAFEGUARDING_FOLLOWUP
    if state.previous_bot_action == ACKNOWLEDGE and intent in YES_NO:
        return RECORD_CONSENT
    if state.digital_inclusion_asked_at == len(state.turns) - 1 and intent in YES_NO:
        return DIGITAL_INCLUSION
    if interrupted and loop is None and asks_to_carry_on(intent, str(user.text or "")):
        return interrupted  # the report a safety reply interrupted, with the answers it had
    if state.council_home_due and loop is None and intent in ABOUT_THEIR_HOME:
        return BEREAVED_HOME  # whom to call about the tenancy, not a report form
    if state.unacknowledged and loop is None and not _no_time_for_consent(state, intent):
        task = task_intent(user.intent, user.parse_data.get("intent_ranking") or [])
        if task in TASK_FIRST and not state.unacknowledged & ACKNOWLEDGED_FIRST:
            return None  # the task answers first; the consent question follows it (or the form it starts)
        return ACKNOWLEDGE  # inside a form it waits until the form is done, so no answer is lost
    if not state.offered_support and intent != COMPLAINT and new_signals(state.turns) - SIGNALS_HANDLED_ELSEWHERE:
        return OFFER_SUPPORT
    return None


def _no_time_for_consent(state: _State, intent: str) -> bool:
    """A consent question would be in the way: the resident is leaving, or asks for a person after
    a sign of risk (the person comes first, with the emergency routes)."""
    return intent == "goodbye" or (intent == "request_human" and state.concern_raised)


def _after_an_action(state: _State, loop: str | None, interrupted: bool = False) -> str | None:
    latest = state.actions_since_user[-1]
    if latest == SAFEGUARDING_FOLLOWUP:
        # A report the emergency routes interrupted waits to be asked for (the follow-up offers it).
        declined = state.turns[-1].intent == "deny" and not interrupted
        if declined and loop is None and state.safeguarding_intent in TASK_FIRST:
            return _carry_on(state.safeguarding_intent, loop, state)
        return ACTION_LISTEN_NAME
    if latest in WAIT_FOR_THE_RESIDENT:
        return ACTION_LISTEN_NAME
    if latest == RECORD_CONSENT:
        if state.consent_after_task and loop is None:
            return ACTION_LISTEN_NAME  # the task was answered before the question
        return _carry_on(state.consent_trigger_intent, loop, state)
    if latest == SAFE:
        return _carry_on(state.check_in_intent, loop, state)
    if latest == OFFER_SUPPORT:
        return _carry_on(state.turns[-1].intent, loop, state)
    if loop is not None or latest.endswith("_form"):
        return None  # the form, or the rule that follows it, decides
    if SAFEGUARDING_FOLLOWUP in state.actions_since_user:
        return ACTION_LISTEN_NAME  # the task it carried on with has answered; other needs can wait
    if state.unacknowledged and latest != ROUTES_GOODBYE:
        return ACKNOWLEDGE
    if {RECORD_CONSENT, SAFE, OFFER_SUPPORT} & set(state.actions_since_user):
        return ACTION_LISTEN_NAME  # the task it carried on with has answered
    return None


def _carry_on(intent: str | None, loop: str | None, state: _State) -> str:
    """Back to the form in progress, or on to the task the resident asked for, or listen."""
    if loop is not None:
        return loop
    if state.digital_inclusion_asked_at == len(state.turns):
        return ACTION_LISTEN_NAME  # the consent answer itself asked about help to get online
    return RESUME_TASK.get(intent or "", ACTION_LISTEN_NAME)
