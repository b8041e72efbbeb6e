"""Turn what the model proposed into verified claims, or into rejections with a reason.

A claim cites numbered sentences of the story text (summarizer.text.pointers); sentences inside an
instruction planted in the article (summarizer.text.injection) are not numbered, so they cannot be
cited. A claim is kept only when its cited sentences exist and back its own words; its evidence
is those sentences, or the shorter quote it gives when that is found inside them. Who said it
is then read from the text (summarizer.attribution), with the model's proposal confirmed or
kept for inspection. Summary sentences and key points keep
only citations of kept claims.
"""

from __future__ import annotations

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
from summarizer.result import (
    Attribution,
    Claim,
    Evidence,
    MatchKind,
    Rejection,
)
from summarizer.schema import MAX_CITED, UNATTRIBUTED, ClaimDraft, SourceKind
from summarizer.text.grounding import TextIndex, normalize
from summarizer.text.injection import instruction_spans
from summarizer.text.pointers import Numbered, Sentence, canonical_id
from summarizer.text.sentences import enclosing
from summarizer.text.story import Cleaned, unchanged
from summarizer.verify.locate import backing, likeliest, windows
from summarizer.verify.meaning import (
    Contradiction,
    Words,
    article_names,
    check_meaning,
    claimed_source,
    parse_words,
    reporters,
)
from summarizer.verify.support import content_words, support_score

# Where cited sentences do not back a claim, stretches around this many of the sentences
# holding most of its words are tried; one is taken only when it backs this share of the
# claim's content words (and every number), or min_support when that is higher. The model's
# own pointer needs only min_support: with none, the words alone must show the claim is there.
_SEARCHED = 4
FOUND_SUPPORT = 0.8

_UNATTRIBUTED_NAMES = frozenset({"", UNATTRIBUTED, "none", "n/a", "article", "the article"})


FailureCode = Literal[
    "no_sentence",
    "unknown_sentence",
    "too_many_sentences",
    "unsupported",
    "not_stated",
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
    """Checks claims against one article (or one part of a long one)."""

    def __init__(
        self,
        text: str,
        *,
        fuzzy_threshold: float,
        min_quote_chars: int,
        min_support: float,
        cleaned: Cleaned | None = None,
        first_sentence: int = 1,
        find_evidence: bool = True,
        check_meaning: bool = True,
    ) -> None:
        """``text`` is the article as passed; ``cleaned`` its story text with page furniture
        removed (default: nothing removed). The story's sentences are numbered from
        ``first_sentence``, planted instructions left out; evidence offsets index ``text``.
        With ``find_evidence``, a claim whose cited sentences do not back its words rests on
        the sentences of the text that do, where there are such. ``check_meaning=False``
        leaves only the word-overlap test (for comparison: it passes negations and swaps)."""
        self.cleaned = cleaned or unchanged(text)
        if self.cleaned.original != text:
            raise ValueError("cleaned must be the cleaning of text")
        self.original = TextIndex(text)
        # With nothing removed the story is the text: one index serves both.
        self.index = self.original if not self.cleaned.removed else TextIndex(self.cleaned.text)
        self._planted = instruction_spans(self.cleaned.text)
        self.numbered = Numbered(
            self.cleaned.text,
            spans=self.index.sentences,
            planted=self._planted,
            first=first_sentence,
        )
        self._sources = SourceFinder(self.index, ignore=self._planted)
        self._fuzzy_threshold = fuzzy_threshold
        self._min_quote_chars = min_quote_chars
        self._min_support = min_support
        self._find_evidence = find_evidence
        self._check_meaning = check_meaning
        self._evidence_words: dict[tuple[str, ...], Words] = {}

    def context(self, claim: Claim) -> str:
        """The article sentences that hold a claim's evidence."""
        return evidence_context(self.original, claim)

    def check(self, draft: ClaimDraft, *, fixed: bool = False) -> Claim | Failure:
        """Verify one proposed claim. ``fixed`` marks a claim that came back from a re-ask.

        The claim's cited sentences become its evidence (or the quote it gives, when that is
        found inside them), and its own words must be backed by those sentences.
        """
        cited = self._cited(draft)
        if isinstance(cited, Failure):
            return cited
        support, whole, run = self._best_run(draft.text, cited)
        found = None
        if support < self._min_support and self._find_evidence:
            found = self._found(draft.text, cited)
        if support < self._min_support and found is None:
            ids = ", ".join(s.id for s in cited)
            return Failure(
                draft,
                "unsupported",
                f"the claim's words are not backed by its sentences {ids} (support "
                f"{support:.2f} < {self._min_support:g}, numbers must match)",
            )
        if found is None:
            contradiction = self.contradiction(draft.text, whole)
            if contradiction is not None and self._find_evidence:
                found = self._found(draft.text, cited, exclude=run)
            if contradiction is not None and found is None:
                return Failure(draft, "not_stated", contradiction.reason)
        if found is not None:
            whole = run = found
            start, end, kind, score = found[0].start, found[-1].end, MatchKind.FOUND, 100.0
        else:
            start, end, kind, score = self._evidence_span(draft, whole, run)
        span = self.cleaned.to_original(start, end)
        if span is None:  # a numbered sentence is story text, which always maps back
            raise RuntimeError(f"story span {start}-{end} has no original text")
        # Who said it is read last: the article is analysed for attribution only once a claim
        # has passed every other check.
        attribution = self._attribution(draft, start, end)
        wrong = self._wrong_source(draft.text, attribution, whole)
        if wrong is not None:
            return Failure(draft, "not_stated", wrong)
        quote = draft.quote.strip()
        evidence = Evidence(
            quote=self.original.text[span[0] : span[1]],
            start=span[0],
            end=span[1],
            match=kind,
            score=score,
            sentence_ids=[s.id for s in whole if s.start < end and start < s.end],
            cited_ids=[s.id for s in cited] if found is not None else None,
            proposed=quote
            if quote
            and (
                kind in (MatchKind.QUOTE_UNMATCHED, MatchKind.FOUND)
                or quote != self.original.text[span[0] : span[1]]
            )
            else None,
        )
        origin: Literal["model", "local_repair", "reask"]
        origin = (
            "reask"
            if fixed
            else "local_repair"
            if kind in (MatchKind.FUZZY, MatchKind.FOUND)
            else "model"
        )
        return Claim(
            id=draft.id, text=draft.text, attribution=attribution, evidence=evidence, origin=origin
        )

    def _best_run(
        self, text: str, cited: list[Sentence]
    ) -> tuple[float, list[Sentence], list[Sentence]]:
        """How well the best run of consecutive cited sentences backs ``text``, that run, and
        the shortest stretch of it that backs ``text`` as well, so that a sentence cited beside
        the one that states the claim neither widens its evidence nor lends it a source."""
        story = self.cleaned.text

        def backing(run: list[Sentence]) -> float:
            return support_score(text, story[run[0].start : run[-1].end])

        support, run = max(
            ((backing(r), r) for r in self.numbered.runs(cited, joined=self._joined)),
            key=lambda scored: scored[0],
        )
        stretches = [run[i:j] for i in range(len(run)) for j in range(i + 1, len(run) + 1)]
        tightest = min((s for s in stretches if backing(s) >= support), key=len)
        return support, run, tightest

    def contradiction(self, text: str, run: list[Sentence]) -> Contradiction | None:
        """Why the sentences ``run`` do not state ``text`` (see summarizer.verify.meaning),
        or None when they do."""
        if not self._check_meaning:
            return None
        evidence = self._words(run)
        return check_meaning(parse_words(text), evidence, article_names=self._names)

    def _words(self, run: list[Sentence]) -> Words:
        """The parsed words of the sentences ``run``, worked out once per run."""
        key = tuple(s.id for s in run)
        found = self._evidence_words.get(key)
        if found is None:
            spans = [(s.start, s.end, s.id) for s in run]
            found = self._evidence_words[key] = Words.of_parsed(self._resolver.parsed, spans)
        return found

    @cached_property
    def _names(self) -> frozenset[str]:
        return article_names(self.cleaned.text)

    def _found(
        self, text: str, cited: list[Sentence], exclude: list[Sentence] | None = None
    ) -> list[Sentence] | None:
        """The fewest consecutive sentences of the text (at most three) that back ``text``
        best and state it, among those around the sentences holding most of its words, when
        they back it at :data:`FOUND_SUPPORT`; the nearest to the ``cited`` ones among
        equals. ``exclude`` is a stretch already found not to state it."""
        needed = max(self._min_support, FOUND_SUPPORT)
        words = content_words(text)
        numbered = self.numbered
        where = {s.id: i for i, s in enumerate(numbered.sentences)}
        near = [where[s.id] for s in cited]
        ranked: list[tuple[tuple[float, int, int], list[Sentence]]] = []
        for a, b in windows(len(where), likeliest(words, numbered, _SEARCHED), MAX_CITED):
            stretch = numbered.sentences[a:b]
            if stretch == exclude or len(numbered.runs(stretch, joined=self._joined)) != 1:
                continue
            score = backing(words, numbered, (a, b))
            if score >= needed:
                ranked.append(((score, a - b, -min(abs(a - i) for i in near)), stretch))
        ranked.sort(key=lambda r: r[0], reverse=True)
        # The best-backed stretch that states it: the words may be there and the meaning not.
        return next((st for _, st in ranked if self.contradiction(text, st) is None), None)

    def _joined(self, a: Sentence, b: Sentence) -> bool:
        """Whether story sentences ``a`` and ``b`` are one span of the original text (no page
        furniture was removed between them)."""
        return self.cleaned.to_original(a.start, b.end) is not None

    def _cited(self, draft: ClaimDraft) -> list[Sentence] | Failure:
        """The sentences a claim cites, or why they cannot be its evidence."""
        named = list(
            dict.fromkeys(canonical_id(c) or c.strip() for c in draft.sentences if c.strip())
        )
        if not named:
            return Failure(draft, "no_sentence", "the claim cites no sentence of the article")
        if len(named) > MAX_CITED:
            return Failure(
                draft,
                "too_many_sentences",
                f"the claim cites {len(named)} sentences; at most {MAX_CITED} may back one claim",
            )
        found = [self.numbered.get(c) for c in named]
        unknown = [c for c, s in zip(named, found, strict=True) if s is None]
        if unknown:
            ids = self.numbered.ids
            shown = f"{ids[0]}-{ids[-1]}" if ids else "none"
            return Failure(
                draft,
                "unknown_sentence",
                f"the claim cites {', '.join(unknown)}, which names no sentence of this text "
                f"(the sentences shown are {shown})",
            )
        return [s for s in found if s is not None]

    def _evidence_span(
        self, draft: ClaimDraft, whole: list[Sentence], tightest: list[Sentence]
    ) -> tuple[int, int, MatchKind, float]:
        """The quote's span when the claim gives one found inside the run of sentences
        ``whole``; else the sentences ``tightest`` of it that back the claim."""
        start, end = tightest[0].start, tightest[-1].end
        quote = draft.quote.strip()
        if not quote:
            return start, end, MatchKind.SENTENCE, 100.0
        if len(normalize(quote)) < self._min_quote_chars:
            # Too short to pin anything down: the sentences are the evidence.
            return start, end, MatchKind.SENTENCE, 100.0
        offset = whole[0].start
        within = TextIndex(self.cleaned.text[offset : whole[-1].end])
        match = within.locate(quote, fuzzy_threshold=self._fuzzy_threshold)
        if match is not None:
            return offset + match.start, offset + match.end, match.kind, match.score
        return start, end, MatchKind.QUOTE_UNMATCHED, 0.0

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
                kind=kind_of(found.source),
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
            kind=kind_of(proposed) if span else SourceKind.UNATTRIBUTED,
            cue=found.cue,
            source_start=span[0] if span else None,
            source_end=span[1] if span else None,
            cue_start=cue[0] if cue else None,
            cue_end=cue[1] if cue else None,
            status="unresolved",
            model_source=None if span else (proposed if named else None),
        )

    def _wrong_source(self, text: str, attribution: Attribution, run: list[Sentence]) -> str | None:
        """Why a claim that names who said it ("Umerov said ...", "according to AP") names
        someone other than the source the text gives for its evidence (and than anyone its
        sentences say said something), or None."""
        if not self._check_meaning or attribution.status not in ("confirmed", "corrected"):
            return None
        claimed = claimed_source(parse_words(text))
        if claimed is None or same_source(claimed, attribution.source):
            return None
        evidence = self._words(run)
        if any(same_source(claimed, other) for other in reporters(evidence)):
            return None
        if {"i", "we", "my", "our"} & set(evidence.lower):
            return None  # a speaker's own words: who speaks is read from around the quote
        cue = f" ('{attribution.cue}')" if attribution.cue else ""
        return f"the claim says {claimed} said it; the text gives it to {attribution.source}{cue}"

    def _span(self, start: int | None, end: int | None) -> tuple[int, int] | None:
        """A story-text span mapped to the original text."""
        if start is None or end is None:
            return None
        return self.cleaned.to_original(start, end)


def evidence_context(article: TextIndex, claim: Claim) -> str:
    """The sentences of the article that hold a claim's evidence."""
    start, end = enclosing(article.sentences, claim.evidence.start, claim.evidence.end)
    return article.text[start:end]
