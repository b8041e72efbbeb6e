"""SCRIPTED responses: a real HTTP server on 127.0.0.1 that answers chat completions from a
script written by the test. Nothing here was produced by a model; recordings of real model
answers live in cassettes/ and are replayed by tests/test_recorded.py.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from summarizer import Settings


@dataclass
class Scripted:
    """One scripted HTTP answer.

    ``delay_s`` waits before answering (past a client's timeout, say); ``cut_after`` sends only
    that many bytes of the body, announced with its full length, then drops the connection.
    """

    body: dict[str, Any] | str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cut_after: int | None = None


def tool_reply(
    name: str,
    arguments: dict[str, Any] | str,
    *,
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    finish_reason: str = "tool_calls",
    cached_tokens: int | None = None,
) -> Scripted:
    """A chat completion whose one tool call carries ``arguments`` (a dict, or raw text);
    ``cached_tokens`` is reported as OpenAI reports a cached prompt prefix."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if cached_tokens is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached_tokens}
    return Scripted(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish_reason,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_scripted",
                                "type": "function",
                                "function": {"name": name, "arguments": raw},
                            }
                        ],
                    },
                }
            ],
            "usage": usage,
        }
    )


def error_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Scripted:
    """An OpenAI-style error body with the given status."""
    return Scripted({"error": {"message": message, "type": "scripted"}}, status, headers or {})


def models_reply(*names: str) -> Scripted:
    """A ``/v1/models`` answer listing ``names``."""
    return Scripted(
        {
            "object": "list",
            "data": [
                {"id": n, "object": "model", "created": 0, "owned_by": "scripted"} for n in names
            ],
        }
    )


_NUMBERED = re.compile(r"^\[(S\d+)\] (.*)$", re.MULTILINE)


def point(answer: Scripted, payload: dict[str, Any]) -> Scripted:
    """``answer`` with each sentence reference ``"@words"`` in a tool call's ``sentences``
    replaced by the id of the first numbered sentence of the request that contains the words,
    as a model reading the prompt would point at it. A reference that matches no sentence is
    left as it is, so it reaches the library as an id that does not exist."""
    body = answer.body
    if not isinstance(body, dict) or "@" not in json.dumps(body):
        return answer
    prompt = "\n".join(str(m.get("content") or "") for m in payload.get("messages", []))
    numbered = _NUMBERED.findall(prompt)

    def resolve(ref: Any) -> Any:
        if not (isinstance(ref, str) and ref.startswith("@")):
            return ref
        words = " ".join(ref[1:].split())
        return next((i for i, line in numbered if words in " ".join(line.split())), ref)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: [resolve(r) for r in v] if k == "sentences" and isinstance(v, list) else walk(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    body = json.loads(json.dumps(body))
    for choice in body.get("choices", []):
        for call in (choice.get("message") or {}).get("tool_calls") or []:
            raw = call["function"]["arguments"]
            try:
                arguments = json.loads(raw)
            except ValueError:
                continue
            call["function"]["arguments"] = json.dumps(walk(arguments))
    return Scripted(body, answer.status, answer.headers, answer.delay_s, answer.cut_after)


class ScriptedServer:
    """Serves the script in order and keeps every request body it received (``{}`` for a GET)
    and, in ``paths``, each request's method and path.

    ``respond`` instead answers each request from its body, for concurrent requests whose order
    is not known in advance. ``in_flight_max`` is the most requests it was answering at once,
    and ``arrivals`` when each request came (``time.monotonic``).
    """

    def __init__(
        self,
        script: list[Scripted] | None = None,
        *,
        respond: Callable[[dict[str, Any]], Scripted] | None = None,
    ) -> None:
        self.script = list(script or [])
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.arrivals: list[float] = []
        self.in_flight = self.in_flight_max = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length", 0))
                self._serve(json.loads(self.rfile.read(length) or b"{}"))

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve({})

            def _serve(self, payload: dict[str, Any]) -> None:
                with server._lock:
                    server.requests.append(payload)
                    server.paths.append(f"{self.command} {self.path}")
                    server.arrivals.append(time.monotonic())
                    server.in_flight += 1
                    server.in_flight_max = max(server.in_flight_max, server.in_flight)
                    if server.respond is not None:
                        answer = server.respond(payload)
                    else:
                        answer = (
                            server.script.pop(0)
                            if server.script
                            else error_reply(500, "script exhausted")
                        )
                try:
                    self._answer(point(answer, payload))
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _answer(self, answer: Scripted) -> None:
                delay, cut = getattr(answer, "delay_s", 0.0), getattr(answer, "cut_after", None)
                if delay:
                    time.sleep(delay)
                body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
                data = body.encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if cut is None:
                        self.wfile.write(data)
                        return
                    self.wfile.write(data[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a timeout): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        # Poll for shutdown every 10 ms (http.server's default is 500 ms) so tests end quickly.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def scripted_server(script: list[Scripted]) -> Iterator[ScriptedServer]:
    """Run a :class:`ScriptedServer` for the duration of a ``with`` block."""
    with ScriptedServer(script) as server:
        yield server


SEED_SENTENCE = "Russia has yet to publicly comment on the latest developments."


def claim(
    sentence: str, *, id: str = "c1", text: str | None = None, source: str = "unattributed"
) -> dict[str, Any]:
    """A claim citing the numbered sentence that contains ``sentence`` (see :func:`point`)."""
    return {"id": id, "sentences": [f"@{sentence}"], "text": text or sentence, "source": source}


def one_claim(
    quote: str = SEED_SENTENCE,
    *,
    text: str | None = None,
    summary: str = "Russia has not commented on the developments.",
) -> dict[str, Any]:
    """Extraction arguments with one unattributed claim citing the sentence that holds
    ``quote`` and one summary sentence citing it (by default a sentence of the seed article)."""
    return {
        "claims": [claim(quote, text=text)],
        "headline": "",
        "summary": [{"text": summary, "claim_ids": ["c1"]}],
        "key_points": [],
    }


def fast_settings(server: ScriptedServer, **overrides: Any) -> Settings:
    """Settings for a scripted server: its address, and retries and timeouts short enough for
    a test; ``overrides`` change any field."""
    values: dict[str, Any] = {
        "model": "scripted",
        "base_url": server.base_url,
        "backoff_initial_s": 0.01,
        "backoff_max_s": 0.05,
        "retry_deadline_s": 10.0,
        "timeout_s": 10.0,
    }
    return Settings(**(values | overrides))
