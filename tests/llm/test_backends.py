from __future__ import annotations

import asyncio
from pathlib import Path

import openai
import pytest
from scripted import (
    Scripted,
    ScriptedServer,
    error_reply,
    fast_settings,
    models_reply,
    one_claim,
    tool_reply,
)

from summarizer import ConfigError, Settings, asummarize, summarize
from summarizer.llm import backends
from summarizer.llm.backends import async_client, resolve_endpoint, sync_client


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


# A base URL without a model name: the server's /v1/models decides (SCRIPTED servers).


def test_the_only_model_a_server_lists_is_used_and_the_result_says_so() -> None:
    quote = "The mayor said the bridge will reopen on Monday after repairs."
    with ScriptedServer([models_reply("qwen-7b"), tool_reply("Extraction", one_claim(quote))]) as s:
        result = summarize(quote, settings=fast_settings(s, model=None))
    assert s.paths == ["GET /v1/models", "POST /v1/chat/completions"]
    assert s.requests[1]["model"] == "qwen-7b"
    assert (result.meta.model, result.meta.model_source) == ("qwen-7b", "server")


def test_a_named_model_asks_the_server_nothing() -> None:
    with ScriptedServer([]) as server:
        endpoint = resolve_endpoint(fast_settings(server, model="mine"))
    assert (endpoint.model, endpoint.model_source) == ("mine", "named")
    assert server.paths == []


def test_several_listed_models_are_named_in_the_error() -> None:
    with ScriptedServer([models_reply("llama-3-8b", "mistral-7b")]) as server:
        with pytest.raises(ConfigError) as raised:
            resolve_endpoint(fast_settings(server, model=None))
    message = str(raised.value)
    assert "serves 2 models (llama-3-8b, mistral-7b)" in message
    assert "SUMMARIZER_MODEL" in message


def test_a_long_model_list_is_cut_short_in_the_error() -> None:
    names = [f"m{n:02}" for n in range(25)]
    with ScriptedServer([models_reply(*names)]) as server:
        with pytest.raises(ConfigError, match=r"serves 25 models \(m00, .*m09 and 15 more\)"):
            resolve_endpoint(fast_settings(server, model=None))


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (models_reply(), "the server lists no model"),
        (error_reply(404, "scripted: no such route"), "could not be read: Error code: 404"),
        (Scripted("<html>not an API</html>"), "could not be read: the answer is not JSON"),
        (Scripted({"data": "many"}), "not a model list"),
    ],
    ids=["empty list", "404", "not json", "wrong shape"],
)
def test_no_usable_model_list_asks_for_a_model_name(answer: Scripted, reason: str) -> None:
    with ScriptedServer([answer]) as server:
        with pytest.raises(ConfigError) as raised:
            resolve_endpoint(fast_settings(server, model=None))
    message = str(raised.value)
    assert message.startswith(f"Name the model to use with base_url={server.base_url}")
    assert reason in message


def test_an_unreachable_server_asks_for_a_model_name() -> None:
    with pytest.raises(ConfigError, match=r"SUMMARIZER_MODEL \(.*could not be read: Connection"):
        resolve_endpoint(Settings(base_url="http://127.0.0.1:1/v1"))


def test_a_key_the_model_list_error_echoes_is_masked() -> None:
    key = "sk-scripted-0123456789abcdef"
    echo = error_reply(401, f"Incorrect API key provided: {key}")
    with ScriptedServer([echo]) as server:
        with pytest.raises(ConfigError) as raised:
            resolve_endpoint(fast_settings(server, model=None, api_key=key))
    assert "401" in str(raised.value) and key not in str(raised.value)


def test_backend_defaults_say_so_in_the_endpoint() -> None:
    assert resolve_endpoint(Settings(api_key="sk-x")).model_source == "default"
    assert resolve_endpoint(Settings(api_key="sk-x", model="m")).model_source == "named"
    assert resolve_endpoint(Settings(), openai.OpenAI(api_key="k")).model_source == "default"
