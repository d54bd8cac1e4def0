"""The fixed vocabulary of support-need categories agreed with the council, in the order they are shown."""

CATEGORIES = (
    "safeguarding", "digital_exclusion", "disability", "mental_health_cognitive", "older_age",
    "financial_hardship", "language_literacy", "life_event", "carer_proxy", "frustration",
)  # fmt: skip
