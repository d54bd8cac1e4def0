"""The fixed questions the assistant asks inside its forms, in one place so the wording can be
reviewed (and scored for readability) with the domain's responses."""

from __future__ import annotations

from routing.answers import Button, Reply

ASK_SERVICE = Reply(
    "What is the problem you want to report? For example, a pothole, a missed bin or fly-tipping.",
    (
        Button("Pothole", '/inform{"service": "pothole"}'),
        Button("Missed bin", '/inform{"service": "missed_bin"}'),
        Button("Fly-tipping", '/inform{"service": "fly_tipping"}'),
        Button("Street light", '/inform{"service": "street_light"}'),
        Button("Something else", "/request_human"),
    ),
)
ASK_LOCATION = Reply("Where is it? Please give a street name, a postcode, or a landmark near it.")
ASK_POSTCODE = Reply("What is your postcode? For example, SO14 7LY.")
ASK_REFERENCE = Reply("What is your reference? It starts with SCC- and has 6 letters and numbers after it.")
