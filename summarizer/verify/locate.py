"""Where a text states a claim: the numbered sentences whose words back it best.

Targeted re-asks offer the likeliest sentences to the model; the verifier itself takes the best
run of them when the sentences a claim cites do not back it.
"""

from __future__ import annotations

import weakref

from summarizer.text.pointers import Numbered
from summarizer.verify.support import Profile, support

# Each text's sentence profiles, worked out when first needed; they go with the text.
_PROFILES: weakref.WeakKeyDictionary[Numbered, dict[int, Profile]] = weakref.WeakKeyDictionary()


def likeliest(words: list[str], numbered: Numbered, limit: int) -> list[int]:
    """The positions of the ``limit`` numbered sentences holding most of ``words`` (none
    holding nothing), in article order."""
    scored = [(support(words, profile(numbered, i)), i) for i in range(len(numbered.sentences))]
    best = sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]
    return sorted(i for score, i in best if score > 0)


def profile(numbered: Numbered, i: int) -> Profile:
    """The support profile of the ``i``-th numbered sentence."""
    done = _PROFILES.setdefault(numbered, {})
    found = done.get(i)
    if found is None:
        s = numbered.sentences[i]
        found = done[i] = Profile.of(numbered.text[s.start : s.end])
    return found


def windows(count: int, around: list[int], longest: int) -> list[tuple[int, int]]:
    """Every stretch ``[a, b)`` of one to ``longest`` consecutive positions among ``count``
    that holds one of the positions ``around``, each once, in order."""
    return sorted(
        {
            (a, a + n)
            for i in around
            for n in range(1, longest + 1)
            for a in range(max(i - n + 1, 0), min(i, count - n) + 1)
        }
    )


def backing(words: list[str], numbered: Numbered, stretch: tuple[int, int]) -> float:
    """:func:`~summarizer.verify.support.support` of ``words`` by the numbered sentences at
    positions ``[a, b)`` taken together."""
    return support(words, Profile.union(profile(numbered, i) for i in range(*stretch)))
