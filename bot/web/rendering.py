"""Server-rendered pages: one Jinja environment (autoescaping on) shared by every page."""

from __future__ import annotations

import jinja2
from aiohttp import web

from bot.web.keys import TEMPLATES


def templates() -> jinja2.Environment:
    """The templates in ``bot/web/templates``; every value is HTML-escaped unless marked safe."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )


def render(request: web.Request, name: str, status: int = 200, **context: object) -> web.Response:
    """Render a template as an HTML response."""
    html = request.app[TEMPLATES].get_template(name).render(request_path=request.path, **context)
    return web.Response(text=html, content_type="text/html", status=status)
