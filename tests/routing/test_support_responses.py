"""What the assistant says about risk and support needs: safety routes first, then thank, explain, ask."""

import re

import pytest
import yaml

from routing.catalogue import DEFAULT_DIR, load_catalogue
from routing.cue_lexicon import CueLexicon
from routing.support_needs import SupportNeedDetector
from routing.support_responses import (
    EXIT_THIS_PAGE,
    SAFETY_ROUTES,
    Need,
    acknowledgement,
    adjustment_record,
    check_in,
    check_in_safe,
    consent_reply,
    goodbye_after_concern,
    help_for,
    offer_support,
    routes_again,
    safeguarding_followup,
    safeguarding_reply,
)
from routing.turns import MAX_SAFETY_MESSAGES

CATALOGUE = load_catalogue()
SAFEGUARDING = yaml.safe_load((DEFAULT_DIR / "safeguarding.yml").read_text(encoding="utf-8"))
KINDS = list(SAFEGUARDING["kinds"])
DETECTOR = SupportNeedDetector(CueLexicon.load())
CALL_999 = re.compile(r"(?i)\b(call|text) 999\b")

DEAF = Need("disability", "prefers_text_relay_or_webchat")
OLDER = Need("older_age", "prefers_phone_or_face_to_face")
NO_INTERNET = Need("digital_exclusion", "prefers_phone_or_face_to_face")
LANGUAGE = Need("language_literacy", "needs_interpreter_or_plain_language")
HARDSHIP = Need("financial_hardship", "may_need_payment_help")
RISK = Need("safeguarding", kind="self_harm")
FRUSTRATED = Need("frustration")


def _said(replies):
    return " ".join(reply.text for reply in replies)


def _payloads(reply):
    return [button.payload for button in reply.buttons]


def _first(replies, pattern):
    return next(i for i, reply in enumerate(replies) if re.search(pattern, reply.text))


# ---------------------------------------------------------------- safeguarding


def test_every_kind_the_lexicon_can_give_has_its_own_routes():
    lexicon_kinds = {group.kind for group in CueLexicon.load().groups if group.kind}
    assert lexicon_kinds <= set(KINDS)


def test_every_kind_the_risk_examples_can_give_has_its_own_routes():
    from routing.support_needs import load_examples

    assert {example.kind for example in load_examples() if example.kind} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_risk_reply_opens_calmly_gives_routes_then_offers_urgent_contact(kind):
    replies = safeguarding_reply(kind, CATALOGUE)
    assert len(replies) == 3 <= MAX_SAFETY_MESSAGES
    assert replies[0].text == "I am worried about what you have told me. Your safety matters most."
    assert replies[0].buttons == ()
    routes = replies[1]
    assert routes.buttons == () and "{" not in routes.text
    assert len(SAFEGUARDING["kinds"][kind]) >= 2
    for route in SAFEGUARDING["kinds"][kind]:  # every route for this kind, in one message
        assert SAFEGUARDING["routes"][route].split("{")[0] in routes.text
    assert replies[-1].text == "Would you like someone from the council to contact you urgently?"
    assert _payloads(replies[-1]) == ["/affirm", "/deny"]
    assert _said(replies).count("?") == 1
    assert all(SAFETY_ROUTES in reply.page for reply in replies)


@pytest.mark.parametrize("kind", KINDS)
def test_every_risk_reply_says_when_to_call_999(kind):
    assert "999" in _said(safeguarding_reply(kind, CATALOGUE))


@pytest.mark.parametrize(
    ("kind", "must_say"),
    [
        ("self_harm", ["Samaritans", "116 123", "SHOUT to 85258", "NHS 111"]),
        ("domestic_abuse", ["0808 2000 247", "0808 801 0327", "023 8023 3344"]),
        ("child_at_risk", ["023 8023 3344", "101", "Childline", "0800 1111"]),
        ("crime_in_progress", ["press 55", "emergencySMS", "101"]),
        ("exploitation", ["101", "023 8023 3344"]),
        ("homeless_tonight", ["023 8083 2000", "023 8023 3344", "0808 800 4444"]),
        ("gas_danger", ["0800 111 999", "leave the building"]),
        ("electrics", ["Keep away from the wires", "023 8023 3344"]),
        ("equipment_failure", ["023 8023 3344"]),
        ("adult_at_risk", ["023 8023 3344", "101"]),
        ("fire", ["get out, stay out"]),
        ("dangerous_structure", ["Keep everyone away from it", "023 8023 3344"]),
    ],
)
def test_a_risk_reply_gives_the_numbers_for_that_kind_of_risk(kind, must_say):
    said = _said(safeguarding_reply(kind, CATALOGUE))
    for words in must_say:
        assert words in said


def test_homeless_tonight_gives_the_councils_own_housing_number_first():
    number = CATALOGUE.council["homelessness"]["phone"]["number"]
    routes = safeguarding_reply("homeless_tonight", CATALOGUE)[1].text
    assert routes.index(number) < CALL_999.search(routes).start()


def test_a_gas_smell_gives_the_gas_emergency_line_before_999():
    routes = safeguarding_reply("gas_danger", CATALOGUE)[1].text
    assert routes.index("0800 111 999") < CALL_999.search(routes).start()


@pytest.mark.parametrize(
    ("kind", "exit_this_page"),
    [
        ("domestic_abuse", True),
        ("exploitation", True),
        ("child_at_risk", True),
        ("adult_at_risk", True),
        ("self_harm", False),
        ("gas_danger", False),
        ("homeless_tonight", False),
        (None, False),
    ],
)
def test_the_exit_this_page_button_is_shown_where_someone_may_be_watching(kind, exit_this_page):
    assert all((EXIT_THIS_PAGE in reply.page) is exit_this_page for reply in safeguarding_reply(kind, CATALOGUE))


@pytest.mark.parametrize("kind", [None, "", "something_new", "DOMESTIC_ABUSE"])
def test_an_unknown_kind_of_risk_still_gives_999_and_helplines(kind):
    replies = safeguarding_reply(kind, CATALOGUE)
    said = _said(replies)
    assert CALL_999.search(said)
    assert "116 123" in said
    assert _payloads(replies[-1]) == ["/affirm", "/deny"]


# ---------------------------------------------------------------- a concern about someone else

CHILDRENS_SERVICES = CATALOGUE.council["childrens_services"]["phone"]["number"]
ADULT_SOCIAL_CARE = CATALOGUE.council["adult_social_care"]["phone"]["number"]
OWN_CRISIS = ["Samaritans", "116 123", "SHOUT", "85258", "Your safety", "you are in danger", "Are you safe"]


def test_the_council_lines_for_children_and_adults_are_marked_as_examples():
    for team in ("childrens_services", "adult_social_care"):
        assert CATALOGUE.council[team]["phone"]["example"] is True
    assert (CHILDRENS_SERVICES, ADULT_SOCIAL_CARE) == ("023 8083 3336", "023 8083 3337")


@pytest.mark.parametrize(
    ("kind", "must_say", "offer"),
    [
        (
            "child_at_risk",
            ["If the child is in danger now, call 999.", CHILDRENS_SERVICES, "NSPCC", "0808 800 5000", "101"],
            "Would you like our children's services team to contact you about this?",
        ),
        (
            "adult_at_risk",
            ["If they are in danger now, call 999.", ADULT_SOCIAL_CARE, "adult social care", "101"],
            "Would you like our adult social care team to contact you about this?",
        ),
        (
            "self_harm",
            ["If they are in danger now, call 999.", "NHS 111", "option 2"],
            "Would you like someone from the council to contact you about this?",
        ),
        (  # a kind with no wording for someone else is answered as an adult at risk
            "domestic_abuse",
            [ADULT_SOCIAL_CARE, "101", "999"],
            "Would you like our adult social care team to contact you about this?",
        ),
    ],
)
def test_a_concern_about_someone_else_thanks_the_resident_and_says_who_to_tell(kind, must_say, offer):
    replies = safeguarding_reply(kind, CATALOGUE, subject="other")
    assert len(replies) == 3 <= MAX_SAFETY_MESSAGES
    assert replies[0].text == "Thank you for telling us. You are right to speak up."
    said = _said(replies)
    for words in must_say:
        assert words in said, words
    for words in OWN_CRISIS:
        assert words not in said, words
    assert replies[-1].text == offer
    assert _payloads(replies[-1]) == ["/affirm", "/deny"]
    assert said.count("?") == 1
    assert all(SAFETY_ROUTES not in reply.page for reply in replies)  # the page's 999-and-Samaritans box


def test_the_resident_at_risk_still_hears_that_their_safety_matters():
    for subject in (None, "self"):
        replies = safeguarding_reply("child_at_risk", CATALOGUE, subject=subject)
        assert replies[0].text == "I am worried about what you have told me. Your safety matters most."


@pytest.mark.parametrize(
    ("kind", "subject", "text"),
    [
        ("gas_danger", None, "Leave the building now. Do not use light switches. Call 0800 111 999 from outside."),
        (
            "child_at_risk",
            "other",
            f"Call children's services on {CHILDRENS_SERVICES} or the NSPCC on 0808 800 5000. "
            "If the child is in danger now, call 999.",
        ),
        (
            "adult_at_risk",
            "other",
            f"Call adult social care on {ADULT_SOCIAL_CARE}, or the police on 101. "
            "If they are in danger now, call 999.",
        ),
        ("fire", None, "Get out, stay out, and call 999."),
    ],
)
def test_the_routes_said_again_are_short_and_plain(kind, subject, text):
    assert routes_again(kind, CATALOGUE, subject).text == text


@pytest.mark.parametrize("kind", [*KINDS, None, "something_new"])
def test_every_kind_can_be_said_again_and_says_when_to_call_999(kind):
    text = routes_again(kind, CATALOGUE).text
    assert "{" not in text and "999" in text
    assert "?" not in text


@pytest.mark.parametrize(
    ("kind", "must_say"),
    [
        ("child_at_risk", [CHILDRENS_SERVICES, "0808 800 5000", "999"]),
        ("adult_at_risk", [ADULT_SOCIAL_CARE, "101", "999"]),
    ],
)
def test_no_to_the_offer_repeats_who_to_tell(kind, must_say):
    said = safeguarding_followup(False, CATALOGUE, kind, "other").text
    assert said.startswith("That is OK.")
    assert "These numbers are there for you" not in said
    for words in must_say:
        assert words in said
    yes = safeguarding_followup(True, CATALOGUE, kind, "other").text
    assert yes.startswith("Thank you.") and must_say[0] in yes and "999" in yes


def test_the_residents_own_followups_are_unchanged():
    assert safeguarding_followup(False, CATALOGUE).text.startswith("That is OK. These numbers are there for you")
    assert "023 8083 3000" in safeguarding_followup(True, CATALOGUE, "self_harm").text


@pytest.mark.parametrize(
    ("kind", "question"),
    [("child_at_risk", "Is the child safe right now?"), ("adult_at_risk", "Are they safe right now?")],
)
def test_the_check_in_for_someone_else_asks_about_them(kind, question):
    reply = check_in(kind, "other")
    assert reply.text.startswith("Thank you for telling us.") and reply.text.endswith(question)
    assert reply.text.count("?") == 1 and CALL_999.search(reply.text)
    assert "Samaritans" not in reply.text
    assert [(b.title, b.payload) for b in reply.buttons] == [
        ("Yes, for now", "/affirm"),
        ("No, they need help now", "/deny"),
    ]


@pytest.mark.parametrize(
    ("kind", "number"), [("child_at_risk", CHILDRENS_SERVICES), ("adult_at_risk", ADULT_SOCIAL_CARE)]
)
def test_after_they_are_safe_and_at_goodbye_the_people_to_tell_are_repeated(kind, number):
    safe = check_in_safe(kind, "other", CATALOGUE)
    goodbye = goodbye_after_concern(kind, "other", CATALOGUE)
    for reply in (safe, goodbye):
        assert number in reply.text and "999" in reply.text and "?" not in reply.text
        assert "Samaritans" not in reply.text
    assert _payloads(safe) == ["/request_human"]


# ---------------------------------------------------------------- checking in on a possible risk


def test_the_check_in_names_999_and_samaritans_and_asks_one_question_last():
    reply = check_in()
    assert CALL_999.search(reply.text) and "Samaritans" in reply.text and "116 123" in reply.text
    assert reply.text.count("?") == 1 and reply.text.endswith("Are you safe right now?")
    assert [(b.title, b.payload) for b in reply.buttons] == [
        ("Yes, I am safe", "/affirm"),
        ("No, I need help now", "/deny"),
    ]
    assert SAFETY_ROUTES in reply.page


def test_im_safe_is_not_an_all_clear_the_routes_stay_and_a_person_is_offered():
    reply = check_in_safe()
    assert "999" in reply.text and "116 123" in reply.text and "?" not in reply.text
    assert _payloads(reply) == ["/request_human"]


def test_goodbye_after_a_risk_sign_gives_the_routes_and_asks_nothing():
    reply = goodbye_after_concern()
    assert "999" in reply.text and "116 123" in reply.text and "?" not in reply.text


# ---------------------------------------------------------------- acknowledging a disclosure


@pytest.mark.parametrize(
    ("needs", "phrase"),
    [
        ([DEAF], "would rather use text, webchat or Relay UK than voice calls"),
        ([OLDER], "would rather talk by phone or face to face"),
        ([LANGUAGE], "need an interpreter or plain language"),
        ([HARDSHIP], "may need help with paying"),
        ([DEAF, HARDSHIP], "would rather use text, webchat or Relay UK than voice calls and may need help with paying"),
        ([RISK, FRUSTRATED, OLDER], "would rather talk by phone or face to face"),
    ],
)
def test_a_disclosure_is_thanked_explained_and_one_question_is_asked(needs, phrase):
    replies = acknowledgement(needs)
    assert len(replies) == 2
    assert replies[0].text.startswith("Thank you for telling me.")
    assert "will not need to explain again" in replies[0].text
    assert replies[0].buttons == ()
    question = replies[1]
    assert _said(replies).count("?") == 1
    assert question.text.endswith("?")
    assert phrase in question.text
    assert _payloads(question) == ["/affirm", "/deny"]


def test_the_same_adjustment_is_asked_about_once():
    question = acknowledgement([OLDER, NO_INTERNET])[1].text
    assert question.count("would rather talk by phone or face to face") == 1


@pytest.mark.parametrize("needs", [[], [RISK], [FRUSTRATED], [RISK, FRUSTRATED]])
def test_nothing_is_asked_when_there_is_nothing_to_note(needs):
    assert acknowledgement(needs) == []


@pytest.mark.parametrize(
    ("message", "phrase"),
    [
        ("I'm deaf", "would rather use text, webchat or Relay UK than voice calls"),
        ("I'm registered blind", "would rather talk by phone, and need large print for letters"),
        ("I use a wheelchair", "need step-free access or a home visit"),
        ("I have dementia", "need more time, and one step at a time"),
        ("I'm writing on behalf of my mum", "you are helping your mum with this"),
        ("I'm writing on behalf of a client", "you are helping someone else with this"),
    ],
)
def test_what_the_detector_finds_is_asked_about_in_plain_words(message, phrase):
    needs = [Need.from_output(need.as_output()) for need in DETECTOR.detect(message)]
    assert phrase in acknowledgement(needs, message)[1].text


@pytest.mark.parametrize(
    ("agreed", "needs", "must_say", "help"),
    [
        (True, [DEAF], "I have noted that you would rather use text, webchat or Relay UK than voice calls.", "18001"),
        (True, [RISK, HARDSHIP], "I have noted that you may need help with paying.", "Council Tax Support"),
        (False, [DEAF], "I have not noted anything.", "Relay UK"),
    ],
)
def test_the_reply_to_consent_says_what_was_noted_and_gives_the_help_in_one_message(agreed, needs, must_say, help):
    reply = consent_reply(agreed, needs)
    assert reply.text.startswith(must_say) or must_say in reply.text
    assert help in reply.text
    assert "?" not in reply.text


# ---------------------------------------------------------------- what staff see


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("I only speak Polish", "needs interpreter: Polish"),
        ("can someone talk to me in polish please", "needs interpreter: Polish"),
        ("I need an Arabic interpreter", "needs interpreter: Arabic"),
        ("my English is not good, I speak Romanian", "needs interpreter: Romanian"),
        ("my english is not good", "needs interpreter or plain language"),
    ],
)
def test_the_language_record_names_the_language_when_the_resident_does(text, record):
    assert adjustment_record(LANGUAGE, text) == record


DIAGNOSIS_WORDS = [
    "deaf", "blind", "sighted", "wheelchair", "housebound", "tremor", "disab", "dementia", "anxi", "depress",
    "autis", "memory", "debt", "afford", "died", "passed away", "pension", "84", "dyslex",
]  # fmt: skip


@pytest.mark.parametrize(
    ("message", "record"),
    [
        ("I'm deaf", "prefers text relay or webchat"),
        ("I'm registered blind", "prefers phone or large print"),
        ("I use a wheelchair", "needs home visit or step free access"),
        ("I have a bad tremor", "needs more time"),
        ("I'm registered disabled", "needs accessible contact"),
        ("I have dementia and anxiety", "needs more time one step at a time"),
        ("I'm 84", "prefers phone or face to face"),
        ("I'm in debt", "may need payment help"),
        ("my wife passed away last month", "needs extra care"),
        ("I'm dyslexic", "needs interpreter or plain language"),
    ],
)
def test_staff_see_the_adjustment_never_a_diagnosis(message, record):
    needs = [Need.from_output(need.as_output()) for need in DETECTOR.detect(message)]
    assert [adjustment_record(need, message) for need in needs] == [record]
    assert not any(word in record.lower() for word in DIAGNOSIS_WORDS)


# ---------------------------------------------------------------- help that fits


@pytest.mark.parametrize(
    ("need", "must_say"),
    [
        (HARDSHIP, ["Council Tax Support", "debt advice", "hardship fund"]),
        (Need("life_event", "needs_extra_care"), ["Council Tax Support"]),
        (NO_INTERNET, ["free computers", "023 8083 3000"]),
        (DEAF, ["Relay UK", "18001 023 8083 3000", "British Sign Language"]),
        (LANGUAGE, ["interpreter, free of charge"]),
        (Need("carer_proxy", "acting_for_someone_else"), ["Lasting Power of Attorney"]),
    ],
)
def test_the_help_fits_the_need(need, must_say):
    said = _said(help_for([need]))
    for words in must_say:
        assert words in said


def test_help_for_several_needs_is_one_message_saying_each_line_once():
    replies = help_for([OLDER, NO_INTERNET, OLDER])
    assert len(replies) == 1
    sentences = re.split(r"(?<=[.!?]) ", replies[0].text)
    assert len(sentences) == len(set(sentences))
    assert "free computers" in _said(replies)
    assert "023 8083 3000" in _said(replies)


def test_a_struggling_resident_is_offered_a_person_or_the_complaints_route():
    reply = offer_support()
    assert "sorry" in reply.text and "make a complaint" in reply.text and "?" not in reply.text
    assert [(button.title, button.payload) for button in reply.buttons] == [
        ("Talk to a person", "/request_human"),
        ("Make a complaint", "/make_complaint"),
    ]
    during = offer_support(complaining=True)  # already making one: only a person
    assert "complaint" not in during.text and [b.payload for b in during.buttons] == ["/request_human"]


def test_a_sign_language_user_is_told_about_the_bsl_video_service_before_the_question() -> None:
    from routing.catalogue import load_catalogue

    needs = [Need("disability", "prefers_text_relay_or_webchat", cue="BSL")]
    replies = acknowledgement(needs, "i use BSL. can i talk to someone in sign language", load_catalogue())
    assert "British Sign Language by video call" in replies[0].text
    assert replies[-1].text.endswith("?")
    assert "video call" not in acknowledgement(needs, "i am deaf", load_catalogue())[0].text
