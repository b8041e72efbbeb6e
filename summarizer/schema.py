"""What the model is asked to return.

These classes are part of the prompt: instructor sends their docstrings and field descriptions
to the model, so they are written as instructions. Nothing here is trusted; summarizer.verify
checks every field against the article before it reaches a result.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    from typing import Self
else:
    from typing_extensions import Self

MAX_CLAIMS = 12
MAX_SENTENCES = 5


class SourceKind(str, Enum):
    """What kind of source asserted a claim."""

    PERSON = "person"
    ORGANIZATION = "organization"
    GOVERNMENT = "government"
    MEDIA = "media"
    DOCUMENT = "document"
    UNATTRIBUTED = "unattributed"


UNATTRIBUTED = "unattributed"


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Self:
        """Validate JSON, accepting raw control characters inside strings.

        Small models served through grammar-constrained decoding (llama.cpp) write raw newlines
        and tabs inside JSON strings. That is a defect of encoding, not of content, so it is
        repaired here instead of costing a full re-ask; anything else invalid still fails.
        """
        try:
            return super().model_validate_json(json_data, strict=strict, context=context, **kwargs)
        except ValidationError as error:
            if not any(e["type"] == "json_invalid" for e in error.errors()):
                raise
            try:
                data = json.loads(json_data, strict=False)
            except ValueError:
                raise error from None
            return super().model_validate_json(
                json.dumps(data), strict=strict, context=context, **kwargs
            )


class ClaimDraft(_Draft):
    """One atomic fact the article reports, with the exact words of the article that support it
    and who the article says asserted it."""

    id: str = Field(description="Short id of the claim: c1, c2, c3 and so on, in order.")
    text: str = Field(
        description=(
            "The claim as one short, self-contained sentence that a reader understands without "
            "the article: name the people, places and numbers instead of using pronouns."
        ),
        max_length=300,
    )
    quote: str = Field(
        description=(
            "Copy from the article, character for character, the passage that supports the "
            "claim: one sentence or part of one. Never paraphrase, shorten words or add words."
        ),
        max_length=400,
    )
    source: str = Field(
        description=(
            "Who the article says asserted the claim, written as in the article (for example a "
            "person's name, an organization, 'officials', 'reports'). Write 'unattributed' when "
            "the article states it in its own voice."
        ),
        max_length=120,
    )
    source_kind: SourceKind = Field(description="What kind of source that is.")
    cue: str = Field(
        description=(
            "The words of the article that attribute the claim to its source, as written: "
            "'said', 'according to', 'emphasized'. Empty when the claim is unattributed."
        ),
        max_length=60,
    )


class SupportedSentence(_Draft):
    """A sentence of the summary and the claims it rests on."""

    text: str = Field(description="One sentence of the summary.", max_length=300)
    claim_ids: list[str] = Field(
        description="Ids of the claims above that this sentence rests on, at least one.",
        max_length=MAX_CLAIMS,
    )


_CLAIMS = Field(
    description=(
        "The most important facts of the article, one atomic claim each, most important "
        "first. Only facts the article states; nothing from outside it."
    ),
    min_length=1,
    max_length=MAX_CLAIMS,
)
_HEADLINE = Field(description="A neutral headline for the article.", max_length=160)
_SUMMARY = Field(
    description="Two to four sentences summarizing the article, each citing its claims.",
    min_length=1,
    max_length=MAX_SENTENCES,
)
_KEY_POINTS = Field(
    description="Up to five short key points, each citing its claims.",
    max_length=MAX_SENTENCES,
)


class Extraction(_Draft):
    """A structured summary of a news article: its claims first, then a headline, summary
    sentences and key points built only from those claims."""

    claims: list[ClaimDraft] = _CLAIMS
    headline: str = _HEADLINE
    summary: list[SupportedSentence] = _SUMMARY
    key_points: list[SupportedSentence] = _KEY_POINTS


class ChunkExtraction(_Draft):
    """The claims of one part of a long news article."""

    claims: list[ClaimDraft] = Field(
        description=(
            "The most important facts of this part of the article, one atomic claim each, most "
            "important first. Only facts the text states; nothing from outside it."
        ),
        min_length=1,
        max_length=MAX_CLAIMS,
    )


class ClaimSummary(_Draft):
    """A headline, summary sentences and key points of a news article, written only from the
    verified claims listed, each citing the ids of the claims it rests on."""

    headline: str = _HEADLINE
    summary: list[SupportedSentence] = _SUMMARY
    key_points: list[SupportedSentence] = _KEY_POINTS


class ClaimFix(_Draft):
    """A corrected claim."""

    id: str = Field(description="The claim's id.")
    quote: str = Field(description="Words copied exactly from a passage.", max_length=400)
    source: str = Field(
        description="Who asserted it, as written, or 'unattributed'.", max_length=120
    )
    source_kind: SourceKind
    cue: str = Field(description="Attributing words, as written, or empty.", max_length=60)


class ClaimFixes(_Draft):
    """Corrections for claims that failed verification."""

    fixes: list[ClaimFix] = Field(description="One fix per claim listed.", max_length=MAX_CLAIMS)
