"""The result of an article: its findings with the meta data of the calls that found them."""

from __future__ import annotations

import time
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from summarizer.errors import (
    VerificationError,
)
from summarizer.llm.backends import (
    Endpoint,
)
from summarizer.pipeline.flow import Findings
from summarizer.pipeline.plan import Plan
from summarizer.pipeline.templates import prompt_version
from summarizer.redaction import redact
from summarizer.result import (
    ArticleSummary,
    CallRecord,
    Meta,
    RemovedSpan,
    Usage,
)
from summarizer.text.inputs import fetched_of


def assemble(
    out: Findings,
    given: Plan,
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
        reask_prompt_tokens=sum(
            reply.resent_tokens + (reply.usage.prompt_tokens if request.purpose == "reask" else 0)
            for request, reply in out.calls
        ),
        elapsed_s=round(time.perf_counter() - started, 3),
        library_version=_library_version(),
        input_format=given.source,
        fetched=fetched_of(given.article),
        removed=[
            RemovedSpan(start=r.start, end=r.end, label=r.label) for r in given.cleaned.removed
        ],
        warnings=[*given.cleaned.warnings, *out.warnings],
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
