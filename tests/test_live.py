"""The embedded backend for real: start llama.cpp, summarize the seed, check the invariants.

The model (Qwen2.5-Coder-1.5B-Instruct) is small; part of what it proposes is rejected. What
must hold is that nothing unverified is kept.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from invariants import assert_verified

from summarizer import ArticleSummary, LocalServer, summarize
from summarizer.llm.backends import Endpoint, token_counter
from summarizer.llm.local import bundled_model_path
from summarizer.text.tokens import estimate_tokens

pytestmark = pytest.mark.live


def test_seed_article_on_the_embedded_default(
    seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "SUMMARIZER_BASE_URL",
        "SUMMARIZER_API_KEY",
        "SUMMARIZER_MODEL",
        "SUMMARIZER_LOCAL_MODEL",
    ):
        monkeypatch.delenv(var, raising=False)

    result = summarize(seed_text)

    assert result.meta.backend == "local"
    assert ArticleSummary.model_validate_json(result.model_dump_json()) == result
    assert_verified(result)
    proposed = len(result.claims) + sum(r.kind == "claim" for r in result.rejected)
    assert proposed >= 1
    assert result.meta.usage.prompt_tokens > 0 and result.meta.usage.completion_tokens > 0
    assert result.meta.calls >= 1 + result.meta.reask_rounds


def test_server_stops_when_the_context_closes() -> None:
    path = bundled_model_path()
    assert path is not None
    with LocalServer(path, n_ctx=1024, startup_timeout_s=120) as server:
        url = server.base_url + "/models"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.status == 200
        # The model's own tokenizer counts tokens, and the estimate used without one errs high.
        endpoint = Endpoint("local", "m", server.base_url, tokenize_url=server.tokenize_url)
        count = token_counter(endpoint, fallback=lambda text: -1)
        assert count is not None
        text = "The minister said on Tuesday that talks would resume in Istanbul next week."
        assert 5 < count(text) <= estimate_tokens(text)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_a_server_started_from_a_short_lived_thread_outlives_it() -> None:
    """Batches start the server from worker threads that end; the server must not end with
    them (Linux ties the parent-death signal to the starting thread)."""
    path = bundled_model_path()
    assert path is not None
    server = LocalServer(path, n_ctx=1024, startup_timeout_s=120)
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join()
    try:
        time.sleep(0.5)
        with urllib.request.urlopen(server.base_url + "/models", timeout=5) as response:
            assert response.status == 200
    finally:
        server.stop()


def test_the_server_dies_with_a_process_killed_by_sigkill(tmp_path: Path) -> None:
    path = bundled_model_path()
    assert path is not None
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from summarizer import LocalServer\n"
        f"server = LocalServer(Path({str(path)!r}), n_ctx=1024, startup_timeout_s=120)\n"
        "server.start()\n"
        "print(server._process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    with parent.stdout:
        child_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child_pid):
        time.sleep(0.1)
    assert not _alive(child_pid), "the server outlived the process that started it"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has died; only its exit status is left
