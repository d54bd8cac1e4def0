"""The detector trained on the project's labelled examples, on the messages residents found it got wrong.

An everyday emergency in the home (a broken boiler in December, a leak under the sink) is a repair,
not a risk; the paperwork after a death is a life event; a worry about the child next door is a
risk to someone else. Real dangers in the same rooms stay risks. The classifiers are fitted once
for this module on the hand-labelled examples (``rasa train`` adds the NLU examples as well).
"""

import pytest

from routing.cue_lexicon import CueLexicon
from routing.support_needs import SupportNeedDetector, load_examples, train

PLACED = ("report_issue", 0.8)
UNPLACED = ("nlu_fallback", 0.2)  # a message the assistant cannot otherwise place: the strictest case


@pytest.fixture(scope="module")
def detector() -> SupportNeedDetector:
    lexicon = CueLexicon.load()
    return SupportNeedDetector(lexicon, train(load_examples(), lexicon))


def _categories(detector, text, intent):
    return {need.category for need in detector.detect(text, *intent)}


def _risk(detector, text, intent=PLACED):
    return next((need for need in detector.detect(text, *intent) if need.category == "safeguarding"), None)


@pytest.mark.parametrize(
    "message",
    [
        # everyday emergencies in a council home
        "my boiler has broken, no heating or hot water and its freezing. its december",
        "boiler gone no heating no hot water and ive got a baby",
        "The radiators are all cold and there is no hot water",
        "under the sink, water going on the floor",
        "the tap under my sink is leaking theres water all over the floor",
        "im not in danger i just need my boiler fixed",
        "heating has packed in again and the kids are freezing, can someone come tomorrow",
        "pipe burst behind the washing machine, the kitchen floor is soaked",
        # the paperwork after a death
        "i dont know it, i cant find any of his letters",
        "my husband passed away last month and the council tax is still in his name",
    ],
)
@pytest.mark.parametrize("intent", [PLACED, UNPLACED], ids=["placed", "unplaced"])
def test_an_everyday_emergency_or_bereavement_admin_is_no_risk_and_no_hardship(detector, message, intent):
    found = _categories(detector, message, intent)
    assert "safeguarding" not in found
    assert "financial_hardship" not in found


def test_bereavement_admin_is_a_life_event(detector):
    needs = _categories(detector, "my wife died in the summer and the council tax is still in her name", PLACED)
    assert needs == {"life_event"}


@pytest.mark.parametrize(
    ("message", "kinds"),
    [
        ("the boiler's stopped and now the whole flat smells of gas", {"gas_danger"}),
        ("carbon monoxide alarm beeping and the heating's off", {"gas_danger"}),
        ("the socket next to the sink is sparking", {"electrics"}),
        ("water from upstairs is dripping into the light switch and it's fizzing", {"electrics"}),
        ("the ceiling is sagging with water and cracking, about to come down", {"dangerous_structure", "electrics"}),
        ("my nan's 90, on her own with no heating, she's got a chest infection and can't get warm", {"adult_at_risk"}),
    ],
)
def test_a_real_danger_in_the_same_rooms_is_still_a_risk(detector, message, kinds):
    need = _risk(detector, message)
    assert need is not None and need.tier in ("clear", "possible"), message
    assert need.kind in kinds


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("im worried about the kid next door", "child_at_risk"),
        ("the little boy next door is crying every night and his parents are always screaming at him", "child_at_risk"),
        ("no its not me its the little boy next door", "child_at_risk"),
        ("I'm worried about the girl upstairs, her stepdad hits her", "child_at_risk"),
        ("the old man across the road hasn't been out for a week and his curtains are shut", "adult_at_risk"),
        ("my neighbour's husband knocks her about, I hear it through the wall", "adult_at_risk"),
    ],
)
def test_a_worry_about_someone_else_is_their_risk_not_the_residents(detector, message, kind):
    need = _risk(detector, message)
    assert need is not None and need.tier in ("clear", "possible"), message
    assert (need.kind, need.subject) == (kind, "other")
    assert need.as_output()["subject"] == "other"


@pytest.mark.parametrize(
    "message", ["my husband hits me", "I can't go on, I want to end it", "my carer takes my money and hits me"]
)
def test_the_residents_own_risk_is_not_someone_elses(detector, message):
    need = _risk(detector, message)
    assert need is not None and need.tier == "clear"
    assert need.subject is None and "subject" not in need.as_output()


@pytest.mark.parametrize(
    ("message", "not_marked"),
    [
        # a thought of suicide or self-harm alone is no sign of a mental health need...
        ("I'm going to end my life tonight", "mental_health_cognitive"),
        ("i cut myself again last night", "mental_health_cognitive"),
        # ...and an older person at risk is not an older resident
        ("the old man across the road was shouting for help and his door is locked", "older_age"),
        ("my neighbour is 92 and nobody has seen her for a week, her curtains are still shut", "older_age"),
        (
            "the lady I clean for says her son takes her pension every week and she has nothing left for food",
            "older_age",
        ),
        # ...and a concern about someone outside the family is not acting for them
        ("I'm worried about my friend, her boyfriend took her phone and she has a black eye", "carer_proxy"),
    ],
)
def test_the_risk_alone_marks_no_other_need(detector, message, not_marked):
    found = _categories(detector, message, UNPLACED)
    assert "safeguarding" in found
    assert not_marked not in found


@pytest.mark.parametrize(
    ("message", "marked"),
    [
        ("i'm so depressed i want to end my life", "mental_health_cognitive"),
        ("I'm 84 and live alone, and I've fallen and can't get up off the floor", "older_age"),
        ("I'm writing on behalf of my dad, his new friend has taken his bank card and pin", "carer_proxy"),
        # for their own family the resident acts, and the family member's age is what the answer must fit
        # (a bare worry about a brother is no longer read as acting for him since the round of proxy
        # examples, whose writer counts only acting for someone; asking for help for him is)
        ("my brother says he wants to die, can I get him some help", "carer_proxy"),
        ("my nan is 91 and her carer hasn't turned up for three days, she can't get out of bed", "older_age"),
    ],
)
def test_the_residents_own_need_beside_a_risk_is_kept(detector, message, marked):
    found = _categories(detector, message, UNPLACED)
    assert {"safeguarding", marked} <= found
