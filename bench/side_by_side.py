"""``make bench`` (part): this assistant beside a stock ``rasa init`` bot on the same machine.

Rounds alternate, the assistant then the stock bot, again and again, so whatever else the machine is
doing falls on both alike. Each round runs, against one bot over its REST channel: (a) one user's
small talk, each conversation fresh; (b) one user's task conversation; (c) concurrent users each
holding six-turn task conversations; (d) long conversations, timing their 4th and 40th turns. Each
assistant round also sends the same small talk through the chat page and the REST channel
(``bench/chat_page.py``). After the rounds, each bot's Rasa process's memory is read.

The sizes come from the environment (defaults in ``Config``): ``BENCH_ROUNDS``,
``BENCH_SMALL_TALK_CONVERSATIONS``, ``BENCH_TASK_CONVERSATIONS``, ``BENCH_CONCURRENT_USERS``,
``BENCH_CONCURRENT_CONVERSATIONS``, ``BENCH_LONG_CONVERSATIONS``, ``BENCH_LONG_TURNS`` and
``BENCH_CHAT_PAGE_CONVERSATIONS``.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
import xmlrpc.client
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench import chat_page, stock_bot
from bench.figures import BotSamples, Memory, bot_figures, memory_from_status, side_by_side_section
from bench.turns import rest_turn
from bot.launcher import supervisor_rpc


@dataclass(frozen=True)
class Script:
    """What one bot is sent: its own words for the same kinds of conversation."""

    name: str
    small_talk: list[str]  # no task: a greeting, thanks (or the like), "are you a bot", goodbye
    task: list[str]  # six turns; a long conversation repeats them, so turns 4 and 40 send the same words


# This assistant's small talk; its task conversation pays council tax and finds a bin day (a form).
ASSISTANT = Script(
    name="assistant",
    small_talk=["hello", "thank you", "are you a robot", "bye"],
    task=["hi", "i want to pay my council tax", "thanks", "when is my bin day", "SO17 1BJ", "bye"],
)
# The stock bot's own training data (the "mood bot"): its happy and sad paths, and its bot challenge.
STOCK = Script(
    name="stock",
    small_talk=["hello", "great", "are you a bot", "bye"],
    task=["hi", "I am sad", "yes", "I am feeling very good", "are you a bot", "bye"],
)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, not {value}")
    return value


@dataclass(frozen=True)
class Config:
    """How much each round sends (defaults keep the whole ``make bench`` to about a quarter of an hour)."""

    rounds: int = 3
    small_talk_conversations: int = 10
    task_conversations: int = 5
    concurrent_users: int = 20
    concurrent_conversations: int = 1  # per user per round
    long_conversations: int = 3
    long_turns: int = 40  # at least 4: the turn set against the 4th
    chat_page_conversations: int = 5

    @classmethod
    def from_env(cls) -> Config:
        """The defaults, each overridden by its ``BENCH_<NAME>`` environment variable."""
        config = cls(**{name: _env_int(f"BENCH_{name.upper()}", value) for name, value in asdict(cls()).items()})
        if config.long_turns < 4:
            raise SystemExit(f"BENCH_LONG_TURNS must be at least 4, not {config.long_turns}")
        return config


def _sender(script: Script, scenario: str) -> str:
    return f"bench-{script.name}-{scenario}-{uuid.uuid4().hex[:12]}"


async def _conversations(url: str, script: Script, turns: list[str], count: int, into: list[float]) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            sender = _sender(script, "one")
            for text in turns:
                into.append(await rest_turn(session, url, sender, text))


async def many_residents(url: str, script: Script, config: Config, into: BotSamples) -> None:
    """Scenario (c): ``config.concurrent_users`` residents at once, each holding six-turn task conversations."""

    async def resident(session: aiohttp.ClientSession) -> None:
        for _ in range(config.concurrent_conversations):
            sender = _sender(script, "many")
            for text in script.task:
                into.concurrent.append(await rest_turn(session, url, sender, text))

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=config.concurrent_users)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(resident(session) for _ in range(config.concurrent_users)))
        into.concurrent_seconds += time.perf_counter() - started


async def _long(url: str, script: Script, config: Config, into: BotSamples) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(config.long_conversations):
            sender = _sender(script, "long")
            for number in range(1, config.long_turns + 1):
                took = await rest_turn(session, url, sender, script.task[(number - 1) % len(script.task)])
                if number == 4:
                    into.turn4.append(took)
                if number == config.long_turns:
                    into.turn40.append(took)


async def one_round(url: str, script: Script, config: Config, into: BotSamples) -> None:
    """One round of (a) to (d) against the bot whose REST webhook is ``url``."""
    await _conversations(url, script, script.small_talk, config.small_talk_conversations, into.small_talk)
    await _conversations(url, script, script.task, config.task_conversations, into.task)
    await many_residents(url, script, config, into)
    await _long(url, script, config, into)


async def warm_up(url: str, script: Script) -> None:
    """A few unmeasured conversations, so the first measured turns do not pay for lazy loading."""
    await _conversations(url, script, script.small_talk + script.task, 2, [])


def _memory(pid: int | None) -> Memory | None:
    if pid is None:
        return None
    try:
        return memory_from_status(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None


def assistant_rasa_pid(var_dir: Path) -> int | None:
    """The PID of the assistant's Rasa server, from its supervisord (None if it cannot be asked)."""
    try:
        pid = int(supervisor_rpc(var_dir).supervisor.getProcessInfo("rasa")["pid"])
    except (OSError, xmlrpc.client.Error, KeyError, ValueError):
        return None
    return pid or None


@dataclass(frozen=True)
class AssistantUnderTest:
    """Where the running assistant is: its Rasa server, its web app, and its data folder."""

    rasa_url: str
    web_url: str
    var_dir: Path


def run(assistant: AssistantUnderTest, stock_dir: Path, config: Config | None = None) -> dict[str, Any]:
    """Start the stock bot beside ``assistant``, run the alternating rounds, and return the figures."""
    config = config or Config.from_env()
    bot = stock_bot.start(stock_dir)
    try:
        return asyncio.run(_rounds(assistant, bot, config))
    finally:
        stock_bot.stop(bot)


async def _rounds(assistant: AssistantUnderTest, bot: stock_bot.StockBot, config: Config) -> dict[str, Any]:
    rest = f"{assistant.rasa_url}/webhooks/rest/webhook"
    ours, theirs, paths = BotSamples(), BotSamples(), chat_page.PathSamples()
    await warm_up(rest, ASSISTANT)
    await warm_up(bot.webhook, STOCK)
    for number in range(1, config.rounds + 1):
        print(f"Side by side, round {number} of {config.rounds}: the assistant...", flush=True)
        await one_round(rest, ASSISTANT, config, ours)
        await chat_page.compare(assistant.web_url, rest, ASSISTANT.small_talk, config.chat_page_conversations, paths)
        print(f"Side by side, round {number} of {config.rounds}: the stock bot...", flush=True)
        await one_round(bot.webhook, STOCK, config, theirs)
    settings = {**asdict(config), "assistant_turns": asdict(ASSISTANT), "stock_turns": asdict(STOCK)}
    return side_by_side_section(
        bot_figures(ours, _memory(assistant_rasa_pid(assistant.var_dir))),
        bot_figures(theirs, _memory(bot.process.pid)),
        chat_page.figures(paths),
        settings,
    )
