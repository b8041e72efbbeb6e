"""Turn what the model proposed into verified claims, or into rejections with a reason.

A claim is kept only when its quote is found in the article (summarizer.grounding), its named
source occurs there (summarizer.attribution), and its own words are backed by the sentence the
quote sits in. Summary sentences and key points keep only citations of kept claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from summarizer.attribution import SourceFinder
from summarizer.cleaning import Cleaned, unchanged
from summarizer.grounding import TextIndex, enclosing, normalize
from summarizer.injection import instruction_spans
from summarizer.result import (
    Attribution,
    Claim,
    Evidence,
    MatchKind,
    Rejection,
    SupportedText,
)
from summarizer.schema import UNATTRIBUTED, ClaimDraft, SourceKind, SupportedSentence

_UNATTRIBUTED_NAMES = frozenset({"", UNATTRIBUTED, "none", "n/a", "article", "the article"})
_STOPWORDS = frozenset(
    """
    the and for that this with from was were are has have had will would been being its
    their they them than then also into onto over under about after before which while who
    whom whose what when where said says say told according not but can could may might
    should there these those such other some more most very just only any all each both
    """.split()
)

_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")

FailureCode = Literal[
    "quote_too_short",
    "quote_not_found",
    "in_removed_text",
    "planted_instruction",
    "source_not_found",
    "unsupported",
    "duplicate",
]


@dataclass(frozen=True)
class Failure:
    """A claim that did not pass, with a reason a person can read."""

    draft: ClaimDraft
    code: FailureCode
    reason: str

    def with_reason(self, reason: str) -> Failure:
        return Failure(self.draft, self.code, reason)

    def rejection(self) -> Rejection:
        return Rejection(
            kind="claim",
            id=self.draft.id,
            text=self.draft.text,
            reason=self.reason,
            proposed=self.draft.model_dump(mode="json"),
        )


class Verifier:
    """Checks claims against one article."""

    def __init__(
        self,
        text: str,
        *,
        fuzzy_threshold: float,
        min_quote_chars: int,
        min_support: float,
        cleaned: Cleaned | None = None,
    ) -> None:
        """``text`` is the article as passed; ``cleaned`` its story text with page furniture
        removed (default: nothing removed). Quotes and sources are looked for in the story text;
        evidence offsets always index ``text``."""
        self.cleaned = cleaned or unchanged(text)
        if self.cleaned.original != text:
            raise ValueError("cleaned must be the cleaning of text")
        self.original = TextIndex(text)
        self.index = TextIndex(self.cleaned.text)
        self._planted = instruction_spans(self.cleaned.text)
        self._sources = SourceFinder(self.index, ignore=self._planted)
        self._fuzzy_threshold = fuzzy_threshold
        self._min_quote_chars = min_quote_chars
        self._min_support = min_support

    def context(self, claim: Claim) -> str:
        """The article sentences that hold a claim's evidence."""
        start, end = enclosing(self.original.sentences, claim.evidence.start, claim.evidence.end)
        return self.original.text[start:end]

    def check(self, draft: ClaimDraft, *, fixed: bool = False) -> Claim | Failure:
        """Verify one proposed claim. ``fixed`` marks a claim that came back from a re-ask."""
        quote = draft.quote.strip()
        if len(normalize(quote)) < self._min_quote_chars:
            return Failure(
                draft,
                "quote_too_short",
                f"quote {quote!r} is too short to pin down "
                f"(fewer than {self._min_quote_chars} characters)",
            )
        match = self.index.locate(quote, fuzzy_threshold=self._fuzzy_threshold)
        span = self.cleaned.to_original(match.start, match.end) if match else None
        if match is None or span is None:
            return self._not_in_story(draft, quote)
        if any(a < match.end and match.start < b for a, b in self._planted):
            return Failure(
                draft,
                "planted_instruction",
                "the quote is an instruction planted in the article, not reported news",
            )
        attribution = self._attribution(draft)
        if attribution is None:
            return Failure(
                draft, "source_not_found", f"source {draft.source!r} does not occur in the article"
            )
        sentence = enclosing(self.index.sentences, match.start, match.end)
        support = support_score(draft.text, self.index.text[sentence[0] : sentence[1]])
        if support < self._min_support:
            return Failure(
                draft,
                "unsupported",
                f"the claim's words are not backed by its evidence (support {support:.2f} "
                f"< {self._min_support:g}, numbers must match)",
            )
        found = self.original.text[span[0] : span[1]]
        evidence = Evidence(
            quote=found,
            start=span[0],
            end=span[1],
            match=match.kind,
            score=match.score,
            proposed=None if found == quote else quote,
        )
        origin: Literal["model", "local_repair", "reask"]
        origin = "reask" if fixed else "local_repair" if match.kind is MatchKind.FUZZY else "model"
        return Claim(
            id=draft.id, text=draft.text, attribution=attribution, evidence=evidence, origin=origin
        )

    def _not_in_story(self, draft: ClaimDraft, quote: str) -> Failure:
        match = self.original.locate(quote, fuzzy_threshold=self._fuzzy_threshold)
        removed = self.cleaned.removed_at(match.start, match.end) if match else None
        if removed is not None:
            return Failure(
                draft,
                "in_removed_text",
                f"quote is in text removed as page furniture ({removed.label}); pass "
                "clean=False if that text belongs to the story",
            )
        return Failure(
            draft,
            "quote_not_found",
            f"quote not found in the article (no span reaches similarity "
            f"{self._fuzzy_threshold:g})",
        )

    def _attribution(self, draft: ClaimDraft) -> Attribution | None:
        cue = draft.cue.strip()
        # A cue is reported only when the article contains it.
        cue_found = bool(cue) and self._sources.find_phrase(cue) is not None
        if normalize(draft.source) in _UNATTRIBUTED_NAMES:
            return Attribution(source=UNATTRIBUTED, kind=SourceKind.UNATTRIBUTED)
        found = self._sources.find(draft.source)
        span = self.cleaned.to_original(*found) if found else None
        if span is None:
            return None
        kind = draft.source_kind
        if kind is SourceKind.UNATTRIBUTED:
            # A name that occurs in the article outranks the model's label: keep the source and
            # file it under the broadest named kind rather than drop the attribution.
            kind = SourceKind.ORGANIZATION
        return Attribution(
            source=draft.source.strip(),
            kind=kind,
            cue=cue if cue_found else None,
            source_start=span[0],
            source_end=span[1],
        )


def support_score(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence; 0 if a number is missing."""
    ev_words = _words(evidence)
    ev_numbers = {w for w in ev_words if w.isdigit()}
    words = [w for w in _words(claim) if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())]
    if not words:
        return 0.0
    if any(w.isdigit() and w not in ev_numbers for w in words):
        return 0.0
    stems = {w[:5] for w in ev_words}
    return sum(w[:5] in stems for w in words) / len(words)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _THOUSANDS.sub("", normalize(text)))


def verify_statements(
    items: list[SupportedSentence],
    context: dict[str, str],
    kind: Literal["summary_sentence", "key_point"],
    *,
    min_support: float,
) -> tuple[list[SupportedText], list[Rejection]]:
    """Keep statements that cite kept claims and whose words those claims' evidence backs.

    ``context`` maps each kept claim id to the article sentences its evidence sits in.
    """
    kept: list[SupportedText] = []
    rejected: list[Rejection] = []
    for item in items:
        ids = list(dict.fromkeys(i.strip() for i in item.claim_ids if i.strip() in context))
        reason = None
        if not ids:
            reason = f"cites no verified claim (cited: {', '.join(item.claim_ids) or 'none'})"
        else:
            support = support_score(item.text, " ".join(context[i] for i in ids))
            if support < min_support:
                reason = (
                    f"its words are not backed by the evidence of {', '.join(ids)} "
                    f"(support {support:.2f} < {min_support:g}, numbers must match)"
                )
        if reason is None and item.text.strip():
            kept.append(SupportedText(text=item.text.strip(), claim_ids=ids))
            continue
        rejected.append(
            Rejection(
                kind=kind,
                text=item.text,
                reason=reason or "empty statement",
                proposed=item.model_dump(mode="json"),
            )
        )
    return kept, rejected


def verify_headline(
    headline: str, context: dict[str, str], *, min_support: float
) -> Rejection | None:
    """None when the headline's words are backed by the kept claims' evidence."""
    if not headline.strip():
        return None
    support = support_score(headline, " ".join(context.values())) if context else 0.0
    if support >= min_support:
        return None
    return Rejection(
        kind="headline",
        text=headline,
        reason=f"its words are not backed by any verified claim's evidence (support "
        f"{support:.2f} < {min_support:g})",
    )
