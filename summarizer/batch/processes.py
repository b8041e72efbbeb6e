"""One JSON-lines batch shared by several processes, for when one process's CPU is the limit
(checking claims and reading who said them cost CPU beside each call).

The process that runs :func:`summarizer.batch.runs.run_jsonl` holds the output file's lock,
reads which articles are done, and deals the rest out in turns to ``processes`` worker
processes. Each worker runs its articles as one batch does (its own client and rate-limit
pace, ``concurrency`` articles at a time) and appends each article's line to the output file
the moment it is done, in one write to a file opened for appending, which the operating
system keeps whole among the workers' writes. So a stopped run resumes as a one-process run
does; a worker whose parent is gone stops before writing another line.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from summarizer.batch.workers import append_records
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.settings import Settings

# Errors a worker may stop with that take a message alone, raised again as themselves.
_ERRORS: dict[str, type[SummarizerError]] = {
    "ConfigError": ConfigError,
    "InputError": InputError,
}
# How often the parent looks whether a worker died, when no article ends meanwhile.
_POLL_S = 0.5


@dataclass(frozen=True)
class Share:
    """One worker's part of a batch: which records of the input it runs, and how."""

    input_path: str
    out_path: str
    ids: list[str]
    indices: list[int]
    settings: Settings
    concurrency: int
    strict: bool
    clean: bool
    parent: int
    worker: int


@dataclass(frozen=True)
class Stopped:
    """A worker that ended with an error instead of running its share."""

    error_type: str
    message: str


Tick = Callable[[bool, int], None]
# What workers tell the parent: an article ended (failed, tokens), or the worker did.
Events = Any


def run_shares(
    input_path: Path,
    out_path: Path,
    ids: list[str],
    todo: list[int],
    *,
    processes: int,
    concurrency: int,
    settings: Settings,
    strict: bool,
    clean: bool,
    tick: Tick,
) -> None:
    """Run the records ``todo`` (indices into the input) in ``processes`` worker processes,
    ``concurrency`` articles at a time each, appending each article's line to ``out_path``;
    ``tick(failed, tokens)`` is called as each article ends.

    Raises:
        SummarizerError: a worker stopped with an error (its type where it takes a message
            alone, else this base class), or died, once the other workers have ended.
    """
    context = multiprocessing.get_context("spawn")  # no threads or event loop forked
    events: Events = context.Queue()
    procs = [
        context.Process(
            target=_run_share,
            args=(
                Share(
                    str(input_path), str(out_path), ids, todo[k::processes], settings,
                    concurrency, strict, clean, os.getpid(), k,
                ),
                events,
            ),
            name=f"summarizer-batch-{k + 1}",
        )
        for k in range(processes)
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    try:
        stopped = _follow(procs, events, tick)
    finally:
        for proc in procs:
            proc.join()
    if stopped:
        first = stopped[0]
        error = _ERRORS.get(first.error_type, SummarizerError)
        raise error(f"A worker process stopped: {first.message}")


def _follow(procs: Sequence[BaseProcess], events: Events, tick: Tick) -> list[Stopped]:
    """Pass each article that ends to ``tick`` until every worker has ended; what the
    workers that did not finish their share said (or that they died)."""
    ended: dict[int, Stopped | None] = {}
    while len(ended) < len(procs):
        try:
            event = events.get(timeout=_POLL_S)
        except queue.Empty:
            for k, proc in enumerate(procs):
                if k not in ended and proc.exitcode is not None and events.empty():
                    ended[k] = Stopped("died", f"it ended with exit code {proc.exitcode}")
            continue
        if isinstance(event, _Ended):
            ended[event.worker] = event.stopped
        else:
            tick(*event)
    return [s for _, s in sorted(ended.items()) if s is not None]


@dataclass(frozen=True)
class _Ended:
    """A worker's last word: it ran its share (``stopped`` None), or why it could not."""

    worker: int
    stopped: Stopped | None


def _run_share(share: Share, events: Events) -> None:
    """A worker process: run its share, then say how that went."""
    stopped: Stopped | None = None
    try:
        asyncio.run(_share(share, events))
    except SummarizerError as error:
        stopped = Stopped(type(error).__name__, str(error))
    except _Orphaned:
        return
    events.put(_Ended(share.worker, stopped))


class _Orphaned(Exception):
    """The process that started this worker is gone: a new run may own the file now."""


async def _share(share: Share, events: Events) -> None:
    def orphaned() -> None:
        if os.getppid() != share.parent:
            raise _Orphaned

    await append_records(
        Path(share.input_path), Path(share.out_path), share.ids, set(share.indices),
        lambda failed, tokens: events.put((failed, tokens)), concurrency=share.concurrency,
        client=None, settings=share.settings, strict=share.strict, clean=share.clean,
        before_write=orphaned,
    )  # fmt: skip
