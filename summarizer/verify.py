"""Turn what the model proposed into verified claims, or into rejections with a reason.

A claim is kept only when its quote is found in the story text (summarizer.grounding), outside
any instruction planted in it (summarizer.injection), and its own words are backed by the
sentence the quote sits in. Who said it is then read from the text (summarizer.attribution), with
the model's proposal confirmed or kept for inspection. Summary sentences and key points keep
only citations of kept claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from summarizer.attribution import (
    Resolution,
    Resolver,
    SourceFinder,
    kind_of,
    same_source,
)
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
        # With nothing removed the story is the text: one index serves both.
        self.index = self.original if not self.cleaned.removed else TextIndex(self.cleaned.text)
        self._planted = instruction_spans(self.cleaned.text)
        self._sources = SourceFinder(self.index, ignore=self._planted)
        self._fuzzy_threshold = fuzzy_threshold
        self._min_quote_chars = min_quote_chars
        self._min_support = min_support

    def context(self, claim: Claim) -> str:
        """The article sentences that hold a claim's evidence."""
        return evidence_context(self.original, claim)

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
        sentence = enclosing(self.index.sentences, match.start, match.end)
        support = support_score(draft.text, self.index.text[sentence[0] : sentence[1]])
        if support < self._min_support:
            return Failure(
                draft,
                "unsupported",
                f"the claim's words are not backed by its evidence (support {support:.2f} "
                f"< {self._min_support:g}, numbers must match)",
            )
        # Who said it is read last: the article is analysed for attribution only once a claim
        # has passed every other check.
        attribution = self._attribution(draft, match.start, match.end)
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

    @cached_property
    def _resolver(self) -> Resolver:
        return Resolver(self.cleaned.text)

    def _attribution(self, draft: ClaimDraft, start: int, end: int) -> Attribution:
        """Who said the evidence at [start, end) of the story text, as the text decides.

        The resolver reads the attribution around the evidence; the model's proposal is kept
        for inspection when it differs (``corrected``), or confirmed when it agrees.
        """
        proposed = draft.source.strip()
        named = normalize(proposed) not in _UNATTRIBUTED_NAMES
        found = self._resolver.resolve(start, end)
        cue = self._span(found.cue_start, found.cue_end)
        source = self._span(found.source_start, found.source_end)
        planted = source is not None and any(
            a < found.source_end and found.source_start < b  # type: ignore[operator]
            for a, b in self._planted
        )
        if planted:
            # A source the injection names is no source: the article's own voice remains.
            found = Resolution(None, None, None, None, None, None, "article_voice")
            cue = source = None
        if found.source is not None and source is not None:
            agrees = named and same_source(proposed, found.source)
            return Attribution(
                source=found.source,
                kind=draft.source_kind
                if agrees and draft.source_kind is not SourceKind.UNATTRIBUTED
                else kind_of(found.source),
                cue=found.cue,
                source_start=source[0],
                source_end=source[1],
                cue_start=cue[0] if cue else None,
                cue_end=cue[1] if cue else None,
                status="confirmed" if agrees else "corrected",
                model_source=None if agrees else (proposed if named else UNATTRIBUTED),
            )
        if found.cue is None:
            return Attribution(
                source=UNATTRIBUTED,
                kind=SourceKind.UNATTRIBUTED,
                status="article_voice",
                model_source=proposed if named else None,
            )
        # A cue with no source the text can name ("reportedly", a passive): the model's source
        # stands if the article names it, and the claim is marked unresolved.
        named_span = self._sources.find(proposed) if named else None
        span = self.cleaned.to_original(*named_span) if named_span else None
        return Attribution(
            source=proposed if span else UNATTRIBUTED,
            kind=draft.source_kind if span else SourceKind.UNATTRIBUTED,
            cue=found.cue,
            source_start=span[0] if span else None,
            source_end=span[1] if span else None,
            cue_start=cue[0] if cue else None,
            cue_end=cue[1] if cue else None,
            status="unresolved",
            model_source=None if span else (proposed if named else None),
        )

    def _span(self, start: int | None, end: int | None) -> tuple[int, int] | None:
        """A story-text span mapped to the original text."""
        if start is None or end is None:
            return None
        return self.cleaned.to_original(start, end)


def evidence_context(article: TextIndex, claim: Claim) -> str:
    """The sentences of the article that hold a claim's evidence."""
    start, end = enclosing(article.sentences, claim.evidence.start, claim.evidence.end)
    return article.text[start:end]


def support_score(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence; 0 if a number is missing."""
    return support(content_words(claim), Profile.of(evidence))


@dataclass(frozen=True)
class Profile:
    """What :func:`support` needs of a passage, worked out once."""

    stems: frozenset[str]
    numbers: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Profile:
        words = _words(text)
        return cls(frozenset(w[:5] for w in words), frozenset(w for w in words if w.isdigit()))


def content_words(text: str) -> list[str]:
    """The words of a claim that :func:`support` looks for."""
    return [w for w in _words(text) if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())]


def support(words: list[str], evidence: Profile) -> float:
    """:func:`support_score` of a claim's content words against a passage's profile."""
    if not words:
        return 0.0
    if any(w.isdigit() and w not in evidence.numbers for w in words):
        return 0.0
    return sum(w[:5] in evidence.stems for w in words) / len(words)


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
