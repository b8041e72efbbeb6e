"""SCRIPTED responses, not recordings: summarize() and asummarize() against a real HTTP server on
127.0.0.1 (tests/scripted.py) that answers each chat completion from a script written here by
hand. No model produced any of these answers; they are chosen to drive one path of the pipeline
each (verification, targeted re-asks, local repair, transport retries, truncation, validation
re-asks, input errors). Recordings of a real model live in cassettes/ (tests/test_recorded.py).

The article is the seed article, seeds/prisoner-swap.txt. A scripted claim cites sentences as a
model reading the numbered prompt would: "@words" names the numbered sentence holding those words
(tests/scripted.py resolves it); every quote below is copied from it character for character.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
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

from summarizer import (
    Article,
    ArticleSummary,
    InputError,
    MatchKind,
    OutputTruncatedError,
    ProviderError,
    RetriesExhaustedError,
    Settings,
    SourceKind,
    Usage,
    VerificationError,
    asummarize,
    summarize,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "prisoner-swap.txt"
ARTICLE = SEED.read_text(encoding="utf-8")
TITLE = ARTICLE.splitlines()[0].strip()


# --- The script -------------------------------------------------------------------------------

NOT_BACKED = "not backed by its sentences"


def _claim(id: str, cited: str, text: str, source: str, quote: str = "") -> dict[str, Any]:
    """A claim citing the numbered sentence that contains ``cited``, with an optional quote."""
    item = claim(cited, id=id, text=text, source=source)
    return item | {"quote": quote} if quote else item


# Claims citing the seed sentence that states them, each with a source that occurs in it (or
# "unattributed"); the first three also give a verbatim quote from inside that sentence.
C1 = _claim(
    "c1",
    "Ukraine and Russia are nearing a framework agreement",
    "Ukraine and Russia are nearing a framework agreement to resume large-scale prisoner "
    "exchanges.",
    "Umerov",
    "Ukraine and Russia are nearing a framework agreement to resume large-scale prisoner exchanges",
)
C2 = _claim(
    "c2",
    "Umerov emphasized that technical consultations",
    "Umerov said technical consultations will soon finalize logistical details of the swaps.",
    "Umerov",
    "Umerov emphasized that technical consultations will soon finalize logistical details",
)
C3 = _claim(
    "c3",
    "Overnight strikes on Odesa region facilities",
    "Overnight strikes on Odesa region facilities forced critical infrastructure to switch to "
    "backup power.",
    "Ukrainian officials",
    "Overnight strikes on Odesa region facilities, including a solar power plant, forced "
    "critical infrastructure to switch to backup power",
)
# No quote: the evidence is the whole cited sentence.
C4 = _claim("c4", SEED_SENTENCE, SEED_SENTENCE, "unattributed")
GOOD_CLAIMS = [C1, C2, C3, C4]

# Two claims whose cited sentences do not back their words: one cites the sentence next to the
# one that states it (the re-ask can fix it), one states what the article never says. (In this
# order: with the default budget the re-ask has room for the first only.)
STRIKES_SENTENCE = (
    "These strikes, which included 176 drones and one missile, align with Moscow's broader "
    "strategy to cripple Ukraine's power grid as winter approaches."
)
INVENTED_SOURCE = _claim(
    "c5",
    "Overnight strikes on Odesa region facilities",
    "The overnight strikes included 176 drones and one missile.",
    "Reuters",
)
HALLUCINATED = _claim(
    "c6",
    "The negotiations, mediated by Turkey",
    "Moscow has agreed to free every captive before Christmas.",
    "Umerov",
)

HEADLINE = "Ukraine and Russia nearing prisoner exchange framework"
SUMMARY_C1_C2 = {
    "text": "Ukraine and Russia are nearing a framework agreement to resume prisoner exchanges, "
    "and technical consultations will soon finalize the details.",
    "claim_ids": ["c1", "c2"],
}
# Cites a kept claim and an id that does not exist: kept, citing only the kept claim.
SUMMARY_C3_AND_UNKNOWN = {
    "text": "Overnight strikes on Odesa region facilities forced critical infrastructure onto "
    "backup power.",
    "claim_ids": ["c3", "c99"],
}
# Cites only an id that does not exist: rejected.
SUMMARY_UNKNOWN_ONLY = {
    "text": "Russia has yet to comment publicly on the developments.",
    "claim_ids": ["c7"],
}
SUMMARY_C5 = {
    "text": "The strikes included 176 drones and one missile.",
    "claim_ids": ["c5"],
}
KEY_POINT_C4 = {"text": "Russia has yet to publicly comment.", "claim_ids": ["c4"]}


def extraction(
    claims: list[dict[str, Any]] | None = None,
    *,
    headline: str = HEADLINE,
    summary: list[dict[str, Any]] | None = None,
    key_points: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Arguments of an Extraction tool call."""
    return {
        "claims": GOOD_CLAIMS if claims is None else claims,
        "headline": headline,
        "summary": [SUMMARY_C1_C2, SUMMARY_C3_AND_UNKNOWN] if summary is None else summary,
        "key_points": [KEY_POINT_C4] if key_points is None else key_points,
    }


FAILING_EXTRACTION = extraction(
    [*GOOD_CLAIMS, INVENTED_SOURCE, HALLUCINATED],
    summary=[SUMMARY_C1_C2, SUMMARY_C5],
)
FIX_C5 = {"fixes": [{"id": "c5", "sentences": ["@176 drones"], "source": "Ukrainian officials"}]}
# Points c6 at a sentence the re-ask shows it, which does not back it either.
FIX_C6_STILL_WRONG = {
    "fixes": [{"id": "c6", "sentences": ["@Umerov emphasized"], "source": "Umerov"}]
}


# --- Helpers ----------------------------------------------------------------------------------


def prompt_tokens_of(request: dict[str, Any], *, count_tools: bool = True) -> int:
    """Prompt tokens as a server would count them: about 4 characters a token over the
    messages, plus the tool schema sent with them on servers that count it (OpenAI does,
    llama.cpp does not)."""
    chars = sum(len(m.get("content") or "") for m in request["messages"])
    if count_tools:
        chars += len(json.dumps(request.get("tools", [])))
    return math.ceil(chars / 4)


@dataclass
class Counted:
    """A scripted tool reply whose prompt_tokens are counted from the request it answers
    (see prompt_tokens_of), so that token budgets can be checked against realistic usage."""

    name: str
    arguments: dict[str, Any]
    completion_tokens: int = 200
    finish_reason: str = "tool_calls"
    count_tools: bool = True
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cut_after: int | None = None
    server: ScriptedServer | None = None

    def prompt_tokens(self, request: dict[str, Any]) -> int:
        return prompt_tokens_of(request, count_tools=self.count_tools)

    @property
    def body(self) -> dict[str, Any] | str:
        assert self.server is not None
        request = self.server.requests[-1]  # the server records a request before answering it
        return tool_reply(
            self.name,
            self.arguments,
            prompt_tokens=self.prompt_tokens(request),
            completion_tokens=self.completion_tokens,
            finish_reason=self.finish_reason,
        ).body


@contextmanager
def serve(script: list[Scripted | Counted]) -> Iterator[ScriptedServer]:
    """scripted_server(), with Counted replies wired to the server they answer on."""
    server = ScriptedServer(script)  # type: ignore[arg-type]
    for answer in script:
        if isinstance(answer, Counted):
            answer.server = server
    with server:
        yield server


# The scripted server counts a prompt's characters alone, while the library reserves room for
# what a real chat template adds (summarizer.text.tokens.TEMPLATE_TOKENS): a re-ask of the seed
# article needs a budget above the default 0.3 of the first call here.
BUDGET = 0.5


def settings_for(server: ScriptedServer, **overrides: Any) -> Settings:
    """Settings for these scripts, whose wrongly cited claims are the subject of re-asks: the
    verifier does not look for their sentences itself unless a test says so."""
    defaults = {"reask_budget_ratio": BUDGET, "find_evidence": False}
    return fast_settings(server, **(defaults | overrides))


def scripted_usage(*answers: Scripted) -> Usage:
    """The sum of the usage blocks of scripted replies."""
    total = Usage()
    for answer in answers:
        assert isinstance(answer.body, dict)
        total = total + Usage(**answer.body["usage"])
    return total


def served_usage(server: ScriptedServer, answers: list[Scripted | Counted]) -> Usage:
    """The sum of the usage the server actually reported (Counted replies included)."""
    total = Usage()
    for answer, request in zip(answers, server.requests, strict=True):
        if isinstance(answer, Counted):
            prompt = answer.prompt_tokens(request)
            total = total + Usage(
                prompt_tokens=prompt,
                completion_tokens=answer.completion_tokens,
                total_tokens=prompt + answer.completion_tokens,
            )
        else:
            total = total + scripted_usage(answer)
    return total


def request_text(request: dict[str, Any]) -> str:
    return "\n".join(m.get("content") or "" for m in request["messages"])


def tool_name(request: dict[str, Any]) -> str:
    name: str = request["tool_choice"]["function"]["name"]
    return name


def carried_ids(request: dict[str, Any]) -> set[str]:
    """The claim ids a re-ask lists (each item is "[id] text", then its "Problem:" line)."""
    return set(re.findall(r"^\[(.*?)\] .*\nProblem:", request_text(request), flags=re.MULTILINE))


def numbered_sentences(request: dict[str, Any]) -> dict[str, str]:
    """The numbered sentences a request shows the model, by id, in the order shown."""
    return dict(re.findall(r"^\[(S\d+)\] (.*)$", request_text(request), flags=re.MULTILINE))


def id_of(request: dict[str, Any], words: str) -> str:
    """The id of the one numbered sentence of ``request`` that contains ``words``."""
    [found] = [i for i, line in numbered_sentences(request).items() if words in line]
    return found


def sentence_enum(request: dict[str, Any], field: str) -> list[str]:
    """The sentence ids the tool schema of ``request`` allows for items of ``field``."""
    parameters = request["tools"][0]["function"]["parameters"]
    item = parameters["properties"][field]["items"]
    enum: list[str] = item["properties"]["sentences"]["items"]["enum"]
    return enum


def claim_by_id(result: ArticleSummary, claim_id: str) -> Any:
    return next(c for c in result.claims if c.id == claim_id)


def rejection_of(result: ArticleSummary, claim_id: str) -> Any:
    found = [r for r in result.rejected if r.kind == "claim" and r.id == claim_id]
    assert len(found) == 1, (claim_id, result.rejected)
    return found[0]


# --- 1. A good extraction ---------------------------------------------------------------------

GOOD_REPLY_USAGE = {"prompt_tokens": 1000, "completion_tokens": 300}


def _good_script() -> list[Scripted]:
    return [tool_reply("Extraction", extraction(), **GOOD_REPLY_USAGE)]


def _check_good_result(result: ArticleSummary, server: ScriptedServer) -> None:
    assert_verified(result)
    assert len(server.requests) == 1
    assert tool_name(server.requests[0]) == "Extraction"
    request = server.requests[0]
    sent = request_text(request)
    shown = numbered_sentences(request)
    # The whole story is sent, sentence by sentence in order, numbered S1, S2, ... as it goes.
    story_end = ARTICLE.index("according to AP news.") + len("according to AP news.")
    assert list(shown) == [f"S{n}" for n in range(1, len(shown) + 1)]
    assert " ".join(shown.values()) == " ".join(ARTICLE[:story_end].split())
    assert sentence_enum(request, "claims") == list(shown), "the schema allows only those ids"
    for junk in ("Latest Articles", "Stay ahead of the market.", "No comments yet"):
        assert junk not in sent, "page furniture is cleaned away before the model sees it"

    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    for kept, proposed in zip(result.claims, GOOD_CLAIMS, strict=True):
        ev = kept.evidence
        cited = id_of(request, proposed["sentences"][0][1:])
        assert ev.sentence_ids == [cited]
        if "quote" in proposed:  # the quote, found inside the cited sentence
            assert ARTICLE[ev.start : ev.end] == ev.quote == proposed["quote"]
            assert proposed["quote"] in shown[cited]
            assert ev.match is MatchKind.EXACT and ev.proposed is None
        else:  # the cited sentence itself
            assert ARTICLE[ev.start : ev.end] == ev.quote == shown[cited] == SEED_SENTENCE
            assert ev.match is MatchKind.SENTENCE and ev.proposed is None
        assert kept.origin == "model"
        assert kept.text == proposed["text"]
    by_id = {c.id: c.attribution for c in result.claims}
    # The text decides who said it; the model's "Umerov" agrees with what the text names.
    umerov = "President Volodymyr Zelenskyy and his national security chief, Rustem Umerov"
    assert (by_id["c1"].source, by_id["c1"].status) == (umerov, "confirmed")
    assert by_id["c1"].kind is SourceKind.PERSON and by_id["c1"].model_source is None
    assert ARTICLE[by_id["c1"].source_start : by_id["c1"].source_end] == umerov
    assert by_id["c2"].cue == "emphasized" and by_id["c2"].status == "confirmed"
    assert "Umerov" in by_id["c2"].source
    assert (by_id["c3"].source, by_id["c3"].status) == ("Ukrainian officials", "confirmed")
    assert ARTICLE[by_id["c3"].source_start : by_id["c3"].source_end] == "Ukrainian officials"
    assert by_id["c4"].source == "unattributed" and by_id["c4"].kind is SourceKind.UNATTRIBUTED
    assert by_id["c4"].status == "article_voice" and by_id["c4"].source_start is None

    assert result.headline == HEADLINE
    assert [(s.text, s.claim_ids) for s in result.summary_sentences] == [
        (SUMMARY_C1_C2["text"], ["c1", "c2"]),
        (SUMMARY_C3_AND_UNKNOWN["text"], ["c3"]),  # the unknown id is dropped
    ]
    assert result.summary == f"{SUMMARY_C1_C2['text']} {SUMMARY_C3_AND_UNKNOWN['text']}"
    assert [(k.text, k.claim_ids) for k in result.key_points] == [(KEY_POINT_C4["text"], ["c4"])]
    assert result.rejected == []

    meta = result.meta
    assert meta.usage == Usage(prompt_tokens=1000, completion_tokens=300, total_tokens=1300)
    assert meta.calls == len(server.requests) == 1
    assert (meta.reasks, meta.reask_rounds, meta.validation_retries) == (0, 0, 0)
    assert [(c.purpose, c.attempts, c.usage) for c in meta.call_log] == [("extract", 1, meta.usage)]
    assert meta.model == "scripted" and meta.base_url == server.base_url


def test_good_extraction_is_kept_with_exact_offsets_and_usage() -> None:
    with serve(_good_script()) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    _check_good_result(result, server)


@pytest.mark.asyncio
async def test_async_good_extraction_is_kept_with_exact_offsets_and_usage() -> None:
    with serve(_good_script()) as server:
        result = await asummarize(ARTICLE, settings=settings_for(server))
    _check_good_result(result, server)


def test_cached_prompt_tokens_are_reported_where_the_server_reports_them() -> None:
    script = [tool_reply("Extraction", extraction(), prompt_tokens=1000, cached_tokens=768)]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    assert result.meta.usage.cached_prompt_tokens == 768
    assert result.meta.call_log[0].usage.cached_prompt_tokens == 768
    assert result.meta.usage.prompt_tokens == 1000


def test_summary_sentence_citing_only_unknown_ids_rests_on_what_backs_it_or_is_rejected() -> None:
    unbacked = {"text": "Mars has two moons.", "claim_ids": ["c7"]}
    script = [
        tool_reply(
            "Extraction",
            extraction(summary=[SUMMARY_C1_C2, SUMMARY_UNKNOWN_ONLY, unbacked]),
        )
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    assert [(s.text, s.claim_ids, s.match) for s in result.summary_sentences] == [
        (SUMMARY_C1_C2["text"], ["c1", "c2"], "cited"),
        # c7 names no claim; c4's evidence says what it says.
        (SUMMARY_UNKNOWN_ONLY["text"], ["c4"], "found"),
    ]
    [rejected] = result.rejected
    assert rejected.kind == "summary_sentence"
    assert rejected.text == unbacked["text"]
    assert "c7" in rejected.reason and "no verified claim" in rejected.reason


# --- 2. Failing claims and the targeted re-ask ------------------------------------------------


def test_hallucinated_quote_and_invented_source_are_rejected_without_reask_budget() -> None:
    """With a tiny re-ask budget nothing is re-asked: the failures end in rejected."""
    script = [tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1000)]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=0.01))

    assert len(server.requests) == 1, "the re-ask does not fit the budget, so it is not sent"
    assert result.meta.reask_rounds == 0
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    c5 = rejection_of(result, "c5")
    assert NOT_BACKED in c5.reason
    assert c5.proposed["source"] == "Reuters"
    assert NOT_BACKED in rejection_of(result, "c6").reason
    # A summary sentence resting only on a rejected claim is rejected too.
    assert [s.text for s in result.summary_sentences] == [SUMMARY_C1_C2["text"]]
    [sentence] = [r for r in result.rejected if r.kind == "summary_sentence"]
    assert sentence.text == SUMMARY_C5["text"] and "c5" in sentence.reason
    assert_verified(result)


def _check_reask_request(request: dict[str, Any]) -> set[str]:
    """A re-ask asks for ClaimFixes, carries only failing claims and never the article: each
    claim with a few candidate sentences, the only ids its schema allows."""
    assert tool_name(request) == "ClaimFixes"
    text = request_text(request)
    assert ARTICLE not in text
    assert len(text) < len(ARTICLE)
    carried = carried_ids(request)
    assert carried and carried <= {"c5", "c6"}, carried
    shown = numbered_sentences(request)
    assert 0 < len(shown) <= 2 * len(carried), "reask_passages (2) sentences a claim at most"
    enum = sentence_enum(request, "fixes")
    assert sorted(enum) == sorted(shown)
    return carried


def _default_budget_script(*, count_tools: bool = True) -> list[Scripted | Counted]:
    return [
        Counted("Extraction", FAILING_EXTRACTION, completion_tokens=400, count_tools=count_tools),
        Counted("ClaimFixes", FIX_C5, completion_tokens=60, count_tools=count_tools),
    ]


def _check_default_budget_reask(
    result: ArticleSummary, server: ScriptedServer, script: list[Scripted | Counted]
) -> None:
    """Default settings, usage counted by the server: the re-ask fixes c5 and total prompt
    tokens stay within (1 + BUDGET) times the first call's."""
    assert_verified(result)
    requests = server.requests
    assert tool_name(requests[0]) == "Extraction"
    assert len(requests) == 2, [tool_name(r) for r in requests]
    carried = _check_reask_request(requests[1])
    assert "c5" in carried
    assert "176 drones" in request_text(requests[1])

    c5 = claim_by_id(result, "c5")
    assert c5.origin == "reask"
    # The re-ask named "Ukrainian officials", but no cue attaches the sentence to anyone: the
    # text decides, and the model's source is kept for inspection only.
    assert c5.attribution.status == "article_voice"
    assert c5.attribution.model_source == "Ukrainian officials"
    # The fix pointed at the sentence that states it, which is now the evidence.
    assert ARTICLE[c5.evidence.start : c5.evidence.end] == STRIKES_SENTENCE
    assert c5.evidence.match is MatchKind.SENTENCE
    assert c5.evidence.sentence_ids == [id_of(requests[1], "176 drones")]
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4", "c5"]
    assert [c.origin for c in result.claims[:4]] == ["model"] * 4
    assert NOT_BACKED in rejection_of(result, "c6").reason
    assert [r.id for r in result.rejected] == ["c6"]
    # The sentence citing c5 survives, now that c5 is verified.
    assert [s.claim_ids for s in result.summary_sentences] == [["c1", "c2"], ["c5"]]

    meta = result.meta
    assert meta.reask_rounds == 1 and meta.reasks == 1
    assert meta.calls == len(requests)
    assert [c.purpose for c in meta.call_log] == ["extract", "reask"]
    assert meta.usage == served_usage(server, script)
    first = meta.call_log[0].usage.prompt_tokens
    assert isinstance(script[0], Counted)
    assert first == script[0].prompt_tokens(requests[0])
    assert meta.usage.prompt_tokens <= (1 + BUDGET) * first


@pytest.mark.parametrize("count_tools", [True, False], ids=["openai-counting", "llama-counting"])
def test_targeted_reask_fixes_invented_source_within_budget(count_tools: bool) -> None:
    script = _default_budget_script(count_tools=count_tools)
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    _check_default_budget_reask(result, server, script)


def test_the_verifier_finds_the_sentences_a_wrongly_cited_claim_states_before_any_reask() -> None:
    """By default, c5 (citing the sentence before the ones that state it) rests on those
    sentences without a re-ask; only c6, which the article never states, is re-asked."""
    script: list[Scripted | Counted] = [
        Counted("Extraction", FAILING_EXTRACTION, completion_tokens=400),
        Counted("ClaimFixes", FIX_C6_STILL_WRONG, completion_tokens=60),
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, find_evidence=True))
    assert_verified(result)
    assert [tool_name(r) for r in server.requests] == ["Extraction", "ClaimFixes"]
    assert _check_reask_request(server.requests[1]) == {"c6"}
    c5 = claim_by_id(result, "c5")
    assert c5.origin == "local_repair" and c5.evidence.match is MatchKind.FOUND
    assert c5.evidence.cited_ids == [id_of(server.requests[0], "Overnight strikes on Odesa")]
    # "overnight" is in the sentence before the one with the drones: both are the evidence.
    assert c5.evidence.sentence_ids == [
        id_of(server.requests[0], "Overnight strikes on Odesa"),
        id_of(server.requests[0], "176 drones"),
    ]
    assert ARTICLE[c5.evidence.start : c5.evidence.end].endswith(STRIKES_SENTENCE)
    assert [r.id for r in result.rejected] == ["c6"]
    assert [s.claim_ids for s in result.summary_sentences] == [["c1", "c2"], ["c5"]]


@pytest.mark.asyncio
async def test_async_targeted_reask_fixes_invented_source_within_budget() -> None:
    script = _default_budget_script()
    with serve(script) as server:
        result = await asummarize(ARTICLE, settings=settings_for(server))
    _check_default_budget_reask(result, server, script)


def test_second_reask_round_carries_only_what_still_fails() -> None:
    """A budget as large as the first prompt: both failures fit in round 1, c5 is fixed, and
    round 2 carries only c6, whose new sentence does not back it either."""
    script: list[Scripted | Counted] = [
        Counted("Extraction", FAILING_EXTRACTION, completion_tokens=400),
        Counted("ClaimFixes", FIX_C5, completion_tokens=60),
        Counted("ClaimFixes", FIX_C6_STILL_WRONG, completion_tokens=40),
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=1.0))

    requests = server.requests
    assert len(requests) == 3
    assert _check_reask_request(requests[1]) == {"c5", "c6"}
    assert _check_reask_request(requests[2]) == {"c6"}
    assert claim_by_id(result, "c5").origin == "reask"
    c6 = rejection_of(result, "c6")
    assert NOT_BACKED in c6.reason
    assert c6.proposed["sentences"] == [id_of(requests[2], "Umerov emphasized")]
    meta = result.meta
    assert meta.reask_rounds == 2 and meta.calls == 3
    assert meta.usage == served_usage(server, script)
    assert meta.usage.prompt_tokens <= 2.0 * meta.call_log[0].usage.prompt_tokens
    assert_verified(result)


def test_reask_rounds_are_capped_by_max_reask_rounds() -> None:
    script: list[Scripted | Counted] = [
        Counted("Extraction", FAILING_EXTRACTION),
        Counted("ClaimFixes", {"fixes": []}),
    ]
    with serve(script) as server:
        result = summarize(
            ARTICLE, settings=settings_for(server, max_reask_rounds=1, reask_budget_ratio=1.0)
        )
    assert len(server.requests) == 2
    assert result.meta.reask_rounds == 1
    assert {r.id for r in result.rejected if r.kind == "claim"} == {"c5", "c6"}


def test_no_reask_when_max_reask_rounds_is_zero() -> None:
    script = [tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1000)]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, max_reask_rounds=0))
    assert len(server.requests) == 1
    assert {r.id for r in result.rejected if r.kind == "claim"} == {"c5", "c6"}


# --- 3. Local repair of a lightly paraphrased quote -------------------------------------------

PARAPHRASED_QUOTE = (
    "Umerov stressed that technical consultations will soon finalize logistical details"
)


def test_lightly_paraphrased_quote_is_repaired_locally_without_reask() -> None:
    paraphrased = {**C2, "quote": PARAPHRASED_QUOTE}
    script = [tool_reply("Extraction", extraction([C1, paraphrased, C3, C4]))]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))

    assert len(server.requests) == 1, "a local repair costs no request"
    assert result.meta.reask_rounds == 0
    c2 = claim_by_id(result, "c2")
    assert c2.origin == "local_repair"
    assert c2.evidence.match is MatchKind.FUZZY
    assert c2.evidence.proposed == PARAPHRASED_QUOTE
    assert c2.evidence.quote == C2["quote"]  # the article's own words
    assert ARTICLE[c2.evidence.start : c2.evidence.end] == C2["quote"]
    assert 90 <= c2.evidence.score < 100
    assert result.rejected == []
    assert_verified(result)


# --- 4. Headline ------------------------------------------------------------------------------

UNBACKED_HEADLINE = "NATO approves Ukrainian membership bid"


@pytest.mark.parametrize(
    ("article", "expected"),
    [(Article(text=ARTICLE, title=TITLE), TITLE), (ARTICLE, "")],
    ids=["with-title", "without-title"],
)
def test_unbacked_headline_is_replaced_by_title_or_empty(
    article: Article | str, expected: str
) -> None:
    script = [tool_reply("Extraction", extraction(headline=UNBACKED_HEADLINE))]
    with serve(script) as server:
        result = summarize(article, settings=settings_for(server))
    assert result.headline == expected
    [rejected] = [r for r in result.rejected if r.kind == "headline"]
    assert rejected.text == UNBACKED_HEADLINE
    assert "not backed" in rejected.reason
    assert len(result.claims) == 4


def test_headline_is_rejected_when_no_claim_is_kept() -> None:
    script = [
        tool_reply(
            "Extraction",
            extraction([HALLUCINATED], summary=[SUMMARY_UNKNOWN_ONLY], key_points=[]),
        )
    ]
    with serve(script) as server:
        result = summarize(
            Article(text=ARTICLE, title=TITLE),
            settings=settings_for(server, reask_budget_ratio=0.01),
        )
    assert result.claims == [] and result.summary_sentences == [] and result.summary == ""
    assert result.headline == TITLE
    assert {r.kind for r in result.rejected} == {"claim", "headline", "summary_sentence"}


# --- 5. Strict mode ---------------------------------------------------------------------------


def test_strict_raises_verification_error_listing_rejected_items() -> None:
    script = [tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1000)]
    with serve(script) as server:
        with pytest.raises(VerificationError) as caught:
            summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=0.01), strict=True)
    error = caught.value
    assert {r.id for r in error.rejected if r.kind == "claim"} == {"c5", "c6"}
    assert any(r.kind == "summary_sentence" for r in error.rejected)
    message = str(error)
    assert message.startswith(f"{len(error.rejected)} proposed item(s) failed verification")
    assert f"claim c6: the claim's words are {NOT_BACKED}" in message
    assert f"claim c5: the claim's words are {NOT_BACKED}" in message


def test_strict_passes_when_everything_verifies() -> None:
    script = [tool_reply("Extraction", extraction(summary=[SUMMARY_C1_C2]))]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server), strict=True)
    assert result.rejected == [] and len(result.claims) == 4


# --- 6. Transport errors ----------------------------------------------------------------------


def _rate_limited_script() -> list[Scripted]:
    return [
        error_reply(429, "slow down", {"Retry-After": "0"}),
        tool_reply("Extraction", extraction(), prompt_tokens=900, completion_tokens=250),
    ]


def _check_rate_limited(result: ArticleSummary, server: ScriptedServer) -> None:
    assert len(server.requests) == 2
    assert server.requests[0] == server.requests[1], "a transport retry resends the same request"
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    # Only the reply that arrived costs tokens; the 429 returned no completion.
    assert result.meta.usage == Usage(prompt_tokens=900, completion_tokens=250, total_tokens=1150)
    assert result.meta.calls == 1
    assert result.meta.validation_retries == 0


def test_rate_limit_with_retry_after_is_retried() -> None:
    with serve(_rate_limited_script()) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    _check_rate_limited(result, server)


@pytest.mark.asyncio
async def test_async_rate_limit_with_retry_after_is_retried() -> None:
    with serve(_rate_limited_script()) as server:
        result = await asummarize(ARTICLE, settings=settings_for(server))
    _check_rate_limited(result, server)


def test_long_retry_after_is_capped_by_backoff_max() -> None:
    script = [
        error_reply(503, "busy", {"Retry-After": "3600"}),
        tool_reply("Extraction", extraction()),
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    assert len(server.requests) == 2
    assert result.meta.elapsed_s < 5
    assert len(result.claims) == 4


def _check_exhausted(error: RetriesExhaustedError, server: ScriptedServer, attempts: int) -> None:
    assert len(server.requests) == attempts
    assert len(error.attempts) == attempts
    assert all("503" in line for line in error.attempts), error.attempts
    assert error.status_code == 503
    assert error.usage == Usage()
    for n in range(1, attempts + 1):
        assert f"attempt {n}: HTTP 503" in str(error)


@pytest.mark.parametrize("max_attempts", [4, 2])
def test_persistent_503_exhausts_retries(max_attempts: int) -> None:
    script = [error_reply(503, "overloaded") for _ in range(4)]
    with serve(script) as server:
        with pytest.raises(RetriesExhaustedError) as caught:
            summarize(ARTICLE, settings=settings_for(server, max_attempts=max_attempts))
    _check_exhausted(caught.value, server, max_attempts)


@pytest.mark.asyncio
async def test_async_persistent_503_exhausts_retries() -> None:
    script = [error_reply(503, "overloaded") for _ in range(4)]
    with serve(script) as server:
        with pytest.raises(RetriesExhaustedError) as caught:
            await asummarize(ARTICLE, settings=settings_for(server, max_attempts=3))
    _check_exhausted(caught.value, server, 3)


@pytest.mark.parametrize("status", [400, 401])
def test_client_errors_are_not_retried(status: int) -> None:
    script = [error_reply(status, "refused"), tool_reply("Extraction", extraction())]
    with serve(script) as server:
        with pytest.raises(ProviderError) as caught:
            summarize(ARTICLE, settings=settings_for(server))
    assert type(caught.value) is ProviderError
    assert caught.value.status_code == status
    assert f"HTTP {status}" in str(caught.value)
    assert len(server.requests) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [400, 401])
async def test_async_client_errors_are_not_retried(status: int) -> None:
    script = [error_reply(status, "refused"), tool_reply("Extraction", extraction())]
    with serve(script) as server:
        with pytest.raises(ProviderError) as caught:
            await asummarize(ARTICLE, settings=settings_for(server))
    assert type(caught.value) is ProviderError
    assert caught.value.status_code == status
    assert len(server.requests) == 1


def _check_failed_reask(result: ArticleSummary, server: ScriptedServer) -> set[str]:
    """A re-ask that failed costs only the claims it carried; what is verified stays."""
    assert len(server.requests) >= 2
    carried = _check_reask_request(server.requests[1])
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    for claim_id in ("c5", "c6"):
        reason = rejection_of(result, claim_id).reason
        assert ("the re-ask failed too" in reason) == (claim_id in carried), (claim_id, reason)
    assert NOT_BACKED in rejection_of(result, "c5").reason
    assert NOT_BACKED in rejection_of(result, "c6").reason
    assert result.meta.reask_rounds == 1
    assert [c.purpose for c in result.meta.call_log] == ["extract", "reask"]
    assert_verified(result)
    return carried


def _reask_unavailable_script() -> list[Scripted]:
    return [
        tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1000, completion_tokens=400),
        *[error_reply(503, "overloaded") for _ in range(2)],
    ]


def test_transport_failure_on_reask_keeps_verified_claims() -> None:
    with serve(_reask_unavailable_script()) as server:
        result = summarize(ARTICLE, settings=settings_for(server, max_attempts=2))
    assert len(server.requests) == 3
    assert "c5" in _check_failed_reask(result, server)
    assert result.meta.usage == Usage(prompt_tokens=1000, completion_tokens=400, total_tokens=1400)


def test_transport_failure_on_reask_is_not_counted_as_validation_retries() -> None:
    """Meta.calls counts HTTP requests that returned a completion (as after a 429 above) and
    validation_retries counts instructor's schema re-asks: two 503s on a re-ask are neither."""
    with serve(_reask_unavailable_script()) as server:
        result = summarize(ARTICLE, settings=settings_for(server, max_attempts=2))
    assert len(server.requests) == 3
    meta = result.meta
    assert meta.validation_retries == 0
    assert meta.reasks == meta.reask_rounds == 1
    assert meta.calls == 1


def test_schema_invalid_reask_keeps_verified_claims_and_counts_its_tokens() -> None:
    script = [
        tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1000, completion_tokens=400),
        tool_reply("ClaimFixes", {}, prompt_tokens=300, completion_tokens=20),
        tool_reply("ClaimFixes", {}, prompt_tokens=350, completion_tokens=20),
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    # Sending the re-ask's conversation again would cost more than the budget it has left.
    assert len(server.requests) == 2
    assert "c5" in _check_failed_reask(result, server)
    reason = rejection_of(result, "c5").reason
    assert "failed schema validation" in reason and "reask_budget_ratio" in reason
    meta = result.meta
    assert meta.usage == scripted_usage(*script[:2])
    assert meta.calls == 2
    assert meta.validation_retries == 0 and meta.reasks == 1
    assert meta.reask_prompt_tokens == 300


# --- 7. Truncated replies ---------------------------------------------------------------------


def _truncated_extraction() -> Scripted:
    return tool_reply(
        "Extraction",
        extraction(),
        prompt_tokens=1000,
        completion_tokens=2048,
        finish_reason="length",
    )


def test_truncated_first_reply_raises_output_truncated() -> None:
    with serve([_truncated_extraction(), tool_reply("Extraction", extraction())]) as server:
        with pytest.raises(OutputTruncatedError) as caught:
            summarize(ARTICLE, settings=settings_for(server))
    assert len(server.requests) == 1, "a truncated reply is not retried"
    assert "max_tokens" in str(caught.value)


def test_truncated_first_reply_reports_the_tokens_it_spent() -> None:
    """OutputTruncatedError.usage "counts what it spent": the truncated reply's tokens."""
    answer = _truncated_extraction()
    with serve([answer]) as server:
        with pytest.raises(OutputTruncatedError) as caught:
            summarize(ARTICLE, settings=settings_for(server))
    assert len(server.requests) == 1
    assert caught.value.usage == scripted_usage(answer)


def _truncated_reask_script() -> list[Scripted]:
    return [
        tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1000, completion_tokens=400),
        tool_reply(
            "ClaimFixes", FIX_C5, prompt_tokens=150, completion_tokens=60, finish_reason="length"
        ),
    ]


@pytest.mark.parametrize("ratio", [BUDGET, 1.0], ids=["roomy-budget", "large-budget"])
def test_truncated_reask_rejects_only_the_carried_claims(ratio: float) -> None:
    with serve(_truncated_reask_script()) as server:
        result = summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=ratio))
    assert len(server.requests) == 2
    carried = _check_failed_reask(result, server)
    assert carried == ({"c5"} if ratio == 0.3 else {"c5", "c6"})
    assert result.meta.calls == 2, "a truncated reply is a completion"
    assert result.meta.validation_retries == 0


def test_truncated_reask_tokens_are_counted_in_meta_usage() -> None:
    script = _truncated_reask_script()
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    assert len(server.requests) == 2
    assert result.meta.usage == scripted_usage(*script)
    assert result.meta.call_log[1].usage == scripted_usage(script[1])


# --- 8. Raw control characters in tool-call arguments -----------------------------------------


def test_raw_newline_inside_json_string_is_accepted_without_reask() -> None:
    claims = [
        {
            **C1,
            "text": "Ukraine and Russia are nearing a framework agreement\nto resume "
            "large-scale prisoner exchanges.",
        },
        C2,
        C3,
        C4,
    ]
    raws: list[str] = []

    def respond(request: dict[str, Any]) -> Scripted:
        # Raw arguments are sent as they are, so the sentence references are resolved here.
        pointed = [
            c | {"sentences": [id_of(request, ref[1:]) for ref in c["sentences"]]} for c in claims
        ]
        raws.append(json.dumps(extraction(pointed)).replace("\\n", "\n"))
        return tool_reply("Extraction", raws[-1], prompt_tokens=1000, completion_tokens=300)

    with ScriptedServer(respond=respond) as server:
        result = summarize(ARTICLE, settings=settings_for(server))
    with pytest.raises(json.JSONDecodeError):
        json.loads(raws[0])  # the arguments really were invalid strict JSON
    assert len(server.requests) == 1
    assert result.meta.validation_retries == 0
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    assert claim_by_id(result, "c1").text == claims[0]["text"]
    assert result.meta.usage.prompt_tokens == 1000


# --- 9. Schema-invalid replies: instructor's validation re-ask --------------------------------

NO_CLAIMS = {k: v for k, v in extraction().items() if k != "claims"}
# A re-ask budget with room for one whole-conversation re-ask of a 1,000-token first prompt:
# instructor's re-ask sends the conversation again (the prompt, the reply, its note of the error).
WHOLE = 2.0


def _invalid_twice_script() -> list[Scripted]:
    return [
        tool_reply("Extraction", NO_CLAIMS, prompt_tokens=1000, completion_tokens=200),
        tool_reply("Extraction", NO_CLAIMS, prompt_tokens=1300, completion_tokens=150),
    ]


def test_schema_invalid_twice_exhausts_validation_retries_with_usage_summed() -> None:
    script = _invalid_twice_script()
    with serve(script) as server:
        with pytest.raises(RetriesExhaustedError) as caught:
            summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=WHOLE))
    error = caught.value
    assert len(server.requests) == 2, "one validation re-ask (max_validation_retries=1)"
    # instructor's re-ask repeats the conversation with the failed reply and the error.
    assert len(server.requests[1]["messages"]) > len(server.requests[0]["messages"])
    assert "claims" in request_text(server.requests[1])
    assert error.usage == scripted_usage(*script)
    assert error.usage.prompt_tokens == 2300
    assert len(error.attempts) == 2
    assert all("failed validation" in line and "claims" in line for line in error.attempts)


@pytest.mark.asyncio
async def test_async_schema_invalid_twice_exhausts_validation_retries() -> None:
    script = _invalid_twice_script()
    with serve(script) as server:
        with pytest.raises(RetriesExhaustedError) as caught:
            await asummarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=WHOLE))
    assert len(server.requests) == 2
    assert caught.value.usage == scripted_usage(*script)


def test_schema_invalid_once_then_valid_counts_the_validation_retry() -> None:
    script = [
        tool_reply("Extraction", NO_CLAIMS, prompt_tokens=1000, completion_tokens=200),
        tool_reply("Extraction", extraction(), prompt_tokens=1300, completion_tokens=300),
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=WHOLE))
    assert len(server.requests) == 2
    assert [c.id for c in result.claims] == ["c1", "c2", "c3", "c4"]
    meta = result.meta
    assert meta.calls == 2
    assert meta.validation_retries == 1 and meta.reasks == 1 and meta.reask_rounds == 0
    assert meta.usage == scripted_usage(*script)
    assert meta.reask_prompt_tokens == 1300, "the whole conversation, sent again"
    assert [(c.purpose, c.attempts) for c in meta.call_log] == [("extract", 2)]


def test_transport_failure_during_validation_reask_is_retried_and_all_tokens_counted() -> None:
    """Invalid reply, then a 503 on instructor's re-ask, then a valid reply after tenacity's
    retry: the invalid reply's tokens still count."""
    script = [
        tool_reply("Extraction", NO_CLAIMS, prompt_tokens=1000, completion_tokens=200),
        error_reply(503, "overloaded"),
        tool_reply("Extraction", extraction(), prompt_tokens=1100, completion_tokens=300),
    ]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=WHOLE))
    assert len(server.requests) == 3
    assert len(result.claims) == 4
    assert result.meta.usage == scripted_usage(script[0], script[2])
    assert result.meta.calls == 2 and result.meta.validation_retries == 1


def test_reply_without_tool_call_is_reasked_by_instructor() -> None:
    plain = tool_reply("Extraction", {}, prompt_tokens=1000, completion_tokens=10)
    assert isinstance(plain.body, dict)
    plain.body["choices"][0]["finish_reason"] = "stop"
    plain.body["choices"][0]["message"] = {"role": "assistant", "content": "Here is a summary."}
    script = [plain, tool_reply("Extraction", extraction(), prompt_tokens=1100)]
    with serve(script) as server:
        result = summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=WHOLE))
    assert len(server.requests) == 2
    assert len(result.claims) == 4
    assert result.meta.validation_retries == 1
    assert result.meta.usage == scripted_usage(*script)


def test_an_unreadable_reply_is_not_reasked_beyond_the_budget() -> None:
    """At a budget too small to send the conversation again, the reply that failed the schema
    ends the call after one request, and the error says why it was not re-asked."""
    with serve(_invalid_twice_script()) as server:
        with pytest.raises(RetriesExhaustedError) as caught:
            summarize(ARTICLE, settings=settings_for(server, reask_budget_ratio=1.2))
    assert len(server.requests) == 1
    error = caught.value
    assert "not re-asked" in str(error) and "reask_budget_ratio 1.2" in str(error)
    assert len(error.attempts) == 1 and "failed validation" in error.attempts[0]
    assert error.usage.prompt_tokens == 1000


def test_a_whole_reask_spends_from_the_targeted_budget() -> None:
    """The whole re-ask's prompt comes out of the budget targeted re-asks share: with room for
    both, the failing claims are re-asked too; with room for the whole re-ask alone, not."""
    script = [
        tool_reply("Extraction", NO_CLAIMS, prompt_tokens=1000, completion_tokens=200),
        tool_reply("Extraction", FAILING_EXTRACTION, prompt_tokens=1300, completion_tokens=400),
        tool_reply("ClaimFixes", FIX_C5, prompt_tokens=300, completion_tokens=60),
    ]
    with serve(script) as server:
        tight = summarize(
            ARTICLE, settings=settings_for(server, reask_budget_ratio=1.4, max_reask_rounds=1)
        )
    assert len(server.requests) == 2, "1,400 of budget less 1,300 re-sent leaves no re-ask"
    assert tight.meta.reask_prompt_tokens == 1300 and tight.meta.reask_rounds == 0
    with serve(script) as server:
        roomy = summarize(
            ARTICLE, settings=settings_for(server, reask_budget_ratio=WHOLE, max_reask_rounds=1)
        )
    assert [tool_name(r) for r in server.requests] == ["Extraction", "Extraction", "ClaimFixes"]
    assert roomy.meta.reask_prompt_tokens == 1300 + 300 and roomy.meta.reask_rounds == 1


def test_max_validation_retries_zero_sends_one_request() -> None:
    with serve(_invalid_twice_script()) as server:
        with pytest.raises(RetriesExhaustedError) as caught:
            summarize(ARTICLE, settings=settings_for(server, max_validation_retries=0))
    assert len(server.requests) == 1
    assert caught.value.usage.prompt_tokens == 1000


# --- 11. Input errors -------------------------------------------------------------------------

BAD_INPUTS = [
    pytest.param("", id="empty"),
    pytest.param("   \n\t ", id="blank"),
    pytest.param(b"bytes", id="bytes"),
    pytest.param(None, id="none"),
    pytest.param(42, id="int"),
    pytest.param(Article(text="  "), id="blank-article"),
]


@pytest.mark.parametrize("article", BAD_INPUTS)
def test_bad_input_raises_before_any_request(article: Any) -> None:
    with serve([tool_reply("Extraction", extraction())]) as server:
        with pytest.raises(InputError):
            summarize(article, settings=settings_for(server))
    assert server.requests == []


def test_too_long_input_raises_before_any_request() -> None:
    with serve([tool_reply("Extraction", extraction())]) as server:
        with pytest.raises(InputError, match="limit is 1,000"):
            summarize(ARTICLE, settings=settings_for(server, max_input_chars=1000))
    assert server.requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize("article", BAD_INPUTS)
async def test_async_bad_input_raises_before_any_request(article: Any) -> None:
    with serve([tool_reply("Extraction", extraction())]) as server:
        with pytest.raises(InputError):
            await asummarize(article, settings=settings_for(server))
    assert server.requests == []
