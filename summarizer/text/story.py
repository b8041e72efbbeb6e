"""The story text cut out of an article, and the map from its offsets back to the article's.

The story is the original with whole lines cut out (summarizer.text.cleaning), so a span of the
story maps back to the original with :meth:`Cleaned.to_original`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Removed:
    """A span of the original text that was cut, and why."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Cleaned:
    """The story text, what was removed from the original, and the map between the two."""

    original: str
    text: str
    removed: list[Removed]
    # Kept pieces: (start in cleaned text, start in original, length).
    _pieces: list[tuple[int, int, int]] = field(repr=False)
    # What the safety net kept that the rules would have removed, in words for a person.
    warnings: list[str] = field(default_factory=list)

    def to_original(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a cleaned span to the original; None if it straddles removed text."""
        if start >= end:
            return None
        i = bisect.bisect_right(self._starts, start) - 1
        clean_start, orig_start, length = self._pieces[i]
        if end > clean_start + length:
            return None
        return orig_start + (start - clean_start), orig_start + (end - clean_start)

    @cached_property
    def _starts(self) -> list[int]:
        return [p[0] for p in self._pieces]

    def part(self, start: int, end: int) -> tuple[Cleaned, int]:
        """The cleaning of the stretch of the original that holds [start, end) of the story
        text, on its own, and where that stretch begins in the original: offsets into the part
        plus that number are offsets into the whole."""
        first = self.to_original(start, start + 1)
        last = self.to_original(end - 1, end)
        if start >= end or first is None or last is None:
            raise ValueError(f"[{start}, {end}) is not a span of the story text")
        o_start, o_end = first[0], last[1]
        pieces = []
        for clean_start, orig_start, length in self._pieces:
            a, b = max(clean_start, start), min(clean_start + length, end)
            if a < b:
                pieces.append((a - start, orig_start + (a - clean_start) - o_start, b - a))
        removed = [
            Removed(max(r.start, o_start) - o_start, min(r.end, o_end) - o_start, r.label)
            for r in self.removed
            if r.start < o_end and o_start < r.end
        ]
        part = Cleaned(self.original[o_start:o_end], self.text[start:end], removed, pieces)
        return part, o_start

    def removed_at(self, start: int, end: int) -> Removed | None:
        """The removed span that overlaps [start, end) of the original, if any."""
        for r in self.removed:
            if r.start < end and start < r.end:
                return r
        return None


def unchanged(text: str) -> Cleaned:
    """A Cleaned that removes nothing."""
    return Cleaned(text, text, [], [(0, 0, len(text))])
