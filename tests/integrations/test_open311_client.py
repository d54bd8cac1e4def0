"""The Open311 client against a real GeoReport v2 endpoint (tests/open311_server.py): each call,
and each way the endpoint can fail, mapped to an error that says whether a retry could help and
whether the endpoint may have received a new report anyway."""

from __future__ import annotations

from datetime import timedelta
from typing import AsyncIterator

import aiohttp
import pytest

from bot.launcher import free_port
from integrations.open311 import (
    EndpointAway,
    EndpointFailed,
    EndpointTimeout,
    MalformedAnswer,
    NotAuthorised,
    Open311Client,
    ServiceNotOffered,
)
from routing import clock
from tests.open311_server import Open311Endpoint, serving
from wiring.open311 import Open311Settings

POTHOLE = [("service_code", "POTHOLE"), ("description", "SCC-7KQ4XH: a deep hole"), ("address_string", "High St")]


@pytest.fixture
async def endpoint() -> AsyncIterator[Open311Endpoint]:
    async with serving(slow_seconds=1.5) as found:
        yield found


@pytest.fixture
async def client(endpoint: Open311Endpoint) -> AsyncIterator[Open311Client]:
    settings = Open311Settings(url=endpoint.url, api_key="test-key", jurisdiction_id="southampton.gov.uk",
                               timeout_seconds=0.5)  # fmt: skip
    async with aiohttp.ClientSession() as session:
        yield Open311Client(session, settings)


async def test_the_service_list_reads_the_specs_example_and_the_councils_codes(client):
    services = {service.service_code: service for service in await client.services()}
    assert services["001"].service_name == "Cans left out 24x7" and services["001"].metadata
    assert services["POTHOLE"].type == "realtime"


async def test_a_service_definition_lists_its_attributes(client):
    attributes = {attribute.code: attribute for attribute in await client.attributes("POTHOLE")}
    assert set(attributes) == {"WHISHETN", "external_ref"} and not attributes["external_ref"].required


async def test_a_new_request_is_form_encoded_with_the_key_and_jurisdiction_and_gets_an_id(client, endpoint):
    posted = await client.post_request(POTHOLE)
    assert posted.service_request_id == "293944" and posted.token is None
    assert posted.service_notice and posted.service_notice.startswith("The City will inspect")
    form = endpoint.stored["293944"].form
    assert form["api_key"] == "test-key" and form["jurisdiction_id"] == "southampton.gov.uk"
    assert form["description"] == "SCC-7KQ4XH: a deep hole"


async def test_a_token_gives_the_id_once_the_back_office_has_one(client, endpoint):
    endpoint.tokens, endpoint.tokens_ready = True, False
    posted = await client.post_request(POTHOLE)
    assert posted.service_request_id is None and posted.token
    assert await client.token(posted.token) is None
    endpoint.tokens_ready = True
    assert await client.token(posted.token) == "293944"


async def test_a_request_and_a_list_of_requests_give_their_status(client, endpoint):
    await client.post_request(POTHOLE)
    endpoint.set_status("293944", "closed", "Duplicate request.")
    found = await client.request("293944")
    assert found is not None and (found.status, found.status_notes) == ("closed", "Duplicate request.")
    listed = await client.requests("POTHOLE", clock.now() - timedelta(hours=1), clock.now() + timedelta(hours=1))
    assert [request.service_request_id for request in listed] == ["293944"]


async def test_an_unknown_service_code_is_refused_and_retrying_would_not_help(client):
    with pytest.raises(ServiceNotOffered) as refused:
        await client.post_request([("service_code", "NO_SUCH"), ("description", "x"), ("address_string", "y")])
    assert not refused.value.retry_may_help and not refused.value.maybe_received
    assert refused.value.errors == (("404", "service_code NO_SUCH was not found"),)


async def test_a_wrong_api_key_is_refused_in_the_specs_words(endpoint):
    settings = Open311Settings(url=endpoint.url, api_key="wrong")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(NotAuthorised, match="Invalid api_key"):
            await Open311Client(session, settings).post_request(POTHOLE)


@pytest.mark.parametrize(
    ("fault", "error", "stored"),
    [
        ("500", EndpointFailed, 0),
        ("slow", EndpointTimeout, 1),
        ("xml", MalformedAnswer, 0),
        ("junk", MalformedAnswer, 0),
        ("store_then_drop", EndpointFailed, 1),
        ("store_then_500", EndpointFailed, 1),
        ("store_then_no_id", MalformedAnswer, 1),  # kept as sent, it could never be found again
        ("store_then_long_id", MalformedAnswer, 1),  # longer than the outbox keeps
    ],
)
async def test_a_failing_endpoint_gives_an_error_a_retry_may_fix_and_that_may_have_been_received(
    client, endpoint, fault, error, stored
):
    endpoint.fail_next(fault)
    with pytest.raises(error) as failed:
        await client.post_request(POTHOLE)
    assert failed.value.retry_may_help and failed.value.maybe_received
    assert len(endpoint.stored) == stored


async def test_an_endpoint_that_is_not_there_received_nothing():
    settings = Open311Settings(url=f"http://127.0.0.1:{free_port()}/open311/v2/", timeout_seconds=1)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(EndpointAway) as away:
            await Open311Client(session, settings).post_request(POTHOLE)
    assert away.value.retry_may_help and not away.value.maybe_received


async def test_a_status_answer_in_xml_is_malformed(client, endpoint):
    await client.post_request(POTHOLE)
    endpoint.fail_next("xml", call="GET requests/")
    with pytest.raises(MalformedAnswer, match="XML"):
        await client.request("293944")
