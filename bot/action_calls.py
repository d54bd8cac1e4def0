"""Rasa's calls to the action server, written with ujson instead of the standard library's json.

Every custom action is sent the whole conversation so far: at turn 40 about 160 kB of JSON, which
``json.dumps`` took 1.4 ms to write on every call (ujson, which Rasa itself depends on, takes
0.5 ms). The session is otherwise Rasa's own (``EndpointConfig.session`` in Rasa 3.6).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import ujson
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig


def dumps(value: Any) -> str:
    """``value`` as JSON text that encodes to UTF-8: Unicode as it is (no \\u escapes, fewer bytes),
    unless the text holds a lone surrogate, which only a \\u escape can carry (a REST client may send
    one; written raw, aiohttp's UTF-8 encode fails and the action's events are lost)."""
    text: str = ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return str(ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False))
    return text


def fast_json_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's client session for ``endpoint``, writing JSON bodies with ujson."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
    )


def use_fast_json() -> None:
    """Make every Rasa endpoint (the action server above all) write its JSON with ujson."""
    EndpointConfig.session = fast_json_session
