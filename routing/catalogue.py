"""The service catalogue: what the council does, loaded from ``data/catalogue/*.yml``.

Content lives in data so a council can change links, numbers and wording without touching code.
Loading validates the files once and fails with a message naming the bad entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "catalogue"

INTENT_BLOCKS = {
    "report_issue": "report",
    "make_payment": "pay",
    "apply_for_service": "apply",
    "get_information": "information",
}

# The service codes every catalogue must have, by the intent they serve: the fixed names the NLU's
# ``service`` entity and the other packages use (the README's "Changing the service catalogue").
REQUIRED_CODES = {
    "report": {
        "pothole", "street_light", "fly_tipping", "missed_bin", "graffiti", "noise",
        "anti_social_behaviour", "abandoned_vehicle", "dog_fouling", "housing_repair",
    },
    "pay": {"council_tax", "parking_fine", "council_rent", "business_rates", "garden_waste"},
    "apply": {
        "parking_permit", "blue_badge", "housing_register", "council_tax_support", "school_place",
        "bulky_waste", "free_school_meals", "bus_pass", "garden_waste",
    },
    "information": {"bin_collection", "recycling", "library", "gateway", "planning", "council_tax"},
}  # fmt: skip


class CatalogueError(ValueError):
    """The catalogue files are missing something or malformed."""


@dataclass(frozen=True)
class Contact:
    """A phone number or link, flagged when it is an invented example."""

    value: str
    example: bool = False


@dataclass(frozen=True)
class Service:
    """One catalogue entry, keyed by its canonical service code."""

    code: str
    name: str
    summary: str
    keywords: tuple[str, ...]
    online: Contact
    phone: Contact
    gateway: bool
    report: Mapping[str, Any] | None = None
    pay: Mapping[str, Any] | None = None
    apply: Mapping[str, Any] | None = None
    information: Mapping[str, Any] | None = None
    price: Mapping[str, Any] | None = None

    def offers(self, block: str) -> bool:
        """True when the service has the ``report``/``pay``/``apply``/``information`` block."""
        return getattr(self, block) is not None


@dataclass(frozen=True)
class Catalogue:
    """All services plus the council's contact details and sample bin-day data."""

    services: Mapping[str, Service]
    council: Mapping[str, Any]
    bin_days: Mapping[str, Mapping[str, str]]
    bin_week_a_starts: date | None = None  # the Monday of a week A, for "this week is week A"
    _keyword_patterns: tuple[tuple[re.Pattern[str], str], ...] = field(default=(), repr=False)

    def get(self, code: str | None) -> Service | None:
        """The service with this code, or None."""
        return self.services.get(code or "")

    def for_intent(self, intent: str) -> list[Service]:
        """Services that can be handled under a task intent such as ``make_payment``."""
        block = INTENT_BLOCKS[intent]
        return [service for service in self.services.values() if service.offers(block)]

    def find_in_text(self, text: str) -> list[tuple[str, str]]:
        """Service codes whose keywords occur in ``text``, as ``(code, matched text)`` pairs.

        Longer keywords are tried first and a stretch of text matches at most one keyword, so
        "garden waste bin" is garden waste, not a bin collection.
        """
        found: list[tuple[str, str]] = []
        taken: list[range] = []
        for pattern, code in self._keyword_patterns:
            for match in pattern.finditer(text):
                span = range(match.start(), match.end())
                if any(span.start < other.stop and other.start < span.stop for other in taken):
                    continue
                taken.append(span)
                if code not in (seen for seen, _ in found):
                    found.append((code, match.group(0)))
        return found


def _contact(raw: Any, where: str, key: str) -> Contact:
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: '{key}' must be a mapping with 'url' or 'number'")
    value = raw.get("url") or raw.get("number")
    if not isinstance(value, str) or not value:
        raise CatalogueError(f"{where}: '{key}' needs a 'url' or 'number'")
    return Contact(value=value, example=bool(raw.get("example", False)))


def _service(code: str, raw: Any) -> Service:
    where = f"services.yml: {code}"
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: entry must be a mapping")
    for key in ("name", "summary", "keywords", "online", "phone"):
        if key not in raw:
            raise CatalogueError(f"{where}: missing '{key}'")
    keywords = raw["keywords"]
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise CatalogueError(f"{where}: 'keywords' must be a list of strings")
    return Service(
        code=code,
        name=str(raw["name"]),
        summary=str(raw["summary"]),
        keywords=tuple(k.lower() for k in keywords),
        online=_contact(raw["online"], where, "online"),
        phone=_contact(raw["phone"], where, "phone"),
        gateway=bool(raw.get("gateway", False)),
        report=raw.get("report"),
        pay=raw.get("pay"),
        apply=raw.get("apply"),
        information=raw.get("information"),
        price=_price(raw.get("price"), where),
    )


def _price(raw: Any, where: str) -> Mapping[str, Any] | None:
    """A service's price block: ``cost`` (what it costs, "£45 a year"), and optionally ``more``
    and ``reduced`` (a sentence each) and ``example``."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("cost"), str) or not raw["cost"]:
        raise CatalogueError(f"{where}: 'price' must be a mapping with a 'cost'")
    return raw


def _week_a_starts(raw: Any) -> date | None:
    if raw is None:
        return None
    if not isinstance(raw, date):
        raise CatalogueError("bin_days.yml: 'week_a_starts' must be a date, like 2026-01-05")
    if raw.weekday() != 0:
        raise CatalogueError(f"bin_days.yml: 'week_a_starts' must be a Monday, not {raw:%A}")
    return raw


def _read(path: Path) -> Mapping[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"cannot read {path}: {error}") from error
    if not isinstance(loaded, Mapping):
        raise CatalogueError(f"{path} must hold a mapping")
    return loaded


def _keyword_patterns(services: Mapping[str, Service]) -> tuple[tuple[re.Pattern[str], str], ...]:
    pairs = [(keyword, code) for code, s in services.items() for keyword in s.keywords]
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    return tuple((re.compile(rf"(?<!\w){re.escape(keyword)}(?!\w)", re.IGNORECASE), code) for keyword, code in pairs)


def load_catalogue(directory: Path | str = DEFAULT_DIR) -> Catalogue:
    """Load and validate the catalogue files in ``directory``."""
    directory = Path(directory)
    raw_services = _read(directory / "services.yml").get("services")
    if not isinstance(raw_services, Mapping):
        raise CatalogueError("services.yml: missing 'services' mapping")
    services = {str(code): _service(str(code), raw) for code, raw in raw_services.items()}
    for block, codes in REQUIRED_CODES.items():
        missing = sorted(code for code in codes if not (code in services and services[code].offers(block)))
        if missing:
            raise CatalogueError(f"services.yml: no '{block}' block for {', '.join(missing)}")
    council = _read(directory / "council.yml")
    bin_file = _read(directory / "bin_days.yml")
    sectors = bin_file.get("sectors") or {}
    bin_days = {" ".join(str(k).upper().split()): v for k, v in sectors.items()}
    return Catalogue(
        services=services,
        council=council,
        bin_days=bin_days,
        bin_week_a_starts=_week_a_starts(bin_file.get("week_a_starts")),
        _keyword_patterns=_keyword_patterns(services),
    )


@lru_cache(maxsize=4)
def default_catalogue(directory: str = str(DEFAULT_DIR)) -> Catalogue:
    """The catalogue loaded once per process (the files do not change while it runs)."""
    return load_catalogue(directory)
