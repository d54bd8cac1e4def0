"""Evaluation tooling: the labelled sets, scoring, and the reports behind ``make eval``.

``evaluation/sets/`` holds the sets. The development sets are for tuning; the sealed set is scored
once, when a piece of work is finished (see ``evaluation/sets/README.md``).
"""
