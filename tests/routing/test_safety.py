"""The safety net's tiers: clear risk interrupts, possible risk checks in, nothing else does."""

import pytest

from routing.safety import RiskEvidence, Thresholds, Tier, safeguarding_tier, tier_for

LIMITS = Thresholds(
    clear=0.7, clear_with_cue=0.3, possible_alone=0.4, possible=0.2, possible_with_cue=0.1, unplaced=0.15
)


@pytest.mark.parametrize(
    ("evidence", "intent", "confidence", "tier"),
    [
        (RiskEvidence(0.9), "make_payment", 0.9, Tier.CLEAR),
        (RiskEvidence(0.4, cue="kill myself"), "inform", 0.9, Tier.CLEAR),  # a cue the classifier backs
        (RiskEvidence(0.4), "inform", 0.9, Tier.POSSIBLE),  # sure enough on its own
        (RiskEvidence(0.3), "report_issue", 0.9, Tier.NONE),  # "deep and wide": a placed message, nothing else
        (RiskEvidence(0.3, concepts=True), "report_issue", 0.9, Tier.POSSIBLE),  # with a risk concept
        (RiskEvidence(0.3), "report_issue", 0.3, Tier.POSSIBLE),  # or a message it cannot place
        (RiskEvidence(0.15, cue="overdosed"), "get_information", 0.9, Tier.POSSIBLE),
        (RiskEvidence(0.05, cue="overdosed"), "get_information", 0.9, Tier.NONE),  # "overdosed on mince pies"
        (RiskEvidence(0.16, concepts=True), "nlu_fallback", 0.2, Tier.POSSIBLE),  # a risk word, unplaced
        (RiskEvidence(0.16, concepts=True), "out_of_scope", 0.9, Tier.POSSIBLE),
        (RiskEvidence(0.16, concepts=True), "report_issue", 0.95, Tier.NONE),  # placed: a report
        (RiskEvidence(0.16, concepts=False), "nlu_fallback", 0.2, Tier.NONE),  # no risk word at all
        (RiskEvidence(0.0), "nlu_fallback", 0.0, Tier.NONE),
    ],
)
def test_the_tier_follows_the_evidence_and_how_well_the_message_is_placed(evidence, intent, confidence, tier):
    assert tier_for(evidence, intent, confidence, LIMITS) is tier


@pytest.mark.parametrize(
    ("support_needs", "tier"),
    [
        ([], Tier.NONE),
        ([{"category": "older_age"}], Tier.NONE),
        ([{"category": "safeguarding", "tier": "possible"}], Tier.POSSIBLE),
        ([{"category": "safeguarding", "tier": "clear"}, {"category": "older_age"}], Tier.CLEAR),
        ([{"category": "safeguarding"}], Tier.CLEAR),  # an item with no tier is a clear risk
    ],
)
def test_the_tier_is_read_from_the_parse(support_needs, tier):
    assert safeguarding_tier(support_needs) is tier
