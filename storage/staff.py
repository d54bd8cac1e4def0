"""Staff accounts: passwords hashed with Argon2, lock-out after repeated failures, roles, and who is
available for live webchat.

Roles: ``staff`` work the queues; ``manager`` can also see the dashboard. Accounts are created with
``python -m bot users add`` (the demo users for ``make run`` are created the same way).
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
MAX_FAILURES = 5
LOCK_MINUTES = 15
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
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("available_for_webchat", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

_hasher = PasswordHasher()


class AccountError(Exception):
    """An account operation that cannot be done; the message is safe to show."""


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

    def sign_in(self, username: str, password: str, now: datetime | None = None) -> StaffUser:
        """The user when the password is right; AccountError otherwise (the same words whether the name
        or the password was wrong, so names cannot be guessed), or while the account is locked."""
        now = now or clock.now()
        wrong = AccountError("That username or password is not right.")
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_users).where(staff_users.c.username == (username or "").strip().lower())
            ).first()
        if row is None:
            _hasher.hash(password or "-")  # take as long as a real check, so timing does not tell
            raise wrong
        locked_until = as_utc(row.locked_until)
        if locked_until and locked_until > now:
            raise AccountError("This account is locked after too many wrong passwords. Try again in 15 minutes.")
        try:
            _hasher.verify(row.password_hash, password or "")
        except (VerificationError, InvalidHashError):
            self._count_failure(row.id, now)
            raise wrong from None
        with self._engine.begin() as connection:
            connection.execute(
                update(staff_users).where(staff_users.c.id == row.id).values(failed_attempts=0, locked_until=None)
            )
        return StaffUser(row.username, row.display_name, row.role, bool(row.available_for_webchat))

    def _count_failure(self, user_id: int, now: datetime) -> None:
        # Counted in the database (not read, add one, write back), so guesses sent in parallel
        # all count and the lock cannot be dodged.
        this_user = staff_users.c.id == user_id
        with self._engine.begin() as connection:
            connection.execute(
                update(staff_users).where(this_user).values(failed_attempts=staff_users.c.failed_attempts + 1)
            )
            failures = connection.execute(select(staff_users.c.failed_attempts).where(this_user)).scalar_one()
            if failures >= MAX_FAILURES:
                lock = {"failed_attempts": 0, "locked_until": now + timedelta(minutes=LOCK_MINUTES)}
                connection.execute(update(staff_users).where(this_user).values(**lock))

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

SESSION_HOURS = 9  # a working day; sign in again tomorrow

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(32), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("username", String(32), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


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
    """Server-side sessions (the cookie holds only a random token) and API tokens for integrations."""

    def __init__(self, engine: Engine, accounts: StaffAccounts) -> None:
        self._engine = engine
        self._accounts = accounts

    def start(self, user: StaffUser, now: datetime | None = None) -> str:
        """A new session for ``user``; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        with self._engine.begin() as connection:
            connection.execute(
                staff_sessions.insert().values(
                    token_hash=_digest(token),
                    username=user.username,
                    csrf_token=secrets.token_urlsafe(32),
                    expires_at=(now or clock.now()) + timedelta(hours=SESSION_HOURS),
                )
            )
        return token

    def find(self, token: str | None, now: datetime | None = None) -> StaffSession | None:
        """The live session for a cookie token, or None (unknown, expired, or the account is gone)."""
        if not token or len(token) > 128:
            return None
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_sessions).where(staff_sessions.c.token_hash == _digest(token))
            ).first()
        if row is None or (as_utc(row.expires_at) or clock.now()) <= (now or clock.now()):
            return None
        user = self._accounts.get(row.username)
        return StaffSession(user, row.csrf_token) if user else None

    def end(self, token: str | None) -> None:
        """Sign out: the token stops working at once."""
        if token:
            with self._engine.begin() as connection:
                connection.execute(delete(staff_sessions).where(staff_sessions.c.token_hash == _digest(token)))

    def new_api_token(self, username: str) -> str:
        """A token for a council system to call the JSON API as ``username``; shown once, stored hashed."""
        if self._accounts.get(username) is None:
            raise AccountError(f"There is no account called {username}.")
        token = "cca_" + secrets.token_urlsafe(32)
        with self._engine.begin() as connection:
            connection.execute(
                api_tokens.insert().values(token_hash=_digest(token), username=username, created_at=clock.now())
            )
        return token

    def api_user(self, token: str | None) -> StaffUser | None:
        """The account an API token belongs to, or None."""
        if not token or len(token) > 128:
            return None
        with self._engine.connect() as connection:
            username = connection.execute(
                select(api_tokens.c.username).where(api_tokens.c.token_hash == _digest(token))
            ).scalar()
        return self._accounts.get(username) if username else None
