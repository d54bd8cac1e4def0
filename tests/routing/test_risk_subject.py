"""Whose risk a message shows: the resident's own, or someone else's (and then a child or an adult)."""

import pytest

from routing.cue_lexicon import CueLexicon
from routing.risk_subject import OTHER, SELF, kind_for_subject, subject_of, their_family
from routing.support_needs import kind_of, load_examples


@pytest.mark.parametrize(
    ("message", "kind", "subject", "routed"),
    [
        # a child in someone else's home
        ("im worried about the kid next door", "child_at_risk", OTHER, "child_at_risk"),
        (
            "the little boy next door is crying every night and his parents are always screaming at him",
            "child_at_risk",
            OTHER,
            "child_at_risk",
        ),
        ("no its not me its the little boy next door", "self_harm", OTHER, "child_at_risk"),
        ("no its not me its the little boy next door", "unknown", OTHER, "child_at_risk"),
        ("I'm a teaching assistant and I'm worried about a pupil's home life", "unknown", OTHER, "child_at_risk"),
        ("two toddlers in the flat opposite are shut in alone most evenings", "child_at_risk", OTHER, "child_at_risk"),
        # an adult in someone else's home
        ("my neighbour's husband beats her, i hear it through the wall", "domestic_abuse", OTHER, "adult_at_risk"),
        ("my mum has gone missing", "child_at_risk", OTHER, "adult_at_risk"),
        ("the old lady at number 14 hasn't been seen since tuesday", "adult_at_risk", OTHER, "adult_at_risk"),
        ("my sister's boyfriend controls her money and her phone", "domestic_abuse", OTHER, "adult_at_risk"),
        ("the boy at number 40 is carrying packages for older men", "exploitation", OTHER, "child_at_risk"),
        # someone else's thoughts of suicide keep their own routes (999 and NHS 111 for them)
        ("my friend says she is going to kill herself tonight", "self_harm", OTHER, "self_harm"),
        ("my son said he's going to jump", "self_harm", OTHER, "self_harm"),
        ("my husband keeps saying he wants to end it all and he won't answer his phone", "self_harm", OTHER,
         "self_harm"),
        # the resident's own risk, even with other people in the message
        ("my husband hits me", "domestic_abuse", SELF, "domestic_abuse"),
        ("he took my passport and won't let me see my mum", "domestic_abuse", SELF, "domestic_abuse"),
        ("he reads every message, i'm using my friend's phone", "domestic_abuse", SELF, "domestic_abuse"),
        ("my kids would be better off without their mum", "self_harm", SELF, "self_harm"),
        ("swallowed my dad's heart tablets", "self_harm", SELF, "self_harm"),
        ("i want to end it all", "self_harm", SELF, "self_harm"),
        ("my husband left me and i want to end it all", "self_harm", SELF, "self_harm"),
        ("i'm 14 and my mum's boyfriend hits me", "child_at_risk", SELF, "child_at_risk"),
        ("i've fallen in the hall and can't get up, my neighbour's away", "adult_at_risk", SELF, "adult_at_risk"),
        ("i'm scared of my carer, she takes my money", "adult_at_risk", SELF, "adult_at_risk"),
        ("they say i owe them and i have to carry stuff or they'll hurt my little brother", "exploitation", SELF,
         "exploitation"),
        ("I have been sold to this man, I don't know the street", "exploitation", SELF, "exploitation"),
        # a danger to whoever is there is never someone else's
        ("my neighbour can smell gas in her kitchen", "gas_danger", SELF, "gas_danger"),
        ("the house next door is on fire", "fire", SELF, "fire"),
    ],
)  # fmt: skip
def test_whose_risk_it_is_and_the_kind_that_chooses_the_routes(message, kind, subject, routed):
    assert subject_of(message, kind) == subject
    assert kind_for_subject(kind, subject, message) == routed


def test_every_example_that_marks_whose_risk_it_is_agrees_with_the_rules():
    lexicon = CueLexicon.load()
    marked = [example for example in load_examples() if example.subject]
    assert len(marked) >= 40
    wrong = [
        example.text for example in marked if subject_of(example.text, kind_of(example, lexicon)) != example.subject
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("message", "family"),
    [
        ("Dad (84) has stopped taking his tablets on purpose", "Dad"),
        ("I think my brother is stealing from our dad, his account is empty", "my brother"),
        ("my mum is 84 and a man keeps ringing her pretending to be the bank", "my mum"),
        ("worried about my little sister, her boyfriend won't let her out", "my little sister"),
        # not family: a neighbour, a friend or a partner is not someone the resident acts for
        ("the old man next door hasn't been seen for a week", None),
        ("my flatmate has been cutting herself again", None),
        ("my husband keeps saying he wants to end it all", None),
        ("I'm on my mum's phone, my ex is outside the door", None),
    ],
)
def test_the_residents_own_family_is_named(message, family):
    assert their_family(message) == family
