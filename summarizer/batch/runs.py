"""Many articles at once on one machine.

:func:`summarize_many` runs articles concurrently within a limit, shows progress, and returns
results in input order, with a :class:`BatchFailure` record in place of an article that failed.
:func:`run_jsonl` does the same from a JSON-lines file to another, writing each result the
moment it is done, so that running it again after a crash (even ``kill -9``) does only the
articles whose line is missing, and no line is lost or written twice.

Every request of a batch shares one client and one :class:`~summarizer.llm.throttle.Throttle`, so a
rate limit slows the whole batch down instead of failing its articles.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from summarizer.batch.processes import run_shares
from summarizer.batch.records import (
    Outcome,
    counts_of,
    finished_ids,
    input_ids,
)
from summarizer.batch.workers import append_records, workers
from summarizer.errors import ConfigError
from summarizer.files import exclusive
from summarizer.llm.backends import resolve_endpoint
from summarizer.pipeline.plan import merged_settings
from summarizer.result import Article
from summarizer.settings import Settings

log = logging.getLogger(__name__)

ArticleLike = str | Article | Mapping[str, Any]


def summarize_many(
    articles: Iterable[ArticleLike],
    *,
    concurrency: int = 4,
    model: str | None = None,
    base_url: str | None = None,
    client: openai.AsyncOpenAI | None = None,
    settings: Settings | None = None,
    strict: bool = False,
    clean: bool = True,
    progress: bool | None = None,
) -> list[Outcome]:
    """Summarize many articles, ``concurrency`` at a time; see :func:`asummarize_many`.

    Works inside a running event loop too (a notebook), by running the batch on a thread.
    """
    batch = asummarize_many(
        articles,
        concurrency=concurrency,
        model=model,
        base_url=base_url,
        client=client,
        settings=settings,
        strict=strict,
        clean=clean,
        progress=progress,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(batch)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, batch).result()


async def asummarize_many(
    articles: Iterable[ArticleLike],
    *,
    concurrency: int = 4,
    model: str | None = None,
    base_url: str | None = None,
    client: openai.AsyncOpenAI | None = None,
    settings: Settings | None = None,
    strict: bool = False,
    clean: bool = True,
    progress: bool | None = None,
) -> list[Outcome]:
    """Summarize many articles concurrently; results come back in input order.

    Args:
        articles: texts, :class:`Article` objects, or records (mappings with ``id`` and
            ``text``/``article``/``html``, see :func:`article_from_record`).
        concurrency: how many articles are in progress at once. The embedded backend answers
            one request at a time, so it runs one article at a time.
        progress: show a progress bar on standard error (default: when it is a terminal).
        The other arguments are those of :func:`summarizer.summarize`.

    Returns:
        One :class:`ArticleSummary` or :class:`BatchFailure` per article, in input order. A
        failing article never stops the others.

    Raises:
        ConfigError: no backend is configured, or ``concurrency`` is below 1.
    """
    items = list(articles)
    results: list[Outcome | None] = [None] * len(items)

    async with workers(concurrency, model, base_url, client, settings) as run:
        with _progress(len(items), progress) as show:

            async def keep(index: int, outcome: Outcome) -> None:
                results[index] = outcome
                show(*counts_of(outcome))

            await run(enumerate(items), strict, clean, keep)
    return [r for r in results if r is not None]


@dataclass
class RunReport:
    """What :func:`run_jsonl` did."""

    done: int = 0
    failed: int = 0
    skipped: int = 0
    total_tokens: int = 0


async def run_jsonl(
    input_path: str | Path,
    out_path: str | Path,
    *,
    concurrency: int = 4,
    model: str | None = None,
    base_url: str | None = None,
    client: openai.AsyncOpenAI | None = None,
    settings: Settings | None = None,
    strict: bool = False,
    clean: bool = True,
    progress: bool | None = None,
    retry_failed: bool = False,
    processes: int = 1,
) -> RunReport:
    """Summarize every record of a JSON-lines file into another, one line per article, each
    written and flushed the moment it is done (in the order articles finish).

    A line is ``{"id": ..., "result": {...}}`` or ``{"id": ..., "error": {"type": ...,
    "message": ...}}``. Records whose id already has a line in ``out_path`` are skipped, so a
    run that was stopped resumes; a half-written last line (the process was killed while
    writing it) is dropped and its article done again. ``retry_failed`` also redoes the
    articles whose line is an error.

    ``processes`` above 1 shares the articles among that many worker processes, for when this
    process's CPU is the limit (see summarizer.batch.processes); ``concurrency`` is then the
    articles at once of each. The embedded backend answers one request at a time, so it runs
    in one process.

    Raises:
        InputError: a file cannot be read, an id occurs twice in the input, ``out_path``
            holds lines that are not results, or another run is writing it.
        ConfigError: ``concurrency`` or ``processes`` is below 1, or ``processes`` is above 1
            with a ``client`` (each process makes its own).
    """
    _check_processes(processes, client)
    input_path, out_path = Path(input_path), Path(out_path)
    ids = input_ids(input_path)
    settings = merged_settings(settings, model, base_url)
    with exclusive(out_path):  # two runs never append to one file
        done = finished_ids(out_path, retry_failed)
        todo = [i for i, id_ in enumerate(ids) if id_ not in done]
        report = RunReport(skipped=len(ids) - len(todo))
        with _progress(len(todo), progress) as show:
            tick = _counting(report, show)
            shared = None
            if processes > 1 and len(todo) > 1:
                shared = await _shared_settings(settings)
            if shared is not None:
                await asyncio.to_thread(
                    run_shares, input_path, out_path, ids, todo, processes=processes,
                    concurrency=concurrency, settings=shared, strict=strict, clean=clean,
                    tick=tick,
                )  # fmt: skip
            else:
                await append_records(
                    input_path, out_path, ids, set(todo), tick, concurrency=concurrency,
                    client=client, settings=settings, strict=strict, clean=clean,
                )  # fmt: skip
        return report


def _counting(report: RunReport, show: Callable[[bool, int], None]) -> Callable[[bool, int], None]:
    """What is told of each article that ends: it counts it in ``report`` and shows it."""

    def tick(failed: bool, tokens: int) -> None:
        report.failed += failed
        report.done += not failed
        report.total_tokens += tokens
        show(failed, tokens)

    return tick


def _check_processes(processes: int, client: openai.AsyncOpenAI | None) -> None:
    if processes < 1:
        raise ConfigError("processes must be at least 1")
    if processes > 1 and client is not None:
        raise ConfigError(
            "Several processes cannot share a client object: pass base_url= and settings= "
            "(or set SUMMARIZER_BASE_URL) so that each process makes its own."
        )


async def _shared_settings(settings: Settings) -> Settings | None:
    """``settings`` naming the endpoint resolved here, so that every worker process reaches
    the same one without asking a server for its model again; None for the embedded server,
    which answers one request at a time and so runs in this process."""
    endpoint = await asyncio.to_thread(resolve_endpoint, settings)
    if endpoint.kind == "local":
        log.info("The embedded backend answers one request at a time; running one process.")
        return None
    return settings.replace(model=endpoint.model, base_url=endpoint.base_url)


@contextmanager
def _progress(total: int, show: bool | None) -> Iterator[Callable[[bool, int], None]]:
    """A progress bar on standard error (done / failed / tokens), or nothing; what it yields
    is told of each article that ends, whether it failed and the tokens it took."""
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        yield lambda failed, tokens: None
        return
    bar = Progress(
        TextColumn("[bold]summarizing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TextColumn("{task.fields[tokens]:,} tokens"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )
    task: TaskID = bar.add_task("batch", total=total, failed=0, tokens=0)
    failures = tokens_used = 0

    def advance(failed: bool, tokens: int) -> None:
        nonlocal failures, tokens_used
        failures += failed
        tokens_used += tokens
        bar.update(task, advance=1, failed=failures, tokens=tokens_used)

    with bar:
        yield advance
