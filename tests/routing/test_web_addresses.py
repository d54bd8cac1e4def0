"""Other systems' web addresses: which are addresses at all, and which must use https."""

from __future__ import annotations

import pytest

from routing.web_addresses import needs_https, web_address


@pytest.mark.parametrize(
    ("raw", "address", "https_needed"),
    [
        ("https://crm.example.gov.uk/hooks", True, False),
        ("http://crm.example.gov.uk/hooks", True, True),  # words and secrets would cross a network in clear
        ("http://127.0.0.1:9000/in", True, False),  # this machine
        ("http://localhost/in", True, False),
        ("http://[::1]:8000/", True, False),
        ("https://crm.example.gov.uk:port/", False, None),
        ("ftp://crm.example.gov.uk/", False, None),
        ("https:///no-host", False, None),
        ("crm.example.gov.uk/hooks", False, None),
        ("", False, None),
    ],
)
def test_an_address_is_http_or_https_with_a_host_and_https_unless_on_this_machine(raw, address, https_needed):
    parts = web_address(raw)
    assert (parts is not None) == address
    if parts is not None:
        assert needs_https(parts) == https_needed
