"""A loopback OpenAI-compatible endpoint that replays recorded answers after a fixed delay.

Used by the other benchmarks to measure the library without a model in the way. Every
``POST .../chat/completions`` is answered, after ``delay_s`` seconds, with the response body
recorded for the tool the request forces (``tool_choice.function.name``: ``Extraction``,
``ClaimFixes``, ...); a tool with no recording gets HTTP 500 and a JSON error. The answers are
real replies of the embedded llama.cpp backend (Qwen 1.5B), read from the vcr cassettes in
``cassettes/``; nothing is written by hand.

The server runs in a child process, so that it does not compete with the measured process for
the GIL, on one asyncio loop with HTTP/1.1 keep-alive: each request waits its delay with
``asyncio.sleep``, so hundreds of connections are answered concurrently.

Other endpoints:

* ``GET /stats``: requests answered, per tool, errors, and the most requests in flight at
  once; ``GET /stats?reset=1`` returns them and starts counting again.
* ``GET /last/TOOL``: the body of the last request that forced ``TOOL``, so that a benchmark
  can send the library's very request again with a bare client.

With ``point``, each claim of an ``Extraction`` or ``ChunkExtraction`` answer cites the sentence
of the request's own numbered article that holds most of its words, in place of the id it
cited in the recording (which names a sentence of the recorded article, or of one part of it).

From another script (run from ``benchmarks/``, or with it on ``sys.path``)::

    from replay_server import recorded_answers, replay_server, stats

    with replay_server(recorded_answers("seed_prisoner_swap"), delay_s=0.25) as base_url:
        ...  # base_url is "http://127.0.0.1:PORT/v1"
        print(stats(base_url)["requests"])

On its own, serving until interrupted::

    python benchmarks/replay_server.py                       # the seed article's recordings
    python benchmarks/replay_server.py --cassette dev_politico_de_blasio --delay 0
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
DEFAULT_DELAY_S = 0.25
# Tools whose answers cite sentence ids, which --point re-points.
_POINTED = frozenset({"Extraction", "ChunkExtraction"})
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 411: "Length Required", 500: "Error"}


def recorded_answers(*cassettes: str) -> dict[str, dict[str, Any]]:
    """Tool name -> recorded response body, from the named cassettes (first recording wins).

    The tool is read from the answer's tool call, since some cassettes keep only a digest of
    the request body.
    """
    answers: dict[str, dict[str, Any]] = {}
    for name in cassettes:
        data = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text(encoding="utf-8"))
        for interaction in data["interactions"]:
            response = interaction["response"]
            body = response.get("content", response.get("body"))
            raw = body["string"] if isinstance(body, dict) else body
            answer: dict[str, Any] = json.loads(raw)
            for call in answer["choices"][0]["message"].get("tool_calls") or []:
                answers.setdefault(call["function"]["name"], answer)
    return answers


_NUMBERED = re.compile(r"^\[(S\d+)\] (.*)$", re.MULTILINE)
_WORD = re.compile(r"\w+")


def pointed(answer: dict[str, Any], request: dict[str, Any]) -> bytes:
    """``answer`` with each claim's sentence ids pointed at the sentence of ``request``'s
    numbered article that holds most of the claim's words, as a model reading that article
    would cite it: a recorded answer names the ids of the article it was recorded on."""
    text = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
    sentences = [(sid, set(_WORD.findall(body.lower()))) for sid, body in _NUMBERED.findall(text)]
    reply = json.loads(json.dumps(answer))
    call = reply["choices"][0]["message"]["tool_calls"][0]["function"]
    arguments = json.loads(call["arguments"])
    for claim in arguments.get("claims") or []:
        words = set(_WORD.findall(str(claim.get("quote") or claim.get("text", "")).lower()))
        if sentences and words:
            best = max(sentences, key=lambda s: len(words & s[1]))
            claim["sentences"] = [best[0]]
    call["arguments"] = json.dumps(arguments)
    return json.dumps(reply).encode()


class _Replay:
    """The answers, the delay and the counters of one server."""

    def __init__(
        self, answers: dict[str, dict[str, Any]], delay_s: float, point: bool = False
    ) -> None:
        self.answers = answers
        self.bodies = {tool: json.dumps(body).encode() for tool, body in answers.items()}
        self.point = point
        self.delay_s = delay_s
        self.last: dict[str, bytes] = {}
        self.reset()

    def reset(self) -> None:
        self.by_tool: Counter[str] = Counter()
        self.errors = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def stats(self) -> dict[str, Any]:
        return {
            "requests": sum(self.by_tool.values()),
            "by_tool": dict(self.by_tool),
            "errors": self.errors,
            "max_in_flight": self.max_in_flight,
            "delay_s": self.delay_s,
        }

    async def respond(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        if method == "GET" and path == "/stats":
            payload = json.dumps(self.stats()).encode()
            if "reset=1" in query:
                self.reset()
            return 200, payload
        if method == "GET" and path.startswith("/last/"):
            last = self.last.get(path.removeprefix("/last/"))
            return (200, last) if last else (404, _error("no request for that tool yet"))
        if method != "POST" or not path.endswith("/chat/completions"):
            return 404, _error(f"no route for {method} {path}")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            try:
                tool = json.loads(body)["tool_choice"]["function"]["name"]
            except (ValueError, KeyError, TypeError):
                tool = None
            await asyncio.sleep(self.delay_s)
            if tool not in self.bodies:
                self.errors += 1
                return 500, _error(f"no recorded answer for tool {tool!r}")
            self.by_tool[tool] += 1
            self.last[tool] = body
            if self.point and tool in _POINTED:
                return 200, pointed(self.answers[tool], json.loads(body))
            return 200, self.bodies[tool]
        finally:
            self.in_flight -= 1

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection, request after request, until the client closes it."""
        try:
            while True:
                request_line = await reader.readline()
                if not request_line.strip():
                    break
                method, target, version = request_line.decode("latin-1").split()
                headers: dict[str, str] = {}
                while (line := await reader.readline()).strip():
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                if "chunked" in headers.get("transfer-encoding", ""):
                    status, payload = 411, _error("send a Content-Length")
                else:
                    length = int(headers.get("content-length", "0"))
                    body = await reader.readexactly(length) if length else b""
                    status, payload = await self.respond(method, target, body)
                keep_alive = version == "HTTP/1.1" and headers.get("connection") != "close"
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n"
                    f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
                if not keep_alive or status == 411:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


def _error(message: str) -> bytes:
    return json.dumps({"error": {"message": message, "type": "replay_error"}}).encode()


async def serve(
    answers: dict[str, dict[str, Any]], delay_s: float, port: int = 0, point: bool = False
) -> None:
    """Serve on 127.0.0.1 until cancelled; print the base URL on stdout once listening."""
    replay = _Replay(answers, delay_s, point)
    server = await asyncio.start_server(replay.handle, "127.0.0.1", port, backlog=1024, limit=2**20)
    bound = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{bound}/v1", flush=True)
    async with server:
        await server.serve_forever()


@contextlib.contextmanager
def replay_server(
    answers: dict[str, dict[str, Any]], delay_s: float = DEFAULT_DELAY_S, point: bool = False
) -> Iterator[str]:
    """Run the server in a child process; yield its base URL; stop the child on exit.
    ``point``: see :func:`pointed`."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--answers", "-", "--delay", str(delay_s)]
        + (["--point"] if point else []),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        stdin, stdout = child.stdin, child.stdout
        if stdin is None or stdout is None:
            raise RuntimeError("the replay server's pipes did not open")
        stdin.write(json.dumps(answers))
        stdin.close()
        base_url = stdout.readline().strip()
        if not base_url.startswith("http://"):
            raise RuntimeError(f"the replay server did not start (exit status {child.poll()})")
        yield base_url
    finally:
        child.terminate()
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _get(base_url: str, path: str) -> bytes:
    root = base_url.removesuffix("/v1")
    with urllib.request.urlopen(root + path, timeout=10) as response:
        data: bytes = response.read()
        return data


def stats(base_url: str, *, reset: bool = False) -> dict[str, Any]:
    """The server's counters (see the module docstring); ``reset`` starts them again."""
    counters: dict[str, Any] = json.loads(_get(base_url, "/stats" + ("?reset=1" if reset else "")))
    return counters


def last_request(base_url: str, tool: str) -> dict[str, Any]:
    """The body of the last chat-completions request that forced ``tool``."""
    body: dict[str, Any] = json.loads(_get(base_url, f"/last/{tool}"))
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cassette",
        action="append",
        help="cassette name in cassettes/ (repeatable; default seed_prisoner_swap)",
    )
    parser.add_argument("--answers", help="a JSON file (or - for stdin) of tool -> response body")
    parser.add_argument("--delay", type=float, default=DEFAULT_DELAY_S, help="seconds per answer")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument(
        "--point", action="store_true", help="point claims at the request's own sentence ids"
    )
    args = parser.parse_args()
    if args.answers == "-":
        answers = json.load(sys.stdin)
    elif args.answers:
        answers = json.loads(Path(args.answers).read_text(encoding="utf-8"))
    else:
        answers = recorded_answers(*(args.cassette or ["seed_prisoner_swap"]))
        print(f"replaying recorded answers for: {', '.join(sorted(answers))}", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(answers, args.delay, args.port, args.point))


if __name__ == "__main__":
    main()
