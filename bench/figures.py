"""The benchmarks' arithmetic: percentiles, ratios, and the side-by-side section of ``var/bench.json``
with the table ``make bench`` prints from it. No HTTP and no processes here, so it is tested alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import quantiles
from typing import Any, TypedDict


def percentile(samples: list[float], percent: int) -> float:
    """The ``percent``-th percentile of ``samples`` (inclusive method: a value between two samples)."""
    if not samples:
        raise ValueError("no samples")
    if len(samples) == 1:
        return samples[0]
    return quantiles(samples, n=100, method="inclusive")[percent - 1]


def ratio(mine: float | None, theirs: float | None) -> float | None:
    """``mine / theirs``, or None when either is missing or ``theirs`` is zero."""
    if mine is None or theirs is None or theirs == 0:
        return None
    return mine / theirs


class Latency(TypedDict):
    """The summary of one set of turn times, in milliseconds."""

    turns: int
    p50_ms: float
    p95_ms: float


def latency(samples: list[float]) -> Latency:
    """How many turns, their median and their 95th percentile."""
    return {"turns": len(samples), "p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}


@dataclass
class BotSamples:
    """Every turn time (ms) one bot gave over all rounds, by scenario.

    Attributes:
        small_talk: one user, small talk, each conversation fresh.
        task: one user, a task conversation.
        concurrent: every turn of the concurrent users' six-turn task conversations.
        concurrent_seconds: the wall time of each concurrent run (for the throughput).
        turn4, turn40: the 4th and the 40th turn of each long conversation.
    """

    small_talk: list[float] = field(default_factory=list)
    task: list[float] = field(default_factory=list)
    concurrent: list[float] = field(default_factory=list)
    concurrent_seconds: float = 0.0
    turn4: list[float] = field(default_factory=list)
    turn40: list[float] = field(default_factory=list)


class Memory(TypedDict):
    """A process's memory, from ``/proc/PID/status``, in MiB."""

    vm_rss_mib: float
    vm_hwm_mib: float


def memory_from_status(status: str) -> Memory | None:
    """VmRSS (resident memory now) and VmHWM (its peak) from the text of ``/proc/PID/status``."""
    kib = {
        key: int(value.split()[0])
        for key, _, value in (line.partition(":") for line in status.splitlines())
        if key in ("VmRSS", "VmHWM")
    }
    if len(kib) < 2:
        return None
    return {"vm_rss_mib": kib["VmRSS"] / 1024, "vm_hwm_mib": kib["VmHWM"] / 1024}


def bot_figures(samples: BotSamples, memory: Memory | None) -> dict[str, Any]:
    """One bot's figures: latency of each scenario, throughput, and its Rasa process's memory."""
    concurrent = bot_figures_concurrent(samples)
    turn4, turn40 = latency(samples.turn4), latency(samples.turn40)
    return {
        "small_talk_one_user": latency(samples.small_talk),
        "task_one_user": latency(samples.task),
        "concurrent_users": concurrent,
        "long_conversation": {
            "turn4": turn4,
            "turn40": turn40,
            "turn40_over_turn4": ratio(turn40["p50_ms"], turn4["p50_ms"]),
        },
        "rasa_memory": memory,
    }


# The targets from issue 15: small talk cheaper than the stock bot's, more throughput on the same
# machine, the long conversation flat, the chat page adding little.
SMALL_TALK_RATIO_TARGET = 0.7
THROUGHPUT_RATIO_TARGET = 1.0  # on the embedded default (1.5 on the scale-out profile)
TURN40_TARGET = 1.3
CHAT_PAGE_TARGET_MS = 5.0


def side_by_side_section(
    assistant: dict[str, Any], stock: dict[str, Any], chat_page: dict[str, Any], settings: dict[str, Any]
) -> dict[str, Any]:
    """The ``side_by_side`` section of ``var/bench.json``: both bots' figures and the ratios
    (this assistant over the stock ``rasa init`` bot: above 1 means the assistant is slower)."""

    def over(*path: str) -> float | None:
        mine: Any = assistant
        theirs: Any = stock
        for key in path:
            mine, theirs = (mine or {}).get(key), (theirs or {}).get(key)
        return ratio(mine, theirs)

    long_ratio = assistant["long_conversation"]["turn40_over_turn4"]
    return {
        "settings": settings,
        "assistant": assistant,
        "stock_bot": stock,
        "chat_page": chat_page,
        "ratios": {
            "small_talk_p50": over("small_talk_one_user", "p50_ms"),
            "task_p50": over("task_one_user", "p50_ms"),
            "concurrent_turns_per_second": over("concurrent_users", "turns_per_second"),
            "concurrent_p95": over("concurrent_users", "p95_ms"),
            "turn40_p50": over("long_conversation", "turn40", "p50_ms"),
            "memory_rss": over("rasa_memory", "vm_rss_mib"),
            "memory_hwm": over("rasa_memory", "vm_hwm_mib"),
        },
        "targets": {
            "small_talk_p50_ratio": _target(over("small_talk_one_user", "p50_ms"), SMALL_TALK_RATIO_TARGET),
            "throughput_ratio": _target(
                over("concurrent_users", "turns_per_second"), THROUGHPUT_RATIO_TARGET, at_least=True
            ),
            "assistant_turn40_over_turn4": _target(long_ratio, TURN40_TARGET),
            "chat_page_adds_p50_ms": _target(chat_page.get("adds_p50_ms"), CHAT_PAGE_TARGET_MS),
        },
    }


def _target(value: float | None, limit: float, at_least: bool = False) -> dict[str, Any]:
    if at_least:
        return {"at_least": limit, "value": value, "met": None if value is None else value >= limit}
    return {"at_most": limit, "value": value, "met": None if value is None else value <= limit}


def _number(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def describe(section: dict[str, Any]) -> list[str]:
    """The side-by-side figures as a table to print."""
    mine, theirs, ratios = section["assistant"], section["stock_bot"], section["ratios"]

    def row(label: str, a: float | None, b: float | None, r: float | None, unit: str = " ms") -> str:
        digits = 2 if unit == "x" else 1
        return f"  {label:<38}{_number(a, unit, digits):>14}{_number(b, unit, digits):>14}{_number(r, 'x', 2):>9}"

    def latency_rows(label: str, key: str, ratio_key: str) -> list[str]:
        return [row(f"{label} p50", mine[key]["p50_ms"], theirs[key]["p50_ms"], ratios[ratio_key])]

    a_long, b_long = mine["long_conversation"], theirs["long_conversation"]
    a_conc, b_conc = mine["concurrent_users"], theirs["concurrent_users"]
    a_mem, b_mem = mine["rasa_memory"] or {}, theirs["rasa_memory"] or {}
    users = section["settings"].get("concurrent_users")
    lines = [
        f"Side by side: this assistant against a stock 'rasa init' bot ({section['settings']['rounds']} "
        "alternating rounds; ratio = assistant / stock)",
        f"  {'':<38}{'assistant':>14}{'stock bot':>14}{'ratio':>9}",
        *latency_rows("(a) small talk, one user,", "small_talk_one_user", "small_talk_p50"),
        *latency_rows("(b) task conversation, one user,", "task_one_user", "task_p50"),
        row(
            f"(c) {users} users, throughput",
            a_conc["turns_per_second"],
            b_conc["turns_per_second"],
            ratios["concurrent_turns_per_second"],
            " t/s",
        ),
        row(f"(c) {users} users, p95", a_conc["p95_ms"], b_conc["p95_ms"], ratios["concurrent_p95"]),
        row("(d) long conversation, turn 4 p50", a_long["turn4"]["p50_ms"], b_long["turn4"]["p50_ms"], None),
        row(
            "(d) long conversation, turn 40 p50",
            a_long["turn40"]["p50_ms"],
            b_long["turn40"]["p50_ms"],
            ratios["turn40_p50"],
        ),  # fmt: skip
        row("(d) turn 40 / turn 4", a_long["turn40_over_turn4"], b_long["turn40_over_turn4"], None, "x"),
        row("Rasa process VmRSS", a_mem.get("vm_rss_mib"), b_mem.get("vm_rss_mib"), ratios["memory_rss"], " MiB"),
        row("Rasa process VmHWM", a_mem.get("vm_hwm_mib"), b_mem.get("vm_hwm_mib"), ratios["memory_hwm"], " MiB"),
    ]
    chat, targets = section["chat_page"], section["targets"]
    lines.append(
        f"  Chat page (POST /, JSON) p50 {_number(chat.get('chat_page', {}).get('p50_ms'), ' ms')} against the "
        f"REST channel {_number(chat.get('rest', {}).get('p50_ms'), ' ms')} for the same messages: "
        f"adds {_number(chat.get('adds_p50_ms'), ' ms')}"
    )
    for name, target in targets.items():
        verdict = {True: "met", False: "NOT met", None: "not measured"}[target["met"]]
        bound = f"at least {target['at_least']}" if "at_least" in target else f"at most {target['at_most']}"
        lines.append(f"  Target {name} {bound}: {verdict} ({_number(target['value'], '', 2)})")
    return lines


SCALED_THROUGHPUT_RATIO_TARGET = 1.5


def scaled_section(
    scaled: BotSamples, stock: BotSamples, memory: Memory | None, settings: dict[str, Any]
) -> dict[str, Any]:
    """The ``scaled`` section of ``var/bench.json``: the scale-out profile's throughput with many
    residents at once against the stock bot's, on the same machine in alternating rounds."""
    mine, theirs = bot_figures_concurrent(scaled), bot_figures_concurrent(stock)
    throughput = ratio(mine["turns_per_second"], theirs["turns_per_second"])
    return {
        "settings": settings,
        "scale_out": {**mine, "rasa_memory_total": memory},
        "stock_bot": theirs,
        "ratios": {
            "concurrent_turns_per_second": throughput,
            "concurrent_p95": ratio(mine["p95_ms"], theirs["p95_ms"]),
        },
        "targets": {"throughput_ratio": _target(throughput, SCALED_THROUGHPUT_RATIO_TARGET, at_least=True)},
    }


def bot_figures_concurrent(samples: BotSamples) -> dict[str, Any]:
    """The concurrent users' latency and throughput from one bot's samples."""
    figures: dict[str, Any] = dict(latency(samples.concurrent))
    figures["turns_per_second"] = (
        len(samples.concurrent) / samples.concurrent_seconds if samples.concurrent_seconds else None
    )
    return figures


def describe_scaled(section: dict[str, Any]) -> list[str]:
    """The scale-out figures as lines to print."""
    if "skipped" in section:
        return [f"Scale-out NOT MEASURED: {section['skipped']}"]
    mine, theirs, target = section["scale_out"], section["stock_bot"], section["targets"]["throughput_ratio"]
    settings, memory = section["settings"], mine.get("rasa_memory_total") or {}
    verdict = {True: "met", False: "NOT met", None: "not measured"}[target["met"]]
    throughput = section["ratios"]["concurrent_turns_per_second"]
    return [
        f"Scale-out ({settings['rasa_processes']} Rasa processes behind HAProxy, on PostgreSQL, Redis and RabbitMQ)"
        f" against the stock bot: {settings['concurrent_users']} users at once, {settings['rounds']} rounds",
        f"  throughput {_number(mine['turns_per_second'], ' t/s')} against "
        f"{_number(theirs['turns_per_second'], ' t/s')} ({_number(throughput, 'x', 2)});"
        f" p95 {_number(mine['p95_ms'], ' ms')} against {_number(theirs['p95_ms'], ' ms')}",
        f"  Rasa processes' VmRSS together {_number(memory.get('vm_rss_mib'), ' MiB')}",
        f"  Target scaled_throughput_ratio at least {target['at_least']}: {verdict}"
        f" ({_number(target['value'], '', 2)})",
    ]
