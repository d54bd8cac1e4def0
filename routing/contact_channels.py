"""The ways a resident can reach a person, one vocabulary for every package.

``webchat`` (a live adviser), ``phone`` (call now, or a call back), ``gateway`` (face to face at
the Gateway customer centre) and, for safeguarding, ``emergency`` (999 and specialist lines, then an
urgent handoff). Opening hours, handoff cases, outcome events and the monitoring all use these names.
A leaf module: it imports nothing, so anything can import it.
"""

from __future__ import annotations

CHANNELS = ("webchat", "phone", "gateway", "emergency")
# How managers' pages name each way in sentences.
CHANNEL_NAMES = {"webchat": "webchat", "phone": "phone", "gateway": "Gateway (face to face)", "emergency": "urgent"}
