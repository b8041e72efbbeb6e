"""What page furniture looks like, line by line: the patterns of menus, calls to action, legal
notes, captions and comment blocks, and what a line of story text reads like."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)\]]*$")

_WORD = re.compile(r"\w+(?:['’.-]\w+)*")

_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)

_BYLINE = re.compile(r"^(by|updated|published|first published)\b", re.IGNORECASE)


# Full-line patterns, most specific first. Each names what a person checking sees.
_JUNK_LINES: list[tuple[str, re.Pattern[str]]] = [
    (
        "comments",
        re.compile(
            r"^(\d+\s+)?comments?(\s*\(\d+\))?$|^no comments( yet)?\.?$|^(leave|post|add) a "
            r"(comment|reply)|^be the first to comment|^(show|view|hide) (all )?comments",
            re.IGNORECASE,
        ),
    ),
    (
        "related_links",
        re.compile(
            r"^#*\s*(related( articles| stories| content| internet links| topics)?|latest"
            r"( articles| news| stories)?|top stories|most (read|popular|viewed|shared)|"
            r"recommended( for you)?|trending( now)?|you (may|might) also like|read (more|next|"
            r"also)|more (from|on|stories)\b.*|features|elsewhere on\b.*|more in\b.*|"
            r"around the web|editor'?s picks)\s*:?$",
            re.IGNORECASE,
        ),
    ),
    (
        "call_to_action",
        re.compile(
            r"\b(subscribe|sign up|sign in|log in|newsletter|delivered to your inbox|stay ahead "
            r"of|follow us|share (this|on)|download (our|the) app|get (news )?alerts|support the "
            r"guardian|donate now|click here|available for everyone, funded by readers)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "legal",
        re.compile(
            r"all rights reserved|^©|^copyright\b|privacy policy|terms (of|and) (use|service|"
            r"conditions)|cookie|reuse this content|not responsible for the content of external",
            re.IGNORECASE,
        ),
    ),
    (
        "navigation",
        re.compile(
            r"^#*\s*(home|menu|search|skip to (main )?content|back to top|accessibility links|"
            r"navigation|.*\bnavigation|current edition:?|.* - back to home|search jobs)$|"
            r"\bwill open in a new (window|tab)\.?$",
            re.IGNORECASE,
        ),
    ),
    ("metadata", re.compile(r"^\(meta ?data\)", re.IGNORECASE)),
    (
        "advertising",
        re.compile(
            r"^(advertisement|advertising|sponsored( content)?|story continues below"
            r"( advertisement)?|(article|story) continues (below|after (this )?advertisement))$",
            re.IGNORECASE,
        ),
    ),
    (
        "caption",
        re.compile(
            r"^(image|photo|video|media) ?(copyright|caption|source)|^photograph:|^getty images$|"
            r"^media playback is (unsupported|not supported)",
            re.IGNORECASE,
        ),
    ),
]


@dataclass
class Line:
    """One line of the page text, with what the rules ask of it."""

    start: int
    end: int  # without the line break
    text: str

    @cached_property
    def words(self) -> int:
        return len(_WORD.findall(self.text))

    @cached_property
    def blank(self) -> bool:
        return not self.text.strip()

    @cached_property
    def junk(self) -> str | None:
        stripped = self.text.strip()
        for label, pattern in _JUNK_LINES:
            # A long sentence that merely mentions "cookie" or "sign in" is story, not junk.
            if pattern.search(stripped) and (label != "legal" or self.words < 25):
                if label == "call_to_action" and self.words > 25:
                    continue
                return label
        return None

    @cached_property
    def sentence(self) -> bool:
        return bool(_SENTENCE_END.search(self.text.strip()))

    @cached_property
    def prose(self) -> bool:
        return self.words >= 8 and self.sentence and self.junk is None

    @cached_property
    def paragraph(self) -> bool:
        """Prose, or a line too long for a menu or a link even without a full stop."""
        return self.prose or (self.words >= 20 and self.junk is None)

    @cached_property
    def dated(self) -> bool:
        """A short line that gives a date."""
        return bool(_DATE.search(self.text)) and self.words <= 14

    @cached_property
    def dateline(self) -> bool:
        """A date, byline or "Updated ..." line."""
        return self.dated or (bool(_BYLINE.search(self.text.strip())) and self.words <= 14)


def lines_of(text: str) -> list[Line]:
    """The lines of ``text`` with their offsets, line breaks left out."""
    out = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return out
