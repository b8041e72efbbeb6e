"""How well page furniture is removed: recall of the story, precision against junk.

Run: python benchmarks/cleaning.py [--dev ../shared/eval/dev.jsonl]

Cases: the seed article (its story is everything up to "according to AP news."); the ``messy``
records twice, as raw HTML (trafilatura, then the text cleaner) and as the page's visible text
(the text cleaner alone), scored against ``expected_clean_text`` or the must-contain /
must-not-contain snippets; and the ``article_with_boilerplate`` records, scored on the lines
annotators cite as evidence (their junk is not labelled, so precision is n/a).

Recall: share of the expected story's words (or snippets, or cited lines) the cleaned text keeps.
Precision: share of the cleaned text's words that belong to the expected story; for snippet
records, the share of must-not-contain snippets that are gone.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from summarizer.cleaning import clean
from summarizer.inputs import coerce_article

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "prisoner-swap.txt"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def _overlap(expected: str, got: str) -> tuple[float, float]:
    want, have = _words(expected), _words(got)
    common = sum((want & have).values())
    return common / max(sum(want.values()), 1), common / max(sum(have.values()), 1)


def _score(record: dict[str, Any], cleaned: str) -> tuple[float, float | None]:
    annotations = record["annotations"]
    if annotations["type"] == "expected_clean_text":
        return _overlap(annotations["expected_clean_text"], cleaned)
    if annotations["type"] == "extraction_snippets":
        keep, drop = annotations["must_contain"], annotations["must_not_contain"]
        return (
            sum(s in cleaned for s in keep) / len(keep),
            sum(s not in cleaned for s in drop) / len(drop),
        )
    # WiCE pages: the lines annotators cite as evidence must stay; junk is not labelled.
    lines = str(record["article"]).splitlines()
    cited = {i for group in annotations["supporting_sentence_sets"] for i in group}
    kept = set(cleaned.splitlines())
    return sum(lines[i] in kept for i in cited) / max(len(cited), 1), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    args = parser.parse_args()
    seed = SEED.read_text(encoding="utf-8")
    started = time.perf_counter()
    cleaned = clean(seed)
    story = seed[: seed.index("according to AP news.") + len("according to AP news.")]
    recall, precision = _overlap(story, cleaned.text)
    rows: list[tuple[str, str, int, int, float, float | None, float]] = []
    rows.append(("seed prisoner-swap", "text", len(seed), len(cleaned.text), recall, precision,
                 time.perf_counter() - started))  # fmt: skip

    for line in args.dev.open(encoding="utf-8"):
        record = json.loads(line)
        kind = record["kind"]
        if kind not in ("messy", "article_with_boilerplate"):
            continue
        inputs = [(kind, record["article"])]
        if kind == "messy":
            # The same page as visible text, one block a line: the text cleaner on its own.
            inputs.append(("messy page text", record["article_text_with_boilerplate"]))
        for label, raw in inputs:
            started = time.perf_counter()
            article, _ = coerce_article(raw, max_chars=10**7, max_html_chars=10**8)
            cleaned = clean(article.text)
            seconds = time.perf_counter() - started
            recall, precision = _score(record, cleaned.text)
            rows.append((record["id"][:40], label, len(raw), len(cleaned.text), recall, precision,
                         seconds))  # fmt: skip

    print(f"{'case':42} {'input':>24} {'chars in':>9} {'kept':>7} {'recall':>7} "
          f"{'precision':>9} {'seconds':>8}")  # fmt: skip
    for name, kind, n_in, n_out, rec, prec, sec in rows:
        shown = "n/a" if prec is None else f"{prec:.3f}"
        print(f"{name:42} {kind:>24} {n_in:>9} {n_out:>7} {rec:>7.3f} {shown:>9} {sec:>8.3f}")
    precisions = [r[5] for r in rows if r[5] is not None]
    mean_r = sum(r[4] for r in rows) / len(rows)
    mean_p = sum(precisions) / len(precisions)
    print(f"{'mean (precision over ' + str(len(precisions)) + ' scored cases)':42} {'':>24} "
          f"{'':>9} {'':>7} {mean_r:>7.3f} {mean_p:>9.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
