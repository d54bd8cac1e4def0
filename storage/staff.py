"""Staff accounts: passwords hashed with Argon2, roles, and who is available for live webchat;
sessions and API tokens that expire.

Roles: ``staff`` work the queues; ``manager`` can also see the dashboard. Accounts are created with
``python -m bot users add`` (the first start makes one manager with a random password). Repeated
wrong passwords are slowed by the web app's rate limits (``bot/web/rate_limits.py``), per client
address and username, never by locking the account itself: a lock anyone could trigger would let
them keep an adviser out.

Argon2 is slow on purpose: the web app calls ``sign_in`` in a worker thread, off its event loop.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from routing import clock
from storage.engine import as_utc, metadata

ROLES = ("staff", "manager")
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("display_name", String(80), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    # No longer used: an account is never locked (see the module's docstring).
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("available_for_webchat", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

_hasher = PasswordHasher()
# Checked against when the username is unknown, so that answer takes as long as a wrong password.
_NO_ACCOUNT_HASH = _hasher.hash(secrets.token_urlsafe(16))
WRONG_DETAILS = "That username and password do not match."


class AccountError(Exception):
    """An account operation that cannot be done; the message is safe to show."""


class TokenExpired(AccountError):
    """A session or API token that was real but has run out; the message says what to do."""


@dataclass(frozen=True)
class StaffUser:
    """A member of staff, without their password hash."""

    username: str
    display_name: str
    role: str
    available_for_webchat: bool

    @property
    def is_manager(self) -> bool:
        """Managers can see the dashboard as well as the queues."""
        return self.role == "manager"

    @property
    def resident_name(self) -> str:
        """What residents see in a live chat: the first name chosen for the account, never the
        login name (half of what signing in needs); "Adviser" where no name was chosen."""
        first = self.display_name.split()[0] if self.display_name.split() else ""
        return first if first and first.lower() != self.username else "Adviser"


class StaffAccounts:
    """Creates accounts, checks sign-ins, and keeps who is available for webchat."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, username: str, password: str, role: str = "staff", display_name: str | None = None) -> StaffUser:
        """Create an account; AccountError for a taken or malformed name, weak password or unknown role."""
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError("A username is 2 to 32 lower-case letters, numbers, dots, dashes or underscores.")
        if role not in ROLES:
            raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    staff_users.insert().values(
                        username=username,
                        display_name=(display_name or username).strip()[:80],
                        role=role,
                        password_hash=_hasher.hash(password),
                        failed_attempts=0,
                        available_for_webchat=False,
                        created_at=clock.now(),
                    )
                )
        except IntegrityError as error:
            raise AccountError(f"There is already an account called {username}.") from error
        user = self.get(username)
        assert user is not None
        return user

    def get(self, username: str) -> StaffUser | None:
        """The account, or None."""
        with self._engine.connect() as connection:
            row = connection.execute(select(staff_users).where(staff_users.c.username == username.lower())).first()
        if row is None:
            return None
        return StaffUser(row.username, row.display_name, row.role, bool(row.available_for_webchat))

    def count(self) -> int:
        """How many accounts exist."""
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(staff_users)).scalar_one())

    def sign_in(self, username: str, password: str) -> StaffUser:
        """The user when the password is right; AccountError otherwise, with the same words and
        the same time taken whether the name or the password was wrong, so names cannot be found."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_users).where(staff_users.c.username == (username or "").strip().lower()[:64])
            ).first()
        try:
            _hasher.verify(row.password_hash if row is not None else _NO_ACCOUNT_HASH, password or "")
        except (VerificationError, InvalidHashError):
            raise AccountError(WRONG_DETAILS) from None
        if row is None:  # a password that matches the stand-in hash still signs no one in
            raise AccountError(WRONG_DETAILS)
        return StaffUser(row.username, row.display_name, row.role, bool(row.available_for_webchat))

    def set_available(self, username: str, available: bool) -> None:
        """Mark a member of staff as taking live webchats, or not."""
        with self._engine.begin() as connection:
            connection.execute(
                update(staff_users).where(staff_users.c.username == username).values(available_for_webchat=available)
            )

    def everyone(self) -> list[StaffUser]:
        """Every account, by name."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(staff_users).order_by(staff_users.c.username)).all()
        return [StaffUser(r.username, r.display_name, r.role, bool(r.available_for_webchat)) for r in rows]

    def advisers_online(self, now: datetime | None = None) -> int:
        """How many staff are taking live webchats now: marked available and still signed in (an
        adviser who closed the tab without signing out stops counting when their session ends)."""
        signed_in = select(staff_sessions.c.username).where(staff_sessions.c.expires_at > (now or clock.now()))
        query = select(func.count()).where(
            staff_users.c.available_for_webchat.is_(True), staff_users.c.username.in_(signed_in)
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


# --- sessions and API tokens ------------------------------------------------------------------


@dataclass(frozen=True)
class TokenLifetimes:
    """How long sign-ins last (set from ``wiring.settings``; these are the documented defaults)."""

    session_idle: timedelta = timedelta(hours=8)  # a session unused this long ends
    session_max: timedelta = timedelta(hours=12)  # and any session ends this long after signing in
    api_token: timedelta = timedelta(days=30)

    @property
    def cookie_seconds(self) -> int:
        """How long the browser keeps the session cookie (the server decides when it ends)."""
        return int(self.session_max.total_seconds())


# A session's end moves on with use; it is written again only when it would move this much, so a
# busy adviser's pages do not each write to the database.
_EXTEND_STEP = timedelta(minutes=1)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(32), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),  # None for sessions from before it was kept
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(32), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

SESSION_ENDED = "You have been signed out because the session ended. Please sign in again."
TOKEN_EXPIRED = "That API token has expired. Ask for a new one (python -m bot users token NAME)."


def _digest(token: str) -> str:
    # Only a hash is stored: a copy of the database does not let anyone sign in. A header that was
    # not UTF-8 arrives with surrogates in it: hashed too (it matches nothing), not an error.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    """A signed-in member of staff and the token their forms must carry (CSRF protection)."""

    user: StaffUser
    csrf_token: str


class StaffSessions:
    """Server-side sessions (the cookie holds only a random token) and API tokens for integrations,
    each ending after its ``TokenLifetimes``."""

    def __init__(self, engine: Engine, accounts: StaffAccounts, lifetimes: TokenLifetimes | None = None) -> None:
        self._engine = engine
        self._accounts = accounts
        self.lifetimes = lifetimes or TokenLifetimes()

    def start(self, user: StaffUser, now: datetime | None = None) -> str:
        """A new session for ``user``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = now or clock.now()
        with self._engine.begin() as connection:
            connection.execute(
                staff_sessions.insert().values(
                    token_hash=_digest(token),
                    username=user.username,
                    csrf_token=secrets.token_urlsafe(32),
                    expires_at=self._session_end(now, now),
                    started_at=now,
                )
            )
        return token

    def _session_end(self, started: datetime, now: datetime) -> datetime:
        return min(now + self.lifetimes.session_idle, started + self.lifetimes.session_max)

    def find(self, token: str | None, now: datetime | None = None) -> StaffSession | None:
        """The live session for a cookie token, kept alive by this use; None for an unknown token or
        a gone account; TokenExpired for a session that has ended (idle too long, or too old)."""
        if not token or len(token) > 128:
            return None
        now = now or clock.now()
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_sessions).where(staff_sessions.c.token_hash == _digest(token))
            ).first()
        if row is None:
            return None
        expires_at = as_utc(row.expires_at) or now
        if expires_at <= now:
            raise TokenExpired(SESSION_ENDED)
        started = as_utc(row.started_at)
        if started is not None and self._session_end(started, now) - expires_at >= _EXTEND_STEP:
            with self._engine.begin() as connection:
                connection.execute(
                    update(staff_sessions)
                    .where(staff_sessions.c.id == row.id)
                    .values(expires_at=self._session_end(started, now))
                )
        user = self._accounts.get(row.username)
        return StaffSession(user, row.csrf_token) if user else None

    def end(self, token: str | None) -> None:
        """Sign out: the token stops working at once."""
        if token:
            with self._engine.begin() as connection:
                connection.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == _digest(token)))

    def new_api_token(self, username: str, now: datetime | None = None) -> str:
        """A token for a council system to call the JSON API as ``username``; shown once, stored hashed."""
        if self._accounts.get(username) is None:
            raise AccountError(f"There is no account called {username}.")
        token = "cca_" + secrets.token_urlsafe(32)
        with self._engine.begin() as connection:
            connection.execute(
                api_tokens.insert().values(token_hash=_digest(token), username=username, created_at=now or clock.now())
            )
        return token

    def api_user(self, token: str | None, now: datetime | None = None) -> StaffUser | None:
        """The account an API token belongs to; None for an unknown token; TokenExpired once it is
        older than the API token lifetime (from when it was made, so a changed lifetime applies to
        tokens already given out)."""
        if not token or len(token) > 128:
            return None
        with self._engine.connect() as connection:
            row = connection.execute(select(api_tokens).where(api_tokens.c.token_hash == _digest(token))).first()
        if row is None:
            return None
        if (as_utc(row.created_at) or clock.now()) + self.lifetimes.api_token <= (now or clock.now()):
            raise TokenExpired(TOKEN_EXPIRED)
        return self._accounts.get(row.username)
