"""Rasa-side plugins of the council contact assistant: NLU components, the input channel, the web app
and the launcher that starts everything."""
