"""An article's claims asked for, verified, and re-asked where they fail."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz

from summarizer.llm.call import Reply, Request
from summarizer.pipeline.flow import RECOVERABLE, Findings, Steps, expect, failure_text
from summarizer.pipeline.reask import apply_fixes, build_reask
from summarizer.result import (
    Claim,
    Rejection,
)
from summarizer.schema import (
    ChunkExtraction,
    ClaimDraft,
    ClaimFixes,
    Extraction,
)
from summarizer.settings import Settings
from summarizer.status import status
from summarizer.verify.claims import (
    Failure,
    Verifier,
)
from summarizer.verify.items import read_claims

# Claims from the same source whose words are this similar (rapidfuzz ratio) are one claim.
_SAME_WORDS = 90.0


def claim_steps(
    request: Request,
    verifier: Verifier,
    offset: int,
    kept: dict[str, Claim],
    out: Findings,
    settings: Settings,
) -> Steps[Extraction | None]:
    """Ask for the claims of the text ``verifier`` checks (an article, or a part of one that
    starts ``offset`` characters into it); keep the verified ones and re-ask for those that
    fail. Returns the extraction when it also holds a summary (a whole article at once)."""
    reply = yield request
    out.calls.append((request, reply))
    extraction: Extraction | ChunkExtraction = (
        expect(reply, Extraction)
        if request.response_model is Extraction
        else expect(reply, ChunkExtraction)
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

    yield from _reask(request, reply, verifier, offset, kept, failures, out, settings)
    out.rejected.extend(f.rejection() for f in failures)
    return extraction if isinstance(extraction, Extraction) else None


def _reask(
    request: Request,
    reply: Reply,
    verifier: Verifier,
    offset: int,
    kept: dict[str, Claim],
    failures: list[Failure],
    out: Findings,
    settings: Settings,
) -> Steps[None]:
    """Re-ask for the ``failures`` of the claims ``request`` (answered by ``reply``) proposed,
    in rounds, keeping those the fixes make verifiable; what still fails stays in
    ``failures``, its reason saying what the re-ask did."""
    # Re-asks carry only failing claims, within a share of the first call's prompt tokens.
    # Characters per token are calibrated on that first call, schema included: endpoints that
    # count the tool schema in the prompt (OpenAI) and those that do not (llama.cpp) both get
    # an estimate on the safe side, since a re-ask is mostly schema and instructions.
    # A whole-conversation re-ask of a reply that failed the schema spent from the same budget.
    first_tokens = reply.usage.prompt_tokens - reply.resent_tokens
    first_prompt = sum(len(m["content"]) for m in request.messages) + len(request.schema or "")
    chars_per_token = first_prompt / max(first_tokens, 1)
    budget = settings.reask_budget_ratio * first_tokens - reply.resent_tokens
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
        except RECOVERABLE as error:
            # A broken re-ask costs only the claims it carried; what is verified stays.
            out.failed_call(reask, error)
            for failure in carried:
                failures[failures.index(failure)] = failure.with_reason(
                    f"{failure.reason}; the re-ask failed too ({failure_text(error)})"
                )
            break
        out.calls.append((reask, reply))
        budget -= reply.usage.prompt_tokens
        fixes, unreadable = apply_fixes(carried, expect(reply, ClaimFixes))
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
