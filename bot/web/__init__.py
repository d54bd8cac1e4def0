"""The aiohttp web app: the resident chat page, the staff inbox and live chat, the managers'
dashboard and ESIA report, the handoff API, and the health check."""
