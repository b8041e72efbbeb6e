"""Many articles at once: order, failures as records, concurrency, rate limits, progress, and
JSON-lines runs that resume after a kill without losing or repeating a line.

Answers are SCRIPTED: the server reads the article out of each request and proposes its first
sentence as the one claim, so concurrent requests can be answered in any order.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scripted import Scripted, ScriptedServer, error_reply, fast_settings, one_claim, tool_reply

from summarizer import (
    Article,
    ArticleSummary,
    BatchFailure,
    ConfigError,
    InputError,
    asummarize_many,
    run_jsonl,
    summarize_many,
)
from summarizer.llm.throttle import Throttle

ROOT = Path(__file__).resolve().parents[2]


def article(n: int) -> str:
    return (
        f"Council {n} approved a budget of {n} million dollars on Tuesday after a long debate. "
        f"The mayor of town {n} said the money would repair roads and schools before winter."
    )


def first_sentence(payload: dict[str, Any]) -> str:
    user = payload["messages"][-1]["content"]
    text = user.split("<article>\n", 1)[1].split("\n</article>", 1)[0]
    return text.split("\n", 1)[0].split("] ", 1)[1]


def answering(delay_s: float = 0.0, fail_if: str | None = None) -> Any:
    """Answer each request with its article's first sentence as the claim; a 400 for articles
    that contain ``fail_if``."""

    def respond(payload: dict[str, Any]) -> Scripted:
        if fail_if and fail_if in payload["messages"][-1]["content"]:
            return error_reply(400, "scripted: this article is refused")
        reply = tool_reply("Extraction", one_claim(first_sentence(payload)))
        reply.delay_s = delay_s
        return reply

    return respond


def test_results_come_back_in_input_order_with_failures_as_records() -> None:
    texts = [article(n) for n in range(1, 9)]
    texts[2] = ""  # refused before any request
    texts[5] = article(6).replace("Council", "Refused council")
    with ScriptedServer(respond=answering(0.02, fail_if="Refused")) as server:
        results = summarize_many(
            texts, concurrency=4, settings=fast_settings(server), progress=False
        )
    assert len(results) == 8
    for n, (text, result) in enumerate(zip(texts, results, strict=True)):
        if n in (2, 5):
            assert isinstance(result, BatchFailure) and result.index == n
            assert result.id == f"line-{n + 1}"
            continue
        assert isinstance(result, ArticleSummary)
        assert result.article.text == text
        (claim,) = result.claims
        assert claim.evidence.quote == text.split(". ")[0] + "."
    assert results[2].error_type == "InputError"  # type: ignore[union-attr]
    assert results[5].error_type == "ProviderError"  # type: ignore[union-attr]
    assert "400" in results[5].message  # type: ignore[union-attr]
    assert len(server.requests) == 7


def test_records_keep_their_ids_and_metadata() -> None:
    records = [
        {"id": "a", "text": article(1), "title": "Budget one", "url": "https://example.com/1"},
        {"id": "b", "html": f"<html><body><article><p>{article(2)}</p></article></body></html>"},
        {"id": "c"},
        Article(text=article(3), title="Budget three"),
    ]
    with ScriptedServer(respond=answering()) as server:
        a, b, c, d = summarize_many(records, settings=fast_settings(server), progress=False)
    assert isinstance(a, ArticleSummary) and a.article.title == "Budget one"
    assert a.article.url == "https://example.com/1"
    assert isinstance(b, ArticleSummary) and b.meta.input_format == "html"
    assert isinstance(c, BatchFailure) and c.id == "c" and "no article" in c.message
    assert isinstance(d, ArticleSummary) and d.article.title == "Budget three"


def test_concurrency_is_the_limit_of_requests_in_flight() -> None:
    with ScriptedServer(respond=answering(0.15)) as server:
        results = summarize_many(
            [article(n) for n in range(12)],
            concurrency=4,
            settings=fast_settings(server),
            progress=False,
        )
    assert all(isinstance(r, ArticleSummary) for r in results)
    assert server.in_flight_max == 4


def test_a_rate_limit_pauses_the_whole_batch_instead_of_failing_articles() -> None:
    limited: list[float] = []

    def respond(payload: dict[str, Any]) -> Scripted:
        if not limited:
            limited.append(time.monotonic())
            return error_reply(429, "scripted: slow down", {"retry-after": "0.4"})
        reply = tool_reply("Extraction", one_claim(first_sentence(payload)))
        reply.delay_s = 0.05
        return reply

    with ScriptedServer(respond=respond) as server:
        results = summarize_many(
            [article(n) for n in range(10)],
            concurrency=4,
            settings=fast_settings(server, backoff_max_s=1.0),
            progress=False,
        )
    assert all(isinstance(r, ArticleSummary) for r in results)
    # Requests already sent when the 429 came back may finish; no new one may start until the
    # pause the server asked for is over.
    started_after = [t - limited[0] for t in server.arrivals if t > limited[0] + 0.01]
    assert started_after, "the batch went on after the pause"
    early = [t for t in started_after if t < 0.35]
    assert len(early) <= 3, f"requests started during the pause: {early}"
    assert len(server.requests) == 11


@pytest.mark.asyncio
async def test_throttle_halves_and_recovers() -> None:
    throttle = Throttle(8)
    await throttle.rate_limited(0.0)
    assert throttle.allowed == 4
    await throttle.rate_limited(0.0)
    assert throttle.allowed == 2
    for _ in range(10):
        await throttle.succeeded()
    assert throttle.allowed == 8


@pytest.mark.asyncio
async def test_the_async_form_and_a_running_event_loop() -> None:
    with ScriptedServer(respond=answering()) as server:
        settings = fast_settings(server)
        from_async = await asummarize_many([article(1), article(2)], settings=settings)
        # The sync form inside a running loop (a notebook) runs the batch on a thread.
        from_sync = summarize_many([article(3)], settings=settings, progress=False)
    assert [type(r) for r in from_async + from_sync] == [ArticleSummary] * 3


def test_progress_bar_counts_done_failed_and_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    with ScriptedServer(respond=answering()) as server:
        summarize_many([article(1), "", article(2)], settings=fast_settings(server), progress=True)
    err = capsys.readouterr().err
    assert "summarizing" in err and "3/3" in err
    assert "1 failed" in err and "300 tokens" in err


def test_concurrency_below_one_is_a_config_error() -> None:
    from summarizer import ConfigError

    with pytest.raises(ConfigError, match="concurrency"):
        summarize_many([article(1)], concurrency=0, base_url="http://127.0.0.1:9/v1", model="m")


# --- JSON-lines runs -------------------------------------------------------------------------


def write_input(path: Path, n: int) -> list[str]:
    ids = [f"story-{i}" for i in range(n)]
    path.write_text(
        "".join(json.dumps({"id": i, "text": article(k)}) + "\n" for k, i in enumerate(ids)),
        encoding="utf-8",
    )
    return ids


def read_out(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_run_writes_every_article_once_and_a_rerun_skips_them(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_input(source, 6)
    with ScriptedServer(respond=answering()) as server:
        report = asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
        assert (report.done, report.failed, report.skipped) == (6, 0, 0)
        again = asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
    assert (again.done, again.skipped) == (0, 6)
    assert len(server.requests) == 6
    lines = read_out(out)
    assert sorted(line["id"] for line in lines) == sorted(ids)
    for line in lines:
        result = ArticleSummary.model_validate(line["result"])
        assert result.claims[0].evidence.quote in result.article.text


def test_a_half_written_last_line_is_dropped_and_redone(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_input(source, 4)
    with ScriptedServer(respond=answering()) as server:
        asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
        data = out.read_bytes()
        out.write_bytes(data[: len(data) - 40])  # the last line cut short, as by a kill
        report = asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
    assert (report.done, report.skipped) == (1, 3)
    assert sorted(line["id"] for line in read_out(out)) == sorted(ids)


def test_bad_lines_fail_alone_and_retry_failed_redoes_them(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(
        json.dumps({"id": "good", "text": article(1)})
        + "\n{not json\n"
        + json.dumps({"id": "refused", "text": "Refused " + article(2)})
        + "\n",
        encoding="utf-8",
    )
    with ScriptedServer(respond=answering(fail_if="Refused")) as server:
        first = asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
        assert (first.done, first.failed) == (1, 2)
        errors = {line["id"]: line["error"] for line in read_out(out) if "error" in line}
        assert errors["line-2"]["type"] == "InputError"
        assert "not JSON" in errors["line-2"]["message"]
        assert errors["refused"]["type"] == "ProviderError"
        server.respond = answering()  # the endpoint has recovered
        source.write_text(source.read_text().replace("{not json", json.dumps({"text": article(3)})))
        retried = asyncio.run(
            run_jsonl(source, out, settings=fast_settings(server), retry_failed=True)
        )
    assert (retried.done, retried.failed, retried.skipped) == (2, 0, 1)
    lines = read_out(out)
    assert sorted(line["id"] for line in lines) == ["good", "line-2", "refused"]
    assert all("result" in line for line in lines)


def test_duplicate_ids_are_refused_before_any_request(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": "same", "text": article(n)}) + "\n" for n in range(2)),
        encoding="utf-8",
    )
    with ScriptedServer(respond=answering()) as server:
        with pytest.raises(InputError, match="occurs twice"):
            asyncio.run(run_jsonl(source, tmp_path / "out.jsonl", settings=fast_settings(server)))
    assert server.requests == [] and not (tmp_path / "out.jsonl").exists()


def test_an_output_file_of_something_else_is_refused(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 1)
    out.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(InputError, match="summarizer batch run.*not a record with 'id'"):
        asyncio.run(run_jsonl(source, out, base_url="http://127.0.0.1:9/v1", model="m"))
    assert out.read_text() == "my notes\n"


@pytest.mark.parametrize(
    "flags", [["--concurrency", "2"], ["--processes", "2"]], ids=["one process", "two processes"]
)
def test_a_run_killed_with_sigkill_resumes_without_losing_or_repeating_a_line(
    tmp_path: Path, flags: list[str]
) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_input(source, 40)
    with ScriptedServer(respond=answering(0.1)) as server:
        env = os.environ | {
            "SUMMARIZER_BASE_URL": server.base_url,
            "SUMMARIZER_MODEL": "scripted",
            "SUMMARIZER_TIMEOUT_S": "10",
        }
        command = [sys.executable, "-m", "summarizer", "batch", str(source), "--out", str(out)]
        child = subprocess.Popen([*command, *flags], env=env, cwd=tmp_path)
        deadline = time.monotonic() + 120  # worker processes start in fresh interpreters
        while time.monotonic() < deadline:
            if out.exists() and out.read_bytes().count(b"\n") >= 6:
                break
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
        child.wait()
        time.sleep(1.0)  # a worker left behind ends its call, sees its parent gone and stops
        halfway = read_out(out)
        assert 6 <= len(halfway) < 40, "the run was not stopped halfway"
        finished = subprocess.run(
            [*command, *flags], env=env, cwd=tmp_path, capture_output=True, text=True
        )
    assert finished.returncode == 0, finished.stderr
    assert re.search(rf"(\d+) summarized, 0 failed, {len(halfway)} already in", finished.stderr)
    lines = read_out(out)
    assert sorted(line["id"] for line in lines) == sorted(ids)
    assert lines[: len(halfway)] == halfway
    assert not (tmp_path / "out.jsonl.lock").exists()


def test_two_runs_never_write_one_file_at_once(tmp_path: Path) -> None:
    from summarizer.files import exclusive

    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_input(source, 2)
    with ScriptedServer(respond=answering()) as server:
        with exclusive(out):  # as another run would hold it
            with pytest.raises(InputError, match="Another run is writing"):
                asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
        assert server.requests == []
        report = asyncio.run(run_jsonl(source, out, settings=fast_settings(server)))
    assert report.done == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


# --- JSON-lines runs in several processes ----------------------------------------------------


def test_processes_share_a_file_each_article_once_and_a_rerun_skips_them(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    ids = write_input(source, 10)
    with out.open("a", encoding="utf-8") as f:  # one article done by an earlier run
        f.write(json.dumps({"id": ids[3], "error": {"type": "X", "message": "earlier"}}) + "\n")
    with ScriptedServer(respond=answering(0.05)) as server:
        settings = fast_settings(server)
        report = asyncio.run(run_jsonl(source, out, settings=settings, processes=2))
        assert (report.done, report.failed, report.skipped) == (9, 0, 1)
        assert report.total_tokens > 0
        assert len(server.requests) == 9
        again = asyncio.run(run_jsonl(source, out, settings=settings, processes=2))
    assert (again.done, again.failed, again.skipped) == (0, 0, 10)
    assert len(server.requests) == 9
    lines = read_out(out)  # every line whole: the workers' appends never interleave
    assert sorted(line["id"] for line in lines) == sorted(ids)
    for line in lines[1:]:
        result = ArticleSummary.model_validate(line["result"])
        assert result.claims[0].evidence.quote in result.article.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_in_processes_bad_lines_fail_alone(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(
        json.dumps({"id": "good", "text": article(1)})
        + "\n{not json\n"
        + json.dumps({"id": "refused", "text": "Refused " + article(2)})
        + "\n"
        + json.dumps({"id": "also-good", "text": article(3)})
        + "\n",
        encoding="utf-8",
    )
    with ScriptedServer(respond=answering(fail_if="Refused")) as server:
        report = asyncio.run(run_jsonl(source, out, settings=fast_settings(server), processes=3))
    assert (report.done, report.failed) == (2, 2)
    kinds = {line["id"]: line["error"]["type"] for line in read_out(out) if "error" in line}
    assert kinds == {"line-2": "InputError", "refused": "ProviderError"}


@pytest.mark.parametrize("processes", [0, -1])
def test_processes_below_one_is_a_config_error(tmp_path: Path, processes: int) -> None:
    source = tmp_path / "in.jsonl"
    write_input(source, 2)
    with pytest.raises(ConfigError, match="processes must be at least 1"):
        asyncio.run(run_jsonl(source, tmp_path / "out.jsonl", processes=processes))
    assert not (tmp_path / "out.jsonl").exists()


def test_processes_cannot_share_a_client_object(tmp_path: Path) -> None:
    import openai

    source = tmp_path / "in.jsonl"
    write_input(source, 2)
    client = openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="unused")
    with pytest.raises(ConfigError, match="cannot share a client"):
        asyncio.run(run_jsonl(source, tmp_path / "out.jsonl", client=client, processes=2))
    assert not (tmp_path / "out.jsonl").exists()
