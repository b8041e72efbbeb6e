"""Targeted re-asks: send back only the failing claims, each with its reason and the numbered
sentences of the article most likely to state it, within a token budget.

Re-sending the whole conversation (instructor's default re-ask) costs about three times the first
call's prompt when a third of the claims need fixing; a targeted re-ask costs a fraction of it.
"""

from __future__ import annotations

import json
from functools import cache

from summarizer.llm.call import Request
from summarizer.pipeline.templates import render
from summarizer.schema import (
    ClaimDraft,
    ClaimFix,
    ClaimFixes,
    ReplyShape,
    shown_schema,
    tool_schema,
)
from summarizer.text.pointers import Numbered, Sentence
from summarizer.text.tokens import TEMPLATE_TOKENS, calibrated_tokens
from summarizer.verify.claims import Failure
from summarizer.verify.items import read_items
from summarizer.verify.locate import likeliest
from summarizer.verify.support import content_words

_MAX_PASSAGE_CHARS = 500


def candidates_for(failure: Failure, numbered: Numbered, limit: int) -> list[Sentence]:
    """The numbered sentences most likely to state the claim, in article order."""
    words = content_words(f"{failure.draft.text} {failure.draft.source}")
    return [numbered.sentences[i] for i in likeliest(words, numbered, limit)]


@cache
def schema_chars(model: type[ReplyShape]) -> int:
    """Size of the JSON schema sent with a request, for token estimates."""
    return len(json.dumps(tool_schema(model)))


def build_reask(
    failures: list[Failure],
    numbered: Numbered,
    *,
    passages: int,
    budget_tokens: float,
    chars_per_token: float,
) -> tuple[Request | None, list[Failure]]:
    """Build one re-ask round for as many failures as the budget allows.

    Returns the request (None when not even one claim fits) and the failures it carries.
    """
    system = render("system")
    fixed_chars = len(system) + len(render("reask_user", items="")) + schema_chars(ClaimFixes)
    spent = calibrated_tokens(fixed_chars, chars_per_token) + TEMPLATE_TOKENS
    items: list[str] = []
    carried: list[Failure] = []
    offered: list[str] = []
    for failure in failures:
        # Fewer sentences before none: a claim is left out only when even one does not fit.
        for k in range(passages, 0, -1):
            shown = candidates_for(failure, numbered, k)
            if not shown:
                break
            item = render(
                "reask_item",
                id=failure.draft.id,
                text=failure.draft.text,
                reason=failure.reason,
                sentences="\n".join(
                    f"[{s.id}] {numbered.text[s.start : s.end][:_MAX_PASSAGE_CHARS]}" for s in shown
                ),
            )
            # Each offered id also appears in the schema's enum.
            cost = calibrated_tokens(len(item) + 6 * len(shown), chars_per_token)
            if spent + cost <= budget_tokens:
                spent += cost
                items.append(item)
                carried.append(failure)
                offered.extend(s.id for s in shown)
                break
    if not carried:
        return None, []
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": render("reask_user", items="\n".join(items))},
    ]
    return Request(
        "reask", messages, ClaimFixes, shown_schema(ClaimFixes, list(dict.fromkeys(offered)))
    ), carried


def apply_fixes(
    carried: list[Failure], fixes: ClaimFixes
) -> tuple[list[tuple[Failure, ClaimDraft]], dict[str, str]]:
    """Pair each carried failure with the corrected draft the model returned for it.

    Returns the pairs and, by claim id, why a fix that came back could not be read.
    """
    fixed, faults = read_items(fixes.fixes, ClaimFix, "claim", limit=len(fixes.fixes))
    unreadable = {r.id: r.reason for r in faults if r.id}
    by_id = {fix.id.strip(): fix for fix in fixed}
    out = []
    for failure in carried:
        fix = by_id.get(failure.draft.id)
        if fix is None:
            continue
        update = {"sentences": fix.sentences, "source": fix.source, "quote": ""}
        out.append((failure, failure.draft.model_copy(update=update)))
    return out, unreadable
