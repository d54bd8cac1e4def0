"""Bin collection days by postcode, from data/catalogue/bin_days.yml."""

from datetime import date, timedelta

import pytest
import yaml

from routing.bins import BinDay, find_bin_day, next_collections, week_letter
from routing.catalogue import DEFAULT_DIR, load_catalogue

SECTORS = yaml.safe_load((DEFAULT_DIR / "bin_days.yml").read_text(encoding="utf-8"))["sectors"]


@pytest.fixture(scope="module")
def bin_days():
    return load_catalogue().bin_days


@pytest.mark.parametrize(
    ("text", "postcode", "day"),
    [
        ("SO17 1BJ", "SO17 1BJ", "Tuesday"),
        ("so171bj", "SO17 1BJ", "Tuesday"),
        ("SO15 2BT", "SO15 2BT", "Wednesday"),
        ("my postcode is so14 0aa thanks", "SO14 0AA", "Monday"),
        ("SO19 9ZZ", "SO19 9ZZ", "Tuesday"),
    ],
)
def test_a_known_postcode_gets_its_collection_day(bin_days, text, postcode, day):
    bin_day = find_bin_day(text, bin_days)
    assert bin_day is not None
    assert bin_day.postcode == postcode
    assert bin_day.day == day
    assert bin_day.general_waste
    assert bin_day.recycling


@pytest.mark.parametrize("sector", sorted(SECTORS))
def test_every_sector_in_bin_days_yml_is_found(bin_days, sector):
    bin_day = find_bin_day(f"{sector}AB", bin_days)
    assert bin_day is not None
    assert bin_day.day == SECTORS[sector]["day"]
    assert bin_day.general_waste == SECTORS[sector]["general_waste"]
    assert bin_day.recycling == SECTORS[sector]["recycling"]


@pytest.mark.parametrize("text", ["SO16 7AB", "so14 4xy", "SO50 5PP", "SW1A 1AA"])
def test_an_unknown_postcode_gets_none(bin_days, text):
    assert find_bin_day(text, bin_days) is None


@pytest.mark.parametrize("text", ["", "when is my bin day?", "Portswood Road", "SO17"])
def test_text_without_a_postcode_gets_none(bin_days, text):
    assert find_bin_day(text, bin_days) is None


# ---------------------------------------------------------------- which week it is

WEEK_A = date(2026, 1, 5)  # a Monday


@pytest.mark.parametrize(
    ("day", "letter"),
    [
        (date(2026, 1, 5), "A"),  # the reference Monday
        (date(2026, 1, 11), "A"),  # its Sunday
        (date(2026, 1, 12), "B"),
        (date(2026, 1, 19), "A"),
        (date(2026, 12, 7), "A"),  # 48 weeks on
        (date(2026, 12, 14), "B"),
        (date(2025, 12, 29), "B"),  # the week before the reference
        (date(2025, 12, 22), "A"),
    ],
)
def test_the_week_letter_alternates_from_the_reference_monday(day, letter):
    assert week_letter(day, WEEK_A) == letter


def test_any_day_of_a_week_a_works_as_the_reference():
    assert all(week_letter(date(2026, 3, 2), WEEK_A + timedelta(days=n)) == "A" for n in range(7))


BIN_DAY = BinDay("SO17 1BJ", "Tuesday", "every other week, week A", "every other week, week B")


@pytest.mark.parametrize(
    ("today", "first_on", "first_bins", "second_bins"),
    [
        (date(2026, 12, 7), date(2026, 12, 8), ("general waste",), ("recycling",)),  # Monday of week A
        (date(2026, 12, 8), date(2026, 12, 8), ("general waste",), ("recycling",)),  # the day itself
        (date(2026, 12, 9), date(2026, 12, 15), ("recycling",), ("general waste",)),  # the day has passed
        (date(2026, 12, 13), date(2026, 12, 15), ("recycling",), ("general waste",)),  # Sunday
    ],
)
def test_the_next_collection_and_the_one_after(today, first_on, first_bins, second_bins):
    first, second = next_collections(BIN_DAY, today, WEEK_A)
    assert (first.on, first.bins, second.bins) == (first_on, first_bins, second_bins)
    assert second.on == first_on + timedelta(days=7)


def test_a_bin_with_no_week_named_goes_every_week():
    weekly = BinDay("SO14 0AA", "Monday", "every week", "every other week, week B")
    first, second = next_collections(weekly, date(2026, 12, 7), WEEK_A)
    assert first.bins == ("general waste",) and second.bins == ("general waste", "recycling")


def test_an_unknown_day_gives_no_collections():
    assert next_collections(BinDay("SO14 0AA", "Someday", "week A", "week B"), date(2026, 12, 7), WEEK_A) is None


def test_the_catalogue_gives_the_monday_a_week_a_starts(bin_days):
    assert load_catalogue().bin_week_a_starts == WEEK_A
