"""The service catalogue in data/catalogue: the contract's codes, keyword matching, and load errors."""

import copy
import shutil

import pytest
import yaml

from routing.catalogue import DEFAULT_DIR, CatalogueError, load_catalogue

# The fixed service codes (``routing.catalogue.REQUIRED_CODES``), copied here so a change on either side is noticed.
CONTRACT = {
    "report": [
        "pothole",
        "street_light",
        "fly_tipping",
        "missed_bin",
        "graffiti",
        "noise",
        "anti_social_behaviour",
        "abandoned_vehicle",
        "dog_fouling",
        "housing_repair",
    ],
    "pay": ["council_tax", "parking_fine", "council_rent", "business_rates", "garden_waste"],
    "apply": [
        "parking_permit",
        "blue_badge",
        "housing_register",
        "council_tax_support",
        "school_place",
        "bulky_waste",
        "free_school_meals",
        "bus_pass",
        "garden_waste",
    ],
    "information": ["bin_collection", "recycling", "library", "gateway", "planning", "council_tax"],
}
INTENTS = {
    "report": "report_issue",
    "pay": "make_payment",
    "apply": "apply_for_service",
    "information": "get_information",
}
CONTRACT_CASES = [(block, code) for block, codes in CONTRACT.items() for code in codes]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.mark.parametrize(("block", "code"), CONTRACT_CASES)
def test_every_contract_service_is_in_the_catalogue_with_its_block(catalogue, block, code):
    service = catalogue.get(code)
    assert service is not None, code
    assert service.offers(block)
    assert service.name
    assert service.keywords
    assert code in [s.code for s in catalogue.for_intent(INTENTS[block])]


@pytest.mark.parametrize(("block", "code"), [c for c in CONTRACT_CASES if c[0] == "report"])
def test_every_report_service_has_an_open311_code_and_a_question(catalogue, block, code):
    report = catalogue.get(code).report
    assert report["open311_code"]
    assert report["description_prompt"]


@pytest.mark.parametrize(
    ("message", "expected", "not_expected"),
    [
        ("garden waste bin not collected", "missed_bin", "bin_collection"),
        ("my garden waste not collected", "missed_bin", "garden_waste"),
        ("my bin was missed again", "missed_bin", "bin_collection"),
        ("when is my bin day", "bin_collection", "missed_bin"),
        ("council tax support", "council_tax_support", "council_tax"),
        ("I need help with council tax", "council_tax_support", "council_tax"),
        ("I want to pay council tax", "council_tax", "council_tax_support"),
        ("dumped mattress in the alley", "fly_tipping", "bulky_waste"),
        ("can you do a mattress collection", "bulky_waste", "fly_tipping"),
        ("POTHOLE on Portswood Road", "pothole", None),
        ("the Street Light is out", "street_light", None),
        ("renew my brown bin", "garden_waste", None),
        ("I want a blue badge", "blue_badge", "parking_permit"),
        # an everyday emergency in a council home is a housing repair
        ("my boiler has broken, no heating or hot water and its freezing", "housing_repair", None),
        ("The radiators are all cold and there is no hot water", "housing_repair", None),
        ("under the sink, water going on the floor", "housing_repair", None),
        ("the tap under my sink is leaking, water all over the floor", "housing_repair", None),
        ("a pipe has burst in the airing cupboard", "housing_repair", None),
    ],
)
def test_find_in_text_picks_the_service_the_resident_means(catalogue, message, expected, not_expected):
    codes = [code for code, _cue in catalogue.find_in_text(message)]
    assert codes, message
    assert codes[0] == expected
    assert not_expected not in codes


@pytest.mark.parametrize("message", ["hello", "", "asbestos in the garden", "thanks, bye"])
def test_find_in_text_finds_nothing_without_a_keyword(catalogue, message):
    assert catalogue.find_in_text(message) == []


def test_find_in_text_returns_the_words_that_matched(catalogue):
    assert catalogue.find_in_text("My Garden Waste not collected") == [("missed_bin", "Garden Waste not collected")]


# ---------------------------------------------------------------- broken catalogues


def _real_services():
    return yaml.safe_load((DEFAULT_DIR / "services.yml").read_text(encoding="utf-8"))


def _without_name(data):
    del data["services"]["pothole"]["name"]
    return data


def _without_pothole(data):
    del data["services"]["pothole"]
    return data


def _council_tax_without_pay(data):
    del data["services"]["council_tax"]["pay"]
    return data


def _keywords_as_text(data):
    data["services"]["graffiti"]["keywords"] = "graffiti"
    return data


def _phone_without_number(data):
    data["services"]["noise"]["phone"] = {"example": True}
    return data


def _price_without_cost(data):
    data["services"]["bulky_waste"]["price"] = {"more": "Each extra item costs £11."}
    return data


@pytest.mark.parametrize(
    ("services_yml", "message"),
    [
        ("version: 1\n", "missing 'services'"),
        ("services:\n  - pothole\n", "missing 'services'"),
        ("services: [unclosed\n", "cannot read"),
        (_without_name, "pothole: missing 'name'"),
        (_without_pothole, "no 'report' block for pothole"),
        (_council_tax_without_pay, "no 'pay' block for council_tax"),
        (_keywords_as_text, "graffiti: 'keywords' must be a list"),
        (_phone_without_number, "noise: 'phone' needs a 'url' or 'number'"),
        (_price_without_cost, "bulky_waste: 'price' must be a mapping with a 'cost'"),
    ],
    ids=[
        "no services",
        "services is a list",
        "bad yaml",
        "service without name",
        "missing required code",
        "missing pay block",
        "keywords not a list",
        "phone without number",
        "price without cost",
    ],
)
def test_a_broken_catalogue_fails_naming_the_problem(tmp_path, services_yml, message):
    for name in ("council.yml", "bin_days.yml"):
        shutil.copy(DEFAULT_DIR / name, tmp_path / name)
    if callable(services_yml):
        services_yml = yaml.safe_dump(services_yml(copy.deepcopy(_real_services())))
    (tmp_path / "services.yml").write_text(services_yml, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(tmp_path)
    assert message in str(error.value)


def test_a_missing_catalogue_directory_fails_naming_the_file(tmp_path):
    with pytest.raises(CatalogueError, match="services.yml"):
        load_catalogue(tmp_path / "nowhere")


def test_an_unchanged_copy_of_the_catalogue_loads(tmp_path):
    for name in ("services.yml", "council.yml", "bin_days.yml"):
        shutil.copy(DEFAULT_DIR / name, tmp_path / name)
    assert set(load_catalogue(tmp_path).services) == set(load_catalogue().services)


@pytest.mark.parametrize(
    ("week_a_starts", "message"),
    [("2026-01-06", "must be a Monday, not Tuesday"), ("'next week'", "must be a date")],
)
def test_a_bad_week_a_date_fails_naming_the_problem(tmp_path, week_a_starts, message):
    for name in ("services.yml", "council.yml"):
        shutil.copy(DEFAULT_DIR / name, tmp_path / name)
    bins = (DEFAULT_DIR / "bin_days.yml").read_text(encoding="utf-8")
    bins = bins.replace("week_a_starts: 2026-01-05", f"week_a_starts: {week_a_starts}")
    (tmp_path / "bin_days.yml").write_text(bins, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(tmp_path)


def test_every_price_is_marked_as_an_example(catalogue):
    priced = [service for service in catalogue.services.values() if service.price]
    assert {service.code for service in priced} >= {"bulky_waste", "garden_waste"}
    assert all(service.price.get("example") is True for service in priced)
