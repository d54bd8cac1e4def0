"""One client address's share of the live chat queue: a script cannot fill it, a shared address
(a library, an office) still gets a few chats waiting, and a chat that stops waiting frees its place."""

from __future__ import annotations

from routing.live_chat import QueueShares


def test_a_client_gets_its_share_and_no_more() -> None:
    shares = QueueShares(per_client=2)
    waiting = {"a", "b", "c"}
    assert [shares.admit("10.0.0.1", chat, waiting.__contains__) for chat in ("a", "b", "c")] == [True, True, False]


def test_a_chat_already_waiting_is_always_admitted_again() -> None:
    shares = QueueShares(per_client=1)
    assert shares.admit("10.0.0.1", "a", lambda chat: True)
    assert shares.admit("10.0.0.1", "a", lambda chat: True)  # its page asks again


def test_other_addresses_have_shares_of_their_own() -> None:
    shares = QueueShares(per_client=1)
    assert shares.admit("10.0.0.1", "a", lambda chat: True)
    assert shares.admit("10.0.0.2", "b", lambda chat: True)


def test_a_chat_that_stopped_waiting_frees_its_place() -> None:
    shares = QueueShares(per_client=1)
    waiting = {"a"}
    assert shares.admit("10.0.0.1", "a", waiting.__contains__)
    waiting.clear()  # an adviser took it, or the resident left
    assert shares.admit("10.0.0.1", "b", waiting.__contains__)


def test_the_sweep_forgets_chats_no_longer_in_the_queue() -> None:
    shares = QueueShares(per_client=1)
    assert shares.admit("10.0.0.1", "a", lambda chat: True)
    shares.keep_only(set())
    assert shares.admit("10.0.0.1", "b", lambda chat: True)  # even if "a" would still say it waits
