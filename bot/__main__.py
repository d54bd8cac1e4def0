"""Command line: ``python -m bot run`` starts the whole assistant; ``python -m bot users`` manages
staff accounts; ``python -m bot retention`` deletes residents' data past its retention period."""

from __future__ import annotations

import sys

USAGE = "usage: python -m bot run | python -m bot users {add,token,list} ... | python -m bot retention"


def main(argv: list[str]) -> int:
    """Dispatch a sub-command."""
    if argv[:1] == ["run"]:
        from bot.launcher import run

        return run()
    if argv[:1] == ["users"]:
        from bot.users import main as users

        return users(argv[1:])
    if argv == ["retention"]:
        from bot.retention import main as retention

        return retention()
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
