"""Summary sentences, key points and the headline, kept where verified claims back them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

from summarizer.result import (
    Rejection,
    SupportedText,
)
from summarizer.schema import MAX_CITED, SupportedSentence
from summarizer.text.sentences import sentence_spans
from summarizer.verify.meaning import Words, article_names, check_meaning, parse_words
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
    meaning: bool = True,
) -> tuple[list[SupportedText], list[Rejection]]:
    """Keep the statements that the evidence of kept claims states.

    ``context`` maps each kept claim id to the article sentences its evidence sits in. A
    statement rests on the claims it cites when their evidence backs its words and states what
    it says (summarizer.verify.meaning; ``match="cited"``); otherwise on the fewest kept
    claims, at most three, whose evidence does (``match="found"``): the model points, the text
    decides. It never rests on claims that do not state it. An item that holds several
    sentences is checked, and kept or rejected, sentence by sentence. ``meaning=False``
    leaves only the word-overlap test (for comparison).
    """
    evidence = _Evidence(context, meaning=meaning)
    kept: list[SupportedText] = []
    rejected: list[Rejection] = []
    noun = kind.replace("_", " ")
    for item in items:
        text = item.text.strip()
        cited = list(dict.fromkeys(i.strip() for i in item.claim_ids if i.strip() in context))
        spans = sentence_spans(text)
        for sentence in [text[a:b] for a, b in spans] if len(spans) > 1 else [text]:
            found = (
                _resting_on(sentence, item.claim_ids, cited, evidence, min_support, noun)
                if sentence
                else "empty statement"
            )
            if isinstance(found, SupportedText):
                kept.append(found)
                continue
            rejected.append(
                Rejection(
                    kind=kind,
                    text=sentence or item.text,
                    reason=found,
                    proposed=item.model_dump(mode="json"),
                )
            )
    return kept, rejected


class _Evidence:
    """The evidence of kept claims: word profiles for ranking, parses for the meaning."""

    def __init__(self, context: dict[str, str], *, meaning: bool = True) -> None:
        self.context = context
        self.meaning = meaning
        self.profiles = {claim_id: Profile.of(text) for claim_id, text in context.items()}
        self.names = article_names(" ".join(context.values()))
        self._words: dict[str, Words] = {}

    def words(self, ids: Sequence[str]) -> Words:
        for i in ids:
            if i not in self._words:
                self._words[i] = parse_words(self.context[i]).labelled(f"{i}'s evidence")
        return Words.joined([self._words[i] for i in ids])

    def support(self, words: list[str], ids: Sequence[str]) -> float:
        return support(words, Profile.union(self.profiles[i] for i in ids))

    def states(self, sentence: str, ids: Sequence[str], noun: str) -> str | None:
        """None when the evidence of claims ``ids`` states ``sentence``, else why not."""
        if not self.meaning:
            return None
        found = check_meaning(
            parse_words(sentence), self.words(ids), article_names=self.names,
            subject=f"the {noun}",
        )  # fmt: skip
        return None if found is None else found.reason


def _resting_on(
    sentence: str,
    given: list[str],
    cited: list[str],
    evidence: _Evidence,
    min_support: float,
    noun: str,
) -> SupportedText | str:
    """The statement with the claims that state it, or why none do. ``given`` are the ids the
    model gave, ``cited`` those of them that name kept claims."""
    words = content_words(sentence)
    why = None
    if cited and evidence.support(words, cited) >= min_support:
        why = evidence.states(sentence, cited, noun)
        if why is None:
            return SupportedText(text=sentence, claim_ids=cited, match="cited")
    # The claims that hold most of its words, alone, in pairs and in threes: the fewest that
    # back it about as well as any of these sets does, and state it.
    profiles = evidence.profiles
    ranked = sorted(profiles, key=lambda i: -support(words, profiles[i]))[:_STATEMENT_CANDIDATES]
    sets = [
        (evidence.support(words, ids), ids)
        for size in range(1, MAX_CITED + 1)
        for ids in itertools.combinations(ranked, size)
    ]
    best = max((score for score, _ in sets), default=0.0)
    if best >= min_support:
        for score, ids in sets:
            if score < best - _SUPPORT_SLACK:
                continue
            not_stated = evidence.states(sentence, ids, noun)
            if not_stated is None:
                # In the article's order, as the claims are.
                return SupportedText(
                    text=sentence, claim_ids=[i for i in profiles if i in ids], match="found"
                )
            why = why or not_stated
    if why is not None:
        if not cited:
            return f"{why} (it cites no verified claim, and none states it)"
        return f"{why}; no other verified claim states it either"
    if not cited:
        return (
            f"cites no verified claim (cited: {', '.join(given) or 'none'}), and no verified "
            "claim's evidence backs its words"
        )
    score = evidence.support(words, cited)
    return (
        f"its words are not backed by the evidence of {', '.join(cited)} (support {score:.2f} "
        f"< {min_support:g}, numbers must match), nor by that of other verified claims"
    )


def verify_headline(
    headline: str, context: dict[str, str], *, min_support: float
) -> Rejection | None:
    """None when the kept claims' evidence backs the headline's words and states it."""
    if not headline.strip():
        return None
    support = support_score(headline, " ".join(context.values())) if context else 0.0
    if support < min_support:
        return Rejection(
            kind="headline",
            text=headline,
            reason=f"its words are not backed by any verified claim's evidence (support "
            f"{support:.2f} < {min_support:g})",
        )
    evidence = _Evidence(context)
    why = evidence.states(headline, list(context), "headline")
    if why is None:
        return None
    return Rejection(kind="headline", text=headline, reason=why)
