"""Noticing support needs and risk in one message, from the curated cue lexicon."""

from dataclasses import replace

import pytest

from routing.categories import CATEGORIES
from routing.cue_lexicon import CueLexicon
from routing.support_needs import DetectionThresholds, Example, SupportNeedDetector, check_categories, train

DETECTOR = SupportNeedDetector(CueLexicon.load())  # the lexicon alone: a cue is all the evidence
LIMITS = DetectionThresholds.load()


def _categories(text):
    return [need.category for need in DETECTOR.detect(text)]


def _only(text, category):
    needs = [need for need in DETECTOR.detect(text) if need.category == category]
    assert len(needs) == 1, (text, DETECTOR.detect(text))
    return needs[0]


# ---------------------------------------------------------------- safeguarding


@pytest.mark.parametrize(
    ("message", "kind", "cue"),
    [
        # self-harm, said straight out, said indirectly, and as a method or plan
        ("I want to kill myself", "self_harm", "kill myself"),
        ("I don't want to be here any more", "self_harm", "don't want to be here"),
        ("everyone would be better off without me", "self_harm", "better off without me"),
        ("I won't be a burden much longer", "self_harm", "won't be a burden much longer"),
        ("I don't want to live", "self_harm", "don't want to live"),
        ("everything is closing in and I've thought about how I'd do it", "self_harm", "thought about how I'd do it"),
        ("where can I buy a lot of painkillers at once", "self_harm", "buy a lot of painkillers at once"),
        ("I've been saving up my tablets", "self_harm", "saving up my tablets"),
        ("I have saved up all my tablets", "self_harm", "saved up all my tablets"),
        ("I've got enough paracetamol saved", "self_harm", "got enough paracetamol"),
        ("what's the number for the samaritans, i need it now", "self_harm", "what's the number for the samaritans"),
        ("some days I think about driving into a wall", "self_harm", "think about driving into a wall"),
        # domestic abuse
        ("my husband hits me", "domestic_abuse", "husband hits me"),
        ("he hits me when he's drunk", "domestic_abuse", "he hits me"),
        ("he took my passport", "domestic_abuse", "he took my passport"),
        ("partner got a bit rough again last night", "domestic_abuse", "partner got a bit rough again"),
        ("is there a quick exit button on this page", "domestic_abuse", "quick exit button"),
        # a child or adult at risk
        ("the child next door is left alone all day", "child_at_risk", "child next door is left alone"),
        ("I'm worried about a pupil's home life", "child_at_risk", "worried about a pupil's home life"),
        ("no heat and the baby has gone really floppy", "child_at_risk", "baby has gone really floppy"),
        ("my mum has gone missing", "adult_at_risk", "mum has gone missing"),  # someone else: an adult
        # crime happening now
        ("someone is breaking in right now", "crime_in_progress", "is breaking in"),
        ("they are stripping the lead as we speak", "crime_in_progress", "stripping the lead as we speak"),
        ("there's a man with a knife outside", "crime_in_progress", "with a knife"),
        ("I'm being followed", "crime_in_progress", "being followed"),
        # exploitation
        ("they are forcing me to sell drugs", "exploitation", "forcing me to sell"),
        ("my boss keeps our passports", "exploitation", "boss keeps our passports"),
        # homeless tonight
        ("I have nowhere to sleep tonight", "homeless_tonight", "nowhere to sleep"),
        ("I've been sleeping in my car", "homeless_tonight", "sleeping in my car"),
        ("my landlord changed the locks today", "homeless_tonight", "changed the locks today"),
        ("sleepin rough again tonite", "homeless_tonight", "sleepin rough"),
        ("my mum's thrown me out and I'm 17", "homeless_tonight", "thrown me out and I'm 17"),
        # danger in the home
        ("I can smell gas in the kitchen", "gas_danger", "smell gas"),
        ("the CO alarm keeps going off", "gas_danger", "CO alarm"),
        ("there are live wires hanging from the ceiling", "electrics", "live wires"),
        ("the socket is sparking", "electrics", "socket is sparking"),
        ("a tree brought the power lines down in the storm", "electrics", "power lines down"),
        ("the lines are down across the pavement", "electrics", "lines are down across the pavement"),
        ("my oxygen concentrator has stopped working", "equipment_failure", "oxygen concentrator"),
        ("my pendant alarm isn't working", "equipment_failure", "pendant alarm isn't"),
    ],
)
def test_a_risk_is_noticed_with_its_kind_and_the_residents_words(message, kind, cue):
    need = _only(message, "safeguarding")
    assert need.kind == kind
    assert need.cue == cue
    assert need.cue in message


@pytest.mark.parametrize(
    "message",
    [
        "I'm not going to kill myself",
        "I'm not suicidal",
        "I don't want to live",
    ],
)
def test_a_negation_does_not_hide_a_risk(message):
    # Safeguarding is not negatable: a false alarm shows helplines, a miss can cost a life.
    assert _categories(message)[:1] == ["safeguarding"]


@pytest.mark.parametrize(
    ("message", "tier", "kind", "subject"),
    [
        # a concern about someone else: a child or an adult at risk, and the flag that it is not the resident
        ("the child next door is left alone all day", "clear", "child_at_risk", "other"),
        ("I think the kids next door are being neglected", "clear", "child_at_risk", "other"),
        ("my neighbour's kids are left on their own every night", "clear", "child_at_risk", "other"),
        ("my nan is being hurt by her carer", "clear", "adult_at_risk", "other"),
        ("the carer is stealing from my dad", "clear", "adult_at_risk", "other"),
        ("my mum has gone missing", "clear", "adult_at_risk", "other"),
        # the resident's own risk: no subject
        ("my husband hits me", "clear", "domestic_abuse", None),
        ("I want to kill myself", "clear", "self_harm", None),
        ("I can smell gas in the kitchen", "clear", "gas_danger", None),
        ("the woman next door says she can smell gas", "clear", "gas_danger", None),  # a danger to all there
    ],
)
def test_a_risk_to_someone_else_is_flagged_with_a_child_or_adult_kind(message, tier, kind, subject):
    need = _only(message, "safeguarding")
    assert (need.tier, need.kind, need.subject) == (tier, kind, subject)
    assert need.as_output().get("subject") == subject


# ---------------------------------------------------------------- other categories


@pytest.mark.parametrize(
    ("message", "category", "cue"),
    [
        ("I have no internet", "digital_exclusion", "no internet"),
        ("I borrowed my neighbour's phone", "digital_exclusion", "neighbour's phone"),
        ("I'm registered blind", "disability", "blind"),
        ("I'm deaf", "disability", "deaf"),
        ("I use a wheelchair", "disability", "wheelchair"),
        ("I'm housebound", "disability", "housebound"),
        ("I'm registered disabled", "disability", "registered disabled"),
        ("I have dementia", "mental_health_cognitive", "dementia"),
        ("I keep forgetting things", "mental_health_cognitive", "I keep forgetting"),
        ("I'm 84", "older_age", "I'm 84"),
        ("I'm in my eighties", "older_age", "I'm in my eighties"),
        ("I'm a pensioner", "older_age", "pensioner"),
        ("I can't afford my council tax", "financial_hardship", "can't afford"),
        ("I'm in debt", "financial_hardship", "in debt"),
        ("we've run out of money", "financial_hardship", "run out of money"),
        ("my english is not good", "language_literacy", "my english is not good"),
        ("I need an interpreter", "language_literacy", "interpreter"),
        ("I can't read very well", "language_literacy", "can't read very well"),
        ("my wife passed away last month", "life_event", "passed away"),
        ("I've just been released from prison", "life_event", "released from prison"),
        ("I lost my job last month", "life_event", "lost my job"),
        ("I'm writing on behalf of my mum", "carer_proxy", "on behalf of"),
        ("I'm a carer for my dad", "carer_proxy", "I'm a carer"),
        ("this is the third time I've asked", "frustration", "third time"),
        ("you're not listening", "frustration", "you're not listening"),
        ("this is ridiculous", "frustration", "ridiculous"),
    ],
)
def test_a_need_is_noticed_and_the_cue_is_the_residents_own_words(message, category, cue):
    assert _categories(message) == [category]
    need = _only(message, category)
    assert need.cue == cue
    assert need.cue in message
    assert need.kind is None
    assert bool(need.adjustment) == (category != "frustration")  # frustration is about us, nothing to adjust


# ---------------------------------------------------------------- no need


@pytest.mark.parametrize(
    "message",
    [
        # negated cues
        "I'm not disabled",
        "I am not disabled",
        "I'm not in debt",
        "I'm not in any debt",
        "I don't have any debt",
        "I've never been in debt",
        "no, I have internet at home",
        # near misses from the lexicon
        "the window blind is broken",
        "there is a blind bend on the road",
        "dead fox in the road",
        "can you collect an old sofa",
        "the pothole is killing my tyres",
        "graffiti that says something abusive",
        "gas works left a hole",
        "I need to kill some time",
        "I'm dying to know when my bins are collected",
        "the street light is dying",
        "I need to fit a carbon monoxide alarm",
        "I want to dispose of an old oxygen cylinder",
        "I don't want to live here anymore",
        "I don't want to be here all day on hold, when is my bin day",
        "I volunteer with the samaritans, can I book a room at the library",
        "is there a quick exit from the car park",
        "a lorry crashed into a wall on my road",
        # ordinary requests
        "when is my bin day",
        "I want to pay my council tax",
        "there is a pothole on Portswood Road",
    ],
)
def test_no_need_is_noticed_in_an_ordinary_or_negated_message(message):
    assert DETECTOR.detect(message) == []


@pytest.mark.parametrize(
    "message",
    [
        "I don\u2019t have any debt",
        "I haven\u2019t got any debts",
        "I paid it all off, I'm without any debt now",
    ],
)
def test_every_negation_the_lexicon_lists_is_honoured(message):
    assert DETECTOR.detect(message) == []


@pytest.mark.parametrize("message", ["", "   ", "\n\t "])
def test_an_empty_message_has_no_needs(message):
    assert DETECTOR.detect(message) == []


# ---------------------------------------------------------------- several at once, and inside tasks


@pytest.mark.parametrize(
    ("message", "categories"),
    [
        (
            "I'm 84, I have no internet and my husband passed away",
            ["digital_exclusion", "older_age", "life_event"],
        ),
        ("I'm in debt and I want to kill myself", ["safeguarding", "financial_hardship"]),
        ("I'm deaf and I can't afford the rent this month", ["disability", "financial_hardship"]),
        ("this is the third time, I smell gas in the hall", ["safeguarding", "frustration"]),
    ],
)
def test_several_needs_in_one_message_are_all_noticed_safeguarding_first(message, categories):
    assert _categories(message) == categories


@pytest.mark.parametrize(
    ("message", "category", "cue"),
    [
        ("I want to report a pothole but I'm registered blind", "disability", "blind"),
        ("I want to pay my council tax but I'm deaf", "disability", "deaf"),
        ("can I pay my council tax, I can't afford it this month", "financial_hardship", "can't afford"),
        ("can you tell me my bin day, I'm 84 and I live alone", "older_age", "I'm 84"),
        ("I need to apply for a blue badge for my mum", "carer_proxy", "for my mum"),
        ("I want to report a pothole, this is the third time!", "frustration", "third time"),
        ("please can I book a bulky waste collection, I lost my job last month", "life_event", "lost my job"),
    ],
)
def test_a_need_mentioned_inside_a_task_request_is_noticed(message, category, cue):
    need = _only(message, category)
    assert need.cue == cue


@pytest.mark.parametrize(
    "message",
    [
        "Dzień dobry, nie mam pieniędzy na czynsz",
        "Proszę o pomoc, mam problem z moim mieszkaniem",
        "Necesito ayuda con mi factura por favor",
        "Mi casa es muy fría y necesito ayuda",
        "Bună ziua, am nevoie de ajutor",
        "مرحبا أحتاج مساعدة في الضرائب",
        "你好，我需要帮助",
    ],
)
def test_a_message_not_in_english_suggests_an_interpreter(message):
    need = _only(message, "language_literacy")
    assert need.adjustment == "needs_interpreter_or_plain_language"


def test_safeguarding_comes_first_and_the_rest_follow_the_contract_order():
    needs = DETECTOR.detect("I'm 84, in debt, my wife died, I'm deaf and I'm going to end it all")
    order = [need.category for need in needs]
    assert order[0] == "safeguarding"
    assert order == sorted(order, key=CATEGORIES.index)
    assert set(order) == {"safeguarding", "disability", "older_age", "financial_hardship", "life_event"}


# ---------------------------------------------------------------- the parse output


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "I can smell gas in the kitchen",
            [
                {
                    "category": "safeguarding",
                    "confidence": 0.95,
                    "cue": "smell gas",
                    "kind": "gas_danger",
                    "tier": "clear",
                }
            ],
        ),
        (
            "I'm deaf",
            [
                {
                    "category": "disability",
                    "confidence": 0.95,
                    "cue": "deaf",
                    "adjustment": "prefers_text_relay_or_webchat",
                }
            ],
        ),
        ("this is ridiculous", [{"category": "frustration", "confidence": 0.95, "cue": "ridiculous"}]),
        (
            "the child next door is left alone all day",
            [
                {
                    "category": "safeguarding",
                    "confidence": 0.95,
                    "cue": "child next door is left alone",
                    "kind": "child_at_risk",
                    "tier": "clear",
                    "subject": "other",
                }
            ],
        ),
        ("when is my bin day", []),
    ],
)
def test_the_parse_output_has_category_confidence_and_cue(message, expected):
    assert [need.as_output() for need in DETECTOR.detect(message)] == expected


@pytest.mark.parametrize(
    "message",
    ["I'm 84, I have no internet and my husband passed away", "I'm in debt and I want to kill myself", "I'm deaf"],
)
def test_every_output_item_meets_the_contract(message):
    for item in (need.as_output() for need in DETECTOR.detect(message)):
        assert item["category"] in CATEGORIES
        assert 0.0 <= item["confidence"] <= 1.0
        assert item["cue"].lower() in message.lower()


# ---------------------------------------------------------------- the classifiers


TRAINING = [
    Example("my grandson does all the computer things for me", frozenset({"digital_exclusion"})),
    Example("I only have a landline telephone", frozenset({"digital_exclusion"})),
    Example("I only have a landline, nothing else", frozenset({"digital_exclusion"})),
    Example("the landline is all I have", frozenset({"digital_exclusion"})),
    Example("sat on the cliff edge, tonight is the night", frozenset({"safeguarding"}), "self_harm"),
    Example("the cliff edge tonight, i'm ready", frozenset({"safeguarding"}), "self_harm"),
    Example("cliff edge, it ends tonight", frozenset({"safeguarding"}), "self_harm"),
    Example(
        "there is a funny smell from the boiler cupboard and my head is spinning",
        frozenset({"safeguarding"}),
        "gas_danger",
    ),
    Example("boiler cupboard smells odd, headache and dizzy", frozenset({"safeguarding"}), "gas_danger"),
    Example("he hit me again when he got in from the pub", frozenset({"safeguarding"}), "domestic_abuse"),
    Example("my husband hits me and takes my money", frozenset({"safeguarding"}), "domestic_abuse"),
    Example("when is my bin day", frozenset()),
    Example("I want to pay my council tax", frozenset()),
    Example("there is a pothole on the high street", frozenset()),
    Example("how do I apply for a parking permit", frozenset()),
    Example("my bin was not collected", frozenset()),
]


@pytest.fixture(scope="module")
def models():
    return train(TRAINING, CueLexicon.load())


def _with(limits: DetectionThresholds, **risk) -> DetectionThresholds:
    return replace(limits, risk=replace(limits.risk, **risk))


def test_the_classifier_adds_a_need_no_cue_covers(models):
    message = "please ring me, I only have a landline"
    assert DETECTOR.detect(message) == []  # no cue in the lexicon
    score = models.needs.scores(message)["digital_exclusion"]
    assert score >= LIMITS.categories["digital_exclusion"]
    needs = SupportNeedDetector(CueLexicon.load(), models).detect(message)
    assert [need.as_output() for need in needs] == [
        {"category": "digital_exclusion", "confidence": round(score, 3), "adjustment": "prefers_phone_or_face_to_face"}
    ]
    assert needs[0].cue is None


def test_the_classifier_adds_nothing_below_its_threshold(models):
    message = "report a pothole please"
    assert models.needs.scores(message)["digital_exclusion"] < LIMITS.categories["digital_exclusion"]
    assert SupportNeedDetector(CueLexicon.load(), models).detect(message) == []


def test_a_cue_names_the_need_with_the_residents_words(models):
    needs = SupportNeedDetector(CueLexicon.load(), models).detect("I have no internet")
    assert [(need.category, need.cue, need.confidence) for need in needs] == [
        ("digital_exclusion", "no internet", 0.95)
    ]


def test_a_near_miss_makes_the_classifier_need_to_be_surer(models):
    plain, with_near_miss = "ring my landline", "fix the window blind, ring my landline"
    limits = replace(LIMITS, categories={**LIMITS.categories, "digital_exclusion": 0.3}, near_miss=0.99)
    detector = SupportNeedDetector(CueLexicon.load(), models, limits)
    assert 0.3 <= models.needs.scores(with_near_miss)["digital_exclusion"] < 0.99
    assert [need.category for need in detector.detect(plain)] == ["digital_exclusion"]
    assert detector.detect(with_near_miss) == []


def test_a_strong_score_interrupts_and_staff_see_the_risk_concepts(models):
    detector = SupportNeedDetector(CueLexicon.load(), models, _with(LIMITS, clear=0.5))
    message = "going to the cliff edge tonight"
    assert models.needs.scores(message)["safeguarding"] >= 0.5
    (need,) = detector.detect(message)
    assert (need.category, need.tier, need.kind, need.cue) == ("safeguarding", "clear", "self_harm", None)
    assert "cliff" in need.evidence and "tonight" in need.evidence
    assert need.as_output()["tier"] == "clear"


def test_a_middling_score_checks_in_instead_of_interrupting(models):
    message = "going to the cliff edge tonight"
    score = models.needs.scores(message)["safeguarding"]
    detector = SupportNeedDetector(CueLexicon.load(), models, _with(LIMITS, clear=score + 0.01, possible=score - 0.01))
    assert [(need.category, need.tier) for need in detector.detect(message)] == [("safeguarding", "possible")]


def test_the_kind_classifier_names_the_kind_no_cue_named(models):
    detector = SupportNeedDetector(CueLexicon.load(), models, _with(LIMITS, clear=0.01))
    (need,) = detector.detect("funny smell from the boiler cupboard, head spinning")
    assert (need.cue, need.kind) == (None, "gas_danger")


def test_a_kind_the_kind_classifier_is_unsure_of_is_not_named(models):
    detector = SupportNeedDetector(CueLexicon.load(), models, _with(LIMITS, clear=0.0))
    message = "please ring me back"  # like none of the kinds the toy classifier learnt
    assert max(models.kinds.scores(message).values()) < 0.5
    (need,) = detector.detect(message)
    assert need.kind == "unknown"  # the routes for any risk, not a guess such as gas or self-harm


def test_a_risk_word_in_a_message_the_assistant_cannot_place_earns_a_check_in(models):
    message = "the edge"  # a risk concept ("edge"), too little for the classifier on its own
    score = models.needs.scores(message)["safeguarding"]
    limits = _with(LIMITS, clear=0.99, possible_alone=0.99, possible=0.99, unplaced=score / 2)
    detector = SupportNeedDetector(CueLexicon.load(), models, limits)
    assert [need.tier for need in detector.detect(message, "nlu_fallback", 0.3)] == ["possible"]
    assert [need.tier for need in detector.detect(message, "out_of_scope", 0.9)] == ["possible"]
    assert detector.detect(message, "report_issue", 0.95) == []  # placed: "the edge of the pavement"


def test_a_cue_with_a_weak_score_checks_in_and_with_a_strong_one_interrupts(models):
    message = "I'm going to kill myself"
    score = models.needs.scores(message)["safeguarding"]
    weak = SupportNeedDetector(
        CueLexicon.load(),
        models,
        _with(LIMITS, clear=0.99, clear_with_cue=min(0.99, score + 0.01), possible_with_cue=score / 2),
    )
    strong = SupportNeedDetector(CueLexicon.load(), models, _with(LIMITS, clear=0.99, clear_with_cue=score))
    assert [(need.tier, need.cue) for need in weak.detect(message)] == [("possible", "kill myself")]
    assert [(need.tier, need.cue) for need in strong.detect(message)] == [("clear", "kill myself")]


def test_the_thresholds_file_names_only_known_categories(tmp_path):
    path = tmp_path / "thresholds.yml"
    path.write_text("default: 0.6\nnear_miss: 0.85\ncategories: {loneliness: 0.5}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown category 'loneliness'"):
        DetectionThresholds.load(path)


def test_training_examples_with_an_unknown_category_are_refused():
    with pytest.raises(ValueError, match="unknown support-need categories"):
        check_categories([Example("hello", frozenset({"loneliness"}))])


# ---------------------------------------------------------------- loading the lexicon

VALID_LEXICON = """\
version: 1
negations: ["not"]
near_misses: ['window blinds?']
categories:
  disability:
    adjustment: needs_accessible_contact
    groups:
      - cues: ['blind']
"""


def test_a_small_lexicon_file_loads_and_works(tmp_path):
    path = tmp_path / "lexicon.yml"
    path.write_text(VALID_LEXICON, encoding="utf-8")
    detector = SupportNeedDetector(CueLexicon.load(path))
    assert [need.as_output() for need in detector.detect("I am blind")] == [
        {"category": "disability", "confidence": 0.95, "cue": "blind", "adjustment": "needs_accessible_contact"}
    ]
    assert detector.detect("my window blind is broken") == []
    assert detector.detect("I am not blind") == []


@pytest.mark.parametrize(
    ("category", "cue", "error"),
    [
        ("loneliness", "lonely", "unknown category 'loneliness'"),
        ("disability", "(blind", "bad cue in disability"),
        ("older_age", "i'm [0-9", "bad cue in older_age"),
    ],
)
def test_a_broken_lexicon_fails_loudly_naming_the_category(tmp_path, category, cue, error):
    path = tmp_path / "lexicon.yml"
    path.write_text(
        f"version: 1\nnegations: ['not']\nnear_misses: ['window blinds?']\n"
        f"categories:\n  {category}:\n    groups:\n      - cues: [{cue!r}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=error):
        CueLexicon.load(path)


def test_another_needs_cue_is_no_evidence_against_a_risk(models):
    # The risk model is never shown the other categories' cue columns, so their weights stay 0.
    lexicon = CueLexicon.load()
    classifier = models.needs
    start = len(classifier._words.vocabulary_) + len(classifier._chars.vocabulary_)
    column = classifier.labels.index("safeguarding")
    for index, category in enumerate(lexicon.group_categories()):
        if category != "safeguarding":
            assert classifier._weights[start + index, column] == 0.0


def test_a_self_harm_example_teaches_mental_health_nothing_unless_it_marks_it():
    # Whether thoughts of suicide are also a sign of mental health is a convention readers split on:
    # "cliff" is only in self-harm examples that do not mark it, so the mental-health model learns nothing from it.
    examples = [*TRAINING, Example("I'm so anxious I can't think", frozenset({"mental_health_cognitive"}))]
    classifier = train(examples, CueLexicon.load()).needs
    column = classifier.labels.index("mental_health_cognitive")
    assert abs(classifier._weights[classifier._words.vocabulary_["cliff"], column]) < 1e-6
    assert classifier._weights[classifier._words.vocabulary_["cliff"], classifier.labels.index("safeguarding")] > 0
