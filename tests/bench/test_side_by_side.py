"""The side-by-side benchmark's arithmetic and the shape of what it saves (no servers: the run itself
is ``make bench``, never a test)."""

import json

import pytest

from bench.figures import (
    BotSamples,
    Memory,
    bot_figures,
    describe,
    describe_scaled,
    latency,
    memory_from_status,
    percentile,
    ratio,
    scaled_section,
    side_by_side_section,
)
from bench.side_by_side import ASSISTANT, STOCK, Config

STATUS = """Name:\tpython
VmPeak:\t 3000000 kB
VmHWM:\t 1048576 kB
VmRSS:\t  524288 kB
Threads:\t40
"""


def test_percentiles_interpolate_between_samples_and_accept_one_sample() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == pytest.approx(25.0)
    assert percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_a_ratio_is_the_assistant_over_the_stock_bot_and_missing_when_it_cannot_be() -> None:
    assert ratio(30.0, 20.0) == pytest.approx(1.5)
    assert ratio(None, 20.0) is None
    assert ratio(30.0, 0.0) is None


def test_memory_is_read_in_mebibytes_from_proc_status() -> None:
    assert memory_from_status(STATUS) == {"vm_rss_mib": 512.0, "vm_hwm_mib": 1024.0}
    assert memory_from_status("Name:\tkthread\n") is None  # a kernel thread has no VmRSS


def _samples(scale: float, turns_per_second: float, long_growth: float) -> BotSamples:
    many = [scale * n for n in range(1, 121)]
    return BotSamples(
        small_talk=[scale * n for n in (1, 2, 3, 4, 5)],
        task=[scale * n for n in (2, 4, 6)],
        concurrent=many,
        concurrent_seconds=len(many) / turns_per_second,
        turn4=[scale * 10] * 3,
        turn40=[scale * 10 * long_growth] * 3,
    )


def _section() -> dict:
    memory = memory_from_status(STATUS)
    ours = bot_figures(_samples(2.0, 10.0, 1.2), memory)
    theirs = bot_figures(_samples(1.0, 20.0, 1.0), {"vm_rss_mib": 256.0, "vm_hwm_mib": 512.0})
    chat = {"chat_page": latency([13.0, 14.0]), "rest": latency([10.0, 11.0]), "adds_p50_ms": 3.0}
    return side_by_side_section(ours, theirs, chat, {"rounds": 3, "concurrent_users": 20})


def test_the_saved_section_holds_both_bots_the_ratios_and_the_targets() -> None:
    section = json.loads(json.dumps(_section()))  # it must survive the trip to var/bench.json
    assert set(section) == {"settings", "assistant", "stock_bot", "chat_page", "ratios", "targets"}
    for bot in ("assistant", "stock_bot"):
        assert set(section[bot]) == {
            "small_talk_one_user",
            "task_one_user",
            "concurrent_users",
            "long_conversation",
            "rasa_memory",
        }
    ratios = section["ratios"]
    assert ratios["small_talk_p50"] == pytest.approx(2.0)
    assert ratios["concurrent_turns_per_second"] == pytest.approx(0.5)
    assert ratios["memory_rss"] == pytest.approx(2.0)
    assert section["assistant"]["long_conversation"]["turn40_over_turn4"] == pytest.approx(1.2)
    long = section["targets"]["assistant_turn40_over_turn4"]
    assert long == {"at_most": 1.3, "value": pytest.approx(1.2), "met": True}
    assert section["targets"]["chat_page_adds_p50_ms"] == {"at_most": 5.0, "value": 3.0, "met": True}
    assert section["targets"]["small_talk_p50_ratio"] == {"at_most": 0.7, "value": pytest.approx(2.0), "met": False}
    assert section["targets"]["throughput_ratio"] == {"at_least": 1.0, "value": pytest.approx(0.5), "met": False}


def test_a_missed_target_is_said_plainly_in_the_table() -> None:
    section = _section()
    section["targets"]["chat_page_adds_p50_ms"]["met"] = False
    table = "\n".join(describe(section))
    assert "Target chat_page_adds_p50_ms at most 5.0: NOT met (3.00)" in table
    assert "Target assistant_turn40_over_turn4 at most 1.3: met (1.20)" in table
    assert "2.00x" in table  # the small talk ratio
    assert "Target throughput_ratio at least 1.0: NOT met (0.50)" in table


def test_round_sizes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_ROUNDS", "5")
    monkeypatch.setenv("BENCH_CONCURRENT_USERS", "4")
    config = Config.from_env()
    assert (config.rounds, config.concurrent_users, config.long_turns) == (5, 4, 40)
    monkeypatch.setenv("BENCH_LONG_TURNS", "3")
    with pytest.raises(SystemExit):
        Config.from_env()


def test_turns_4_and_40_of_a_long_conversation_send_the_same_words() -> None:
    for script in (ASSISTANT, STOCK):
        assert len(script.task) == 6
        assert script.task[(4 - 1) % 6] == script.task[(40 - 1) % 6]


def test_the_scale_out_section_holds_its_throughput_against_the_stock_bots_and_the_target() -> None:
    scale_out = BotSamples(concurrent=[40.0] * 300, concurrent_seconds=5.0)  # 60 turns a second
    stock = BotSamples(concurrent=[30.0] * 300, concurrent_seconds=6.0)  # 50
    memory: Memory = {"vm_rss_mib": 2400.0, "vm_hwm_mib": 2500.0}
    section = scaled_section(scale_out, stock, memory, {"rounds": 3, "concurrent_users": 20, "rasa_processes": 2})
    assert section["ratios"]["concurrent_turns_per_second"] == pytest.approx(1.2)
    assert section["targets"]["throughput_ratio"] == {"at_least": 1.5, "value": pytest.approx(1.2), "met": False}
    lines = describe_scaled(json.loads(json.dumps(section)))
    assert any("60.0 t/s against 50.0 t/s (1.20x)" in line for line in lines), lines
    assert "NOT met" in lines[-1] and "2400.0 MiB" in lines[-2]


def test_a_scale_out_that_could_not_run_says_why() -> None:
    assert describe_scaled({"skipped": "REDIS IS NOT RUNNING at redis://127.0.0.1:6379/0"}) == [
        "Scale-out NOT MEASURED: REDIS IS NOT RUNNING at redis://127.0.0.1:6379/0"
    ]
