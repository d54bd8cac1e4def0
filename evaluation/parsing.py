"""Ways to parse a message for the evaluation: the running assistant over HTTP, or the trained model
loaded in this process (the same pipeline, without the servers)."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable

Parse = Callable[[str], dict[str, Any]]


def http_parser(rasa_url: str, token: str) -> Parse:
    """Parse with a running Rasa server's ``/model/parse`` (what the assistant itself sees), with
    the HTTP API's ``token``."""
    url = f"{rasa_url}/model/parse?{urllib.parse.urlencode({'token': token})}"

    def parse(text: str) -> dict[str, Any]:
        request = urllib.request.Request(url, data=json.dumps({"text": text}).encode(), method="POST")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return dict(json.loads(answer.read()))
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"/model/parse answered {error.code}") from error

    return parse


def model_parser(model_path: Path) -> Parse:
    """Parse with the trained model loaded in this process."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa's debug log would print every message's text
    agent = Agent.load(str(model_path))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict[str, Any]:
        return dict(loop.run_until_complete(agent.parse_message(text)))

    return parse
