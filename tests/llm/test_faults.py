"""The fault matrix: every fault, through summarize and asummarize, ends in a verified result or
a typed error, within a bounded number of attempts and a bounded time, with every token the
endpoint reported counted. All answers are SCRIPTED by a loopback server (tests/scripted.py).

The matrix (fault x sync/async -> outcome, requests, seconds) is printed at the end of the run.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import FAULT_MATRIX as MATRIX
from conftest import SEED
from scripted import (
    Scripted,
    ScriptedServer,
    error_reply,
    fast_settings,
    one_claim,
    tool_reply,
)

from summarizer import (
    ArticleSummary,
    ModelRefusedError,
    OutputTruncatedError,
    ProviderError,
    RetriesExhaustedError,
    Settings,
    SummarizerError,
    Usage,
    asummarize,
    summarize,
)

TEXT = SEED.read_text(encoding="utf-8")
GOOD_ARGS = one_claim()
MAX_ATTEMPTS = 3
TIMEOUT_S = 0.5


def good() -> Scripted:
    return tool_reply("Extraction", GOOD_ARGS, prompt_tokens=700, completion_tokens=90)


def completion(message: dict[str, Any] | None, finish: str = "stop") -> Scripted:
    choices = [] if message is None else [
        {"index": 0, "finish_reason": finish, "message": message}
    ]  # fmt: skip
    return Scripted(
        {
            "id": "chatcmpl-scripted", "object": "chat.completion", "created": 0,
            "model": "scripted", "choices": choices,
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        }
    )  # fmt: skip


def with_claims(*claims: dict[str, str]) -> dict[str, Any]:
    return {**GOOD_ARGS, "claims": [GOOD_ARGS["claims"][0], *claims]}  # type: ignore[list-item]


# A claim the sentence it cites does not back.
INVENTED_CLAIM = {
    "id": "c2", "text": "Moscow agreed to free every prisoner by Christmas.",
    "sentences": ["@Russia has yet to publicly comment"], "source": "unattributed",
}  # fmt: skip
INVENTED_SOURCE = {
    "id": "c2", "text": "Russia escalates attacks on Ukraine's energy infrastructure.",
    "sentences": ["@Russia escalates attacks on Ukraine's energy infrastructure"],
    "source": "Reuters",
}  # fmt: skip
STILL_WRONG = {"fixes": [{"id": "c2", "sentences": ["@Umerov emphasized that technical"],
                          "source": "Reuters"}]}  # fmt: skip
HTTP_DATE = email.utils.formatdate(time.time() + 1, usegmt=True)


@dataclass(frozen=True)
class Fault:
    name: str
    script: Callable[[], list[Scripted]]
    outcome: type  # ArticleSummary or the error expected
    requests: int
    max_seconds: float = 5.0
    check: Callable[[Any], None] | None = None


def _rejects(code_words: str) -> Callable[[Any], None]:
    def check(result: ArticleSummary) -> None:
        assert [c.id for c in result.claims] == ["c1"]
        (rejected,) = [r for r in result.rejected if r.kind == "claim"]
        assert code_words in rejected.reason

    return check


def _headline_rejected(result: ArticleSummary) -> None:
    assert [c.id for c in result.claims] == ["c1"] and result.headline == ""
    (rejected,) = [r for r in result.rejected if r.kind == "headline"]
    assert "longer than" in rejected.reason


def _corrected(invented: str) -> Callable[[Any], None]:
    """The claim is kept, but not credited to the source the model invented."""

    def check(result: ArticleSummary) -> None:
        claims = {c.id: c.attribution for c in result.claims}
        assert set(claims) == {"c1", "c2"}
        assert claims["c2"].model_source == invented
        assert claims["c2"].status in ("article_voice", "corrected")
        assert invented not in claims["c2"].source

    return check


FAULTS = [
    Fault("429 Retry-After seconds", lambda: [error_reply(429, "slow down", {"Retry-After": "0"}),
                                               good()], ArticleSummary, 2),
    Fault("429 Retry-After HTTP-date", lambda: [error_reply(429, "slow down",
                                                            {"Retry-After": HTTP_DATE}), good()],
          ArticleSummary, 2),
    *[Fault(f"{code} then success", lambda code=code: [error_reply(code, "transient"), good()],
            ArticleSummary, 2) for code in (408, 409, 500, 502, 503, 504)],
    Fault("503 every time", lambda: [error_reply(503, "down")] * MAX_ATTEMPTS,
          RetriesExhaustedError, MAX_ATTEMPTS),
    *[Fault(f"{code} not retried", lambda code=code: [error_reply(code, "bad request")],
            ProviderError, 1) for code in (400, 401, 403, 404, 422)],
    Fault("slow reply past the timeout", lambda: [Scripted(good().body, delay_s=3 * TIMEOUT_S),
                                                   good()], ArticleSummary, 2),
    Fault("connection closed mid-body", lambda: [Scripted(good().body, cut_after=40), good()],
          ArticleSummary, 2),
    Fault("truncated JSON body", lambda: [Scripted('{"id": "chatcmpl-x", "choi'), good()],
          ArticleSummary, 2),
    Fault("empty choices", lambda: [completion(None), good()], ArticleSummary, 2),
    Fault("truncated tool arguments", lambda: [tool_reply("Extraction", '{"claims": [{"id": '),
                                               good()], ArticleSummary, 2),
    Fault("tool call to an unknown function", lambda: [tool_reply("DropTables", {"x": 1}),
                                                       good()], ArticleSummary, 2),
    Fault("refusal", lambda: [completion({"role": "assistant", "content": None,
                                          "refusal": "I can't help with that."})],
          ModelRefusedError, 1),
    Fault("finish_reason length", lambda: [tool_reply("Extraction", GOOD_ARGS,
                                                      finish_reason="length")],
          OutputTruncatedError, 1),
    Fault("claim its sentence does not back", lambda: [
        # A first prompt of realistic size, so that the re-ask fits its budget.
        tool_reply("Extraction", with_claims(INVENTED_CLAIM), prompt_tokens=2000),
        tool_reply("ClaimFixes", STILL_WRONG)], ArticleSummary, 2, check=_rejects("not back")),
    Fault("invented source", lambda: [tool_reply("Extraction", with_claims(INVENTED_SOURCE))],
          ArticleSummary, 1, check=_corrected("Reuters")),
    Fault("empty claims list", lambda: [tool_reply("Extraction", {**GOOD_ARGS, "claims": []})]
          * 2, RetriesExhaustedError, 2),
    # One over-long item costs only itself: the headline, not the claims.
    Fault("huge headline", lambda: [tool_reply("Extraction", {**GOOD_ARGS,
                                                              "headline": "x" * 3_000_000})],
          ArticleSummary, 1, max_seconds=10.0, check=_headline_rejected),
]  # fmt: skip


def _settings(server: ScriptedServer) -> Settings:
    return fast_settings(
        server,
        timeout_s=TIMEOUT_S,
        max_attempts=MAX_ATTEMPTS,
        max_reask_rounds=1,
        # Room for one whole-conversation re-ask (instructor's) of these small scripted replies;
        # tests/pipeline/test_scripted.py checks that a smaller budget forbids it.
        reask_budget_ratio=5.0,
    )


def _received(answer: Scripted) -> bool:
    """Whether the client got this answer whole: a completion body, in time, not cut off."""
    return (
        answer.status == 200
        and answer.cut_after is None
        and answer.delay_s < TIMEOUT_S
        and isinstance(answer.body, dict)
        and "usage" in answer.body
    )


def _served_usage(server: ScriptedServer, script: list[Scripted]) -> Usage:
    """Tokens of every completion the client received, failed ones included."""
    total = Usage()
    for answer in script[: len(server.requests)]:
        if _received(answer) and isinstance(answer.body, dict):
            total = total + Usage(**answer.body["usage"])
    return total


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_fault(fault: Fault, mode: str, request: pytest.FixtureRequest) -> None:
    script = fault.script()
    outcome: Any
    with ScriptedServer(script) as server:
        started = time.perf_counter()
        try:
            if mode == "sync":
                outcome = summarize(TEXT, settings=_settings(server))
            else:
                outcome = asyncio.run(asummarize(TEXT, settings=_settings(server)))
        except SummarizerError as error:
            outcome = error
        seconds = time.perf_counter() - started
    request.config.stash.setdefault(MATRIX, []).append(
        (fault.name, mode, type(outcome).__name__, len(server.requests), seconds)
    )

    assert type(outcome) is fault.outcome, repr(outcome)
    assert len(server.requests) == fault.requests
    assert seconds < fault.max_seconds
    expected = _served_usage(server, script)
    if isinstance(outcome, ArticleSummary):
        assert outcome.meta.usage == expected
        assert outcome.meta.calls == sum(map(_received, script[: fault.requests]))
        if fault.check:
            fault.check(outcome)
    elif hasattr(outcome, "usage"):
        assert outcome.usage == expected
    if isinstance(outcome, RetriesExhaustedError):
        assert len(outcome.attempts) == fault.requests
    if type(outcome) is ProviderError:
        assert outcome.status_code in (400, 401, 403, 404, 422)
        assert "bad request" in str(outcome)
