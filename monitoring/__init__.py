"""Outcome recording, metrics and disclosure control (built by the monitoring issue)."""
