"""The story's sentences as spans of its text: the one sentence splitter, used to number the
sentences a claim cites, to split long articles and to find the sentences around a span.

A sentence ends at ., !, ? or … (with any closing quote or bracket) followed by space, and at
every line break; a period after a known abbreviation ("Mr.", "U.S."), an initial, or before a
lower-case word does not end one.
"""

from __future__ import annotations

import bisect
import itertools
import re

# A sentence ends at . ! ? or … (closing quotes and brackets stay with it) before whitespace,
# or at a line break.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?P<gap>\s+)|(?P<nl>\s*\n\s*)")


# Words whose period does not end a sentence ("Mr. Smith", "the U.S. envoy").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen rep gov gen lt col capt sgt prof rev st jr sr mt ft no vs etc "
    "a.m p.m u.s u.n d.c u.k e.g i.e".split()
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentence-like spans (newlines always end one), trimmed of whitespace.

    A period after an abbreviation or an initial ("Mr.", "U.S.", "J.") ends no sentence, nor
    does one followed by a lower-case word.
    """
    spans = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group("gap") is not None and _continues(text, m.start(), m.end()):
            continue
        cut = m.start("gap") if m.group("gap") is not None else m.start("nl")
        spans.append((pos, cut))
        pos = m.end()
    spans.append((pos, len(text)))
    trimmed = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            trimmed.append((a, b))
    return trimmed


def _continues(text: str, stop: int, after: int) -> bool:
    """Whether the sentence goes on past the punctuation at ``stop`` (followed by whitespace
    up to ``after``, with no line break)."""
    if text[stop] != "." or after >= len(text) or "\n" in text[stop:after]:
        return False
    nxt = text[after]
    if nxt.islower():
        return True
    word = text[max(0, stop - 12) : stop].rsplit(None, 1)[-1:] or [""]
    last = word[0].lstrip("(\"'“‘").lower()
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def enclosing(spans: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to the sentences it covers.

    A sentence the span merely grazes (less than half of it and under 40 characters, like the
    last word of the previous sentence) does not count, so that it cannot lend its words to a
    claim; when every overlap is that small, the largest one counts.
    """
    first = bisect.bisect_right(spans, start, key=lambda s: s[1])  # the first ending after start
    overlaps = []
    for a, b in itertools.islice(spans, first, None):
        if a >= end:
            break
        overlaps.append((min(b, end) - max(a, start), (a, b)))
    if not overlaps:
        return start, end
    counted = [s for n, s in overlaps if n >= 40 or 2 * n >= s[1] - s[0]]
    if not counted:
        counted = [max(overlaps)[1]]
    return min(start, counted[0][0]), max(end, counted[-1][1])
