"""Throughput of a JSON-lines batch (``run_jsonl``, ``summarizer batch``) in 1, 2, ... worker
processes against a fixed-latency endpoint: what ``--processes`` buys when one process's CPU
is the limit.

Run: python benchmarks/processes.py [--processes 1 2] [--concurrency 16] [--articles 200]
     [--delay 0.25]

Endpoint: ``benchmarks/replay_server.py`` in a child process, answering every request after a
fixed delay (default 0.25 s) with a replayed recording of the embedded Qwen2.5-Coder-1.5B
backend (``cassettes/seed_prisoner_swap.yaml``); no model runs. Re-asks are off, so each
article makes one call.

Protocol: an input file of ``--articles`` copies of the seed article ``seeds/prisoner-swap.txt``
(distinct ids), summarized into a fresh output file for each process count, after one warm-up
run. ``--concurrency`` is the articles at once of each process, so the ideal is processes x
concurrency / delay articles per second; with one process the library's CPU (checking claims
and reading who said them, about 90 ms of CPU an article on this machine) caps it far below that.
Columns: wall time (the workers' start included: each is a fresh interpreter that imports the
library and loads spaCy), articles/s, the ideal and its share, lines written, failures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from replay_server import recorded_answers, replay_server

from summarizer import Settings, run_jsonl
from summarizer.batch.runs import RunReport

SEED = Path(__file__).resolve().parent.parent / "seeds" / "prisoner-swap.txt"
CASSETTE = "seed_prisoner_swap"
# The name the embedded server gave the bundled model; the recordings carry it.
RECORDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"


def write_input(path: Path, text: str, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"seed-{i}", "text": text}) + "\n")


def run(source: Path, out: Path, processes: int, concurrency: int, config: Settings) -> RunReport:
    return asyncio.run(
        run_jsonl(
            source, out, concurrency=concurrency, settings=config, progress=False,
            processes=processes,
        )
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=16, help="articles at once, each")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.25, help="server delay, s")
    args = parser.parse_args()
    text = SEED.read_text(encoding="utf-8")
    print(
        f"Answers are replayed recordings of the embedded Qwen 1.5B backend (cassettes/{CASSETTE}"
        f".yaml), served after {args.delay} s; {args.articles} copies of the seed article "
        f"({len(text.split())} words); re-asks off; {os.cpu_count()} CPU(s)."
    )
    header = (
        f"{'processes':>9} {'concurrency':>11} {'wall s':>7} {'art/s':>7} {'ideal':>7} "
        f"{'% ideal':>7} {'lines':>6} {'failures':>8}"
    )
    with (
        replay_server(recorded_answers(CASSETTE), args.delay) as base_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        # env={}: the figures must not depend on SUMMARIZER_* variables of the machine.
        config = Settings.resolve(
            env={}, api_key="unused", model=RECORDED_MODEL, base_url=base_url, max_reask_rounds=0
        )
        source = Path(tmp) / "in.jsonl"
        write_input(source, text, 8)
        run(source, Path(tmp) / "warm.jsonl", 1, 4, config)  # imports, prompts, spaCy
        write_input(source, text, args.articles)
        print(header)
        print("-" * len(header))
        for processes in args.processes:
            out = Path(tmp) / f"out-{processes}.jsonl"
            started = time.perf_counter()
            report = run(source, out, processes, args.concurrency, config)
            wall = time.perf_counter() - started
            lines = out.read_text(encoding="utf-8").count("\n")
            ideal = processes * args.concurrency / args.delay
            rate = args.articles / wall
            print(
                f"{processes:>9} {args.concurrency:>11} {wall:>7.2f} {rate:>7.1f} {ideal:>7.1f} "
                f"{100 * rate / ideal:>6.1f}% {lines:>6} {report.failed:>8}"
            )


if __name__ == "__main__":
    main()
