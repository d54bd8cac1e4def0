"""Pure domain logic of the council contact assistant.

Nothing in this package imports Rasa or an HTTP framework, so it can be tested and reused on its own:
actions and web handlers are thin adapters over it.
"""
