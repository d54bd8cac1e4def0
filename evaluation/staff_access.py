"""Staff accounts, sessions and cases made straight in a running assistant's database, for the fuzz
and load runs: an adviser and a manager of their own (with passwords nobody else knows), signed-in
sessions with their CSRF tokens, an API token, and a few real cases to act on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from routing.handoffs import NewHandoff
from storage.engine import open_engine
from storage.handoffs import HandoffStore
from storage.staff import StaffAccounts, StaffSessions
from wiring.settings import channel_schedule


@dataclass(frozen=True)
class SignedIn:
    """One signed-in member of staff: the session cookie's value and the session's CSRF token."""

    username: str
    password: str
    session: str
    csrf: str


@dataclass(frozen=True)
class StaffAccess:
    """What the runs know about the assistant's staff side."""

    adviser: SignedIn
    manager: SignedIn
    api_token: str
    references: tuple[str, ...] = ()
    live_chat_ids: tuple[str, ...] = field(default=())


def _account(accounts: StaffAccounts, sessions: StaffSessions, username: str, role: str) -> SignedIn:
    password = secrets.token_urlsafe(18)
    user = accounts.add(username, password, role, f"{username} (test run)")
    token = sessions.start(user)
    session = sessions.find(token)
    assert session is not None
    return SignedIn(username, password, token, session.csrf_token)


def prepare(database_url: str, prefix: str = "run", cases: int = 3) -> StaffAccess:
    """Create an adviser and a manager named after ``prefix``, sign both in, give the adviser an API
    token, and open ``cases`` phone call-back cases and as many live chats (each with a chat id)."""
    engine = open_engine(database_url)
    try:
        accounts = StaffAccounts(engine)
        sessions = StaffSessions(engine, accounts)
        adviser = _account(accounts, sessions, f"{prefix}-adviser", "staff")
        manager = _account(accounts, sessions, f"{prefix}-manager", "manager")
        accounts.set_available(adviser.username, True)
        store = HandoffStore(engine, channel_schedule())
        references: list[str] = []
        chat_ids: list[str] = []
        for _ in range(cases):
            callback = NewHandoff(channel="phone", mode="callback", trigger="asked", callback_number="07700 900123")
            references.append(store.create(callback).reference)
            chat_id = secrets.token_hex(16)
            live = NewHandoff(channel="webchat", mode="live", trigger="asked", conversation_id=chat_id)
            references.append(store.create(live).reference)
            chat_ids.append(chat_id)
        return StaffAccess(
            adviser, manager, sessions.new_api_token(adviser.username), tuple(references), tuple(chat_ids)
        )
    finally:
        engine.dispose()
