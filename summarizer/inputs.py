"""Accept what a user passes as an article, or say clearly why it cannot be summarized."""

from __future__ import annotations

from summarizer.errors import InputError
from summarizer.result import Article


def coerce_article(article: object, *, max_chars: int) -> Article:
    """Return ``article`` as an :class:`Article`.

    Raises:
        InputError: not text, empty, or longer than ``max_chars``.
    """
    if isinstance(article, Article):
        text = article.text
    elif isinstance(article, str):
        text = article
        article = Article(text=text)
    elif isinstance(article, (bytes, bytearray, memoryview)):
        raise InputError(
            "The article is bytes, not text: decode it first, for example data.decode('utf-8')."
        )
    else:
        raise InputError(
            f"The article must be a str or a summarizer.Article, not {type(article).__name__}."
        )
    if not text.strip():
        raise InputError("The article is empty: pass the text of a news article.")
    if len(text) > max_chars:
        raise InputError(
            f"The article is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it, or raise max_input_chars (SUMMARIZER_MAX_INPUT_CHARS)."
        )
    return article
