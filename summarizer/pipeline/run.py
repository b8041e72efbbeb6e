"""summarize() and asummarize(): article in, verified summary out.

The steps live in one generator (``_steps``) that yields each LLM request and receives its
reply, so the sync and async entry points share every decision and differ only in how they
send a request.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal, TypeVar

import openai
from pydantic import BaseModel
from rapidfuzz import fuzz

from summarizer.errors import (
    ConfigError,
    ModelRefusedError,
    OutputTruncatedError,
    RetriesExhaustedError,
    VerificationError,
)
from summarizer.llm.backends import (
    Endpoint,
    async_client,
    resolve_endpoint,
    sync_client,
    token_counter,
)
from summarizer.llm.call import AsyncLLM, Reply, Request, SyncLLM
from summarizer.llm.throttle import ThreadThrottle, Throttle
from summarizer.pipeline.reask import apply_fixes, build_reask, schema_chars
from summarizer.pipeline.templates import prompt_version, render
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
from summarizer.schema import (
    MAX_KEY_POINTS,
    MAX_SENTENCES,
    ChunkExtraction,
    ClaimDraft,
    ClaimFixes,
    ClaimSummary,
    Extraction,
    shown_schema,
)
from summarizer.settings import Settings
from summarizer.status import status
from summarizer.text.chunking import Chunk, estimate_tokens, split
from summarizer.text.cleaning import Cleaned, clean, unchanged
from summarizer.text.grounding import TextIndex
from summarizer.text.inputs import coerce_article, fetched_of
from summarizer.verify.claims import (
    Failure,
    Verifier,
    evidence_context,
    verify_headline,
    verify_statements,
)
from summarizer.verify.items import read_claims, read_headline, read_statements

Client = openai.OpenAI | openai.AsyncOpenAI
_RECOVERABLE = (RetriesExhaustedError, OutputTruncatedError, ModelRefusedError)
# Claims from the same source whose words are this similar (rapidfuzz ratio) are one claim.
_SAME_WORDS = 90.0
# Share of the context kept free of the prompt, for the error of counting tokens.
_CONTEXT_MARGIN = 0.05
_MIN_CHUNK_TOKENS = 256
# Claims asked for at least, where the text has twice as many sentences ("at least eight when
# the article states that many", in the prompt).
_FEWEST_CLAIMS = 8
# How much numbering sentences adds to a text's tokens: "[S12] " in the prompt and "S12" in the
# schema's enum, a few tokens a sentence of some twenty-five.
_NUMBERING_COST = 1.25
# Stories longer than this are planned on a worker thread, since counting their tokens may
# take a request to the server.
_COUNT_OFF_LOOP = 20_000


@dataclass(frozen=True)
class Fork:
    """Steps that may run side by side, yielded in place of a request. The driver starts each
    branch (a function that returns its steps) in order, runs at most ``limit`` at once, and
    sends back their results in branch order. Once a branch fails no other starts, and the
    first failure in branch order is raised as a request's would be."""

    branches: Sequence[Callable[[], Steps[Any]]]
    limit: int


T = TypeVar("T")
# The steps of one article (or of a part of one): they yield requests (or forks) and receive
# replies (or the forks' results), and return what they built.
Steps = Generator[Request | Fork, Any, T]


@dataclass
class _Outcome:
    headline: str = ""
    summary_sentences: list[SupportedText] = field(default_factory=list)
    key_points: list[SupportedText] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    calls: list[tuple[Request, Reply]] = field(default_factory=list)
    reask_rounds: int = 0
    # The id of a claim rejected as a repeat, to the id of the kept claim it repeats: a
    # summary sentence citing the one cites the other.
    repeats: dict[str, str] = field(default_factory=dict)

    def failed_call(
        self,
        request: Request,
        error: RetriesExhaustedError | OutputTruncatedError | ModelRefusedError,
    ) -> None:
        """Count a call that ended in a recoverable error: its tokens were still spent."""
        self.calls.append((request, Reply(None, error.usage, error.completions, 0.0)))


@dataclass(frozen=True)
class _Input:
    """The article as the user gave it (text extracted from HTML), its story text, and the
    parts of the story that each fit the model's context (one part when it all fits)."""

    article: Article
    source: Literal["text", "html"]
    cleaned: Cleaned
    chunks: list[Chunk]
    # Tokens of the context left for article text (or claims) beside the prompt and the reply.
    text_budget: int
    # Requests in flight at once for the parts of the article.
    concurrency: int = 1


def first_request(verifier: Verifier, title: str | None, settings: Settings) -> Request:
    """The first request for an article that fits the model's context: its claims and the
    summary at once."""
    messages = [
        {"role": "system", "content": render("system")},
        {
            "role": "user",
            "content": render(
                "extract_user",
                title_line=_title_line(title),
                max_claims=settings.max_claims,
                claim_fields=render("claim_fields"),
                article=verifier.numbered.render(),
            ),
        },
    ]
    return Request("extract", messages, Extraction, _shown(Extraction, verifier, settings))


def opening_request(doc: Article, cleaned: Cleaned, settings: Settings) -> Request:
    """The first request :func:`summarize` sends for an article that fits in one request."""
    return first_request(_verifier(doc.text, cleaned, settings), doc.title, settings)


def part_request(
    verifier: Verifier, part: int, parts: int, title: str | None, settings: Settings
) -> Request:
    """The request for the claims of part ``part`` (from 1) of a long article."""
    messages = [
        {"role": "system", "content": render("system")},
        {
            "role": "user",
            "content": render(
                "chunk_user",
                part=part,
                parts=parts,
                title_line=_title_line(title),
                max_claims=settings.max_claims,
                claim_fields=render("claim_fields"),
                article=verifier.numbered.render(),
            ),
        },
    ]
    return Request(
        "extract", messages, ChunkExtraction, _shown(ChunkExtraction, verifier, settings)
    )


def _shown(
    reply: type[Extraction] | type[ChunkExtraction], verifier: Verifier, settings: Settings
) -> str:
    """The schema the model is shown: sentence ids limited to those of ``verifier``'s text, and
    as many claims as the prompt asks for: at least eight (or one for every two sentences of
    a shorter text)."""
    ids = verifier.numbered.ids
    least = min(_FEWEST_CLAIMS, max(1, len(ids) // 2))
    return shown_schema(reply, ids, max_claims=settings.max_claims, min_claims=least)


def combine_messages(claims: list[Claim], title: str | None) -> list[dict[str, str]]:
    """The messages asking for a summary written from verified claims."""
    lines = "\n".join(_claim_line(c) for c in claims)
    return [
        {"role": "system", "content": render("system")},
        {
            "role": "user",
            "content": render("combine_user", title_line=_title_line(title), claims=lines),
        },
    ]


def _claim_line(claim: Claim) -> str:
    """How a summary request lists a claim."""
    return f"{claim.id} ({claim.attribution.source}): {claim.text}"


def _title_line(title: str | None) -> str:
    return f" ({title})" if title else ""


def _steps(given: _Input, settings: Settings) -> Steps[_Outcome]:
    out = _Outcome()
    article = given.article
    kept: dict[str, Claim] = {}
    written: Extraction | ClaimSummary | None
    if len(given.chunks) == 1:
        verifier = _verifier(article.text, given.cleaned, settings)
        whole = verifier.original
        request = first_request(verifier, article.title, settings)
        status("reading the article")
        written = yield from _claims(request, verifier, 0, kept, out, settings)
    else:
        whole = TextIndex(article.text)
        written = yield from _parts(given, kept, out, settings)
    out.claims = list(kept.values())
    if written is None:
        out.headline = article.title or ""
        return out
    _statements(written, whole, article.title, out, settings)
    return out


def _parts(
    given: _Input, kept: dict[str, Claim], out: _Outcome, settings: Settings
) -> Steps[ClaimSummary | None]:
    """Read a long article part by part, then write its summary from the merged claims.

    The parts are read side by side (see :class:`Fork`); each keeps its own claims, and they
    are merged in part order, so the result is the same however the reads interleave.
    """
    parts = len(given.chunks)
    # Sentence ids run on from part to part, so that each names one sentence of the whole.
    # Branches start in part order, so each part's numbering starts where the last one's ended.
    number_from = 1

    def part(number: int, chunk: Chunk) -> Callable[[], Steps[_Part]]:
        def start() -> Steps[_Part]:
            nonlocal number_from
            # Each part is verified on its own, so that what is built to check it (text
            # indexes, the attribution analysis) stays the size of a part however long the
            # article.
            cleaned, offset = given.cleaned.part(chunk.start, chunk.end)
            verifier = _verifier(cleaned.original, cleaned, settings, first_sentence=number_from)
            number_from = verifier.numbered.next_number
            return _part(verifier, offset, number, parts, chunk, given.article.title, settings)

        return start

    branches = [part(number, chunk) for number, chunk in enumerate(given.chunks, 1)]
    read: list[_Part] = yield Fork(branches, limit=given.concurrency)
    for done in read:
        _merge(done, kept, out)
    if not kept:
        return None
    shown = _within(list(kept.values()), given.text_budget)
    request = Request(
        "summarize",
        combine_messages(shown, given.article.title),
        ClaimSummary,
        shown_schema(ClaimSummary),
    )
    status("writing the summary")
    try:
        reply = yield request
    except _RECOVERABLE as error:
        # The verified claims stand without a summary.
        out.failed_call(request, error)
        out.rejected.append(
            Rejection(
                kind="summary_sentence",
                text="",
                reason=f"the summary could not be written: {_describe(error)}",
            )
        )
        return None
    out.calls.append((request, reply))
    return _expect(reply, ClaimSummary)


@dataclass
class _Part:
    """What one part of a long article gave: its claims, keyed by id, and the rest of its
    outcome (rejections, calls, re-ask rounds)."""

    kept: dict[str, Claim]
    out: _Outcome


def _part(
    verifier: Verifier,
    offset: int,
    number: int,
    parts: int,
    chunk: Chunk,
    title: str | None,
    settings: Settings,
) -> Steps[_Part]:
    """The claims of part ``number`` (from 1) of ``parts``, which starts ``offset``
    characters into the article."""
    done = _Part({}, _Outcome())
    request = part_request(verifier, number, parts, title, settings)
    status(f"reading part {number} of {parts}")
    try:
        yield from _claims(request, verifier, offset, done.kept, done.out, settings)
    except _RECOVERABLE as error:
        # One unreadable part costs its own claims, not the whole article's.
        done.out.failed_call(request, error)
        done.out.rejected.append(
            Rejection(
                kind="chunk",
                id=f"part{number}",
                text=f"part {number} of {parts} (story characters {chunk.start}-{chunk.end})",
                reason=f"no claims could be read from this part: {_describe(error)}",
            )
        )
    return done


def _merge(done: _Part, kept: dict[str, Claim], out: _Outcome) -> None:
    """Add one part's outcome to the article's: a claim that repeats one of an earlier part
    (parts overlap) is rejected as a repeat; one whose id an earlier part took gets an id no
    claim or rejection has, as ids link the summary written next to its claims."""
    out.calls.extend(done.out.calls)
    out.rejected.extend(done.out.rejected)
    out.reask_rounds += done.out.reask_rounds
    for claim in done.kept.values():
        twin = duplicate_of(claim, kept.values())
        if twin is not None:
            out.rejected.append(
                Rejection(
                    kind="claim",
                    id=claim.id,
                    text=claim.text,
                    reason=f"repeats claim {twin.id}",
                    proposed=claim.model_dump(mode="json"),
                )
            )
            continue
        if claim.id in kept:
            taken = set(kept) | set(done.kept) | {r.id for r in out.rejected if r.id}
            fresh = next(f"c{n}" for n in range(1, len(taken) + 2) if f"c{n}" not in taken)
            claim = claim.model_copy(update={"id": fresh})
        kept[claim.id] = claim


def _statements(
    written: Extraction | ClaimSummary,
    whole: TextIndex,
    title: str | None,
    out: _Outcome,
    settings: Settings,
) -> None:
    """Keep the headline, summary sentences and key points that kept claims back."""
    context = {claim.id: evidence_context(whole, claim) for claim in out.claims}
    support = settings.min_support
    headline, unreadable = read_headline(written.headline)
    if unreadable is not None:
        out.rejected.append(unreadable)
    rejected_headline = verify_headline(headline, context, min_support=support)
    if rejected_headline:
        out.rejected.append(rejected_headline)
    out.headline = headline if headline and not rejected_headline else title or ""
    out.summary_sentences = _kept_statements(
        written.summary, "summary_sentence", MAX_SENTENCES, context, out, support
    )
    out.key_points = _kept_statements(
        written.key_points, "key_point", MAX_KEY_POINTS, context, out, support
    )


def _kept_statements(
    raw: list[Any],
    kind: Literal["summary_sentence", "key_point"],
    limit: int,
    context: dict[str, str],
    out: _Outcome,
    support: float,
) -> list[SupportedText]:
    """The statements of one kind that fit the schema and that kept claims back; the others
    are rejected with their reason."""
    items, faults = read_statements(raw, kind, limit=limit)
    out.rejected.extend(faults)
    if out.repeats:
        items = [
            item.model_copy(
                update={"claim_ids": [out.repeats.get(i.strip(), i) for i in item.claim_ids]}
            )
            for item in items
        ]
    statements, rejected = verify_statements(items, context, kind, min_support=support)
    out.rejected.extend(rejected)
    return statements


def _verifier(
    text: str, cleaned: Cleaned, settings: Settings, *, first_sentence: int = 1
) -> Verifier:
    return Verifier(
        text,
        fuzzy_threshold=settings.fuzzy_threshold,
        min_quote_chars=settings.min_quote_chars,
        min_support=settings.min_support,
        cleaned=cleaned,
        first_sentence=first_sentence,
    )


M = TypeVar("M", bound=BaseModel)


def _expect(reply: Reply, model: type[M]) -> M:
    if not isinstance(reply.value, model):
        raise TypeError(f"expected {model.__name__}, got {type(reply.value).__name__}")
    return reply.value


def _claims(
    request: Request,
    verifier: Verifier,
    offset: int,
    kept: dict[str, Claim],
    out: _Outcome,
    settings: Settings,
) -> Steps[Extraction | None]:
    """Ask for the claims of the text ``verifier`` checks (an article, or a part of one that
    starts ``offset`` characters into it); keep the verified ones and re-ask for those that
    fail. Returns the extraction when it also holds a summary (a whole article at once)."""
    reply = yield request
    out.calls.append((request, reply))
    extraction: Extraction | ChunkExtraction = (
        _expect(reply, Extraction)
        if request.response_model is Extraction
        else _expect(reply, ChunkExtraction)
    )
    drafts, faults = read_claims(extraction.claims, limit=settings.max_claims)
    out.rejected.extend(faults)
    failures: list[Failure] = []
    status(f"verifying {len(drafts)} claim(s)")
    # Ids the model gave are the summary's links to its claims: a claim without one (or with
    # a repeated one) gets a fresh id that none of them uses.
    given_ids = {d.id.strip() for d in drafts if d.id.strip()}
    for draft in drafts:
        _admit(
            verifier, offset, draft, kept, failures, out.rejected,
            reserved=given_ids, repeats=out.repeats,
        )  # fmt: skip

    # Re-asks carry only failing claims, within a share of the first call's prompt tokens.
    # Characters per token are calibrated on that first call, schema included: endpoints that
    # count the tool schema in the prompt (OpenAI) and those that do not (llama.cpp) both get
    # an estimate on the safe side, since a re-ask is mostly schema and instructions.
    first_prompt = sum(len(m["content"]) for m in request.messages) + len(request.schema or "")
    chars_per_token = first_prompt / max(reply.usage.prompt_tokens, 1)
    budget = settings.reask_budget_ratio * reply.usage.prompt_tokens
    rounds = 0
    while failures and rounds < settings.max_reask_rounds:
        reask, carried = build_reask(
            failures,
            verifier.numbered,
            passages=settings.reask_passages,
            budget_tokens=budget,
            chars_per_token=chars_per_token,
        )
        if reask is None:
            break
        rounds += 1
        out.reask_rounds += 1
        status(f"re-asking {len(carried)} claim(s)")
        try:
            reply = yield reask
        except _RECOVERABLE as error:
            # A broken re-ask costs only the claims it carried; what is verified stays.
            out.failed_call(reask, error)
            for failure in carried:
                failures[failures.index(failure)] = failure.with_reason(
                    f"{failure.reason}; the re-ask failed too ({_describe(error)})"
                )
            break
        out.calls.append((reask, reply))
        budget -= reply.usage.prompt_tokens
        fixes, unreadable = apply_fixes(carried, _expect(reply, ClaimFixes))
        for failure in carried:
            if failure.draft.id in unreadable:
                failures[failures.index(failure)] = failure.with_reason(
                    f"{failure.reason}; its fix was unreadable ({unreadable[failure.draft.id]})"
                )
        for failure, fixed in fixes:
            failures.remove(failure)
            _admit(
                verifier, offset, fixed, kept, failures, out.rejected,
                fixed=True, repeats=out.repeats,
            )  # fmt: skip
    out.rejected.extend(f.rejection() for f in failures)
    return extraction if isinstance(extraction, Extraction) else None


def _within(claims: list[Claim], budget: int) -> list[Claim]:
    """The claims a summary request can carry within ``budget`` tokens: all of them, or as
    many as fit spread evenly over the article."""
    cost = [estimate_tokens(_claim_line(c)) + 1 for c in claims]
    if sum(cost) <= budget:
        return claims
    keep = max(1, int(len(claims) * budget / sum(cost)))
    step = len(claims) / keep
    return [claims[int(i * step)] for i in range(keep)]


def _describe(error: RetriesExhaustedError | OutputTruncatedError | ModelRefusedError) -> str:
    first = str(error).splitlines()[0]
    if isinstance(error, RetriesExhaustedError) and error.attempts:
        return f"{first} Last: {error.attempts[-1]}"
    return first


def _admit(
    verifier: Verifier,
    offset: int,
    draft: ClaimDraft,
    kept: dict[str, Claim],
    failures: list[Failure],
    rejected: list[Rejection],
    *,
    fixed: bool = False,
    reserved: frozenset[str] | set[str] = frozenset(),
    repeats: dict[str, str] | None = None,
) -> None:
    """Verify one draft and file it as kept (offsets moved by ``offset``, to index the whole
    article), failing (re-askable) or a duplicate."""
    draft_id = draft.id.strip()
    taken = set(kept) | {f.draft.id for f in failures} | {r.id for r in rejected if r.id}
    if not fixed and (not draft_id or draft_id in taken):
        # Ids only link summary sentences to claims; an empty or repeated one gets a fresh id.
        unusable = taken | reserved
        draft_id = next(f"c{n}" for n in range(1, len(unusable) + 2) if f"c{n}" not in unusable)
    draft = draft.model_copy(update={"id": draft_id})
    checked = verifier.check(draft, fixed=fixed)
    if isinstance(checked, Failure):
        failures.append(checked)
        return
    result = checked.shifted(offset) if offset else checked
    twin = duplicate_of(result, kept.values())
    if twin is not None:
        rejected.append(Failure(draft, "duplicate", f"repeats claim {twin.id}").rejection())
        if repeats is not None:
            repeats.setdefault(draft.id, twin.id)
        return
    kept[draft.id] = result


def duplicate_of(claim: Claim, kept: Iterable[Claim]) -> Claim | None:
    """A kept claim that ``claim`` repeats: the same evidence span, or near-identical words
    from the same source (as parts of a long article overlap, or a model repeats itself)."""
    words = claim.text.casefold()
    for other in kept:
        if (other.evidence.start, other.evidence.end) == (claim.evidence.start, claim.evidence.end):
            return other
        if other.attribution.source.casefold() == claim.attribution.source.casefold() and (
            fuzz.ratio(words, other.text.casefold(), score_cutoff=_SAME_WORDS)
        ):
            return other
    return None


def _assemble(
    out: _Outcome,
    given: _Input,
    endpoint: Endpoint,
    started: float,
    strict: bool,
    *,
    backend: str | None = None,
) -> ArticleSummary:
    if strict and out.rejected:
        raise VerificationError(out.rejected)
    usage = sum((reply.usage for _, reply in out.calls), Usage())
    attempts = sum(reply.attempts for _, reply in out.calls)
    validation_retries = sum(max(reply.attempts - 1, 0) for _, reply in out.calls)
    meta = Meta(
        model=endpoint.model,
        model_source=endpoint.model_source,
        backend=backend or endpoint.kind,
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
        fetched=fetched_of(given.article),
        removed=[
            RemovedSpan(start=r.start, end=r.end, label=r.label) for r in given.cleaned.removed
        ],
        warnings=list(given.cleaned.warnings),
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


@cache
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
    settings = merged_settings(settings, model, base_url)
    doc, source, cleaned = _read(article, settings, clean_text)  # bad input fails first
    endpoint = resolve_endpoint(settings, client)
    return _plan(doc, source, cleaned, settings, endpoint), settings, endpoint


def _plan(
    doc: Article,
    source: Literal["text", "html"],
    cleaned: Cleaned,
    settings: Settings,
    endpoint: Endpoint,
) -> _Input:
    budget = text_budget(doc.title, settings, endpoint)
    chunks = chunk_story(cleaned.text, budget, settings, endpoint)
    # The embedded server answers one request at a time.
    concurrency = 1 if endpoint.kind == "local" else settings.concurrency
    return _Input(doc, source, cleaned, chunks, budget, concurrency)


def merged_settings(settings: Settings | None, model: str | None, base_url: str | None) -> Settings:
    """``settings`` (default: from the environment) with an explicit model and base URL."""
    settings = settings or Settings.resolve()
    return settings.replace(model=model or settings.model, base_url=base_url or settings.base_url)


def _read(
    article: object, settings: Settings, clean_text: bool
) -> tuple[Article, Literal["text", "html"], Cleaned]:
    doc, source = coerce_article(
        article,
        max_chars=settings.max_input_chars,
        max_html_chars=settings.max_html_chars,
        settings=settings,
    )
    return doc, source, clean(doc.text) if clean_text else unchanged(doc.text)


def text_budget(title: str | None, settings: Settings, endpoint: Endpoint) -> int:
    """Tokens of the endpoint's context left for article text beside the prompt and reply."""
    prompt = render(
        "chunk_user",
        part=99,
        parts=99,
        title_line=_title_line(title),
        max_claims=settings.max_claims,
        claim_fields=render("claim_fields"),
        article="",
    )
    overhead = estimate_tokens(render("system") + prompt) + estimate_tokens(
        "x" * schema_chars(Extraction)
    )
    context = endpoint.context_tokens
    room = int(context * (1 - _CONTEXT_MARGIN)) - settings.max_tokens - overhead
    # Sentence ids and the schema's enum of them take room too.
    return int(room / _NUMBERING_COST)


def chunk_story(text: str, budget: int, settings: Settings, endpoint: Endpoint) -> list[Chunk]:
    """The parts of a story that each fit in ``budget`` tokens (one part when it all does).

    A story the conservative estimate already fits costs no counting; a longer one is counted
    with the endpoint's tokenizer where it has one.

    Raises:
        ConfigError: the context is too small for the prompt, the reply and some text.
    """
    if estimate_tokens(text) <= budget:
        return [Chunk(0, len(text))]
    if budget < _MIN_CHUNK_TOKENS:
        raise ConfigError(
            f"The model's context ({endpoint.context_tokens} tokens) leaves {max(budget, 0)} "
            f"tokens for article text beside the prompt and the reply (max_tokens "
            f"{settings.max_tokens}); raise context_tokens (SUMMARIZER_CONTEXT_TOKENS) or lower "
            "max_tokens."
        )
    count = token_counter(endpoint, estimate_tokens) or estimate_tokens
    if count is not estimate_tokens and count(text) <= budget:
        return [Chunk(0, len(text))]
    return split(text, budget=budget, overlap=settings.chunk_overlap_tokens, count=count)


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
    outcome = drive(_steps(given, settings), llm)
    return _assemble(outcome, given, endpoint, started, strict)


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
    outcome = await adrive(_steps(given, resolved), llm)
    return _assemble(outcome, given, endpoint, started, strict)


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
    doc, source, cleaned = _read(article, settings, clean)
    if len(cleaned.text) > _COUNT_OFF_LOOP:  # long enough to count tokens over HTTP
        given = await asyncio.to_thread(_plan, doc, source, cleaned, settings, endpoint)
    else:
        given = _plan(doc, source, cleaned, settings, endpoint)
    outcome = await adrive(_steps(given, settings), llm)
    return _assemble(outcome, given, endpoint, started, strict)


def from_reply(
    article: Article,
    source: Literal["text", "html"],
    cleaned: Cleaned,
    reply: Reply,
    model: str,
    settings: Settings,
    *,
    strict: bool = False,
    backend: str = "batch",
) -> ArticleSummary:
    """The result for an article whose first request was answered elsewhere (a batch engine):
    the same checks as :func:`summarize`, without re-asks, which would need a second request.
    """
    started = time.perf_counter()
    settings = settings.replace(max_reask_rounds=0)
    given = _Input(article, source, cleaned, [Chunk(0, len(cleaned.text))], 0)
    steps = _steps(given, settings)
    next(steps)
    try:
        steps.send(reply)
    except StopIteration as done:
        endpoint = Endpoint("openai-compatible", model, None)
        return _assemble(done.value, given, endpoint, started, strict, backend=backend)
    raise RuntimeError("the steps asked for a second request with re-asks off")


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
            except _RECOVERABLE as error:  # the steps decide whether the article survives it
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
            except _RECOVERABLE as error:
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
