"""One pace for every request of a batch (or of one long article's parts), so that a rate limit
slows the requests down instead of failing their articles.

A 429 anywhere pauses every new request for as long as the server asked (or the backoff), and
halves how many requests may be in flight; each success lets one more back in, up to the
concurrency limit (additive increase, multiplicative decrease, as TCP does).

:class:`Throttle` serves the requests of one event loop; :class:`ThreadThrottle`, its twin,
those of several threads. Both keep their arithmetic in :class:`Pace`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


class Pace:
    """The state the two throttles share: how many requests may be in flight, how many are,
    and until when new ones wait."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.allowed = limit
        self.in_flight = 0
        self.resume_at = 0.0
        self.rate_limited_count = 0

    def _pause(self) -> float:
        """Seconds a new request must still wait out, 0 when none."""
        return max(0.0, self.resume_at - time.monotonic())

    def _has_room(self) -> bool:
        return self.in_flight < self.allowed

    def _grow(self) -> bool:
        """A request went through: one more may be in flight, up to the limit. True if so."""
        if self.allowed >= self.limit:
            return False
        self.allowed += 1
        return True

    def _shrink(self, wait_s: float) -> None:
        """The server said 429: pause everyone for ``wait_s`` and halve the requests in flight."""
        self.rate_limited_count += 1
        self.resume_at = max(self.resume_at, time.monotonic() + wait_s)
        self.allowed = max(1, self.allowed // 2)


class Throttle(Pace):
    """Shared by the requests of one batch on one event loop."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
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
                pause = self._pause()
                if pause > 0:
                    try:
                        await asyncio.wait_for(self._condition.wait(), pause)
                    except asyncio.TimeoutError:
                        pass
                    continue
                if self._has_room():
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
            if self._grow():
                self._condition.notify_all()

    async def rate_limited(self, wait_s: float) -> None:
        """The server said 429: pause everyone for ``wait_s`` and halve the requests in flight."""
        async with self._condition:
            self._shrink(wait_s)
            self._condition.notify_all()


class ThreadThrottle(Pace):
    """:class:`Throttle` for requests made from several threads."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._condition = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """See :meth:`Throttle.slot`."""
        with self._condition:
            while True:
                pause = self._pause()
                if pause > 0:
                    self._condition.wait(pause)
                    continue
                if self._has_room():
                    break
                self._condition.wait()
            self.in_flight += 1
        try:
            yield
        finally:
            with self._condition:
                self.in_flight -= 1
                self._condition.notify_all()

    def succeeded(self) -> None:
        """See :meth:`Throttle.succeeded`."""
        with self._condition:
            if self._grow():
                self._condition.notify_all()

    def rate_limited(self, wait_s: float) -> None:
        """See :meth:`Throttle.rate_limited`."""
        with self._condition:
            self._shrink(wait_s)
            self._condition.notify_all()
