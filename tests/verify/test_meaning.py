"""The check of meaning: a claim is kept only when its sentences state it.

Cases come from the sample article's 25 hand-written checks (tests/verify/data, offsets into
seeds/prisoner-swap.txt) and from sentences of PolNeAR train articles.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED as SEED_PATH

from summarizer.schema import ClaimDraft
from summarizer.verify.claims import Failure, Verifier
from summarizer.verify.meaning import Words, article_names, check_meaning, parse_words

HERE = Path(__file__).parent
SEED = SEED_PATH.read_text(encoding="utf-8")
SEED_CHECKS = [
    json.loads(line)
    for line in (HERE / "data" / "claimchecks-seed.jsonl").read_text("utf-8").splitlines()
]


def _verifier(text: str) -> Verifier:
    return Verifier(text, fuzzy_threshold=90, min_quote_chars=12, min_support=0.5)


@pytest.fixture(scope="module")
def seed() -> Verifier:
    return _verifier(SEED)


def _cite(verifier: Verifier, spans: list[list[int]]) -> list[str]:
    return [
        s.id for a, b in spans for s in verifier.numbered.sentences if s.start < b and a < s.end
    ]


@pytest.mark.parametrize("check", SEED_CHECKS, ids=[c["id"] for c in SEED_CHECKS])
def test_sample_article_checks(seed: Verifier, check: dict) -> None:
    draft = ClaimDraft(
        id=check["id"], text=check["claim"], sentences=_cite(seed, check["evidence"])
    )
    result = seed.check(draft)
    if check["label"] == 1:
        assert not isinstance(result, Failure), result.reason
    else:
        assert isinstance(result, Failure), f"{check['edit']} kept: {check['claim']}"
        assert result.code == "not_stated" or result.code == "unsupported"


def _why(claim: str, evidence: str, article: str | None = None) -> str | None:
    found = check_meaning(
        parse_words(claim),
        parse_words(evidence).labelled("S1"),
        article_names=article_names(article or evidence),
    )
    return None if found is None else found.reason


# From PolNeAR train articles: a sentence, and claims it states or does not.
TRUMP = (
    "Trump said Thursday that he would not accept the results of the election if he lost, "
    "a remark that drew sharp criticism from Republicans."
)
JOBS = "The unemployment rate fell to 4.9 percent in September, the Labor Department said."


@pytest.mark.parametrize(
    "claim",
    [
        "Trump said he would not accept the election results if he lost.",
        "Trump's remark drew sharp criticism from Republicans.",
        "The unemployment rate fell to 4.9 percent in September.",
    ],
)
def test_faithful_claims_from_train_sentences_pass(claim: str) -> None:
    assert _why(claim, f"{TRUMP} {JOBS}") is None


@pytest.mark.parametrize(
    ("claim", "word"),
    [
        ("Trump said he would accept the election results if he lost.", "accept"),
        ("The unemployment rate rose to 4.9 percent in September.", "rose"),
        ("The unemployment rate fell to 5.9 percent in September.", "5.9"),
        ("Trump's remark drew sharp criticism from Democrats.", "Democrats"),
        ("Trump's remark drew sharp criticism from Republicans in Ohio.", "Ohio"),
    ],
)
def test_unfaithful_claims_from_train_sentences_fail_naming_the_word(claim: str, word: str) -> None:
    why = _why(claim, f"{TRUMP} {JOBS}")
    assert why is not None and f"'{word}" in why, why


def test_reason_names_both_sides_and_the_sentence(seed: Verifier) -> None:
    check = SEED_CHECKS[1]  # "Kyiv refused to buy French Rafale fighter jets."
    result = seed.check(
        ClaimDraft(id="k", text=check["claim"], sentences=_cite(seed, check["evidence"]))
    )
    assert isinstance(result, Failure)
    assert "'refused" in result.reason and "purchase" in result.reason
    assert "S" in result.reason.split(";")[1]


def test_numbers_count_the_same_thing() -> None:
    evidence = "These strikes included 176 drones and one missile."
    assert _why("The strikes included 176 drones and one missile.", evidence) is None
    why = _why("The strikes included 176 missiles and one drone.", evidence)
    assert why is not None and "176 missile" in why and "176 drone" in why


def test_yet_to_is_a_negation() -> None:
    evidence = "Russia has yet to publicly comment on the latest developments."
    assert _why("Russia has not yet commented publicly on the developments.", evidence) is None
    assert _why("Russia has publicly commented on the latest developments.", evidence)


def test_words_of_passages_join_with_their_heads() -> None:
    a, b = parse_words("Kyiv signed a deal."), parse_words("Paris agreed.")
    both = Words.joined([a.labelled("S1"), b.labelled("S2")])
    assert len(both) == len(a) + len(b)
    assert all(h >= len(a) for h in both.head[len(a) :])
    assert both.where[0] == "S1" and both.where[-1] == "S2"


def _seed_sentence(words: str) -> str:
    verifier = _verifier(SEED)
    return next(
        SEED[s.start : s.end] for s in verifier.numbered.sentences if words in SEED[s.start : s.end]
    )


def test_statement_citing_claims_that_do_not_state_it_rests_on_the_one_that_does() -> None:
    from summarizer.schema import SupportedSentence
    from summarizer.verify.statements import verify_statements

    context = {
        "c1": _seed_sentence("nearing a framework agreement"),
        "c5": _seed_sentence("Witkoff has discussed"),
        "c6": _seed_sentence("176 drones"),
        "c7": _seed_sentence("Rafale"),
        "c8": _seed_sentence("yet to publicly comment"),
    }
    point = "Ukraine and Russia are nearing a framework agreement to resume prisoner exchanges."
    kept, rejected = verify_statements(
        [SupportedSentence(text=point, claim_ids=["c5", "c6", "c7", "c8"])],
        context,
        "key_point",
        min_support=0.5,
    )
    assert rejected == []
    assert [(k.claim_ids, k.match) for k in kept] == [(["c1"], "found")]
    # With the one claim that states it gone, it is rejected, and the reason says why.
    del context["c1"]
    kept, rejected = verify_statements(
        [SupportedSentence(text=point, claim_ids=["c5", "c6", "c7", "c8"])],
        context,
        "key_point",
        min_support=0.5,
    )
    assert kept == [] and len(rejected) == 1


def test_statement_contradicting_its_claims_is_rejected_with_the_word() -> None:
    from summarizer.schema import SupportedSentence
    from summarizer.verify.statements import verify_statements

    context = {"c1": _seed_sentence("Rafale")}
    kept, rejected = verify_statements(
        [SupportedSentence(text="Kyiv refused to buy French Rafale jets.", claim_ids=["c1"])],
        context,
        "summary_sentence",
        min_support=0.5,
    )
    assert kept == []
    assert "the summary sentence says 'refused" in rejected[0].reason
    assert "'signed a deal to purchase'" in rejected[0].reason
    assert "c1's evidence" in rejected[0].reason


def test_every_sentence_states_itself(seed: Verifier) -> None:
    """A claim that is its sentence word for word is stated by it, whatever the parse of the
    sentence alone and of its paragraph make of it."""
    for s in seed.numbered.sentences:
        text = SEED[s.start : s.end]
        if len(text) > 300:
            continue
        result = seed.check(ClaimDraft(id="c1", text=text, sentences=[s.id]))
        assert not isinstance(result, Failure), (s.id, result.reason)


def test_a_claim_naming_who_said_it_must_name_the_texts_source(seed: Verifier) -> None:
    cited = [s.id for s in seed.numbered.sentences if "Umerov emphasized" in SEED[s.start : s.end]]
    said = "said technical consultations will soon finalize logistical details."
    kept = seed.check(ClaimDraft(id="c1", text=f"Umerov {said}", sentences=cited))
    assert not isinstance(kept, Failure)
    wrong = seed.check(ClaimDraft(id="c2", text=f"Zelenskyy {said}", sentences=cited))
    assert isinstance(wrong, Failure) and wrong.code == "not_stated"
    assert "Zelenskyy said it" in wrong.reason and "Umerov" in wrong.reason
