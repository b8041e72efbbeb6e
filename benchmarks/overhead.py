"""Library time per article outside the LLM call, next to a bare openai call.

Run: python benchmarks/overhead.py [-n 30] [--delay 0.25] [--profile-runs 20]

Endpoint: ``benchmarks/replay_server.py`` in a child process, answering every request after a
fixed delay (default 0.25 s) with a replayed recording of the embedded Qwen 1.5B backend (no
model runs; the ``Extraction`` answer is the one recorded in
``cassettes/dev_politico_de_blasio.yaml``, whose claims all verify there, and the ``ClaimFixes``
re-ask answer the one recorded in ``cassettes/seed_uncleaned_reask.yaml``).

Articles:

* the dev-set article ``polnear-dev-politico_2016-09-17_de-blasio-says-chelsea-explosion``
  (479 words), with the answers recorded for it;
* the dev-set article ``polnear-dev-nyt_2016-09-12_visa-program-up-for-renewal-amid`` (992
  words), to show the cost at about 1,000 words. No answer was recorded for it, so it is served
  the de Blasio answers, whose sentence ids name other sentences here, so most claims fail,
  are re-asked with the default re-asks, and are rejected.

Protocol, per article: 3 warm-up rounds, then N rounds of one sequential call of each of the
following, in turn (so that a slow spell of the machine touches every row alike):

* bare: ``openai.OpenAI(base_url=..., api_key="unused", max_retries=0)``, built once, sending
  with ``chat.completions.create`` the very request body the library sent (captured by the
  server), for the ``Extraction`` request and for the ``ClaimFixes`` re-ask request;
* ``summarize(article, base_url=..., settings=...)`` with re-asks off
  (``max_reask_rounds=0``: one call, directly comparable with one bare call), the same with
  ``client=`` a shared ``openai.OpenAI`` (no client built per article), and with the default
  re-asks (the replayed ``Extraction`` answer fails verification, so the library re-asks once
  and gets the recorded ``ClaimFixes`` answer: two calls, compared with the two bare calls).

Columns: wall time per call of the whole function (median and p90, ms); "in calls" is the sum
of ``result.meta.call_log[i].seconds`` (time inside the library's LLM calls, instructor and
tenacity included); "outside" is ``result.meta.elapsed_s`` minus that (the library rounds both
to 1 ms); "overhead" is the median wall time minus the median wall time of the same bare
calls, also as a share of those bare calls (target: under 10%).

Breakdown, on the de Blasio article: cProfile of ``--profile-runs`` summarize calls with
re-asks off and as many with the default re-asks, the server answering at once (delay 0), as ms
per call inside selected functions (nested rows are part of the row above them; "-" where a
function was not called), then the top 15 functions by cumulative time with the default
re-asks.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import openai
from replay_server import last_request, recorded_answers, replay_server, stats

from summarizer import Article, ArticleSummary, Settings, summarize

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
CASSETTE = "dev_politico_de_blasio"
# A recorded ClaimFixes answer for the re-asks of an article whose claims the de Blasio
# answers do not back (the de Blasio recording has none: every claim of it verified).
FALLBACK = ("seed_uncleaned_reask",)
ARTICLES = {
    "de Blasio (own answers)": "polnear-dev-politico_2016-09-17_de-blasio-says-chelsea-explosion",
    "NYT visa (de Blasio answers)": "polnear-dev-nyt_2016-09-12_visa-program-up-for-renewal-amid",
}
# The name the embedded server gave the bundled model; the recordings carry it.
RECORDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
WARMUP = 3
TARGET = 0.10

# (label, file pattern, function pattern, depth): where one summarize call spends its time.
STAGES = [
    ("summarize (whole call)", r"summarizer/pipeline/run\.py$", r"^summarize$", 0),
    ("input: read, plan, endpoint", r"summarizer/pipeline/run\.py$", r"^_prepare$", 1),
    ("coerce_article", r"summarizer/text/inputs\.py$", r"^coerce_article$", 2),
    ("clean (page furniture)", r"summarizer/text/cleaning\.py$", r"^clean$", 2),
    ("plan (context budget, chunks)", r"summarizer/pipeline/plan\.py$", r"^make_plan$", 2),
    ("openai client built", r"summarizer/llm/backends\.py$", r"^sync_client$", 1),
    ("of which SSL certificates loaded", r"^~$", r"load_verify_locations", 2),
    ("SyncLLM (instructor client)", r"summarizer/llm/call\.py$", r"^__init__$", 1),
    ("prompt rendering", r"summarizer/pipeline/requests\.py$", r"^first_request$", 1),
    ("LLM calls (llm.complete)", r"summarizer/llm/call\.py$", r"^complete$", 1),
    ("HTTP round trip (httpx send)", r"httpx\w*/_client\.py$", r"^send$", 2),
    ("tool schema generated", r"instructor/.*schema\.py$", r"^generate_openai_schema$", 2),
    ("response model class built", r"pydantic/main\.py$", r"^create_model$", 2),
    ("verification: Verifier built", r"summarizer/verify/claims\.py$", r"^__init__$", 1),
    ("verification: claims checked", r"summarizer/verify/claims\.py$", r"^check$", 1),
    ("of which who said it", r"summarizer/attribution/resolver\.py$", r"^resolve$", 2),
    ("re-ask built", r"summarizer/pipeline/reask\.py$", r"^build_reask$", 1),
    (
        "summary, key points checked",
        r"summarizer/verify/statements\.py$",
        r"^verify_(headline|statements)$",
        1,
    ),
    ("result assembled", r"summarizer/pipeline/assemble\.py$", r"^assemble$", 1),
    ("library version looked up", r"summarizer/pipeline/assemble\.py$", r"^_library_version$", 2),
]


@dataclass
class Timings:
    """Per-call figures of one configuration, in seconds."""

    wall: list[float] = field(default_factory=list)
    in_calls: list[float] = field(default_factory=list)
    outside: list[float] = field(default_factory=list)
    calls: int = 0


def load_article(record_id: str) -> Article:
    with DEV.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] == record_id:
                return Article(text=record["article"], title=record["title"], url=record["url"])
    raise KeyError(record_id)


def settings(reask_rounds: int | None = None) -> Settings:
    # env={}: the figures must not depend on SUMMARIZER_* variables of the machine.
    return Settings.resolve(
        env={}, api_key="unused", model=RECORDED_MODEL, max_reask_rounds=reask_rounds
    )


def timed(run: Callable[[], object], into: Timings) -> None:
    """Run once; record the wall time and, for a summary, the time inside its LLM calls."""
    started = time.perf_counter()
    result = run()
    into.wall.append(time.perf_counter() - started)
    if not isinstance(result, ArticleSummary):  # a bare call
        into.calls = 1
        return
    in_calls = sum(record.seconds for record in result.meta.call_log)
    into.in_calls.append(in_calls)
    into.outside.append(result.meta.elapsed_s - in_calls)
    into.calls = len(result.meta.call_log)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def ms(seconds: float) -> str:
    return f"{1000 * seconds:8.1f}"


def measure(name: str, article: Article, n: int, delay_s: float) -> None:
    answers = recorded_answers(CASSETTE, *FALLBACK)
    with replay_server(answers, delay_s) as base_url:
        shared = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0)
        # One default summarize first, so that the server has seen every request it makes.
        summarize(article, base_url=base_url, settings=settings())
        bodies = {tool: last_request(base_url, tool) for tool in stats(base_url)["by_tool"]}
        runs: dict[str, Callable[[], object]] = {
            # The library's own requests, as the server received them, sent again bare.
            **{
                f"bare create ({tool})": partial(shared.chat.completions.create, **body)
                for tool, body in bodies.items()
            },
            "summarize, re-asks off": partial(
                summarize, article, base_url=base_url, settings=settings(0)
            ),
            "summarize, re-asks off, client=": partial(
                summarize, article, client=shared, settings=settings(0)
            ),
            "summarize, default re-asks": partial(
                summarize, article, base_url=base_url, settings=settings()
            ),
        }
        rows = {label: Timings() for label in runs}
        # Round robin, so that a slow spell of the machine touches every row alike.
        for i in range(WARMUP + n):
            for label, run in runs.items():
                timed(run, rows[label] if i >= WARMUP else Timings())
        served = stats(base_url)
        shared.close()

    words = len(article.text.split())
    print(f"\n{name}: {words} words, {len(article.text)} chars; N = {n} calls per row")
    header = (
        f"{'':34} {'calls':>5} {'median':>8} {'p90':>8} {'in calls':>8} {'outside':>8} "
        f"{'overhead':>8} {'% bare':>7}"
    )
    print(header)
    print("-" * len(header))
    bare = [t for label, t in rows.items() if label.startswith("bare")]
    for label, t in rows.items():
        if not t.in_calls:
            print(f"{label:34} {1:>5} {ms(statistics.median(t.wall))} {ms(p90(t.wall))}")
    bare_one = statistics.median(rows["bare create (Extraction)"].wall)
    bare_all = sum(statistics.median(t.wall) for t in bare)
    verdicts = []
    for label, t in rows.items():
        if not t.in_calls:
            continue
        baseline = bare_one if t.calls == 1 else bare_all
        median = statistics.median(t.wall)
        extra = median - baseline
        print(
            f"{label:34} {t.calls:>5} {ms(median)} {ms(p90(t.wall))} "
            f"{ms(statistics.median(t.in_calls))} {ms(statistics.median(t.outside))} "
            f"{ms(extra)} {100 * extra / baseline:6.1f}%"
        )
        share = extra / baseline
        verdicts.append(f"{label.removeprefix('summarize, ')} {100 * share:.1f}% "
                        f"({'met' if share < TARGET else 'not met'})")  # fmt: skip
    print(f"target: library adds < {100 * TARGET:.0f}% to the bare call(s): "
          + "; ".join(verdicts))  # fmt: skip
    print(f"replay server: {served['requests']} requests served {served['by_tool']}, "
          f"{served['errors']} errors, delay {served['delay_s']} s")  # fmt: skip


def profiled(article: Article, base_url: str, config: Settings, runs: int) -> cProfile.Profile:
    for _ in range(WARMUP):
        summarize(article, base_url=base_url, settings=config)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        summarize(article, base_url=base_url, settings=config)
    profiler.disable()
    return profiler


def stage_times(profiler: cProfile.Profile) -> dict[str, float]:
    """Cumulative seconds inside each stage of STAGES."""
    found: dict[str, float] = {}
    raw = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (path, _, func), (_, _, _, cumulative, _) in raw.items():
        for label, path_pattern, func_pattern, _ in STAGES:
            if re.search(func_pattern, func) and re.search(path_pattern, path.replace("\\", "/")):
                found[label] = found.get(label, 0.0) + cumulative
    return found


def profile(article: Article, runs: int) -> None:
    with replay_server(recorded_answers(CASSETTE, *FALLBACK), 0.0) as base_url:
        profiles = {
            "re-asks off": profiled(article, base_url, settings(0), runs),
            "default re-asks": profiled(article, base_url, settings(), runs),
        }
    print(f"\nWhere one summarize call spends its time: cProfile of {runs} calls per column, "
          "delay 0, ms per call (profiling inflates the figures; nested rows are part of the "
          "row above):")  # fmt: skip
    print(f"{'':44}" + "".join(f" {name:>22}" for name in profiles))
    found = {name: stage_times(profiler) for name, profiler in profiles.items()}
    for label, _, _, depth in STAGES:
        cells = []
        for times in found.values():
            seconds, whole = times.get(label), times.get(STAGES[0][0]) or 1.0
            cells.append(
                f"{'-':>15}"
                if seconds is None
                else f"{ms(seconds / runs)} {100 * seconds / whole:5.1f}%"
            )
        print(f"{'  ' * depth + label:44}" + "".join(f" {cell:>22}" for cell in cells))
    out = io.StringIO()
    pstats.Stats(profiles["default re-asks"], stream=out).sort_stats("cumulative").print_stats(15)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print(f"\nTop 15 functions by cumulative time, default re-asks ({runs} calls; seconds are "
          "totals):")  # fmt: skip
    print("\n".join(line.rstrip() for line in lines[start:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="timed calls per row (default 30)")
    parser.add_argument("--delay", type=float, default=0.25, help="server delay, s")
    parser.add_argument("--profile-runs", type=int, default=20, help="calls profiled")
    args = parser.parse_args()
    print(
        "Answers are replayed recordings of the embedded Qwen 1.5B backend "
        f"(cassettes/{CASSETTE}.yaml), served after {args.delay} s; times in ms."
    )
    articles = {name: load_article(record_id) for name, record_id in ARTICLES.items()}
    for name, article in articles.items():
        measure(name, article, args.n, args.delay)
    profile(articles["de Blasio (own answers)"], args.profile_runs)


if __name__ == "__main__":
    main()
