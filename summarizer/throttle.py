"""One pace for every request of a batch, so that a rate limit slows the batch down instead of
failing its articles.

A 429 anywhere pauses every new request for as long as the server asked (or the backoff), and
halves how many requests may be in flight; each success lets one more back in, up to the
batch's concurrency (additive increase, multiplicative decrease, as TCP does).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Throttle:
    """Shared by the requests of one batch on one event loop."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.allowed = limit
        self.in_flight = 0
        self.resume_at = 0.0
        self.rate_limited_count = 0
        self._changed: asyncio.Condition | None = None

    @property
    def _condition(self) -> asyncio.Condition:
        # Made on first use, so that the throttle binds to the loop that runs the batch.
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one request slot: wait out any pause, then for room among those in flight."""
        async with self._condition:
            while True:
                pause = self.resume_at - time.monotonic()
                if pause > 0:
                    try:
                        await asyncio.wait_for(self._condition.wait(), pause)
                    except asyncio.TimeoutError:
                        pass
                    continue
                if self.in_flight < self.allowed:
                    break
                await self._condition.wait()
            self.in_flight += 1
        try:
            yield
        finally:
            async with self._condition:
                self.in_flight -= 1
                self._condition.notify_all()

    async def succeeded(self) -> None:
        """A request went through: let one more in, up to the limit."""
        async with self._condition:
            if self.allowed < self.limit:
                self.allowed += 1
                self._condition.notify_all()

    async def rate_limited(self, wait_s: float) -> None:
        """The server said 429: pause everyone for ``wait_s`` and halve the requests in flight."""
        async with self._condition:
            self.rate_limited_count += 1
            self.resume_at = max(self.resume_at, time.monotonic() + wait_s)
            self.allowed = max(1, self.allowed // 2)
            self._condition.notify_all()
