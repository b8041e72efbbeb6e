"""Find an evidence quote in the article: exact, then normalized, then fuzzy.

Offsets always index the original string. Normalization works character by character and keeps,
for every normalized character, the index of the original character it came from, so a match in
the normalized text maps back to an exact span of the original, non-ASCII text included.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz

from summarizer.result import MatchKind
from summarizer.text.sentences import sentence_spans

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


def normalize_with_map(text: str) -> tuple[str, Sequence[int]]:
    """Return the normalized text and, for each of its characters, the original index.

    Whitespace runs become one space; invisible characters and combining marks are dropped.
    """
    if text.isascii():
        return _normalize_ascii(text)
    folded = _FOLDED
    out: list[str] = []
    src = array("q")
    for i, ch in enumerate(text):
        f = folded.get(ch)
        if f is None:
            f = folded[ch] = "" if ch in _INVISIBLE else _fold(ch)
        if f == " " and (not out or out[-1] == " "):
            continue
        for c in f:
            out.append(c)
            src.append(i)
    return "".join(out), src


# What each character folds to, filled as characters are met: one entry per distinct one.
_FOLDED: dict[str, str] = {}
_SPACE_RUN = re.compile(r"\s+")


def _normalize_ascii(text: str) -> tuple[str, Sequence[int]]:
    """:func:`normalize_with_map` for ASCII text, where folding is lower case and backticks,
    a slice at a time instead of a character at a time."""
    lowered = text.lower().replace("`", "'")
    out: list[str] = []
    src = array("q")
    pos = 0
    for run in _SPACE_RUN.finditer(lowered):
        start, end = run.span()
        if start > pos:
            out.append(lowered[pos:start])
            src.extend(range(pos, start))
        if out:  # whitespace before any text is dropped
            out.append(" ")
            src.append(start)
        pos = end
    if pos < len(lowered):
        out.append(lowered[pos:])
        src.extend(range(pos, len(lowered)))
    return "".join(out), src


def normalize(text: str) -> str:
    """The normalized form of ``text`` with outer whitespace removed."""
    return normalize_with_map(text)[0].strip()


class TextIndex:
    """An article prepared for repeated quote look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _normalized(self) -> tuple[str, Sequence[int]]:
        return normalize_with_map(self.text)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans of the text (see :func:`sentence_spans`)."""
        return sentence_spans(self.text)

    def normalized(self) -> tuple[str, Sequence[int]]:
        """The normalized text and its map back to original indices."""
        return self._normalized

    def locate(self, quote: str, *, fuzzy_threshold: float) -> Match | None:
        """Find ``quote`` in the text, or return None when nothing reaches the threshold.

        The first occurrence wins when a quote occurs more than once; ``occurrences`` says how
        many there were (overlapping ones included).
        """
        quote = quote.strip()
        if not quote:
            return None
        exact = _find_all(self.text, quote)
        if exact:
            return Match(exact[0], exact[0] + len(quote), MatchKind.EXACT, 100.0, len(exact))
        norm_text, src = self._normalized
        norm_quote = normalize(quote)
        if not norm_quote:
            return None
        # A match must begin and end on whole original characters: "s" is not found inside "ß".
        hits = [
            p
            for p in _find_all(norm_text, norm_quote)
            if (p == 0 or src[p - 1] != src[p])
            and (
                p + len(norm_quote) == len(src)
                or src[p + len(norm_quote)] != src[p + len(norm_quote) - 1]
            )
        ]
        if hits:
            span = self.from_normalized(hits[0], hits[0] + len(norm_quote))
            if span is not None:
                return Match(*span, MatchKind.NORMALIZED, 100.0, len(hits))
        return self._fuzzy(norm_quote, fuzzy_threshold)

    def _fuzzy(self, norm_quote: str, threshold: float) -> Match | None:
        norm_text, _ = self._normalized
        found = fuzz.partial_ratio_alignment(norm_quote, norm_text, score_cutoff=threshold)
        if found is None or found.dest_end <= found.dest_start:
            return None
        start, end = _snap_to_words(norm_text, found.dest_start, found.dest_end)
        span = self.from_normalized(start, end)
        if span is None:
            return None
        return Match(*span, MatchKind.FUZZY, round(found.score, 1))

    def from_normalized(self, norm_start: int, norm_end: int) -> tuple[int, int] | None:
        """Map a span of the normalized text to the original, trimmed of outer whitespace;
        None when nothing but whitespace is left."""
        norm_text, src = self._normalized
        while norm_start < norm_end and norm_text[norm_start] == " ":
            norm_start += 1
        while norm_end > norm_start and norm_text[norm_end - 1] == " ":
            norm_end -= 1
        if norm_start >= norm_end:
            return None
        start, end = src[norm_start], src[norm_end - 1] + 1
        # Keep trailing combining marks and invisible characters with the last character.
        while end < len(self.text) and (
            unicodedata.combining(self.text[end]) or self.text[end] in _INVISIBLE
        ):
            end += 1
        return start, end


def _find_all(haystack: str, needle: str) -> list[int]:
    """Every start of ``needle`` in ``haystack``, overlapping ones included."""
    found = []
    pos = haystack.find(needle)
    while pos >= 0:
        found.append(pos)
        pos = haystack.find(needle, pos + 1)
    return found


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) so it neither starts nor ends inside a word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end
