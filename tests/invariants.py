"""Checks every result must pass, whatever model produced it."""

from __future__ import annotations

from summarizer import ArticleSummary, SourceKind
from summarizer.attribution import SourceFinder
from summarizer.text.grounding import TextIndex, normalize


def assert_verified(result: ArticleSummary) -> None:
    """Every kept claim is grounded and attributed to a source that occurs in the article;
    every summary sentence and key point cites only kept claims."""
    text = result.article.text
    finder = SourceFinder(TextIndex(text))
    ids = {c.id for c in result.claims}
    assert len(ids) == len(result.claims), "claim ids are unique"
    for claim in result.claims:
        ev = claim.evidence
        assert 0 <= ev.start < ev.end <= len(text)
        assert text[ev.start : ev.end] == ev.quote
        if ev.match.value == "exact":
            assert ev.proposed is None
        elif ev.match.value == "normalized":
            assert normalize(ev.proposed or ev.quote) == normalize(ev.quote)
        att = claim.attribution
        if att.kind is SourceKind.UNATTRIBUTED:
            assert att.source == "unattributed"
        else:
            assert finder.find(att.source) is not None, att.source
            assert att.source_start is not None and att.source_end is not None
            assert text[att.source_start : att.source_end].strip()
    for item in [*result.summary_sentences, *result.key_points]:
        assert item.claim_ids and set(item.claim_ids) <= ids
    assert result.summary == " ".join(s.text for s in result.summary_sentences)
    for rejection in result.rejected:
        assert rejection.reason
