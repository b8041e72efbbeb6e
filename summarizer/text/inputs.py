"""Accept what a user passes as an article, or say clearly why it cannot be summarized."""

from __future__ import annotations

import re
from typing import Literal

from summarizer.errors import InputError
from summarizer.result import Article, Fetched
from summarizer.settings import Settings
from summarizer.status import status
from summarizer.text.fetch import fetch_page
from summarizer.text.webpage import extract, looks_like_html

_WORD = re.compile(r"[^\W_]")  # a letter or a digit: a text has words
# A word: a run of letters or digits, or one character of a script written without spaces.
_WORDS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
# Fewer words than this is a label or a menu, not an article.
MIN_WORDS = 3
_SURROGATE = re.compile("[\ud800-\udfff]")
_URL_ONLY = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def coerce_article(
    article: object, *, max_chars: int, max_html_chars: int, settings: Settings | None = None
) -> tuple[Article, Literal["text", "html"]]:
    """Return ``article`` as an :class:`Article` with text, and whether it came from HTML.

    An ``Article(url=...)`` with neither text nor HTML is fetched first, within the fetch
    limits of ``settings`` (default: ``Settings()``'s); :func:`fetched_of` says how. HTML
    (fetched, ``Article(html=...)``, or a string that is markup) goes through trafilatura; the
    returned article's text is the extracted story and its title, author-free metadata filled
    in where the page has them.

    Raises:
        InputError: not text, empty, too long, or HTML without article text.
        FetchError: the URL gave no page (see its subclasses).
    """
    article = _as_article(article)
    fetched: Fetched | None = None
    if not article.text and article.html is None and article.url:
        limits = settings or Settings()
        got = fetch_page(
            article.url,
            timeout_s=limits.fetch_timeout_s,
            max_bytes=limits.fetch_max_bytes,
            max_redirects=limits.fetch_max_redirects,
        )
        article, fetched = article.model_copy(update={"html": got.html}), got.fetched
    source: Literal["text", "html"] = "text"
    html = article.html if article.html is not None else None
    if html is None and looks_like_html(article.text):
        html = article.text
    if html is not None:
        article = _from_page(article, html, max_html_chars, fetched.url if fetched else article.url)
        source = "html"
    _check_text(article.text, max_chars)
    article._fetched = fetched
    return article, source


def _as_article(article: object) -> Article:
    """``article`` as an :class:`Article`, or the error that says what to pass instead."""
    if isinstance(article, str):
        return Article(text=article)
    if isinstance(article, (bytes, bytearray, memoryview)):
        raise InputError(
            "The article is bytes, not text: decode it first, for example data.decode('utf-8')."
        )
    if not isinstance(article, Article):
        raise InputError(
            f"The article must be a str or a summarizer.Article, not {type(article).__name__}."
        )
    return article


def _from_page(article: Article, html: str, max_html_chars: int, url: str | None) -> Article:
    """``article`` with the story trafilatura finds in its page as its text, and the page's
    title, author and date where the article has none."""
    if len(html) > max_html_chars:
        raise InputError(
            f"The page is {len(html):,} characters of HTML; the limit is {max_html_chars:,} "
            "(max_html_chars / SUMMARIZER_MAX_HTML_CHARS)."
        )
    status("finding the story in the page")
    page = extract(html, url=url)
    if len(_WORDS.findall(page.text)) < MIN_WORDS:
        raise InputError(
            "No article text was found in the HTML, only a few words of page furniture. "
            "Pass the article's text instead, or the full page if this was a fragment."
        )
    article = article.model_copy(
        update={
            "text": page.text,
            "html": None,
            "title": article.title or page.title,
            "author": article.author or page.author,
        }
    )
    if article.published is None and page.date:
        article = _with_date(article, page.date)
    return article


def fetched_of(article: Article) -> Fetched | None:
    """How :func:`coerce_article` fetched the article's page, or None if it did not."""
    return article._fetched


def _check_text(text: str, max_chars: int) -> None:
    if len(text) > max_chars:
        raise InputError(
            f"The article is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it, or raise max_input_chars (SUMMARIZER_MAX_INPUT_CHARS)."
        )
    if "\x00" in text:
        raise InputError("The article contains NUL characters: it is binary data, not text.")
    if _SURROGATE.search(text):
        raise InputError(
            "The article contains lone UTF-16 surrogates, which no encoding can send: decode "
            "it with errors='replace' (or fix its source) first."
        )
    if not text.strip():
        raise InputError("The article is empty: pass the text of a news article.")
    if not _WORD.search(text):
        raise InputError(
            "The article has no words, only punctuation, symbols or invisible characters: pass "
            "the text of a news article."
        )
    words = len(_WORDS.findall(text))
    if words < MIN_WORDS:
        raise InputError(
            f"The article is too short to summarize ({words} word(s)): pass the text of a "
            "news article."
        )
    if _URL_ONLY.fullmatch(text.strip()):
        raise InputError(
            "The article is only a web address. To fetch the page, pass Article(url=...) (or "
            "the URL alone on the command line); otherwise pass its text or HTML."
        )


def _with_date(article: Article, date: str) -> Article:
    try:
        return Article.model_validate({**article.model_dump(), "published": date})
    except ValueError:
        return article
