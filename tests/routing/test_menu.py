"""The main menu has one home: the greeting and the live chat's hand-back show the same buttons."""

from __future__ import annotations

import yaml

from routing.menu import MENU, menu_buttons
from routing.tasks import TASK_INTENTS
from tests.conftest import ROOT


def test_the_greeting_offers_the_menu() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    assert domain["responses"]["utter_greet"][0]["buttons"] == menu_buttons()


def test_the_menu_offers_every_task_but_checking_and_a_person() -> None:
    payloads = [button.payload for button in MENU]
    assert payloads == [f"/{intent}" for intent in TASK_INTENTS if intent != "check_status"] + ["/request_human"]
