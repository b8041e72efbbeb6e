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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
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

from summarizer.batch.records import (
    BatchFailure,
    Outcome,
    UnreadableLine,
    appender,
    article_from_record,
    batch_line,
    finished_ids,
    input_ids,
    read_records,
    record_id,
)
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.files import exclusive
from summarizer.llm.backends import Endpoint, async_client, resolve_endpoint
from summarizer.llm.call import AsyncLLM
from summarizer.llm.throttle import Throttle
from summarizer.pipeline.plan import merged_settings
from summarizer.pipeline.run import summarize_on
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

    async def keep(index: int, outcome: Outcome) -> None:
        results[index] = outcome

    async with _batch(concurrency, model, base_url, client, settings) as run:
        with _progress(len(items), progress) as report:
            await run(enumerate(items), strict, clean, _both(keep, report))
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
) -> RunReport:
    """Summarize every record of a JSON-lines file into another, one line per article, each
    written and flushed the moment it is done (in the order articles finish).

    A line is ``{"id": ..., "result": {...}}`` or ``{"id": ..., "error": {"type": ...,
    "message": ...}}``. Records whose id already has a line in ``out_path`` are skipped, so a
    run that was stopped resumes; a half-written last line (the process was killed while
    writing it) is dropped and its article done again. ``retry_failed`` also redoes the
    articles whose line is an error.

    Raises:
        InputError: a file cannot be read, an id occurs twice in the input, ``out_path``
            holds lines that are not results, or another run is writing it.
    """
    input_path, out_path = Path(input_path), Path(out_path)
    ids = input_ids(input_path)
    with exclusive(out_path):  # two runs never append to one file
        done = finished_ids(out_path, retry_failed)
        report = RunReport(skipped=sum(1 for i in ids if i in done))
        todo = len(ids) - report.skipped

        async with _batch(concurrency, model, base_url, client, settings) as run:
            with _progress(todo, progress) as show, appender(out_path) as append:

                async def write(index: int, outcome: Outcome) -> None:
                    append(batch_line(ids[index], outcome))
                    if isinstance(outcome, BatchFailure):
                        report.failed += 1
                    else:
                        report.done += 1
                        report.total_tokens += outcome.meta.usage.total_tokens

                records = (
                    (i, r) for i, r in enumerate(read_records(input_path)) if ids[i] not in done
                )
                await run(records, strict, clean, _both(write, show))
        return report


# --- Running ---------------------------------------------------------------------------------

Done = Callable[[int, Outcome], Awaitable[None]]
Runner = Callable[[Iterable[tuple[int, object]], bool, bool, Done], Awaitable[None]]


@asynccontextmanager
async def _batch(
    concurrency: int,
    model: str | None,
    base_url: str | None,
    client: openai.AsyncOpenAI | None,
    settings: Settings | None,
) -> AsyncIterator[Runner]:
    """Resolve the endpoint once and yield a runner that shares one client among workers."""
    if concurrency < 1:
        raise ConfigError("concurrency must be at least 1")
    settings = merged_settings(settings, model, base_url)
    # Starting the embedded server blocks; keep it off the event loop.
    endpoint = await asyncio.to_thread(resolve_endpoint, settings, client)
    if endpoint.kind == "local" and concurrency > 1:
        log.info("The embedded backend answers one request at a time; running one article.")
        concurrency = 1
    http = async_client(endpoint, settings, client)
    # One limit for the requests of every article and of every part of a long one.
    throttle = Throttle(concurrency)
    settings = settings.replace(concurrency=concurrency)

    async def run(
        items: Iterable[tuple[int, object]], strict: bool, clean: bool, done: Done
    ) -> None:
        queue = iter(items)

        async def worker() -> None:
            llm = AsyncLLM(http, endpoint.model, settings, throttle)
            for index, item in queue:  # workers share the iterator: each item goes once
                outcome = await _one(index, item, endpoint, llm, settings, strict, clean)
                await done(index, outcome)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    yield run


async def _one(
    index: int,
    item: object,
    endpoint: Endpoint,
    llm: AsyncLLM,
    settings: Settings,
    strict: bool,
    clean: bool,
) -> Outcome:
    """One article's result, or its failure as a record."""
    try:
        if isinstance(item, UnreadableLine):
            raise InputError(item.reason)
        article = article_from_record(item) if isinstance(item, Mapping) else item
        return await summarize_on(article, endpoint, llm, settings, strict=strict, clean=clean)
    except SummarizerError as error:
        return _failure(index, item, error)
    except Exception as error:  # a bug must not cost the other articles; it is reported
        log.exception("Unexpected error on article %s", record_id(item, index))
        return _failure(index, item, error)


def _failure(index: int, item: object, error: BaseException) -> BatchFailure:
    return BatchFailure(
        id=record_id(item, index),
        index=index,
        error_type=type(error).__name__,
        message=str(error),
    )


def _both(first: Done, second: Done) -> Done:
    async def both(index: int, outcome: Outcome) -> None:
        await first(index, outcome)
        await second(index, outcome)

    return both


@contextmanager
def _progress(total: int, show: bool | None) -> Iterator[Done]:
    """A progress bar on standard error (done / failed / tokens), or nothing."""
    if show is None:
        show = sys.stderr.isatty()
    if not show:

        async def quiet(index: int, outcome: Outcome) -> None:
            return None

        yield quiet
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
    failed = tokens = 0

    async def advance(index: int, outcome: Outcome) -> None:
        nonlocal failed, tokens
        if isinstance(outcome, BatchFailure):
            failed += 1
        else:
            tokens += outcome.meta.usage.total_tokens
        bar.update(task, advance=1, failed=failed, tokens=tokens)

    with bar:
        yield advance
