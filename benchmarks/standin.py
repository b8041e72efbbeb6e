"""A SCRIPTED stand-in for a competent model: what one faulty item costs, and what re-asks cost.

No model runs here. The stand-in answers the library's requests through an ``httpx`` mock
transport under an ``openai.OpenAI`` client, reading the numbered sentences of each request:

- claims: one per sentence of six words or more, up to ``max_claims``, each stating its
  sentence's first twenty words; every third cites the sentence after its own (wrong on
  purpose, so that it fails verification and is re-asked);
- a headline, two summary sentences and two key points; the first summary sentence and the
  first key point are over-long (the three first claims run together, over 300 characters);
- a re-ask's fixes point each claim at the listed sentence that holds its words.

Articles: ``--articles`` (5) spread evenly over ``../shared/eval/polnear-dev.jsonl`` (so over
its publishers), none of which anything here was tuned on. Printed per article and in all:
whether the article was lost (an error, or no claim kept), claims kept and rejected, whether
the over-long items were rejected alone, and prompt size over all requests divided by the
first request's, in characters (messages and tool schema) and in the tokens the stand-in
reports (characters / 4).

Run: python benchmarks/standin.py [--articles 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path
from typing import Any

import httpx
import openai

from summarizer import Settings, SummarizerError, summarize

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "polnear-dev.jsonl"
_NUMBERED = re.compile(r"^\[(S\d+)\] (.+)$", re.M)
_REASKED = re.compile(r"^\[(\w+)\] (.+)\nProblem: .*\nSentences:\n((?:\[S\d+\] .+\n?)+)", re.M)


def _words(text: str, limit: int = 20) -> str:
    return " ".join(text.split()[:limit])


def _claims(sentences: list[tuple[str, str]], limit: int) -> list[dict[str, Any]]:
    usable = [(i, text) for i, text in sentences if len(text.split()) >= 6][:limit]
    ids = [i for i, _ in sentences]
    claims = []
    for n, (sid, text) in enumerate(usable, 1):
        cited = sid
        if n % 3 == 0:  # wrong on purpose: the next sentence
            cited = ids[min(ids.index(sid) + 1, len(ids) - 1)]
        claims.append(
            {"id": f"c{n}", "sentences": [cited], "text": _words(text), "source": "unattributed"}
        )
    return claims


def _extraction(prompt: str, limit: int) -> dict[str, Any]:
    claims = _claims(_NUMBERED.findall(prompt), limit)
    long = " ".join(c["text"] for c in claims[:3])
    long = (long + " " + long)[:320] if len(long) < 310 else long
    return {
        "claims": claims,
        "headline": _words(claims[0]["text"], 8),
        "summary": [
            {"text": long, "claim_ids": ["c1", "c2", "c3"]},
            {"text": claims[1]["text"], "claim_ids": ["c2"]},
        ],
        "key_points": [
            {"text": long, "claim_ids": ["c1", "c2", "c3"]},
            {"text": claims[0]["text"], "claim_ids": ["c1"]},
        ],
    }


def _fixes(prompt: str) -> dict[str, Any]:
    fixes = []
    for claim_id, text, listed in _REASKED.findall(prompt):
        sentences = _NUMBERED.findall(listed)
        best = max(sentences, key=lambda s: len(set(text.split()) & set(s[1].split())))
        fixes.append({"id": claim_id, "sentences": [best[0]], "source": "unattributed"})
    return {"fixes": fixes}


class StandIn:
    """The mock transport's handler; it keeps the prompt size of every request."""

    def __init__(self, max_claims: int) -> None:
        self.max_claims = max_claims
        self.prompt_chars: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        tool = body["tool_choice"]["function"]["name"]
        prompt = "\n".join(m["content"] for m in body["messages"])
        chars = len(prompt) + len(json.dumps(body.get("tools", [])))
        self.prompt_chars.append(chars)
        answer = _fixes(prompt) if tool == "ClaimFixes" else _extraction(prompt, self.max_claims)
        return httpx.Response(200, json=_completion(tool, answer, chars))


def _completion(tool: str, arguments: dict[str, Any], prompt_chars: int) -> dict[str, Any]:
    raw = json.dumps(arguments)
    usage = {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(raw) // 4}
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": 0,
        "model": "standin",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_standin",
                            "type": "function",
                            "function": {"name": tool, "arguments": raw},
                        }
                    ],
                },
            }
        ],
        "usage": usage | {"total_tokens": sum(usage.values())},
    }


def run(record: dict[str, Any]) -> dict[str, Any]:
    settings = Settings(model="standin", base_url="http://standin.invalid/v1", api_key="unused")
    standin = StandIn(settings.max_claims)
    client = openai.OpenAI(
        base_url=settings.base_url,
        api_key="unused",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(standin)),
    )
    row: dict[str, Any] = {"id": record["id"][12:52], "lost": False}
    try:
        result = summarize(record["article"], client=client, settings=settings)
    except SummarizerError as error:
        row |= {"lost": True, "error": type(error).__name__}
    else:
        long = [r for r in result.rejected if r.kind in ("summary_sentence", "key_point")]
        tokens = [c.usage.prompt_tokens for c in result.meta.call_log]
        row |= {
            "lost": not result.claims,
            "kept": len(result.claims),
            "rejected_claims": sum(r.kind == "claim" for r in result.rejected),
            "long_items_rejected": sum("does not fit the schema" in r.reason for r in long),
            "summary_kept": len(result.summary_sentences),
            "calls": len(standin.prompt_chars),
            "chars_ratio": sum(standin.prompt_chars) / standin.prompt_chars[0],
            "tokens_ratio": sum(tokens) / tokens[0],
        }
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5)
    args = parser.parse_args()
    with EVAL.open(encoding="utf-8") as f:
        every = [json.loads(line) for line in f]
    records = every[:: max(1, len(every) // args.articles)][: args.articles]
    print(f"SCRIPTED stand-in on {len(records)} articles of {EVAL.name}\n")
    rows = [run(r) for r in records]
    header = f"{'article':<40} {'lost':>4} {'kept':>4} {'rej':>4} {'long rej':>8} {'summary':>7} "
    print(header + f"{'calls':>5} {'chars x':>7} {'tokens x':>8}")
    for row in rows:
        if "error" in row:
            print(f"{row['id']:<40} {'yes':>4}  {row['error']}")
            continue
        print(
            f"{row['id']:<40} {'yes' if row['lost'] else 'no':>4} {row['kept']:>4} "
            f"{row['rejected_claims']:>4} {row['long_items_rejected']:>8} "
            f"{row['summary_kept']:>7} {row['calls']:>5} {row['chars_ratio']:>7.2f} "
            f"{row['tokens_ratio']:>8.2f}"
        )
    done = [r for r in rows if "error" not in r]
    print(
        f"\narticles lost: {sum(r['lost'] for r in rows)} of {len(rows)}; prompt size over all "
        f"requests / first request, mean: "
        f"{statistics.mean(r['chars_ratio'] for r in done):.2f} in characters, "
        f"{statistics.mean(r['tokens_ratio'] for r in done):.2f} in tokens"
    )


if __name__ == "__main__":
    main()
