"""Custom actions for the Rasa action server. Thin: they read the tracker, call ``routing``, and
turn its replies into messages."""

from wiring.settings import load_settings, start_clock

start_clock(load_settings())  # COUNCIL_CLOCK: the action server runs on the assistant's clock
