"""How well the text-only attribution resolver finds the source of a span.

Run: python benchmarks/attribution.py [--dev PATH] [--errors] [--pronouns] [--plain]

Data: the ``polnear_attribution_relations`` records of the file given (default ``dev.jsonl``,
9 articles; ``../shared/eval/polnear-dev.jsonl``, 75 unseen articles, is the one to report;
``polnear-train.jsonl`` is what the cue model was trained on, so its figure is optimistic).
Each relation has a ``content`` span, a ``cue`` span and, unless its relation is
``Attribution-no-source``, a ``source`` span, all ``[start, end)`` offsets into the article.

Protocol ("resolver alone, no model involved"): for every relation the resolver is handed the
gold content span and returns a source, a cue and a kind.

* Content spans made of several pieces (a quotation broken by "she said") are handed over as one
  span, from the first piece's start to the last piece's end: that is what an evidence quote
  looks like in a summary, and it means the resolver must cope with the cue inside the span.
* Source accuracy, over relations with a gold source: right when the returned source span
  overlaps a gold source span. PolNeAR has no coreference links, so a gold source that is a
  pronoun ("she") cannot tell whether the name the resolver puts in its place ("Melanie") is the
  right one. The resolver also reports the words at the cue that stand for the source
  (``mention_start``/``mention_end``: the pronoun itself); when those overlap the gold pronoun the
  answer counts as right, and the number of answers counted this way is printed separately
  ("via pronoun"), so the figure is never silently lenient. ``--pronouns`` lists them for a
  hand check of the antecedents.
* The cue model is learned from ``polnear-train.jsonl`` only
  (``benchmarks/train_attribution.py``); the other files are unseen by it.
* Cue accuracy, over all relations: the returned cue span overlaps a gold cue span.
* Article voice on no-source relations: the share of ``Attribution-no-source`` relations for
  which the resolver names no source.
* Article voice on unannotated sentences: sentences that touch no annotated span (the second
  part of a quotation, ``content_part2``, counts as annotated) are taken to be the article's
  own voice; the share the resolver leaves unattributed guards against a resolver that
  attributes everything (``--plain`` lists the ones it attributes).
* Time, per 1,000 words of article, in CPU time of this process (``time.process_time``: the
  machine may be shared, and CPU time moves less with other work than wall time, which is
  given beside it), three ways:

  - whole article, one span at a time: a new ``Resolver``, then ``resolve`` of every relation
    and every unannotated sentence in turn (the figures above come from this run);
  - whole article, all at once: the same spans through ``Resolver.resolve_all``, which parses
    the paragraphs they need in one batch (its answers are checked to be the same);
  - as the pipeline uses it: a new ``Resolver`` and ``resolve`` of ten spans in turn (ten
    relations spread evenly over the article), about what one summary's kept claims ask;
    a paragraph no span falls in is never parsed.
* Source kinds: ``kind_of`` on the sample article's sources (seeds/prisoner-swap.txt).
* Kept claims with the right source, end to end, needs an LLM and is not measured here.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.attribution import Resolution, Resolver, kind_of
from summarizer.text.sentences import sentence_spans

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
KIND = "polnear_attribution_relations"
# The sample article's sources and the kind the article shows each to be.
SEED_KINDS = {
    "President Volodymyr Zelenskyy": "person",
    "Zelenskyy": "person",
    "Rustem Umerov": "person",
    "Umerov": "person",
    "Ukrainian officials": "government",
    "AP news": "media",
    "AP": "media",
    "Turkey": "government",
}

Span = tuple[int, int]


@dataclass
class Tally:
    """Counts for one article or for all of them."""

    words: int = 0
    with_source: int = 0
    source_right: int = 0
    via_pronoun: int = 0
    relations: int = 0
    cue_right: int = 0
    no_source: int = 0
    no_source_voice: int = 0
    plain_sentences: int = 0
    plain_voice: int = 0
    seconds: float = 0.0
    wall: float = 0.0
    batch_seconds: float = 0.0
    batch_wall: float = 0.0
    batch_differs: int = 0
    pipeline_seconds: float = 0.0
    pipeline_wall: float = 0.0
    errors: list[str] = field(default_factory=list)
    pronouns: list[str] = field(default_factory=list)
    attributed_plain: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "with_source source_right via_pronoun relations cue_right no_source "
            "no_source_voice plain_sentences plain_voice seconds words wall batch_seconds "
            "batch_wall batch_differs pipeline_seconds pipeline_wall"
        ).split():
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _overlaps(span: Span | None, gold: Iterable[list[int]]) -> bool:
    return span is not None and any(span[0] < b and a < span[1] for a, b in gold)


def _span(start: int | None, end: int | None) -> Span | None:
    return None if start is None or end is None else (start, end)


def _context(text: str, a: int, b: int) -> str:
    return text[max(0, a - 90) : b + 60].replace("\n", " / ")


def score_article(record: dict[str, Any]) -> Tally:
    """Score the resolver on one annotated article."""
    text: str = record["article"]
    relations: list[dict[str, Any]] = record["annotations"]["attributions"]
    tally = Tally(words=len(text.split()))
    spans = [
        (min(a for a, _ in pieces), max(b for _, b in pieces))
        for pieces in (rel["content"]["char_spans"] for rel in relations)
    ]
    annotated = [
        tuple(s)
        for rel in relations
        for part in ("source", "cue", "content", "content_part2")
        if rel.get(part)
        for s in rel[part]["char_spans"]
    ]
    plain = [
        s
        for s in sentence_spans(text)
        if not any(s[0] < b and a < s[1] for a, b in annotated) and len(text[s[0] : s[1]]) > 30
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    resolver = Resolver(text)
    got_all = [resolver.resolve(*s) for s in [*spans, *plain]]
    tally.seconds, tally.wall = time.process_time() - cpu, time.perf_counter() - wall
    results = list(zip(relations, spans, got_all[: len(spans)], strict=True))
    plain_results = got_all[len(spans) :]
    _time_other_ways(tally, text, [*spans, *plain], got_all, spans)

    for rel, span, got in results:
        tally.relations += 1
        if _overlaps(_span(got.cue_start, got.cue_end), rel["cue"]["char_spans"]):
            tally.cue_right += 1
        source = rel["source"]
        if source is None:
            tally.no_source += 1
            tally.no_source_voice += got.source is None
            continue
        tally.with_source += 1
        direct = _overlaps(_span(got.source_start, got.source_end), source["char_spans"])
        pronoun = not direct and _overlaps(
            _span(got.mention_start, got.mention_end), source["char_spans"]
        )
        if direct or pronoun:
            tally.source_right += 1
        if pronoun:
            tally.via_pronoun += 1
            tally.pronouns.append(
                f"  {rel['id']}: gold {source['text']!r} -> {got.source!r}\n"
                f"      | {_context(text, got.source_start or 0, span[1])}"
            )
        if not (direct or pronoun):
            tally.errors.append(
                f"  {rel['id']}: gold {source['text']!r} / cue {rel['cue']['text']!r}; "
                f"got {got.source!r} / cue {got.cue!r}\n"
                f"      | {_context(text, min(span[0], source['char_spans'][0][0]), span[1])}"
            )
    for s, got in zip(plain, plain_results, strict=True):
        tally.plain_sentences += 1
        tally.plain_voice += got.source is None
        if got.source is not None:
            tally.attributed_plain.append(
                f"  {got.source!r} / cue {got.cue!r}\n      | {text[s[0] : s[1]]}"
            )
    return tally


PIPELINE_SPANS = 10


def _time_other_ways(
    tally: Tally,
    text: str,
    every: list[Span],
    expected: list[Resolution],
    relation_spans: list[Span],
) -> None:
    """Time ``resolve_all`` of every span, and ten spans resolved as the pipeline does."""
    cpu, wall = time.process_time(), time.perf_counter()
    got = Resolver(text).resolve_all(every)
    tally.batch_seconds, tally.batch_wall = time.process_time() - cpu, time.perf_counter() - wall
    tally.batch_differs = sum(g != e for g, e in zip(got, expected, strict=True))
    n = len(relation_spans)
    picked = sorted({round(j * (n - 1) / (PIPELINE_SPANS - 1)) for j in range(PIPELINE_SPANS)})
    cpu, wall = time.process_time(), time.perf_counter()
    resolver = Resolver(text)
    for j in picked if n else []:
        resolver.resolve(*relation_spans[j])
    tally.pipeline_seconds = time.process_time() - cpu
    tally.pipeline_wall = time.perf_counter() - wall


def _per_thousand(seconds: float, words: int) -> str:
    return f"{1000 * seconds / max(words, 1) * 1000:.1f}"


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "   n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--errors", action="store_true", help="list wrong sources")
    parser.add_argument("--pronouns", action="store_true", help="list pronoun-route answers")
    parser.add_argument(
        "--plain", action="store_true", help="list unannotated sentences given a source"
    )
    args = parser.parse_args()
    records = [json.loads(line) for line in args.dev.open(encoding="utf-8")]
    records = [r for r in records if r["annotations"].get("type") == KIND]

    Resolver("The model loads once per process, before the clock starts.").resolve(0, 9)
    header = (
        f"{'article':<44} {'src':>4} {'source right':>13} {'pron':>4} {'cue right':>10} "
        f"{'no-src voice':>12} {'plain voice':>12} {'cpu ms':>6}"
    )
    print(header)
    print("-" * len(header))
    total = Tally()
    for record in records:
        t = score_article(record)
        total.add(t)
        name = record["id"].removeprefix("polnear-dev-")[:44]
        print(
            f"{name:<44} {t.with_source:>4} {_pct(t.source_right, t.with_source):>13} "
            f"{t.via_pronoun:>4} {_pct(t.cue_right, t.relations):>10} "
            f"{_pct(t.no_source_voice, t.no_source):>12} "
            f"{_pct(t.plain_voice, t.plain_sentences):>12} {1000 * t.seconds:6.1f}"
        )
        if args.errors and t.errors:
            print("\n".join(t.errors))
        if args.pronouns and t.pronouns:
            print("\n".join(t.pronouns))
        if args.plain and t.attributed_plain:
            print("\n".join(t.attributed_plain))
    print("-" * len(header))
    print(
        f"{'TOTAL':<44} {total.with_source:>4} "
        f"{_pct(total.source_right, total.with_source):>13} {total.via_pronoun:>4} "
        f"{_pct(total.cue_right, total.relations):>10} "
        f"{_pct(total.no_source_voice, total.no_source):>12} "
        f"{_pct(total.plain_voice, total.plain_sentences):>12} {1000 * total.seconds:6.1f}"
    )
    print()
    print(
        f"Source right: {total.source_right}/{total.with_source} relations with a source "
        f"({_pct(total.source_right, total.with_source).strip()}; target 90%), of which "
        f"{total.via_pronoun} via the pronoun the resolver resolved (PolNeAR has no coreference);"
        f" direct overlap alone: {total.source_right - total.via_pronoun}/{total.with_source} "
        f"({_pct(total.source_right - total.via_pronoun, total.with_source).strip()})."
    )
    print(
        f"Cue right: {total.cue_right}/{total.relations} relations. "
        f"Article voice: {total.no_source_voice}/{total.no_source} no-source relations, "
        f"{total.plain_voice}/{total.plain_sentences} unannotated sentences."
    )
    w = total.words
    print(
        f"Time, ms per 1,000 words ({w} words, parse included), CPU (wall): whole article one "
        f"span at a time {_per_thousand(total.seconds, w)} ({_per_thousand(total.wall, w)}); "
        f"whole article all at once {_per_thousand(total.batch_seconds, w)} "
        f"({_per_thousand(total.batch_wall, w)}; {total.batch_differs} answers differ); as the "
        f"pipeline uses it, {PIPELINE_SPANS} spans {_per_thousand(total.pipeline_seconds, w)} "
        f"({_per_thousand(total.pipeline_wall, w)})."
    )
    kinds = {s: kind_of(s).value for s in SEED_KINDS}
    right = sum(kinds[s] == k for s, k in SEED_KINDS.items())
    print(
        f"Source kinds on the seed: {right}/{len(SEED_KINDS)} right ("
        + ", ".join(f"{s}: {k}" for s, k in kinds.items())
        + ")."
    )
    print("End to end (kept claims with the right source): needs an LLM, not measured here.")


if __name__ == "__main__":
    main()
