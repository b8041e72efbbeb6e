"""Summary sentences, key points and the headline, kept where verified claims back them."""

from __future__ import annotations

import itertools
from typing import Literal

from summarizer.result import (
    Rejection,
    SupportedText,
)
from summarizer.schema import MAX_CITED, SupportedSentence
from summarizer.text.sentences import sentence_spans
from summarizer.verify.support import Profile, content_words, support, support_score

# A statement the claims it cites do not back is tried against this many kept claims, those
# that hold most of its words, alone and in pairs and threes.
_STATEMENT_CANDIDATES = 6


# A smaller set of claims is preferred to a larger one that backs a statement this little better.
_SUPPORT_SLACK = 0.05


def verify_statements(
    items: list[SupportedSentence],
    context: dict[str, str],
    kind: Literal["summary_sentence", "key_point"],
    *,
    min_support: float,
) -> tuple[list[SupportedText], list[Rejection]]:
    """Keep the statements whose words the evidence of kept claims backs.

    ``context`` maps each kept claim id to the article sentences its evidence sits in. A
    statement rests on the claims it cites when their evidence backs it (``match="cited"``);
    otherwise on the fewest kept claims, at most three, whose evidence does
    (``match="found"``): the model points, the text decides. An item that holds several
    sentences is checked, and kept or rejected, sentence by sentence.
    """
    profiles = {claim_id: Profile.of(text) for claim_id, text in context.items()}
    kept: list[SupportedText] = []
    rejected: list[Rejection] = []
    for item in items:
        text = item.text.strip()
        cited = list(dict.fromkeys(i.strip() for i in item.claim_ids if i.strip() in context))
        spans = sentence_spans(text)
        for sentence in [text[a:b] for a, b in spans] if len(spans) > 1 else [text]:
            found = _resting_on(sentence, item.claim_ids, cited, profiles, min_support)
            if sentence and isinstance(found, SupportedText):
                kept.append(found)
                continue
            rejected.append(
                Rejection(
                    kind=kind,
                    text=sentence or item.text,
                    reason=found if isinstance(found, str) and sentence else "empty statement",
                    proposed=item.model_dump(mode="json"),
                )
            )
    return kept, rejected


def _resting_on(
    sentence: str,
    given: list[str],
    cited: list[str],
    profiles: dict[str, Profile],
    min_support: float,
) -> SupportedText | str:
    """The statement with the claims that back it, or why none do. ``given`` are the ids the
    model gave, ``cited`` those of them that name kept claims."""
    words = content_words(sentence)
    if cited and support(words, Profile.union(profiles[i] for i in cited)) >= min_support:
        return SupportedText(text=sentence, claim_ids=cited, match="cited")
    # The claims that hold most of its words, alone, in pairs and in threes: the fewest that
    # back it about as well as any of these sets does.
    ranked = sorted(profiles, key=lambda i: -support(words, profiles[i]))[:_STATEMENT_CANDIDATES]
    sets = [
        (support(words, Profile.union(profiles[i] for i in ids)), ids)
        for size in range(1, MAX_CITED + 1)
        for ids in itertools.combinations(ranked, size)
    ]
    best = max((score for score, _ in sets), default=0.0)
    if best >= min_support:
        chosen = next(ids for score, ids in sets if score >= best - _SUPPORT_SLACK)
        # In the article's order, as the claims are.
        ids = [i for i in profiles if i in chosen]
        return SupportedText(text=sentence, claim_ids=ids, match="found")
    if not cited:
        return (
            f"cites no verified claim (cited: {', '.join(given) or 'none'}), and no verified "
            "claim's evidence backs its words"
        )
    score = support(words, Profile.union(profiles[i] for i in cited))
    return (
        f"its words are not backed by the evidence of {', '.join(cited)} (support {score:.2f} "
        f"< {min_support:g}, numbers must match), nor by that of other verified claims"
    )


def verify_headline(
    headline: str, context: dict[str, str], *, min_support: float
) -> Rejection | None:
    """None when the headline's words are backed by the kept claims' evidence."""
    if not headline.strip():
        return None
    support = support_score(headline, " ".join(context.values())) if context else 0.0
    if support >= min_support:
        return None
    return Rejection(
        kind="headline",
        text=headline,
        reason=f"its words are not backed by any verified claim's evidence (support "
        f"{support:.2f} < {min_support:g})",
    )
