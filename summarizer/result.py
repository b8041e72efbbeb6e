"""What a user gets back: verified claims, the summary built on them, and what was rejected."""

from __future__ import annotations

import os
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from summarizer.schema import SourceKind


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fetched(_Model):
    """How an article's page was fetched from its URL."""

    url: str = Field(description="The page's final address, after any redirects.")
    requested_url: str
    status: int = Field(description="The HTTP status of the final response.")
    content_type: str
    bytes: int = Field(description="Size of the page's body as received, decompressed.")
    fetched_at: datetime = Field(description="When the request was sent (UTC).")
    seconds: float


class Article(_Model):
    """An article to summarize: its text (or its page's HTML) plus whatever is known about it.

    Give ``html`` instead of ``text`` for a raw page: the story text is extracted from it, and
    the result's ``article.text`` is that extracted text, which evidence offsets index.
    """

    text: str = ""
    html: str | None = None
    title: str | None = None
    author: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | datetime | None = None
    # Set when the page was fetched from ``url``; reported as ``meta.fetched``.
    _fetched: Fetched | None = PrivateAttr(default=None)


class MatchKind(str, Enum):
    """How a claim's evidence was fixed: the sentences it cites, a quote inside them, or the
    sentences the library found when the cited ones do not back it."""

    # The claim gave a quote, found inside its cited sentences: exactly, after normalizing
    # (whitespace, quotes, dashes, case, accents), or fuzzily (a light paraphrase re-aligned).
    EXACT = "exact"
    NORMALIZED = "normalized"
    FUZZY = "fuzzy"
    # The evidence is the cited sentences: no quote was given, or the one given is not in them.
    SENTENCE = "sentence"
    QUOTE_UNMATCHED = "quote_unmatched"
    # The cited sentences do not back the claim's words; the library found the sentences of
    # the article that do, and they are the evidence (the cited ones are in ``cited_ids``).
    FOUND = "found"


class Evidence(_Model):
    """A verbatim span of the article: ``article.text[start:end] == quote``."""

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    match: MatchKind
    score: float = Field(
        description="Similarity of the claim's quote to the span, 0-100 (100 for sentences)."
    )
    sentence_ids: list[str] = Field(
        default_factory=list,
        description="The numbered sentences the evidence lies in (of those the claim cites, "
        "or those found when match is found), as the prompt showed them.",
    )
    cited_ids: list[str] | None = Field(
        default=None,
        description="The sentences the claim cited, when they did not back it and the "
        "evidence was found elsewhere (match is found).",
    )
    proposed: str | None = Field(
        default=None,
        description="The model's quote, when it differed from the article's text or was not "
        "found in the cited sentences.",
    )


class Attribution(_Model):
    """Who the article says asserted a claim."""

    source: str
    kind: SourceKind
    cue: str | None = None
    source_start: int | None = Field(
        default=None,
        description="Where the source's name occurs in the article; None if unattributed.",
    )
    source_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    status: Literal["confirmed", "corrected", "article_voice", "unresolved"] = Field(
        default="unresolved",
        description="confirmed: the model's source and the text's agree; corrected: they "
        "differ and the text's is used (the model's is in model_source); article_voice: no "
        "cue, the article itself asserts it; unresolved: a cue with no source the text names.",
    )
    model_source: str | None = Field(
        default=None, description="The model's proposed source, kept when it was not used."
    )


class Claim(_Model):
    """One atomic, attributed claim, backed by a verbatim span of the article."""

    id: str
    text: str
    attribution: Attribution
    evidence: Evidence
    origin: Literal["model", "local_repair", "reask"] = Field(
        description="model: verified as proposed; local_repair: quote re-aligned, or "
        "evidence found, by the library; reask: fixed by a targeted re-ask."
    )

    def shifted(self, offset: int) -> Claim:
        """The claim with every offset moved by ``offset``: from a part of an article to the
        whole of it."""
        moved = {
            name: None if value is None else value + offset
            for name in ("source_start", "source_end", "cue_start", "cue_end")
            for value in [getattr(self.attribution, name)]
        }
        evidence = {"start": self.evidence.start + offset, "end": self.evidence.end + offset}
        return self.model_copy(
            update={
                "evidence": self.evidence.model_copy(update=evidence),
                "attribution": self.attribution.model_copy(update=moved),
            }
        )


class SupportedText(_Model):
    """A summary sentence or key point and the verified claims it rests on."""

    text: str
    claim_ids: list[str]
    match: Literal["cited", "found"] = Field(
        default="cited",
        description="cited: the claims the model cited back it; found: they did not (or it "
        "cited none), and these are the fewest verified claims whose evidence does.",
    )


class Rejection(_Model):
    """Something the model proposed that could not be verified, and why."""

    kind: Literal["claim", "headline", "summary_sentence", "key_point", "chunk"]
    id: str | None = None
    text: str
    reason: str
    proposed: dict[str, Any] = Field(default_factory=dict)


class Usage(_Model):
    """Tokens reported by the endpoint, summed over calls."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cached_prompt_tokens: int = Field(
        default=0,
        description="Prompt tokens the server read from its cache of a shared prompt prefix, "
        "as it reports them (OpenAI's usage.prompt_tokens_details.cached_tokens); 0 where it "
        "does not.",
    )

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            cached_prompt_tokens=self.cached_prompt_tokens + other.cached_prompt_tokens,
        )


class CallRecord(_Model):
    """One logical LLM call: the first extraction, a targeted re-ask round, a long article's
    summary, or the judge's verdicts."""

    purpose: Literal["extract", "reask", "summarize", "judge"]
    attempts: int = Field(description="Requests sent, validation re-asks included.")
    usage: Usage
    seconds: float


class RemovedSpan(_Model):
    """Page furniture cut from the article before summarizing: ``article.text[start:end]``."""

    start: int
    end: int
    label: str


class Meta(_Model):
    """How the result was produced."""

    model: str
    model_source: Literal["named", "default", "server"] = Field(
        default="named",
        description="Where the model name came from. named: model=, --model or "
        "SUMMARIZER_MODEL; default: the backend's default (OpenAI's default model, the embedded "
        "server's); server: the only model the server's /v1/models lists.",
    )
    backend: str
    base_url: str | None
    prompt_version: str
    usage: Usage
    calls: int = Field(description="HTTP requests that returned a completion.")
    reasks: int = Field(description="Validation re-asks plus targeted re-ask rounds.")
    reask_rounds: int
    validation_retries: int
    reask_prompt_tokens: int = Field(
        default=0,
        description="Prompt tokens spent on re-asks: targeted ones, and whole-conversation "
        "ones of replies that failed the schema; both within reask_budget_ratio of the first "
        "prompt.",
    )
    elapsed_s: float
    library_version: str
    input_format: Literal["text", "html"] = "text"
    fetched: Fetched | None = Field(
        default=None, description="How the page was fetched, when the article came from a URL."
    )
    removed: list[RemovedSpan] = Field(
        default_factory=list, description="Spans of article.text dropped as page furniture."
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What a person should check: e.g. cleaning kept prose its rules would "
        "have removed as page furniture.",
    )
    call_log: list[CallRecord]


class ArticleSummary(_Model):
    """A verified summary of one article.

    Every claim's evidence is a span of ``article.text``; summary sentences and key points cite
    only kept claims. What could not be verified is in ``rejected``.
    """

    headline: str = Field(
        description="The model's headline when verified claims back its words; else the "
        "article's title, or empty."
    )
    summary: str
    summary_sentences: list[SupportedText]
    key_points: list[SupportedText]
    claims: list[Claim]
    rejected: list[Rejection]
    article: Article
    meta: Meta

    def _repr_html_(self) -> str:
        """Jupyter and VS Code notebooks: the evidence highlighted in the article."""
        from summarizer.render.html import to_html_fragment

        return to_html_fragment(self)

    def _repr_markdown_(self) -> str:
        from summarizer.render.markdown import to_markdown

        return to_markdown(self)

    def to_html(self, path: str | os.PathLike[str]) -> None:
        """Write a standalone HTML report (no scripts, no network) to ``path``."""
        from summarizer.render.html import to_html_page

        Path(path).write_text(
            to_html_page([self], title=self.headline or self.article.title or "Summary"),
            encoding="utf-8",
        )
