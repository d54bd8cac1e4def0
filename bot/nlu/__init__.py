"""Custom Rasa NLU components (their logic lives in ``routing``)."""
