"""The plan of an article: its text read and cleaned, the context left for it, and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from summarizer.errors import (
    ConfigError,
)
from summarizer.llm.backends import (
    Endpoint,
    token_counter,
)
from summarizer.pipeline.judge import judge_wanted
from summarizer.pipeline.reask import schema_chars
from summarizer.pipeline.requests import (
    title_line,
)
from summarizer.pipeline.templates import render
from summarizer.result import (
    Article,
)
from summarizer.schema import (
    Extraction,
)
from summarizer.settings import Settings
from summarizer.text.chunking import Chunk, split
from summarizer.text.cleaning import clean
from summarizer.text.inputs import coerce_article
from summarizer.text.story import Cleaned, unchanged
from summarizer.text.tokens import estimate_tokens

# Share of the context kept free of the prompt, for the error of counting tokens.
_CONTEXT_MARGIN = 0.05

_MIN_CHUNK_TOKENS = 256


# How much numbering sentences adds to a text's tokens: "[S12] " in the prompt and "S12" in the
# schema's enum, a few tokens a sentence of some twenty-five.
_NUMBERING_COST = 1.25


@dataclass(frozen=True)
class Plan:
    """The article as the user gave it (text extracted from HTML), its story text, and the
    parts of the story that each fit the model's context (one part when it all fits)."""

    article: Article
    source: Literal["text", "html"]
    cleaned: Cleaned
    chunks: list[Chunk]
    # Tokens of the context left for article text (or claims) beside the prompt and the reply.
    text_budget: int
    # Requests in flight at once for the parts of the article.
    concurrency: int = 1
    # Whether the judge rules on the kept claims (the setting, resolved for the backend).
    judge: bool = False

    @classmethod
    def whole(cls, article: Article, source: Literal["text", "html"], cleaned: Cleaned) -> Plan:
        """The plan of an article read in one request that was sent already (a batch engine
        answered it), so no context is left to budget."""
        return cls(article, source, cleaned, [Chunk(0, len(cleaned.text))], 0)


def story(text: str, clean_text: bool) -> Cleaned:
    """The story in ``text``: page furniture dropped when ``clean_text``, else all of it."""
    return clean(text) if clean_text else unchanged(text)


def read_article(
    article: object, settings: Settings, clean_text: bool
) -> tuple[Article, Literal["text", "html"], Cleaned]:
    """What the user passed as an article, its text (from HTML where it is a page) and story.

    Raises:
        InputError: the article is not text, empty or too long (see ``coerce_article``).
        FetchError: an ``Article(url=...)`` gave no page.
    """
    doc, source = coerce_article(
        article,
        max_chars=settings.max_input_chars,
        max_html_chars=settings.max_html_chars,
        settings=settings,
    )
    return doc, source, story(doc.text, clean_text)


def make_plan(
    doc: Article,
    source: Literal["text", "html"],
    cleaned: Cleaned,
    settings: Settings,
    endpoint: Endpoint,
) -> Plan:
    """The plan of an article already read: its parts, for ``endpoint``'s context.

    Raises:
        ConfigError: the context is too small for the prompt, the reply and some text.
    """
    budget = _text_budget(doc.title, settings, endpoint)
    chunks = _chunk_story(cleaned.text, budget, settings, endpoint)
    # The embedded server answers one request at a time.
    concurrency = 1 if endpoint.kind == "local" else settings.concurrency
    judge = judge_wanted(settings, endpoint.kind)
    return Plan(doc, source, cleaned, chunks, budget, concurrency, judge)


def plan_article(article: object, settings: Settings, endpoint: Endpoint, clean_text: bool) -> Plan:
    """:func:`read_article`, then :func:`make_plan`: the one planner of ``summarize`` and of
    a batch engine's requests."""
    return make_plan(*read_article(article, settings, clean_text), settings, endpoint)


def merged_settings(settings: Settings | None, model: str | None, base_url: str | None) -> Settings:
    """``settings`` (default: from the environment) with an explicit model and base URL."""
    settings = settings or Settings.resolve()
    return settings.replace(model=model or settings.model, base_url=base_url or settings.base_url)


def _text_budget(title: str | None, settings: Settings, endpoint: Endpoint) -> int:
    """Tokens of the endpoint's context left for article text beside the prompt and reply."""
    prompt = render(
        "chunk_user",
        part=99,
        parts=99,
        title_line=title_line(title),
        max_claims=settings.max_claims,
        claim_fields=render("claim_fields"),
        article="",
    )
    overhead = estimate_tokens(render("system") + prompt) + estimate_tokens(
        "x" * schema_chars(Extraction)
    )
    context = endpoint.context_tokens
    room = int(context * (1 - _CONTEXT_MARGIN)) - settings.max_tokens - overhead
    # Sentence ids and the schema's enum of them take room too.
    return int(room / _NUMBERING_COST)


def _chunk_story(text: str, budget: int, settings: Settings, endpoint: Endpoint) -> list[Chunk]:
    """The parts of a story that each fit in ``budget`` tokens (one part when it all does).

    A story the conservative estimate already fits costs no counting; a longer one is counted
    with the endpoint's tokenizer where it has one.

    Raises:
        ConfigError: the context is too small for the prompt, the reply and some text.
    """
    if estimate_tokens(text) <= budget:
        return [Chunk(0, len(text))]
    if budget < _MIN_CHUNK_TOKENS:
        raise ConfigError(
            f"The model's context ({endpoint.context_tokens} tokens) leaves {max(budget, 0)} "
            f"tokens for article text beside the prompt and the reply (max_tokens "
            f"{settings.max_tokens}); raise context_tokens (SUMMARIZER_CONTEXT_TOKENS) or lower "
            "max_tokens."
        )
    count = token_counter(endpoint, estimate_tokens) or estimate_tokens
    if count is not estimate_tokens and count(text) <= budget:
        return [Chunk(0, len(text))]
    return split(text, budget=budget, overlap=settings.chunk_overlap_tokens, count=count)
