"""One LLM call: instructor for schema validation re-asks, tenacity for transport retries.

The two never multiply: the openai client's own retries are off (summarizer.llm.backends), tenacity
retries only transport failures, and instructor re-asks only when a reply fails the schema.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import json
import random
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

import instructor
import openai
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

from summarizer.llm.faults import (
    Tally,
    Transient,
    exhausted,
    mapped,
    rate_limited,
    retry_after,
    safe_cause,
    usage_of,
)
from summarizer.llm.throttle import ThreadThrottle, Throttle
from summarizer.result import Usage
from summarizer.settings import Settings
from summarizer.status import status

M = TypeVar("M", bound=BaseModel)
# What instructor's re-ask adds to the conversation beside the reply: its note of the
# validation error, and the chat template around the two messages.
_REASK_NOTE_TOKENS = 150

# The tally of the call in progress in this thread or task: instructor's hook, registered once
# per client, counts each completion into it, so that one client can run calls side by side.
_CALL: contextvars.ContextVar[Tally] = contextvars.ContextVar("summarizer_llm_call")


@dataclass(frozen=True)
class Request:
    """What the pipeline asks of the model.

    ``response_model`` is what the reply is validated against; ``schema`` is the JSON schema
    the model is shown for it (default: the model's own), as a JSON string.
    """

    purpose: Literal["extract", "reask", "summarize", "judge"]
    messages: list[dict[str, str]]
    response_model: type[BaseModel]
    schema: str | None = None


@dataclass(frozen=True)
class Reply:
    """A validated answer and what it cost: ``resent_tokens`` of its prompt tokens went to
    whole-conversation re-asks of replies that failed the schema."""

    value: BaseModel | None
    usage: Usage
    attempts: int
    seconds: float
    resent_tokens: int = 0


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


def _retry_policy(settings: Settings) -> dict[str, Any]:
    def wait(state: RetryCallState) -> float:
        asked = retry_after(state.outcome.exception() if state.outcome else None)
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
        "retry": retry_if_exception_type(Transient),
        "reraise": True,
    }


class _Base:
    def __init__(self, client: openai.OpenAI | openai.AsyncOpenAI, model: str, settings: Settings):
        self.model = model
        self.settings = settings
        self._client: Any = instructor.from_openai(client, mode=instructor.Mode.TOOLS)
        # Count every completion that arrives, validation re-asks included.
        self._client.on("completion:response", lambda r: _CALL.get().count_response(r))

    def _start(self, request: Request) -> tuple[Tally, dict[str, Any], float]:
        tally = Tally()
        _CALL.set(tally)
        kwargs = {
            "model": self.model,
            "messages": request.messages,
            "response_model": tool_model(request.response_model, request.schema),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        return tally, kwargs, time.perf_counter()

    def _reask_policy(self, tally: Tally) -> dict[str, Any]:
        """Instructor re-asks only when a completion arrived and failed the schema (a body
        that never parsed is a transport fault, left to the transport retries), and only
        within the re-ask budget: its re-ask sends the whole conversation again."""

        def begin(state: RetryCallState) -> None:
            tally.attempt_mark = tally.responses

        return {
            "stop": stop_after_attempt(self.settings.max_validation_retries + 1),
            "retry": retry_if_exception(
                lambda e: (
                    isinstance(e, ValueError)
                    and tally.reply_arrived()
                    and self._within_budget(tally)
                )
            ),
            "before": begin,
            "reraise": True,
        }

    def _within_budget(self, tally: Tally) -> bool:
        """Whether re-sending the conversation (the last prompt, the reply, instructor's note
        of the error) fits in ``reask_budget_ratio`` of the call's first prompt, less what the
        call re-sent already; if not, say so in ``tally.refused``."""
        ratio = self.settings.reask_budget_ratio
        first = tally.sizes[0][0] if tally.sizes else 0
        prompt, completion = tally.sizes[-1] if tally.sizes else (0, 0)
        cost = prompt + completion + _REASK_NOTE_TOKENS
        left = ratio * first - tally.resent()
        if cost <= left:
            return True
        tally.refused = (
            f"it was not re-asked: sending the whole conversation again would take about "
            f"{cost:,} prompt tokens, over the {max(left, 0):,.0f} the re-ask budget leaves "
            f"(reask_budget_ratio {ratio} of the first prompt's {first:,}; "
            "SUMMARIZER_REASK_BUDGET_RATIO raises it)"
        )
        return False

    def _pause(self, error: BaseException) -> float:
        """How long a rate limit pauses every request that shares the throttle."""
        pause = retry_after(error) or self.settings.backoff_initial_s
        return min(pause, self.settings.backoff_max_s)

    @staticmethod
    def _reply(tally: Tally, value: BaseModel, completion: Any, started: float) -> Reply:
        usage = tally.usage + usage_of(completion.usage)
        return Reply(value, usage, tally.responses, time.perf_counter() - started, tally.resent())


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
                            with mapped(tally):
                                value, completion = self._client.create_with_completion(
                                    **kwargs, max_retries=Retrying(**self._reask_policy(tally))
                                )
                        except Transient as error:
                            if throttle and rate_limited(error):
                                throttle.rate_limited(self._pause(error))
                            raise
                    if throttle:
                        throttle.succeeded()
        except Transient as error:
            raise exhausted(error, tally) from safe_cause(error.cause)
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
                            with mapped(tally):
                                value, completion = await self._client.create_with_completion(
                                    **kwargs,
                                    max_retries=AsyncRetrying(**self._reask_policy(tally)),
                                )
                        except Transient as error:
                            if throttle and rate_limited(error):
                                await throttle.rate_limited(self._pause(error))
                            raise
                    if throttle:
                        await throttle.succeeded()
        except Transient as error:
            raise exhausted(error, tally) from safe_cause(error.cause)
        return self._reply(tally, value, completion, started)
