"""How well a passage backs a claim: the share of its content words the passage holds, and
every number it names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.text.grounding import normalize

_STOPWORDS = frozenset(
    """
    the and for that this with from was were are has have had will would been being its
    their they them than then also into onto over under about after before which while who
    whom whose what when where said says say told according not but can could may might
    should there these those such other some more most very just only any all each both
    """.split()
)

_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")


def support_score(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence; 0 if a number is missing."""
    return support(content_words(claim), Profile.of(evidence))


@dataclass(frozen=True)
class Profile:
    """What :func:`support` needs of a passage, worked out once."""

    stems: frozenset[str]
    numbers: frozenset[str]

    @classmethod
    def union(cls, profiles: Iterable[Profile]) -> Profile:
        """The profile of passages taken together."""
        parts = list(profiles)
        return cls(
            frozenset().union(*(p.stems for p in parts)),
            frozenset().union(*(p.numbers for p in parts)),
        )

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
