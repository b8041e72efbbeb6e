"""The judge: after the text checks, one more request asks the model, claim by claim, whether
the evidence a kept claim rests on states all of it. A claim it answers ``no`` for is rejected
with that reason; the statements that cite it then lose it too (summarizer.pipeline.statements
checks them against the kept claims only).

A judge that does not rule never costs a verified claim: a claim with no readable verdict (the
reply names another id, leaves it out, or answers outside the enum; the call fails at
transport or its reply cannot be read at all) keeps its text-check result, and
``meta.warnings`` says the judge did not rule on it and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from summarizer.llm.backends import BackendKind, resolve_endpoint, sync_client
from summarizer.llm.call import Request, SyncLLM
from summarizer.pipeline.drive import drive
from summarizer.pipeline.flow import RECOVERABLE, Findings, Steps, expect, failure_text
from summarizer.pipeline.templates import render
from summarizer.result import Claim, Rejection
from summarizer.schema import ClaimVerdicts, Verdict, verdict_schema
from summarizer.settings import Settings
from summarizer.status import status
from summarizer.text.grounding import TextIndex
from summarizer.text.sentences import enclosing
from summarizer.text.tokens import estimate_tokens

# Every verdict the schema allows, and those that keep a claim.
VERDICTS: tuple[str, ...] = get_args(Verdict)
KEEP_VERDICTS = frozenset({"yes"})
# What judge_claims returns for an item the reply gave no readable verdict for.
NO_VERDICT = ""

# Where "auto" turns the judge on, by backend. On the embedded model it kept 33 of 40 faithful
# claims of claimchecks-dev and caught 19 of 40 false ones, at about 9 s a claim (README, "The
# judge"): off. A server of unknown size gets it with judge=on.
_AUTO_ON: frozenset[BackendKind] = frozenset({"openai"})
# Room a judge request keeps for its instructions, beside the claims it lists.
_INSTRUCTION_TOKENS = 300

Item = tuple[str, str, str]  # claim id, claim text, evidence text


def judge_wanted(settings: Settings, backend: BackendKind) -> bool:
    """Whether the judge rules on an article's claims on this backend (``settings.judge``)."""
    if settings.judge == "auto":
        return backend in _AUTO_ON
    return settings.judge == "on"


def keeps(verdict: str) -> bool:
    """Whether a verdict keeps its claim (``yes``); no verdict (``NO_VERDICT``) keeps it too,
    on its text checks alone."""
    return verdict in KEEP_VERDICTS or verdict == NO_VERDICT


def judge_request(items: Sequence[Item]) -> Request:
    """The request asking for one verdict per item; the schema names only their ids."""
    listed = "\n".join(
        render("judge_item", id=claim_id, claim=_one_line(text), evidence=_one_line(evidence))
        for claim_id, text, evidence in items
    )
    messages = [
        {"role": "system", "content": render("judge_system")},
        {"role": "user", "content": render("judge_user", claims=listed)},
    ]
    return Request("judge", messages, ClaimVerdicts, verdict_schema([i for i, _, _ in items]))


@dataclass(frozen=True)
class Ruling:
    """What a judge's reply said: the verdict for each claim it ruled on, and for each claim it
    did not, why (in words for ``meta.warnings``)."""

    verdicts: dict[str, str]
    unruled: dict[str, str]
    # Ids the reply named that no claim asked about has, as written.
    strays: list[str]


def read_verdicts(reply: ClaimVerdicts, asked: Sequence[str]) -> Ruling:
    """The verdicts of a reply about the claims ``asked``, item by item: an item that names no
    claim asked about, or whose verdict is not one of :data:`VERDICTS`, is not a ruling; the
    first ruling on a claim counts."""
    verdicts: dict[str, str] = {}
    problems: dict[str, str] = {}
    strays: list[str] = []
    for raw in reply.verdicts:
        claim_id, verdict = _fields(raw)
        if claim_id is None or claim_id not in asked:
            strays.append(repr(claim_id) if claim_id is not None else "no claim")
            continue
        if not isinstance(verdict, str) or verdict not in VERDICTS:
            problems.setdefault(claim_id, f"its verdict {verdict!r} is not one of {VERDICTS}")
        elif claim_id not in verdicts:
            verdicts[claim_id] = verdict
    unruled = {
        claim_id: problems.get(claim_id, "the reply gave no verdict for it")
        for claim_id in asked
        if claim_id not in verdicts
    }
    return Ruling(verdicts, unruled, strays)


def judge_steps(
    kept: dict[str, Claim], whole: TextIndex, out: Findings, settings: Settings, budget: int
) -> Steps[None]:
    """Ask the judge about the ``kept`` claims (evidence in ``whole``, the article), at most
    ``max_claims`` and ``budget`` tokens of claims a request; reject from ``kept`` those it
    answers ``no`` for, and warn in ``out`` of those it did not rule on."""
    claims = list(kept.values())
    for batch in batches([_item(c, whole) for c in claims], settings.max_claims, budget):
        request = judge_request(batch)
        status(f"judging {len(batch)} claim(s)")
        try:
            reply = yield request
        except RECOVERABLE as error:
            out.failed_call(request, error)
            ids = ", ".join(claim_id for claim_id, _, _ in batch)
            out.warnings.append(
                f"the judge did not rule on claims {ids}: {failure_text(error)}; they stand "
                "on the text checks"
            )
            continue
        out.calls.append((request, reply))
        ruling = read_verdicts(expect(reply, ClaimVerdicts), [i for i, _, _ in batch])
        if ruling.strays:
            out.warnings.append(
                f"the judge's reply named {', '.join(ruling.strays)}, which it was not asked "
                "about; ignored"
            )
        for claim_id, why in ruling.unruled.items():
            out.warnings.append(
                f"the judge did not rule on claim {claim_id}: {why}; it stands on the text checks"
            )
        for claim_id, verdict in ruling.verdicts.items():
            if not keeps(verdict):
                out.rejected.append(_rejection(kept.pop(claim_id)))


def batches(items: Sequence[Item], most: int, budget: int) -> Iterable[list[Item]]:
    """``items`` in runs of at most ``most`` whose text fits ``budget`` tokens (one item at
    least)."""
    batch: list[Item] = []
    spent = 0
    for item in items:
        cost = estimate_tokens(" ".join(item)) + 12
        if batch and (len(batch) >= most or spent + cost > budget):
            yield batch
            batch, spent = [], 0
        batch.append(item)
        spent += cost
    if batch:
        yield batch


def judge_claims(
    items: Sequence[tuple[str, str, str]],
    *,
    settings: Settings | None = None,
    client: Any = None,
) -> list[str]:
    """The judge's verdict on each claim of one article, as :func:`summarizer.summarize` asks
    for it, through the same backend choice (the embedded server unless one is configured).

    Args:
        items: (claim id, claim text, evidence text) of one article; ids must differ.
        settings: the backend and call settings (default: ``Settings.resolve()``).
        client: an ``openai.OpenAI`` client to use as it is configured.

    Returns:
        One verdict per item, in order: one of :data:`VERDICTS`, or :data:`NO_VERDICT` where
        the reply gave no readable verdict. :func:`keeps` says which keep a claim (``yes``,
        and no verdict).

    Raises:
        ValueError: two items share an id.
        ConfigError: no backend is configured or installed.
        ProviderError: the endpoint refused the request or kept failing
            (``RetriesExhaustedError``), or the reply could not be read at all.
    """
    if len({claim_id for claim_id, _, _ in items}) != len(items):
        raise ValueError("each item needs its own claim id")
    if not items:
        return []
    settings = settings or Settings.resolve()
    endpoint = resolve_endpoint(settings, client)
    llm = SyncLLM(sync_client(endpoint, settings, client), endpoint.model, settings)
    budget = endpoint.context_tokens - settings.max_tokens - _INSTRUCTION_TOKENS
    verdicts: dict[str, str] = {}
    for batch in batches(items, settings.max_claims, budget):
        verdicts |= drive(_ruling(batch), llm).verdicts
    return [verdicts.get(claim_id, NO_VERDICT) for claim_id, _, _ in items]


def _ruling(batch: Sequence[Item]) -> Steps[Ruling]:
    reply = yield judge_request(batch)
    return read_verdicts(expect(reply, ClaimVerdicts), [claim_id for claim_id, _, _ in batch])


def _item(claim: Claim, whole: TextIndex) -> Item:
    """A claim as the judge is shown it: its text, and the sentences holding its evidence."""
    start, end = enclosing(whole.sentences, claim.evidence.start, claim.evidence.end)
    return claim.id, claim.text, whole.text[start:end]


def _rejection(claim: Claim) -> Rejection:
    cited = ", ".join(claim.evidence.sentence_ids) or "its evidence"
    return Rejection(
        kind="claim",
        id=claim.id,
        text=claim.text,
        reason=f"the judge found the claim not stated by {cited}",
        proposed=claim.model_dump(mode="json"),
    )


def _fields(raw: object) -> tuple[str | None, object]:
    """A raw verdict item's claim id (stripped) and verdict, where it has them."""
    if not isinstance(raw, dict):
        return None, None
    claim_id = raw.get("id")
    verdict = raw.get("verdict")
    if isinstance(verdict, str):
        verdict = verdict.strip().lower()
    return (claim_id.strip() if isinstance(claim_id, str) else None), verdict


def _one_line(text: str) -> str:
    return " ".join(text.split())
