"""What the model is asked to return, and the schema it is shown.

The article reaches the model as numbered sentences (``[S1] ...``), and a claim points at the
sentences that state it rather than copying them: the library turns the ids into exact spans.

Two kinds of classes live here:

- **Items** (:class:`ClaimDraft`, :class:`SupportedSentence`, :class:`ClaimFix`,
  :class:`ClaimVerdict`) carry every constraint the model is asked to keep. Their docstrings and
  field descriptions are instructions: they are sent to the model as the tool's JSON schema.
  The library validates each item of a reply on its own (summarizer.verify.items, and
  summarizer.pipeline.judge for verdicts), so one long sentence or one missing field costs only
  its own item.
- **Replies** (:class:`Extraction`, :class:`ChunkExtraction`, :class:`ClaimSummary`,
  :class:`ClaimFixes`, :class:`ClaimVerdicts`) are what instructor validates: only the
  top-level shape, with items left as raw objects. A reply fails as a whole only when it cannot
  be read at all.

:func:`tool_schema` builds the schema shown for one request: the items' schema, with each
sentence id an ``enum`` of the ids that exist in that article (or part), so that backends that
constrain output (llama.cpp grammars, OpenAI structured outputs) can only name real sentences;
:func:`verdict_schema` does the same for the claim ids a judge's verdicts may name.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Sequence
from enum import Enum
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if sys.version_info >= (3, 11):
    from typing import Self
else:
    from typing_extensions import Self

MAX_CLAIMS = 12
MAX_SENTENCES = 5
MAX_KEY_POINTS = 3
MAX_CITED = 3
CLAIM_CHARS = 300
STATEMENT_CHARS = 300
HEADLINE_CHARS = 160
SOURCE_CHARS = 120
QUOTE_CHARS = 400


class SourceKind(str, Enum):
    """What kind of source asserted a claim."""

    PERSON = "person"
    ORGANIZATION = "organization"
    GOVERNMENT = "government"
    MEDIA = "media"
    DOCUMENT = "document"
    UNATTRIBUTED = "unattributed"


UNATTRIBUTED = "unattributed"


class _Item(BaseModel):
    # The model is shown additionalProperties false; a reply that adds a field anyway loses
    # only that field, not its item.
    model_config = ConfigDict(extra="ignore")


class ClaimDraft(_Item):
    """One atomic fact the article reports, the numbered sentences of the article that state
    it, and who the article says asserted it."""

    id: str = Field(default="", description="c1, c2, c3 and so on, in order.", max_length=20)
    # At most MAX_CITED ids, as the schema shown says; more is a verification failure that a
    # re-ask can fix (summarizer.verify.claims), not a fault of the item's shape.
    sentences: list[str] = Field(
        description="Ids of the one to three article sentences that state the fact, e.g. S4.",
        min_length=1,
    )
    text: str = Field(
        description=(
            "The fact in one short sentence of at most 25 words that a reader understands "
            "without the article: names instead of pronouns."
        ),
        min_length=1,
        max_length=CLAIM_CHARS,
    )
    source: str = Field(
        default=UNATTRIBUTED,
        description=(
            "Who the article says stated it, as written ('Umerov', 'officials', 'reports'), or "
            "'unattributed' when the article states it in its own voice."
        ),
        max_length=SOURCE_CHARS,
    )
    quote: str = Field(
        default="",
        description=(
            "Optional: when only part of the cited sentences states the fact, that part copied "
            "word for word. Leave it out otherwise."
        ),
        max_length=QUOTE_CHARS,
    )


class SupportedSentence(_Item):
    """A sentence of the summary and the claims it rests on."""

    text: str = Field(
        description="One sentence of the summary.", min_length=1, max_length=STATEMENT_CHARS
    )
    claim_ids: list[str] = Field(
        description="Ids of the claims above that this sentence rests on, at least one.",
        min_length=1,
        max_length=MAX_CLAIMS,
    )


class ClaimFix(_Item):
    """A claim pointed again at the sentences that state it."""

    id: str = Field(description="The claim's id.", max_length=20)
    sentences: list[str] = Field(
        description="Ids of the one to three listed sentences that state the claim.",
        min_length=1,
    )
    source: str = Field(
        default=UNATTRIBUTED,
        description="Who the sentences say asserted it, as written, or 'unattributed'.",
        max_length=SOURCE_CHARS,
    )


# What the judge may answer about a claim (summarizer.pipeline.judge says which keep it).
Verdict = Literal["yes", "no"]


class ClaimVerdict(_Item):
    """Whether the evidence listed with a claim supports all of it."""

    id: str = Field(description="The claim's id, as listed.", max_length=20)
    verdict: Verdict = Field(
        description="yes: all of the claim's information is supported by its evidence, even "
        "in other words; no: some of it is not."
    )


class ReplyShape(BaseModel):
    """A reply's top-level shape; items stay raw objects, validated one by one later."""

    model_config = ConfigDict(extra="ignore")

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


RawItems = list[Any]


class Extraction(ReplyShape):
    """A structured summary of a news article: its claims first, then a headline, summary
    sentences and key points built only from those claims."""

    # A reply with no claims at all has nothing to verify: that is the whole reply's fault.
    claims: RawItems = Field(min_length=1)
    headline: Any = ""
    summary: RawItems = Field(default_factory=list)
    key_points: RawItems = Field(default_factory=list)


class ChunkExtraction(ReplyShape):
    """The claims of one part of a long news article."""

    claims: RawItems = Field(min_length=1)


class ClaimSummary(ReplyShape):
    """A headline, summary sentences and key points of a news article, written only from the
    verified claims listed, each citing the ids of the claims it rests on."""

    headline: Any = ""
    summary: RawItems = Field(default_factory=list)
    key_points: RawItems = Field(default_factory=list)


class ClaimFixes(ReplyShape):
    """Corrections for claims that failed verification."""

    fixes: RawItems


class ClaimVerdicts(ReplyShape):
    """A verdict for each claim listed: is it supported by its evidence?"""

    verdicts: RawItems


# What each reply's fields hold, as the model is shown them: (item class or None for text,
# description, minimum and maximum count).
_FIELDS: dict[str, tuple[type[_Item] | None, str, int, int]] = {
    "claims": (
        ClaimDraft,
        "The most important facts of the article, one atomic claim each, most important "
        "first. Only facts the article states; nothing from outside it.",
        1,
        MAX_CLAIMS,
    ),
    "headline": (None, "A neutral headline for the article.", 0, HEADLINE_CHARS),
    "summary": (
        SupportedSentence,
        "Two to four sentences summarizing the article, each citing its claims.",
        1,
        MAX_SENTENCES,
    ),
    "key_points": (
        SupportedSentence,
        "Up to three short key points, each citing its claims.",
        0,
        MAX_KEY_POINTS,
    ),
    "fixes": (ClaimFix, "One fix per claim listed.", 1, MAX_CLAIMS),
    "verdicts": (ClaimVerdict, "One verdict per claim listed, in order.", 1, MAX_CLAIMS),
}
_SHOWN: dict[type[ReplyShape], tuple[str, ...]] = {
    Extraction: ("claims", "headline", "summary", "key_points"),
    ChunkExtraction: ("claims",),
    ClaimSummary: ("headline", "summary", "key_points"),
    ClaimFixes: ("fixes",),
    ClaimVerdicts: ("verdicts",),
}


def tool_schema(
    reply: type[ReplyShape],
    sentence_ids: Sequence[str] = (),
    *,
    max_claims: int = MAX_CLAIMS,
    min_claims: int = 1,
) -> dict[str, Any]:
    """The JSON schema the model is shown for ``reply``: every item constraint, with sentence
    ids limited to ``sentence_ids`` (any string when empty) and between ``min_claims`` and
    ``max_claims`` claims. Self-contained (no ``$ref``), so that grammar converters take it
    whole."""
    schema = copy.deepcopy(_base_schema(reply))
    if sentence_ids:
        for prop in schema["properties"].values():
            items = prop.get("items", {}).get("properties", {})
            if "sentences" in items:
                items["sentences"]["items"] = {"type": "string", "enum": list(sentence_ids)}
    if "claims" in schema["properties"]:
        schema["properties"]["claims"]["maxItems"] = max_claims
        schema["properties"]["claims"]["minItems"] = max(1, min(min_claims, max_claims))
    return schema


def shown_schema(
    reply: type[ReplyShape],
    sentence_ids: Sequence[str] = (),
    *,
    max_claims: int = MAX_CLAIMS,
    min_claims: int = 1,
) -> str:
    """:func:`tool_schema` as the compact JSON string a request carries."""
    schema = tool_schema(reply, sentence_ids, max_claims=max_claims, min_claims=min_claims)
    return json.dumps(schema, separators=(",", ":"))


def verdict_schema(claim_ids: Sequence[str]) -> str:
    """The schema of a judge's reply about the claims ``claim_ids``: one verdict for each,
    naming only those ids (an ``enum``), as a compact JSON string."""
    schema = copy.deepcopy(_base_schema(ClaimVerdicts))
    verdicts = schema["properties"]["verdicts"]
    verdicts["items"]["properties"]["id"] = {"type": "string", "enum": list(claim_ids)}
    verdicts["minItems"] = verdicts["maxItems"] = len(claim_ids)
    return json.dumps(schema, separators=(",", ":"))


@cache
def _base_schema(reply: type[ReplyShape]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name in _SHOWN[reply]:
        item, description, least, most = _FIELDS[name]
        if item is None:
            properties[name] = {"type": "string", "description": description}
            continue
        properties[name] = {
            "type": "array",
            "description": description,
            "items": _inline(item.model_json_schema()),
            "minItems": least,
            "maxItems": most,
        }
    return {
        "type": "object",
        "description": " ".join((reply.__doc__ or "").split("\n\n")[0].split()),
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """An item's schema as the model is shown it: types, ``required`` and counts, without
    titles, defaults, string lengths or per-field descriptions, with ``$ref`` replaced by what
    it names.

    The prompt already says what each field holds and how long it may be. String lengths are
    left out because a grammar-constrained backend (llama.cpp) turns them into rules that make
    every token several times slower to sample and cut a sentence mid-phrase; the library
    checks lengths on each item instead (summarizer.verify.items).
    """
    defs = schema.pop("$defs", {})
    dropped = {"title", "default", "maxLength", "minLength"}

    def walk(node: Any, top: bool) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(defs[node["$ref"].rsplit("/", 1)[-1]], top)
            return {
                k: walk(v, top and k != "properties")
                for k, v in node.items()
                if k not in dropped and (top or k != "description")
            }
        if isinstance(node, list):
            return [walk(v, top) for v in node]
        return node

    inlined: dict[str, Any] = walk(schema, True)
    inlined["description"] = " ".join(inlined.get("description", "").split())
    # The model is asked for every field but the optional quote; a reply that leaves one out
    # costs only that item (or gets its default), never the whole reply.
    inlined["required"] = [k for k in inlined["properties"] if k not in _OPTIONAL]
    inlined["additionalProperties"] = False
    if "sentences" in inlined["properties"]:
        inlined["properties"]["sentences"]["maxItems"] = MAX_CITED
    return inlined


_OPTIONAL = frozenset({"quote"})
