"""summarize() and asummarize(): article in, verified summary out.

The steps live in one generator (``_steps``) that yields each LLM request and receives its
reply, so the sync and async entry points share every decision and differ only in how they
send a request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

import openai

from summarizer.backends import Endpoint, async_client, resolve_endpoint, sync_client
from summarizer.cleaning import Cleaned, clean, unchanged
from summarizer.errors import (
    ModelRefusedError,
    OutputTruncatedError,
    RetriesExhaustedError,
    VerificationError,
)
from summarizer.inputs import coerce_article
from summarizer.llm import AsyncLLM, Reply, Request, SyncLLM
from summarizer.prompts import prompt_version, render
from summarizer.reask import apply_fixes, build_reask, schema_chars
from summarizer.redaction import redact
from summarizer.result import (
    Article,
    ArticleSummary,
    CallRecord,
    Claim,
    Meta,
    Rejection,
    RemovedSpan,
    SupportedText,
    Usage,
)
from summarizer.schema import MAX_CLAIMS, ClaimDraft, ClaimFixes, Extraction
from summarizer.settings import Settings
from summarizer.verify import Failure, Verifier, verify_headline, verify_statements

Client = openai.OpenAI | openai.AsyncOpenAI
_RECOVERABLE = (RetriesExhaustedError, OutputTruncatedError, ModelRefusedError)


@dataclass
class _Outcome:
    headline: str = ""
    summary_sentences: list[SupportedText] = field(default_factory=list)
    key_points: list[SupportedText] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    calls: list[tuple[Request, Reply]] = field(default_factory=list)
    reask_rounds: int = 0


@dataclass(frozen=True)
class _Input:
    """The article as the user gave it (text extracted from HTML), and its story text."""

    article: Article
    source: Literal["text", "html"]
    cleaned: Cleaned


def extract_messages(text: str, title: str | None = None) -> list[dict[str, str]]:
    """The first request's messages."""
    title_line = f" ({title})" if title else ""
    return [
        {"role": "system", "content": render("extract_system")},
        {
            "role": "user",
            "content": render(
                "extract_user", title_line=title_line, max_claims=MAX_CLAIMS, article=text
            ),
        },
    ]


def _steps(given: _Input, settings: Settings) -> Generator[Request, Reply, _Outcome]:
    out = _Outcome()
    article = given.article
    verifier = Verifier(
        article.text,
        fuzzy_threshold=settings.fuzzy_threshold,
        min_quote_chars=settings.min_quote_chars,
        min_support=settings.min_support,
        cleaned=given.cleaned,
    )
    request = Request("extract", extract_messages(given.cleaned.text, article.title), Extraction)
    reply = yield request
    out.calls.append((request, reply))
    extraction = reply.value
    if not isinstance(extraction, Extraction):
        raise TypeError(f"expected Extraction, got {type(extraction).__name__}")

    kept: dict[str, Claim] = {}
    failures: list[Failure] = []
    for draft in extraction.claims:
        _admit(verifier, draft, kept, failures, out.rejected)

    # Re-asks carry only failing claims, within a share of the first call's prompt tokens.
    # Characters per token are calibrated on that first call, schema included: endpoints that
    # count the tool schema in the prompt (OpenAI) and those that do not (llama.cpp) both get
    # an estimate on the safe side, since a re-ask is mostly schema and instructions.
    first_prompt = sum(len(m["content"]) for m in request.messages) + schema_chars(Extraction)
    chars_per_token = first_prompt / max(reply.usage.prompt_tokens, 1)
    budget = settings.reask_budget_ratio * reply.usage.prompt_tokens
    while failures and out.reask_rounds < settings.max_reask_rounds:
        reask, carried = build_reask(
            failures,
            verifier.index,
            passages=settings.reask_passages,
            budget_tokens=budget,
            chars_per_token=chars_per_token,
        )
        if reask is None:
            break
        out.reask_rounds += 1
        try:
            reply = yield reask
        except _RECOVERABLE as error:
            # A broken re-ask costs only the claims it carried; what is verified stays.
            out.calls.append((reask, Reply(None, error.usage, error.completions, 0.0)))
            for failure in carried:
                failures[failures.index(failure)] = failure.with_reason(
                    f"{failure.reason}; the re-ask failed too ({_describe(error)})"
                )
            break
        out.calls.append((reask, reply))
        budget -= reply.usage.prompt_tokens
        if not isinstance(reply.value, ClaimFixes):
            raise TypeError(f"expected ClaimFixes, got {type(reply.value).__name__}")
        for failure, fixed in apply_fixes(carried, reply.value):
            failures.remove(failure)
            _admit(verifier, fixed, kept, failures, out.rejected, fixed=True)

    out.rejected.extend(f.rejection() for f in failures)
    out.claims = list(kept.values())
    context = {claim.id: verifier.context(claim) for claim in out.claims}
    support = settings.min_support
    headline_rejected = verify_headline(extraction.headline, context, min_support=support)
    if headline_rejected:
        out.rejected.append(headline_rejected)
        out.headline = article.title or ""
    else:
        out.headline = extraction.headline.strip()
    out.summary_sentences, rejected = verify_statements(
        extraction.summary, context, "summary_sentence", min_support=support
    )
    out.rejected.extend(rejected)
    out.key_points, rejected = verify_statements(
        extraction.key_points, context, "key_point", min_support=support
    )
    out.rejected.extend(rejected)
    return out


def _describe(error: RetriesExhaustedError | OutputTruncatedError | ModelRefusedError) -> str:
    first = str(error).splitlines()[0]
    if isinstance(error, RetriesExhaustedError) and error.attempts:
        return f"{first} Last: {error.attempts[-1]}"
    return first


def _admit(
    verifier: Verifier,
    draft: ClaimDraft,
    kept: dict[str, Claim],
    failures: list[Failure],
    rejected: list[Rejection],
    *,
    fixed: bool = False,
) -> None:
    """Verify one draft and file it as kept, failing (re-askable) or a duplicate."""
    draft_id = draft.id.strip()
    taken = set(kept) | {f.draft.id for f in failures} | {r.id for r in rejected if r.id}
    if not fixed and (not draft_id or draft_id in taken):
        # Ids only link summary sentences to claims; an empty or repeated one gets a fresh id.
        draft_id = next(f"c{n}" for n in range(1, len(taken) + 2) if f"c{n}" not in taken)
    draft = draft.model_copy(update={"id": draft_id})
    result = verifier.check(draft, fixed=fixed)
    if isinstance(result, Failure):
        failures.append(result)
        return
    for other in kept.values():
        same_span = (other.evidence.start, other.evidence.end) == (
            result.evidence.start,
            result.evidence.end,
        )
        if same_span and other.text.casefold() == result.text.casefold():
            rejected.append(Failure(draft, "duplicate", f"repeats claim {other.id}").rejection())
            return
    kept[draft.id] = result


def _assemble(
    out: _Outcome, given: _Input, endpoint: Endpoint, started: float, strict: bool
) -> ArticleSummary:
    if strict and out.rejected:
        raise VerificationError(out.rejected)
    usage = sum((reply.usage for _, reply in out.calls), Usage())
    attempts = sum(reply.attempts for _, reply in out.calls)
    validation_retries = sum(max(reply.attempts - 1, 0) for _, reply in out.calls)
    meta = Meta(
        model=endpoint.model,
        backend=endpoint.kind,
        base_url=redact(endpoint.base_url) if endpoint.base_url else None,
        prompt_version=prompt_version(),
        usage=usage,
        calls=attempts,
        reasks=validation_retries + out.reask_rounds,
        reask_rounds=out.reask_rounds,
        validation_retries=validation_retries,
        elapsed_s=round(time.perf_counter() - started, 3),
        library_version=_library_version(),
        input_format=given.source,
        removed=[
            RemovedSpan(start=r.start, end=r.end, label=r.label) for r in given.cleaned.removed
        ],
        call_log=[
            CallRecord(
                purpose=request.purpose,
                attempts=reply.attempts,
                usage=reply.usage,
                seconds=round(reply.seconds, 3),
            )
            for request, reply in out.calls
        ],
    )
    return ArticleSummary(
        headline=out.headline,
        summary=" ".join(s.text for s in out.summary_sentences),
        summary_sentences=out.summary_sentences,
        key_points=out.key_points,
        claims=out.claims,
        rejected=out.rejected,
        article=given.article,
        meta=meta,
    )


def _library_version() -> str:
    try:
        return version("summarizer")
    except PackageNotFoundError:
        return "unknown"


def _prepare(
    article: object,
    model: str | None,
    base_url: str | None,
    settings: Settings | None,
    client: Client | None,
    clean_text: bool,
) -> tuple[_Input, Settings, Endpoint]:
    settings = settings or Settings.resolve()
    settings = settings.replace(
        model=model or settings.model, base_url=base_url or settings.base_url
    )
    doc, source = coerce_article(
        article, max_chars=settings.max_input_chars, max_html_chars=settings.max_html_chars
    )
    cleaned = clean(doc.text) if clean_text else unchanged(doc.text)
    return _Input(doc, source, cleaned), settings, resolve_endpoint(settings, client)


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
    llm = SyncLLM(http, endpoint.model, settings)
    steps = _steps(given, settings)
    try:
        request = next(steps)
        while True:
            try:
                reply = llm.complete(request)
            except _RECOVERABLE as error:  # the steps decide whether the article survives it
                request = steps.throw(error)
            else:
                request = steps.send(reply)
    except StopIteration as done:
        return _assemble(done.value, given, endpoint, started, strict)
    finally:
        if client is None:  # close only what we opened; a caller's client stays theirs
            http.close()


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
    llm = AsyncLLM(http, endpoint.model, resolved)
    steps = _steps(given, resolved)
    try:
        request = next(steps)
        while True:
            try:
                reply = await llm.complete(request)
            except _RECOVERABLE as error:  # the steps decide whether the article survives it
                request = steps.throw(error)
            else:
                request = steps.send(reply)
    except StopIteration as done:
        return _assemble(done.value, given, endpoint, started, strict)
    finally:
        if client is None:
            await http.close()
