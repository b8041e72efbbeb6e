"""Find an evidence quote in the article: exact, then normalized, then fuzzy.

Offsets always index the original string. Normalization works character by character and keeps,
for every normalized character, the index of the original character it came from, so a match in
the normalized text maps back to an exact span of the original, non-ASCII text included.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from summarizer.result import MatchKind

_QUOTES = dict.fromkeys("‘’‚‛′`´", "'") | dict.fromkeys("“”„‟″«»", '"')
_DASHES = dict.fromkeys("‐‑‒–—―−﹘﹣－", "-")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@dataclass(frozen=True)
class Match:
    """Where a quote sits in the original text."""

    start: int
    end: int
    kind: MatchKind
    score: float
    occurrences: int = 1


def _fold(ch: str) -> str:
    """Normalize one character: quotes, dashes, compatibility forms, case and accents."""
    ch = _QUOTES.get(ch) or _DASHES.get(ch) or ch
    if ch.isspace():
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.casefold()


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Return the normalized text and, for each of its characters, the original index.

    Whitespace runs become one space; invisible characters and combining marks are dropped.
    """
    out: list[str] = []
    src: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        folded = _fold(ch)
        if folded == " " and (not out or out[-1] == " "):
            continue
        for c in folded:
            out.append(c)
            src.append(i)
    return "".join(out), src


def normalize(text: str) -> str:
    """The normalized form of ``text`` with outer whitespace removed."""
    return normalize_with_map(text)[0].strip()


class TextIndex:
    """An article prepared for repeated quote look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _normalized(self) -> tuple[str, list[int]]:
        return normalize_with_map(self.text)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans of the text (see :func:`sentence_spans`)."""
        return sentence_spans(self.text)

    def normalized(self) -> tuple[str, list[int]]:
        """The normalized text and its map back to original indices."""
        return self._normalized

    def locate(self, quote: str, *, fuzzy_threshold: float) -> Match | None:
        """Find ``quote`` in the text, or return None when nothing reaches the threshold.

        The first occurrence wins when a quote occurs more than once; ``occurrences`` says how
        many there were.
        """
        quote = quote.strip()
        if not quote:
            return None
        start = self.text.find(quote)
        if start >= 0:
            return Match(start, start + len(quote), MatchKind.EXACT, 100.0, self.text.count(quote))
        norm_text, src = self._normalized
        norm_quote = normalize(quote)
        if not norm_quote:
            return None
        pos = norm_text.find(norm_quote)
        if pos >= 0:
            span = self._to_original(pos, pos + len(norm_quote))
            return Match(*span, MatchKind.NORMALIZED, 100.0, norm_text.count(norm_quote))
        return self._fuzzy(norm_quote, fuzzy_threshold)

    def _fuzzy(self, norm_quote: str, threshold: float) -> Match | None:
        norm_text, _ = self._normalized
        found = fuzz.partial_ratio_alignment(norm_quote, norm_text, score_cutoff=threshold)
        if found is None or found.dest_end <= found.dest_start:
            return None
        start, end = _snap_to_words(norm_text, found.dest_start, found.dest_end)
        return Match(*self._to_original(start, end), MatchKind.FUZZY, round(found.score, 1))

    def _to_original(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        norm_text, src = self._normalized
        while norm_start < norm_end and norm_text[norm_start] == " ":
            norm_start += 1
        while norm_end > norm_start and norm_text[norm_end - 1] == " ":
            norm_end -= 1
        start, end = src[norm_start], src[norm_end - 1] + 1
        # Keep trailing combining marks and invisible characters with the last character.
        while end < len(self.text) and (
            unicodedata.combining(self.text[end]) or self.text[end] in _INVISIBLE
        ):
            end += 1
        return start, end


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so it neither starts nor ends inside a word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n\s*")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentence-like spans (newlines always end one), trimmed of whitespace."""
    spans = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The smallest run of spans that covers [start, end)."""
    covering = [s for s in spans if s[1] > start and s[0] < end]
    if not covering:
        return start, end
    return min(start, covering[0][0]), max(end, covering[-1][1])
