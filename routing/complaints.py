"""Complaints: the council's procedure (``data/catalogue/complaints.yml``) as value types, and the
rules that place a complaint in it.

Stage 1: the complaints team for the service replies within 10 working days. Stage 2: a review by a
senior manager. Then the Local Government and Social Care Ombudsman, or the Housing Ombudsman
Service when the complaint is about a council home. A complaint is logged as a case for the
complaints team (``routing.handoffs``) with the resident's own words, the needs noticed and the
stage's reply date as its deadline. What the assistant says about it is ``routing.complaint_replies``.

Working days leave out weekends and bank holidays in England (``ContactSchedule.bank_holiday``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from routing.catalogue import DEFAULT_DIR, CatalogueError
from routing.conversation_events import Message
from routing.conversation_signals import SIGNALS, Turn, signals
from routing.hours import ContactSchedule

INTENT = "make_complaint"
# A complaint is a case for the complaints team, who reply by phone or letter: the "phone" channel
# (so the inbox, the API and the monitoring funnels read it as they read any case) with a mode and
# a trigger of its own (so the inbox can give it a queue of its own).
CHANNEL = "phone"
MODE = "complaint"
TRIGGER = "complaint"
FRUSTRATION = "frustration"
MAX_ANSWER = 2000  # the longest answer kept (a staff note's limit)
WANTED_LENGTH = 60  # how much of "what it is about" the queue shows

PROCEDURE_FILE = DEFAULT_DIR / "complaints.yml"


@dataclass(frozen=True)
class Ombudsman:
    """An ombudsman the resident can go to once the council's own stages are done."""

    name: str
    phone: str
    website: str


@dataclass(frozen=True)
class Procedure:
    """The council's complaints procedure: timescales, ombudsmen and wording (from the file).

    Attributes:
        acknowledge_days: working days to tell the resident we have a stage-1 complaint.
        reply_days: working days to reply, by stage (1 and 2).
        local_ombudsman, housing_ombudsman: where the resident can go after stage 2.
        housing_words, repair_words, not_with: the words that show a complaint is about a council
            home ("repair" only counts when the message is not about a road or a light).
        housing_services: catalogue codes whose complaints are about a council home.
        wording: every text the assistant says, with its placeholders.
    """

    acknowledge_days: int
    reply_days: Mapping[int, int]
    local_ombudsman: Ombudsman
    housing_ombudsman: Ombudsman
    housing_words: tuple[str, ...]
    repair_words: tuple[str, ...]
    not_with: tuple[str, ...]
    housing_services: frozenset[str]
    wording: Mapping[str, Any]

    def text(self, *keys: str) -> str:
        """A text from the file, by its keys ("stage_1", "explain")."""
        value: Any = self.wording
        for key in keys:
            value = value[key]
        return str(value)

    def about_council_home(self, texts: Iterable[str], service_code: str | None = None) -> bool:
        """Whether the resident's words (or the service) show the complaint is about a council home."""
        if service_code in self.housing_services:
            return True
        words = " ".join(texts)
        if _mentions(words, self.housing_words):
            return True
        return _mentions(words, self.repair_words) and not _mentions(words, self.not_with)

    def ombudsman_for(self, council_home: bool) -> Ombudsman:
        """The Housing Ombudsman for a council home, else the Local Government Ombudsman."""
        return self.housing_ombudsman if council_home else self.local_ombudsman


def _mentions(text: str, phrases: Sequence[str]) -> bool:
    """Whether ``text`` has one of the phrases as whole words (any spacing between them)."""
    for phrase in phrases:
        words = r"\s+".join(re.escape(word) for word in phrase.split())
        if re.search(rf"(?<!\w){words}(?!\w)", text, re.IGNORECASE):
            return True
    return False


@dataclass(frozen=True)
class Complaint:
    """A complaint as the resident made it: their own words, its stage, and whether it is about a
    council home (which decides the ombudsman)."""

    about: str
    details: str
    stage: int = 1
    council_home: bool = False


# --- the file --------------------------------------------------------------------------------------

_TEXTS = (
    ("stage_1", "logged"), ("stage_1", "explain"), ("stage_2", "logged"), ("stage_2", "explain"),
    ("stage_2", "next"), ("ombudsman", "explain"), ("opening",), ("first_report",), ("first_report_button",),
    ("ask_about",), ("ask_details",), ("in_your_own_words",), ("not_logged",), ("what_happens_now",),
)  # fmt: skip


def _days(raw: Mapping[str, Any], stage: str, key: str) -> int:
    value = (raw.get(stage) or {}).get(key)
    if not isinstance(value, int) or value <= 0:
        raise CatalogueError(f"complaints.yml: {stage}.{key} must be a whole number of working days above 0")
    return value


def _ombudsman(raw: Mapping[str, Any], key: str) -> Ombudsman:
    entry = (raw.get("ombudsman") or {}).get(key) or {}
    missing = [field for field in ("name", "phone", "website") if not entry.get(field)]
    if missing:
        raise CatalogueError(f"complaints.yml: ombudsman.{key} needs {', '.join(missing)}")
    return Ombudsman(str(entry["name"]), str(entry["phone"]), str(entry["website"]))


def _words(housing: Mapping[str, Any], key: str) -> tuple[str, ...]:
    words = housing.get(key) or []
    if not isinstance(words, list) or not all(isinstance(word, str) and word.strip() for word in words):
        raise CatalogueError(f"complaints.yml: ombudsman.housing.{key} must be a list of words")
    return tuple(word.strip().lower() for word in words)


def load_procedure(path: Path = PROCEDURE_FILE) -> Procedure:
    """Read and check the complaints procedure; CatalogueError names what is missing or wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"cannot read {path}: {error}") from error
    if not isinstance(raw, Mapping):
        raise CatalogueError("complaints.yml must hold a mapping")
    for keys in _TEXTS:
        value: Any = raw
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        if not isinstance(value, str) or not value.strip():
            raise CatalogueError(f"complaints.yml: missing the text {'.'.join(keys)}")
    housing = (raw.get("ombudsman") or {}).get("housing") or {}
    return Procedure(
        acknowledge_days=_days(raw, "stage_1", "acknowledge_working_days"),
        reply_days={1: _days(raw, "stage_1", "reply_working_days"), 2: _days(raw, "stage_2", "reply_working_days")},
        local_ombudsman=_ombudsman(raw, "local"),
        housing_ombudsman=_ombudsman(raw, "housing"),
        housing_words=_words(housing, "words"),
        repair_words=_words(housing, "repair_words"),
        not_with=_words(housing, "not_with"),
        housing_services=frozenset(_words(housing, "services")),
        wording=raw,
    )


@lru_cache(maxsize=4)
def default_procedure(path: str = str(PROCEDURE_FILE)) -> Procedure:
    """The procedure loaded once per process."""
    return load_procedure(Path(path))


# --- dates -----------------------------------------------------------------------------------------


def working_days_after(start: date, days: int, schedule: ContactSchedule) -> date:
    """The day ``days`` working days after ``start`` (which does not count), skipping weekends and
    bank holidays: a complaint made on a Saturday counts from Monday."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and not schedule.bank_holiday(day):
            counted += 1
    return day


def reply_by(now: datetime, days: int, schedule: ContactSchedule) -> date:
    """The date a reply is due, ``days`` working days from ``now`` (the council's local date)."""
    return working_days_after(schedule.local(now).date(), days, schedule)


def due_at(day: date, schedule: ContactSchedule) -> datetime:
    """The case's deadline: the end of the reply date in the council's time (a reply that day is
    on time), in UTC like every stored time."""
    return datetime.combine(day, time(23, 59), tzinfo=schedule.zone).astimezone(timezone.utc)


def date_words(day: date, today: date) -> str:
    """ "Tuesday 15 December", with the year when it is not this year's."""
    words = f"{day:%A} {day.day} {day:%B}"
    return words if day.year == today.year else f"{words} {day.year}"


# --- reading the resident's words -----------------------------------------------------------------

# Words that ask to complain, or say how often or how formally, but not what about.
NOT_ABOUT = frozenset((
    "i", "im", "i'm", "ive", "i've", "id", "i'd", "me", "my", "mine", "we", "our", "us", "you", "your", "want",
    "wanna", "would", "like", "to", "make", "made", "making", "a", "an", "the", "complaint", "complaints",
    "complain", "complaining", "complained", "about", "how", "do", "does", "did", "can", "could", "please",
    "council", "councils", "raise", "log", "lodge", "file", "put", "in", "this", "is", "it", "its", "it's", "of",
    "for", "and", "or", "with", "that", "what", "where", "who", "was", "were", "be", "been", "am", "are", "just",
    "really", "again", "time", "times", "third", "second", "fourth", "fifth", "formal", "formally", "official",
    "officially", "escalate", "escalating", "escalation", "ombudsman", "review", "stage", "dont", "don't",
    "not", "no", "need", "needs", "go", "get", "some", "someone", "service", "services", "there", "here", "so",
    "very", "now", "today", "still", "at", "on", "by", "from", "up", "they", "them", "their", "he", "she", "him",
    "her", "his", "had", "have", "has", "will", "going", "help", "hi", "hello", "tell", "know", "which", "why",
    "when", "ok", "okay", "yes", "all", "any", "anything", "something", "thing", "things", "way", "report",
    "reported", "reporting", "sort", "fed", "sick", "tired", "angry", "annoyed", "upset", "unhappy", "happy"
))  # fmt: skip
MIN_WORDS_ABOUT = 2
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_YES_NO = frozenset(("yes", "no", "yeah", "yep", "nope", "ok", "okay", "y", "n", "sure", "fine", "thanks"))
_REVIEW = re.compile(
    r"\b(escalat\w*|stage (2|two)|senior manager|review (of )?(my|the|our) complaint|already (made a )?complain\w*"
    r"|(previous|last|earlier|first|existing) complaint|not happy with (the|your) (answer|reply|response|decision))\b",
    re.IGNORECASE,
)


def says_what_about(text: str, names_a_service: bool = False) -> bool:
    """Whether a request to complain already says what about ("... about the man at the Gateway who
    was rude to me"), so the first question can be skipped. "I want to make a complaint", "how do I
    complain about the council" or "this is the third time, I want to complain" do not."""
    if not text.strip() or text.strip().startswith("/"):
        return False
    if names_a_service:
        return True
    words = [word for word in _WORD.findall(text.lower()) if word not in NOT_ABOUT and len(word) > 2]
    return len(words) >= MIN_WORDS_ABOUT


def just_yes_or_no(text: str) -> bool:
    """An answer that is only "yes", "no" or "ok": not words a complaint can be made of."""
    words = _WORD.findall(text.lower())
    return not words or all(word in _YES_NO for word in words)


def answer_text(text: str) -> str:
    """An answer as kept: one line, trimmed, and cut to ``MAX_ANSWER`` characters."""
    return " ".join(str(text or "").split())[:MAX_ANSWER]


def stage_of(texts: Iterable[str]) -> int:
    """2 when the resident asks for a review of a complaint we have answered ("escalate my
    complaint"), else 1."""
    return 2 if any(_REVIEW.search(text or "") for text in texts) else 1


def complaint_from(
    about: str, details: str, earlier: Iterable[str], service_code: str | None, procedure: Procedure
) -> Complaint:
    """The complaint from the two answers and what the resident said before them."""
    texts = [*earlier, about, details]
    return Complaint(
        about=answer_text(about),
        details=answer_text(details),
        stage=stage_of(texts),
        council_home=procedure.about_council_home(texts, service_code),
    )


def _frustration_shown(message: Message) -> bool:
    return FRUSTRATION in message.need_entities or any(need.get("category") == FRUSTRATION for need in message.needs)


def case_needs(needs_seen: Sequence[Mapping[str, Any]], messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The needs staff see on the complaint: those the messages showed, and frustration when the
    conversation itself showed it (misunderstood twice, asked for a person again and again)."""
    needs = [{"category": need.get("category"), "cue": need.get("cue") or need.get("evidence")} for need in needs_seen]
    if any(need["category"] == FRUSTRATION for need in needs):
        return needs
    turns = [Turn(str(message.intent_name), message.asked_for, _frustration_shown(message)) for message in messages]
    if any(SIGNALS[name] == FRUSTRATION for name in signals(turns)):
        needs.append({"category": FRUSTRATION, "cue": None})
    return needs


def _shortened(text: str) -> str:
    if len(text) <= WANTED_LENGTH:
        return text
    return text[: WANTED_LENGTH + 1].rsplit(" ", 1)[0] + "..."  # whole words only


def case_summary(
    complaint: Complaint, reply_date: date, ombudsman: Ombudsman, needs: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """What staff read first: the stage and what it is about (the queue's "Wanted"), the resident's
    own words, the reply date, the ombudsman they were told about, and the needs noticed."""
    what = "Complaint (stage 1)" if complaint.stage == 1 else "Review of a complaint (stage 2)"
    return {
        "wanted": f"{what}: {_shortened(complaint.about)}",
        "form": {"complaint about": complaint.about, "what happened and what would put it right": complaint.details},
        "stage": complaint.stage,
        "reply_by": reply_date.isoformat(),
        "ombudsman": ombudsman.name,
        "needs": [dict(need) for need in needs],
    }
