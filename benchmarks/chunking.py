"""Long articles: time and peak memory for 2k, 20k and 200k words, read in parts.

Each article is the seed's story paragraphs repeated to length, summarized with
``summarize`` against the replay server (``benchmarks/replay_server.py``), which answers every
request after a fixed 0.25 s with a recorded answer of the embedded Qwen 1.5B backend to the same
kind of request (cassettes/seed_in_parts.yaml for parts and the summary,
seed_uncleaned_reask.yaml for re-asks), its claims pointed at the sentences of each part that
hold their words (the server's ``point`` option). The context is 8,192 tokens, as on the embedded
backend, so parts have the size they would have there; ``--concurrency`` parts are read at once
(``Settings.concurrency``; 1 reads them one after another). Every size runs in a fresh process,
so its peak resident memory is its own.

Run: python benchmarks/chunking.py [--words 2000 20000 200000] [--delay 0.25] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from replay_server import recorded_answers, replay_server, stats

from summarizer import Settings, summarize
from summarizer.text.cleaning import clean

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "prisoner-swap.txt"
CASSETTES_DIR = ROOT / "cassettes"
CASSETTES = ("seed_in_parts", "seed_uncleaned_reask")


def article_of(words: int) -> str:
    """The seed's story paragraphs, repeated until the article has ``words`` words."""
    paragraphs = [p for p in clean(SEED.read_text(encoding="utf-8")).text.split("\n") if p.strip()]
    out: list[str] = []
    count = 0
    while count < words:
        for paragraph in paragraphs:
            out.append(paragraph)
            count += len(paragraph.split())
            if count >= words:
                break
    return "\n\n".join(out)


def recorded_parts() -> list[dict[str, Any]]:
    """The recorded answers to the parts of the seed, in order."""
    data = yaml.safe_load((CASSETTES_DIR / "seed_in_parts.yaml").read_text(encoding="utf-8"))
    bodies = [json.loads(i["response"]["body"]["string"]) for i in data["interactions"]]
    return [
        b
        for b in bodies
        if b["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "ChunkExtraction"
    ]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(words: int, base_url: str, concurrency: int) -> dict[str, float]:
    """Summarize one article in this process and report what it cost."""
    text = article_of(words)
    settings = Settings(
        model="replayed",
        base_url=base_url,
        api_key="unused",
        context_tokens=8192,
        concurrency=concurrency,
        max_attempts=1,  # a tool with no recording is a 500 at once, not a retry
    )
    before = rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    result = summarize(text, settings=settings)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    in_calls = sum(c.seconds for c in result.meta.call_log)
    return {
        "words": words,
        "chars": len(text),
        "parts": sum(c.purpose == "extract" for c in result.meta.call_log),
        "calls": result.meta.calls,
        "kept": len(result.claims),
        "rejected": len(result.rejected),
        "wall_s": wall,
        # Summed over calls, so above the wall time when parts are read side by side.
        "in_calls_s": in_calls,
        "cpu_s": cpu,
        "rss_before_mb": before,
        "rss_peak_mb": rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, nargs="+", default=[2000, 20000, 200000])
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.base_url, args.concurrency)))
        return

    answers = recorded_answers(*CASSETTES)
    # The recording holds one answer per part, citing that part's sentence ids; the server
    # points its claims at the sentences of each request's own part that hold their words, so
    # each part keeps claims and the merge and summary steps are exercised.
    answers["ChunkExtraction"] = recorded_parts()[0]
    print(
        f"Answers are replayed recordings of the embedded Qwen 1.5B backend ({', '.join(answers)}) "
        f"served after {args.delay} s; context 8,192 tokens; {args.concurrency} part(s) at once; "
        "one fresh process per size.\n"
    )
    header = (
        f"{'words':>8} {'chars':>10} {'parts':>5} {'calls':>5} {'kept':>4} {'wall s':>8} "
        f"{'in calls s':>10} {'CPU s':>7} {'ms/kword':>8} {'RSS before':>10} {'peak':>7} "
        f"{'growth MB':>9}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    with replay_server(answers, delay_s=args.delay, point=True) as base_url:
        for words in args.words:
            child = subprocess.run(
                [sys.executable, __file__, "--one", str(words), "--base-url", base_url]
                + ["--concurrency", str(args.concurrency)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(child.stdout.strip().splitlines()[-1])
            rows.append(row)
            growth = row["rss_peak_mb"] - row["rss_before_mb"]
            print(
                f"{row['words']:>8,} {row['chars']:>10,} {row['parts']:>5} {row['calls']:>5} "
                f"{row['kept']:>4} {row['wall_s']:>8.2f} {row['in_calls_s']:>10.2f} "
                f"{row['cpu_s']:>7.2f} {1000 * row['cpu_s'] / (words / 1000):>8.1f} "
                f"{row['rss_before_mb']:>10.1f} {row['rss_peak_mb']:>7.1f} {growth:>9.1f}"
            )
        served = stats(base_url)
    print(f"\nreplay server: {served['requests']} requests, by tool {served['by_tool']}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        scale = last["words"] / first["words"]
        print(
            f"{scale:.0f}x the words cost {last['wall_s'] / first['wall_s']:.1f}x the wall time, "
            f"{last['cpu_s'] / first['cpu_s']:.1f}x the CPU time and "
            f"{last['calls'] / first['calls']:.1f}x the calls; linear growth would be {scale:.0f}x."
        )


if __name__ == "__main__":
    main()
