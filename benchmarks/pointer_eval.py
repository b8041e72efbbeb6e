"""The embedded default on the sample article and on the development set, as a new user gets it.

Prints, for the figures the pointer-evidence design is judged by:

- the sample article (``seeds/prisoner-swap.txt``) through ``summarize`` as the README's main
  command runs it: verified claims, whether the headline was kept, kept summary sentences,
  whether any kept evidence rests on the page furniture at its end, and wall time (the first
  call includes starting the server and, on a first run, assembling the model);
- ``summarizer.evaluate`` on the development set's 9 PolNeAR and 10 FRANK records
  (``../shared/eval/dev.jsonl``): kept claims per article, the share of kept evidence equal to
  the article text at its offsets, PolNeAR gold relations whose content a kept claim's evidence
  covers, and prompt tokens over all calls divided by the first call's, per article.

Usage: ``python benchmarks/pointer_eval.py [--limit N] [--kind KIND] [--skip-seed]
[--skip-dev]``. It runs the real embedded model (minutes per article on 2 cores); nothing is
replayed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from summarizer import ArticleSummary, summarize
from summarizer.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "prisoner-swap.txt"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
KINDS = ("polnear_attribution_relations", "frank_summary_factuality")


def seed_figures() -> None:
    text = SEED.read_text(encoding="utf-8")
    started = time.perf_counter()
    result = summarize(text)
    seconds = time.perf_counter() - started
    junk = text.index("Quickly understand the history")
    call = result.meta.call_log[0]
    print(f"model: {result.meta.model} ({result.meta.backend})")
    print(f"seed: {len(result.claims)} verified claims, {len(result.rejected)} rejections")
    print(f"seed: headline kept: {bool(result.headline)} ({result.headline!r})")
    print(f"seed: summary sentences kept: {len(result.summary_sentences)}")
    on_furniture = sum(c.evidence.end > junk for c in result.claims)
    print(f"seed: kept evidence on page furniture: {on_furniture}")
    print(
        f"seed: {seconds:.1f} s in all (server start included), first call {call.seconds:.1f} s, "
        f"{call.usage.prompt_tokens} prompt + {call.usage.completion_tokens} completion tokens"
    )
    print(f"seed: prompt tokens over all calls / first: {_ratio(result):.2f}")
    for claim in result.claims:
        ids = ",".join(claim.evidence.sentence_ids)
        print(f"  kept {claim.id} [{ids}] {claim.text} -- {claim.attribution.source}")
    for rejection in result.rejected:
        print(f"  rejected {rejection.kind} {rejection.id or ''}: {rejection.reason[:120]}")


def _ratio(result: ArticleSummary) -> float:
    log = result.meta.call_log
    first = log[0].usage.prompt_tokens if log else 0
    return sum(c.usage.prompt_tokens for c in log) / first if first else 0.0


def dev_figures(limit: int | None, kinds: tuple[str, ...] = KINDS) -> None:
    records = [
        r
        for r in map(json.loads, DEV_SET.read_text(encoding="utf-8").splitlines())
        if r["annotations"]["type"] in kinds
    ][:limit]
    results: dict[str, ArticleSummary] = {}

    def keep(record: dict[str, Any], result: ArticleSummary) -> None:
        results[record["id"]] = result

    rows = evaluate(records, on_result=keep)
    exact = total = 0
    for result in results.values():
        for claim in result.claims:
            total += 1
            exact += result.article.text[claim.evidence.start : claim.evidence.end] == (
                claim.evidence.quote
            )
    polnear = [r for r in rows if r.gold]
    print(f"dev: {len(rows)} articles ({sum(1 for r in rows if r.error)} failed)")
    print(f"dev: kept claims per article: {statistics.mean(r.kept for r in rows):.1f}")
    print(f"dev: kept evidence equal to the text at its offsets: {exact}/{total}")
    gold = sum(r.gold for r in polnear)
    covered = sum(r.covered for r in polnear)
    print(f"dev: PolNeAR gold relations covered by kept evidence: {covered}/{gold}")
    right = sum(r.right_source for r in polnear)
    matched = sum(r.matched for r in polnear)
    print(f"dev: kept claims on a gold relation with the right source: {right}/{matched}")
    ratios = [_ratio(r) for r in results.values() if r.meta.call_log]
    print(
        f"dev: prompt tokens over all calls / first: mean {statistics.mean(ratios):.2f}, "
        f"max {max(ratios):.2f}"
    )
    print(f"dev: seconds per article: {statistics.mean(r.seconds for r in rows):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--kind", choices=KINDS, action="append", help="only the records of this kind (repeatable)"
    )
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--skip-dev", action="store_true")
    args = parser.parse_args()
    if not args.skip_seed:
        seed_figures()
    if not args.skip_dev:
        if not DEV_SET.exists():
            print(f"no development set at {DEV_SET}", file=sys.stderr)
            return 1
        dev_figures(args.limit, tuple(args.kind or KINDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
