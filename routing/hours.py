"""When each way of reaching a person is open, and what can be booked: ``data/catalogue/channels.yml``.

Opening hours are per channel and per weekday in UK local time. Bank holidays for England and
Wales come from the maintained ``holidays`` package, so a new year's dates need no code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import holidays
import yaml

from routing.catalogue import DEFAULT_DIR, CatalogueError
from routing.contact_channels import CHANNELS

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SlotRules:
    """How bookable time is cut up: slot length, how many residents per slot, how far ahead."""

    minutes: int
    capacity: int
    days_ahead: int


@dataclass(frozen=True)
class ChannelHours:
    """One channel's opening hours, how soon its cases must be picked up, and its bookable slots."""

    name: str
    weekly: Mapping[int, tuple[time, time]]  # weekday (0 = Monday) -> (opens, closes)
    sla_minutes: int
    slots: SlotRules | None = None
    max_queue_per_adviser: int = 0
    open_on_bank_holidays: bool = False


@dataclass(frozen=True)
class ContactSchedule:
    """Every channel's hours, with the bank holidays that close them."""

    zone: ZoneInfo
    channels: Mapping[str, ChannelHours]
    bank_holidays: holidays.HolidayBase
    callback_attempts: int = 3
    callback_retry_minutes: int = 30

    def local(self, moment: datetime) -> datetime:
        """``moment`` in UK local time (naive datetimes are taken to be UTC)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo("UTC"))
        return moment.astimezone(self.zone)

    def bank_holiday(self, day: date) -> str | None:
        """The bank holiday's name on ``day``, if it is one."""
        name = self.bank_holidays.get(day)
        return str(name) if name else None

    def hours_on(self, channel: str, day: date) -> tuple[time, time] | None:
        """When ``channel`` opens and closes on ``day``, or None when it is closed all day."""
        hours = self.channels[channel]
        if not hours.open_on_bank_holidays and self.bank_holiday(day):
            return None
        return hours.weekly.get(day.weekday())

    def is_open(self, channel: str, moment: datetime) -> bool:
        """Whether ``channel`` is staffed at ``moment``."""
        local = self.local(moment)
        hours = self.hours_on(channel, local.date())
        return hours is not None and hours[0] <= local.time() < hours[1]

    def next_opening(self, channel: str, moment: datetime) -> datetime:
        """The next time ``channel`` opens after ``moment`` (``moment`` itself if it is open)."""
        local = self.local(moment)
        if self.is_open(channel, local):
            return local
        for offset in range(0, 15):
            day = local.date() + timedelta(days=offset)
            hours = self.hours_on(channel, day)
            if hours is None:
                continue
            opens = datetime.combine(day, hours[0], tzinfo=self.zone)
            if opens > local:
                return opens
        raise CatalogueError(f"channel {channel!r} is not open in the next two weeks")


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def clock(moment: time | datetime) -> str:
    """A time the way people say it: "9am", "1:30pm", "12 noon"."""
    hour, minute = moment.hour, moment.minute
    if hour == 12 and minute == 0:
        return "12 noon"
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def day_text(moment: datetime, today: date) -> str:
    """ "today", "tomorrow" or "Monday 1 December"."""
    if moment.date() == today:
        return "today"
    if moment.date() == today + timedelta(days=1):
        return "tomorrow"
    return date_text(moment)


def date_text(moment: datetime) -> str:
    """ "Monday 1 December"."""
    return f"{_DAY_NAMES[moment.weekday()]} {moment.day} {moment.strftime('%B')}"


def _time(raw: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(raw))
    except ValueError as error:
        raise CatalogueError(f"channels.yml: {where}: {raw!r} is not a time like 09:00") from error


def _channel(name: str, raw: Mapping[str, Any]) -> ChannelHours:
    weekly = {}
    for day, span in (raw.get("hours") or {}).items():
        if day not in DAYS or not isinstance(span, list) or len(span) != 2:
            raise CatalogueError(f"channels.yml: {name}.hours.{day} must be a weekday with [opens, closes]")
        opens, closes = _time(span[0], f"{name}.{day}"), _time(span[1], f"{name}.{day}")
        if opens >= closes:
            raise CatalogueError(f"channels.yml: {name}.{day} closes before it opens")
        weekly[DAYS.index(day)] = (opens, closes)
    slot_raw = raw.get("callback") or raw.get("appointment")
    slots = None
    if slot_raw:
        slots = SlotRules(
            minutes=int(slot_raw.get("window_minutes") or slot_raw.get("slot_minutes")),
            capacity=int(slot_raw.get("capacity_per_window") or slot_raw.get("capacity_per_slot")),
            days_ahead=int(slot_raw["days_ahead"]),
        )
        if slots.minutes <= 0 or slots.capacity <= 0 or slots.days_ahead <= 0:
            raise CatalogueError(f"channels.yml: {name} slots need a positive length, capacity and days ahead")
    return ChannelHours(
        name=name,
        weekly=weekly,
        sla_minutes=int(raw["sla_minutes"]),
        slots=slots,
        max_queue_per_adviser=int(raw.get("max_queue_per_adviser", 0)),
        open_on_bank_holidays=bool(raw.get("open_on_bank_holidays", False)),
    )


def load_schedule(path: Path = DEFAULT_DIR / "channels.yml") -> ContactSchedule:
    """Read and validate the channel configuration."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        channels = {name: _channel(name, spec) for name, spec in raw["channels"].items()}
        missing = set(CHANNELS) - set(channels)
        if missing:
            raise CatalogueError(f"channels.yml: no configuration for {sorted(missing)}")
        region = raw.get("bank_holidays") or {"country": "GB", "subdivision": "ENG"}
        callback = raw["channels"]["phone"].get("callback") or {}
        return ContactSchedule(
            zone=ZoneInfo(raw.get("timezone", "Europe/London")),
            channels=channels,
            bank_holidays=holidays.country_holidays(region["country"], subdiv=region.get("subdivision")),
            callback_attempts=int(callback.get("max_attempts", 3)),
            callback_retry_minutes=int(callback.get("retry_delay_minutes", 30)),
        )
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as error:
        if isinstance(error, CatalogueError):
            raise
        raise CatalogueError(f"channels.yml: {error}") from error
