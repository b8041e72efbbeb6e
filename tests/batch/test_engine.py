"""Batch engines: requests in the OpenAI Batch API format, and the engine's output verified as
``summarize`` verifies a reply.

The round trip is RECORDED: the requests were answered by the embedded llama.cpp backend
through :func:`summarizer.batch.engine.execute` (cassettes/batch_round_trip.yaml). The engine
output lines for failure paths are SCRIPTED and say so.

Record again with: pytest tests/batch/test_engine.py --record-mode=rewrite
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import RECORDED_MODEL, SEED
from invariants import assert_verified
from scripted import SEED_SENTENCE, ScriptedServer, one_claim, point, tool_reply

from summarizer import ArticleSummary, InputError, Settings
from summarizer.batch.engine import URL, articles_path, collect, execute, prepare
from summarizer.cli.commands import main
from summarizer.pipeline.requests import opening_request
from summarizer.result import Article
from summarizer.text.cleaning import clean

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
    opening = opening_request(Article(text=seed, title="Prisoner swap"), clean(seed), Settings())
    assert body["messages"] == opening.messages
    shown = json.loads(opening.schema or "")
    assert body["tools"][0]["function"]["parameters"]["properties"] == shown["properties"]
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


def _answer(prepared: Path, custom_id: str, arguments: dict[str, Any]) -> Any:
    """A SCRIPTED engine answer to the prepared request ``custom_id``, pointing at the
    sentences of that request (see scripted.point)."""
    (line,) = [r for r in read_jsonl(prepared) if r["custom_id"] == custom_id]
    return point(tool_reply("Extraction", arguments), line["body"]).body


def test_collect_verifies_each_answer_and_accounts_for_every_article(
    prepared: Path, tmp_path: Path
) -> None:
    good = _answer(prepared, "seed", one_claim(SEED_SENTENCE))
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
    good = _answer(prepared, "seed", one_claim(SEED_SENTENCE))
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


# Malformed files: a typed error that names the file and the line, and nothing written.

_REQUEST = {
    "custom_id": "a",
    "method": "POST",
    "url": URL,
    "body": {"model": "m", "messages": [{"role": "user", "content": "Hello."}]},
}

_BAD_REQUESTS = {
    "not json": ('{"custom_id": "b", "body": ', "line 2 is not JSON (Expecting value at column"),
    "a list": ("[1, 2]", "line 2 is a list, not a JSON object"),
    "no custom_id": (json.dumps({"body": _REQUEST["body"]}), "line 2: 'custom_id' is missing"),
    "numeric custom_id": (json.dumps(_REQUEST | {"custom_id": 7}), "'custom_id' is a number"),
    "no body": (json.dumps({"custom_id": "b"}), "line 2: 'body' is missing"),
    "body not an object": (json.dumps({"custom_id": "b", "body": "hi"}), "'body' is text"),
    "no messages": (
        json.dumps({"custom_id": "b", "body": {"model": "m"}}),
        "line 2: the body needs 'model' (text) and 'messages' (a list)",
    ),
    "other endpoint": (
        json.dumps(_REQUEST | {"custom_id": "b", "url": "/v1/embeddings"}),
        "line 2 asks for POST /v1/embeddings",
    ),
    "same id twice": (json.dumps(_REQUEST), "line 2: custom_id 'a' is also on line 1"),
}


@pytest.mark.parametrize(("line", "says"), _BAD_REQUESTS.values(), ids=_BAD_REQUESTS.keys())
def test_execute_refuses_a_malformed_requests_file_before_sending(
    tmp_path: Path, line: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps(_REQUEST) + "\n" + line + "\n", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    with ScriptedServer([]) as server:
        with pytest.raises(InputError) as raised:
            execute(requests, results, base_url=server.base_url, settings=Settings())
        assert str(raised.value).startswith(f"{requests} line 2")
        assert says in str(raised.value)
        status = main(
            ["batch", "execute", str(requests), str(results), "--base-url", server.base_url]
        )
    assert server.paths == [], "nothing was sent"
    assert status == 2 and says in capsys.readouterr().err
    assert not results.exists(), "nothing half-written"


@pytest.mark.parametrize("content", ["", "\n  \n"], ids=["empty", "blank lines"])
def test_execute_refuses_an_empty_requests_file(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = tmp_path / "requests.jsonl"
    requests.write_text(content, encoding="utf-8")
    results = tmp_path / "results.jsonl"
    with pytest.raises(InputError, match="holds no requests"):
        execute(requests, results, base_url="http://127.0.0.1:1/v1", settings=Settings())
    assert main(["batch", "execute", str(requests), str(results)]) == 2
    assert "holds no requests" in capsys.readouterr().err
    assert not results.exists()


def test_execute_sends_fields_the_openai_client_does_not_name(tmp_path: Path) -> None:
    request = _REQUEST | {"body": _REQUEST["body"] | {"seed": 3, "top_k": 20}}
    requests = write_jsonl(tmp_path / "requests.jsonl", [request])
    results = tmp_path / "results.jsonl"
    answer = tool_reply("Extraction", one_claim())
    with ScriptedServer([answer]) as server:
        report = execute(requests, results, base_url=server.base_url, settings=Settings())
    assert (report.written, report.failed) == (1, 0)
    (sent,) = server.requests
    assert (sent["seed"], sent["top_k"]) == (3, 20)
    (output,) = read_jsonl(results)
    assert output["custom_id"] == "a" and output["response"]["status_code"] == 200


def _good(custom_id: str = "seed") -> str:
    return json.dumps(_output(custom_id, tool_reply("Extraction", one_claim(SEED_SENTENCE)).body))


_BAD_RESULTS = {
    "not json": ("{'custom_id': 'harbour'}", "line 2 is not JSON (Expecting property name"),
    "a list": ('["harbour"]', "line 2 is a list, not a JSON object"),
    "no custom_id": (
        json.dumps({"response": {"status_code": 200, "body": {}}}),
        "line 2: 'custom_id' is missing",
    ),
    "no response": (
        json.dumps({"custom_id": "harbour"}),
        "line 2 has neither a 'response' nor an 'error'",
    ),
    "response not an object": (
        json.dumps({"custom_id": "harbour", "response": "ok"}),
        "line 2: 'response' must be an object with an integer 'status_code'",
    ),
    "status as text": (
        json.dumps({"custom_id": "harbour", "response": {"status_code": "200", "body": {}}}),
        "line 2: 'response' must be an object with an integer 'status_code'",
    ),
    "same id twice": (_good(), "line 2: custom_id 'seed' is also on line 1"),
    "id not prepared": (_good("elsewhere"), "line 2: custom_id 'elsewhere' is not an article"),
}


@pytest.mark.parametrize(("line", "says"), _BAD_RESULTS.values(), ids=_BAD_RESULTS.keys())
def test_collect_refuses_a_malformed_output_file(
    prepared: Path, tmp_path: Path, line: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text(_good() + "\n" + line + "\n", encoding="utf-8")
    out = tmp_path / "summaries.jsonl"
    with pytest.raises(InputError) as raised:
        collect(prepared, results, out, settings=Settings())
    assert str(raised.value).startswith(f"{results} line 2") and says in str(raised.value)
    assert main(["batch", "collect", str(prepared), str(results), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not out.exists(), "nothing half-written"


def test_collect_refuses_an_empty_output_file(
    prepared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("", encoding="utf-8")
    out = tmp_path / "summaries.jsonl"
    with pytest.raises(InputError, match="holds no results; 2 request\\(s\\) were prepared"):
        collect(prepared, results, out, settings=Settings())
    assert main(["batch", "collect", str(prepared), str(results), "--out", str(out)]) == 2
    assert "holds no results" in capsys.readouterr().err
    assert not out.exists()


_BAD_ARTICLES = {
    "not json": ("seed", "line 1 is not JSON"),
    "no custom_id": ({"article": {"text": "x"}}, "line 1: 'custom_id' is missing"),
    "no article": ({"custom_id": "seed"}, "line 1: 'article' is not an article"),
    "article not valid": (
        {"custom_id": "seed", "article": {"text": "x", "colour": "red"}},
        "line 1: 'article' is not an article",
    ),
    "error without type": (
        {"custom_id": "seed", "error": "boom"},
        "line 1: 'error' must be an object with 'type' and 'message'",
    ),
}


@pytest.mark.parametrize(("first", "says"), _BAD_ARTICLES.values(), ids=_BAD_ARTICLES.keys())
def test_collect_refuses_a_malformed_articles_file(
    prepared: Path, tmp_path: Path, first: Any, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = articles_path(prepared)
    lines = articles.read_text(encoding="utf-8").splitlines()
    lines[0] = first if isinstance(first, str) else json.dumps(first)
    articles.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    results.write_text(_good() + "\n", encoding="utf-8")
    out = tmp_path / "summaries.jsonl"
    with pytest.raises(InputError) as raised:
        collect(prepared, results, out, settings=Settings())
    assert str(raised.value).startswith(f"{articles} line 1") and says in str(raised.value)
    assert main(["batch", "collect", str(prepared), str(results), "--out", str(out)]) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


def test_collect_refuses_an_empty_articles_file(prepared: Path, tmp_path: Path) -> None:
    articles_path(prepared).write_text("", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    results.write_text(_good() + "\n", encoding="utf-8")
    out = tmp_path / "summaries.jsonl"
    with pytest.raises(InputError, match="holds no articles"):
        collect(prepared, results, out, settings=Settings())
    assert not out.exists()
