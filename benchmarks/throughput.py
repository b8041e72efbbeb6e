"""Throughput of summarize_many at concurrency 1, 4, 16 and 64 against a fixed-latency endpoint.

Run: python benchmarks/throughput.py [--delay 0.25] [--levels 1 4 16 64] [--seconds 3]
     [--reasks] [--profile]

Endpoint: ``benchmarks/replay_server.py`` in a child process (its own core and GIL), answering
every request after a fixed delay (default 0.25 s) with a replayed recording of the embedded
Qwen2.5-Coder-1.5B backend (``cassettes/seed_prisoner_swap.yaml``); no model runs.

Protocol: for each concurrency level c, one ``summarize_many(..., concurrency=c,
progress=False)`` over copies of the seed article ``seeds/prisoner-swap.txt`` (the answer is
replayed, so repeating the article costs the library the same work each time), after one
warm-up batch. Articles per level: max(8, 4 * c, c * seconds / delay), so that a level lasts
``--seconds`` (default 3) at the ideal rate and the workers' start and finish weigh little.
Re-asks are off by default (``max_reask_rounds=0``), so each article makes exactly one call
and the ideal is c / delay articles per second; with ``--reasks`` the library re-asks the
claims the replayed answer gets wrong (the server replays the recorded ``ClaimFixes`` answer)
and the ideal becomes c / (calls per article * delay).

Columns: articles/s over the batch's wall time and its share of the ideal (target: at least 85%
at 16 and 64); the process's CPU time per article (``time.process_time``) and as a share of
the wall time ("CPU busy": near 100%, the process's own work, library, instructor, openai and
httpx on one thread under one GIL, is the limit);
the requests the server received and the most it held at once; failures (``BatchFailure``).

``--profile`` also runs one batch of 4 * c articles at the highest level under cProfile and
prints, per article: CPU by top-level package, the functions with the most own time, and the
summarizer functions with the largest cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import openai
from replay_server import last_request, recorded_answers, replay_server, stats

from summarizer import ArticleSummary, Settings, summarize_many

SEED = Path(__file__).resolve().parent.parent / "seeds" / "prisoner-swap.txt"
CASSETTE = "seed_prisoner_swap"
# The name the embedded server gave the bundled model; the recordings carry it.
RECORDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
TARGET = 0.85
TARGET_LEVELS = (16, 64)


def settings(reasks: bool) -> Settings:
    # env={}: the figures must not depend on SUMMARIZER_* variables of the machine.
    return Settings.resolve(
        env={},
        api_key="unused",
        model=RECORDED_MODEL,
        max_reask_rounds=None if reasks else 0,
    )


def run_batch(articles: list[str], concurrency: int, base_url: str, config: Settings) -> list[Any]:
    return summarize_many(
        articles, concurrency=concurrency, base_url=base_url, settings=config, progress=False
    )


def bare_batch(body: dict[str, Any], n: int, concurrency: int, base_url: str) -> None:
    """The library's request sent ``n`` times by a bare ``openai.AsyncOpenAI``, ``concurrency``
    at a time: what the HTTP client alone can do on this machine."""

    async def run() -> None:
        client = openai.AsyncOpenAI(base_url=base_url, api_key="unused", max_retries=0)
        limit = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with limit:
                await client.chat.completions.create(**body)

        await asyncio.gather(*(one() for _ in range(n)))
        await client.close()

    asyncio.run(run())


def article_count(concurrency: int, seconds: float, delay_s: float) -> int:
    """Enough articles for ``seconds`` at the ideal rate, and 4 rounds of the workers."""
    return max(8, 4 * concurrency, round(seconds * concurrency / delay_s))


def profile_batch(
    text: str, concurrency: int, base_url: str, config: Settings, top: int = 20
) -> None:
    n = 4 * concurrency
    profiler = cProfile.Profile()
    profiler.enable()
    run_batch([text] * n, concurrency, base_url, config)
    profiler.disable()
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    by_package: dict[str, float] = defaultdict(float)
    rows: list[tuple[float, float, int, str]] = []
    for (path, line, func), (_, ncalls, tottime, cumulative, _) in raw.items():
        by_package[_package(path)] += tottime
        rows.append((cumulative, tottime, ncalls, _where(path, line, func)))
    total = sum(by_package.values())
    print(f"\ncProfile of one batch: concurrency {concurrency}, {n} articles; ms per article "
          "(profiling about doubles the figures)")  # fmt: skip
    print(f"CPU by package (own time), {1000 * total / n:.1f} ms per article in all:")
    for package, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {package:28} {1000 * seconds / n:8.2f} ms  {100 * seconds / total:5.1f}%")
    columns = f"  {'cumul ms':>8} {'own ms':>7} {'calls/art':>9}  function"

    def show(picked: list[tuple[float, float, int, str]]) -> None:
        print(columns)
        for cumulative, tottime, ncalls, name in picked:
            print(f"  {1000 * cumulative / n:8.2f} {1000 * tottime / n:7.2f} "
                  f"{ncalls / n:9.1f}  {name}")  # fmt: skip

    print(f"Functions of any package by own time (top {top}):")
    show(sorted(rows, key=lambda row: -row[1])[:top])
    ours = [row for row in rows if row[3].startswith("summarizer/")]
    print(f"summarizer functions by cumulative time (top {top}; coroutines count each resume as "
          "a call):")  # fmt: skip
    show(sorted(ours, reverse=True)[:top])


def _where(path: str, line: int, func: str) -> str:
    """A short name for a profiled function: package-relative path, line and name."""
    where = path.replace("\\", "/")
    for marker in ("/site-packages/", "/summarizer/"):
        if marker in where:
            start = where.rindex(marker) + (len(marker) if marker == "/site-packages/" else 1)
            return f"{where[start:]}:{line} {func}"
    if where.startswith("~"):
        return func
    return f"{where.rsplit('/', 1)[-1]}:{line} {func}"


def _package(path: str) -> str:
    """The top-level package a profiled function belongs to, or the builtin's name."""
    where = path.replace("\\", "/")
    if where.startswith("~") or where.startswith("<"):
        return "builtins (C)"
    if "/site-packages/" in where:
        return where.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/summarizer/" in where:
        return "summarizer"
    return "stdlib: " + where.rsplit("/", 1)[-1].removesuffix(".py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.25, help="server delay, s")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="length of a level at the ideal rate"
    )
    parser.add_argument("--reasks", action="store_true", help="allow the default re-asks")
    parser.add_argument("--profile", action="store_true", help="profile the highest level")
    args = parser.parse_args()
    text = SEED.read_text(encoding="utf-8")
    config = settings(args.reasks)
    print(
        f"Answers are replayed recordings of the embedded Qwen 1.5B backend (cassettes/{CASSETTE}"
        f".yaml), served after {args.delay} s; seed article {len(text.split())} words; "
        f"re-asks {'on (default rounds)' if args.reasks else 'off (one call per article)'}."
    )
    header = (
        f"{'concurrency':>11} {'articles':>8} {'wall s':>7} {'art/s':>7} {'ideal':>7} "
        f"{'% ideal':>7} {'CPU ms/art':>10} {'CPU busy':>8} {'calls':>6} {'max in flight':>13} "
        f"{'failures':>8}"
    )
    missed = []
    first_failure = ""
    with replay_server(recorded_answers(CASSETTE), args.delay) as base_url:
        run_batch([text] * 8, 4, base_url, config)  # warm-up: imports, prompts, connections
        print(header)
        print("-" * len(header))
        for concurrency in args.levels:
            n = article_count(concurrency, args.seconds, args.delay)
            stats(base_url, reset=True)
            cpu, started = time.process_time(), time.perf_counter()
            results = run_batch([text] * n, concurrency, base_url, config)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            served = stats(base_url)
            failed = [r for r in results if not isinstance(r, ArticleSummary)]
            failures = len(failed)
            if failed and not first_failure:
                message = " / ".join(failed[0].message.splitlines())
                first_failure = f"{failed[0].error_type}: {message[:300]}"
            calls = served["requests"] + served["errors"]
            calls_per_article = calls / n
            ideal = concurrency / (max(calls_per_article, 1.0) * args.delay)
            share = n / wall / ideal
            if concurrency in TARGET_LEVELS and share < TARGET:
                missed.append(concurrency)
            print(
                f"{concurrency:>11} {n:>8} {wall:>7.2f} {n / wall:>7.1f} {ideal:>7.1f} "
                f"{100 * share:>6.1f}% {1000 * cpu / n:>10.1f} {100 * cpu / wall:>7.0f}% "
                f"{calls:>6} {served['max_in_flight']:>13} {failures:>8}"
            )
        print(
            f"ideal = concurrency / (calls per article x {args.delay} s); target: "
            f"{100 * TARGET:.0f}% of ideal at {' and '.join(map(str, TARGET_LEVELS))}: "
            + (f"not met at {', '.join(map(str, missed))}." if missed else "met.")
        )
        if first_failure:
            print(f"first failure: {first_failure}")
        body = last_request(base_url, "Extraction")
        print(
            "\nThe same request from a bare openai.AsyncOpenAI client (no instructor, no "
            "verification), as many times:"
        )
        print(
            f"{'concurrency':>11} {'requests':>8} {'wall s':>7} {'req/s':>7} {'% ideal':>7} "
            f"{'CPU ms/req':>10}"
        )
        for concurrency in args.levels:
            n = article_count(concurrency, args.seconds, args.delay)
            cpu, started = time.process_time(), time.perf_counter()
            bare_batch(body, n, concurrency, base_url)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            ideal = concurrency / args.delay
            print(
                f"{concurrency:>11} {n:>8} {wall:>7.2f} {n / wall:>7.1f} "
                f"{100 * n / wall / ideal:>6.1f}% {1000 * cpu / n:>10.1f}"
            )
        if args.profile:
            profile_batch(text, max(args.levels), base_url, config)


if __name__ == "__main__":
    main()
