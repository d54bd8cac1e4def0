"""A real Open311 GeoReport v2 endpoint for the tests, on a real port, built from the specification's
own examples (open311/open311.github.io, the GeoReport v2 page): its service list, service
definition, the answer to a new request (an id and a service notice, or a token), the token's
answer, and a request's status.

Two changes from the examples: the spec's JSON writes codes and ids as ``001`` and ``293944``, and
``001`` is not valid JSON, so codes are strings here; and the catalogue's own codes (POTHOLE, ...)
are offered beside the spec's, less any a test leaves out.

It stores what it receives, and a test can tell it to misbehave on the next calls (``fail_next``):
answer 500, answer too slowly, answer XML or junk, or take a new report and then fail (drop the
connection or answer 500), as a back office that falls over mid-request does.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from aiohttp import web

from routing import clock

# The spec's example service list (codes as strings), then the catalogue's report codes.
SPEC_SERVICES = [
    {"service_code": "001", "service_name": "Cans left out 24x7",
     "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. "
                    "Violators will be cited.",
     "metadata": True, "type": "realtime", "keywords": "lorem, ipsum, dolor", "group": "sanitation"},
    {"service_code": "002", "metadata": True, "type": "realtime", "keywords": "lorem, ipsum, dolor",
     "group": "street", "service_name": "Construction plate shifted",
     "description": "Metal construction plate covering the street or sidewalk has been moved."},
    {"service_code": "003", "metadata": True, "type": "realtime", "keywords": "lorem, ipsum, dolor",
     "group": "street", "service_name": "Curb or curb ramp defect",
     "description": "Sidewalk curb or ramp has problems such as cracking, missing pieces, holes, and/or chipped curb."},
]  # fmt: skip
CATALOGUE_CODES = [
    "POTHOLE", "STREET_LIGHT", "FLY_TIPPING", "MISSED_BIN", "GRAFFITI", "NOISE", "ANTI_SOCIAL_BEHAVIOUR",
    "ABANDONED_VEHICLE", "DOG_FOULING", "HOUSING_REPAIR",
]  # fmt: skip
# The spec's example definition (DMV66), and the attribute that takes the council's own reference.
SPEC_ATTRIBUTE = {
    "variable": True, "code": "WHISHETN", "datatype": "singlevaluelist", "required": False,
    "datatype_description": None, "order": 1, "description": "What is the ticket/tag/DL number?",
    "values": [{"key": 123, "name": "Ford"}, {"key": 124, "name": "Chrysler"}],
}  # fmt: skip
REFERENCE_ATTRIBUTE = {
    "variable": True, "code": "external_ref", "datatype": "string", "required": False, "datatype_description": None,
    "order": 2, "description": "The reference the resident was given",
}  # fmt: skip
SERVICE_NOTICE = (
    "The City will inspect and require the responsible party to correct within 24 hours and/or issue a "
    "Correction Notice or Notice of Violation of the Public Works Code"
)
FAULTS = ("500", "slow", "xml", "junk", "store_then_drop", "store_then_500", "store_then_no_id", "store_then_long_id")


@dataclass
class Stored:
    """A service request the endpoint holds: what was posted, and its status now."""

    service_request_id: str
    form: dict[str, str]
    requested_datetime: str
    status: str = "open"
    status_notes: str | None = None
    token: str | None = None

    def as_json(self, descriptions: bool) -> dict[str, Any]:
        """The request as the spec's ``GET requests/{id}.json`` example shows it."""
        return {
            "service_request_id": int(self.service_request_id), "status": self.status,
            "status_notes": self.status_notes, "service_name": self.form.get("service_code"),
            "service_code": self.form.get("service_code"),
            "description": self.form.get("description") if descriptions else None,
            "agency_responsible": None, "service_notice": None, "requested_datetime": self.requested_datetime,
            "updated_datetime": self.requested_datetime, "expected_datetime": None,
            "address": self.form.get("address_string"), "address_id": None, "zipcode": None,
            "lat": self.form.get("lat"), "long": self.form.get("long"), "media_url": None,
        }  # fmt: skip


@dataclass
class Open311Endpoint:
    """The endpoint's state, and what a test can change about it.

    Attributes:
        missing: catalogue codes it does not offer.
        tokens: answer new requests with a token (a ``batch`` back office) instead of an id.
        tokens_ready: whether a token gives its id yet.
        descriptions: whether ``GET requests.json`` lists descriptions (the spec lets it leave them out).
        api_key: the key a new request must carry.
        slow_seconds: how long a "slow" fault waits before answering.
    """

    missing: set[str] = field(default_factory=set)
    tokens: bool = False
    tokens_ready: bool = True
    descriptions: bool = True
    api_key: str = "test-key"
    slow_seconds: float = 2.0
    stored: dict[str, Stored] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    faults: list[tuple[str, str]] = field(default_factory=list)  # (call, fault), used in order
    next_id: int = 293944
    url: str = ""

    def fail_next(self, fault: str, times: int = 1, call: str = "POST requests.json") -> None:
        """Misbehave on the next ``times`` calls that start with ``call`` ("GET requests/", say)."""
        assert fault in FAULTS, fault
        self.faults += [(call, fault)] * times

    def posts(self) -> int:
        """How many new requests reached it (answered or not)."""
        return sum(1 for method, path in self.calls if method == "POST")

    def with_reference(self, reference: str) -> list[Stored]:
        """The stored requests whose description carries ``reference``."""
        return [found for found in self.stored.values() if reference in found.form.get("description", "")]

    def set_status(self, service_request_id: str, status: str, notes: str | None) -> None:
        """The back office's staff move a request on."""
        self.stored[service_request_id].status = status
        self.stored[service_request_id].status_notes = notes

    def _fault(self, call: str) -> str | None:
        for index, (prefix, fault) in enumerate(self.faults):
            if call.startswith(prefix):
                del self.faults[index]
                return fault
        return None

    def app(self) -> web.Application:
        """The endpoint as an aiohttp app (under ``/open311/v2/``, as a council's would be)."""
        app = web.Application()
        app.router.add_get("/open311/v2/services.json", self._services)
        app.router.add_get("/open311/v2/services/{code}.json", self._definition)
        app.router.add_post("/open311/v2/requests.json", self._post)
        app.router.add_get("/open311/v2/requests.json", self._list)
        app.router.add_get("/open311/v2/requests/{id}.json", self._request)
        app.router.add_get("/open311/v2/tokens/{token}.json", self._token)
        return app

    async def _misbehave(self, request: web.Request, fault: str | None) -> web.StreamResponse | None:
        if fault == "500":
            return _errors(500, 500, "General service error: the CRM is down")
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        if fault == "xml":
            body = '<?xml version="1.0" encoding="utf-8"?><errors><error><code>500</code></error></errors>'
            return web.Response(text=body, content_type="text/xml")
        if fault == "junk":
            return web.Response(text="<html><body>Bad gateway</body></html>", content_type="text/html")
        return None

    async def _services(self, request: web.Request) -> web.StreamResponse:
        self.calls.append(("GET", "services.json"))
        fault = await self._misbehave(request, self._fault("GET services.json"))
        if fault is not None:
            return fault
        ours = [
            {"service_code": code, "service_name": code.replace("_", " ").title(), "description": "",
             "metadata": code == "POTHOLE", "type": "batch" if self.tokens else "realtime", "keywords": "",
             "group": "street"}
            for code in CATALOGUE_CODES if code not in self.missing
        ]  # fmt: skip
        return web.json_response([*SPEC_SERVICES, *ours])

    async def _definition(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"]
        self.calls.append(("GET", f"services/{code}.json"))
        return web.json_response({"service_code": code, "attributes": [SPEC_ATTRIBUTE, REFERENCE_ATTRIBUTE]})

    async def _post(self, request: web.Request) -> web.StreamResponse:
        self.calls.append(("POST", "requests.json"))
        form = {key: str(value) for key, value in (await request.post()).items()}
        fault = self._fault("POST requests.json")
        answer = await self._misbehave(request, fault) if fault in ("500", "xml", "junk") else None
        if answer is not None:
            return answer
        if form.get("api_key") != self.api_key:
            return _errors(403, 403, "Invalid api_key received -- can't proceed with create_request.")
        offered = {service["service_code"] for service in SPEC_SERVICES} | set(CATALOGUE_CODES) - self.missing
        if form.get("service_code") not in offered:
            return _errors(404, 404, f"service_code {form.get('service_code')} was not found")
        stored = Stored(str(self.next_id), form, clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"))  # the tests' clock
        self.next_id += 1
        self.stored[stored.service_request_id] = stored
        if fault == "store_then_drop":
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("the back office fell over after storing the request")
        if fault == "store_then_500":
            return _errors(500, 500, "Internal error after the request was stored")
        if fault == "store_then_no_id":  # a 200 that names neither an id nor a token
            return web.json_response([{"service_notice": SERVICE_NOTICE}])
        if fault == "store_then_long_id":  # an id longer than any back office's should be
            return web.json_response([{"service_request_id": "9" * 300}])
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        if self.tokens:
            stored.token = str(12345 + len(self.stored))
            return web.json_response([{"token": int(stored.token), "service_notice": SERVICE_NOTICE}])
        answer = {"service_request_id": int(stored.service_request_id), "service_notice": SERVICE_NOTICE,
                  "account_id": None}  # fmt: skip
        return web.json_response([answer])

    async def _list(self, request: web.Request) -> web.StreamResponse:
        self.calls.append(("GET", "requests.json"))
        fault = await self._misbehave(request, self._fault("GET requests.json"))
        if fault is not None:
            return fault
        codes = set((request.query.get("service_code") or "").split(",")) - {""}
        start, end = request.query.get("start_date", ""), request.query.get("end_date", "~")
        found = [
            stored.as_json(self.descriptions)
            for stored in self.stored.values()
            if (not codes or stored.form.get("service_code") in codes) and start <= stored.requested_datetime <= end
        ]
        return web.json_response(found)

    async def _request(self, request: web.Request) -> web.StreamResponse:
        request_id = request.match_info["id"]
        self.calls.append(("GET", f"requests/{request_id}.json"))
        fault = await self._misbehave(request, self._fault(f"GET requests/{request_id}"))
        if fault is not None:
            return fault
        if request_id not in self.stored:
            return _errors(404, 404, f"service_request_id {request_id} was not found")
        return web.json_response([self.stored[request_id].as_json(True)])

    async def _token(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        self.calls.append(("GET", f"tokens/{token}.json"))
        fault = await self._misbehave(request, self._fault(f"GET tokens/{token}"))
        if fault is not None:
            return fault
        found = [stored for stored in self.stored.values() if stored.token == token]
        if not found:
            return _errors(404, 404, f"token {token} was not found")
        if not self.tokens_ready:
            return web.json_response([])
        return web.json_response([{"service_request_id": int(found[0].service_request_id), "token": int(token)}])


def _errors(status: int, code: int, description: str) -> web.Response:
    """An error in the spec's shape: a list of codes and descriptions."""
    return web.json_response([{"code": code, "description": description}], status=status)


async def start_endpoint(endpoint: Open311Endpoint) -> web.AppRunner:
    """Serve ``endpoint`` on a free port of 127.0.0.1 in this event loop; its ``url`` says where."""
    runner = web.AppRunner(endpoint.app(), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    endpoint.url = f"http://127.0.0.1:{port}/open311/v2/"
    return runner


@asynccontextmanager
async def serving(**options: Any) -> AsyncIterator[Open311Endpoint]:
    """A new endpoint (with ``options``) served in this event loop for the block."""
    endpoint = Open311Endpoint(**options)
    runner = await start_endpoint(endpoint)
    try:
        yield endpoint
    finally:
        await runner.cleanup()


class EndpointInThread:
    """The endpoint served from a thread of its own (for a whole assistant started by a test)."""

    def __init__(self, endpoint: Open311Endpoint) -> None:
        self.endpoint = endpoint
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Open311Endpoint:
        self._thread.start()
        self._runner = asyncio.run_coroutine_threadsafe(start_endpoint(self.endpoint), self._loop).result(10)
        return self.endpoint

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
