"""A long article read part by part, side by side, and its summary written from the merged
claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from summarizer.llm.call import Request
from summarizer.pipeline.claims import claim_steps, duplicate_of
from summarizer.pipeline.flow import RECOVERABLE, Findings, Fork, Steps, expect, failure_text
from summarizer.pipeline.judge import judge_steps
from summarizer.pipeline.plan import Plan
from summarizer.pipeline.requests import (
    claim_line,
    combine_messages,
    new_verifier,
    part_request,
)
from summarizer.result import (
    Claim,
    Rejection,
)
from summarizer.schema import (
    ClaimSummary,
    shown_schema,
)
from summarizer.settings import Settings
from summarizer.status import status
from summarizer.text.chunking import Chunk
from summarizer.text.grounding import TextIndex
from summarizer.text.tokens import estimate_tokens
from summarizer.verify.claims import (
    Verifier,
)


def read_parts(
    given: Plan, kept: dict[str, Claim], out: Findings, settings: Settings
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
            verifier = new_verifier(cleaned.original, cleaned, settings, first_sentence=number_from)
            number_from = verifier.numbered.next_number
            return _part(verifier, offset, number, parts, chunk, given.article.title, settings)

        return start

    branches = [part(number, chunk) for number, chunk in enumerate(given.chunks, 1)]
    read: list[_Part] = yield Fork(branches, limit=given.concurrency)
    for done in read:
        _merge(done, kept, out)
    if given.judge:
        # Before the summary is written, so that it is written from the claims the judge kept.
        whole = TextIndex(given.article.text)
        yield from judge_steps(kept, whole, out, settings, given.text_budget)
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
    except RECOVERABLE as error:
        # The verified claims stand without a summary.
        out.failed_call(request, error)
        out.rejected.append(
            Rejection(
                kind="summary_sentence",
                text="",
                reason=f"the summary could not be written: {failure_text(error)}",
            )
        )
        return None
    out.calls.append((request, reply))
    return expect(reply, ClaimSummary)


@dataclass
class _Part:
    """What one part of a long article gave: its claims, keyed by id, and the rest of its
    outcome (rejections, calls, re-ask rounds)."""

    kept: dict[str, Claim]
    out: Findings


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
    done = _Part({}, Findings())
    request = part_request(verifier, number, parts, title, settings)
    status(f"reading part {number} of {parts}")
    try:
        yield from claim_steps(request, verifier, offset, done.kept, done.out, settings)
    except RECOVERABLE as error:
        # One unreadable part costs its own claims, not the whole article's.
        done.out.failed_call(request, error)
        done.out.rejected.append(
            Rejection(
                kind="chunk",
                id=f"part{number}",
                text=f"part {number} of {parts} (story characters {chunk.start}-{chunk.end})",
                reason=f"no claims could be read from this part: {failure_text(error)}",
            )
        )
    return done


def _merge(done: _Part, kept: dict[str, Claim], out: Findings) -> None:
    """Add one part's outcome to the article's: a claim that repeats one of an earlier part
    (parts overlap) is rejected as a repeat; one whose id an earlier part took gets an id no
    claim or rejection has, as ids link the summary written next to its claims."""
    out.calls.extend(done.out.calls)
    out.rejected.extend(done.out.rejected)
    out.reask_rounds += done.out.reask_rounds
    out.warnings.extend(done.out.warnings)
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


def _within(claims: list[Claim], budget: int) -> list[Claim]:
    """The claims a summary request can carry within ``budget`` tokens: all of them, or as
    many as fit spread evenly over the article."""
    cost = [estimate_tokens(claim_line(c)) + 1 for c in claims]
    if sum(cost) <= budget:
        return claims
    keep = max(1, int(len(claims) * budget / sum(cost)))
    step = len(claims) / keep
    return [claims[int(i * step)] for i in range(keep)]
