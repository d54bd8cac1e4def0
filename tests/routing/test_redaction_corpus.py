"""The card corpus through the redactor: every variant loses its card number, security code and
expiry date; everything on the survivors list comes through unchanged."""

from __future__ import annotations

import random

import pytest

from routing.card_numbers import normalise
from routing.redaction import PLACEHOLDERS, redact
from routing.split_cards import CardGuard
from tests.fixtures.card_corpus import (
    BRANDS,
    DIGIT_ZEROS,
    LIMIT,
    SEPARATORS,
    SURVIVORS,
    Survivor,
    Variant,
    code_pattern,
    corpus,
    digits_of,
    grouped,
    in_script,
    make_card,
)

CORPUS = corpus()


def stored(variant: Variant, guard: CardGuard | None = None) -> list[str]:
    """What the channel would store for each of the variant's messages."""
    guard = guard or CardGuard()
    return [guard.redact("resident", message, LIMIT).text for message in variant.messages]


def test_the_corpus_has_over_200_variants_of_every_shape() -> None:
    assert len(CORPUS) >= 200
    lengths = {len(variant.card) for variant in CORPUS if variant.card}
    assert lengths == set(range(13, 20))
    assert sum(len(variant.messages) > 1 for variant in CORPUS) >= 10
    assert sum(variant.cut for variant in CORPUS) >= 5
    assert sum(not variant.card.isascii() or not "".join(variant.messages).isascii() for variant in CORPUS) >= 20


@pytest.mark.parametrize("variant", CORPUS, ids=[f"{i}-{v.name}" for i, v in enumerate(CORPUS)])
def test_no_card_number_or_code_of_the_corpus_is_kept(variant: Variant) -> None:
    kept = stored(variant)
    kept_digits = "".join(digits_of(text) for text in kept)  # the parts side by side, as a reader would join them
    if variant.card:
        assert variant.card not in kept_digits, kept
        assert variant.card[-8:] not in kept_digits, kept  # nor the end of it
        if variant.cut or len(variant.messages) == 1:
            assert variant.card[:8] not in kept_digits, kept  # nor its start (a split card may keep up to 7)
    for code in variant.codes:
        assert not any(code_pattern(code).search(normalise(text)) for text in kept), kept
    assert any(placeholder in text for text in kept for placeholder in PLACEHOLDERS), kept
    assert all(len(text) <= LIMIT for text in kept)


@pytest.mark.parametrize("survivor", SURVIVORS, ids=[f"{s.kind}: {s.text}" for s in SURVIVORS])
def test_what_must_survive_survives(survivor: Survivor) -> None:
    result = redact(survivor.text)
    assert result.text == survivor.text
    assert not result.found


def test_the_survivors_survive_one_after_another_in_a_conversation() -> None:
    guard = CardGuard()
    for survivor in SURVIVORS:
        assert guard.redact("resident", survivor.text, LIMIT).text == survivor.text


def test_a_split_card_is_caught_only_in_the_same_conversation_and_only_for_a_while() -> None:
    now = [0.0]
    guard = CardGuard(ttl_seconds=120, clock=lambda: now[0])
    assert guard.redact("a", "4111 11", LIMIT).text == "4111 11"  # PCI DSS allows the first six digits
    assert guard.redact("b", "11 1111 1111", LIMIT).text == "11 1111 1111"  # another conversation
    assert guard.redact("a", "11 1111 1111", LIMIT).text == "[card number removed]"
    guard.redact("a", "4111 11", LIMIT)
    now[0] += 121
    assert guard.redact("a", "11 1111 1111", LIMIT).text == "11 1111 1111"  # forgotten after two minutes


def test_the_memory_of_split_cards_is_bounded() -> None:
    guard = CardGuard(max_conversations=3)
    for sender in "abcdef":
        guard.redact(sender, "4111 11", LIMIT)
    assert guard.redact("a", "11 1111 1111", LIMIT).text == "11 1111 1111"  # "a" was forgotten first
    assert guard.redact("f", "11 1111 1111", LIMIT).text == "[card number removed]"


def test_a_cut_message_keeps_no_digits_of_a_card_across_the_limit() -> None:
    message = "x" * (LIMIT - 10) + " 4111 1111 1111 1111"
    kept = CardGuard().redact("resident", message, LIMIT).text
    assert len(kept) <= LIMIT
    assert "4111" not in kept and "[card number" in kept


def test_a_long_run_of_digits_across_the_limit_is_not_kept_in_part() -> None:
    message = "x" * (LIMIT - 12) + " " + "7" * 40
    kept = CardGuard().redact("resident", message, LIMIT).text
    assert len(kept) <= LIMIT and "7777777" not in kept


def test_a_huge_message_is_redacted_quickly_and_cut() -> None:
    kept = CardGuard().redact("resident", "4111 1111 1111 1111 " * 50_000, LIMIT)
    assert "4111" not in kept.text and len(kept.text) <= LIMIT


def _card_typed(rng: random.Random) -> tuple[str, str]:
    """A card as a resident might type it: printed groups, any separators (mixed, never none: the
    corpus has unbroken cards), any digits, words around it, maybe its code or expiry after it."""
    prefix, length = rng.choice([(p, n) for prefixes, lengths in BRANDS.values() for p in prefixes for n in lengths])
    card = make_card(rng, prefix, length)
    groups = grouped(card, "|").split("|")
    separators = [separator for separator in SEPARATORS.values() if separator]
    text = groups[0] + "".join(rng.choice(separators) + group for group in groups[1:])
    if rng.random() < 0.3:
        text = in_script(text, rng.choice(list(DIGIT_ZEROS.values())))
    before = rng.choice(["", "my card ", "pay with ", "it is: ", "(", "card number "])
    after = rng.choice(["", " thanks", " 123", "123", " exp 12/27", "1227", ", cvv 123", ")"])
    return card, before + text + after


def test_thousands_of_cards_typed_every_which_way_are_all_removed() -> None:
    rng = random.Random(2026)
    kept = [text for card, text in (_card_typed(rng) for _ in range(3000)) if card in digits_of(redact(text).text)]
    assert kept == []


def _numbers_listed(rng: random.Random) -> str:
    """Phone numbers, dates, amounts and account numbers in a list, as residents write them."""
    makers = [
        lambda: f"023 8083 {rng.randint(0, 9999):04d}",
        lambda: f"07700 9{rng.randint(0, 99999):05d}",
        lambda: f"+44 7700 9{rng.randint(0, 99999):05d}",
        lambda: f"0800 {rng.randint(0, 999):03d} {rng.randint(0, 9999):04d}",
        lambda: f"07{rng.randint(0, 999999999):09d}",
        lambda: f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(20, 30)}",
        lambda: f"£{rng.randint(1, 3000)}.{rng.randint(0, 99):02d}",
        lambda: str(rng.randint(10**7, 10**10 - 1)),
    ]
    items = [rng.choice(makers)() for _ in range(rng.randint(1, 3))]
    return rng.choice(["", "call ", "it was ", "my account is "]) + rng.choice([", ", " / ", " or ", "; ", " - "]).join(
        items
    )


def test_thousands_of_listed_phone_numbers_dates_amounts_and_accounts_are_all_kept() -> None:
    rng = random.Random(2027)
    changed = [text for text in (_numbers_listed(rng) for _ in range(3000)) if redact(text).text != text]
    assert changed == []
