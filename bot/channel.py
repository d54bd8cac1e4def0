"""The REST input channel with the assistant's guards in front of Rasa.

It keeps Rasa's REST contract (``POST /webhooks/rest/webhook`` with ``sender`` and ``message``) and
adds what a public web chat needs before any message reaches the tracker store:

* card numbers, security codes and expiry dates are removed (PCI DSS: never stored, never
  repeated), before the message is cut to length, in the metadata too, and across two messages
  (``routing.split_cards``); the resident is told not to share card details in chat;
* empty, non-text and over-long messages get a polite answer instead of an error;
* a malformed request gets a clear 400, never a stack trace;
* a turn keeps to its budget of messages, however many actions spoke in it (``routing.turns``).
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from routing.redaction import PLACEHOLDERS, redact
from routing.split_cards import CardGuard
from routing.turns import fit_turn

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 2000
MAX_SENDER_LENGTH = 128

CARD_WARNING = (
    "Please do not type card details in this chat. I have removed them. "
    "I will never ask for your card number. Use the secure payment page or phone line instead."
)
EMPTY_REPLY = "I did not get a message. Please type what you need. For example, 'report a pothole'."
TOO_LONG_NOTE = "Your message was very long, so I only read the first part. Short messages work best."


def _bot_message(sender: str, text: str) -> Dict[str, Any]:
    return {"recipient_id": sender, "text": text}


def _error(message: str) -> HTTPResponse:
    return response.json({"error": message}, status=400)


class OneMessageOutput(CollectingOutputChannel):
    """Collects the bot's replies, one item per bot message: a message's page signals (``custom``:
    keep the safety routes in view, show "Exit this page") travel with its text instead of as a
    second, empty message."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Keep the message whole: text, buttons and custom together."""
        if not (message.get("text") or message.get("buttons")):
            await super().send_response(recipient_id, message)
            return
        await self._persist_message(
            self._message(
                recipient_id, text=message.get("text"), buttons=message.get("buttons"), custom=message.get("custom")
            )
        )


MAX_METADATA_NESTING = 10  # the web app sends one level; deeper would only trouble the redaction below


def _nesting(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (counted without recursion, so any depth is safe)."""
    deepest, waiting = 0, [(value, 1)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_METADATA_NESTING:
                break
            waiting.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _redact_metadata(value: Any) -> Any:
    """Metadata with card details removed from every string in it (Rasa stores it with the message).

    Read as if about a card: a lone "492" or "11/29" goes, as it would after a card in the chat.
    """
    if isinstance(value, str):
        return redact(value, about_a_card=True).text
    if isinstance(value, dict):
        return {key: _redact_metadata(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_metadata(item) for item in value]
    return value


class GuardedRestInput(RestInput):
    """Rasa's REST channel with redaction and input checks (registered under the name ``rest``)."""

    def __init__(self) -> None:
        super().__init__()
        # Per conversation, the digits ending the last message, in memory only, for a split card.
        self._cards = CardGuard()

    @classmethod
    def name(cls) -> str:
        """Keep the built-in channel's name, so the URL stays ``/webhooks/rest/webhook``."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """The webhook routes: a health check and the guarded message endpoint."""
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/started/<sender>", methods=["GET"])
        async def started(request: Request, sender: str) -> HTTPResponse:
            # Whether the conversation exists, without starting it: reading a tracker through the
            # HTTP API starts a session, which would count a page view as a conversation.
            exists = len(sender) <= MAX_SENDER_LENGTH and await request.app.ctx.agent.tracker_store.exists(sender)
            return response.json({"started": bool(exists)})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # Sanic raises its own error type for a body that is not JSON
                return _error("The request body must be JSON.")
            if not isinstance(body, dict):
                return _error("The request body must be a JSON object.")
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
                return _error(f"'sender' must be a non-empty string of at most {MAX_SENDER_LENGTH} characters.")
            # The sender is stored with every event. Only an id with no letters is checked: a random
            # hex id may hold 13 digits in a row that happen to pass the Luhn check.
            if not any(char.isalpha() for char in sender) and "card_number" in redact(sender).found:
                return _error("'sender' must not be a card number.")
            text = body.get("message")
            if text is not None and not isinstance(text, str):
                return _error("'message' must be a string.")
            metadata = body.get("metadata")
            if metadata is not None and not isinstance(metadata, dict):
                return _error("'metadata' must be a JSON object.")
            if _nesting(metadata) > MAX_METADATA_NESTING:
                return _error(f"'metadata' must be nested at most {MAX_METADATA_NESTING} levels deep.")
            channel = body.get("input_channel")
            # Stored with every event: it must not carry card details either.
            plain = isinstance(channel, str) and channel and not redact(channel).found
            input_channel = channel if plain and isinstance(channel, str) else self.name()
            replies = await self._handle(on_new_message, sender, text or "", input_channel, metadata)
            return response.json(replies)

        return webhook

    async def _handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[None]],
        sender: str,
        text: str,
        input_channel: str,
        metadata: Dict[str, Any] | None,
    ) -> List[Dict[str, Any]]:
        if not text.strip():
            return [_bot_message(sender, EMPTY_REPLY)]
        prefix: List[Dict[str, Any]] = []
        if len(text) > MAX_MESSAGE_LENGTH:
            prefix.append(_bot_message(sender, TOO_LONG_NOTE))
        # Redact before cutting to length, so no cut-off part of a card is kept.
        cleaned = self._cards.redact(sender, text, MAX_MESSAGE_LENGTH)
        # The web app redacts first (for the live chat relay): its placeholders still earn the warning.
        if cleaned.had_card_details or any(placeholder in text for placeholder in PLACEHOLDERS):
            prefix.insert(0, _bot_message(sender, CARD_WARNING))
        metadata = _redact_metadata(dict(metadata or {}))
        if cleaned.found:
            metadata["redacted"] = sorted(cleaned.found)
        collector = OneMessageOutput()
        try:
            await on_new_message(
                UserMessage(cleaned.text, collector, sender, input_channel=input_channel, metadata=metadata)
            )
        except Exception:
            # Never log the text itself: it is the resident's words.
            logger.exception("Handling a message for a conversation failed")
            return prefix + [_bot_message(sender, "Sorry, something went wrong on our side. Please try again.")]
        return fit_turn(prefix + collector.messages)
