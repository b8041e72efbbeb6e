"""What went wrong in a call, in the error tree's words: what instructor or openai raised
becomes a retryable transport fault or a summarizer error, in one place (:func:`mapped`).

A call's :class:`Tally` keeps what it spent across retries, so that every error raised for it
carries the attempts, the tokens and the last raw response.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import openai
from instructor.core import IncompleteOutputException, InstructorRetryException

from summarizer.errors import (
    ModelRefusedError,
    OutputTruncatedError,
    ProviderError,
    RetriesExhaustedError,
    SummarizerError,
)
from summarizer.redaction import redact
from summarizer.result import Usage

# Transient by nature: request timeout (408), lock conflict (409), rate limit (429), and server
# or gateway failures (5xx). 400, 401, 403, 404 and 422 mean the request itself is wrong and
# would fail the same way again, so they raise at once.
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


class Transient(Exception):
    """A transport failure worth retrying."""

    def __init__(self, description: str, cause: BaseException) -> None:
        super().__init__(description)
        self.cause = cause


@dataclass
class Tally:
    """What one logical call has spent so far, across retries."""

    usage: Usage = field(default_factory=Usage)
    responses: int = 0
    attempts: list[str] = field(default_factory=list)
    last_response: Any = None
    # Responses counted when the current transport attempt and validation attempt began.
    call_mark: int = 0
    attempt_mark: int = 0
    # (prompt, completion) tokens of each completion, as it arrived.
    sizes: list[tuple[int, int]] = field(default_factory=list)
    # Why a whole-conversation re-ask was not sent, when the budget forbade it.
    refused: str = ""

    def count_response(self, response: Any) -> None:
        self.responses += 1
        self.last_response = response
        usage = usage_of(getattr(response, "usage", None))
        self.sizes.append((usage.prompt_tokens, usage.completion_tokens))

    def resent(self) -> int:
        """Prompt tokens the call sent again after its first completion: whole-conversation
        re-asks of replies that failed the schema."""
        return sum(prompt for prompt, _ in self.sizes[1:])

    def reply_arrived(self) -> bool:
        """Whether the current validation attempt received a completion."""
        return self.responses > self.attempt_mark


def usage_of(obj: Any) -> Usage:
    """The tokens an openai usage object reports (none when it is missing)."""
    if obj is None:
        return Usage()
    details = getattr(obj, "prompt_tokens_details", None)
    return Usage(
        prompt_tokens=getattr(obj, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(obj, "completion_tokens", 0) or 0,
        total_tokens=getattr(obj, "total_tokens", 0) or 0,
        cached_prompt_tokens=getattr(details, "cached_tokens", 0) or 0,
    )


def describe(exc: BaseException) -> str:
    """A transport failure in a few words, secrets masked."""
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return redact(f"connection failed: {exc.__cause__ or exc}")
    if isinstance(exc, openai.APIStatusError):
        return redact(f"HTTP {exc.status_code}: {exc.message}")
    return redact(f"{type(exc).__name__}: {exc}")


def safe_cause(exc: BaseException) -> BaseException | None:
    """The exception to chain, or None when its text (or its cause's) would show a secret."""
    chain = [exc, exc.__cause__] if exc.__cause__ else [exc]
    return exc if all(redact(str(e)) == str(e) for e in chain) else None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    return isinstance(exc, openai.APIConnectionError)  # includes timeouts


def classify(exc: BaseException, tally: Tally) -> BaseException:
    """Map what instructor or openai raised to a retryable marker or a summarizer error."""
    if isinstance(exc, SummarizerError):
        return exc
    if isinstance(exc, IncompleteOutputException):
        tally.usage = tally.usage + usage_of(getattr(exc.last_completion, "usage", None))
        return OutputTruncatedError(
            "The model's reply hit the token limit before it was complete; raise max_tokens "
            "(SUMMARIZER_MAX_TOKENS) or use a model with a larger context.",
            usage=tally.usage,
            last_response=tally.last_response,
            completions=tally.responses,
        )
    cause: BaseException = exc
    if isinstance(exc, InstructorRetryException):
        tally.usage = tally.usage + usage_of(exc.total_usage)
        cause = exc.__cause__ or exc
        if not isinstance(cause, openai.OpenAIError):
            return _model_fault(exc, cause, tally)
    if _is_transient(cause):
        tally.attempts.append(describe(cause))
        return Transient(describe(cause), cause)
    if isinstance(cause, openai.OpenAIError):
        status = cause.status_code if isinstance(cause, openai.APIStatusError) else None
        return ProviderError(
            f"The LLM endpoint refused the request: {describe(cause)}", status_code=status
        )
    return exc


def _model_fault(exc: Any, cause: BaseException, tally: Tally) -> BaseException:
    """A call that returned something the schema could not take: a refusal, a broken body,
    or replies that failed validation every time."""
    last = exc.last_completion or tally.last_response
    refusal = refusal_of(last)
    if refusal is not None:
        tally.attempts.append(f"the model refused: {short_reason(refusal)}")
        return ModelRefusedError(
            f"The model refused to answer: {short_reason(refusal)}",
            usage=tally.usage,
            last_response=last,
            completions=tally.responses,
        )
    if tally.responses == tally.call_mark or not getattr(last, "choices", None):
        # No completion came back, or an empty one: a corrupt or truncated HTTP body, which
        # is the transport's fault and worth another attempt.
        what = (
            "the reply had no choices"
            if tally.responses > tally.call_mark
            else (f"the reply body was not a valid completion ({short_reason(cause)})")
        )
        tally.attempts.append(what)
        return Transient(what, cause)
    failed = [f.exception for f in getattr(exc, "failed_attempts", None) or []]
    failed = failed or [cause] * exc.n_attempts  # older instructor keeps only the last
    tally.attempts.extend(f"reply failed validation: {short_reason(e)}" for e in failed)
    summary = f"The model's reply still failed schema validation after {len(failed)} attempt(s)"
    return RetriesExhaustedError(
        f"{summary}; {tally.refused}." if tally.refused else f"{summary}.",
        attempts=tally.attempts,
        usage=tally.usage,
        last_response=last,
        completions=tally.responses,
    )


def refusal_of(completion: Any) -> str | None:
    """The refusal text of a completion (OpenAI's ``refusal`` or a content filter stop)."""
    for choice in getattr(completion, "choices", None) or []:
        refusal = getattr(choice.message, "refusal", None) if choice.message else None
        if refusal:
            return str(refusal)
        if choice.finish_reason == "content_filter":
            return "the provider's content filter stopped the reply"
    return None


def short_reason(exc: BaseException | str, limit: int = 300) -> str:
    """An error on one line, secrets masked, at most ``limit`` characters."""
    text = redact(" ".join(str(exc).split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After in seconds or as an HTTP date)."""
    cause = exc.cause if isinstance(exc, Transient) else exc
    if not isinstance(cause, openai.APIStatusError):
        return None
    headers = cause.response.headers
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def rate_limited(error: BaseException) -> bool:
    cause = error.cause if isinstance(error, Transient) else error
    return isinstance(cause, openai.APIStatusError) and cause.status_code == 429


def exhausted(error: Transient, tally: Tally) -> RetriesExhaustedError:
    status = error.cause.status_code if isinstance(error.cause, openai.APIStatusError) else None
    return RetriesExhaustedError(
        f"The LLM endpoint still failed after {len(tally.attempts)} attempt(s).",
        attempts=tally.attempts,
        usage=tally.usage,
        last_response=tally.last_response,
        status_code=status,
        completions=tally.responses,
    )


@contextmanager
def mapped(tally: Tally) -> Iterator[None]:
    """Raise what instructor or openai raises inside as a :class:`Transient` (to retry) or as
    the error tree's error, chained to its cause unless that would show a secret."""
    try:
        yield
    except Exception as exc:
        raise classify(exc, tally) from safe_cause(exc)
