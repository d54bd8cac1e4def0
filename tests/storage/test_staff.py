"""Staff accounts: hashed passwords, the same answer (and time) for a wrong name or password, no
lock-out anyone could trigger, display names for residents; sessions and API tokens that expire."""

import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest

from storage.staff import (
    AccountError,
    StaffAccounts,
    StaffSessions,
    StaffUser,
    TokenExpired,
    TokenLifetimes,
    staff_users,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(engine):
    return StaffAccounts(engine)


def test_passwords_are_stored_hashed_never_as_typed(accounts, engine):
    accounts.add("asha", PASSWORD, "staff", "Asha Patel")
    with engine.connect() as connection:
        stored = connection.execute(staff_users.select()).first().password_hash
    assert PASSWORD not in stored and stored.startswith("$argon2")
    assert accounts.sign_in("Asha", PASSWORD).display_name == "Asha Patel"


def test_a_wrong_name_and_a_wrong_password_get_the_same_answer(accounts):
    accounts.add("asha", PASSWORD)
    with pytest.raises(AccountError) as wrong_password:
        accounts.sign_in("asha", "not the password")
    with pytest.raises(AccountError) as wrong_name:
        accounts.sign_in("nobody", PASSWORD)
    assert str(wrong_password.value) == str(wrong_name.value) == "That username and password do not match."


def test_a_wrong_name_takes_as_long_as_a_wrong_password(accounts):
    # Were an unknown name answered at once, the time taken would tell which usernames exist.
    accounts.add("asha", PASSWORD)

    def seconds(username: str) -> float:
        started = time.perf_counter()
        with pytest.raises(AccountError):
            accounts.sign_in(username, "not the password")
        return time.perf_counter() - started

    wrong_password = statistics.median(seconds("asha") for _ in range(7))
    wrong_name = statistics.median(seconds("nobody") for _ in range(7))
    assert wrong_name > 0.5 * wrong_password, (wrong_name, wrong_password)


def test_wrong_passwords_never_lock_the_account_itself(accounts):
    # Slowing guesses is the web app's rate limits' job, per client address; a lock on the account
    # would let anyone keep an adviser out by typing their username.
    accounts.add("asha", PASSWORD)
    for _ in range(20):
        with pytest.raises(AccountError, match="do not match"):
            accounts.sign_in("asha", "guess")
    assert accounts.sign_in("asha", PASSWORD).username == "asha"


def test_residents_see_a_first_name_never_the_login_name():
    assert StaffUser("asha.p", "Asha Patel", "staff", True).resident_name == "Asha"
    assert StaffUser("asha.p", "asha.p", "staff", True).resident_name == "Adviser"
    assert StaffUser("asha", "  ", "staff", True).resident_name == "Adviser"
    assert StaffUser("asha", "Asha", "staff", True).resident_name == "Adviser"  # the name is the login


@pytest.mark.parametrize(
    ("username", "password", "role", "problem"),
    [
        ("Robert'); DROP TABLE staff_users;--", PASSWORD, "staff", "lower-case letters"),
        ("ben", "short", "staff", "at least 12 characters"),
        ("ben", PASSWORD, "admin", "role must be one of"),
        ("", PASSWORD, "staff", "lower-case letters"),
    ],
)
def test_bad_account_details_are_refused_with_a_reason(accounts, username, password, role, problem):
    with pytest.raises(AccountError, match=problem):
        accounts.add(username, password, role)
    assert accounts.count() == 0


def test_a_taken_username_is_refused(accounts):
    accounts.add("asha", PASSWORD)
    with pytest.raises(AccountError, match="already an account"):
        accounts.add("asha", PASSWORD)


def test_advisers_online_counts_only_those_taking_webchats(accounts):
    accounts.add("asha", PASSWORD)
    accounts.add("ben", PASSWORD, "manager")
    assert accounts.advisers_online() == 0
    accounts.set_available("asha", True)
    assert accounts.advisers_online() == 0  # available, but not signed in
    sessions = StaffSessions(accounts._engine, accounts)
    token = sessions.start(accounts.get("asha"))
    assert accounts.advisers_online() == 1
    sessions.end(token)
    assert accounts.advisers_online() == 0
    assert accounts.get("ben").is_manager and not accounts.get("asha").is_manager


NOON = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_a_session_ends_after_8_hours_idle(accounts, engine):
    accounts.add("asha", PASSWORD)
    sessions = StaffSessions(engine, accounts)
    idle = sessions.start(accounts.get("asha"), now=NOON)
    with pytest.raises(TokenExpired, match="sign in again"):
        sessions.find(idle, now=NOON + timedelta(hours=8, minutes=1))  # unused since signing in
    used = sessions.start(accounts.get("asha"), now=NOON)
    assert sessions.find(used, now=NOON + timedelta(hours=3)) is not None
    assert sessions.find(used, now=NOON + timedelta(hours=10, minutes=30)) is not None  # kept alive by use
    assert sessions.find(used, now=NOON + timedelta(hours=10, minutes=31)).user.username == "asha"


def test_a_busy_session_still_ends_12_hours_after_signing_in(accounts, engine):
    accounts.add("asha", PASSWORD)
    sessions = StaffSessions(engine, accounts)
    token = sessions.start(accounts.get("asha"), now=NOON)
    for hour in range(12):
        assert sessions.find(token, now=NOON + timedelta(hours=hour, minutes=30)) is not None
    with pytest.raises(TokenExpired):
        sessions.find(token, now=NOON + timedelta(hours=12))
    assert accounts.advisers_online(now=NOON + timedelta(hours=12)) == 0


def test_an_api_token_expires_after_30_days_or_as_configured(accounts, engine):
    accounts.add("asha", PASSWORD)
    sessions = StaffSessions(engine, accounts)
    token = sessions.new_api_token("asha", now=NOON)
    assert sessions.api_user(token, now=NOON + timedelta(days=29, hours=23)).username == "asha"
    with pytest.raises(TokenExpired, match="expired"):
        sessions.api_user(token, now=NOON + timedelta(days=30))
    weekly = StaffSessions(engine, accounts, TokenLifetimes(api_token=timedelta(days=7)))
    with pytest.raises(TokenExpired):
        weekly.api_user(token, now=NOON + timedelta(days=8))
    assert sessions.api_user("cca_made_up", now=NOON) is None
