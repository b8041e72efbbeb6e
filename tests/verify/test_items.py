"""Replies are read item by item (summarizer.verify.items): a claim, summary sentence or key point
that does not fit its schema costs that item only, claims beyond ``max_claims`` are rejected in
order, and a headline that is not a headline gives way to the article's title.

Tested three ways: summarizer.verify.items directly; end to end through summarize() against a
SCRIPTED loopback server (tests/scripted.py, no model involved); and a property test feeding
generated faulty replies through the pipeline without HTTP (pipeline.from_reply).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import assert_verified
from scripted import (
    SEED_SENTENCE,
    Scripted,
    ScriptedServer,
    claim,
    fast_settings,
    one_claim,
    tool_reply,
)

from summarizer import Article, ArticleSummary, SummarizerError, summarize
from summarizer.llm.call import Reply
from summarizer.pipeline.plan import Plan
from summarizer.pipeline.run import from_reply
from summarizer.result import Usage
from summarizer.schema import Extraction
from summarizer.settings import Settings
from summarizer.text.cleaning import clean
from summarizer.verify.claims import Verifier
from summarizer.verify.items import read_claims, read_headline, read_statements

ARTICLE = (Path(__file__).resolve().parents[2] / "seeds" / "prisoner-swap.txt").read_text(
    encoding="utf-8"
)
TITLE = ARTICLE.splitlines()[0].strip()
LONG_SENTENCE = "Russia has not commented on the developments. " + "It has not. " * 30
TOO_MANY = "more claims than the 12 allowed; the first 12 are kept"
LONG_HEADLINE = "Ukraine and Russia nearing prisoner exchange framework " * 4


def _claim_item(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"c{n}", "sentences": [f"S{n}"], "text": f"Claim number {n}."} | fields


# --- summarizer.verify.items, directly ------------------------------------------------------------


def test_long_summary_sentence_is_rejected_alone() -> None:
    raw = [
        {"text": "First sentence.", "claim_ids": ["c1"]},
        {"text": LONG_SENTENCE, "claim_ids": ["c1"]},
        {"text": "Third sentence.", "claim_ids": ["c2"]},
    ]
    assert len(LONG_SENTENCE) > 300
    kept, rejected = read_statements(raw, "summary_sentence", limit=5)
    assert [k.text for k in kept] == ["First sentence.", "Third sentence."]
    [r] = rejected
    assert r.kind == "summary_sentence" and r.text == LONG_SENTENCE
    assert r.reason.startswith("summary sentence 2 does not fit the schema: text:")
    assert "at most 300 characters" in r.reason
    assert r.proposed == raw[1]


def test_claims_beyond_the_limit_are_rejected_in_order() -> None:
    raw = [_claim_item(n) for n in range(1, 15)]
    kept, rejected = read_claims(raw, limit=12)
    assert [c.id for c in kept] == [f"c{n}" for n in range(1, 13)]
    assert [(r.kind, r.id) for r in rejected] == [("claim", "c13"), ("claim", "c14")]
    assert all(r.reason == TOO_MANY for r in rejected)


def test_a_claim_that_does_not_fit_takes_no_place_among_those_kept() -> None:
    raw = [_claim_item(1, text=""), *(_claim_item(n) for n in range(2, 15))]
    kept, rejected = read_claims(raw, limit=12)
    assert [c.id for c in kept] == [f"c{n}" for n in range(2, 14)]
    assert [r.id for r in rejected] == ["c1", "c14"]
    assert "does not fit the schema" in rejected[0].reason and rejected[1].reason == TOO_MANY


@pytest.mark.parametrize("missing", ["text", "sentences"])
def test_claim_missing_a_field_is_rejected_alone(missing: str) -> None:
    faulty = {k: v for k, v in _claim_item(2).items() if k != missing}
    kept, rejected = read_claims([_claim_item(1), faulty, _claim_item(3)], limit=12)
    assert [c.id for c in kept] == ["c1", "c3"]
    [r] = rejected
    assert r.id == "c2"
    assert r.reason == f"claim 2 does not fit the schema: {missing}: Field required"
    assert r.proposed == faulty


@pytest.mark.parametrize(
    ("fields", "fault"),
    [
        ({"text": "x" * 301}, "text: String should have at most 300 characters"),
        ({"text": ""}, "text: String should have at least 1 character"),
        ({"sentences": []}, "sentences: List should have at least 1 item"),
        ({"sentences": "S1"}, "sentences: Input should be a valid list"),
        ({"text": 5}, "text: Input should be a valid string"),
        ({"source": "s" * 121}, "source: String should have at most 120 characters"),
    ],
    ids=[
        "long-text",
        "empty-text",
        "no-ids",
        "ids-not-list",
        "text-not-string",
        "long-source",
    ],
)
def test_each_faulty_claim_field_is_named_in_the_reason(fields: dict[str, Any], fault: str) -> None:
    kept, rejected = read_claims([_claim_item(1, **fields), _claim_item(2)], limit=12)
    assert [c.id for c in kept] == ["c2"]
    [r] = rejected
    assert fault in r.reason, r.reason


def test_a_field_the_schema_does_not_name_is_dropped_not_the_claim() -> None:
    [kept], rejected = read_claims([_claim_item(1, source_kind="person", cue="said")], limit=12)
    assert rejected == [] and kept.id == "c1"
    assert "source_kind" not in kept.model_dump()


def test_omitted_optional_fields_take_their_defaults() -> None:
    [kept], rejected = read_claims([{"sentences": ["S1"], "text": "A fact."}], limit=12)
    assert rejected == []
    assert (kept.id, kept.source, kept.quote) == ("", "unattributed", "")


@pytest.mark.parametrize("item", ["c1", 7, None, ["S1"], True], ids=repr)
def test_item_that_is_not_an_object_is_rejected_alone(item: Any) -> None:
    kept, rejected = read_claims([item, _claim_item(2)], limit=12)
    assert [c.id for c in kept] == ["c2"]
    [r] = rejected
    assert r.kind == "claim" and r.id is None
    assert r.reason.startswith("claim 1 does not fit the schema")
    assert r.text == str(item)


@pytest.mark.parametrize("kind", ["summary_sentence", "key_point"])
def test_statement_that_is_not_an_object_or_misses_its_claims_is_rejected(kind: Any) -> None:
    raw = ["a bare string", {"text": "No claims cited."}, {"text": "Fine.", "claim_ids": ["c1"]}]
    kept, rejected = read_statements(raw, kind, limit=5)
    assert [k.text for k in kept] == ["Fine."]
    assert [r.kind for r in rejected] == [kind, kind]
    assert "claim_ids: Field required" in rejected[1].reason


def test_headline_too_long_is_rejected() -> None:
    assert len(LONG_HEADLINE.strip()) > 160
    headline, rejected = read_headline(LONG_HEADLINE)
    assert headline == ""
    assert rejected is not None and rejected.kind == "headline"
    assert rejected.text == LONG_HEADLINE and "longer than 160 characters" in rejected.reason


@pytest.mark.parametrize("value", [42, ["A headline"], {"text": "A headline"}, 1.5, True])
def test_headline_that_is_not_text_is_rejected(value: Any) -> None:
    headline, rejected = read_headline(value)
    assert headline == ""
    assert rejected is not None and rejected.kind == "headline"
    assert f"not text (got {type(value).__name__})" in rejected.reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  Prisoner swap nears  ", "Prisoner swap nears"),
        ("x" * 160, "x" * 160),
    ],
)
def test_headline_that_fits_is_kept_stripped(value: Any, expected: str) -> None:
    assert read_headline(value) == (expected, None)


# --- End to end, through a scripted server ----------------------------------------------------


def _summarize(arguments: dict[str, Any], **overrides: Any) -> tuple[ArticleSummary, Any]:
    with ScriptedServer([tool_reply("Extraction", arguments)]) as server:
        result = summarize(
            Article(text=ARTICLE, title=TITLE),
            settings=fast_settings(server, max_reask_rounds=0, **overrides),
        )
    assert len(server.requests) == 1
    return result, server


GOOD = [
    claim(SEED_SENTENCE),
    claim("Kyiv recently signed", id="c2", text="Kyiv signed a deal to buy 100 Rafale jets."),
]


def _extraction(claims: list[Any], **fields: Any) -> dict[str, Any]:
    return {
        "claims": claims,
        "headline": "",
        "summary": [{"text": "Russia has not commented on the developments.", "claim_ids": ["c1"]}],
        "key_points": [],
    } | fields


def test_long_summary_sentence_is_rejected_while_every_claim_is_kept() -> None:
    summary = [
        {"text": LONG_SENTENCE, "claim_ids": ["c1"]},
        {"text": "Kyiv signed a deal for 100 Rafale jets.", "claim_ids": ["c2"]},
    ]
    result, _ = _summarize(_extraction(GOOD, summary=summary))
    assert [c.id for c in result.claims] == ["c1", "c2"]
    assert [s.text for s in result.summary_sentences] == [summary[1]["text"]]
    [r] = result.rejected
    assert r.kind == "summary_sentence" and r.text == LONG_SENTENCE
    assert "at most 300 characters" in r.reason
    assert_verified(result)


def test_fourteen_claims_keep_the_first_twelve() -> None:
    def respond(request: dict[str, Any]) -> Scripted:
        # Fourteen claims, each the text of its own numbered sentence (so each one grounds).
        prompt = "\n".join(m["content"] for m in request["messages"])
        shown = re.findall(r"^\[(S\d+)\] (.*)$", prompt, flags=re.MULTILINE)[:14]
        claims = [
            {"id": f"c{n}", "sentences": [i], "text": text} for n, (i, text) in enumerate(shown, 1)
        ]
        return tool_reply("Extraction", _extraction(claims))

    with ScriptedServer(respond=respond) as server:
        result = summarize(ARTICLE, settings=fast_settings(server, max_reask_rounds=0))
    parameters = server.requests[0]["tools"][0]["function"]["parameters"]
    assert parameters["properties"]["claims"]["maxItems"] == 12, "the model is told the limit"
    assert [c.id for c in result.claims] == [f"c{n}" for n in range(1, 13)]
    claims_rejected = [r for r in result.rejected if r.kind == "claim"]
    assert [r.id for r in claims_rejected] == ["c13", "c14"]
    assert all(r.reason == TOO_MANY for r in claims_rejected)
    assert_verified(result)


def test_max_claims_setting_sets_the_limit() -> None:
    claims = [*GOOD, claim("Umerov reiterated", id="c3", source="Umerov")]
    result, server = _summarize(_extraction(claims), max_claims=2)
    parameters = server.requests[0]["tools"][0]["function"]["parameters"]
    assert parameters["properties"]["claims"]["maxItems"] == 2
    assert [c.id for c in result.claims] == ["c1", "c2"]
    [r] = result.rejected
    assert r.id == "c3" and r.reason == "more claims than the 2 allowed; the first 2 are kept"


@pytest.mark.parametrize("missing", ["text", "sentences"])
def test_claim_missing_a_field_is_rejected_alone_end_to_end(missing: str) -> None:
    faulty = {
        k: v
        for k, v in claim("Umerov reiterated", id="c3", source="Umerov").items()
        if k != missing
    }
    result, _ = _summarize(_extraction([GOOD[0], faulty, GOOD[1]]))
    assert [c.id for c in result.claims] == ["c1", "c2"]
    [r] = result.rejected
    assert r.id == "c3" and f"{missing}: Field required" in r.reason
    assert r.reason.startswith("claim 2 does not fit the schema")
    assert_verified(result)


def test_too_long_headline_is_replaced_by_the_title() -> None:
    result, _ = _summarize(_extraction(GOOD, headline=LONG_HEADLINE))
    assert result.headline == TITLE
    [r] = result.rejected
    assert r.kind == "headline" and "longer than 160 characters" in r.reason
    assert len(result.claims) == 2 and len(result.summary_sentences) == 1


@pytest.mark.parametrize("value", [42, ["Prisoner swap nears"], {"text": "Prisoner swap"}])
def test_headline_that_is_not_text_is_replaced_by_the_title(value: Any) -> None:
    result, _ = _summarize(_extraction(GOOD, headline=value))
    assert result.headline == TITLE
    [r] = result.rejected
    assert r.kind == "headline" and "not text" in r.reason
    assert len(result.claims) == 2


def test_items_that_are_not_objects_are_rejected_alone_end_to_end() -> None:
    claims = ["Russia has yet to comment.", GOOD[0], 7, GOOD[1], None]
    key_points = ["a bare key point", {"text": "Russia has not commented.", "claim_ids": ["c1"]}]
    result, _ = _summarize(_extraction(claims, key_points=key_points))
    assert [c.id for c in result.claims] == ["c1", "c2"]
    rejected = [(r.kind, r.reason.split(" does not")[0]) for r in result.rejected]
    assert rejected == [
        ("claim", "claim 1"),
        ("claim", "claim 3"),
        ("claim", "claim 5"),
        ("key_point", "key point 1"),
    ]
    assert [k.claim_ids for k in result.key_points] == [["c1"]]
    assert_verified(result)


def test_a_faulty_item_in_every_list_leaves_the_rest_of_the_reply() -> None:
    arguments = _extraction(
        [*GOOD, {"id": "c3", "text": "No sentences."}],
        headline="x" * 200,
        summary=[
            {"text": "Russia has not commented on the developments.", "claim_ids": ["c1"]},
            {"text": LONG_SENTENCE, "claim_ids": ["c1"]},
        ],
        key_points=[
            {"claim_ids": ["c2"]},
            {"text": "Kyiv will buy 100 jets.", "claim_ids": ["c2"]},
        ],
    )
    result, _ = _summarize(arguments)
    assert [c.id for c in result.claims] == ["c1", "c2"]
    assert len(result.summary_sentences) == 1 and len(result.key_points) == 1
    assert result.headline == TITLE
    kinds = sorted(r.kind for r in result.rejected)
    assert kinds == ["claim", "headline", "key_point", "summary_sentence"]
    assert_verified(result)


def test_one_claim_reply_is_read_whole() -> None:
    """The scripted helper's reply, with nothing faulty: nothing is rejected."""
    result, _ = _summarize(one_claim())
    assert [c.text for c in result.claims] == [SEED_SENTENCE]
    assert result.rejected == []


# --- Property: generated faulty replies, without HTTP -----------------------------------------

CLEANED = clean(ARTICLE)
_DEFAULTS = Settings()
_NUMBERED = Verifier(
    ARTICLE,
    fuzzy_threshold=_DEFAULTS.fuzzy_threshold,
    min_quote_chars=_DEFAULTS.min_quote_chars,
    min_support=_DEFAULTS.min_support,
    cleaned=CLEANED,
).numbered
SENTENCES = [(s.id, CLEANED.text[s.start : s.end]) for s in _NUMBERED.sentences]

# The faults a claim item can carry, by what must become of it. CLEAN: nothing wrong, or
# something harmless (its sentence cited twice or spelled leniently, a claim id that is empty
# or repeats another's, a source at its longest): the claim is kept. SCHEMA_FAULTS: the item
# does not fit the claim schema; VERIFY_FAULTS: it fits but cites no sentence of the article:
# either way it is rejected. WILD: non-ASCII text in its words, source or ids: either outcome.
CLEAN = (
    "none",
    "duplicate_sentence_id",
    "lenient_sentence_id",
    "empty_claim_id",
    "repeated_claim_id",
    "longest_source",
)
SCHEMA_FAULTS = (
    "long_text",
    "long_source",
    "no_text",
    "no_sentences",
    "empty_text",
    "empty_sentence_list",
    "not_object",
)
VERIFY_FAULTS = ("unknown_sentence_id", "blank_sentence_id")
WILD = ("non_ascii_text", "non_ascii_source", "non_ascii_sentence_id")
FAULTS = CLEAN + SCHEMA_FAULTS + VERIFY_FAULTS + WILD

non_ascii = st.text(
    # No digits: a Unicode digit reads as a sentence number ("S\u0663" is S3).
    alphabet=st.characters(
        min_codepoint=0x80, max_codepoint=0x2FFF, exclude_categories=("Cs", "Nd")
    ),
    min_size=1,
    max_size=20,
)


@st.composite
def claim_items(draw: st.DrawFn, position: int, sentence: int) -> tuple[str, Any]:
    """Claim item ``position`` (from 1), citing sentence ``sentence`` (from 0) and stating it
    word for word, with one fault drawn; returns the fault and the item."""
    fault = draw(st.sampled_from(FAULTS))
    sid, text = SENTENCES[sentence]
    item: dict[str, Any] = {"id": f"c{position}", "sentences": [sid], "text": text}
    if draw(st.booleans()):
        item["source"] = draw(st.sampled_from(["unattributed", "Umerov", "officials", ""]))
    if fault == "duplicate_sentence_id":
        item["sentences"] = [sid, sid]
    elif fault == "lenient_sentence_id":
        item["sentences"] = [draw(st.sampled_from([sid.lower(), f"[{sid}]", sid[1:], f" {sid}"]))]
    elif fault == "empty_claim_id":
        item["id"] = ""
    elif fault == "repeated_claim_id":
        item["id"] = "c1"
    elif fault == "longest_source":
        item["source"] = "s" * 120
    elif fault == "long_text":
        item["text"] = (text + " ") * (300 // len(text) + 1)
    elif fault == "long_source":
        item["source"] = "s" * 121
    elif fault == "no_text":
        del item["text"]
    elif fault == "no_sentences":
        del item["sentences"]
    elif fault == "empty_text":
        item["text"] = ""
    elif fault == "empty_sentence_list":
        item["sentences"] = []
    elif fault == "not_object":
        return fault, draw(st.one_of(st.just(text), st.integers(), st.none(), st.just([sid])))
    elif fault == "unknown_sentence_id":
        item["sentences"] = [draw(st.sampled_from(["S999", "S0", "S-1", "sentence four"]))]
    elif fault == "blank_sentence_id":
        item["sentences"] = [draw(st.sampled_from(["", " ", "\t"]))]
    elif fault == "non_ascii_text":
        item["text"] = draw(st.one_of(non_ascii, non_ascii.map(lambda s: f"{text} {s}")))
    elif fault == "non_ascii_source":
        item["source"] = draw(non_ascii)
    elif fault == "non_ascii_sentence_id":
        item["sentences"] = [draw(non_ascii)]
    return fault, item


Drawn = tuple[list[tuple[str, str]], dict[str, Any]]


@st.composite
def replies(draw: st.DrawFn) -> Drawn:
    """An Extraction-shaped reply for the seed article with item-level faults, and for each
    claim item its fault and the sentence it states. No two items state the same sentence, so
    no claim duplicates another; up to one claim fewer than sentences, more than max_claims."""
    # At least one claim: a reply with none fails as a whole (Extraction's shape).
    count = draw(st.integers(min_value=1, max_value=len(SENTENCES) - 1))
    order = draw(st.permutations(range(len(SENTENCES))))[:count]
    drawn = [draw(claim_items(n, s)) for n, s in enumerate(order, 1)]
    ids = [f"c{n}" for n in range(1, count + 2)]  # one more: an id no claim has
    statement = st.one_of(
        st.fixed_dictionaries(
            {
                "text": st.one_of(
                    st.sampled_from([t for _, t in SENTENCES]), non_ascii, st.just("x" * 301)
                ),
                "claim_ids": st.lists(st.sampled_from(ids), max_size=3),
            }
        ),
        st.integers(),
        st.text(max_size=20),
    )
    raw = {
        "claims": [item for _, item in drawn],
        "headline": draw(
            st.one_of(
                st.sampled_from(["", TITLE, "x" * 161]),
                non_ascii,
                st.integers(),
                st.none(),
                st.lists(st.text(max_size=5), max_size=2),
            )
        ),
        "summary": draw(st.lists(statement, max_size=6)),
        "key_points": draw(st.lists(statement, max_size=4)),
    }
    return [(fault, SENTENCES[s][0]) for (fault, _), s in zip(drawn, order, strict=True)], raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies())
def test_faulty_replies_cost_only_their_faulty_items(drawn: Drawn) -> None:
    items, raw = drawn
    reply = Reply(Extraction.model_validate(raw), Usage(), 1, 0.0)
    try:
        result = from_reply(
            Plan.whole(Article(text=ARTICLE, title=TITLE), "text", CLEANED), reply, "m", Settings()
        )
    except SummarizerError:
        return
    # Items are read in order, and the first max_claims that fit the schema are checked.
    fits = [n for n, (fault, _) in enumerate(items) if fault not in SCHEMA_FAULTS]
    read = set(fits[: _DEFAULTS.max_claims])
    kept_by_sentence = {tuple(c.evidence.sentence_ids): c for c in result.claims}
    for n, (fault, sid) in enumerate(items):
        proposed = raw["claims"][n]
        if fault in CLEAN and n in read:
            kept = kept_by_sentence.get((sid,))
            assert kept is not None, (fault, proposed, result.rejected)
            assert kept.text == proposed["text"] and kept.evidence.quote == proposed["text"]
        elif fault not in WILD or n not in read:
            assert not any(sid in c.evidence.sentence_ids for c in result.claims), (
                fault,
                proposed,
            )
    # Every claim item ends kept or rejected, never both, never lost.
    claims_rejected = [r for r in result.rejected if r.kind == "claim"]
    assert len(result.claims) + len(claims_rejected) == len(items)
    if len(fits) > _DEFAULTS.max_claims:
        # Once max_claims items fit, every later item is one too many, whatever its faults.
        too_many = [r for r in claims_rejected if r.reason == TOO_MANY]
        assert len(too_many) == len(items) - 1 - fits[_DEFAULTS.max_claims - 1]
    for r in result.rejected:
        assert r.reason.strip()
    for c in result.claims:
        assert c.evidence.quote == result.article.text[c.evidence.start : c.evidence.end]
        assert set(c.evidence.sentence_ids) <= set(_NUMBERED.ids)
    assert_verified(result)
