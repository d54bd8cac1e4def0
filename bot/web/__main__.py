"""``python -m bot.web`` serves the web app on ``WEB_PORT``."""

from __future__ import annotations

from aiohttp import web

from bot.web.app import create_app
from wiring.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    web.run_app(create_app(settings), host=settings.host, port=settings.web_port, print=None)
