"""The judge (summarizer.pipeline.judge) on labelled claims, with the embedded model by default.

For each data set it prints the faithful claims the judge keeps, the unfaithful ones it catches
(by kind of edit), the balanced accuracy and the seconds per claim, naming the data set and the
model:

- ``seed``: ``claimchecks-seed.jsonl``, the sample article's 25 claims, each with the sentences
  its ``evidence`` offsets name;
- ``dev``: ``claimchecks-dev.jsonl``, 80 claims on 10 articles, the same way;
- ``news``: ``summedits-news-dev.jsonl``, 408 statements on 12 news articles;
- ``train``: a sample of ``summedits-other-train.jsonl`` (about ``--limit`` statements: up to
  three faithful and three unfaithful from each of articles drawn with ``--seed``), the only
  file the prompt's wording was tuned on.

For SummEdits the evidence of a statement is the whole article when it is short
(``--whole-chars``), else the 1-3 consecutive sentences that hold most of its content words.
Claims are sent as the pipeline sends them: one article's claims per request, at most
``max_claims`` (12) a request, through :func:`summarizer.pipeline.judge.judge_claims`.
``--variant`` sends another wording instead (for tuning on train; see ``VARIANTS``).

Usage: ``python benchmarks/judge.py seed dev [news] [train --limit 60] [--variant NAME]
[--articles N]``.
It runs the real model (about 9 s a claim on 2 busy cores); nothing is replayed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer import Settings
from summarizer.llm.backends import resolve_endpoint, sync_client
from summarizer.llm.call import Request, SyncLLM
from summarizer.pipeline.drive import drive
from summarizer.pipeline.flow import Steps, expect
from summarizer.pipeline.judge import judge_claims, keeps, read_verdicts
from summarizer.schema import ClaimVerdicts, verdict_schema
from summarizer.text.sentences import sentence_spans

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = {
    "seed": "claimchecks-seed.jsonl",
    "dev": "claimchecks-dev.jsonl",
    "news": "summedits-news-dev.jsonl",
    "train": "summedits-other-train.jsonl",
}

# Other wordings to compare on train, as (system, user, item) templates; "shipped" is the
# library's own (prompts/judge_*.txt).
VARIANTS: dict[str, tuple[str, str, str]] = {
    "plain": (
        "You check claims against evidence. Answer in the JSON asked for.",
        "$claims\n\nFor each claim above, answer yes if its evidence supports it, no if not.",
        "[$id] Evidence: $evidence\nClaim: $claim\n",
    ),
    # The first wording shipped (MiniCheck's definition, with the kinds of error named): on a
    # train sample of 24 it kept 10/12 and caught 6/12; the shipped one caught 9/12.
    "minicheck": (
        "You check claims against evidence taken from a news article. A claim is supported "
        "when all of its information is supported by its evidence, even in other words.",
        "$claims\n\nFor each claim above, answer yes if all of its information is supported by "
        "its evidence, even in other words, and no if any of it (a name, a number, who did "
        "what, a negation, an added detail) is not. Give one verdict per claim, with its id.",
        "[$id] Evidence: $evidence\nClaim: $claim\n",
    ),
    "claim_first": (
        "You check claims against evidence taken from a news article. A claim is supported "
        "when all of its information is supported by its evidence, even in other words.",
        "$claims\n\nFor each claim above, answer yes if all of its information is supported by "
        "its evidence, even in other words, and no if any of it (a name, a number, who did "
        "what, a negation, an added detail) is not. Give one verdict per claim, with its id.",
        "[$id] Claim: $claim\nEvidence: $evidence\n",
    ),
}


@dataclass(frozen=True)
class Check:
    """One labelled statement: its article, id, text, evidence, label and kind of edit."""

    article: str
    id: str
    claim: str
    evidence: str
    label: int
    edit: str


def claim_checks(path: Path) -> Iterator[Check]:
    """The checks of a ``claim_checks`` file, each with the sentences its offsets name."""
    for record in _records(path):
        text = record["article"]
        for check in record["annotations"]["checks"]:
            spans = check["evidence"]
            evidence = text[spans[0][0] : spans[-1][1]]
            yield Check(
                record["id"], check["id"], check["claim"], evidence, check["label"], check["edit"]
            )


def summedits(path: Path, whole_chars: int) -> Iterator[Check]:
    """The statements of a SummEdits file, each with its evidence (see the module doc)."""
    for record in _records(path):
        text = record["article"]
        for item in record["annotations"]["edited_summaries"]:
            statement = item["summary"]
            evidence = text if len(text) <= whole_chars else best_window(statement, text)
            edit = "+".join(item["edit_types"]) or ("faithful" if item["label"] else "other")
            yield Check(record["id"], item["id"], statement, evidence, item["label"], edit)


def best_window(statement: str, text: str) -> str:
    """The 1-3 consecutive sentences of ``text`` holding most of ``statement``'s content words
    (the shortest of equals)."""
    wanted = _stems(statement)
    spans = sentence_spans(text)
    best, best_score = spans[0], -1.0
    for size in (1, 2, 3):
        for i in range(len(spans) - size + 1):
            start, end = spans[i][0], spans[i + size - 1][1]
            score = len(wanted & _stems(text[start:end])) / max(len(wanted), 1)
            if score > best_score + 1e-9:
                best, best_score = (start, end), score
    return text[best[0] : best[1]]


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3 or w.isdigit()}


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def verdicts_of(checks: Sequence[Check], variant: str, settings: Settings) -> list[str]:
    """The judge's verdict on each check, one article's checks per call, in order."""
    ids = [f"c{n}" for n in range(1, len(checks) + 1)]
    items = [(i, c.claim, c.evidence) for i, c in zip(ids, checks, strict=True)]
    if variant == "shipped":
        return judge_claims(items, settings=settings)
    system, user, item = (string.Template(t) for t in VARIANTS[variant])
    endpoint = resolve_endpoint(settings)
    llm = SyncLLM(sync_client(endpoint, settings), endpoint.model, settings)
    found: dict[str, str] = {}
    for start in range(0, len(items), settings.max_claims):
        batch = items[start : start + settings.max_claims]
        listed = "\n".join(
            item.substitute(id=i, claim=" ".join(c.split()), evidence=" ".join(e.split()))
            for i, c, e in batch
        )
        messages = [
            {"role": "system", "content": system.substitute()},
            {"role": "user", "content": user.substitute(claims=listed)},
        ]
        request = Request("judge", messages, ClaimVerdicts, verdict_schema([b[0] for b in batch]))
        found |= drive(_ask(request, [b[0] for b in batch]), llm)
    return [found.get(i, "") for i in ids]


def _ask(request: Request, asked: list[str]) -> Steps[dict[str, str]]:
    reply = yield request
    return read_verdicts(expect(reply, ClaimVerdicts), asked).verdicts


def measure(name: str, checks: list[Check], variant: str, settings: Settings) -> None:
    by_article: dict[str, list[Check]] = {}
    for check in checks:
        by_article.setdefault(check.article, []).append(check)
    kept_ok = caught = 0
    caught_by: Counter[str] = Counter()
    total_by: Counter[str] = Counter()
    unruled = 0
    started = time.perf_counter()
    for done, article_checks in enumerate(by_article.values(), 1):
        verdicts = verdicts_of(article_checks, variant, settings)
        print(f"  {done}/{len(by_article)} articles", file=sys.stderr, flush=True)
        for check, verdict in zip(article_checks, verdicts, strict=True):
            unruled += verdict == ""
            if check.label == 1:
                kept_ok += keeps(verdict)
            else:
                total_by[check.edit] += 1
                if not keeps(verdict):
                    caught += 1
                    caught_by[check.edit] += 1
    seconds = time.perf_counter() - started
    faithful = sum(c.label == 1 for c in checks)
    unfaithful = len(checks) - faithful
    kinds = ", ".join(f"{k} {caught_by[k]}/{n}" for k, n in sorted(total_by.items()))
    balanced = (kept_ok / max(faithful, 1) + caught / max(unfaithful, 1)) / 2
    print(f"data set: {name} ({len(checks)} statements, {len(by_article)} articles)")
    print(f"model: {_model(settings)}; wording: {variant}")
    print(f"faithful kept: {kept_ok}/{faithful}")
    print(f"unfaithful caught: {caught}/{unfaithful} ({kinds})")
    print(f"balanced accuracy: {balanced:.3f}")
    print(f"no verdict: {unruled}")
    print(f"seconds per claim: {seconds / max(len(checks), 1):.2f}")
    print(flush=True)


def train_sample(checks: list[Check], limit: int, seed: int) -> list[Check]:
    """About ``limit`` checks drawn with ``seed``: whole articles, taken in random order, with
    up to three faithful and three unfaithful statements of each, so that each request holds
    several claims as the pipeline's do."""
    draw = random.Random(seed)
    by_article: dict[str, list[Check]] = {}
    for check in checks:
        by_article.setdefault(check.article, []).append(check)
    picked: list[Check] = []
    for article in draw.sample(sorted(by_article), len(by_article)):
        for label in (1, 0):
            same = [c for c in by_article[article] if c.label == label]
            picked.extend(draw.sample(same, min(3, len(same))))
        if len(picked) >= limit:
            break
    return picked


def _model(settings: Settings) -> str:
    endpoint = resolve_endpoint(settings)
    return f"{endpoint.model} ({endpoint.kind})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", choices=sorted(FILES))
    parser.add_argument("--variant", default="shipped", choices=["shipped", *VARIANTS])
    parser.add_argument("--limit", type=int, default=60, help="train statements (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="train sample seed")
    parser.add_argument("--whole-chars", type=int, default=1200)
    parser.add_argument(
        "--articles", type=int, default=0, help="only the first N articles of each file (0: all)"
    )
    args = parser.parse_args()
    settings = Settings.resolve()
    for name in args.sets:
        path = EVAL / FILES[name]
        if name in ("seed", "dev"):
            checks = list(claim_checks(path))
        else:
            checks = list(summedits(path, args.whole_chars))
        if name == "train":
            checks = train_sample(checks, args.limit, args.seed)
        if args.articles:
            first = list(dict.fromkeys(c.article for c in checks))[: args.articles]
            checks = [c for c in checks if c.article in first]
        measure(f"{FILES[name]}", checks, args.variant, settings)


if __name__ == "__main__":
    main()
