from __future__ import annotations

import asyncio
from pathlib import Path

import openai
import pytest

from summarizer import ConfigError, Settings, asummarize, backends, summarize
from summarizer.backends import async_client, resolve_endpoint, sync_client


def test_explicit_client_comes_first() -> None:
    client = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:1/v1")
    settings = Settings(model="m", base_url="http://elsewhere/v1", api_key="other")
    endpoint = resolve_endpoint(settings, client)
    assert (endpoint.kind, endpoint.model) == ("client", "m")
    assert endpoint.base_url == "http://127.0.0.1:1/v1"


def test_an_openai_client_gets_the_default_openai_model() -> None:
    client = openai.OpenAI(api_key="k")
    assert resolve_endpoint(Settings(), client).model == Settings().openai_model


def test_base_url_needs_a_model_name() -> None:
    with pytest.raises(ConfigError, match="SUMMARIZER_MODEL"):
        resolve_endpoint(Settings(base_url="http://127.0.0.1:1/v1"))
    endpoint = resolve_endpoint(Settings(base_url="http://127.0.0.1:1/v1", model="m"))
    assert (endpoint.kind, endpoint.base_url) == ("openai-compatible", "http://127.0.0.1:1/v1")


def test_api_key_alone_means_openai() -> None:
    endpoint = resolve_endpoint(Settings(api_key="sk-x"))
    assert (endpoint.kind, endpoint.model, endpoint.base_url) == (
        "openai",
        Settings().openai_model,
        None,
    )
    assert "sk-x" not in repr(endpoint)


def test_nothing_configured_and_no_local_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backends, "local_model", lambda configured: None)
    with pytest.raises(ConfigError) as raised:
        resolve_endpoint(Settings())
    message = str(raised.value)
    for hint in ("OPENAI_API_KEY", "SUMMARIZER_BASE_URL", "summarizer[local]"):
        assert hint in message


def test_a_configured_gguf_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SUMMARIZER_LOCAL_MODEL"):
        resolve_endpoint(Settings(local_model_path=str(tmp_path / "missing.gguf")))


def test_clients_we_build_never_retry_on_their_own() -> None:
    endpoint = resolve_endpoint(Settings(base_url="http://127.0.0.1:1/v1", model="m"))
    assert sync_client(endpoint, Settings()).max_retries == 0
    assert async_client(endpoint, Settings()).max_retries == 0
    theirs = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:1/v1", max_retries=5)
    assert sync_client(endpoint, Settings(), theirs).max_retries == 0
    assert theirs.max_retries == 5, "the caller's client is left as it was"


def test_one_client_per_endpoint_serves_every_call() -> None:
    endpoint = resolve_endpoint(Settings(base_url="http://127.0.0.1:1/v1", model="m"))
    other = resolve_endpoint(Settings(base_url="http://127.0.0.1:2/v1", model="m"))
    shared = sync_client(endpoint, Settings())
    assert sync_client(endpoint, Settings()) is shared
    assert sync_client(other, Settings()) is not shared
    assert sync_client(endpoint, Settings(timeout_s=5)) is not shared
    shared.close()
    assert sync_client(endpoint, Settings()) is not shared, "a closed client is replaced"

    async def twice() -> tuple[object, object]:
        return async_client(endpoint, Settings()), async_client(endpoint, Settings())

    first, second = asyncio.run(twice())
    assert first is second
    assert asyncio.run(twice())[0] is not first, "each event loop has its own"


def test_sync_and_async_clients_are_not_interchangeable() -> None:
    sync = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:1/v1")
    with pytest.raises(ConfigError, match="needs an openai.OpenAI client.*asummarize"):
        summarize("A short news text.", model="m", client=openai.AsyncOpenAI(api_key="k"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="needs an openai.AsyncOpenAI client.*summarize"):
        import asyncio

        asyncio.run(asummarize("A short news text.", model="m", client=sync))  # type: ignore[arg-type]
