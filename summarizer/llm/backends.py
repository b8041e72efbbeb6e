"""Choose the endpoint and build the openai client: one code path for every backend.

Order: an explicit ``client=``; an explicit or configured base URL (``base_url=``,
``SUMMARIZER_BASE_URL``, ``OPENAI_BASE_URL``); OpenAI itself when an API key is set; the
embedded llama.cpp backend when the ``local`` extra is installed; otherwise a ConfigError.

A base URL without a model name asks the server's ``/v1/models``: a server that lists exactly
one model (as a llama.cpp or vLLM server started with one does) gets that one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.error
import urllib.request
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import openai

from summarizer.errors import ConfigError
from summarizer.llm.local import local_model, server_installed, shared_server
from summarizer.redaction import redact, remember
from summarizer.settings import Settings
from summarizer.status import status

BackendKind = Literal["client", "openai-compatible", "openai", "local"]
# Where the model name came from: the caller or the settings named it; the backend's default
# (OpenAI's default model, the embedded server's); the only model the server lists.
ModelSource = Literal["named", "default", "server"]

# Servers that need no key still make the openai client send one.
_NO_KEY = "no-key-needed"
# Asking a server which models it serves is quick or not worth waiting for.
_LIST_TIMEOUT_S = 10.0
# Names an error message lists before it says how many more there are.
_NAMES_SHOWN = 10
# Context sizes when the settings do not give one (context_tokens).
OPENAI_CONTEXT = 128_000
COMPATIBLE_CONTEXT = 8_192

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and which model answers them."""

    kind: BackendKind
    model: str
    base_url: str | None
    api_key: str | None = field(default=None, repr=False)
    context_tokens: int = COMPATIBLE_CONTEXT
    # Where the server counts tokens with the model's own tokenizer, if it can.
    tokenize_url: str | None = None
    model_source: ModelSource = "named"


def resolve_endpoint(
    settings: Settings, client: openai.OpenAI | openai.AsyncOpenAI | None = None
) -> Endpoint:
    """Decide which backend to use, starting the embedded server if that is the one.

    Raises:
        ConfigError: nothing is configured and the embedded backend is not installed, or a
            model name is needed and missing: with a base URL, when the server's model list
            cannot be read or does not hold exactly one model.
        BackendStartError: the embedded server did not start.
    """
    context = settings.context_tokens
    if client is not None:
        return _client_endpoint(settings, client)
    if settings.base_url:
        model = settings.model or _served_model(settings.base_url, settings.api_key)
        return Endpoint(
            "openai-compatible",
            model,
            settings.base_url,
            settings.api_key,
            context_tokens=context or COMPATIBLE_CONTEXT,
            model_source="named" if settings.model else "server",
        )
    if settings.api_key:
        return Endpoint(
            "openai",
            settings.model or settings.openai_model,
            None,
            settings.api_key,
            context_tokens=context or OPENAI_CONTEXT,
            model_source=_source(settings),
        )
    local = _local_endpoint(settings)
    if local is not None:
        return local
    raise ConfigError(
        "No LLM backend is configured. Do one of:\n"
        "  - set OPENAI_API_KEY to use OpenAI;\n"
        "  - set SUMMARIZER_BASE_URL (and SUMMARIZER_MODEL) for any OpenAI-compatible server;\n"
        "  - pass client= or base_url= to summarize();\n"
        "  - pip install 'summarizer[local]' for the embedded offline backend."
    )


def _client_endpoint(settings: Settings, client: openai.OpenAI | openai.AsyncOpenAI) -> Endpoint:
    """The endpoint of a client the caller built, used as it is configured."""
    base_url = str(client.base_url).rstrip("/")
    official = "api.openai.com" in base_url
    model = settings.model or (settings.openai_model if official else None)
    return Endpoint(
        "client",
        _require_model(model, "client="),
        base_url,
        context_tokens=settings.context_tokens
        or (OPENAI_CONTEXT if official else COMPATIBLE_CONTEXT),
        model_source=_source(settings),
    )


def _local_endpoint(settings: Settings) -> Endpoint | None:
    """The embedded server, started if it is not running, or None when it is not installed."""
    model_path = local_model(settings.local_model_path)
    if model_path is None or not server_installed():
        return None
    server = shared_server(
        model_path,
        n_ctx=settings.local_n_ctx,
        startup_timeout_s=settings.local_startup_timeout_s,
    )
    return Endpoint(
        "local",
        settings.model or server.model_alias,
        server.base_url,
        context_tokens=min(settings.context_tokens or settings.local_n_ctx, settings.local_n_ctx),
        tokenize_url=server.tokenize_url,
        model_source=_source(settings),
    )


def _source(settings: Settings) -> ModelSource:
    return "named" if settings.model else "default"


def _require_model(model: str | None, where: str) -> str:
    if not model:
        raise _name_the_model(where)
    return model


def _name_the_model(where: str, why: str = "") -> ConfigError:
    return ConfigError(
        redact(
            f"Name the model to use with {where}: pass model=, --model, or set "
            f"SUMMARIZER_MODEL{f' ({why})' if why else ''}."
        )
    )


def _served_model(base_url: str, api_key: str | None) -> str:
    """The one model the server lists at ``/v1/models``; else a ConfigError that says why
    (the list cannot be read, is empty, or names several models)."""
    where = f"base_url={base_url}"
    remember(api_key)
    try:
        names = _listed_models(base_url, api_key)
    except (openai.OpenAIError, ValueError) as e:
        reason = " ".join(str(e).split())[:200]
        raise _name_the_model(where, f"the server's model list could not be read: {reason}") from e
    if len(names) > 1:
        shown = ", ".join(names[:_NAMES_SHOWN])
        more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
        raise ConfigError(
            redact(
                f"The server at {base_url} serves {len(names)} models ({shown}{more}); name "
                "one with model=, --model, or SUMMARIZER_MODEL."
            )
        )
    if not names:
        raise _name_the_model(where, "the server lists no model")
    log.info("Using %s, the only model %s lists.", names[0], redact(base_url))
    return names[0]


def _listed_models(base_url: str, api_key: str | None) -> list[str]:
    """The model ids of the server's ``/v1/models``, in its order, each once."""
    with openai.OpenAI(
        api_key=api_key or _NO_KEY, base_url=base_url, max_retries=0, timeout=_LIST_TIMEOUT_S
    ) as client:
        try:
            body = client.get("/models", cast_to=object)
        except json.JSONDecodeError:
            raise ValueError("the answer is not JSON") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ValueError("the answer is not a model list (no 'data' list)")
    ids = [m.get("id") for m in data if isinstance(m, dict)]
    return list(dict.fromkeys(i for i in ids if isinstance(i, str) and i.strip()))


C = TypeVar("C", openai.OpenAI, openai.AsyncOpenAI)


def _client(kind: type[C], endpoint: Endpoint, settings: Settings, client: object) -> C:
    remember(endpoint.api_key)
    if client is not None:
        if not isinstance(client, kind):
            other = "asummarize()" if kind is openai.OpenAI else "summarize()"
            raise ConfigError(
                f"This call needs an openai.{kind.__name__} client; "
                f"pass {type(client).__name__} to {other} instead."
            )
        remember(client.api_key)
        return client.with_options(max_retries=0, timeout=settings.timeout_s)
    return kind(
        api_key=endpoint.api_key or _NO_KEY,
        base_url=endpoint.base_url,
        max_retries=0,
        timeout=settings.timeout_s,
    )


def sync_client(endpoint: Endpoint, settings: Settings, client: object = None) -> openai.OpenAI:
    """An openai client for the endpoint, with its own retries off (tenacity owns retries).

    A caller's client is copied with retries off; the caller's own object is left as it was.
    Otherwise one client per endpoint serves the whole process, as the openai SDK advises:
    building one costs more than a replayed call's worth of certificate loading.
    """
    if client is not None:
        return _client(openai.OpenAI, endpoint, settings, client)
    with _SHARED_LOCK:
        return _reused(_SHARED, openai.OpenAI, endpoint, settings)


_Key = tuple[str | None, str | None, float]
_SHARED: dict[_Key, openai.OpenAI] = {}
_SHARED_LOCK = threading.Lock()


def _reused(shared: dict[_Key, C], kind: type[C], endpoint: Endpoint, settings: Settings) -> C:
    """The client in ``shared`` for this endpoint, made (again, if closed) when needed."""
    key = (endpoint.base_url, endpoint.api_key, settings.timeout_s)
    found = shared.get(key)
    if found is None or found.is_closed():
        found = shared[key] = _client(kind, endpoint, settings, None)
    else:
        remember(endpoint.api_key)
    return found


def async_client(
    endpoint: Endpoint, settings: Settings, client: object = None
) -> openai.AsyncOpenAI:
    """The async twin of :func:`sync_client`; a shared client serves one event loop, since its
    connections belong to the loop that opened them."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if client is not None or loop is None:
        return _client(openai.AsyncOpenAI, endpoint, settings, client)
    return _reused(_SHARED_ASYNC.setdefault(loop, {}), openai.AsyncOpenAI, endpoint, settings)


_SHARED_ASYNC: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[_Key, openai.AsyncOpenAI]
] = weakref.WeakKeyDictionary()


def token_counter(
    endpoint: Endpoint, fallback: Callable[[str], int]
) -> Callable[[str], int] | None:
    """Count tokens with the endpoint's own tokenizer, or None when it has none (the embedded
    llama.cpp server has one). A count the server cannot give is ``fallback``'s, with a
    warning."""
    url = endpoint.tokenize_url
    if url is None:
        return None

    def count(text: str) -> int:
        status("counting the article's tokens with the model's tokenizer")
        request = urllib.request.Request(
            url,
            data=json.dumps({"input": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return int(json.load(response)["count"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("Counting tokens at %s failed (%s); estimating instead.", url, e)
            return fallback(text)

    return count
