"""Accept what a user passes as an article, or say clearly why it cannot be summarized."""

from __future__ import annotations

from typing import Literal

from summarizer.errors import InputError
from summarizer.result import Article
from summarizer.webpage import extract, looks_like_html


def coerce_article(
    article: object, *, max_chars: int, max_html_chars: int
) -> tuple[Article, Literal["text", "html"]]:
    """Return ``article`` as an :class:`Article` with text, and whether it came from HTML.

    HTML (``Article(html=...)``, or a string that is markup) goes through trafilatura; the
    returned article's text is the extracted story and its title, author-free metadata filled
    in where the page has them.

    Raises:
        InputError: not text, empty, too long, or HTML without article text.
    """
    if isinstance(article, str):
        article = Article(text=article)
    elif isinstance(article, (bytes, bytearray, memoryview)):
        raise InputError(
            "The article is bytes, not text: decode it first, for example data.decode('utf-8')."
        )
    elif not isinstance(article, Article):
        raise InputError(
            f"The article must be a str or a summarizer.Article, not {type(article).__name__}."
        )
    source: Literal["text", "html"] = "text"
    html = article.html if article.html is not None else None
    if html is None and looks_like_html(article.text):
        html = article.text
    if html is not None:
        if len(html) > max_html_chars:
            raise InputError(
                f"The page is {len(html):,} characters of HTML; the limit is {max_html_chars:,} "
                "(max_html_chars / SUMMARIZER_MAX_HTML_CHARS)."
            )
        page = extract(html, url=article.url)
        article = article.model_copy(
            update={"text": page.text, "html": None, "title": article.title or page.title}
        )
        if article.published is None and page.date:
            article = _with_date(article, page.date)
        source = "html"
    text = article.text
    if "\x00" in text:
        raise InputError("The article contains NUL characters: it is binary data, not text.")
    if not text.strip():
        raise InputError("The article is empty: pass the text of a news article.")
    if len(text) > max_chars:
        raise InputError(
            f"The article is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it, or raise max_input_chars (SUMMARIZER_MAX_INPUT_CHARS)."
        )
    return article, source


def _with_date(article: Article, date: str) -> Article:
    try:
        return Article.model_validate({**article.model_dump(), "published": date})
    except ValueError:
        return article
