"""Background jobs that live as long as the web app (senders, planners, housekeeping)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Coroutine


@contextlib.asynccontextmanager
async def running(*jobs: Coroutine[Any, Any, Any]) -> AsyncIterator[None]:
    """Run each job as a task while the block runs; then cancel them all and wait until they have
    stopped, so a job never outlives the database engine or HTTP session it uses."""
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
