"""Batch engines: requests in the OpenAI Batch API format, and the engine's output verified as
``summarize`` verifies a reply.

The round trip is RECORDED: the requests were answered by the embedded llama.cpp backend
through :func:`summarizer.batchfile.execute` (cassettes/batch_round_trip.yaml). The engine
output lines for failure paths are SCRIPTED and say so.

Record again with: pytest tests/test_batchfile.py --record-mode=rewrite
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import RECORDED_MODEL, SEED
from invariants import assert_verified
from scripted import SEED_SENTENCE, one_claim, tool_reply

from summarizer import ArticleSummary, Settings
from summarizer.batchfile import URL, articles_path, collect, execute, prepare
from summarizer.cleaning import clean
from summarizer.cli import main
from summarizer.pipeline import extract_messages

OWN_ARTICLE = (
    "The harbour board voted on Monday to close the old ferry terminal by March, its chair, "
    "Mona Reyes, said after the meeting.\n\nThe terminal has lost money for six years, "
    "according to the board's annual report. Ferry services will move to the north pier."
)


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def prepared(tmp_path: Path) -> Path:
    seed = SEED.read_text(encoding="utf-8")
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "seed", "text": seed, "title": "Prisoner swap"},
            {"id": "empty", "text": "   "},
            {"id": "harbour", "text": OWN_ARTICLE},
        ],
    )
    requests = tmp_path / "requests.jsonl"
    report = prepare(source, requests, model=RECORDED_MODEL, settings=Settings())
    assert (report.written, report.failed) == (2, 1)
    return requests


def test_prepare_writes_the_request_summarize_sends_first(prepared: Path) -> None:
    lines = read_jsonl(prepared)
    assert [line["custom_id"] for line in lines] == ["seed", "harbour"]
    seed = SEED.read_text(encoding="utf-8")
    first = lines[0]
    assert (first["method"], first["url"]) == ("POST", URL)
    body = first["body"]
    assert body["model"] == RECORDED_MODEL
    assert body["messages"] == extract_messages(clean(seed).text, "Prisoner swap")
    assert body["tools"][0]["function"]["name"] == "Extraction"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Extraction"}}
    assert body["max_tokens"] == Settings().max_tokens
    articles = read_jsonl(articles_path(prepared))
    assert [a["custom_id"] for a in articles] == ["seed", "empty", "harbour"]
    assert articles[0]["article"]["text"] == seed
    assert articles[1]["error"]["type"] == "InputError"


def test_an_article_longer_than_one_request_is_refused_with_the_way_out(tmp_path: Path) -> None:
    long_text = "\n\n".join(
        f"Paragraph {n}: the council debated item {n} at length." for n in range(3000)
    )
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "long", "text": long_text}])
    report = prepare(source, tmp_path / "r.jsonl", settings=Settings(context_tokens=8192))
    assert (report.written, report.failed) == (0, 1)
    (entry,) = read_jsonl(articles_path(tmp_path / "r.jsonl"))
    assert "summarizer batch" in entry["error"]["message"]


def _output(custom_id: str, body: Any, status: int = 200) -> dict[str, Any]:
    """A SCRIPTED Batch API output line."""
    return {
        "id": f"batch_req_{custom_id}",
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": "scripted", "body": body},
        "error": None,
    }


def test_collect_verifies_each_answer_and_accounts_for_every_article(
    prepared: Path, tmp_path: Path
) -> None:
    good = tool_reply("Extraction", one_claim(SEED_SENTENCE)).body
    results = write_jsonl(
        tmp_path / "results.jsonl",
        [
            # Engines keep no order: the harbour answer comes first.
            _output("harbour", {"error": {"message": "scripted: overloaded"}}, status=500),
            _output("seed", good),
        ],
    )
    out = tmp_path / "summaries.jsonl"
    report = collect(prepared, results, out, settings=Settings())
    assert (report.written, report.failed) == (1, 2)
    seed_line, empty_line, harbour_line = read_jsonl(out)
    assert [seed_line["id"], empty_line["id"], harbour_line["id"]] == ["seed", "empty", "harbour"]
    result = ArticleSummary.model_validate(seed_line["result"])
    assert_verified(result)
    (claim,) = result.claims
    assert claim.evidence.quote == SEED_SENTENCE
    assert result.meta.backend == "batch" and result.meta.calls == 1
    assert result.meta.usage.total_tokens == 150
    assert empty_line["error"]["type"] == "InputError"
    assert harbour_line["error"]["type"] == "ProviderError"
    assert "500" in harbour_line["error"]["message"]
    assert "overloaded" in harbour_line["error"]["message"]


@pytest.mark.parametrize(
    ("body", "error_type", "says"),
    [
        (tool_reply("Extraction", "{not json").body, "RetriesExhaustedError", "cannot re-ask"),
        (tool_reply("Other", one_claim()).body, "RetriesExhaustedError", "no Extraction"),
        (
            tool_reply("Extraction", one_claim(), finish_reason="length").body,
            "OutputTruncatedError",
            "token limit",
        ),
        ({"unexpected": True}, "ProviderError", "not a chat completion"),
    ],
    ids=["invalid arguments", "wrong tool", "cut off", "not a completion"],
)
def test_a_bad_answer_is_an_error_line(
    prepared: Path, tmp_path: Path, body: Any, error_type: str, says: str
) -> None:
    results = write_jsonl(tmp_path / "results.jsonl", [_output("seed", body)])
    out = tmp_path / "summaries.jsonl"
    collect(prepared, results, out, settings=Settings())
    seed_line = read_jsonl(out)[0]
    assert seed_line["error"]["type"] == error_type
    assert says in seed_line["error"]["message"]
    harbour_line = read_jsonl(out)[2]
    assert "no result" in harbour_line["error"]["message"]


def test_collect_refuses_files_that_are_not_batch_output(prepared: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text("hello\n", encoding="utf-8")
    out = tmp_path / "summaries.jsonl"
    assert main(["batch", "collect", str(prepared), str(notes), "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["batch", "collect", str(prepared), str(tmp_path / "missing.jsonl")]) == 2


def test_collect_refuses_requests_prepared_with_other_prompts(
    prepared: Path, tmp_path: Path
) -> None:
    articles = articles_path(prepared)
    entries = read_jsonl(articles)
    entries[0]["prompt_version"] = "sha256:000000000000"
    write_jsonl(articles, entries)
    good = tool_reply("Extraction", one_claim(SEED_SENTENCE)).body
    results = write_jsonl(tmp_path / "results.jsonl", [_output("seed", good)])
    out = tmp_path / "summaries.jsonl"
    collect(prepared, results, out, settings=Settings())
    assert "prepared with prompts sha256:000000000000" in read_jsonl(out)[0]["error"]["message"]


@pytest.mark.vcr
@pytest.mark.default_cassette("batch_round_trip")
def test_round_trip_through_the_embedded_backend(
    prepared: Path, tmp_path: Path, recorded_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.jsonl"
    report = execute(prepared, results, base_url=recorded_settings.base_url)
    assert (report.written, report.failed) == (2, 0)
    outputs = read_jsonl(results)
    assert [o["custom_id"] for o in outputs] == ["seed", "harbour"]
    assert all(o["response"]["status_code"] == 200 for o in outputs)

    out = tmp_path / "summaries.jsonl"
    status = main(["batch", "collect", str(prepared), str(results), "--out", str(out)])
    assert status == 1  # the empty article is an error line
    lines = read_jsonl(out)
    assert [line["id"] for line in lines] == ["seed", "empty", "harbour"]
    for line, output in zip((lines[0], lines[2]), outputs, strict=True):
        if "error" in line:  # the small model's reply may fail the schema; then it says so
            assert line["error"]["type"] in {"RetriesExhaustedError", "OutputTruncatedError"}
            continue
        result = ArticleSummary.model_validate(line["result"])
        assert_verified(result)
        usage = output["response"]["body"]["usage"]
        assert result.meta.usage.total_tokens == usage["total_tokens"]
        proposed = json.loads(
            output["response"]["body"]["choices"][0]["message"]["tool_calls"][0]["function"][
                "arguments"
            ],
            strict=False,
        )["claims"]
        rejected = [r for r in result.rejected if r.kind == "claim"]
        assert len(result.claims) + len(rejected) == len(proposed)
    assert "verified" in capsys.readouterr().err


def test_prepare_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": "harbour", "text": OWN_ARTICLE}])
    requests = tmp_path / "requests.jsonl"
    assert main(["batch", "prepare", str(source), "--out", str(requests), "--model", "m"]) == 0
    (line,) = read_jsonl(requests)
    assert line["custom_id"] == "harbour" and line["body"]["model"] == "m"
    assert "1 requests" in capsys.readouterr().err
    assert main(["batch", "prepare", str(tmp_path / "missing.jsonl"), "--out", "x.jsonl"]) == 2
    assert "Cannot read" in capsys.readouterr().err
    twice = write_jsonl(tmp_path / "twice.jsonl", [{"id": "a", "text": OWN_ARTICLE}] * 2)
    out = tmp_path / "r2.jsonl"
    assert main(["batch", "prepare", str(twice), "--out", str(out)]) == 2
    assert not out.exists() and not articles_path(out).exists(), "nothing half-written"
