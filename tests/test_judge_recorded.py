"""A replay of a real recording: the embedded llama.cpp backend (Qwen2.5-Coder-1.5B-Instruct,
Q4_K_M) summarizing the seed article with the judge on (``judge=on``), so that after the text
checks one more request asks it for a verdict on each kept claim. The model is small and its
verdicts are imperfect; this test checks that the library acts on them honestly: the judge is
asked about exactly the claims kept, each "no" is a rejection with its reason, each "yes" stays
kept, and its tokens are counted.

Record again with: python -m pytest tests/test_judge_recorded.py --record-mode=rewrite
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from invariants import assert_verified

from summarizer import Settings, summarize
from summarizer.pipeline.judge import KEEP_VERDICTS


def _pairs(cassette: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    pairs = []
    for request, response in cassette.data:
        raw = response["body"]["string"]
        body = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        pairs.append((json.loads(request.body), body))
    return pairs


def _tool(request: dict[str, Any]) -> str:
    name: str = request["tool_choice"]["function"]["name"]
    return name


@pytest.mark.vcr
@pytest.mark.default_cassette("seed_judge")
def test_seed_article_with_the_judge(
    seed_text: str, recorded_settings: Settings, vcr: Any, recording: bool
) -> None:
    result = summarize(seed_text, settings=recorded_settings.replace(judge="on"))

    assert_verified(result)
    pairs = _pairs(vcr)
    if not recording:
        assert vcr.all_played, "every recorded request was made again"
    # Calls and tokens are exactly what the server reported, the judge's included.
    assert result.meta.calls == len(pairs)
    for field in ("prompt_tokens", "completion_tokens", "total_tokens"):
        assert getattr(result.meta.usage, field) == sum(r["usage"][field] for _, r in pairs)
    purposes = [c.purpose for c in result.meta.call_log]
    assert purposes[0] == "extract" and purposes[-1] == "judge"
    assert purposes.count("judge") == 1

    judge_request, judge_reply = pairs[-1]
    assert _tool(judge_request) == "ClaimVerdicts"
    schema = judge_request["tools"][0]["function"]["parameters"]
    asked = schema["properties"]["verdicts"]["items"]["properties"]["id"]["enum"]
    arguments = judge_reply["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    verdicts = {v["id"]: v["verdict"] for v in json.loads(arguments)["verdicts"]}

    kept = {c.id for c in result.claims}
    judged_out = {
        r.id: r for r in result.rejected if r.kind == "claim" and r.reason.startswith("the judge")
    }
    # The judge was asked about every claim the text checks kept, and about nothing else.
    assert set(asked) == kept | set(judged_out)
    assert not kept & set(judged_out)
    for claim_id in asked:
        verdict = verdicts.get(claim_id)
        if verdict in KEEP_VERDICTS:
            assert claim_id in kept
        elif verdict is None:
            assert claim_id in kept
            assert any(f"claim {claim_id}:" in w for w in result.meta.warnings)
        else:
            rejection = judged_out[claim_id]
            assert rejection.reason.startswith("the judge found the claim not stated by S")
            assert rejection.proposed["id"] == claim_id
    # Summary sentences and key points cite only claims the judge kept.
    for item in [*result.summary_sentences, *result.key_points]:
        assert set(item.claim_ids) <= kept
