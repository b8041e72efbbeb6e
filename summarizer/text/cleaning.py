"""Find the story in copied page text and drop the page furniture around it, keeping offsets.

Works line by line. A line is *prose* when it reads like a sentence of the story (enough words,
sentence punctuation, no call to action). The story is the densest stretch of prose on the page:
the run of lines whose story words most outweigh the menus, link lists and buttons inside it, so
a long story after dozens of menu lines is found however many plausible short lines come first.
Before it, navigation goes and the title, standfirst, byline and dateline stay; after it, lists
of links, teasers, calls to action and comment blocks go. Inside it, headed blocks of related
links ("Related", "Latest Articles", "Top Stories") and runs of short link-like lines go, while
single subheadings, quoted lines and short paragraphs that end a sentence stay.

A safety net keeps the story when the rules get a page wrong: if they would keep less than a
quarter of the page's prose, every prose line stays; if they would cut the longest prose
paragraph, it stays. Either way :attr:`Cleaned.warnings` says what happened.

The cleaned text is the original with whole lines cut out, so a span of the cleaned text maps
back to the original with ``Cleaned.to_original`` (summarizer.text.story).
"""

from __future__ import annotations

from summarizer.text.furniture import Line, lines_of
from summarizer.text.story import Cleaned, Removed, unchanged

# Kadane-style story search: a furniture line inside a stretch of story costs as much as this
# many words of prose (a labelled junk line twice as much), so a caption between two long runs of
# prose stays inside the story while a menu of dozens of short lines splits the page.
_LINE_COST = 10.0
# The first lines of a run of furniture cost nothing: a caption, a credit or a "Related" pair.
_FREE_GAP = 3
# Above the story, more than this many furniture lines in a row (a menu: short items, links)
# end its lead-in (standfirst, byline, dateline).
_LEAD_IN_GAP = 2
# Two teasers (headline over dateline) this many lines apart or closer make a list of them.
_TEASER_REACH = 8
# Cleaning that keeps less than this share of a page's prose has lost the story.
_MIN_PROSE_SHARE = 0.25


def clean(text: str) -> Cleaned:
    """Drop page furniture from plain text.

    Returns the text unchanged when no story is found. When the rules would keep too little of
    the page's prose, or would cut its longest prose paragraph, that prose stays and
    ``Cleaned.warnings`` says so.
    """
    lines = lines_of(text)
    if not any(line.prose for line in lines):
        return unchanged(text)
    first, last = _story_region(lines)
    labels: dict[int, str] = {}
    _label_head(lines, first, labels)
    last = _before_teasers(lines, first, last)
    end = _label_tail(lines, last, labels)
    _label_inside(lines, first, end, labels)
    warnings = _keep_lost_prose(lines, labels)
    return _cut(text, lines, labels, warnings)


def _scores(lines: list[Line]) -> list[float]:
    """What each line adds to a stretch of story: its words if it reads as story (a sentence,
    or a paragraph too long for a menu); a cost if it is furniture, once a run of furniture
    grows past what a story's captions and share buttons take up."""
    out = []
    gap = 0
    for line in lines:
        if line.blank:
            out.append(0.0)
        elif line.paragraph or (line.sentence and line.words >= 3 and line.junk is None):
            gap = 0
            out.append(float(line.words))
        else:
            gap += 1
            cost = 2 * _LINE_COST if line.junk else _LINE_COST
            out.append(0.0 if gap <= _FREE_GAP else -cost)
    return out


def _story_region(lines: list[Line]) -> tuple[int, int]:
    """The first and last prose line of the densest stretch of prose: the stretch whose story
    words outweigh the cost of the furniture inside it by the most (Kadane's maximum-sum run)."""
    best, best_span = float("-inf"), (0, 0)
    total, start = 0.0, 0
    for i, score in enumerate(_scores(lines)):
        if total <= 0 and score > 0:
            total, start = 0.0, i
        total += score
        if lines[i].prose and total > best:
            best, best_span = total, (start, i)
    first = next(i for i in range(best_span[0], best_span[1] + 1) if lines[i].prose)
    return first, best_span[1]


def _label_head(lines: list[Line], first: int, labels: dict[int, str]) -> None:
    """Before the story, keep the title with its byline and dateline, and the lead-in just
    above the story (standfirst, dateline, byline); drop navigation and everything further up.
    """
    lead = first
    furniture = 0
    for i in range(first - 1, -1, -1):
        line = lines[i]
        if line.blank or line.dateline or (line.words >= 8 and line.junk is None):
            lead = i
            furniture = 0
            continue
        furniture += line.junk != "caption"  # a photo's caption and credit sit in a lead-in
        if furniture > _LEAD_IN_GAP:
            break
    keep = set(range(lead, first))
    # The title sits just above the story, or just above the byline and dateline nearest the
    # story (a caption that happens to give a date is a sentence, not a dateline).
    anchor = next(
        (i for i in range(first - 1, -1, -1)
         if lines[i].dateline and not (lines[i].sentence and lines[i].words > 6)),
        lead,
    )  # fmt: skip
    near, above = _title(lines, first), _title(lines, anchor)
    titles = {i for i in (near, above) if i is not None}
    if above is not None:
        keep.update(range(above, anchor + 1))  # the title with its own byline and dateline
    keep.update(titles)
    for i in range(first):
        line = lines[i]
        if line.blank:
            continue
        if i not in keep:
            labels[i] = line.junk or ("before_story" if line.words >= 8 else "navigation")
        elif i not in titles and not line.dateline and (line.junk or line.words < 8):
            labels[i] = line.junk or "navigation"


def _title(lines: list[Line], below: int) -> int | None:
    """The headline: the nearest line of a few words above ``below`` that is not a sentence of
    the story, a dateline or furniture, within a few lines."""
    seen = 0
    for i in range(below - 1, -1, -1):
        line = lines[i]
        if line.blank or line.dateline:
            continue
        if line.junk is None and line.words >= 3 and not line.prose:
            return i
        seen += 1
        if seen > _LEAD_IN_GAP:
            return None
    return None


def _before_teasers(lines: list[Line], first: int, last: int) -> int:
    """Headlines followed by datelines, two within a few lines once the story has begun, open
    a list of teasers for other stories: the story ends at the last prose line before it. (One
    subheading over a dated line is part of the story, a timeline say.)"""
    teasers = [k for k in range(first + 3, last + 1) if _teaser(lines, first, k)]
    for a, b in zip(teasers, teasers[1:], strict=False):
        if b - a <= _TEASER_REACH:
            headline = _above(lines, first, a)
            return max((i for i in range(first, headline) if lines[i].prose), default=first)
    return last


def _above(lines: list[Line], first: int, k: int) -> int:
    """The nearest line above ``k`` that is not blank (``first`` at most)."""
    k -= 1
    while k > first and lines[k].blank:
        k -= 1
    return k


def _teaser(lines: list[Line], first: int, k: int) -> bool:
    """Line ``k`` is a teaser's date under its headline."""
    headline = _above(lines, first, k)
    return lines[k].dated and headline > first and _link_like(lines[headline])


def _label_tail(lines: list[Line], last: int, labels: dict[int, str]) -> int:
    """The story ends at its last prose line, extended over short sentences that follow it
    directly; whatever comes after is furniture. Returns the story's last line."""
    end = last
    while end + 1 < len(lines) and (
        lines[end + 1].blank
        or (lines[end + 1].sentence and lines[end + 1].junk is None and lines[end + 1].words >= 3)
    ):
        end += 1
    for i in range(end + 1, len(lines)):
        if not lines[i].blank:
            labels[i] = lines[i].junk or "after_story"
    return end


def _label_inside(lines: list[Line], first: int, end: int, labels: dict[int, str]) -> None:
    """Inside the story, a related-links or comments heading opens a block of links that runs
    until the story resumes at a prose line; runs of two or more short link-like lines go."""
    i = first
    while i <= end:
        line = lines[i]
        kind = line.junk
        if kind in ("related_links", "comments") and not line.prose:
            j = i + 1
            while j <= end and not lines[j].paragraph:
                j += 1
            for k in range(i, j):
                if not lines[k].blank:
                    labels[k] = kind
            i = j
            continue
        if kind and not line.prose:
            labels[i] = kind
        i += 1
    run: list[int] = []
    for i in range(first, end + 2):
        if i <= end and lines[i].blank:
            continue
        if i <= end and _link_like(lines[i]) and i not in labels:
            run.append(i)
            continue
        if len(run) >= 2:
            labels.update(dict.fromkeys(run, "link_list"))
        run = []


def _keep_lost_prose(lines: list[Line], labels: dict[int, str]) -> list[str]:
    """The safety net: when the labels would keep less than a small share of the page's prose,
    every prose line stays; when they would cut the longest prose paragraph, it stays. Returns
    a warning for each time it acted."""
    prose = [i for i, line in enumerate(lines) if line.prose]
    total = sum(len(lines[i].text) for i in prose)
    kept = sum(len(lines[i].text) for i in prose if i not in labels)
    if kept < _MIN_PROSE_SHARE * total:
        for i in prose:
            labels.pop(i, None)
        return [
            f"cleaning would have kept {kept / total:.0%} of the page's prose; every prose "
            f"paragraph ({len(prose)}) was kept, with the page furniture around them removed"
        ]
    longest = max(prose, key=lambda i: len(lines[i].text))
    if longest in labels:
        label = labels.pop(longest)
        return [
            f"cleaning would have removed the page's longest prose paragraph (as {label}, "
            f"{len(lines[longest].text)} characters at offset {lines[longest].start}); it was kept"
        ]
    return []


def _link_like(line: Line) -> bool:
    """A short line that is not a sentence: a link, a tag or a subheading."""
    return not line.sentence and line.words <= 10 and not line.dateline


def _absorb_blanks(lines: list[Line], labels: dict[int, str]) -> None:
    """Blank lines between removed lines, or between removed lines and an edge, go too."""
    i = 0
    while i < len(lines):
        if not lines[i].blank or i in labels:
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].blank:
            j += 1
        before = labels.get(i - 1) if i > 0 else "edge"
        after = labels.get(j) if j < len(lines) else "edge"
        if before and after and not before == after == "edge":
            label = before if before != "edge" else after
            labels.update(dict.fromkeys(range(i, j), label))
        i = j


def _cut(text: str, lines: list[Line], labels: dict[int, str], warnings: list[str]) -> Cleaned:
    """Remove the labelled lines (with their line breaks); merge neighbours into spans."""
    _absorb_blanks(lines, labels)
    removed: list[Removed] = []
    pieces: list[tuple[int, int, int]] = []
    parts: list[str] = []
    cursor = 0  # original offset up to which text is accounted for
    clean_len = 0
    for i, line in enumerate(lines):
        if i not in labels:
            continue
        next_start = lines[i + 1].start if i + 1 < len(lines) else len(text)
        start, stop = line.start, next_start
        if removed and removed[-1].end == start and removed[-1].label == labels[i]:
            removed[-1] = Removed(removed[-1].start, stop, labels[i])
        else:
            removed.append(Removed(start, stop, labels[i]))
        if start > cursor:
            pieces.append((clean_len, cursor, start - cursor))
            parts.append(text[cursor:start])
            clean_len += start - cursor
        cursor = stop
    if cursor < len(text) or not pieces:
        pieces.append((clean_len, cursor, len(text) - cursor))
        parts.append(text[cursor:])
    return Cleaned(text, "".join(parts), removed, pieces, warnings)
