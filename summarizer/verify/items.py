"""Read a reply item by item: a fault in one item costs that item only.

A claim, summary sentence or key point that is too long, empty, missing a field or of the
wrong type is rejected with the reason; the rest of the reply goes on to grounding. Claims
beyond ``max_claims`` are rejected in order, the first ones kept.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from summarizer.result import Rejection
from summarizer.schema import HEADLINE_CHARS, ClaimDraft, SupportedSentence

T = TypeVar("T", bound=BaseModel)

ItemKind = Literal["claim", "summary_sentence", "key_point"]
_NAMES = {"claim": "claims", "summary_sentence": "summary sentences", "key_point": "key points"}


def read_items(
    raw: list[Any], item: type[T], kind: ItemKind, *, limit: int
) -> tuple[list[T], list[Rejection]]:
    """The items of ``raw`` that fit ``item``'s schema, the first ``limit`` of them, and a
    rejection for every other one."""
    kept: list[T] = []
    rejected: list[Rejection] = []
    for position, value in enumerate(raw, 1):
        if len(kept) >= limit:
            reason = f"more {_NAMES[kind]} than the {limit} allowed; the first {limit} are kept"
            rejected.append(_rejection(kind, value, reason))
            continue
        try:
            kept.append(item.model_validate(value))
        except ValidationError as error:
            reason = (
                f"{kind.replace('_', ' ')} {position} does not fit the schema: {_faults(error)}"
            )
            rejected.append(_rejection(kind, value, reason))
    return kept, rejected


def read_claims(raw: list[Any], *, limit: int) -> tuple[list[ClaimDraft], list[Rejection]]:
    """:func:`read_items` for claims."""
    return read_items(raw, ClaimDraft, "claim", limit=limit)


def read_statements(
    raw: list[Any], kind: Literal["summary_sentence", "key_point"], *, limit: int
) -> tuple[list[SupportedSentence], list[Rejection]]:
    """:func:`read_items` for summary sentences or key points."""
    return read_items(raw, SupportedSentence, kind, limit=limit)


def read_headline(value: Any) -> tuple[str, Rejection | None]:
    """The headline, or "" and a rejection when it is not a string of a headline's length."""
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", Rejection(
            kind="headline",
            text=str(value)[:HEADLINE_CHARS],
            reason=f"the headline is not text (got {type(value).__name__})",
        )
    if len(value.strip()) > HEADLINE_CHARS:
        return "", Rejection(
            kind="headline",
            text=value,
            reason=f"the headline is longer than {HEADLINE_CHARS} characters",
        )
    return value.strip(), None


def _faults(error: ValidationError) -> str:
    """A validation error on one line: each field and what is wrong with it."""
    parts = []
    for e in error.errors(include_url=False):
        where = ".".join(str(p) for p in e["loc"]) or "item"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


def _rejection(kind: ItemKind, value: Any, reason: str) -> Rejection:
    if not isinstance(value, dict):
        return Rejection(kind=kind, text=str(value)[:500], reason=reason)
    text = value.get("text")
    ident = value.get("id")
    return Rejection(
        kind=kind,
        id=ident if isinstance(ident, str) and kind == "claim" else None,
        text=text if isinstance(text, str) else "",
        reason=reason,
        proposed=value,
    )
