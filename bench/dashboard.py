"""``make bench`` (part): the manager's dashboard and ESIA report over 1,000,000 conversations.

Seeds a benchmark database once (``python -m monitoring seed``; a few minutes per million on
this machine, printed with the figures when it happens) and keeps it: SQLite in
``var/bench/monitoring-<N>.db``, PostgreSQL in the database
``council_bench_<N>`` on the local server. Then times, over real HTTP against the real web app,
a manager loading ``/dashboard`` and ``/dashboard/report`` for the last year (and the dashboard
filtered to one service), after a warm-up, as the median and the worst of several loads.
``BENCH_CONVERSATIONS`` sets N (default 1,000,000).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.web.app import create_app
from monitoring.schema import conversation_facts
from monitoring.seed import seed
from storage.engine import open_engine
from storage.schema import migrate
from storage.staff import StaffAccounts
from wiring.settings import load_settings

LOADS = 7
POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
MANAGER = ("bench-manager", "bench-manager-password-1")


def conversations_wanted() -> int:
    """How many conversations to benchmark over."""
    return int(os.environ.get("BENCH_CONVERSATIONS", "1000000"))


SEEDING_SECONDS: dict[str, float] = {}  # by backend, for the seeds made in this run


def _seeded(url: str, wanted: int) -> str:
    """``url`` holding ``wanted`` seeded conversations (seeding it if it does not yet)."""
    engine = open_engine(url)
    migrate(engine)  # both branches: the manager's account (staff_users) lives in the assistant's tables
    with engine.connect() as connection:
        have = connection.execute(select(func.count()).select_from(conversation_facts)).scalar_one()
    if have != wanted:
        if have:
            raise SystemExit(f"{url} holds {have} conversations, not {wanted}: remove it and run again.")
        backend = make_url(url).get_backend_name()
        print(f"Seeding {wanted:,} conversations into {backend} (once)...", flush=True)
        began = time.perf_counter()
        seed(engine, wanted, days=365)
        SEEDING_SECONDS[backend] = time.perf_counter() - began
        print(f"Seeded {wanted:,} conversations into {backend} in {SEEDING_SECONDS[backend]:.0f} s", flush=True)
    accounts = StaffAccounts(engine)
    if accounts.get(MANAGER[0]) is None:
        accounts.add(MANAGER[0], MANAGER[1], role="manager")
    engine.dispose()
    return url


def sqlite_database(wanted: int) -> str:
    """The SQLite benchmark database."""
    path = Path(load_settings().var_dir) / "bench" / f"monitoring-{wanted}.db"
    return _seeded(f"sqlite:///{path}", wanted)


def postgres_database(wanted: int) -> str | None:
    """The PostgreSQL benchmark database, or None (with the reason printed) if no server answers."""
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT", future=True)
    name = f"council_bench_{wanted}"
    try:
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        print(f"PostgreSQL IS NOT RUNNING at {POSTGRES_ADMIN}: dashboard benchmark on PostgreSQL skipped ({error})")
        return None
    finally:
        admin.dispose()
    return _seeded(make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False), wanted)


async def _time_pages(database_url: str) -> dict[str, Any]:
    settings = replace(
        load_settings(), database_url=database_url, monitoring_database_url=database_url, demo_users=False
    )
    server = TestServer(create_app(settings))
    await server.start_server()
    end = date.today()
    year = {"start": (end - timedelta(days=364)).isoformat(), "end": end.isoformat()}
    pages = {
        "dashboard": ("/dashboard", year),
        "dashboard_one_service": ("/dashboard", year | {"service": "council_tax"}),
        "report": ("/dashboard/report", year),
    }
    results: dict[str, Any] = {}
    try:
        jar = aiohttp.CookieJar(unsafe=True)  # the test server is on an IP address
        async with aiohttp.ClientSession(base_url=str(server.make_url("/")), cookie_jar=jar) as session:
            sign_in = await session.get("/staff/sign-in")
            html = await sign_in.text()
            token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            form = {"username": MANAGER[0], "password": MANAGER[1], "csrf_token": token}
            async with session.post("/staff/sign-in", data=form) as answer:
                assert answer.status == 200, f"sign-in failed: {answer.status}"
            for name, (path, query) in pages.items():
                times = []
                for load in range(LOADS + 1):
                    started = time.perf_counter()
                    async with session.get(path, params=query) as answer:
                        body = await answer.text()
                        if answer.status != 200:
                            raise SystemExit(f"{path} answered {answer.status}: {body[:300]}")
                    if path == "/dashboard" and "service" not in query and not load:
                        results["conversations_shown"] = _conversations_shown(body)
                    if load:  # the first load warms caches
                        times.append(time.perf_counter() - started)
                results[name] = {"median_s": statistics.median(times), "max_s": max(times), "loads": LOADS}
    finally:
        await server.close()
    return results


def _conversations_shown(page: str) -> str:
    """The headline number of conversations on a dashboard page (to check it read the whole year)."""
    first = page.split('class="dashboard-headline__value">', 1)[1]
    return first.split("<", 1)[0].strip()


def run() -> dict[str, Any]:
    """Seed (once) and time the pages on SQLite and PostgreSQL."""
    wanted = conversations_wanted()
    results: dict[str, Any] = {"conversations": wanted}
    for backend, database in (("sqlite", sqlite_database), ("postgresql", postgres_database)):
        url = database(wanted)
        if url is not None:
            results[backend] = asyncio.run(_time_pages(url))
            if backend in SEEDING_SECONDS:
                results[backend]["seeding_s"] = SEEDING_SECONDS[backend]
    return results


def describe(results: dict[str, Any]) -> list[str]:
    """The figures as lines for the terminal."""
    lines = []
    for backend in ("sqlite", "postgresql"):
        pages = results.get(backend, {})
        if "conversations_shown" in pages:
            lines.append(f"{backend}: the dashboard's headline shows {pages['conversations_shown']} conversations")
        if "seeding_s" in pages:
            seeded = results["conversations"]
            lines.append(f"{backend}: seeding {seeded:,} conversations took {pages['seeding_s']:.0f} s")
        for page, figures in pages.items():
            if not isinstance(figures, dict):
                continue
            lines.append(
                f"{backend} {page} over {results['conversations']:,} conversations: "
                f"median {figures['median_s'] * 1000:.0f} ms, worst {figures['max_s'] * 1000:.0f} ms"
            )
    return lines
