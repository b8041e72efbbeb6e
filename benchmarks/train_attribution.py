"""Learn the attribution cue model from the PolNeAR train compartment, and only from it.

Run: python benchmarks/train_attribution.py [--train PATH] [--out PATH]

Writes ``summarizer/attribution/cue_model.json``: the cue lexicon (for each lemma seen as a cue
at least twice in the train articles, the share of its occurrences that are cues) and the
weights of a logistic regression that scores each candidate word of a span as its cue (features
in ``summarizer/attribution/features.py``). Negatives are the other candidates of each gold
content span and every candidate of the sentences that touch no annotation (the article's own
voice). While training, an article's own cues are taken out of the lexicon it sees, so that the
lexicon feature is worth what it is worth on an unseen article. ``polnear-dev.jsonl`` is never
read here.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import Any

from summarizer.attribution.features import candidates, source_candidates
from summarizer.attribution.parse import Parsed
from summarizer.attribution.sources import rule_head
from summarizer.text.sentences import sentence_spans

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
TRAIN = EVAL / "polnear-train.jsonl"
OUT = Path(__file__).resolve().parents[1] / "summarizer" / "attribution" / "cue_model.json"
MIN_CUE_COUNT = 2
MIN_WEIGHT = 0.02  # smaller weights are dropped, to keep the shipped model file small
PRIOR = 2.0  # pseudo-occurrences that are not cues, so a lemma seen once is not a sure cue


def _overlaps(a: int, b: int, spans: list[list[int]]) -> bool:
    return any(a < y and x < b for x, y in spans)


def lemma_counts(p: Parsed, relations: list[dict[str, Any]]) -> tuple[Counter[str], Counter[str]]:
    """How often each lemma occurs, and how often as (part of) a gold cue."""
    cue_spans = [s for rel in relations for s in rel["cue"]["char_spans"]]
    seen: Counter[str] = Counter()
    cues: Counter[str] = Counter()
    for i in range(len(p)):
        lemma = p.lemma(i)
        seen[lemma] += 1
        if _overlaps(p.starts[i], p.ends[i], cue_spans):
            cues[lemma] += 1
    return seen, cues


def lexicon_of(seen: Counter[str], cues: Counter[str]) -> dict[str, float]:
    return {
        lemma: round(n / (seen[lemma] + PRIOR), 4)
        for lemma, n in cues.items()
        if n >= MIN_CUE_COUNT
    }


def plain_spans(text: str, relations: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Sentences that touch no annotated span (as in benchmarks/attribution.py)."""
    annotated = [
        tuple(s)
        for rel in relations
        for part in ("source", "cue", "content", "content_part2")
        if rel.get(part)
        for s in rel[part]["char_spans"]
    ]
    return [
        s
        for s in sentence_spans(text)
        if not any(s[0] < b and a < s[1] for a, b in annotated) and len(text[s[0] : s[1]]) > 30
    ]


def sourceless_cues(records: list[dict[str, Any]]) -> list[str]:
    """One-word cues that never have a source in the train articles ("reportedly")."""
    alone: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for r in records:
        for rel in r["annotations"]["attributions"]:
            word = rel["cue"]["text"].strip().lower()
            if word.isalpha():
                seen[word] += 1
                alone[word] += rel["source"] is None
    return sorted(w for w, n in alone.items() if n and n == seen[w])


def examples(
    p: Parsed, relations: list[dict[str, Any]], lexicon: dict[str, float]
) -> list[list[tuple[tuple[str, ...], int]]]:
    """Per query span: its candidates' features, labelled 1 where the candidate is the cue."""
    out = []
    for rel in relations:
        pieces = rel["content"]["char_spans"]
        start, end = min(a for a, _ in pieces), max(b for _, b in pieces)
        cue = rel["cue"]["char_spans"]
        group = []
        for c in candidates(p, lexicon, start, end):
            group.append((c.features, int(_overlaps(p.starts[c.token], p.ends[c.token], cue))))
        out.append(group)
    for start, end in plain_spans(p.text, relations):
        out.append([(c.features, 0) for c in candidates(p, lexicon, start, end)])
    return out


def cue_token(p: Parsed, spans: list[list[int]]) -> int | None:
    """The token of a gold cue that heads it (its head lies outside the cue)."""
    inside = [i for i in range(len(p)) if _overlaps(p.starts[i], p.ends[i], spans)]
    for i in inside:
        if p.head[i] not in inside or p.head[i] == i:
            return i
    return inside[0] if inside else None


def source_examples(
    p: Parsed, relations: list[dict[str, Any]]
) -> list[list[tuple[tuple[str, ...], int]]]:
    """Per gold cue: its candidate sources, labelled 1 where one is (in) the gold source."""
    out = []
    for rel in relations:
        cue = cue_token(p, rel["cue"]["char_spans"])
        if cue is None:
            continue
        rule = rule_head(p, cue)
        if isinstance(rule, tuple):
            continue  # a speaker before a colon: taken as written
        gold = rel["source"]["char_spans"] if rel["source"] else None
        group = []
        for c in source_candidates(p, cue, rule):
            if c.token < 0:
                label = int(gold is None)
            else:
                span = (p.starts[c.token], p.ends[c.token])
                label = int(gold is not None and _overlaps(*span, gold))
            group.append((c.features, label))
        if any(label for _, label in group):
            out.append(group)
    return out


def train_ranker(
    groups: list[list[tuple[tuple[str, ...], int]]], *, epochs: int, l2: float, rate: float
) -> dict[str, float]:
    """A softmax ranker: the gold candidates of each group against the others."""
    weights: dict[str, float] = {}
    rng = random.Random(0)
    order = list(range(len(groups)))
    for epoch in range(epochs):
        rng.shuffle(order)
        step = rate / (1 + epoch)
        for n in order:
            group = groups[n]
            scores = [sum(weights.get(f, 0.0) for f in feats) for feats, _ in group]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            gold = sum(1 for _, label in group if label)
            for (feats, label), e in zip(group, exps, strict=True):
                g = step * (label / gold - e / total)
                if g == 0.0:
                    continue
                for f in feats:
                    w = weights.get(f, 0.0)
                    weights[f] = w + g - step * l2 * w
    return {f: round(w, 3) for f, w in sorted(weights.items()) if abs(w) >= MIN_WEIGHT}


def train(
    data: list[tuple[tuple[str, ...], int]], *, epochs: int, l2: float, rate: float
) -> dict[str, float]:
    """Logistic regression by stochastic gradient descent with L2 (lazy) regularization."""
    weights: dict[str, float] = {}
    rng = random.Random(0)
    order = list(range(len(data)))
    for epoch in range(epochs):
        rng.shuffle(order)
        step = rate / (1 + epoch)
        for n in order:
            features, label = data[n]
            z = sum(weights.get(f, 0.0) for f in features)
            prob = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = step * (label - prob)
            for f in features:
                w = weights.get(f, 0.0)
                weights[f] = w + g - step * l2 * w
    return {f: round(w, 3) for f, w in sorted(weights.items()) if abs(w) >= MIN_WEIGHT}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=TRAIN)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--threshold", type=float, default=0.5, help="least cue probability")
    args = parser.parse_args()
    if "polnear-dev" in args.train.name:
        raise SystemExit("the cue model is trained on the train compartment only")
    records = [json.loads(line) for line in args.train.open(encoding="utf-8")]
    parsed = []
    seen: Counter[str] = Counter()
    cues: Counter[str] = Counter()
    for r in records:
        rels = r["annotations"]["attributions"]
        p = Parsed.of(r["article"])
        p.entities_all()  # every paragraph is read: parse them all at once
        s, c = lemma_counts(p, rels)
        seen += s
        cues += c
        parsed.append((p, rels, s, c))
    data: list[tuple[tuple[str, ...], int]] = []
    source_groups = []
    for p, rels, s, c in parsed:
        held_out = lexicon_of(seen - s, cues - c)
        for group in examples(p, rels, held_out):
            data.extend(group)
        source_groups.extend(source_examples(p, rels))
    weights = train(data, epochs=args.epochs, l2=args.l2, rate=args.rate)
    source_weights = train_ranker(source_groups, epochs=args.epochs, l2=args.l2, rate=args.rate)
    model = {
        "trained_on": args.train.name,
        "sourceless": sourceless_cues(records),
        "lexicon": dict(sorted(lexicon_of(seen, cues).items())),
        "weights": weights,
        "source_weights": source_weights,
        "threshold": args.threshold,
    }
    args.out.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{len(records)} articles, {len(data)} candidates, {len(model['lexicon'])} cue lemmas, "
        f"{len(weights)} cue weights, {len(source_groups)} source choices, "
        f"{len(source_weights)} source weights -> {args.out}"
    )


if __name__ == "__main__":
    main()
