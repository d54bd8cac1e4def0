"""Web addresses of other systems (a back office, a webhook's receiver), checked the one way."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

# Where plain http is allowed: nothing crosses a network.
LOOPBACK = ("localhost", "127.0.0.1", "::1")


def web_address(raw: str) -> SplitResult | None:
    """``raw`` split into its parts when it is an http or https address with a host (and a port,
    if any, that is a number); None otherwise."""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return None
    return parts if parts.scheme in ("http", "https") and parts.hostname else None


def needs_https(parts: SplitResult) -> bool:
    """Whether an address must use https to be trusted with secrets or residents' words: it is
    plain http to another machine."""
    return parts.scheme != "https" and parts.hostname not in LOOPBACK
