"""Long articles: split on paragraphs with overlap, claims per part mapped back to the whole
article, duplicates across parts merged, and the summary written from the merged claims.

Model answers here are SCRIPTED: the server proposes, for each part it is shown, claims that
quote sentences of that part.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from invariants import assert_verified
from scripted import (
    Scripted,
    ScriptedServer,
    error_reply,
    fast_settings,
    one_claim,
    tool_reply,
)

from summarizer import ArticleSummary, ConfigError, asummarize, summarize
from summarizer.llm.backends import Endpoint, token_counter
from summarizer.text.chunking import Chunk, split
from summarizer.text.tokens import estimate_tokens

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

paragraph = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
    .map(lambda w: w.replace("\n", " ").strip())
    .filter(bool),
    min_size=1,
    max_size=60,
).map(" ".join)


def covered(text: str, chunks: list[Chunk]) -> bool:
    """Every non-space character of the text is in some chunk."""
    inside = bytearray(len(text))
    for c in chunks:
        inside[c.start : c.end] = b"\x01" * (c.end - c.start)
    return all(inside[i] or text[i].isspace() for i in range(len(text)))


@PROPERTY
@given(
    paragraphs=st.lists(paragraph, min_size=1, max_size=30),
    budget=st.integers(20, 400),
    overlap=st.integers(0, 100),
    blank_lines=st.booleans(),
)
# A word cut between characters, whose last piece is followed by a space and a short word.
@example(
    paragraphs=["00000000" + "¡" * 14 + "𐀀" * 6 + " 0"], budget=20, overlap=0, blank_lines=False
)
def test_chunks_fit_cover_the_text_and_move_forward(
    paragraphs: list[str], budget: int, overlap: int, blank_lines: bool
) -> None:
    text = ("\n\n" if blank_lines else "\n").join(paragraphs)
    chunks = split(text, budget=budget, overlap=overlap)
    assert chunks
    assert all(estimate_tokens(text[c.start : c.end]) <= budget for c in chunks)
    assert covered(text, chunks)
    assert all(
        b.start > a.start and b.end > a.end for a, b in zip(chunks, chunks[1:], strict=False)
    )
    for c in chunks:
        assert text[c.start : c.end] == text[c.start : c.end].strip()


@PROPERTY
@given(paragraphs=st.lists(paragraph, min_size=2, max_size=30), budget=st.integers(60, 400))
def test_a_stricter_tokenizer_is_obeyed(paragraphs: list[str], budget: int) -> None:
    text = "\n".join(paragraphs)

    def strict(s: str) -> int:  # counts 60% more than the estimate, as an odd tokenizer might
        return estimate_tokens(s) * 8 // 5

    chunks = split(text, budget=budget, overlap=20, count=strict)
    assert all(strict(text[c.start : c.end]) <= budget for c in chunks)
    assert covered(text, chunks)


def test_paragraph_boundaries_and_overlap() -> None:
    paragraphs = [
        f"Paragraph {n} says something worth reporting about item {n}." for n in range(40)
    ]
    text = "\n\n".join(paragraphs)
    per = max(estimate_tokens(p) for p in paragraphs) + 1
    chunks = split(text, budget=per * 10, overlap=per * 2)
    assert len(chunks) > 3
    for c in chunks:
        piece = text[c.start : c.end]
        assert piece.startswith("Paragraph") and piece.endswith(".")
    for a, b in zip(chunks, chunks[1:], strict=False):
        repeated = text[b.start : a.end]
        assert repeated.count("Paragraph") == 2  # the last two paragraphs of a start b


def test_one_long_paragraph_is_split_between_sentences_then_words() -> None:
    sentence = "The committee met again on Monday and agreed on nothing at all. "
    text = sentence * 200 + "x" * 50 + " " + "word " * 400
    chunks = split(text.strip(), budget=100, overlap=0)
    assert all(estimate_tokens(text[c.start : c.end]) <= 100 for c in chunks)
    middle = [text[c.start : c.end] for c in chunks[1:5]]
    assert all(m.startswith("The committee") and m.endswith("at all.") for m in middle)


def test_the_servers_tokenizer_counts_and_a_failing_one_falls_back() -> None:
    def respond(payload: dict[str, Any]) -> Scripted:
        return Scripted({"count": len(payload["input"].split()) * 2})

    with ScriptedServer(respond=respond) as server:
        url = server.base_url.removesuffix("/v1") + "/extras/tokenize/count"
        count = token_counter(Endpoint("local", "m", server.base_url, tokenize_url=url), len)
        assert count is not None and count("one two three") == 6
    with ScriptedServer(respond=lambda p: error_reply(500, "scripted")) as server:
        url = server.base_url + "/extras/tokenize/count"
        count = token_counter(Endpoint("local", "m", server.base_url, tokenize_url=url), len)
        assert count is not None and count("one two three") == len("one two three")
    assert token_counter(Endpoint("openai", "m", None), len) is None


# --- Through the pipeline ------------------------------------------------------------------

SENTENCES = [
    f"Inspector {name} said the {thing} in district {n} failed its review on day {n}."
    for n, (name, thing) in enumerate(
        [
            (chr(65 + i % 26) + "lvarez", ["bridge", "school", "tunnel", "depot"][i % 4])
            for i in range(150)
        ]
    )
]
LONG = "\n\n".join(SENTENCES)


def _shown(payload: dict[str, Any]) -> str:
    user = payload["messages"][-1]["content"]
    return re.split(r"<article[^>]*>\n", user, maxsplit=1)[1].split("\n</article>", 1)[0]


def _claim(n: int, line: str) -> dict[str, Any]:
    """A claim stating the numbered sentence ``line`` ("[S4] ...") word for word."""
    sentence_id, sentence = re.fullmatch(r"\[(S\d+)\] (.*)", line).groups()  # type: ignore[union-attr]
    return {
        "id": "c1",  # every part numbers its claims from c1: ids must be made unique
        "sentences": [sentence_id],
        "text": sentence,
        "source": "unattributed",
    }


def chunk_answers(payload: dict[str, Any], log: list[dict[str, Any]]) -> Scripted:
    log.append(payload)
    tool = payload["tool_choice"]["function"]["name"]
    if tool == "ChunkExtraction":
        lines = [s for s in _shown(payload).split("\n") if s.strip()]
        # The first and last sentence of every part: the last is also the first of the next
        # part (the overlap), so it is proposed twice and must be merged.
        claims = [_claim(0, lines[0]), _claim(1, lines[-1])]
        return tool_reply("ChunkExtraction", {"claims": claims})
    if tool == "Extraction":  # the whole article in one request
        return tool_reply("Extraction", one_claim(SENTENCES[0]))
    assert tool == "ClaimSummary", tool
    ids = re.findall(r"^(c\d+) \(", payload["messages"][-1]["content"], re.M)
    first = SENTENCES[0]
    return tool_reply(
        "ClaimSummary",
        {
            "headline": "Inspector Alvarez says bridge failed review",
            "summary": [{"text": first, "claim_ids": [ids[0]]}],
            "key_points": [{"text": "A moon base opened.", "claim_ids": [ids[1]]}],
        },
    )


def run_long(**overrides: Any) -> tuple[ArticleSummary, list[dict[str, Any]]]:
    log: list[dict[str, Any]] = []
    with ScriptedServer(respond=lambda p: chunk_answers(p, log)) as server:
        values = {"context_tokens": 2600, "max_tokens": 200, "chunk_overlap_tokens": 40}
        result = summarize(LONG, settings=fast_settings(server, **(values | overrides)))
    return result, log


def test_a_long_article_is_read_in_parts_and_summarized_from_the_merged_claims() -> None:
    result, log = run_long()
    parts = [p for p in log if p["tool_choice"]["function"]["name"] == "ChunkExtraction"]
    assert len(parts) >= 3
    assert log[-1]["tool_choice"]["function"]["name"] == "ClaimSummary"
    assert [c.purpose for c in result.meta.call_log] == ["extract"] * len(parts) + ["summarize"]
    # Parts are read side by side, so they may arrive in any order; each is asked for once.
    tags = sorted(_shown_tag(p) for p in parts)
    assert tags == sorted(f'part="{n} of {len(parts)}"' for n in range(1, len(parts) + 1))

    assert_verified(result)
    # Offsets index the whole article, however far into it the part was.
    for claim in result.claims:
        assert LONG[claim.evidence.start : claim.evidence.end] == claim.evidence.quote
    assert max(c.evidence.start for c in result.claims) > len(LONG) // 2
    assert len({c.id for c in result.claims}) == len(result.claims)
    # Each part's last sentence is the next part's first: proposed twice, kept once.
    duplicates = [r for r in result.rejected if r.reason.startswith("repeats claim")]
    assert len(duplicates) >= len(parts) - 1
    assert len(result.claims) == 2 * len(parts) - len(duplicates)

    # The summary request carries the merged claims; what it writes is checked as ever.
    summary_request = log[-1]["messages"][-1]["content"]
    assert all(c.id in summary_request for c in result.claims)
    assert result.summary == SENTENCES[0]
    assert result.key_points == []
    assert any(r.kind == "key_point" for r in result.rejected)


def _shown_tag(payload: dict[str, Any]) -> str:
    return re.search(r'part="\d+ of \d+"', payload["messages"][-1]["content"])[0]  # type: ignore[index]


def test_an_article_that_fits_is_one_request_as_before() -> None:
    result, log = run_long(context_tokens=100_000)
    assert len(log) == 1 and log[0]["tool_choice"]["function"]["name"] == "Extraction"
    assert [c.purpose for c in result.meta.call_log] == ["extract"]
    assert [c.evidence.quote for c in result.claims] == [SENTENCES[0]]


def test_a_part_that_fails_costs_only_its_own_claims() -> None:
    log: list[dict[str, Any]] = []

    def respond(payload: dict[str, Any]) -> Scripted:
        if 'part="2 of' in payload["messages"][-1]["content"]:
            return tool_reply("ChunkExtraction", {"claims": []}, finish_reason="length")
        return chunk_answers(payload, log)

    with ScriptedServer(respond=respond) as server:
        settings_ = fast_settings(
            server, context_tokens=2600, max_tokens=200, chunk_overlap_tokens=40
        )
        result = summarize(LONG, settings=settings_)
    lost = [r for r in result.rejected if r.kind == "chunk"]
    assert len(lost) == 1 and lost[0].id == "part2"
    assert "token limit" in lost[0].reason
    assert result.claims and result.summary


def test_a_context_too_small_for_the_prompt_is_a_config_error() -> None:
    with ScriptedServer([]) as server:
        with pytest.raises(ConfigError, match="context_tokens"):
            summarize(LONG, settings=fast_settings(server, context_tokens=1000, max_tokens=600))
        assert server.requests == []


def test_the_summary_request_keeps_within_the_context() -> None:
    from summarizer.pipeline.parts import _within

    claims = run_long()[0].claims
    assert len(claims) >= 6
    assert _within(claims, 10_000) == claims
    line_cost = estimate_tokens(f"{claims[0].id} (unattributed): {claims[0].text}") + 1
    few = _within(claims, line_cost * len(claims) // 2)
    assert 2 <= len(few) <= len(claims) // 2 + 1
    # Spread over the article, not its first half only.
    assert few[0] is claims[0] and few[-1].evidence.start >= claims[len(claims) // 2].evidence.start


def _read_long(
    concurrency: int, respond: Any = None, *, run_async: bool = False, **overrides: Any
) -> tuple[ArticleSummary, ScriptedServer]:
    """The long article through a scripted server whose answers each take 50 ms, so that
    parts read side by side overlap."""
    log: list[dict[str, Any]] = []

    def slow(payload: dict[str, Any]) -> Scripted:
        answer = (respond or chunk_answers)(payload, log)
        answer.delay_s = answer.delay_s or 0.05
        return answer

    with ScriptedServer(respond=slow) as server:
        values = {"context_tokens": 2600, "max_tokens": 200, "chunk_overlap_tokens": 40}
        settings_ = fast_settings(server, concurrency=concurrency, **(values | overrides))
        if run_async:
            result = asyncio.run(asummarize(LONG, settings=settings_))
        else:
            result = summarize(LONG, settings=settings_)
    return result, server


def _what_it_found(result: ArticleSummary) -> dict[str, Any]:
    """A result without what depends on timing."""
    found = result.model_dump(mode="json", exclude={"meta"})
    found["calls"] = [(c.purpose, c.usage.prompt_tokens) for c in result.meta.call_log]
    return found


@pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])
def test_parts_read_side_by_side_give_what_reading_them_in_order_gives(run_async: bool) -> None:
    in_order, one_at_a_time = _read_long(1, run_async=run_async)
    side_by_side, together = _read_long(8, run_async=run_async)
    assert one_at_a_time.in_flight_max == 1
    assert together.in_flight_max > 1
    assert _what_it_found(side_by_side) == _what_it_found(in_order)
    assert len(in_order.claims) >= 6


@pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])
def test_a_rate_limit_during_the_parts_slows_the_others_and_fails_none(run_async: bool) -> None:
    limited: list[float] = []

    def respond(payload: dict[str, Any], log: list[dict[str, Any]]) -> Scripted:
        if not limited and 'part="2 of' in payload["messages"][-1]["content"]:
            limited.append(time.monotonic())
            # Long enough to outlast verifying part 1's claims, which may take a second.
            answer = error_reply(429, "slow down", {"retry-after-ms": "2500"})
            answer.delay_s = 0.001  # at once, while part 1's answer takes its 50 ms
            return answer
        return chunk_answers(payload, log)

    # Two at a time: parts 1 and 2 go first, and part 3 waits for part 1's answer.
    result, server = _read_long(2, respond, run_async=run_async, backoff_max_s=3.0)
    expected, _ = _read_long(1)
    assert _what_it_found(result) == _what_it_found(expected)
    assert not [r for r in result.rejected if r.kind == "chunk"]
    # Every request after parts 1 and 2 waited out the pause the 429 asked for.
    later = [t - limited[0] for t in server.arrivals if t > limited[0] + 0.03]
    assert len(later) >= 4 and min(later) >= 2.45
