"""Run the pipeline over labelled articles and measure it.

A dataset is JSON lines with at least ``id`` and ``article`` (text, or HTML for ``kind``
"messy"). Records whose ``annotations.type`` is ``polnear_attribution_relations`` are also
scored against the human attribution spans: a kept claim covers a gold relation when its
evidence overlaps the relation's content span, and its source is right when the claim's source
span overlaps the gold source span.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import SummarizerError
from summarizer.pipeline.run import summarize
from summarizer.result import Article, ArticleSummary
from summarizer.settings import Settings

STATUSES = ("confirmed", "corrected", "article_voice", "unresolved")


@dataclass
class Row:
    """What one article's run produced."""

    id: str
    kept: int = 0
    rejected: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    tokens: int = 0
    calls: int = 0
    seconds: float = 0.0
    gold: int = 0  # gold relations (PolNeAR records only)
    covered: int = 0  # gold relations some kept claim's evidence overlaps
    matched: int = 0  # kept claims that overlap a gold relation with a source
    right_source: int = 0  # of those, claims whose source overlaps the gold source
    error: str | None = None

    @property
    def grounded_share(self) -> float:
        proposed = self.kept + self.rejected
        return self.kept / proposed if proposed else 0.0


def read_dataset(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file."""
    with Path(path).open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _extent(part: dict[str, Any] | None) -> tuple[int, int] | None:
    spans = (part or {}).get("char_spans") or []
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def score_relations(result: ArticleSummary, relations: list[dict[str, Any]], row: Row) -> None:
    """Fill the PolNeAR columns of ``row`` for one result."""
    row.gold = len(relations)
    spans = [(_extent(r.get("content")), _extent(r.get("source"))) for r in relations]
    for content, _ in spans:
        if content and any(
            _overlaps((c.evidence.start, c.evidence.end), content) for c in result.claims
        ):
            row.covered += 1
    for claim in result.claims:
        evidence = (claim.evidence.start, claim.evidence.end)
        sources = [
            src for content, src in spans if content and src and _overlaps(evidence, content)
        ]
        if not sources:
            continue
        row.matched += 1
        a = claim.attribution
        if (
            a.source_start is not None
            and a.source_end is not None
            and any(_overlaps((a.source_start, a.source_end), src) for src in sources)
        ):
            row.right_source += 1


def evaluate(
    records: Iterable[dict[str, Any]],
    *,
    settings: Settings | None = None,
    limit: int | None = None,
    on_result: Callable[[dict[str, Any], ArticleSummary], None] | None = None,
) -> list[Row]:
    """Summarize each record and measure the result; a failing article becomes a row with an
    ``error``, never the end of the run. ``on_result`` sees each record's full result."""
    rows = []
    for i, record in enumerate(records):
        if limit is not None and i >= limit:
            break
        row = Row(id=str(record.get("id", i)))
        text = record["article"]
        article = (
            Article(html=text, title=record.get("title"), url=record.get("url"))
            if record.get("kind") == "messy"
            else Article(text=text, title=record.get("title"), url=record.get("url"))
        )
        started = time.perf_counter()
        try:
            result = summarize(article, settings=settings)
        except SummarizerError as error:
            row.error = str(error).splitlines()[0]
            row.seconds = time.perf_counter() - started
            rows.append(row)
            continue
        row.seconds = time.perf_counter() - started
        if on_result is not None:
            on_result(record, result)
        row.kept = len(result.claims)
        row.rejected = sum(r.kind == "claim" for r in result.rejected)
        row.statuses = Counter(c.attribution.status for c in result.claims)
        row.tokens = result.meta.usage.total_tokens
        row.calls = result.meta.calls
        annotations = record.get("annotations") or {}
        if annotations.get("type") == "polnear_attribution_relations":
            score_relations(result, annotations.get("attributions", []), row)
        rows.append(row)
    return rows


def format_table(rows: list[Row]) -> str:
    """A table per article and a total line."""
    head = (
        f"{'article':40} {'kept':>4} {'rej':>4} {'grounded':>8} "
        + " ".join(f"{s[:9]:>9}" for s in STATUSES)
        + f" {'tokens':>7} {'calls':>5} {'s':>6} {'gold':>4} {'covered':>7} {'src ok':>9}"
    )
    lines = [head, "-" * len(head)]
    total = Row(id="TOTAL")
    for r in rows:
        lines.append(_line(r))
        for name in ("kept", "rejected", "tokens", "calls", "gold", "covered", "matched",
                     "right_source"):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(r, name))
        total.seconds += r.seconds
        total.statuses.update(r.statuses)
    lines += ["-" * len(head), _line(total)]
    failed = [r for r in rows if r.error]
    lines += [f"failed: {r.id}: {r.error}" for r in failed]
    return "\n".join(lines)


def _line(r: Row) -> str:
    src = f"{r.right_source}/{r.matched}" if r.matched else "-"
    gold = f"{r.gold:>4} {r.covered:>7}" if r.gold else f"{'-':>4} {'-':>7}"
    return (
        f"{r.id[:40]:40} {r.kept:>4} {r.rejected:>4} {r.grounded_share:>8.0%} "
        + " ".join(f"{r.statuses.get(s, 0):>9}" for s in STATUSES)
        + f" {r.tokens:>7} {r.calls:>5} {r.seconds:>6.1f} {gold} {src:>9}"
    )
