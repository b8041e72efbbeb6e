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
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
from pydantic import BaseModel, ValidationError
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

from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.files import atomic_write, exclusive, keyed_line, open_input
from summarizer.llm.backends import Endpoint, async_client, resolve_endpoint
from summarizer.llm.call import AsyncLLM
from summarizer.llm.throttle import Throttle
from summarizer.pipeline.plan import merged_settings
from summarizer.pipeline.run import summarize_on
from summarizer.result import Article, ArticleSummary
from summarizer.settings import Settings

log = logging.getLogger(__name__)

ArticleLike = str | Article | Mapping[str, Any]

# Fields of an input record that become the Article's metadata.
_METADATA = ("title", "author", "url", "outlet", "published")


class BatchFailure(BaseModel):
    """An article of a batch that could not be summarized, and why."""

    id: str
    index: int
    error_type: str
    message: str


Outcome = ArticleSummary | BatchFailure


def article_from_record(record: Mapping[str, Any]) -> Article:
    """The article of a JSON-lines record: its ``text`` (or ``article``) or ``html``, with
    ``title``, ``author``, ``url``, ``outlet`` and ``published`` when present.

    Raises:
        InputError: the record has no text or HTML.
    """
    text = record.get("text", record.get("article"))
    html = record.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        raise InputError(
            "The record has no article: give its text as 'text' (or 'article') or its page "
            "as 'html'."
        )
    fields = {k: record[k] for k in _METADATA if record.get(k) is not None}
    fields["text"] = text if isinstance(text, str) else ""
    fields["html"] = html if isinstance(html, str) else None
    try:
        return Article.model_validate(fields)
    except ValidationError as e:
        raise InputError(f"The record's metadata is not valid: {e}") from e


def record_id(record: object, index: int) -> str:
    """A record's ``id``, or ``line-N`` (from 1) when it has none."""
    if isinstance(record, Mapping) and record.get("id") not in (None, ""):
        return str(record["id"])
    return f"line-{index + 1}"


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
    ids = _input_ids(input_path)
    with exclusive(out_path):  # two runs never append to one file
        done = _finished_ids(out_path, retry_failed)
        report = RunReport(skipped=sum(1 for i in ids if i in done))
        todo = len(ids) - report.skipped

        async with _batch(concurrency, model, base_url, client, settings) as run:
            with _progress(todo, progress) as show, _appender(out_path) as append:

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


# --- JSON-lines files ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnreadableLine:
    """A line of the input that is not a JSON record; it fails as an article of its own."""

    reason: str


def read_records(path: Path) -> Iterator[object]:
    """The records of a JSON-lines file, one per non-blank line."""
    with open_input(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as e:
                    yield UnreadableLine(f"{path} line {number} is not JSON: {e}")


def _input_ids(path: Path) -> list[str]:
    ids = [record_id(record, i) for i, record in enumerate(read_records(path))]
    seen: dict[str, int] = {}
    for index, id_ in enumerate(ids):
        if id_ in seen:
            raise InputError(
                f"{path}: id {id_!r} occurs twice (records {seen[id_] + 1} and {index + 1}); "
                "ids must be unique for results to be matched and resumed."
            )
        seen[id_] = index
    return ids


def _finished_ids(path: Path, retry_failed: bool) -> set[str]:
    """Ids that already have a line in ``path``, after dropping a half-written last line and,
    with ``retry_failed``, the error lines."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    kept: list[bytes] = []
    finished: set[str] = set()
    for number, line in enumerate(complete.splitlines(keepends=True), 1):
        entry, id_ = keyed_line(
            line, "id", f"{path} line {number} (is it the output of a summarizer batch run?)"
        )
        if retry_failed and "error" in entry:
            continue
        kept.append(line)
        finished.add(id_)
    if len(complete) < len(data) or len(kept) < len(complete.splitlines()):
        _replace(path, b"".join(kept))
    return finished


def _replace(path: Path, data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data.decode("utf-8"))


@contextmanager
def _appender(path: Path) -> Iterator[Callable[[str], None]]:
    """Append whole lines: each goes to the file in one write, so a kill leaves at most one
    half line, which the next run drops."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise InputError(f"Cannot write {path}: {e.strerror or e}") from e

    def append(line: str) -> None:
        data = line.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]

    try:
        yield append
    finally:
        os.close(fd)


def batch_line(id_: str, outcome: Outcome) -> str:
    """One output line: ``{"id", "result"}`` or ``{"id", "error": {"type", "message"}}``."""
    if isinstance(outcome, BatchFailure):
        entry: dict[str, Any] = {
            "id": id_,
            "error": {"type": outcome.error_type, "message": outcome.message},
        }
    else:
        entry = {"id": id_, "result": outcome.model_dump(mode="json")}
    return json.dumps(entry, ensure_ascii=False) + "\n"
