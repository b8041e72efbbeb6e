"""The requests of an article: its first ask, a long article's parts, and the summary written
from verified claims; each with the schema the model is shown."""

from __future__ import annotations

from summarizer.llm.call import Request
from summarizer.pipeline.templates import render
from summarizer.result import (
    Article,
    Claim,
)
from summarizer.schema import (
    ChunkExtraction,
    Extraction,
    shown_schema,
)
from summarizer.settings import Settings
from summarizer.text.story import Cleaned
from summarizer.verify.claims import (
    Verifier,
)

# Claims asked for at least, where the text has twice as many sentences ("at least eight when
# the article states that many", in the prompt).
_FEWEST_CLAIMS = 8


def first_request(verifier: Verifier, title: str | None, settings: Settings) -> Request:
    """The first request for an article that fits the model's context: its claims and the
    summary at once."""
    messages = [
        {"role": "system", "content": render("system")},
        {
            "role": "user",
            "content": render(
                "extract_user",
                title_line=title_line(title),
                max_claims=settings.max_claims,
                claim_fields=render("claim_fields"),
                article=verifier.numbered.render(),
            ),
        },
    ]
    return Request("extract", messages, Extraction, _shown(Extraction, verifier, settings))


def opening_request(doc: Article, cleaned: Cleaned, settings: Settings) -> Request:
    """The first request :func:`summarize` sends for an article that fits in one request."""
    return first_request(new_verifier(doc.text, cleaned, settings), doc.title, settings)


def part_request(
    verifier: Verifier, part: int, parts: int, title: str | None, settings: Settings
) -> Request:
    """The request for the claims of part ``part`` (from 1) of a long article."""
    messages = [
        {"role": "system", "content": render("system")},
        {
            "role": "user",
            "content": render(
                "chunk_user",
                part=part,
                parts=parts,
                title_line=title_line(title),
                max_claims=settings.max_claims,
                claim_fields=render("claim_fields"),
                article=verifier.numbered.render(),
            ),
        },
    ]
    return Request(
        "extract", messages, ChunkExtraction, _shown(ChunkExtraction, verifier, settings)
    )


def _shown(
    reply: type[Extraction] | type[ChunkExtraction], verifier: Verifier, settings: Settings
) -> str:
    """The schema the model is shown: sentence ids limited to those of ``verifier``'s text, and
    as many claims as the prompt asks for: at least eight (or one for every two sentences of
    a shorter text)."""
    ids = verifier.numbered.ids
    least = min(_FEWEST_CLAIMS, max(1, len(ids) // 2))
    return shown_schema(reply, ids, max_claims=settings.max_claims, min_claims=least)


def combine_messages(claims: list[Claim], title: str | None) -> list[dict[str, str]]:
    """The messages asking for a summary written from verified claims."""
    lines = "\n".join(claim_line(c) for c in claims)
    return [
        {"role": "system", "content": render("system")},
        {
            "role": "user",
            "content": render("combine_user", title_line=title_line(title), claims=lines),
        },
    ]


def claim_line(claim: Claim) -> str:
    """How a summary request lists a claim."""
    return f"{claim.id} ({claim.attribution.source}): {claim.text}"


def title_line(title: str | None) -> str:
    return f" ({title})" if title else ""


def new_verifier(
    text: str, cleaned: Cleaned, settings: Settings, *, first_sentence: int = 1
) -> Verifier:
    return Verifier(
        text,
        fuzzy_threshold=settings.fuzzy_threshold,
        min_quote_chars=settings.min_quote_chars,
        min_support=settings.min_support,
        cleaned=cleaned,
        first_sentence=first_sentence,
        find_evidence=settings.find_evidence,
    )
