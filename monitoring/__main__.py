"""``python -m monitoring``: seed a synthetic history, or bring the figures up to date.

python -m monitoring seed --conversations 100000 [--days 365] [--database-url URL]
python -m monitoring refresh      # take in new outcome events
python -m monitoring rebuild      # derive every conversation again (after a definition changes)
"""

from __future__ import annotations

import argparse
import sys
import time

from monitoring.refresh import rebuild, refresh
from monitoring.seed import seed
from storage.engine import open_engine
from storage.schema import migrate_monitoring
from wiring.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    """Run one command; exit status 0 on success, 2 on a usage error."""
    parser = argparse.ArgumentParser(prog="python -m monitoring", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="defaults to the monitoring database (COUNCIL_MONITORING_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="write a synthetic history of conversations")
    seeding.add_argument("--conversations", type=int, required=True)
    seeding.add_argument("--days", type=int, default=365)
    seeding.add_argument("--random-seed", type=int, default=2026)
    commands.add_parser("refresh", help="take in new outcome events")
    commands.add_parser("rebuild", help="derive every conversation again")
    args = parser.parse_args(argv)
    if args.command == "seed" and (args.conversations < 1 or args.days < 1):
        parser.error("--conversations and --days must be at least 1")
    engine = open_engine(args.database_url or load_settings().monitoring_database_url)
    migrate_monitoring(engine)
    began = time.perf_counter()
    if args.command == "seed":
        result = seed(engine, args.conversations, days=args.days, random_seed=args.random_seed)
        print(f"Seeded {result.conversations:,} conversations ({result.events:,} events) over {result.days} days")
    elif args.command == "refresh":
        print(f"Brought {refresh(engine):,} conversations up to date")
    else:
        print(f"Rebuilt {rebuild(engine):,} conversations")
    print(f"Took {time.perf_counter() - began:.1f} s", file=sys.stderr)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
