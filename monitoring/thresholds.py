"""The thresholds below which the ESIA monitoring report raises a flag, validated once on load."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from routing.hours import ContactSchedule, load_schedule

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "monitoring" / "thresholds.yml"


class ThresholdsError(ValueError):
    """The thresholds file holds something the report cannot use."""


@dataclass(frozen=True)
class Thresholds:
    """Flags for the report (see ``data/monitoring/thresholds.yml``) and each channel's SLA in minutes."""

    parity_ratio: float = 0.8
    min_group_size: int = 30
    non_online_offered: float = 0.95
    within_sla: float = 0.9
    sla_minutes: Mapping[str, int] = field(default_factory=dict)


def _share(raw: Mapping[str, Any], name: str) -> float:
    value = raw.get(name)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= 1:
        raise ThresholdsError(f"{name} must be a number above 0 and at most 1, not {value!r}")
    return float(value)


def load_thresholds(path: Path = DEFAULT_FILE, schedule: ContactSchedule | None = None) -> Thresholds:
    """The thresholds in ``path``, with the SLA of each channel in ``schedule`` (default: the project's)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ThresholdsError(f"{path} must hold a mapping of thresholds")
    size = raw.get("min_group_size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 10:
        raise ThresholdsError(f"min_group_size must be a whole number of at least 10, not {size!r}")
    schedule = schedule or load_schedule()
    return Thresholds(
        parity_ratio=_share(raw, "parity_ratio"),
        min_group_size=size,
        non_online_offered=_share(raw, "non_online_offered"),
        within_sla=_share(raw, "within_sla"),
        sla_minutes={name: hours.sla_minutes for name, hours in schedule.channels.items()},
    )
