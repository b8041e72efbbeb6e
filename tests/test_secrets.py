"""A recognizable fake key goes in; it must come out nowhere: not in logs, exception messages or
tracebacks, results, reprs, or recordings. The endpoints here are SCRIPTED and, at worst, echo
the key they were sent, as a misconfigured proxy might."""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any

import pytest
import vcr as vcrpy
from conftest import SCRUBBED_REQUEST_HEADERS, SEED, scrub_request, scrub_response
from scripted import (
    Scripted,
    ScriptedServer,
    error_reply,
    fast_settings,
    one_claim,
    tool_reply,
)

from summarizer import (
    ProviderError,
    RetriesExhaustedError,
    Settings,
    asummarize,
    summarize,
)
from summarizer.llm.backends import resolve_endpoint

KEY = "sk-test-SUMMARIZERFAKEKEY-0123456789abcdef"
TEXT = SEED.read_text(encoding="utf-8")
GOOD = one_claim()


def _echo(status: int) -> Scripted:
    """An error whose message repeats the key, as a misconfigured proxy might."""
    return error_reply(status, f"Incorrect API key provided: {KEY} (Authorization: Bearer {KEY})")


def _settings(server: ScriptedServer) -> Settings:
    return fast_settings(server, api_key=KEY, backoff_max_s=0.02, max_attempts=2)


def _everything_said(error: BaseException | None, caplog: pytest.LogCaptureFixture) -> str:
    parts = [record.getMessage() for record in caplog.records]
    parts += [str(record.args) for record in caplog.records]
    if error is not None:
        parts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        parts += [str(getattr(error, "attempts", ""))]
    return "\n".join(parts)


@pytest.mark.parametrize("status", [401, 403, 500])
def test_key_echoed_by_the_endpoint_is_masked_everywhere(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with ScriptedServer([_echo(status), _echo(status)]) as server:
        with pytest.raises(ProviderError) as raised:
            summarize(TEXT, settings=_settings(server))
    said = _everything_said(raised.value, caplog)
    assert "Incorrect API key provided" in said, "the provider's message is passed on"
    assert KEY not in said
    assert "SUMMARIZERFAKEKEY" not in said
    if status == 500:
        assert isinstance(raised.value, RetriesExhaustedError)


@pytest.mark.asyncio
async def test_async_path_masks_the_key_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with ScriptedServer([_echo(401)]) as server:
        with pytest.raises(ProviderError) as raised:
            await asummarize(TEXT, settings=_settings(server))
    assert "SUMMARIZERFAKEKEY" not in _everything_said(raised.value, caplog)


def test_a_successful_run_shows_the_key_nowhere(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with ScriptedServer([tool_reply("Extraction", GOOD)]) as server:
        settings = Settings.resolve(model="scripted", base_url=server.base_url)
        assert settings.api_key == KEY, "the key came from the environment"
        result = summarize(TEXT, settings=settings)
        endpoint = resolve_endpoint(settings)
    assert result.claims
    said = "\n".join(
        [
            _everything_said(None, caplog),
            result.model_dump_json(),
            repr(settings),
            str(settings),
            repr(endpoint),
        ]
    )
    assert "SUMMARIZERFAKEKEY" not in said


def test_recordings_of_a_run_with_a_key_hold_no_key(tmp_path: Path) -> None:
    """Record a real exchange with the project's cassette filters and search the file."""
    cassette = tmp_path / "run.yaml"
    recorder = vcrpy.VCR(
        record_mode="all",
        filter_headers=SCRUBBED_REQUEST_HEADERS,
        before_record_request=scrub_request,
        before_record_response=_with_set_cookie(scrub_response),
    )
    with ScriptedServer([tool_reply("Extraction", GOOD, prompt_tokens=10)]) as server:
        with recorder.use_cassette(str(cassette)):
            # A key could also sit in a body: the article quotes one here.
            summarize(TEXT + f"\nLeaked token: {KEY}", settings=_settings(server), clean=False)
    text = cassette.read_text(encoding="utf-8")
    assert "interactions" in text and "chat/completions" in text
    assert "SUMMARIZERFAKEKEY" not in text
    assert "set-cookie" not in text.lower()
    assert "authorization" not in text.lower()


def _with_set_cookie(scrub: Any) -> Any:
    """Check the response scrubber on a response that carries cookies and an org header."""

    def scrub_with_cookie(response: dict[str, Any]) -> dict[str, Any]:
        response.setdefault("headers", {})
        response["headers"]["Set-Cookie"] = ["session=abc123; Path=/"]
        response["headers"]["openai-organization"] = ["org-secret"]
        return dict(scrub(response))

    return scrub_with_cookie


def test_request_body_scrubber_masks_key_shapes() -> None:
    """A key the library was never given is still masked by its shape."""
    unseen = "sk-proj-NEVERGIVEN0123456789"

    class Request:
        body = json.dumps({"messages": [{"content": f"my key is {unseen}"}]}).encode()

    scrubbed = scrub_request(Request())
    assert b"NEVERGIVEN" not in scrubbed.body
    assert b"sk-***" in scrubbed.body
