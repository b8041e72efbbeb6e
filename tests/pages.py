"""A loopback web server for the fetch tests: a made-up news page, redirects, errors, slow and
oversized replies. Nothing here touches the internet."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

STORY_SENTENCE = "The harbour authority said the new ferry terminal will open in March."
STORY = f"""<!doctype html>
<html><head><title>Ferry terminal to open in March</title>
<meta charset="utf-8"></head>
<body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Ferry terminal to open in March</h1>
<p>{STORY_SENTENCE} Work on the terminal began two years ago and cost more than planned.</p>
<p>Officials expect the terminal to handle twice as many passengers as the old one, which
will close once the new building is ready. The city council approved the final payment on
Tuesday after a short debate.</p>
<p>Residents near the harbour have asked for a new bus line to the terminal, and the
transport department said it would study the request over the winter.</p>
</article>
</body></html>
"""


class PageServer:
    """Serves, on 127.0.0.1:

    - ``/story.html``: a news page; ``/latin1.html``: the same in ISO-8859-1, with an é;
    - ``/moved``: a 302 to ``/story.html``; ``/loop/N``: redirects without end;
    - ``/missing``: 404; ``/broken``: 500; ``/data.json``: JSON, not HTML;
    - ``/slow``: answers after ``slow_s`` seconds; ``/big``: ``big_bytes`` of HTML announced
      by Content-Length; ``/big-chunked``: as much, sent without a length.
    """

    def __init__(self, *, slow_s: float = 3.0, big_bytes: int = 2_000_000) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.paths.append(self.path)
                path = self.path
                if path == "/story.html":
                    self._send(200, STORY.encode(), "text/html; charset=utf-8")
                elif path == "/latin1.html":
                    page = STORY.replace("March", "Marché").replace('charset="utf-8"', "")
                    self._send(200, page.encode("latin-1"), "text/html; charset=iso-8859-1")
                elif path == "/moved":
                    self._redirect("/story.html")
                elif path.startswith("/loop/"):
                    self._redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
                elif path == "/missing":
                    self._send(404, b"<html><body>Not here</body></html>", "text/html")
                elif path == "/broken":
                    self._send(500, b"<html><body>Oops</body></html>", "text/html")
                elif path == "/data.json":
                    self._send(200, b'{"story": "not a page"}', "application/json")
                elif path == "/slow":
                    time.sleep(slow_s)
                    self._send(200, STORY.encode(), "text/html")
                elif path == "/big":
                    self._send(200, _padding(big_bytes), "text/html")
                elif path == "/big-chunked":
                    self._chunked(_padding(big_bytes))
                else:
                    self._send(404, b"", "text/plain")

            def _send(self, code: int, body: bytes, content_type: str) -> None:
                try:
                    self.send_response(code)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client stopped reading: what a size limit does

            def _redirect(self, to: str) -> None:
                self.send_response(302)
                self.send_header("location", to)
                self.send_header("content-length", "0")
                self.end_headers()

            def _chunked(self, body: bytes) -> None:
                try:
                    self.send_response(200)
                    self.send_header("content-type", "text/html")
                    self.send_header("transfer-encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(body), 65536):
                        piece = body[start : start + 65536]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    return

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that hangs up early (a size limit, a timeout) is expected here


def _padding(size: int) -> bytes:
    head = b"<html><body><p>"
    return head + b"x" * (size - len(head))


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
