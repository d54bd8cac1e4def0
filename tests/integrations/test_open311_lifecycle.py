"""The sender as the web app runs it: a lifecycle step that sends reports while the app runs, stops
cleanly with it, and does nothing at all with no endpoint set (the embedded default)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import AsyncIterator

import pytest
from aiohttp import web

from integrations.open311_sender import open311_sending
from storage.open311_outbox import Open311Outbox
from storage.reports import ReportStore
from storage.schema import ASSISTANT, open_database
from tests.open311_server import Open311Endpoint, serving
from wiring.open311 import open311_settings
from wiring.settings import load_settings


@pytest.fixture
async def endpoint() -> AsyncIterator[Open311Endpoint]:
    async with serving() as found:
        yield found


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    monkeypatch.setenv("COUNCIL_DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("COUNCIL_OPEN311_URL", raising=False)
    open311_settings.cache_clear()
    yield url
    open311_settings.cache_clear()


async def until(check, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("it did not happen in time")


async def test_the_web_apps_sender_sends_a_new_report_and_stops_cleanly(database, endpoint, monkeypatch):
    monkeypatch.setenv("COUNCIL_OPEN311_URL", endpoint.url)
    monkeypatch.setenv("COUNCIL_OPEN311_API_KEY", "test-key")
    monkeypatch.setenv("COUNCIL_OPEN311_POLL_SECONDS", "0.1")
    engine = open_database(database, ASSISTANT)
    step = open311_sending(load_settings())(web.Application())

    await step.__anext__()  # the app starts
    await until(lambda: Open311Outbox(engine).last_check().checked_at is not None)
    reference = ReportStore(engine).create("pothole", "POTHOLE", "Hill Lane", "A deep hole").service_request_id
    await until(lambda: getattr(Open311Outbox(engine).delivery(reference), "back_office_id", None) is not None)
    with pytest.raises(StopAsyncIteration):
        await step.__anext__()  # the app stops: so does the sender

    assert len(endpoint.with_reference(reference)) == 1
    engine.dispose()


async def test_with_no_endpoint_set_the_step_does_nothing(database, endpoint):
    engine = open_database(database, ASSISTANT)
    step = open311_sending(load_settings())(web.Application())
    await step.__anext__()
    ReportStore(engine).create("pothole", "POTHOLE", "Hill Lane", "A deep hole")
    await asyncio.sleep(0.3)
    with pytest.raises(StopAsyncIteration):
        await step.__anext__()

    assert Open311Outbox(engine).last_check().checked_at is None and endpoint.calls == []
    engine.dispose()
