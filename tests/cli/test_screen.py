"""What the command line says on standard error: a status line on a terminal (run here in a
pseudo-terminal), nothing when piped or quiet, one voice when the endpoint fails, secrets
masked at every verbosity; and the same status for Python callers through logging.

The LLM is the SCRIPTED loopback server of tests/scripted.py; no model runs."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages import closed_port
from rich.console import Console
from scripted import ScriptedServer, error_reply, fast_settings, one_claim, tool_reply

from summarizer import summarize
from summarizer.cli.screen import ScreenHandler
from summarizer.status import LOGGER, status

ROOT = Path(__file__).resolve().parents[2]
SENTENCE = "The mayor said the bridge will reopen on Monday after repairs."
SECRET = "sk-test-0123456789abcdefSECRET"


def _reply() -> Any:
    return tool_reply("Extraction", one_claim(SENTENCE, summary="The bridge will reopen."))


@pytest.fixture
def article(tmp_path: Path) -> str:
    path = tmp_path / "a.txt"
    path.write_text(SENTENCE + "\n")
    return str(path)


def _env(base_url: str, **extra: str) -> dict[str, str]:
    # Settings of the run, and of rich's terminal detection, come from here only.
    dropped = ("PYTHONPATH", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR", "NO_COLOR",
               "COLUMNS", "LINES")  # fmt: skip
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "SUMMARIZER_")) and k not in dropped
    }
    env.update(
        PYTHONPATH=str(ROOT),
        TERM="xterm-256color",
        SUMMARIZER_BASE_URL=base_url,
        SUMMARIZER_MODEL="scripted",
        SUMMARIZER_BACKOFF_INITIAL_S="0.01",
        SUMMARIZER_BACKOFF_MAX_S="0.02",
    )
    env.update(extra)
    return env


def in_terminal(argv: list[str], env: dict[str, str], timeout: float = 60.0) -> tuple[int, str]:
    """Run the command with standard output and error on a pseudo-terminal; what it showed."""
    try:
        master, slave = pty.openpty()
    except OSError:
        pytest.skip("this machine has no pseudo-terminals")
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", *argv],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    shown = bytearray()
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                raise AssertionError(f"no output for {timeout} s: {shown.decode()!r}")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            shown += data
    finally:
        os.close(master)
        code = process.wait(timeout=timeout)
    return code, shown.decode("utf-8", "replace")


def piped(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "summarizer", *argv],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_status_line_on_a_terminal_before_the_result(article: str) -> None:
    with ScriptedServer([_reply()]) as server:
        code, shown = in_terminal([article, "--format", "json"], _env(server.base_url))
    assert code == 0, shown
    assert "reading the article" in shown and '"claims"' in shown
    assert shown.index("reading the article") < shown.index('"claims"')
    assert shown.index("verifying 1 claim(s)") < shown.index('"claims"')


def test_no_status_when_piped(article: str) -> None:
    with ScriptedServer([_reply()]) as server:
        run = piped([article, "--format", "json"], _env(server.base_url))
    assert run.returncode == 0, run.stderr
    assert run.stderr == "" and '"claims"' in run.stdout


def test_no_status_when_quiet(article: str) -> None:
    with ScriptedServer([_reply()]) as server:
        code, shown = in_terminal([article, "--format", "json", "-q"], _env(server.base_url))
    assert code == 0, shown
    assert '"claims"' in shown and "reading the article" not in shown


def test_one_voice_when_the_endpoint_refuses_connections(article: str) -> None:
    env = _env(f"http://127.0.0.1:{closed_port()}/v1", SUMMARIZER_MAX_ATTEMPTS="3")
    run = piped([article], env)
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == "summarizer: error: The LLM endpoint still failed after 3 attempt(s)."
    assert all(line.startswith("  attempt ") for line in lines[1:]) and len(lines) == 4
    verbose = piped([article, "-v"], env)
    assert verbose.returncode == 1
    assert verbose.stderr.count("the model's endpoint failed") == 2, verbose.stderr


def test_secrets_masked_at_every_verbosity(article: str) -> None:
    echo = error_reply(401, f"Incorrect API key provided: {SECRET}.")
    for flags in ([], ["-v"], ["-vv"]):
        with ScriptedServer([echo]) as server:
            run = piped([article, *flags], _env(server.base_url, SUMMARIZER_API_KEY=SECRET))
        assert run.returncode == 1
        assert "SECRET" not in run.stderr, (flags, run.stderr)
        assert "401" in run.stderr
        if flags == ["-vv"]:
            assert "httpx" in run.stderr, "-vv shows the HTTP layer's records"
        else:
            assert "httpx" not in run.stderr


@pytest.fixture
def status_records() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger(LOGGER)
    handler, level = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_python_callers_get_the_status_through_logging(
    status_records: list[logging.LogRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    with ScriptedServer([_reply()]) as server:
        summarize(SENTENCE, settings=fast_settings(server))
    messages = [r.getMessage() for r in status_records]
    assert messages == ["reading the article", "verifying 1 claim(s)"]
    assert all(r.levelno == logging.INFO for r in status_records)
    assert capsys.readouterr() == ("", ""), "the library never prints"


def test_reask_has_its_own_status(status_records: list[logging.LogRecord]) -> None:
    bad = one_claim("Russia has commented in public on every development of the talks.")
    first = tool_reply("Extraction", bad, prompt_tokens=4000)
    with ScriptedServer([first, tool_reply("ClaimFixes", {"fixes": []})]) as server:
        summarize(
            (ROOT / "seeds" / "prisoner-swap.txt").read_text(), settings=fast_settings(server)
        )
    messages = [r.getMessage() for r in status_records]
    assert "re-asking 1 claim(s)" in messages, messages


def _shown(records: list[tuple[str, int | None, int | None]]) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    handler = ScreenHandler(0, live=True, console=console)
    logger = logging.getLogger(LOGGER)
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    handler.start()
    try:
        for message, done, total in records:
            status(message, done=done, total=total)
    finally:
        handler.stop()
        logger.removeHandler(handler)
        logger.setLevel(level)
    return out.getvalue()


def test_byte_bar_only_for_measured_steps() -> None:
    shown = _shown([("assembling model weights", 0, 2_000_000),
                    ("assembling model weights", 1_000_000, 2_000_000)])  # fmt: skip
    assert "assembling model weights" in shown and "1.0/2.0 MB" in shown
    plain = _shown([("reading the article", None, None)])
    assert "reading the article" in plain and "MB" not in plain and "bytes" not in plain
