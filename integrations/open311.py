"""A small Open311 GeoReport v2 client on aiohttp: the six calls the connector makes, and typed errors.

Written here rather than taken from PyPI: the packages there (``georeport`` 0.3.1, ``three`` 0.8.0,
``open311`` 1.1) are synchronous wrappers on ``requests``, and ``georeport`` cannot create a request
at all; none tells a failure a retry could fix from one it cannot, nor whether the endpoint may
have received a report before it failed, which is what keeps a report from being sent twice.

Every answer is asked for as JSON. Each failure is an ``Open311Error`` that says whether a retry
could help (``retry_may_help``) and, for a new report, whether the endpoint may have stored it
before failing (``maybe_received``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence
from urllib.parse import quote

import aiohttp

from storage.open311_outbox import MAX_IDENTIFIER_LENGTH
from wiring.open311 import Open311Settings


class Open311Error(Exception):
    """A call to the back office that did not give an answer the connector can use.

    Attributes:
        retry_may_help: whether trying the same call later could work.
        maybe_received: whether the endpoint may have acted on it (stored a new report) anyway.
        errors: the spec's error list from the answer, as (code, description) pairs, where it had one.
    """

    retry_may_help = True
    maybe_received = False

    def __init__(self, message: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class EndpointAway(Open311Error):
    """No connection could be made (refused, no such host): nothing reached the endpoint."""


class EndpointTimeout(Open311Error):
    """No whole answer in time: the endpoint may have received the call and be acting on it."""

    maybe_received = True


class EndpointFailed(Open311Error):
    """The connection dropped mid-call, or a 5xx answer: the endpoint may have acted on the call."""

    maybe_received = True


class MalformedAnswer(Open311Error):
    """A success status with a body that is not the JSON the spec describes (XML, HTML, junk)."""

    maybe_received = True


class RequestRejected(Open311Error):
    """A 4xx answer: the endpoint refused the call and stored nothing; the same call would fail again."""

    retry_may_help = False


class ServiceNotOffered(RequestRejected):
    """The endpoint does not know the service code."""


class NotAuthorised(RequestRejected):
    """A missing or wrong API key (401 or 403): the connector's settings need fixing."""


@dataclass(frozen=True)
class Service:
    """One entry of ``services.json``: a code the endpoint takes, and whether it has attributes."""

    service_code: str
    service_name: str
    metadata: bool
    type: str


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service's definition (``services/{code}.json``)."""

    code: str
    required: bool
    variable: bool


@dataclass(frozen=True)
class Posted:
    """The answer to a new report: the back office's id, or a token that later gives it (or, for a
    ``blackbox`` service, neither)."""

    service_request_id: str | None
    token: str | None
    service_notice: str | None


@dataclass(frozen=True)
class RequestStatus:
    """A service request as the back office has it now."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_code: str | None
    description: str | None
    updated_datetime: str | None


def w3_time(moment: datetime) -> str:
    """A time as the spec writes it: ``2010-01-01T00:00:00Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Open311Client:
    """The calls the connector makes on one endpoint, through one aiohttp session."""

    def __init__(self, session: aiohttp.ClientSession, settings: Open311Settings, timeout: float | None = None) -> None:
        self._session = session
        self._settings = settings
        self._timeout = aiohttp.ClientTimeout(total=timeout or settings.timeout_seconds)

    async def services(self) -> list[Service]:
        """``GET services.json``: the service codes the endpoint takes."""
        answer = await self._get("services.json")
        return [
            Service(
                service_code=_text(item.get("service_code")) or "",
                service_name=_text(item.get("service_name")) or "",
                metadata=item.get("metadata") in (True, "true"),
                type=_text(item.get("type")) or "realtime",
            )
            for item in _records(answer, "services.json")
            if item.get("service_code") is not None
        ]

    async def attributes(self, service_code: str) -> list[Attribute]:
        """``GET services/{code}.json``: the attributes a service's reports may or must carry."""
        answer = await self._get(f"services/{_segment(service_code)}.json")
        if not isinstance(answer, dict) or not isinstance(answer.get("attributes", []), list):
            raise MalformedAnswer(f"services/{service_code}.json did not hold a service definition")
        return [
            Attribute(
                code=_text(item.get("code")) or "",
                required=item.get("required") in (True, "true"),
                variable=item.get("variable", True) in (True, "true"),
            )
            for item in answer.get("attributes", [])
            if isinstance(item, dict)
        ]

    async def post_request(self, form: Sequence[tuple[str, str]]) -> Posted:
        """``POST requests.json``, form-encoded as the spec says, with the API key and jurisdiction."""
        fields = [*form, *self._common(), *([("api_key", self._settings.api_key)] if self._settings.api_key else [])]
        answer = await self._call("POST", "requests.json", data=fields)
        records = _records(answer, "requests.json")
        if not records:
            raise MalformedAnswer("requests.json answered an empty list to a new report")
        first = records[0]
        posted = Posted(
            service_request_id=_identifier(first.get("service_request_id")),
            token=_identifier(first.get("token")),
            service_notice=_text(first.get("service_notice")),
        )
        if posted.service_request_id is None and posted.token is None:
            # Kept as sent, the report would be out of reach (no status, no duplicate check): in
            # doubt instead, so it is looked up on the endpoint before it is sent again.
            raise MalformedAnswer("requests.json answered a new report with neither an id nor a token")
        return posted

    async def token(self, token: str) -> str | None:
        """``GET tokens/{token}.json``: the back office's id for a report, or None while it has none."""
        answer = await self._get(f"tokens/{_segment(token)}.json")
        records = _records(answer, "tokens.json")
        return _identifier(records[0].get("service_request_id")) if records else None

    async def request(self, service_request_id: str) -> RequestStatus | None:
        """``GET requests/{id}.json``: one request's status now (None when the answer lists none)."""
        answer = await self._get(f"requests/{_segment(service_request_id)}.json")
        found = [_status(item) for item in _records(answer, "requests.json")]
        return found[0] if found else None

    async def requests(self, service_code: str, start: datetime, end: datetime) -> list[RequestStatus]:
        """``GET requests.json`` for one service, received between ``start`` and ``end``."""
        query = {"service_code": service_code, "start_date": w3_time(start), "end_date": w3_time(end)}
        answer = await self._get("requests.json", query)
        return [_status(item) for item in _records(answer, "requests.json")]

    def _common(self) -> list[tuple[str, str]]:
        jurisdiction = self._settings.jurisdiction_id
        return [("jurisdiction_id", jurisdiction)] if jurisdiction else []

    async def _get(self, path: str, query: dict[str, str] | None = None) -> Any:
        return await self._call("GET", path, params=[*(query or {}).items(), *self._common()])

    async def _call(self, method: str, path: str, **sending: Any) -> Any:
        url = self._settings.url + path
        try:
            async with self._session.request(method, url, timeout=self._timeout, **sending) as response:
                body = await response.read()
                status = response.status
        except aiohttp.ClientConnectorError as error:  # before anything was sent
            raise EndpointAway(f"could not connect to {url}: {error}") from error
        except asyncio.TimeoutError as error:
            raise EndpointTimeout(f"{method} {path} had no answer within {self._timeout.total:g} s") from error
        except aiohttp.ClientError as error:  # dropped mid-call, or a broken answer
            raise EndpointFailed(f"{method} {path} failed: {error!r}") from error
        return _answer(method, path, status, body)


def _answer(method: str, path: str, status: int, body: bytes) -> Any:
    try:
        decoded = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError):
        decoded = None
        if 200 <= status < 300:
            start = body.lstrip()[:1]
            kind = "XML or HTML" if start == b"<" else "something"
            raise MalformedAnswer(f"{method} {path} answered {kind} that is not JSON ({status})") from None
    errors = _errors(decoded)
    said = "; ".join(description for _code, description in errors) or f"HTTP {status}"
    if status in (401, 403):
        raise NotAuthorised(f"{method} {path} was refused: {said} (check {path} and the API key)", errors)
    if status in (408, 425, 429) or status >= 500:
        raise EndpointFailed(f"{method} {path} failed: {said}", errors)
    if 400 <= status < 500:
        about_the_code = any(
            word in description.lower() for _code, description in errors for word in ("service_code", "service code")
        )
        if method == "POST" and (status == 404 or about_the_code):
            raise ServiceNotOffered(f"the endpoint refused the service code: {said}", errors)
        raise RequestRejected(f"{method} {path} was refused: {said}", errors)
    if not 200 <= status < 300:
        raise EndpointFailed(f"{method} {path} answered {status}")
    if decoded is None:
        raise MalformedAnswer(f"{method} {path} answered with an empty body")
    return decoded


def _errors(decoded: Any) -> list[tuple[str, str]]:
    """The spec's ``[{"code": .., "description": ..}]``, where the answer is one."""
    items = decoded if isinstance(decoded, list) else (decoded or {}).get("errors") if isinstance(decoded, dict) else []
    if not isinstance(items, list):
        return []
    return [
        (str(item.get("code", "")), str(item.get("description", "")))
        for item in items
        if isinstance(item, dict) and "description" in item
    ]


def _records(answer: Any, what: str) -> list[dict[str, Any]]:
    """The list of records an answer holds (the spec's JSON is a bare list; some servers wrap it)."""
    if isinstance(answer, dict):
        answer = next((value for value in answer.values() if isinstance(value, list)), [answer])
    if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
        raise MalformedAnswer(f"{what} did not answer with a list of records")
    return answer


def _status(item: dict[str, Any]) -> RequestStatus:
    request_id = _identifier(item.get("service_request_id"))
    status = (_text(item.get("status")) or "").lower()
    if not request_id or status not in ("open", "closed"):
        raise MalformedAnswer("a request in the answer has no id, or a status other than open or closed")
    return RequestStatus(
        service_request_id=request_id,
        status=status,
        status_notes=_text(item.get("status_notes")),
        service_code=_text(item.get("service_code")),
        description=_text(item.get("description")),
        updated_datetime=_text(item.get("updated_datetime")),
    )


def _identifier(value: Any) -> str | None:
    """A request's id or token as text; MalformedAnswer when it is longer than the outbox keeps
    (it would be lost after the back office stored the report)."""
    text = _text(value)
    if text is not None and len(text) > MAX_IDENTIFIER_LENGTH:
        raise MalformedAnswer(f"an id or token of {len(text)} characters; at most {MAX_IDENTIFIER_LENGTH} are kept")
    return text


def _text(value: Any) -> str | None:
    """A field as text (the spec's examples give ids as numbers), or None where it is empty."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _segment(value: str) -> str:
    """A value safe to put in the URL's path (an id or token from the back office)."""
    return quote(value, safe="")
