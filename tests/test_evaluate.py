"""summarizer eval: per-article figures and agreement with human attribution spans. The model's
answers are SCRIPTED; the gold spans are built from the seed article's own offsets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED
from scripted import ScriptedServer, tool_reply

from summarizer import Settings
from summarizer.cli.commands import main
from summarizer.evaluate import evaluate, format_table

TEXT = SEED.read_text(encoding="utf-8")
QUOTE = "forced critical infrastructure to switch to backup power"
SOURCE = "Ukrainian officials"


def _span(text: str) -> dict[str, Any]:
    start = TEXT.index(text)
    return {"text": text, "char_spans": [[start, start + len(text)]]}


RECORD = {
    "id": "seed-with-gold",
    "kind": "article",
    "article": TEXT,
    "annotations": {
        "type": "polnear_attribution_relations",
        "attributions": [
            {"id": "E1", "relation": "Attribution", "source": _span(SOURCE),
             "cue": _span("according to Ukrainian"), "content": _span(QUOTE)},
            {"id": "E2", "relation": "Attribution", "source": _span("Umerov emphasized"),
             "cue": _span("emphasized"),
             "content": _span("technical consultations will soon finalize logistical details")},
        ],
    },
}  # fmt: skip
REPLY = {
    "claims": [
        {"id": "c1", "text": "Strikes forced critical infrastructure to switch to backup power.",
         "sentences": [f"@{QUOTE}"], "quote": QUOTE, "source": SOURCE},
    ],
    "headline": "",
    "summary": [{"text": "Strikes forced infrastructure onto backup power.", "claim_ids": ["c1"]}],
    "key_points": [],
}  # fmt: skip


def test_rows_score_claims_against_gold_spans() -> None:
    records = [RECORD, {"id": "empty", "article": "   "}]
    with ScriptedServer([tool_reply("Extraction", REPLY, prompt_tokens=900)]) as server:
        rows = evaluate(records, settings=Settings(model="s", base_url=server.base_url))
    seed, empty = rows
    assert (seed.kept, seed.rejected, seed.calls) == (1, 0, 1)
    assert seed.tokens == 950 and seed.statuses["confirmed"] == 1
    assert (seed.gold, seed.covered, seed.matched, seed.right_source) == (2, 1, 1, 1)
    assert empty.error and "empty" in empty.error, "a bad record is a row, not a crash"
    table = format_table(rows)
    assert "seed-with-gold" in table and "TOTAL" in table and "failed: empty" in table


def test_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dataset = tmp_path / "dev.jsonl"
    dataset.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    with ScriptedServer([tool_reply("Extraction", REPLY)]) as server:
        status = main(["eval", str(dataset), "--base-url", server.base_url, "--model", "s"])
    out = capsys.readouterr().out
    assert status == 0
    assert "seed-with-gold" in out and "1/1" in out
    assert main(["eval", str(tmp_path / "missing.jsonl")]) == 2
