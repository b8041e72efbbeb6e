"""The headline, summary sentences and key points kept where verified claims back them."""

from __future__ import annotations

from typing import Any, Literal

from summarizer.pipeline.flow import Findings
from summarizer.result import (
    SupportedText,
)
from summarizer.schema import (
    MAX_KEY_POINTS,
    MAX_SENTENCES,
    ClaimSummary,
    Extraction,
)
from summarizer.settings import Settings
from summarizer.text.grounding import TextIndex
from summarizer.verify.claims import evidence_context
from summarizer.verify.items import read_headline, read_statements
from summarizer.verify.statements import verify_headline, verify_statements


def keep_statements(
    written: Extraction | ClaimSummary,
    whole: TextIndex,
    title: str | None,
    out: Findings,
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
    out: Findings,
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
