"""The ways to reach a person have one home, and every package uses it."""

from __future__ import annotations

from monitoring import events, measures
from routing import hours
from routing.contact_channels import CHANNEL_NAMES, CHANNELS
from storage import handoffs


def test_every_package_uses_the_one_list() -> None:
    assert hours.CHANNELS is CHANNELS and events.CHANNELS is CHANNELS and measures.CHANNELS is CHANNELS
    assert handoffs.CHANNELS is CHANNELS  # the store refuses a case on any other channel
    assert set(CHANNEL_NAMES) == set(CHANNELS)
