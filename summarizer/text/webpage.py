"""Raw HTML in, story text and metadata out, through trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.errors import InputError

_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|article|span|a|script|meta)\b",
                  re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Page:
    """What trafilatura found in a page."""

    text: str
    title: str | None
    author: str | None
    date: str | None


def looks_like_html(text: str) -> bool:
    """True for markup rather than prose: a doctype or html tag up front, or many tags."""
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    sample = text[:20_000]
    return len(_TAG.findall(sample)) >= 5 and sample.count("<") > len(sample) / 200


def extract(html: str, *, url: str | None = None) -> Page:
    """Extract the story text, title, author and date from a page.

    Raises:
        InputError: the page holds no article text that trafilatura can find.
    """
    import trafilatura  # imported here: loading it costs about a second

    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, include_tables=False, with_metadata=True
    )
    text = getattr(document, "text", None) or ""
    if not text.strip():
        raise InputError(
            "No article text was found in the HTML. Pass the article's text instead, or the "
            "full page if this was a fragment."
        )
    return Page(
        text=text,
        title=getattr(document, "title", None) or None,
        author=getattr(document, "author", None) or None,
        date=getattr(document, "date", None) or None,
    )
