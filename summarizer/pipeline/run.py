"""summarize() and asummarize(): article in, verified summary out.

The steps live in one generator (summarizer.pipeline.steps) that yields each LLM request and
receives its reply, so the sync and async entry points share every decision and differ only in
how they send a request.
"""

from __future__ import annotations

import asyncio
import time

import openai

from summarizer.llm.backends import (
    Endpoint,
    async_client,
    resolve_endpoint,
    sync_client,
)
from summarizer.llm.call import AsyncLLM, Reply, SyncLLM
from summarizer.llm.throttle import ThreadThrottle, Throttle
from summarizer.pipeline.assemble import assemble
from summarizer.pipeline.drive import adrive, drive
from summarizer.pipeline.plan import Plan, make_plan, merged_settings, read_article
from summarizer.pipeline.steps import article_steps
from summarizer.result import (
    Article,
    ArticleSummary,
)
from summarizer.settings import Settings

Client = openai.OpenAI | openai.AsyncOpenAI


# Stories longer than this are planned on a worker thread, since counting their tokens may
# take a request to the server.
_COUNT_OFF_LOOP = 20_000


def _prepare(
    article: object,
    model: str | None,
    base_url: str | None,
    settings: Settings | None,
    client: Client | None,
    clean_text: bool,
) -> tuple[Plan, Settings, Endpoint]:
    settings = merged_settings(settings, model, base_url)
    doc, source, cleaned = read_article(article, settings, clean_text)  # bad input fails first
    endpoint = resolve_endpoint(settings, client)
    return make_plan(doc, source, cleaned, settings, endpoint), settings, endpoint


def summarize(
    article: str | Article,
    *,
    model: str | None = None,
    base_url: str | None = None,
    client: openai.OpenAI | None = None,
    settings: Settings | None = None,
    strict: bool = False,
    clean: bool = True,
) -> ArticleSummary:
    """Summarize one news article into verified, attributed claims.

    Args:
        article: the article text or page HTML, or an :class:`Article` with text (or
            ``html``) and metadata.
        model: the model name (default: from settings or the backend).
        base_url: an OpenAI-compatible endpoint (default: from settings or the environment).
        client: an ``openai.OpenAI`` client to use as it is configured.
        settings: every other knob; default ``Settings.resolve()`` (environment and defaults).
        strict: raise instead of returning rejected items.
        clean: drop page furniture (navigation, calls to action, comment blocks, related
            links) before summarizing; ``result.meta.removed`` lists what went.

    Returns:
        An :class:`ArticleSummary` whose claims all have evidence located in the article.

    Raises:
        InputError: the article is empty, not text, or too long.
        ConfigError: no backend is configured or installed.
        ProviderError: the endpoint refused the request or kept failing.
        VerificationError: ``strict=True`` and something could not be verified.
    """
    started = time.perf_counter()
    given, settings, endpoint = _prepare(article, model, base_url, settings, client, clean)
    http = sync_client(endpoint, settings, client)
    llm = SyncLLM(http, endpoint.model, settings, ThreadThrottle(given.concurrency))
    outcome = drive(article_steps(given, settings), llm)
    return assemble(outcome, given, endpoint, started, strict)


async def asummarize(
    article: str | Article,
    *,
    model: str | None = None,
    base_url: str | None = None,
    client: openai.AsyncOpenAI | None = None,
    settings: Settings | None = None,
    strict: bool = False,
    clean: bool = True,
) -> ArticleSummary:
    """The async twin of :func:`summarize`; ``client`` is an ``openai.AsyncOpenAI``."""
    started = time.perf_counter()
    # Starting the embedded server blocks; keep it off the event loop.
    given, resolved, endpoint = await asyncio.to_thread(
        _prepare, article, model, base_url, settings, client, clean
    )
    http = async_client(endpoint, resolved, client)
    llm = AsyncLLM(http, endpoint.model, resolved, Throttle(given.concurrency))
    outcome = await adrive(article_steps(given, resolved), llm)
    return assemble(outcome, given, endpoint, started, strict)


async def summarize_on(
    article: object,
    endpoint: Endpoint,
    llm: AsyncLLM,
    settings: Settings,
    *,
    strict: bool = False,
    clean: bool = True,
) -> ArticleSummary:
    """One article on an endpoint already chosen, through a client shared with other articles
    (see summarizer.batch.runs); otherwise as :func:`asummarize`."""
    started = time.perf_counter()
    doc, source, cleaned = read_article(article, settings, clean)
    if len(cleaned.text) > _COUNT_OFF_LOOP:  # long enough to count tokens over HTTP
        given = await asyncio.to_thread(make_plan, doc, source, cleaned, settings, endpoint)
    else:
        given = make_plan(doc, source, cleaned, settings, endpoint)
    outcome = await adrive(article_steps(given, settings), llm)
    return assemble(outcome, given, endpoint, started, strict)


def from_reply(
    given: Plan,
    reply: Reply,
    model: str,
    settings: Settings,
    *,
    strict: bool = False,
    backend: str = "batch",
) -> ArticleSummary:
    """The result for an article whose first request was answered elsewhere (a batch engine;
    ``given`` is ``Plan.whole``): the same checks as :func:`summarize`, without re-asks, which
    would need a second request.
    """
    started = time.perf_counter()
    settings = settings.replace(max_reask_rounds=0)
    steps = article_steps(given, settings)
    next(steps)
    try:
        steps.send(reply)
    except StopIteration as done:
        endpoint = Endpoint("openai-compatible", model, None)
        return assemble(done.value, given, endpoint, started, strict, backend=backend)
    raise RuntimeError("the steps asked for a second request with re-asks off")
