"""The drivers that feed the steps: requests sent through a sync or async LLM, the branches of a
fork on threads or as tasks."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from summarizer.llm.call import AsyncLLM, Reply, SyncLLM
from summarizer.pipeline.flow import RECOVERABLE, Fork, Steps, T


def drive(steps: Steps[T], llm: SyncLLM) -> T:
    """Run the steps, sending each request through ``llm``; the branches of a :class:`Fork`
    run on threads, at most its ``limit`` at once."""
    try:
        step = next(steps)
        while True:
            reply: Reply | list[Any]
            try:
                if isinstance(step, Fork):
                    reply = _fork(step, lambda branch: drive(branch, llm))
                else:
                    reply = llm.complete(step)
            except RECOVERABLE as error:  # the steps decide whether the article survives it
                step = steps.throw(error)
            else:
                step = steps.send(reply)
    except StopIteration as done:
        result: T = done.value
        return result


async def adrive(steps: Steps[T], llm: AsyncLLM) -> T:
    """The async twin of :func:`drive`: the branches of a :class:`Fork` run as tasks."""
    try:
        step = next(steps)
        while True:
            reply: Reply | list[Any]
            try:
                if isinstance(step, Fork):
                    reply = await _afork(step, lambda branch: adrive(branch, llm))
                else:
                    reply = await llm.complete(step)
            except RECOVERABLE as error:
                step = steps.throw(error)
            else:
                step = steps.send(reply)
    except StopIteration as done:
        result: T = done.value
        return result


def _fork(fork: Fork, run: Callable[[Steps[Any]], Any]) -> list[Any]:
    """Each branch's result, in branch order. Branches start in order, each on the first free
    worker; after one fails no other starts, and the first failure (in branch order) is
    raised once those running have ended."""
    results: list[Any] = [None] * len(fork.branches)
    errors: dict[int, BaseException] = {}
    lock = threading.Lock()
    queue = iter(enumerate(fork.branches))

    def worker() -> None:
        while True:
            try:
                with lock:  # branches are started in order
                    index, start = next(queue, (-1, None))
                    if errors or start is None:
                        return
                    branch = start()
                results[index] = run(branch)
            except Exception as error:  # raised below, in the caller's thread
                with lock:
                    errors[index] = error
                return

    workers = min(fork.limit, len(fork.branches))
    if workers <= 1:
        worker()
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="summarizer-part") as pool:
            # Each worker runs in a copy of this context: the status line and the call in
            # progress (summarizer.llm.call) are per thread.
            running = [pool.submit(contextvars.copy_context().run, worker) for _ in range(workers)]
            for future in running:
                future.result()
    if errors:
        raise errors[min(errors)]
    return results


async def _afork(fork: Fork, run: Callable[[Steps[Any]], Awaitable[Any]]) -> list[Any]:
    """The async twin of :func:`_fork`."""
    results: list[Any] = [None] * len(fork.branches)
    errors: dict[int, BaseException] = {}
    queue = iter(enumerate(fork.branches))

    async def worker() -> None:
        for index, start in queue:  # workers share the iterator: branches start in order
            if errors:
                return
            try:
                results[index] = await run(start())
            except Exception as error:
                errors[index] = error
                return

    await asyncio.gather(*(worker() for _ in range(min(fork.limit, len(fork.branches)))))
    if errors:
        raise errors[min(errors)]
    return results
