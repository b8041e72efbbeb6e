"""What the steps of an article yield and build: requests, forks of parallel branches, and
the findings of one article or part."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from summarizer.errors import (
    ModelRefusedError,
    OutputTruncatedError,
    RetriesExhaustedError,
)
from summarizer.llm.call import Reply, Request
from summarizer.result import (
    Claim,
    Rejection,
    SupportedText,
)

RECOVERABLE = (RetriesExhaustedError, OutputTruncatedError, ModelRefusedError)


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
class Findings:
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
    # What a person should check, for meta.warnings: e.g. a claim the judge did not rule on.
    warnings: list[str] = field(default_factory=list)

    def failed_call(
        self,
        request: Request,
        error: RetriesExhaustedError | OutputTruncatedError | ModelRefusedError,
    ) -> None:
        """Count a call that ended in a recoverable error: its tokens were still spent."""
        self.calls.append((request, Reply(None, error.usage, error.completions, 0.0)))


M = TypeVar("M", bound=BaseModel)


def expect(reply: Reply, model: type[M]) -> M:
    if not isinstance(reply.value, model):
        raise TypeError(f"expected {model.__name__}, got {type(reply.value).__name__}")
    return reply.value


def failure_text(error: RetriesExhaustedError | OutputTruncatedError | ModelRefusedError) -> str:
    first = str(error).splitlines()[0]
    if isinstance(error, RetriesExhaustedError) and error.attempts:
        return f"{first} Last: {error.attempts[-1]}"
    return first
