"""Command line: ``python -m bot run`` starts the whole assistant."""

from __future__ import annotations

import sys

USAGE = "usage: python -m bot run"


def main(argv: list[str]) -> int:
    """Dispatch a sub-command."""
    if argv[:1] == ["run"]:
        from bot.launcher import run

        return run()
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
