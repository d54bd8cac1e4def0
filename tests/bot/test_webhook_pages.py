"""The managers' webhooks page through real HTTP on a real database: only managers, a secret shown
once, bad input answered politely, pause and remove, subscribers from the file, and the delivery log
showing what the web app's own sender delivered to a real receiver."""

from __future__ import annotations

import asyncio
import html
import re
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bot.web.app import create_app
from routing.webhooks import new_secret
from storage.webhooks import WebhookSubscribers
from tests.bot.test_staff_inbox import ADVISER, MANAGER, inbox, new_case, post, sign_in  # noqa: F401 - inbox is a fixture
from tests.conftest import free_port
from tests.databases import add_test_staff
from tests.integrations.receiver import Receiver
from wiring.settings import Settings

PAGE = "/staff/webhooks"


async def add(client: TestClient, token: str, **fields: str | list[str]):
    data = [("csrf_token", token)]
    for name, value in fields.items():
        data += [(name, item) for item in (value if isinstance(value, list) else [value])]
    return await client.post(PAGE, data=data, allow_redirects=False)


async def test_only_managers_see_the_page(inbox):  # noqa: F811
    client, _, _ = inbox
    answer = await client.get(PAGE, allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"].startswith("/staff/sign-in?next=")
    token = await sign_in(client, ADVISER)
    assert (await client.get(PAGE)).status == 403
    assert (await add(client, token, name="Sneaky", url="https://evil.example/", events="case.created")).status == 403
    assert (await client.get("/staff/sign-in")).status == 200


async def test_a_manager_adds_a_subscriber_and_sees_its_secret_once(inbox):  # noqa: F811
    client, _, engine = inbox
    token = await sign_in(client, MANAGER)
    answer = await add(
        client, token, name="Council CRM", url="https://crm.example.gov.uk/hooks",
        events=["case.created", "case.closed"], council_system="yes",
    )  # fmt: skip
    page = await answer.text()
    assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-secret" type="text" value="(whsec_[^"]+)"', page)
    assert secret and "It will not be shown again" in page
    [added] = WebhookSubscribers(engine).all()
    assert (added.name, added.events, added.council_system) == ("Council CRM", ("case.created", "case.closed"), True)
    later = await (await client.get(PAGE)).text()
    assert "Council CRM" in later and secret.group(1) not in later


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "CRM", "url": "javascript:alert(1)", "events": "case.created"}, "The address must start with https://"),
        ({"name": "CRM", "url": "https://crm.example.gov.uk:99999999/", "events": "case.created"},
         "The address must start with https://"),
        ({"name": "CRM", "url": "http://crm.example.gov.uk/", "events": "case.created", "council_system": "yes"},
         "must use https://"),
        ({"name": "", "url": "https://crm.example.gov.uk/", "events": "case.created"}, "Give the subscriber a name"),
        ({"name": "CRM", "url": "https://crm.example.gov.uk/"}, "Choose at least one event"),
        ({"name": "CRM", "url": "https://crm.example.gov.uk/", "events": "case.deleted"}, "There is no event"),
        ({"name": "x" * 5000, "url": "https://crm.example.gov.uk/", "events": "case.created"}, "at most 80"),
    ],
)  # fmt: skip
async def test_bad_input_gets_the_form_back_with_what_to_change(inbox, fields, message):  # noqa: F811
    client, _, engine = inbox
    token = await sign_in(client, MANAGER)
    answer = await add(client, token, **fields)
    page = await answer.text()
    assert answer.status == 400 and message in page and "There is a problem" in page
    assert f'value="{html.escape(fields["url"])}"' in page  # what they typed is kept, to correct
    assert WebhookSubscribers(engine).all() == []


async def test_pause_start_again_and_remove(inbox):  # noqa: F811
    client, _, engine = inbox
    token = await sign_in(client, MANAGER)
    await add(client, token, name="Reporting", url="https://bi.example.gov.uk/in", events="case.closed")
    [subscriber] = WebhookSubscribers(engine).all()
    assert (await post(client, f"{PAGE}/{subscriber.id}/pause", None)).status == 403  # no CSRF token
    assert (await post(client, f"{PAGE}/{subscriber.id}/pause", token)).status == 303
    assert "Paused by Morgan Lee." in await (await client.get(PAGE)).text()
    assert not WebhookSubscribers(engine).get(subscriber.id).active
    assert (await post(client, f"{PAGE}/{subscriber.id}/start", token)).status == 303
    assert WebhookSubscribers(engine).get(subscriber.id).active
    assert (await post(client, f"{PAGE}/{subscriber.id}/remove", token)).status == 303
    assert WebhookSubscribers(engine).all() == []
    gone = await post(client, f"{PAGE}/{subscriber.id}/pause", token)
    assert gone.status == 404 and "no longer there" in await gone.text()
    assert (await post(client, f"{PAGE}/not-a-number/pause", token)).status in (404, 405)
    too_big = await post(client, f"{PAGE}/{10**30}/pause", token)  # past what the database can hold
    assert too_big.status == 404 and "no longer there" in await too_big.text()


async def test_the_log_shows_what_the_apps_sender_delivered(inbox):  # noqa: F811
    client, store, engine = inbox
    token = await sign_in(client, MANAGER)
    receiver = Receiver(secret="")
    answer = await add(client, token, name="Council CRM", url=receiver.url, events="case.created")
    receiver.secret = re.search(r'value="(whsec_[^"]+)"', await answer.text()).group(1)  # type: ignore[union-attr]
    await receiver.start()
    try:
        reference = new_case(store)
        deadline = time.monotonic() + 20
        while not receiver.delivered:
            assert time.monotonic() < deadline, "the web app's sender did not deliver the event"
            await asyncio.sleep(0.1)
    finally:
        await receiver.stop()
    await asyncio.sleep(0.3)  # the attempt is recorded just after the answer
    page = await (await client.get(PAGE)).text()
    row = page[page.index("Latest deliveries") :]
    assert reference in row and "case.created" in row and "Delivered" in row and ">200<" in row


async def test_subscribers_from_the_file_show_and_are_changed_only_there(engine, tmp_path: Path, monkeypatch):
    add_test_staff(engine)
    monkeypatch.setenv("CRM_SECRET", new_secret())
    hooks = tmp_path / "webhooks.yml"
    hooks.write_text(
        "subscribers:\n  - name: Council CRM\n    url: https://crm.example.gov.uk/hooks\n"
        "    secret_env: CRM_SECRET\n    events: all\n    council_system: true\n"
    )
    monkeypatch.setenv("COUNCIL_WEBHOOKS_FILE", str(hooks))
    settings = Settings(
        rasa_port=free_port(), actions_port=free_port(), web_port=free_port(), host="127.0.0.1",
        var_dir=tmp_path, database_url=make_url(engine.url).render_as_string(hide_password=False),
        tracker_db=tmp_path / "tracker.db", model_path=tmp_path / "model.tar.gz",
    )  # fmt: skip
    async with TestClient(TestServer(create_app(settings))) as client:
        token = await sign_in(client, MANAGER)
        page = await (await client.get(PAGE)).text()
        assert "From the webhooks file" in page and "/remove" not in page
        [subscriber] = WebhookSubscribers(engine).all()
        refused = await post(client, f"{PAGE}/{subscriber.id}/remove", token)
        assert refused.status == 409 and "remove it there" in await refused.text()
