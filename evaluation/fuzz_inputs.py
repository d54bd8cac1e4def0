"""What the fuzz sends: a seeded generator of hostile requests for each public input of the
assistant (``evaluation/fuzz.py`` sends them and checks the answers)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from evaluation.staff_access import StaffAccess


@dataclass(frozen=True)
class Probe:
    """One request: which public input it tries, and its exact method, path, headers and body."""

    input: str
    service: str  # "web" (the web app) or "rasa" (Rasa's REST webhook)
    method: str
    path: str  # already encoded, sent as it is
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    stream: bool = False  # an event stream: read its start, then hang up


# Text a resident could type, and text an attacker would. Nothing here may look like what the
# answer checks look for (an exception's name, a traceback), or an echo would count as a leak.
PLAIN = ("report a pothole", "when is my bin day", "I want to pay my council tax", "can I speak to someone", "hi")
SPECIALS = (
    "",
    " ",
    "\t\r\n",
    "😀🏠🗑️👩🏽‍🦽🇬🇧",
    "\u202eevil\u202c مرحبا بكم في المجلس",
    "שלום \u200f\u200e",
    "zero\u200bwidth\u200c\u200d\ufeffjoin",
    "e\u0301\u0301\u0301 Z̴̡̛̤̜̈́a̸̛̭l̷̨̈g̶o̵",
    "nul\x00byte",
    "\x00\x01\x02\x1b[31m\x7f\x08",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} ${7*7} <%= 7*7 %> {% raw %}",
    "' OR '1'='1'; --",
    "1; DROP TABLE handoff_cases; --",
    '" UNION SELECT password_hash FROM staff_users --',
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%s%s%s%n%x %d {0} {0.__class__} %(name)s",
    "SCC-000000",
    "SCC-ZZZZZZ",
    *("-1", "0", "99999999999999999999999999", "1e400", "NaN", "null", "true", "[]", "{}"),
    "\ud83d",  # a lone surrogate: not encodable, sent as invalid UTF-8
    "4111 1111 1111 1111",
    "/restart",
    '/request_human{"channel":"webchat","mode":"live"}',
    "/stop",
    '/inform{"service":"' + "x" * 300 + '"}',
)
# Nesting deep enough to trouble a recursive parser, under the web app's 64 KB body limit.
DEEP = (b"[" * 30_000, b"[" * 20_000 + b"]" * 20_000, b'{"note":' * 7_000 + b"1" + b"}" * 7_000)
SIZES = (1999, 2000, 2001, 5000, 64 * 1024 - 200, 64 * 1024 + 1, 200_000)
ODD_METHODS = ("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND", "FOO")


def encode(text: str) -> bytes:
    """UTF-8, with lone surrogates sent as the invalid bytes they would be."""
    return text.encode("utf-8", "surrogatepass")


class Generator:
    """Hostile values and requests from one seed."""

    def __init__(self, seed: int, access: StaffAccess) -> None:
        self.rng = random.Random(seed)
        self.access = access

    # -- values --

    def hex(self, size: int) -> str:
        """``size`` random bytes as hex, from the seed (an id or a token of the right shape)."""
        return f"{self.rng.getrandbits(size * 8):0{size * 2}x}"

    def text(self) -> str:
        """A string worth sending: special, huge, mixed, or plain."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return rng.choice(SPECIALS)
        if roll < 0.55:
            unit = rng.choice(("a", "é", "😀", "<b>", "\u200b", "9 ", "'", "x\x00"))
            return (unit * (rng.choice(SIZES) // len(unit) + 1))[: rng.choice(SIZES)]
        if roll < 0.8:
            return " ".join(rng.choice(SPECIALS + PLAIN) for _ in range(rng.randint(2, 4)))
        if roll < 0.9:
            return "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 40)))
        return rng.choice(PLAIN)

    def value(self, depth: int = 0) -> Any:
        """A JSON value of any type: the wrong type for most fields."""
        rng = self.rng
        kind = rng.randrange(9 if depth < 3 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.choice((0, -1, 2**63, 10**30, 1.5, -0.0))
        if kind == 2:
            return rng.choice((True, False))
        if kind in (3, 4, 5):
            return self.text()
        if kind == 6:
            return [self.value(depth + 1) for _ in range(rng.randint(0, 3))]
        if kind == 7:
            return {self.text()[:40]: self.value(depth + 1) for _ in range(rng.randint(0, 3))}
        return self.nested()

    def nested(self) -> Any:
        """Nested lists (deeper nesting is sent as raw bytes: ``DEEP``)."""
        depth = self.rng.choice((50, 500))
        value: Any = "x"
        for _ in range(depth):
            value = [value]
        return value

    def reference(self) -> str:
        """A case reference: a real one, an unknown one, or something hostile."""
        rng = self.rng
        if self.access.references and rng.random() < 0.5:
            return rng.choice(self.access.references)
        if rng.random() < 0.5:
            return "SCC-" + "".join(rng.choice("ABCDEFGHJKMNPQRSTVWXYZ0123456789") for _ in range(6))
        return quote(encode(self.text()[:300]), safe="")

    def chat_cookie(self) -> str:
        """A chat id cookie: none, a new one, a live chat's, or a hostile value."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            return ""
        if roll < 0.55:
            return "chat_id=" + self.hex(16)
        if roll < 0.65 and self.access.live_chat_ids:
            return "chat_id=" + rng.choice(self.access.live_chat_ids)
        return "chat_id=" + quote(encode(self.text()[:500]), safe="=")

    def query(self, names: tuple[str, ...]) -> str:
        """A query string with some of ``names`` (and the odd unknown one) set to hostile values."""
        pairs = [(name, self.text()[:3000]) for name in names if self.rng.random() < 0.7]
        if self.rng.random() < 0.2:
            pairs.append((self.text()[:50], self.text()[:50]))
        if self.rng.random() < 0.1:
            pairs.extend(pairs)  # the same name twice
        return "?" + urlencode(pairs, encoding="utf-8", errors="surrogatepass") if pairs else ""

    def form(self, fields: dict[str, str]) -> tuple[tuple[tuple[str, str], ...], bytes]:
        """Form headers and body: URL-encoded, multipart, raw invalid bytes, or with the wrong type."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            body = urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()
            return (("Content-Type", "application/x-www-form-urlencoded"),), body
        if roll < 0.75:
            boundary = "fuzz" + self.hex(8)
            parts = b"".join(
                b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                % (boundary.encode(), encode(name), encode(value))
                for name, value in fields.items()
            )
            if rng.random() < 0.3:
                parts = parts[: rng.randint(0, len(parts))]  # cut off mid-part, no closing boundary
            else:
                parts += b"--%s--\r\n" % boundary.encode()
            return (("Content-Type", f"multipart/form-data; boundary={boundary}"),), parts
        raw = rng.choice(
            (b"\xff\xfe\xfa=\xc3\x28", b"message=%FF%FE%00", b"message=\xc3\x28&payload=\xed\xa0\x80", b"=&&=&%%", b"")
        )
        kind = rng.choice(
            ("application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data", "",
             "application/x-www-form-urlencoded; charset=klingon", "multipart/form-data; boundary=")
        )  # fmt: skip
        return ((("Content-Type", kind),) if kind else ()), raw

    def json_body(self, fields: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], bytes]:
        """A JSON body whose fields hold any type, or not JSON at all, or JSON that is not an object."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            data: Any = {name: self.value() for name in fields if rng.random() < 0.8}
            if rng.random() < 0.2:
                data[self.text()[:40]] = self.value()
        elif roll < 0.75:
            data = self.value()
        else:
            raw = rng.choice((b"{", b"{'a': 1}", b"\xff\xfe{}", b"[" * 30_000, b'{"a": NaN}', b"", b"\x00" * 100))
            return (("Content-Type", rng.choice(("application/json", "text/plain", ""))),), raw
        body = json.dumps(data, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        kind = rng.choice(("application/json",) * 4 + ("text/plain", "application/x-www-form-urlencoded", ""))
        return ((("Content-Type", kind),) if kind else ()), body

    def odd_headers(self) -> tuple[tuple[str, str], ...]:
        """Sometimes a strange Accept, Last-Event-ID, Content-Length or extra header."""
        rng = self.rng
        headers: list[tuple[str, str]] = []
        if rng.random() < 0.3:
            headers.append(("Accept", rng.choice(("application/json", "*/*", "text/html", "application/json" * 200))))
        if rng.random() < 0.1:
            headers.append(("Last-Event-ID", rng.choice(("-1", "99999999999999999999999", "abc", "1.5", ""))))
        if rng.random() < 0.1:
            headers.append((rng.choice(("X-Forwarded-For", "Referer", "User-Agent", "X-Fuzz")), self.text()[:2000]))
        return tuple(headers)

    # -- requests, one family per public input --

    def _session(self, who: str) -> str:
        """A staff cookie: the adviser's, the manager's, a made-up one, or none."""
        access = self.access
        return {
            "adviser": f"staff_session={access.adviser.session}",
            "manager": f"staff_session={access.manager.session}",
            "forged": "staff_session=" + quote(encode(self.text()[:200]), safe=""),
            "none": "",
        }[who]

    def _csrf(self, who: str) -> str:
        rng = self.rng
        right = {"adviser": self.access.adviser.csrf, "manager": self.access.manager.csrf}.get(who, "")
        return right if rng.random() < 0.6 else rng.choice(("", "wrong", right[:-1], self.text()[:100]))

    def _cookies(self, *values: str) -> tuple[tuple[str, str], ...]:
        joined = "; ".join(value for value in values if value)
        return (("Cookie", joined),) if joined else ()

    def chat_form(self) -> Probe:
        fields = {name: self.text() for name in ("message", "payload", "button_title") if self.rng.random() < 0.6}
        headers, body = self.form(fields)
        accept = (("Accept", "application/json"),) if self.rng.random() < 0.5 else ()
        via = "chat_via=embed" if self.rng.random() < 0.1 else ""
        headers = headers + accept + self._cookies(self.chat_cookie(), via) + self.odd_headers()
        return Probe("chat form (POST /)", "web", "POST", "/", headers, body)

    def chat_page(self) -> Probe:
        headers = self._cookies(self.chat_cookie()) + self.odd_headers()
        return Probe("chat page (GET /)", "web", "GET", "/" + self.query(("via",)), headers)

    def webhook(self) -> Probe:
        headers, body = self.json_body(("sender", "message", "metadata", "input_channel"))
        if self.rng.random() < 0.4:  # a well-formed sender, so the message itself is what is tried
            data = {"sender": self.hex(8), "message": self.text()}
            headers, body = (("Content-Type", "application/json"),), json.dumps(data).encode("utf-8", "surrogatepass")
        return Probe("REST webhook", "rasa", "POST", "/webhooks/rest/webhook", headers + self.odd_headers(), body)

    def live_poll(self) -> Probe:
        headers = self._cookies(self.chat_cookie()) + self.odd_headers()
        return Probe("live-chat poll", "web", "GET", "/chat/updates" + self.query(("after",)), headers)

    def live_stream(self) -> Probe:
        # Mostly no conversation: a stream with one stays open for minutes (each is cut after its start).
        cookie = self.chat_cookie() if self.rng.random() < 0.2 else ""
        headers = self._cookies(cookie) + self.odd_headers()
        return Probe("live-chat stream", "web", "GET", "/chat/stream" + self.query(("after",)), headers, stream=True)

    def live_leave(self) -> Probe:
        headers, body = self.form({"x": self.text()})
        accept = (("Accept", "application/json"),) if self.rng.random() < 0.5 else ()
        return Probe(
            "live-chat leave", "web", "POST", "/chat/leave", headers + accept + self._cookies(self.chat_cookie()), body
        )

    def sign_in(self) -> Probe:
        rng = self.rng
        if rng.random() < 0.3:
            return Probe("staff sign-in", "web", "GET", "/staff/sign-in" + self.query(("next",)), self.odd_headers())
        token = self.hex(24)
        fields = {
            "csrf_token": token if rng.random() < 0.7 else self.text()[:100],
            "username": rng.choice((self.text()[:300], "nobody-here", "ADMIN")),
            "password": self.text()[:1000],
            "next": rng.choice(("/staff", "//evil.example", "/dashboard?x=1", self.text()[:300])),
        }
        headers, body = self.form(fields)
        cookie = f"staff_sign_in={token}" if rng.random() < 0.8 else "staff_sign_in=" + quote(encode(self.text()[:100]))
        return Probe("staff sign-in", "web", "POST", "/staff/sign-in", headers + self._cookies(cookie), body)

    def staff_page(self) -> Probe:
        rng = self.rng
        who = rng.choice(("adviser", "adviser", "manager", "forged", "none"))
        ref = self.reference()
        gets = ("/staff", "/staff/team", f"/staff/cases/{ref}", f"/staff/live/{ref}", f"/staff/live/{ref}/updates")
        posts = {
            "/staff/availability": {"available": rng.choice(("yes", "no", self.text()[:100]))},
            f"/staff/cases/{ref}/claim": {},
            f"/staff/cases/{ref}/release": {},
            f"/staff/cases/{ref}/notes": {"note": self.text()},
            f"/staff/cases/{ref}/outcome": {
                "outcome": rng.choice(("resolved", "cancelled", self.text()[:100])),
                "note": self.text(),
            },  # fmt: skip
            f"/staff/live/{ref}/send": {"message": self.text()},
            f"/staff/live/{ref}/hand-back": {},
            "/staff/sign-out": {},
        }
        name = "staff pages signed in" if who in ("adviser", "manager") else "staff pages signed out"
        cookies = self._cookies(self._session(who))
        if rng.random() < 0.45:
            path = rng.choice(gets)
            query = self.query(("after", "error", "next")) if rng.random() < 0.4 else ""
            return Probe(name, "web", "GET", path + query, cookies + self.odd_headers())
        path = rng.choice(sorted(posts))
        fields = dict(posts[path])
        csrf = self._csrf(who)
        if path == "/staff/sign-out" and csrf in (self.access.adviser.csrf, self.access.manager.csrf):
            csrf = "wrong"  # keep the run's own sessions signed in
        if rng.random() < 0.9:
            fields["csrf_token"] = csrf
        headers, body = self.form(fields)
        return Probe(name, "web", "POST", path, headers + cookies + self.odd_headers(), body)

    def api(self) -> Probe:
        rng = self.rng
        auth = rng.choice(("token", "token", "session", "bad token", "none"))
        headers: tuple[tuple[str, str], ...] = ()
        if auth == "token":
            headers = (("Authorization", f"Bearer {self.access.api_token}"),)
        elif auth == "bad token":
            headers = (
                ("Authorization", rng.choice(("Bearer ", "Bearer " + self.text()[:500], "Basic abc", "bearer x"))),
            )
        elif auth == "session":
            headers = self._cookies(self._session("adviser")) + (("X-CSRF-Token", self._csrf("adviser")),)
        ref = self.reference()
        roll = rng.random()
        if roll < 0.3:
            return Probe("staff API", "web", "GET", "/api/v1/cases" + self.query(("status", "channel")), headers)
        if roll < 0.45:
            return Probe("staff API", "web", "GET", f"/api/v1/cases/{ref}", headers)
        if roll < 0.5:
            return Probe("staff API", "web", "GET", "/api/v1/openapi.yaml", headers)
        action = rng.choice(("claim", "release", "notes", "outcome"))
        body_headers, body = self.json_body({"notes": ("note",), "outcome": ("outcome", "note")}.get(action, ()))
        if action == "outcome" and rng.random() < 0.3:
            body = json.dumps({"outcome": rng.choice(("resolved", "no_show")), "note": self.text()}).encode(
                "utf-8", "surrogatepass"
            )
        return Probe("staff API", "web", "POST", f"/api/v1/cases/{ref}/{action}", headers + body_headers, body)

    def _filters(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:  # dates near the edges a filter checks
            start = rng.choice(("2026-01-01", "1900-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "0000-00-00"))
            end = rng.choice(("2026-12-31", "2025-01-01", "10000-01-01", "2026-12-06", "", "yesterday"))
            pairs = [("start", start), ("end", end)]
            pairs += [(name, self.text()[:200]) for name in ("service", "entry") if rng.random() < 0.5]
            return "?" + urlencode(pairs, encoding="utf-8", errors="surrogatepass")
        return self.query(("start", "end", "service", "entry"))

    def dashboard(self) -> Probe:
        who = self.rng.choice(("manager", "manager", "manager", "adviser", "none", "forged"))
        path = self.rng.choice(("/dashboard", "/dashboard/report", "/dashboard/report.html"))
        return Probe("dashboard filters", "web", "GET", path + self._filters(), self._cookies(self._session(who)))

    def export(self) -> Probe:
        rng = self.rng
        who = rng.choice(("manager", "manager", "manager", "adviser", "none"))
        key = rng.choice(("trend", "outcomes", "needs", "safeguarding", "parity")) if rng.random() < 0.6 else None
        key = key or quote(encode(self.text()[:200]), safe="")
        return Probe("CSV export", "web", "GET", f"/dashboard/export/{key}.csv" + self._filters(),
                     self._cookies(self._session(who)))  # fmt: skip

    def odd_method(self) -> Probe:
        rng = self.rng
        path = rng.choice(("/", "/health", "/chat/updates", "/chat/leave", "/staff", "/staff/sign-in", "/api/v1/cases",
                           f"/api/v1/cases/{self.reference()}/claim", "/dashboard", "/dashboard/export/trend.csv",
                           "/static/../../../etc/passwd", "/static/%2e%2e/%2e%2e/wiring/settings.py",
                           "/govuk/..%2f..%2f..%2fpackage.json", "/" + quote(encode(self.text()[:300]))))  # fmt: skip
        method = rng.choice(ODD_METHODS + ("GET", "POST"))
        headers, body = self.form({"message": self.text()}) if rng.random() < 0.5 else ((), b"")
        cookies = self._cookies(self._session(rng.choice(("adviser", "manager", "none"))))
        return Probe("odd methods and paths", "web", method, path, headers + cookies + self.odd_headers(), body)

    def probes(self, count: int) -> Iterator[Probe]:
        """``count`` requests, spread over every input (the chat form and webhook most)."""
        families: list[tuple[Callable[[], Probe], int]] = [
            (self.chat_form, 16), (self.chat_page, 5), (self.webhook, 14), (self.live_poll, 6), (self.live_stream, 3),
            (self.live_leave, 4), (self.sign_in, 8), (self.staff_page, 16), (self.api, 14), (self.dashboard, 6),
            (self.export, 4), (self.odd_method, 6),
        ]  # fmt: skip
        makers = [maker for maker, weight in families for _ in range(weight)]
        for index in range(count):
            # Every input early on, so even a small run tries each one.
            maker = families[index][0] if index < len(families) else self.rng.choice(makers)
            yield maker()
