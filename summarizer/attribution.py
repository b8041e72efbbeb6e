"""Check that a named source really occurs in the article.

A source passes when its full name occurs as whole words, or when a distinctive part of it does
("Umerov" for "Rustem Umerov"). Titles, roles and function words are not distinctive: "the
president" does not pass on the strength of "president" alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.grounding import TextIndex, normalize

_NOT_DISTINCTIVE = frozenset(
    """
    a an the of and or for in on at to by with from de la le van von der al
    mr mrs ms dr sir lord lady prof gen col capt sen rep gov
    president minister prime chief head secretary spokesman spokeswoman spokesperson
    official officials source sources report reports statement statements news agency
    office ministry department government administration committee council board
    chairman chairwoman director leader member members senior deputy former national
    security foreign defense defence state federal press media correspondent
    """.split()
)


class SourceFinder:
    """Finds source names in one article."""

    def __init__(self, index: TextIndex) -> None:
        self._index = index
        self._norm_text, self._src = index.normalized()

    def find(self, name: str) -> tuple[int, int] | None:
        """Return the span of the name, or of a distinctive part of it, in the original text."""
        norm_name = normalize(name)
        if not norm_name:
            return None
        hit = self._search(norm_name)
        if hit:
            return hit
        tokens = [t for t in re.findall(r"\w+", norm_name) if _distinctive(t, name)]
        for token in reversed(tokens):  # surname first
            hit = self._search(token)
            if hit:
                return hit
        return None

    def find_phrase(self, phrase: str) -> tuple[int, int] | None:
        """Return the span of the whole phrase (normalized, as whole words), or None."""
        norm = normalize(phrase)
        return self._search(norm) if norm else None

    def _search(self, norm: str) -> tuple[int, int] | None:
        m = _word_pattern(norm).search(self._norm_text)
        if not m:
            return None
        return self._src[m.start()], self._src[m.end() - 1] + 1


def _distinctive(token: str, original: str) -> bool:
    if token in _NOT_DISTINCTIVE or token.isdigit():
        return False
    # Short tokens count only as acronyms written in capitals ("AP", "UN", "EU").
    return len(token) >= 3 or bool(re.search(rf"\b{re.escape(token.upper())}\b", original))


@lru_cache(maxsize=1024)
def _word_pattern(norm: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(norm)}(?!\w)")
