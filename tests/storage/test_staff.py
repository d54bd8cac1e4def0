"""Staff accounts: hashed passwords, the same answer for a wrong name or password, lock-out."""

import contextlib
from datetime import datetime, timedelta, timezone

import pytest

from storage.staff import MAX_FAILURES, AccountError, StaffAccounts, StaffSessions, staff_users

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
    assert str(wrong_password.value) == str(wrong_name.value)


def test_repeated_failures_lock_the_account_then_it_unlocks(accounts):
    accounts.add("asha", PASSWORD)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
    for _ in range(MAX_FAILURES):
        with pytest.raises(AccountError, match="not right"):
            accounts.sign_in("asha", "guess", now=now)
    with pytest.raises(AccountError, match="locked"):
        accounts.sign_in("asha", PASSWORD, now=now)  # even the right password, while locked
    assert accounts.sign_in("asha", PASSWORD, now=now + timedelta(minutes=16)).username == "asha"


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


def test_wrong_passwords_sent_in_parallel_all_count(accounts):
    from concurrent.futures import ThreadPoolExecutor

    accounts.add("asha", PASSWORD)

    def guess(_: int) -> None:
        with contextlib.suppress(AccountError):
            accounts.sign_in("asha", "guess")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(guess, range(4 * MAX_FAILURES)))
    with pytest.raises(AccountError, match="locked"):
        accounts.sign_in("asha", PASSWORD)
