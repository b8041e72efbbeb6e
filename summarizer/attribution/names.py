"""Source names: finding one in the article, comparing two, and telling what kind one is.

A source passes :class:`SourceFinder` when its full name occurs as whole words, or when a
distinctive part of it does ("Umerov" for "Rustem Umerov"). Titles, roles and function words are
not distinctive: "the president" does not pass on the strength of "president" alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.attribution.parse import pipeline
from summarizer.schema import SourceKind
from summarizer.text.grounding import TextIndex, normalize

_NOT_DISTINCTIVE = frozenset(
    """
    a an the of and or for in on at to by with from de la le van von der al
    mr mrs ms dr sir lord lady prof gen col capt sen rep gov
    president minister prime chief head secretary spokesman spokeswoman spokesperson
    official officials source sources report reports statement statements news agency
    office ministry department government administration committee council board
    chairman chairwoman director leader member members senior deputy former national
    people spokespeople
    security foreign defense defence state federal press media correspondent
    """.split()
)


MAX_NAME_WORDS = 10


class SourceFinder:
    """Finds source names in one article."""

    def __init__(self, index: TextIndex, *, ignore: list[tuple[int, int]] | None = None) -> None:
        """``ignore``: spans of the text where a name does not count (planted instructions)."""
        self._index = index
        self._ignore = ignore or []
        self._norm_text = index.normalized()[0]

    def find(self, name: str) -> tuple[int, int] | None:
        """Return the span of the name, or of a distinctive part of it, in the original text."""
        norm_name = normalize(name)
        if not norm_name:
            return None
        hit = self._search(norm_name)
        if hit:
            return hit
        words = re.findall(r"\w+", norm_name)
        if len(words) > MAX_NAME_WORDS:
            return None  # a sentence, not a name
        tokens = [t for t in words if distinctive(t, name)]
        # The surname alone will do ("Umerov"); otherwise half the distinctive words must occur.
        found = [(t, self._search(t)) for t in reversed(tokens)]
        hits = [span for _, span in found if span]
        if found and found[0][1]:
            return found[0][1]
        if hits and 2 * len(hits) >= len(tokens):
            return hits[0]
        return None

    def find_phrase(self, phrase: str) -> tuple[int, int] | None:
        """Return the span of the whole phrase (normalized, as whole words), or None."""
        norm = normalize(phrase)
        return self._search(norm) if norm else None

    def _search(self, norm: str) -> tuple[int, int] | None:
        for m in _word_pattern(norm).finditer(self._norm_text):
            span = self._index.from_normalized(m.start(), m.end())
            if span and not any(a < span[1] and span[0] < b for a, b in self._ignore):
                return span
        return None


def distinctive(token: str, original: str) -> bool:
    """Whether a word of a name tells it from others (not a title, role or function word)."""
    # Plurals of roles are no more distinctive than the roles: "leaders", "spokesmen".
    forms = {
        token,
        token.removesuffix("s"),
        re.sub(r"ies$", "y", token),
        re.sub(r"men$", "man", token),
    }
    if token.isdigit() or forms & _NOT_DISTINCTIVE:
        return False
    # Short tokens count only as acronyms written in capitals ("AP", "UN", "EU").
    return len(token) >= 3 or bool(re.search(rf"\b{re.escape(token.upper())}\b", original))


# Scripts written without spaces between words: a name there has no word boundary to check.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


@lru_cache(maxsize=1024)
def _word_pattern(norm: str) -> re.Pattern[str]:
    before = "" if _UNSPACED.match(norm[0]) else r"(?<!\w)"
    after = "" if _UNSPACED.match(norm[-1]) else r"(?!\w)"
    return re.compile(before + re.escape(norm) + after)


def same_source(a: str, b: str) -> bool:
    """Whether two ways of writing a source name the same one: one contains the other, or they
    share a distinctive word ("Umerov" and "national security chief, Rustem Umerov")."""
    na, nb = normalize(a), normalize(b)
    if na and nb and (_contains_words(nb, na) or _contains_words(na, nb)):
        return True
    words_a = {w for w in re.findall(r"\w+", na) if distinctive(w, a)}
    words_b = {w for w in re.findall(r"\w+", nb) if distinctive(w, b)}
    return bool(words_a & words_b)


_MEDIA = re.compile(
    r"\b(news|times|post|journal|press|agency|reuters|ap|afp|bbc|cnn|tv|radio|report(s|ed)?|"
    r"newspaper|magazine|media|outlet|wire|tribune|herald|gazette|bloomberg)\b",
    re.IGNORECASE,
)
_GOVERNMENT = re.compile(
    r"\b(officials?|government|ministry|minister|president|kremlin|white house|pentagon|police|"
    r"department|administration|state|senator|governor|mayor|army|military|authorities|"
    r"council|parliament|congress|embassy|spokes(man|woman|person))\b",
    re.IGNORECASE,
)
_DOCUMENT = re.compile(
    r"\b(statements?|documents?|filings?|records?|letters?|study|survey)\b", re.I
)


def _contains_words(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as whole words ("UK" is not in "Ukrainian")."""
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def kind_of(source: str) -> SourceKind:
    """A best guess at what kind of source a name is, from its words and, for a place, the
    named entities of the parse.

    Raises:
        ConfigError: if the spaCy model is not installed.
    """
    if _MEDIA.search(source):
        return SourceKind.MEDIA
    if _DOCUMENT.search(source):
        return SourceKind.DOCUMENT
    # Titles and bodies ("President", "the State Department") say government unless a
    # personal name is left once they are taken out ("President Volodymyr Zelenskyy").
    rest = _GOVERNMENT.sub(" ", source)
    names = [w for w in rest.split() if w[:1].isupper()]
    if _GOVERNMENT.search(source):
        return SourceKind.PERSON if len(names) >= 2 else SourceKind.GOVERNMENT
    if _place(source):
        return SourceKind.GOVERNMENT  # a country or city speaking is its government ("Turkey")
    if len(names) >= 2 and len(source.split()) <= 6 or len(source.split()) == len(names) == 1:
        return SourceKind.PERSON
    return SourceKind.ORGANIZATION


@lru_cache(maxsize=4096)
def _place(source: str) -> bool:
    """Whether the whole name is a country, state or city (spaCy's GPE entity)."""
    doc = pipeline()(source)
    words = [t for t in doc if not (t.is_punct or t.lower_ == "the")]
    return bool(words) and all(t.ent_type_ == "GPE" for t in words)
