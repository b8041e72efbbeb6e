"""One LLM call: instructor for schema validation re-asks, tenacity for transport retries.

The two never multiply: the openai client's own retries are off (summarizer.llm.backends), tenacity
retries only transport failures, and instructor re-asks only when a reply fails the schema.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import email.utils
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Literal, TypeVar

import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
)

from summarizer.errors import (
    ModelRefusedError,
    OutputTruncatedError,
    ProviderError,
    RetriesExhaustedError,
    SummarizerError,
)
from summarizer.llm.throttle import ThreadThrottle, Throttle
from summarizer.redaction import redact
from summarizer.result import Usage
from summarizer.settings import Settings
from summarizer.status import status

# Transient by nature: request timeout (408), lock conflict (409), rate limit (429), and server
# or gateway failures (5xx). 400, 401, 403, 404 and 422 mean the request itself is wrong and
# would fail the same way again, so they raise at once.
RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})

M = TypeVar("M", bound=BaseModel)

# The tally of the call in progress in this thread or task: instructor's hook, registered once
# per client, counts each completion into it, so that one client can run calls side by side.
_CALL: contextvars.ContextVar[_Tally] = contextvars.ContextVar("summarizer_llm_call")


@dataclass(frozen=True)
class Request:
    """What the pipeline asks of the model.

    ``response_model`` is what the reply is validated against; ``schema`` is the JSON schema
    the model is shown for it (default: the model's own), as a JSON string.
    """

    purpose: Literal["extract", "reask", "summarize"]
    messages: list[dict[str, str]]
    response_model: type[BaseModel]
    schema: str | None = None


@dataclass(frozen=True)
class Reply:
    """A validated answer and what it cost."""

    value: BaseModel | None
    usage: Usage
    attempts: int
    seconds: float


class _Transient(Exception):
    """A transport failure worth retrying."""

    def __init__(self, description: str, cause: BaseException) -> None:
        super().__init__(description)
        self.cause = cause


@dataclass
class _Tally:
    """What one logical call has spent so far, across retries."""

    usage: Usage = field(default_factory=Usage)
    responses: int = 0
    attempts: list[str] = field(default_factory=list)
    last_response: Any = None
    # Responses counted when the current transport attempt and validation attempt began.
    call_mark: int = 0
    attempt_mark: int = 0

    def count_response(self, response: Any) -> None:
        self.responses += 1
        self.last_response = response

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


def _describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return redact(f"connection failed: {exc.__cause__ or exc}")
    if isinstance(exc, openai.APIStatusError):
        return redact(f"HTTP {exc.status_code}: {exc.message}")
    return redact(f"{type(exc).__name__}: {exc}")


def _safe_cause(exc: BaseException) -> BaseException | None:
    """The exception to chain, or None when its text (or its cause's) would show a secret."""
    chain = [exc, exc.__cause__] if exc.__cause__ else [exc]
    return exc if all(redact(str(e)) == str(e) for e in chain) else None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS
    return isinstance(exc, openai.APIConnectionError)  # includes timeouts


def _classify(exc: BaseException, tally: _Tally) -> BaseException:
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
        tally.attempts.append(_describe(cause))
        return _Transient(_describe(cause), cause)
    if isinstance(cause, openai.OpenAIError):
        status = cause.status_code if isinstance(cause, openai.APIStatusError) else None
        return ProviderError(
            f"The LLM endpoint refused the request: {_describe(cause)}", status_code=status
        )
    return exc


def _model_fault(exc: Any, cause: BaseException, tally: _Tally) -> BaseException:
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
        return _Transient(what, cause)
    failed = [f.exception for f in getattr(exc, "failed_attempts", None) or []]
    failed = failed or [cause] * exc.n_attempts  # older instructor keeps only the last
    tally.attempts.extend(f"reply failed validation: {short_reason(e)}" for e in failed)
    return RetriesExhaustedError(
        f"The model's reply still failed schema validation after {len(failed)} attempt(s).",
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


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After in seconds or as an HTTP date)."""
    cause = exc.cause if isinstance(exc, _Transient) else exc
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


@lru_cache(maxsize=128)
def tool_model(model: type[BaseModel], schema: str | None) -> type[BaseModel]:
    """The response model as instructor wraps it, showing ``schema`` as the tool's parameters
    when one is given. Wrapped once per schema: instructor would make a new class on every
    call, and with it a new tool schema (same content, built again)."""
    if schema is None:
        wrapped: type[BaseModel] = instructor.openai_schema(model)
        return wrapped
    shown = {"title": model.__name__, **json.loads(schema)}

    def model_json_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        return copy.deepcopy(shown)

    # Validation stays the model's own; only the schema the model sees changes.
    subclass = type(
        model.__name__,
        (model,),
        {
            "__doc__": model.__doc__,
            "__module__": model.__module__,
            "model_json_schema": classmethod(model_json_schema),
        },
    )
    wrapped = instructor.openai_schema(subclass)
    return wrapped


def _rate_limited(error: BaseException) -> bool:
    cause = error.cause if isinstance(error, _Transient) else error
    return isinstance(cause, openai.APIStatusError) and cause.status_code == 429


def _retry_policy(settings: Settings) -> dict[str, Any]:
    def wait(state: RetryCallState) -> float:
        asked = _retry_after(state.outcome.exception() if state.outcome else None)
        if asked is not None:
            return min(asked, settings.backoff_max_s)
        # Exponential backoff with full jitter, so that many clients do not retry in step.
        ceiling = settings.backoff_initial_s * 2 ** (state.attempt_number - 1)
        return random.uniform(0, min(ceiling, settings.backoff_max_s))

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0.0
        status(
            f"the model's endpoint failed ({error}); attempt {state.attempt_number + 1} of "
            f"{settings.max_attempts} in {pause:.1f} s"
        )

    return {
        "stop": stop_after_attempt(settings.max_attempts)
        | stop_after_delay(settings.retry_deadline_s),
        "wait": wait,
        "before_sleep": before_sleep,
        "retry": retry_if_exception_type(_Transient),
        "reraise": True,
    }


def _exhausted(error: _Transient, tally: _Tally) -> RetriesExhaustedError:
    status = error.cause.status_code if isinstance(error.cause, openai.APIStatusError) else None
    return RetriesExhaustedError(
        f"The LLM endpoint still failed after {len(tally.attempts)} attempt(s).",
        attempts=tally.attempts,
        usage=tally.usage,
        last_response=tally.last_response,
        status_code=status,
        completions=tally.responses,
    )


class _Base:
    def __init__(self, client: openai.OpenAI | openai.AsyncOpenAI, model: str, settings: Settings):
        self.model = model
        self.settings = settings
        self._client: Any = instructor.from_openai(client, mode=instructor.Mode.TOOLS)
        # Count every completion that arrives, validation re-asks included.
        self._client.on("completion:response", lambda r: _CALL.get().count_response(r))

    def _start(self, request: Request) -> tuple[_Tally, dict[str, Any], float]:
        tally = _Tally()
        _CALL.set(tally)
        kwargs = {
            "model": self.model,
            "messages": request.messages,
            "response_model": tool_model(request.response_model, request.schema),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        return tally, kwargs, time.perf_counter()

    def _reask_policy(self, tally: _Tally) -> dict[str, Any]:
        """Instructor re-asks only when a completion arrived and failed the schema; a body that
        never parsed is a transport fault, left to the transport retries."""

        def begin(state: RetryCallState) -> None:
            tally.attempt_mark = tally.responses

        return {
            "stop": stop_after_attempt(self.settings.max_validation_retries + 1),
            "retry": retry_if_exception(
                lambda e: isinstance(e, ValueError) and tally.reply_arrived()
            ),
            "before": begin,
            "reraise": True,
        }

    def _pause(self, error: BaseException) -> float:
        """How long a rate limit pauses every request that shares the throttle."""
        pause = _retry_after(error) or self.settings.backoff_initial_s
        return min(pause, self.settings.backoff_max_s)

    @staticmethod
    def _reply(tally: _Tally, value: BaseModel, completion: Any, started: float) -> Reply:
        usage = tally.usage + usage_of(completion.usage)
        return Reply(value, usage, tally.responses, time.perf_counter() - started)


class SyncLLM(_Base):
    """Blocking calls through an ``openai.OpenAI`` client.

    Calls may be made from several threads at once (the parts of a long article); a
    ``throttle`` shared by them paces them as :class:`AsyncLLM`'s does a batch.
    """

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        settings: Settings,
        throttle: ThreadThrottle | None = None,
    ) -> None:
        super().__init__(client, model, settings)
        self.throttle = throttle

    def complete(self, request: Request) -> Reply:
        """Send the request; return the validated reply.

        Raises:
            ProviderError: the endpoint refused the request (4xx other than 408/409/429).
            OutputTruncatedError: the reply hit ``max_tokens``.
            RetriesExhaustedError: transport failures or invalid replies used up every attempt.
        """
        tally, kwargs, started = self._start(request)
        throttle = self.throttle
        try:
            for attempt in Retrying(**_retry_policy(self.settings)):
                with attempt:
                    tally.call_mark = tally.responses
                    with throttle.slot() if throttle else contextlib.nullcontext():
                        try:
                            value, completion = self._client.create_with_completion(
                                **kwargs, max_retries=Retrying(**self._reask_policy(tally))
                            )
                        except Exception as exc:
                            error = _classify(exc, tally)
                            if throttle and _rate_limited(error):
                                throttle.rate_limited(self._pause(error))
                            raise error from _safe_cause(exc)
                    if throttle:
                        throttle.succeeded()
        except _Transient as error:
            raise _exhausted(error, tally) from _safe_cause(error.cause)
        return self._reply(tally, value, completion, started)


class AsyncLLM(_Base):
    """The async twin of :class:`SyncLLM`, through an ``openai.AsyncOpenAI`` client.

    A ``throttle`` shared by several of them paces a batch: every attempt waits for a slot,
    and a rate limit on any one slows them all.
    """

    def __init__(
        self,
        client: openai.AsyncOpenAI,
        model: str,
        settings: Settings,
        throttle: Throttle | None = None,
    ) -> None:
        super().__init__(client, model, settings)
        self.throttle = throttle

    async def complete(self, request: Request) -> Reply:
        """See :meth:`SyncLLM.complete`."""
        tally, kwargs, started = self._start(request)
        throttle = self.throttle
        try:
            async for attempt in AsyncRetrying(**_retry_policy(self.settings)):
                with attempt:
                    tally.call_mark = tally.responses
                    async with throttle.slot() if throttle else contextlib.nullcontext():
                        try:
                            value, completion = await self._client.create_with_completion(
                                **kwargs, max_retries=AsyncRetrying(**self._reask_policy(tally))
                            )
                        except Exception as exc:
                            error = _classify(exc, tally)
                            if throttle and _rate_limited(error):
                                await throttle.rate_limited(self._pause(error))
                            raise error from _safe_cause(exc)
                    if throttle:
                        await throttle.succeeded()
        except _Transient as error:
            raise _exhausted(error, tally) from _safe_cause(error.cause)
        return self._reply(tally, value, completion, started)
