"""Split a story too long for the model's context into chunks that fit, on paragraph
boundaries, each starting with the end of the one before it.

Chunks are offsets into the story text, never copies of it, so memory grows with the article
and not with the number of chunks. Tokens are counted with the model's own tokenizer where the
backend has one (summarizer.llm.backends), else with the estimate of summarizer.text.tokens,
which errs high.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.text.sentences import sentence_spans
from summarizer.text.tokens import TokenCounter, estimate_tokens

# Paragraphs are lines: news text puts one per line, with or without a blank line between.
_LINE = re.compile(r"[^\n]*\S[^\n]*")
_WORDS = re.compile(r"\S+\s*")
_SHRINK = 0.9  # what a chunk over budget is re-split with, relative to its overshoot


@dataclass(frozen=True)
class Chunk:
    """Characters [start, end) of the story text."""

    start: int
    end: int


def split(
    text: str,
    *,
    budget: int,
    overlap: int,
    count: TokenCounter = estimate_tokens,
) -> list[Chunk]:
    """Chunks of at most ``budget`` tokens (by ``count``) that cover every paragraph of the
    text; each repeats up to ``overlap`` tokens of whole paragraphs from the end of the one
    before, so that a claim and its attribution near a boundary are seen together.

    Paragraphs longer than the budget are split between sentences, and sentences longer than
    it between words. Packing uses :func:`estimate_tokens`; each chunk is then counted once
    with ``count`` and re-split if that count is over budget.
    """
    if budget < 1:
        raise ValueError("budget must be at least one token")
    units = _units(text, 0, len(text), budget)
    chunks: list[Chunk] = []
    for chunk in _pack(text, units, budget, overlap):
        chunks.extend(_fit(text, chunk, budget, budget, overlap, count))
    return chunks


def _fit(
    text: str, chunk: Chunk, budget: int, packed_with: int, overlap: int, count: TokenCounter
) -> list[Chunk]:
    """``chunk`` if ``count`` agrees it fits, else its pieces packed to a smaller estimate."""
    tokens = count(text[chunk.start : chunk.end])
    if tokens <= budget:
        return [chunk]
    smaller = min(packed_with - 1, int(packed_with * budget / tokens * _SHRINK))
    if smaller < 1:
        raise ValueError("the token budget is too small for a single word of the article")
    units = _units(text, chunk.start, chunk.end, smaller)
    pieces: list[Chunk] = []
    for piece in _pack(text, units, smaller, min(overlap, smaller // 2)):
        pieces.extend(_fit(text, piece, budget, smaller, overlap, count))
    return pieces


def _units(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Paragraph spans in [start, end); a paragraph over budget comes as its sentences, and a
    sentence over budget as runs of words."""
    out: list[tuple[int, int]] = []
    for line in _LINE.finditer(text, start, end):
        a, b = line.start(), line.end()
        if estimate_tokens(text[a:b]) <= budget:
            out.append((a, b))
            continue
        for s, e in sentence_spans(text[a:b]):
            s, e = a + s, a + e
            if estimate_tokens(text[s:e]) <= budget:
                out.append((s, e))
            else:
                out.extend(_word_runs(text, s, e, budget))
    return out


def _word_runs(text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
    """Runs of whole words within budget; a word longer than the budget alone (a URL, a
    language written without spaces) is cut between characters."""
    pieces: list[tuple[int, int]] = []
    for word in _WORDS.finditer(text, start, end):
        a, b = word.span()
        while estimate_tokens(text[a:b]) > budget:
            cut, size = a, 0
            while size + len(text[cut].encode("utf-8")) <= 3 * budget:
                size += len(text[cut].encode("utf-8"))
                cut += 1
            pieces.append((a, cut))
            a = cut
        pieces.append((a, b))
    runs: list[tuple[int, int]] = []
    run_start, run_tokens = start, 0
    for a, b in pieces:
        tokens = estimate_tokens(text[a:b])
        if run_tokens and run_tokens + tokens > budget:
            runs.append((run_start, a))
            run_start, run_tokens = a, 0
        run_tokens += tokens
    runs.append((run_start, end))
    return [span for span in (_strip(text, a, b) for a, b in runs) if span[0] < span[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without whitespace at either end (a cut word's last piece may be only
    the space after it)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pack(text: str, units: list[tuple[int, int]], budget: int, overlap: int) -> list[Chunk]:
    """Greedy packing of consecutive units into chunks, with trailing units repeated."""
    sizes = [estimate_tokens(text[a:b]) + 1 for a, b in units]  # +1: the line break
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last, total = first, sizes[first]
        while last + 1 < len(units) and total + sizes[last + 1] <= budget:
            last += 1
            total += sizes[last]
        chunks.append(Chunk(units[first][0], units[last][1]))
        if last + 1 >= len(units):
            break
        # The next chunk starts with the trailing units of this one that fit in the overlap.
        nxt, carried = last + 1, 0
        while nxt - 1 > first and carried + sizes[nxt - 1] <= overlap:
            nxt -= 1
            carried += sizes[nxt]
        # Leave room for at least the next unit after the repeated ones.
        while nxt <= last and carried + sizes[last + 1] > budget:
            carried -= sizes[nxt]
            nxt += 1
        first = nxt
    return chunks
