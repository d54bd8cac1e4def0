"""Custom actions for the Rasa action server. Thin: they read the tracker, call ``routing``, and
turn its replies into messages."""
