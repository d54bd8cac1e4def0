"""References residents are given and quote back: ``SCC-`` and six characters with no 0/O or 1/I/L."""

import re

import pytest

from routing.references import find_reference, new_reference

# SCC- and 6 characters, never 0, O, 1, I or L (they are misheard over the phone).
CONTRACT_FORMAT = re.compile(r"SCC-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}")


def test_a_new_reference_has_the_contract_format():
    reference = new_reference()
    assert CONTRACT_FORMAT.fullmatch(reference), reference
    assert not set(reference[4:]) & set("0O1IL")


def test_2000_new_references_are_all_different_and_all_valid():
    references = [new_reference() for _ in range(2000)]
    assert len(set(references)) == 2000
    assert all(CONTRACT_FORMAT.fullmatch(reference) for reference in references)
    assert all(find_reference(reference).reference == reference for reference in references)


@pytest.mark.parametrize(
    ("message", "reference"),
    [
        ("SCC-7KQ4XH", "SCC-7KQ4XH"),
        ("scc-7kq4xh", "SCC-7KQ4XH"),
        ("scc 7kq4xh", "SCC-7KQ4XH"),
        ("SCC7KQ4XH", "SCC-7KQ4XH"),
        ("any news on scc 7kq4xh?", "SCC-7KQ4XH"),
        ("My reference is SCC-7kq4xh.", "SCC-7KQ4XH"),
        ("ref: SCC-ABCDEF, thanks", "SCC-ABCDEF"),
    ],
)
def test_a_reference_is_found_however_it_is_typed(message, reference):
    found = find_reference(message)
    assert found.reference == reference
    assert found.malformed is None


@pytest.mark.parametrize(
    ("message", "malformed"),
    [
        ("update on SCC-48213", "SCC-48213"),
        ("SCC-12", "SCC-12"),
        ("scc-7kq4x", "SCC-7KQ4X"),
        ("SCC-7KQ4XHZ", "SCC-7KQ4XHZ"),
        ("SCC-7KQ4X0", "SCC-7KQ4X0"),  # a zero is never used
        ("SCC-ABCDEL", "SCC-ABCDEL"),  # nor an L
    ],
)
def test_a_wrong_reference_is_reported_as_malformed(message, malformed):
    found = find_reference(message)
    assert found.reference is None
    assert found.malformed == malformed


@pytest.mark.parametrize(
    "message",
    [
        "",
        "When is my bin day?",
        "I want to report a pothole on Portswood Road",
        "call me on 023 8083 3000",
        pytest.param(
            "I emailed SCC about my bin",
        ),
        pytest.param(
            "SCC garden waste bin not collected",
        ),
    ],
)
def test_a_message_without_a_reference_gives_neither(message):
    found = find_reference(message)
    assert found.reference is None
    assert found.malformed is None
