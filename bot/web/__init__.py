"""The aiohttp web app: resident chat page, health check (staff inbox and dashboard to come)."""
