"""The card corpus typed into the running assistant through every input path, then every database,
log and outbox file under its var directory scanned: 0 card numbers, 0 security codes.

Input paths: the chat form on the web app (as a plain form and as the page's script sends it, with
``Accept: application/json``), its ``button_title`` field, Rasa's REST webhook (text and metadata),
and the live chat relay (the resident typing while a person holds the chat). Variants that fit in
one message are typed several to a message, to keep the test quick; split cards are typed as two
messages in a row, and cut cards alone.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
import requests

from routing.card_numbers import normalise
from routing.redaction import CARD_PLACEHOLDER, PLACEHOLDERS
from tests.conftest import Assistant
from tests.fixtures.card_corpus import SURVIVORS, Variant, code_after_cue, corpus, digits_of
from tests.server.test_live_chat import join_the_queue

pytestmark = pytest.mark.server

CORPUS = corpus()
BATCH_CHARACTERS = 1800
JOIN = "\nand another one: "  # words between variants, so each keeps its own shape
_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9a-f]{4})", re.IGNORECASE)


def batches(variants: list[Variant]) -> list[str]:
    """Single-message variants joined into messages of at most ``BATCH_CHARACTERS``."""
    out: list[str] = []
    for variant in variants:
        text = variant.messages[0]
        if out and len(out[-1]) + len(JOIN) + len(text) <= BATCH_CHARACTERS:
            out[-1] += JOIN + text
        else:
            out.append(text)
    return out


def conversations() -> list[list[str]]:
    """The corpus as the messages to type, each inner list in order in one conversation."""
    single = [v for v in CORPUS if len(v.messages) == 1 and not v.cut]
    return [batches(single), [m for v in CORPUS if len(v.messages) > 1 for m in v.messages]] + [
        [v.messages[0] for v in CORPUS if v.cut]
    ]


def chat_form(assistant: Assistant, chat_id: str, fields: dict[str, str], as_json: bool) -> None:
    """Post the chat form as the page does (JSON answer) or as a plain form (redirect)."""
    answer = requests.post(
        f"{assistant.web_url}/", data=fields, cookies={"chat_id": chat_id}, allow_redirects=False, timeout=90,
        headers={"Accept": "application/json"} if as_json else {},
    )  # fmt: skip
    assert answer.status_code == (200 if as_json else 303), answer.text[:500]
    if as_json:
        shown = digits_of(answer.text)
        assert not any(variant.card and variant.card in shown for variant in CORPUS)


def webhook(assistant: Assistant, sender: str, message: str) -> None:
    """Rasa's REST webhook, with the message in the metadata too (Rasa stores both)."""
    answer = requests.post(
        f"{assistant.rasa_url}/webhooks/rest/webhook", timeout=90,
        json={"sender": sender, "message": message, "metadata": {"note": message, "title": message[:500]}},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text[:500]


def type_on_the_web(assistant: Assistant) -> int:
    sent = 0
    for messages in conversations():
        chat_id = secrets.token_hex(16)
        for number, message in enumerate(messages):
            chat_form(assistant, chat_id, {"message": message}, as_json=number % 2 == 0)
            sent += 1
    return sent


def type_as_button_titles(assistant: Assistant) -> int:
    chat_id = secrets.token_hex(16)
    titles = conversations()[0]
    for number, title in enumerate(titles):
        chat_form(assistant, chat_id, {"payload": "/greet", "button_title": title}, as_json=number % 2 == 1)
    return len(titles)


def type_on_the_webhook(assistant: Assistant) -> int:
    sent = 0
    for messages in conversations():
        sender = secrets.token_hex(16)
        for message in messages:
            webhook(assistant, sender, message)
            sent += 1
    return sent


def type_to_a_person(assistant: Assistant, chat_ids: list[str]) -> int:
    sent = 0
    for chat_id, messages in zip(chat_ids, conversations(), strict=True):  # one chat each: the rate limit
        for message in messages:
            chat_form(assistant, chat_id, {"message": message}, as_json=True)
            sent += 1
    return sent


def stored_texts(var_dir: Path) -> Iterator[tuple[str, str]]:
    """Every file under the var directory as text (JSON escapes undone, digits as ASCII), and every
    value in every table of every SQLite database there (the raw file misses what is in the WAL)."""
    for path in sorted(p for p in var_dir.rglob("*") if p.is_file()):
        yield str(path), _readable(path.read_bytes().decode("utf-8", errors="replace"))
        if path.suffix == ".db":
            database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                for table in tables:
                    rows = database.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608 (our own table names)
                    # Text only: a row id of 492 is not a stored code.
                    values = "\n".join(str(value) for row in rows for value in row if isinstance(value, (str, bytes)))
                    yield f"{path}:{table}", _readable(values)
            finally:
                database.close()


def _readable(text: str) -> str:
    """JSON's \\uXXXX escapes (Rasa stores events as ASCII JSON) undone, and every digit as ASCII."""
    text = _PAIR.sub(lambda m: (chr(int(m.group(1), 16)) + chr(int(m.group(2), 16))).encode(
        "utf-16", "surrogatepass").decode("utf-16"), text)  # fmt: skip
    return normalise(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


def test_no_card_number_or_code_typed_on_any_input_path_is_stored(assistant: Assistant) -> None:
    people = [secrets.token_hex(16) for _ in conversations()]
    for chat_id in people:
        join_the_queue(assistant, chat_id)  # a person holds these conversations: messages go by the relay
    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = [
            pool.submit(type_on_the_web, assistant),
            pool.submit(type_as_button_titles, assistant),
            pool.submit(type_on_the_webhook, assistant),
            pool.submit(type_to_a_person, assistant, people),
        ]
        sent = sum(path.result() for path in paths)
    # A card number as the conversation id (stored with every event) is refused.
    for sender in ("4111111111111111", "4111 1111 1111 1111"):
        body = {"sender": sender, "message": "hi"}
        refused = requests.post(f"{assistant.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        assert refused.status_code == 400 and "card number" in refused.json()["error"]
    # Things that must survive, typed too: they prove the scan below reads what was stored.
    control = secrets.token_hex(16)
    webhook(assistant, control, " ; ".join(survivor.text for survivor in SURVIVORS))

    cards = {variant.card for variant in CORPUS if variant.card} | {"4111111111111111"}
    codes = {code for variant in CORPUS for code in variant.codes}
    found_cards: list[str] = []
    found_codes: list[str] = []
    scanned: dict[str, str] = dict(stored_texts(assistant.var_dir))
    for name, text in scanned.items():
        digits = re.sub("[^0-9]", "", text)
        found_cards += [f"{name}: {card}" for card in cards if card in digits]
        found_codes += [f"{name}: {code}" for code in codes if code_after_cue(text, code)]
    # A code or expiry typed alone right after the card has no cue: the stored message would be just it.
    alone = [m for v in CORPUS for m in v.messages[1:] if digits_of(m) in v.codes]
    found_codes += [f"{name}: {m}" for name, text in scanned.items() for m in alone
                    if re.search(rf'"text":\s*"{re.escape(m)}"|^{re.escape(m)}$', text, re.MULTILINE)]  # fmt: skip
    assert alone and sent > 100
    assert found_cards == [] and found_codes == [], (found_cards[:10], found_codes[:10])

    trackers = [text for name, text in scanned.items() if "tracker.db:" in name]
    assert trackers and CARD_PLACEHOLDER in "".join(trackers)  # the messages were stored, redacted
    relayed = [text for name, text in scanned.items() if name.endswith("council.db:live_messages")]
    # The relay stored them, redacted (a variant or two share a placeholder when split over messages).
    assert relayed and sum(relayed[0].count(placeholder) for placeholder in PLACEHOLDERS) >= 200
    kept = digits_of("".join(trackers))
    for survivor in ("07700900123", "02380833000", "08001448848", "12032026", "5012345678", "60012345"):
        assert survivor in kept
