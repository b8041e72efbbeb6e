"""The judge (summarizer.pipeline.judge): SCRIPTED responses, not recordings. A real HTTP
server on 127.0.0.1 (tests/scripted.py) answers the first request with claims on the seed
article and the judge's request with verdicts chosen here, by claim, to drive one path each:
a claim judged not stated, an unknown claim id, a missing verdict, a verdict outside the enum,
a reply that ignores the schema, and a judge call that fails at transport. A recording of the
real model judging the seed article is replayed by tests/test_judge_recorded.py.

Every path keeps the verified claims the judge did not rule against: a claim with no readable
verdict stands on the text checks, and ``meta.warnings`` says the judge did not rule on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED
from invariants import assert_verified
from scripted import (
    SEED_SENTENCE,
    Scripted,
    ScriptedServer,
    claim,
    error_reply,
    fast_settings,
    tool_reply,
)

from summarizer import ArticleSummary, ConfigError, Settings, asummarize, summarize
from summarizer.batch.engine import collect, prepare
from summarizer.cli.commands import main
from summarizer.pipeline.judge import (
    KEEP_VERDICTS,
    NO_VERDICT,
    VERDICTS,
    batches,
    judge_claims,
    judge_wanted,
    keeps,
)

ARTICLE = SEED.read_text(encoding="utf-8")

# Claims that copy their cited seed sentence word for word (the text checks keep them).
DEFENSES = "Amid these diplomatic maneuvers, Ukraine continues to bolster its defenses."
STRIKES = (
    "These strikes, which included 176 drones and one missile, align with Moscow's broader "
    "strategy to cripple Ukraine's power grid as winter approaches."
)
CLAIMS = [
    claim(DEFENSES, id="c1"),
    claim("176 drones and one missile", id="c2", text=STRIKES),
    claim(SEED_SENTENCE, id="c3"),
]
SUMMARY = "Ukraine continues to bolster its defenses."
EXTRACTION = {
    "claims": CLAIMS,
    "headline": "",
    "summary": [{"text": SUMMARY, "claim_ids": ["c1"]}],
    "key_points": [{"text": "Russia has yet to publicly comment.", "claim_ids": ["c3"]}],
}
JUDGE_PROMPT_TOKENS, JUDGE_COMPLETION_TOKENS = 400, 30

# A policy answers the judge: given the (id, claim, evidence) items it was asked about, the
# verdict items of its reply (or a whole Scripted answer).
Policy = Callable[[list[tuple[str, str, str]]], "list[dict[str, Any]] | Scripted"]


def judged_items(payload: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The (id, claim, evidence) items a judge request lists, in order."""
    user = payload["messages"][-1]["content"]
    listed = re.findall(r"^\[(\w+)\] Evidence: (.*)\nClaim: (.*)$", user, flags=re.MULTILINE)
    return [(claim_id, text, evidence) for claim_id, evidence, text in listed]


def tool(payload: dict[str, Any]) -> str:
    name: str = payload["tool_choice"]["function"]["name"]
    return name


def serve_judge(policy: Policy, log: list[dict[str, Any]]) -> ScriptedServer:
    """A server answering the extraction with EXTRACTION and the judge by ``policy``."""

    def respond(payload: dict[str, Any]) -> Scripted:
        log.append(payload)
        if tool(payload) == "Extraction":
            return tool_reply("Extraction", EXTRACTION, prompt_tokens=1000, completion_tokens=300)
        assert tool(payload) == "ClaimVerdicts", tool(payload)
        answer = policy(judged_items(payload))
        if isinstance(answer, Scripted):
            return answer
        return tool_reply(
            "ClaimVerdicts",
            {"verdicts": answer},
            prompt_tokens=JUDGE_PROMPT_TOKENS,
            completion_tokens=JUDGE_COMPLETION_TOKENS,
        )

    return ScriptedServer(respond=respond)


def run(policy: Policy, **overrides: Any) -> tuple[ArticleSummary, list[dict[str, Any]]]:
    log: list[dict[str, Any]] = []
    with serve_judge(policy, log) as server:
        settings = fast_settings(server, **({"judge": "on"} | overrides))
        result = summarize(ARTICLE, settings=settings)
    assert_verified(result)
    return result, log


def rule(verdict_of: Callable[[str], str | None]) -> Policy:
    """A policy giving each claim (by its text) the verdict ``verdict_of`` says, none for None."""

    def policy(items: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
        return [
            {"id": i, "verdict": v} for i, text, _ in items if (v := verdict_of(text)) is not None
        ]

    return policy


def all_yes(items: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    return [{"id": i, "verdict": "yes"} for i, _, _ in items]


def kept_texts(result: ArticleSummary) -> set[str]:
    return {c.text for c in result.claims}


def judge_calls(result: ArticleSummary) -> int:
    return sum(c.purpose == "judge" for c in result.meta.call_log)


# --- The request, and a claim judged not stated ----------------------------------------------


def test_the_judge_request_lists_each_kept_claim_with_its_evidence_sentences() -> None:
    result, log = run(all_yes)
    assert [tool(p) for p in log] == ["Extraction", "ClaimVerdicts"]
    judge = log[1]
    items = judged_items(judge)
    assert {text for _, text, _ in items} == kept_texts(result)
    for claim_id, text, evidence in items:
        kept = next(c for c in result.claims if c.id == claim_id)
        assert kept.text == text
        assert " ".join(kept.evidence.quote.split()) in evidence  # the sentences holding it
        assert evidence in " ".join(ARTICLE.split())
    # The schema names only the claims listed, once each, and only the verdicts of the enum.
    parameters = judge["tools"][0]["function"]["parameters"]
    verdicts = parameters["properties"]["verdicts"]
    ids = [i for i, _, _ in items]
    assert verdicts["items"]["properties"]["id"]["enum"] == ids
    assert verdicts["items"]["properties"]["verdict"]["enum"] == list(VERDICTS)
    assert verdicts["minItems"] == verdicts["maxItems"] == len(ids)
    assert "maxLength" not in json.dumps(parameters)
    # All said yes: nothing changes but the call and its tokens.
    assert len(result.claims) == 3 and not result.meta.warnings
    assert [c.purpose for c in result.meta.call_log] == ["extract", "judge"]
    assert result.meta.usage.prompt_tokens == 1000 + JUDGE_PROMPT_TOKENS
    assert result.meta.usage.completion_tokens == 300 + JUDGE_COMPLETION_TOKENS
    assert result.meta.calls == 2


def test_a_claim_judged_not_stated_is_rejected_and_its_key_point_goes_with_it() -> None:
    result, _ = run(rule(lambda text: "no" if text == SEED_SENTENCE else "yes"))
    assert SEED_SENTENCE not in kept_texts(result)
    assert kept_texts(result) == {DEFENSES, STRIKES}
    [rejection] = [r for r in result.rejected if r.kind == "claim"]
    assert rejection.text == SEED_SENTENCE
    assert re.fullmatch(r"the judge found the claim not stated by S\d+", rejection.reason)
    assert rejection.proposed["evidence"]["quote"] == SEED_SENTENCE
    # The key point rested on that claim alone, and no kept claim backs it.
    assert not result.key_points
    assert any(r.kind == "key_point" for r in result.rejected)
    assert [s.text for s in result.summary_sentences] == [SUMMARY]
    assert not result.meta.warnings


def test_the_judge_is_asked_before_a_long_articles_summary_is_written() -> None:
    """Read in parts, the claims of all parts are judged once, before the summary request,
    which lists only the claims the judge kept."""
    log: list[dict[str, Any]] = []

    def respond(payload: dict[str, Any]) -> Scripted:
        log.append(payload)
        name = tool(payload)
        user = payload["messages"][-1]["content"]
        if name == "ChunkExtraction":
            first_id, first = re.findall(r"^\[(S\d+)\] (.*)$", user, flags=re.MULTILINE)[0]
            drafted = {"id": "c1", "sentences": [first_id], "text": first, "source": "unattributed"}
            return tool_reply("ChunkExtraction", {"claims": [drafted]})
        if name == "ClaimVerdicts":
            # The first part's claim is judged not stated, the others stated.
            verdicts = [
                {"id": i, "verdict": "no" if n == 0 else "yes"}
                for n, (i, _, _) in enumerate(judged_items(payload))
            ]
            return tool_reply("ClaimVerdicts", {"verdicts": verdicts})
        assert name == "ClaimSummary", name
        return tool_reply("ClaimSummary", {"headline": "", "summary": [], "key_points": []})

    with ScriptedServer(respond=respond) as server:
        settings = fast_settings(server, judge="on", context_tokens=4200)
        result = summarize(ARTICLE, settings=settings)
    names = [tool(p) for p in log]
    parts = names.count("ChunkExtraction")
    assert parts >= 2
    assert names[parts:] == ["ClaimVerdicts", "ClaimSummary"]
    judged = judged_items(log[parts])
    assert len(judged) >= 2
    rejected_id = judged[0][0]
    assert rejected_id not in {c.id for c in result.claims}
    summary_user = log[-1]["messages"][-1]["content"]
    assert re.findall(r"^(c\d+) \(", summary_user, flags=re.MULTILINE) == [
        c.id for c in result.claims
    ]
    assert [c.purpose for c in result.meta.call_log][-2:] == ["judge", "summarize"]


# --- Replies the judge gets wrong: the claim stands, and a warning says why -------------------


def test_an_unknown_claim_id_is_ignored_and_the_claim_it_displaced_stands() -> None:
    def policy(items: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
        # The last claim's verdict names a claim that was never listed.
        answer = all_yes(items)
        answer[-1] = {"id": "c99", "verdict": "no"}
        return answer

    result, log = run(policy)
    last_id, last_text, _ = judged_items(log[1])[-1]
    assert last_text in kept_texts(result) and len(result.claims) == 3
    assert not [r for r in result.rejected if r.kind == "claim"]
    assert any("'c99'" in w and "not asked" in w for w in result.meta.warnings)
    assert any(
        f"did not rule on claim {last_id}: the reply gave no verdict for it" in w
        for w in result.meta.warnings
    )


def test_a_missing_verdict_leaves_the_claim_on_its_text_checks_with_a_warning() -> None:
    result, _ = run(rule(lambda text: None if text == DEFENSES else "yes"))
    assert DEFENSES in kept_texts(result) and len(result.claims) == 3
    [warning] = result.meta.warnings
    framework_id = next(c.id for c in result.claims if c.text == DEFENSES)
    assert warning == (
        f"the judge did not rule on claim {framework_id}: the reply gave no verdict for it; "
        "it stands on the text checks"
    )


def test_a_verdict_outside_the_enum_is_no_ruling() -> None:
    result, _ = run(rule(lambda text: "maybe" if text == DEFENSES else "no"))
    # The two judged "no" are rejected; the one judged "maybe" stands, with a warning.
    assert kept_texts(result) == {DEFENSES}
    assert len([r for r in result.rejected if r.kind == "claim"]) == 2
    [warning] = result.meta.warnings
    assert "'maybe' is not one of ('yes', 'no')" in warning


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            Scripted(
                {
                    "id": "x",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "scripted",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "All claims are stated."},
                        }
                    ],
                    "usage": {"prompt_tokens": 400, "completion_tokens": 6, "total_tokens": 406},
                }
            ),
            id="plain-text",
        ),
        pytest.param(
            tool_reply("ClaimVerdicts", {"answer": "yes"}, prompt_tokens=400, completion_tokens=6),
            id="wrong-json",
        ),
        pytest.param(
            tool_reply("ClaimVerdicts", "yes, yes and yes", prompt_tokens=400, completion_tokens=6),
            id="not-json",
        ),
    ],
)
def test_a_reply_that_ignores_the_schema_leaves_every_claim_standing(answer: Scripted) -> None:
    result, log = run(lambda items: answer)
    assert len(result.claims) == 3
    assert not [r for r in result.rejected if r.kind == "claim"]
    [warning] = result.meta.warnings
    assert warning.startswith("the judge did not rule on claims c")
    assert warning.endswith("they stand on the text checks")
    # The default re-ask budget leaves no room to send the conversation again: one judge
    # request, whose tokens are counted.
    assert [tool(p) for p in log] == ["Extraction", "ClaimVerdicts"]
    assert [c.purpose for c in result.meta.call_log] == ["extract", "judge"]
    assert result.meta.usage.prompt_tokens == 1400
    assert result.meta.usage.completion_tokens == 306


def test_a_judge_call_that_fails_at_transport_leaves_every_claim_standing() -> None:
    result, log = run(lambda items: error_reply(429, "slow down", {"Retry-After": "0"}))
    assert len(result.claims) == 3
    assert [tool(p) for p in log] == ["Extraction"] + ["ClaimVerdicts"] * 4  # max_attempts
    [warning] = result.meta.warnings
    assert warning.startswith("the judge did not rule on claims ")
    assert "429" in warning or "slow down" in warning
    assert [c.purpose for c in result.meta.call_log] == ["extract", "judge"]
    assert judge_calls(result) == 1
    # The 429s returned no completion: only the extraction's tokens were spent.
    assert result.meta.usage.prompt_tokens == 1000


@pytest.mark.asyncio
async def test_the_async_path_judges_too() -> None:
    log: list[dict[str, Any]] = []
    with serve_judge(rule(lambda text: "no" if text == DEFENSES else "yes"), log) as server:
        result = await asummarize(ARTICLE, settings=fast_settings(server, judge="on"))
    assert DEFENSES not in kept_texts(result) and len(result.claims) == 2
    assert [c.purpose for c in result.meta.call_log] == ["extract", "judge"]


# --- When the judge runs ------------------------------------------------------------------------


def test_judge_off_sends_no_judge_request() -> None:
    result, log = run(all_yes, judge="off")
    assert [tool(p) for p in log] == ["Extraction"]
    assert judge_calls(result) == 0


def test_auto_is_on_for_openai_and_off_for_the_embedded_backend_and_other_servers() -> None:
    auto = Settings(judge="auto")
    assert judge_wanted(auto, "openai")
    assert not judge_wanted(auto, "local")
    assert not judge_wanted(auto, "openai-compatible")
    assert not judge_wanted(auto, "client")
    assert judge_wanted(Settings(judge="on"), "local")
    assert not judge_wanted(Settings(judge="off"), "openai")
    result, log = run(all_yes, judge="auto")  # the scripted server is an OpenAI-compatible one
    assert [tool(p) for p in log] == ["Extraction"]


def test_no_judge_request_when_no_claim_was_kept() -> None:
    def respond(payload: dict[str, Any]) -> Scripted:
        unbacked = claim(SEED_SENTENCE, text="Moscow has agreed to free every captive by May.")
        return tool_reply("Extraction", {"claims": [unbacked], "headline": "", "summary": []})

    with ScriptedServer(respond=respond) as server:
        settings = fast_settings(server, judge="on", max_reask_rounds=0)
        result = summarize(ARTICLE, settings=settings)
    assert not result.claims
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("raw", "mode"),
    [("auto", "auto"), ("on", "on"), ("true", "on"), ("1", "on"), ("off", "off"), ("no", "off")],
)
def test_the_judge_setting_reads_from_the_environment(raw: str, mode: str) -> None:
    assert Settings.resolve(env={"SUMMARIZER_JUDGE": raw}).judge == mode
    assert Settings.resolve(env={}).judge == "auto"
    assert Settings.resolve(env={}, judge=True).judge == "on"
    assert Settings.resolve(env={}, judge=False).judge == "off"


def test_an_unknown_judge_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="judge must be auto, on or off"):
        Settings.resolve(env={"SUMMARIZER_JUDGE": "sometimes"})


def test_keep_verdicts() -> None:
    assert KEEP_VERDICTS == {"yes"} and set(VERDICTS) == {"yes", "no"}
    assert keeps("yes") and keeps(NO_VERDICT) and not keeps("no")


def test_batches_hold_at_most_max_claims_and_fit_the_budget() -> None:
    items = [(f"c{n}", "word " * 20, "evidence " * 40) for n in range(1, 30)]
    runs = list(batches(items, 12, 10_000))
    assert [len(b) for b in runs] == [12, 12, 5]
    assert [i for b in runs for i in b] == items
    small = list(batches(items, 12, 100))  # each item alone is over the budget: one a request
    assert [len(b) for b in small] == [1] * len(items)


# --- judge_claims, for benchmarks ---------------------------------------------------------------


def test_judge_claims_sends_the_pipelines_request_and_returns_verdicts_in_order() -> None:
    items = [
        ("k1", "Kyiv signed a deal to buy French jets.", "Kyiv signed a deal to buy French jets."),
        ("k2", "Kyiv refused to buy French jets.", "Kyiv signed a deal to buy French jets."),
        ("k3", "Paris bought jets.", "Kyiv signed a deal to buy French jets."),
    ]
    reply = {"verdicts": [{"id": "k2", "verdict": "no"}, {"id": "k1", "verdict": "Yes"}]}
    with ScriptedServer([tool_reply("ClaimVerdicts", reply)]) as server:
        verdicts = judge_claims(items, settings=fast_settings(server))
    # Verdicts follow the items' order; k3 got none.
    assert verdicts == ["yes", "no", NO_VERDICT]
    [sent] = server.requests
    assert [(i, c, e) for i, c, e in judged_items(sent)] == items
    assert sent["tools"][0]["function"]["parameters"]["properties"]["verdicts"]["items"][
        "properties"
    ]["id"]["enum"] == ["k1", "k2", "k3"]


def test_judge_claims_refuses_repeated_ids_and_sends_nothing_for_no_items() -> None:
    with pytest.raises(ValueError, match="its own claim id"):
        judge_claims([("c1", "a", "b"), ("c1", "c", "d")], settings=Settings(base_url="x"))
    assert judge_claims([], settings=Settings(base_url="http://127.0.0.1:9/v1")) == []


# --- Batch-engine files ---------------------------------------------------------------------


def test_batch_engine_files_refuse_the_judge(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    requests = tmp_path / "requests.jsonl"
    on = Settings(judge="on")
    with pytest.raises(ConfigError, match="not available for batch-engine files"):
        prepare(articles, requests, settings=on)
    assert not requests.exists()
    # auto means off for an engine: the requests are prepared as before.
    prepare(articles, requests, settings=Settings(judge="auto"))
    assert requests.exists()
    with pytest.raises(ConfigError, match="not available for batch-engine files"):
        collect(requests, tmp_path / "results.jsonl", tmp_path / "out.jsonl", settings=on)


def test_batch_prepare_with_the_judge_on_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"id": "a", "text": ARTICLE}) + "\n", encoding="utf-8")
    monkeypatch.setenv("SUMMARIZER_JUDGE", "on")
    status = main(["batch", "prepare", str(articles), "--out", str(tmp_path / "r.jsonl")])
    assert status == 2
    assert "judge is not available for batch-engine files" in capsys.readouterr().err
