"""Real databases for store tests: a SQLite file, and a throw-away PostgreSQL database.

PostgreSQL is the scale-out configuration. Its tests create their own database on the local server
(``TEST_POSTGRES_URL``, by default the trust-auth server on 127.0.0.1:5432) and drop it afterwards.
Where no server answers they are skipped with the reason; CI here has one, so there they run.
"""

from __future__ import annotations

import secrets
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from storage.engine import open_engine
from storage.schema import ASSISTANT, migrate
from wiring.scratch_deployment import POSTGRES_ADMIN_URL


def postgres_database() -> Iterator[str]:
    """Create a fresh PostgreSQL database, yield its URL, and drop it afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL IS NOT RUNNING at {POSTGRES_ADMIN_URL}; the scale-out tests did not run: {error}")
    name = f"council_test_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fresh_engine(backend: str, tmp_path: object, postgres_url: str | None) -> Iterator[Engine]:
    """An engine with empty tables on ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        engine = open_engine(f"sqlite:///{tmp_path}/council.db")
    else:
        assert postgres_url is not None
        engine = open_engine(postgres_url)
        with engine.begin() as connection:  # the database is shared by the module's tests: start empty
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine, ASSISTANT)  # the tables as start-up makes them
    try:
        yield engine
    finally:
        engine.dispose()


# Accounts the tests make for themselves (no account has a fixed password in the product).
ADVISER = ("asha", "asha-test-password-1", "staff", "Asha Patel")
MANAGER = ("morgan", "morgan-test-password-1", "manager", "Morgan Lee")


def add_test_staff(engine: Engine) -> None:
    """Make the tests' adviser and manager on ``engine``'s database, where they are missing."""
    from storage.staff import StaffAccounts

    accounts = StaffAccounts(engine)
    for username, password, role, name in (ADVISER, MANAGER):
        if accounts.get(username) is None:
            accounts.add(username, password, role, name)


def make_test_staff(database_url: str) -> None:
    """Make the tests' adviser and manager on the database at ``database_url`` (a running assistant's)."""
    engine = open_engine(database_url)
    try:
        add_test_staff(engine)
    finally:
        engine.dispose()


def adviser_taking_chats(database_url: str, username: str = ADVISER[0]) -> None:
    """Mark a member of staff as signed in and taking live chats, as the inbox does (the tests'
    own adviser and manager are made first where they are missing)."""
    from storage.staff import StaffAccounts, StaffSessions

    engine = open_engine(database_url)
    add_test_staff(engine)
    accounts = StaffAccounts(engine)
    user = accounts.get(username)
    assert user is not None, username
    StaffSessions(engine, accounts).start(user)
    accounts.set_available(username, True)
    engine.dispose()
