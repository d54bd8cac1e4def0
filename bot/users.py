"""``python -m bot users``: create staff accounts and API tokens for the inbox and its API.

    python -m bot users add asha --role staff --name "Asha Patel"   (asks for the password)
    python -m bot users token asha                                  (prints a new API token once)
    python -m bot users list

The password is read from the terminal, or from ``COUNCIL_NEW_PASSWORD`` for scripts. No account
has a fixed password: the first start makes one manager with a random password it prints once
(``first_accounts``).
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from storage.schema import ASSISTANT, open_database
from storage.staff import ROLES, AccountError, StaffAccounts, StaffSessions
from wiring.settings import load_settings, new_password

# The first start on a database with no accounts makes this manager (its display name is left as
# the username, so residents would see just "Adviser")...
FIRST_ACCOUNT = (("admin", "manager", None),)
# ...or, with COUNCIL_DEMO_USERS=1 for trying the inbox, an adviser and a manager instead.
DEMO_ACCOUNTS = (("asha", "staff", "Asha (demo adviser)"), ("morgan", "manager", "Morgan (demo manager)"))


def first_accounts(accounts: StaffAccounts, demo: bool = False) -> list[tuple[str, str, str]]:
    """On a database with no accounts, make the first ones, each with a new random password;
    ``(username, password, role)`` of each, to show once. Nothing where any account exists."""
    if accounts.count():
        return []
    made = []
    for username, role, name in DEMO_ACCOUNTS if demo else FIRST_ACCOUNT:
        password = secrets.token_urlsafe(12)  # 16 characters, about 96 bits
        accounts.add(username, password, role, name)
        made.append((username, password, role))
    return made


def main(argv: list[str]) -> int:
    """Run the ``users`` command; 0 on success, 1 with a message on a refused request."""
    parser = argparse.ArgumentParser(prog="python -m bot users", description="Manage staff accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--name", help="the name colleagues see")
    token = commands.add_parser("token", help="print a new API token for an account")
    token.add_argument("username")
    commands.add_parser("list", help="list the accounts")
    args = parser.parse_args(argv)

    engine = open_database(load_settings().database_url, ASSISTANT)
    accounts = StaffAccounts(engine)
    try:
        if args.command == "add":
            password = new_password() or getpass.getpass("Password (12 characters or more): ")
            user = accounts.add(args.username, password, args.role, args.name)
            print(f"Created {user.username} ({user.role}).")
        elif args.command == "token":
            print(StaffSessions(engine, accounts).new_api_token(args.username))
        else:
            for user in accounts.everyone():
                print(f"{user.username}\t{user.role}\t{user.display_name}")
    except AccountError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0
