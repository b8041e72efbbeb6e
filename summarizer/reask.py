"""Targeted re-asks: send back only the failing claims, each with its reason and the passages of
the article most likely to hold its evidence, within a token budget.

Re-sending the whole conversation (instructor's default re-ask) costs about three times the first
call's prompt when a third of the claims need fixing; a targeted re-ask costs a fraction of it.
"""

from __future__ import annotations

import json
import weakref
from functools import cache

from pydantic import BaseModel

from summarizer.grounding import TextIndex
from summarizer.llm import Request
from summarizer.prompts import render
from summarizer.schema import ClaimDraft, ClaimFixes
from summarizer.verify import Failure, Profile, content_words, support

_MAX_PASSAGE_CHARS = 500


def passages_for(failure: Failure, index: TextIndex, limit: int) -> list[str]:
    """The article sentences most likely to hold the claim's evidence, in article order."""
    words = content_words(f"{failure.draft.text} {failure.draft.quote} {failure.draft.source}")
    scored = [
        (support(words, _profile(index, i)), a, b) for i, (a, b) in enumerate(index.sentences)
    ]
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]
    return [
        index.text[a:b].strip()[:_MAX_PASSAGE_CHARS]
        for score, a, b in sorted(best, key=lambda s: s[1])
        if score > 0
    ]


# Each article's sentence profiles, worked out when first needed; they go with the article.
_PROFILES: weakref.WeakKeyDictionary[TextIndex, dict[int, Profile]] = weakref.WeakKeyDictionary()


def _profile(index: TextIndex, i: int) -> Profile:
    done = _PROFILES.setdefault(index, {})
    found = done.get(i)
    if found is None:
        a, b = index.sentences[i]
        found = done[i] = Profile.of(index.text[a:b])
    return found


@cache
def schema_chars(model: type[BaseModel]) -> int:
    """Size of the JSON schema sent with a request, for token estimates."""
    return len(json.dumps(model.model_json_schema()))


def estimate_tokens(chars: int, chars_per_token: float) -> int:
    """A token estimate calibrated on the first call's real prompt (see pipeline)."""
    return int(chars / chars_per_token) + 1


def build_reask(
    failures: list[Failure],
    index: TextIndex,
    *,
    passages: int,
    budget_tokens: float,
    chars_per_token: float,
) -> tuple[Request | None, list[Failure]]:
    """Build one re-ask round for as many failures as the budget allows.

    Returns the request (None when not even one claim fits) and the failures it carries.
    """
    system = render("reask_system")
    fixed_chars = len(system) + len(render("reask_user", items="")) + schema_chars(ClaimFixes)
    spent = estimate_tokens(fixed_chars, chars_per_token)
    items: list[str] = []
    carried: list[Failure] = []
    for failure in failures:
        # Fewer passages before none: a claim is left out only when even one does not fit.
        for k in range(passages, 0, -1):
            item = render(
                "reask_item",
                id=failure.draft.id,
                text=failure.draft.text,
                reason=failure.reason,
                passages="\n".join(f"- {p}" for p in passages_for(failure, index, k)),
            )
            cost = estimate_tokens(len(item), chars_per_token)
            if spent + cost <= budget_tokens:
                spent += cost
                items.append(item)
                carried.append(failure)
                break
    if not carried:
        return None, []
    messages = [
        {"role": "system", "content": system},
        {"role": "user", "content": render("reask_user", items="\n".join(items))},
    ]
    return Request("reask", messages, ClaimFixes), carried


def apply_fixes(carried: list[Failure], fixes: ClaimFixes) -> list[tuple[Failure, ClaimDraft]]:
    """Pair each carried failure with the corrected draft the model returned for it."""
    by_id = {fix.id.strip(): fix for fix in fixes.fixes}
    out = []
    for failure in carried:
        fix = by_id.get(failure.draft.id)
        if fix is None:
            continue
        fixed = failure.draft.model_copy(
            update={
                "quote": fix.quote,
                "source": fix.source,
                "source_kind": fix.source_kind,
                "cue": fix.cue,
            }
        )
        out.append((failure, fixed))
    return out
