"""The workers of a batch: one endpoint resolved once, one client and one rate-limit pace
shared by every article in progress, and each article's failure kept as a record."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import openai

from summarizer.batch.records import (
    BatchFailure,
    Outcome,
    UnreadableLine,
    appender,
    article_from_record,
    batch_line,
    counts_of,
    read_records,
    record_id,
)
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.llm.backends import Endpoint, async_client, resolve_endpoint
from summarizer.llm.call import AsyncLLM
from summarizer.llm.throttle import Throttle
from summarizer.pipeline.plan import merged_settings
from summarizer.pipeline.run import summarize_on
from summarizer.settings import Settings

log = logging.getLogger(__name__)

Done = Callable[[int, Outcome], Awaitable[None]]

Runner = Callable[[Iterable[tuple[int, object]], bool, bool, Done], Awaitable[None]]


@asynccontextmanager
async def workers(
    concurrency: int,
    model: str | None,
    base_url: str | None,
    client: openai.AsyncOpenAI | None,
    settings: Settings | None,
) -> AsyncIterator[Runner]:
    """Resolve the endpoint once and yield a runner: given (index, article) pairs, it runs
    ``concurrency`` of them at a time through one shared client and calls ``done`` with each
    article's outcome.

    Raises:
        ConfigError: ``concurrency`` is below 1, or no backend is configured.
    """
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


async def append_records(
    input_path: Path,
    out_path: Path,
    ids: list[str],
    todo: set[int],
    tick: Callable[[bool, int], None],
    *,
    concurrency: int,
    client: openai.AsyncOpenAI | None,
    settings: Settings,
    strict: bool,
    clean: bool,
    before_write: Callable[[], None] = lambda: None,
) -> None:
    """Run the records ``todo`` (indices into the input), appending each article's line to
    ``out_path`` as it ends and telling ``tick`` whether it failed and its tokens;
    ``before_write`` may raise to stop before the next line is written."""
    async with workers(concurrency, None, None, client, settings) as run:
        with appender(out_path) as append:

            async def write(index: int, outcome: Outcome) -> None:
                before_write()
                append(batch_line(ids[index], outcome))
                tick(*counts_of(outcome))

            records = ((i, r) for i, r in enumerate(read_records(input_path)) if i in todo)
            await run(records, strict, clean, write)
