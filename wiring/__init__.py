"""The base every process starts from: the settings, read from the environment in one place.

Below ``bot/``, ``actions/`` and ``monitoring/`` (each may import it); it imports only ``routing/``.
"""
