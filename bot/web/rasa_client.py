"""The web app's client for the Rasa server and the action server."""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import aiohttp


class BotMessage(TypedDict, total=False):
    """One bot message as Rasa's REST channel returns it."""

    recipient_id: str
    text: str
    buttons: list[dict[str, str]]
    custom: dict[str, Any]


class TranscriptLine(TypedDict):
    """One line of a conversation as the chat page shows it."""

    sender: str  # "resident", "assistant" or "adviser"
    text: str
    buttons: list[dict[str, str]]
    author: str  # the adviser's name, for an adviser's line
    exit_this_page: bool  # the bot saw signs of abuse: show the quick way to leave the page
    safety_routes: bool  # the bot saw a risk sign: keep 999 and Samaritans in view


class RasaUnavailable(Exception):
    """The Rasa server did not answer."""


class RasaClient:
    """Talks to Rasa over its REST channel and HTTP API."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str, actions_url: str, token: str) -> None:
        self._session = session
        self._rasa_url = rasa_url
        self._actions_url = actions_url
        self._auth = {"token": token}  # Rasa's HTTP API asks for it; its REST webhook does not

    async def send(
        self,
        sender: str,
        message: str,
        input_channel: str = "web",
        title: str | None = None,
        entry_channel: str = "web",
    ) -> list[BotMessage]:
        """Send one resident message (or a quick reply's payload, with its title) and return the replies.

        ``entry_channel`` ("web" for the chat page, "embed" for the page's widget on another council
        page) goes in the metadata, which Rasa hands to the session start, so the monitoring knows
        how a conversation began.
        """
        metadata: dict[str, Any] = {"entry_channel": entry_channel}
        if title:
            metadata["title"] = title
        payload: dict[str, Any] = {
            "sender": sender, "message": message, "input_channel": input_channel, "metadata": metadata,
        }  # fmt: skip
        try:
            async with self._session.post(f"{self._rasa_url}/webhooks/rest/webhook", json=payload) as answer:
                if answer.status != 200:
                    raise RasaUnavailable(f"Rasa answered {answer.status}")
                replies: list[BotMessage] = await answer.json()
                return replies
        # aiohttp's timeouts raise asyncio.TimeoutError: on Python 3.10 not the built-in TimeoutError.
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(str(error)) from error

    async def transcript(self, sender: str) -> list[TranscriptLine]:
        """The conversation so far, from Rasa's tracker store."""
        try:
            url = f"{self._rasa_url}/conversations/{sender}/tracker"
            async with self._session.get(url, params=self._auth) as answer:
                if answer.status != 200:
                    raise RasaUnavailable(f"Rasa answered {answer.status}")
                tracker: dict[str, Any] = await answer.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(str(error)) from error
        lines: list[TranscriptLine] = []
        for event in tracker.get("events", []):
            if event.get("event") == "user" and event.get("text"):
                text = str(event["text"])
                if text.startswith("/"):  # a quick-reply payload: show its title instead
                    text = str(
                        (event.get("metadata") or {}).get("title") or text.lstrip("/").split("{")[0].replace("_", " ")
                    )
                lines.append(
                    {
                        "sender": "resident", "text": text, "buttons": [], "author": "",
                        "exit_this_page": False, "safety_routes": False,
                    }
                )  # fmt: skip
            elif event.get("event") == "bot" and event.get("text"):
                data = event.get("data") or {}
                adviser = str((event.get("metadata") or {}).get("adviser") or "")
                lines.append(
                    {
                        "sender": "adviser" if adviser else "assistant",
                        "text": str(event["text"]),
                        "buttons": list(data.get("buttons") or []),
                        "author": adviser,
                        "exit_this_page": bool((data.get("custom") or {}).get("exit_this_page")),
                        "safety_routes": bool((data.get("custom") or {}).get("safety_routes")),
                    }
                )
        return lines

    async def add_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append events to a conversation (an adviser's message, resuming the bot)."""
        url = f"{self._rasa_url}/conversations/{sender}/tracker/events"
        try:
            async with self._session.post(url, json=events, params=self._auth) as answer:
                if answer.status != 200:
                    raise RasaUnavailable(f"Rasa answered {answer.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(str(error)) from error

    async def adviser_says(self, sender: str, text: str, adviser: str) -> None:
        """Record an adviser's message in the conversation, so it is in the transcript on reload."""
        await self.add_events(sender, [{"event": "bot", "text": text, "metadata": {"adviser": adviser}}])

    async def back_to_the_assistant(self, sender: str, text: str, buttons: list[dict[str, str]]) -> None:
        """Resume the bot and tell the resident, with buttons for what they can do next.

        The closing ``action_listen`` marks the bot as waiting for the resident: messages sent while
        it was paused were recorded with no action after them, which would confuse its next turn.
        """
        events: list[dict[str, Any]] = [
            {"event": "resume"},
            {"event": "bot", "text": text, "data": {"buttons": buttons}},
            {"event": "action", "name": "action_listen"},
        ]
        await self.add_events(sender, events)

    async def health(self) -> dict[str, str]:
        """Whether Rasa has a model loaded and the action server answers."""
        status = {"rasa": "down", "actions": "down"}
        try:
            async with self._session.get(f"{self._rasa_url}/status", params=self._auth) as answer:
                body = await answer.json() if answer.status == 200 else {}
                if body.get("model_file"):
                    status["rasa"] = "ok"
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            pass
        try:
            async with self._session.get(f"{self._actions_url}/health") as answer:
                if answer.status == 200:
                    status["actions"] = "ok"
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass
        return status
