"""Bin collection days by postcode, from data/catalogue/bin_days.yml."""

import pytest
import yaml

from routing.bins import find_bin_day
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
