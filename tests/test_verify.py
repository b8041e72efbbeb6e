"""Unit and property tests for summarizer.verify: turning proposed claims into verified ones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import SEED as SEED_PATH
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from summarizer.attribution import SourceFinder
from summarizer.grounding import TextIndex, enclosing, normalize, sentence_spans
from summarizer.result import Claim, MatchKind, Rejection, SupportedText
from summarizer.schema import ClaimDraft, SourceKind, SupportedSentence
from summarizer.verify import (
    _STOPWORDS,
    Failure,
    Verifier,
    support_score,
    verify_headline,
    verify_statements,
)

SEED = SEED_PATH.read_text(encoding="utf-8")
FUZZY = 90.0
MIN_QUOTE = 12
MIN_SUPPORT = 0.5

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

QUOTE_1200 = "Kyiv aiming to secure the release of 1,200 Ukrainian captives by the end of November"
CLAIM_1200 = "Kyiv aims to secure the release of 1,200 Ukrainian captives by the end of November."
SENTENCE_176 = (
    "These strikes, which included 176 drones and one missile, align with Moscow's broader "
    "strategy to cripple Ukraine's power grid as winter approaches."
)


def make_verifier(
    text: str = SEED,
    *,
    fuzzy_threshold: float = FUZZY,
    min_quote_chars: int = MIN_QUOTE,
    min_support: float = MIN_SUPPORT,
) -> Verifier:
    return Verifier(
        text,
        fuzzy_threshold=fuzzy_threshold,
        min_quote_chars=min_quote_chars,
        min_support=min_support,
    )


VERIFIER = make_verifier()


def draft(**overrides: Any) -> ClaimDraft:
    fields: dict[str, Any] = {
        "id": "c1",
        "text": CLAIM_1200,
        "quote": QUOTE_1200,
        "source": "Volodymyr Zelenskyy",
        "source_kind": SourceKind.PERSON,
        "cue": "according to",
    }
    fields.update(overrides)
    return ClaimDraft(**fields)


def span_of(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


def check_ok(d: ClaimDraft, verifier: Verifier = VERIFIER, *, fixed: bool = False) -> Claim:
    result = verifier.check(d, fixed=fixed)
    assert isinstance(result, Claim), result
    return result


def check_fails(d: ClaimDraft, verifier: Verifier = VERIFIER) -> Failure:
    result = verifier.check(d)
    assert isinstance(result, Failure), result
    return result


# --------------------------------------------------------------------------------------------
# Verifier.check: kept claims
# --------------------------------------------------------------------------------------------


def test_exact_quote_becomes_a_claim() -> None:
    claim = check_ok(draft())
    assert claim.id == "c1"
    assert claim.text == CLAIM_1200
    assert claim.origin == "model"
    ev = claim.evidence
    assert (ev.start, ev.end) == span_of(SEED, QUOTE_1200)
    assert ev.quote == QUOTE_1200 == SEED[ev.start : ev.end]
    assert ev.match is MatchKind.EXACT
    assert ev.score == 100.0
    assert ev.proposed is None
    att = claim.attribution
    assert att.source == "Volodymyr Zelenskyy"
    assert att.kind is SourceKind.PERSON
    assert att.cue == "according to"
    assert (att.source_start, att.source_end) == span_of(SEED, "Volodymyr Zelenskyy")


def test_quote_with_surrounding_whitespace_is_still_exact() -> None:
    claim = check_ok(draft(quote=f"  {QUOTE_1200}\n"))
    assert claim.evidence.match is MatchKind.EXACT
    assert claim.evidence.quote == QUOTE_1200
    assert claim.evidence.proposed is None


def test_normalized_quote_keeps_article_text_and_records_proposal() -> None:
    proposed = QUOTE_1200.upper().replace(" ", "  ")
    claim = check_ok(draft(quote=proposed))
    ev = claim.evidence
    assert ev.match is MatchKind.NORMALIZED
    assert ev.quote == QUOTE_1200
    assert (ev.start, ev.end) == span_of(SEED, QUOTE_1200)
    assert ev.proposed == proposed
    assert ev.score == 100.0
    assert claim.origin == "model"


def test_curly_quote_and_dash_variant_is_normalized() -> None:
    proposed = (
        "The Istanbul agreements\u2014brokered in 2022 have enabled thousands of prisoner swaps"
    )
    claim = check_ok(
        draft(
            text="The Istanbul agreements brokered in 2022 enabled thousands of prisoner swaps.",
            quote=proposed,
            source="unattributed",
            source_kind=SourceKind.UNATTRIBUTED,
            cue="",
        )
    )
    assert claim.evidence.match is MatchKind.NORMALIZED
    assert claim.evidence.quote == proposed.replace("\u2014", "-")
    assert claim.evidence.proposed == proposed


def test_fuzzy_quote_is_repaired_locally() -> None:
    proposed = "Umerov stressed that technical consultations will soon finalize logistical details"
    actual = "Umerov emphasized that technical consultations will soon finalize logistical details"
    claim = check_ok(
        draft(
            text="Umerov said technical consultations will soon finalize logistical details.",
            quote=proposed,
            source="Rustem Umerov",
            cue="emphasized",
        )
    )
    ev = claim.evidence
    assert ev.match is MatchKind.FUZZY
    assert ev.score >= FUZZY
    assert (ev.start, ev.end) == span_of(SEED, actual)
    assert ev.quote == actual
    assert ev.proposed == proposed
    assert claim.origin == "local_repair"
    assert claim.attribution.cue == "emphasized"


@pytest.mark.parametrize("quote", [QUOTE_1200, QUOTE_1200.lower()])
def test_fixed_claim_has_reask_origin(quote: str) -> None:
    assert check_ok(draft(quote=quote), fixed=True).origin == "reask"


def test_fixed_fuzzy_claim_has_reask_origin() -> None:
    claim = check_ok(
        draft(
            text="Umerov said technical consultations will soon finalize logistical details.",
            quote="Umerov stressed that technical consultations will soon finalize logistical "
            "details",
            source="Umerov",
            cue="",
        ),
        fixed=True,
    )
    assert claim.evidence.match is MatchKind.FUZZY
    assert claim.origin == "reask"


# --------------------------------------------------------------------------------------------
# Verifier.check: attribution
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["unattributed", "Unattributed", "UNATTRIBUTED", "", "  ", "none", "None", "N/A", "n/a",
     "article", "The Article", "  the article  "],
)  # fmt: skip
def test_unattributed_source_names(source: str) -> None:
    claim = check_ok(draft(source=source, source_kind=SourceKind.PERSON, cue="according to"))
    att = claim.attribution
    assert att.source == "unattributed"
    assert att.kind is SourceKind.UNATTRIBUTED
    assert att.cue is None
    assert att.source_start is None and att.source_end is None


def test_surname_is_enough_and_span_points_at_it() -> None:
    claim = check_ok(draft(source="Mr. Zelenskyy", cue=""))
    att = claim.attribution
    assert att.source == "Mr. Zelenskyy"
    assert (att.source_start, att.source_end) == span_of(SEED, "Zelenskyy")
    assert att.cue is None


def test_source_is_stripped() -> None:
    claim = check_ok(draft(source="  Rustem Umerov \n"))
    assert claim.attribution.source == "Rustem Umerov"
    assert (claim.attribution.source_start, claim.attribution.source_end) == span_of(
        SEED, "Rustem Umerov"
    )


def test_named_source_labelled_unattributed_becomes_organization() -> None:
    claim = check_ok(draft(source="Ukrainian officials", source_kind=SourceKind.UNATTRIBUTED))
    assert claim.attribution.source == "Ukrainian officials"
    assert claim.attribution.kind is SourceKind.ORGANIZATION


@pytest.mark.parametrize(
    "kind", [SourceKind.PERSON, SourceKind.GOVERNMENT, SourceKind.MEDIA, SourceKind.DOCUMENT]
)
def test_named_source_keeps_its_kind(kind: SourceKind) -> None:
    assert check_ok(draft(source="Rustem Umerov", source_kind=kind)).attribution.kind is kind


@pytest.mark.parametrize(
    ("cue", "expected"),
    [
        ("according to", "according to"),
        ("  According To ", "According To"),
        ("stated", None),  # not in the article: not reported
        ("said", None),
        ("", None),
        ("   ", None),
    ],
)
def test_cue_is_reported_only_when_in_article(cue: str, expected: str | None) -> None:
    assert check_ok(draft(cue=cue)).attribution.cue == expected


def test_acronym_source() -> None:
    claim = check_ok(
        draft(
            text="Zelenskyy called for enhanced Western support.",
            quote="repeated calls from Zelenskyy for enhanced Western support",
            source="the AP",
            source_kind=SourceKind.MEDIA,
            cue="according to",
        )
    )
    assert (claim.attribution.source_start, claim.attribution.source_end) == span_of(SEED, "AP")


# --------------------------------------------------------------------------------------------
# Verifier.check: failures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ["1,200", "Umerov", "   Kyiv   ", "", "the end of"])
def test_quote_too_short(quote: str) -> None:
    failure = check_fails(draft(quote=quote))
    assert failure.code == "quote_too_short"
    assert str(MIN_QUOTE) in failure.reason
    assert repr(quote.strip()) in failure.reason


def test_quote_length_is_measured_after_normalization() -> None:
    quote = "Kyiv     aiming"  # 15 characters, 11 once whitespace is collapsed
    assert len(quote) >= 12 and len(normalize(quote)) == 11
    assert check_fails(draft(quote=quote)).code == "quote_too_short"
    lenient = make_verifier(min_quote_chars=11)
    claim = check_ok(draft(text="Kyiv is aiming for a deal.", quote=quote, cue=""), lenient)
    assert claim.evidence.quote == "Kyiv aiming"


def test_quote_of_exactly_min_length_is_accepted() -> None:
    quote = "Kyiv aiming "  # "kyiv aiming" is 11 characters
    v = make_verifier(min_quote_chars=len(normalize(quote)))
    assert isinstance(v.check(draft(text="Kyiv is aiming for a deal.", quote=quote)), Claim)
    v = make_verifier(min_quote_chars=len(normalize(quote)) + 1)
    assert check_fails(draft(quote=quote), v).code == "quote_too_short"


@pytest.mark.parametrize(
    "quote",
    [
        "The weather in Paris was sunny and warm on Tuesday afternoon",
        "These attacks, which included 176 drones and one rocket, align with Moscow",
    ],
)
def test_quote_not_found(quote: str) -> None:
    failure = check_fails(draft(quote=quote))
    assert failure.code == "quote_not_found"
    assert "90" in failure.reason


@pytest.mark.parametrize("source", ["Dmitry Peskov", "the Kremlin", "the president", "Reuters"])
def test_source_not_found(source: str) -> None:
    failure = check_fails(draft(source=source))
    assert failure.code == "source_not_found"
    assert repr(source) in failure.reason


def test_unsupported_when_number_is_missing() -> None:
    failure = check_fails(
        draft(text="Kyiv aims to secure the release of 5,000 Ukrainian captives by November.")
    )
    assert failure.code == "unsupported"
    assert "0.00" in failure.reason


def test_unsupported_when_words_are_not_in_the_sentence() -> None:
    failure = check_fails(draft(text="Brazil hosted the football championship final in Rio."))
    assert failure.code == "unsupported"
    assert "< 0.5" in failure.reason


def test_support_uses_the_whole_enclosing_sentence() -> None:
    quote = "176 drones and one missile"
    text = "The strikes included 176 drones and aimed to cripple the power grid."
    # Against the quote alone the claim is not backed; against its sentence it is.
    assert support_score(text, quote) < MIN_SUPPORT
    assert support_score(text, SENTENCE_176) >= MIN_SUPPORT
    claim = check_ok(draft(text=text, quote=quote, source="Ukrainian officials", cue=""))
    assert VERIFIER.context(claim) == SENTENCE_176


def test_failure_order_short_before_not_found_before_source_before_support() -> None:
    bad_text = "Brazil hosted the football championship final in Rio."
    assert check_fails(draft(quote="xyz", source="Peskov", text=bad_text)).code == (
        "quote_too_short"
    )
    assert check_fails(
        draft(quote="The weather in Paris was sunny", source="Peskov", text=bad_text)
    ).code == ("quote_not_found")
    assert check_fails(draft(source="Peskov", text=bad_text)).code == "source_not_found"
    assert check_fails(draft(text=bad_text)).code == "unsupported"


def test_min_support_zero_accepts_unrelated_words_but_not_missing_quote() -> None:
    lenient = make_verifier(min_support=0.0)
    assert isinstance(lenient.check(draft(text="Brazil hosted the final.")), Claim)
    assert check_fails(draft(quote="The weather in Paris was sunny"), lenient).code == (
        "quote_not_found"
    )


def test_failure_rejection_and_with_reason() -> None:
    d = draft(source="Dmitry Peskov")
    failure = check_fails(d)
    rejection = failure.rejection()
    assert isinstance(rejection, Rejection)
    assert rejection.kind == "claim"
    assert rejection.id == "c1"
    assert rejection.text == d.text
    assert rejection.reason == failure.reason
    assert rejection.proposed == d.model_dump(mode="json")
    assert rejection.proposed["source_kind"] == "person"

    changed = failure.with_reason("another reason")
    assert changed.reason == "another reason"
    assert changed.code == failure.code and changed.draft is failure.draft
    assert failure.reason != "another reason"  # the original is unchanged


def test_context_of_quote_spanning_two_sentences() -> None:
    quote = "challenges remain. Russia has yet to publicly comment"
    claim = check_ok(
        draft(
            text="Challenges remain and Russia has yet to publicly comment.",
            quote=quote,
            source="unattributed",
            cue="",
        )
    )
    context = VERIFIER.context(claim)
    # "challenges remain." only grazes the long sentence before it: that sentence's other words
    # are not context, the quote's own words are.
    assert (
        context
        == "challenges remain. Russia has yet to publicly comment on the latest developments."
    )


# --------------------------------------------------------------------------------------------
# support_score
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "evidence", "expected"),
    [
        ("Kyiv aims to free 1,200 captives", "Kyiv aims to free 1,200 captives", 1.0),
        # "aims" (stem "aims") is not "aiming" (stem "aimin"): 4 of 5 content words
        ("Kyiv aims to free 1,200 captives", "Kyiv aiming to free 1,200 captives", 0.8),
        ("1200 captives", "1,200 captives", 1.0),  # thousands separators are ignored
        ("1.200 captives", "1,200 captives", 1.0),
        ("1,200 captives", "1200 captives", 1.0),
        ("5,000 captives", "1,200 captives", 0.0),  # a missing number vetoes
        ("3 drones", "3 drones", 1.0),  # short numbers count
        ("4 drones", "3 drones", 0.0),
        ("negotiating parties", "negotiations between parties", 1.0),  # 5-letter stems
        ("alpha bravo charlie delta", "alpha bravo", 0.5),
        ("alpha bravo charlie delta", "alpha bravo charlie", 0.75),
        ("ZELENSKYY CAFÉ", "zelenskyy cafe", 1.0),  # case and accents are ignored
        ("It is in the and of that", "anything", 0.0),  # no content words
        ("", "anything", 0.0),
        ("Kyiv", "", 0.0),
        ("drones", "drone", 1.0),  # stem "drone"
        ("missiles", "missing", 1.0),  # only the first five letters are compared
        ("captives freed", "captured", 0.0),  # "capti" vs "captu"
    ],
)
def test_support_score(claim: str, evidence: str, expected: float) -> None:
    assert support_score(claim, evidence) == pytest.approx(expected)


def test_support_score_of_seed_claim() -> None:
    claim = "Kyiv aims to free 1200 Ukrainian captives"
    # words: kyiv, aims, free, 1200, ukrainian, captives; "aims" and "free" are missing
    assert support_score(claim, SEED) == pytest.approx(4 / 6)


def test_support_score_ignores_stopwords_and_short_words() -> None:
    assert support_score("The drones were there", "drones") == 1.0
    assert support_score("an ox is by me", "nothing") == 0.0


content_word = st.text(st.characters(codec="ascii", categories=["Ll"]), min_size=3, max_size=8)
claim_text = st.lists(
    st.one_of(content_word, st.integers(0, 99999).map(str), st.sampled_from(["the", "said"])),
    min_size=0,
    max_size=8,
).map(" ".join)


@PROPERTY_SETTINGS
@given(claim=claim_text, evidence=claim_text, extra=claim_text)
@example(claim="1,200 captives", evidence="1,200 captives", extra="9")
@example(claim="than", evidence="", extra="")  # a stopword is not a content word
def test_property_support_score_bounds_and_monotonicity(
    claim: str, evidence: str, extra: str
) -> None:
    score = support_score(claim, evidence)
    assert 0.0 <= score <= 1.0
    # More evidence never lowers support.
    assert support_score(claim, f"{evidence} {extra}") >= score
    # A claim backs itself fully, unless it has no content words at all.
    own = support_score(claim, claim)
    assert own in (0.0, 1.0)
    words = [w for w in re.findall(r"\w+", claim) if w not in _STOPWORDS]
    assert own == (1.0 if words else 0.0)


# --------------------------------------------------------------------------------------------
# verify_statements
# --------------------------------------------------------------------------------------------

CONTEXT = {
    "c1": (
        "Ukraine and Russia are nearing a framework agreement to resume large-scale prisoner "
        "exchanges, with Kyiv aiming to secure the release of 1,200 Ukrainian captives by the end "
        "of November."
    ),
    "c2": SENTENCE_176,
}


def sentence(text: str, ids: list[str]) -> SupportedSentence:
    return SupportedSentence(text=text, claim_ids=ids)


def test_statement_citing_kept_claim_is_kept() -> None:
    item = sentence("  Kyiv aims to secure the release of 1,200 captives.  ", ["c1"])
    kept, rejected = verify_statements([item], CONTEXT, "summary_sentence", min_support=MIN_SUPPORT)
    assert rejected == []
    assert kept == [
        SupportedText(text="Kyiv aims to secure the release of 1,200 captives.", claim_ids=["c1"])
    ]


def test_statement_ids_are_stripped_deduplicated_and_filtered() -> None:
    item = sentence(
        "Russian strikes with 176 drones hit Ukraine as Kyiv seeks 1,200 captives.",
        [" c2", "c1", "c2", "c9", "c1 "],
    )
    kept, rejected = verify_statements([item], CONTEXT, "key_point", min_support=MIN_SUPPORT)
    assert rejected == []
    assert kept[0].claim_ids == ["c2", "c1"]


def test_statement_support_pools_all_cited_claims() -> None:
    text = "Kyiv seeks 1,200 captives while 176 drones struck."
    both = verify_statements(
        [sentence(text, ["c1", "c2"])], CONTEXT, "key_point", min_support=MIN_SUPPORT
    )
    one = verify_statements([sentence(text, ["c1"])], CONTEXT, "key_point", min_support=0.5)
    assert len(both[0]) == 1 and not both[1]
    assert not one[0] and len(one[1]) == 1  # "176" is only in c2's evidence


@pytest.mark.parametrize(
    ("ids", "cited"),
    [(["c9"], "c9"), (["c7", "c8"], "c7, c8"), ([], "none")],
)
def test_statement_without_kept_claims_is_rejected(ids: list[str], cited: str) -> None:
    item = sentence("Kyiv aims to secure 1,200 captives.", ids)
    kept, rejected = verify_statements([item], CONTEXT, "summary_sentence", min_support=MIN_SUPPORT)
    assert kept == []
    assert len(rejected) == 1
    r = rejected[0]
    assert r.kind == "summary_sentence"
    assert r.text == item.text
    assert r.reason == f"cites no verified claim (cited: {cited})"
    assert r.proposed == item.model_dump(mode="json")
    assert r.id is None


def test_unsupported_statement_is_rejected_with_reason() -> None:
    item = sentence("Brazil won the football championship final in Rio.", ["c1"])
    kept, rejected = verify_statements([item], CONTEXT, "key_point", min_support=MIN_SUPPORT)
    assert kept == []
    assert rejected[0].kind == "key_point"
    assert "not backed by the evidence of c1" in rejected[0].reason
    assert "< 0.5" in rejected[0].reason


def test_statement_with_wrong_number_is_rejected() -> None:
    item = sentence("Kyiv aims to secure the release of 1,300 captives.", ["c1"])
    kept, rejected = verify_statements([item], CONTEXT, "key_point", min_support=0.1)
    assert kept == []
    assert "support 0.00" in rejected[0].reason


def test_empty_statement_is_rejected_even_when_nothing_else_fails() -> None:
    kept, rejected = verify_statements(
        [sentence("   ", ["c1"])], CONTEXT, "summary_sentence", min_support=0.0
    )
    assert kept == []
    assert rejected[0].reason == "empty statement"


def test_statements_keep_their_order() -> None:
    items = [
        sentence("Kyiv aims to secure 1,200 captives.", ["c1"]),
        sentence("Nonsense about Brazilian football.", ["c1"]),
        sentence("Strikes included 176 drones and one missile.", ["c2"]),
        sentence("Uncited statement.", []),
    ]
    kept, rejected = verify_statements(items, CONTEXT, "summary_sentence", min_support=0.5)
    assert [k.text for k in kept] == [items[0].text, items[2].text]
    assert [r.text for r in rejected] == [items[1].text, items[3].text]


def test_no_statements() -> None:
    assert verify_statements([], CONTEXT, "key_point", min_support=0.5) == ([], [])


# --------------------------------------------------------------------------------------------
# verify_headline
# --------------------------------------------------------------------------------------------


def test_supported_headline_passes() -> None:
    headline = "Kyiv seeks release of 1,200 Ukrainian captives as 176 drones strike"
    assert verify_headline(headline, CONTEXT, min_support=MIN_SUPPORT) is None


@pytest.mark.parametrize("headline", ["", "   ", "\n"])
def test_blank_headline_passes(headline: str) -> None:
    assert verify_headline(headline, CONTEXT, min_support=MIN_SUPPORT) is None
    assert verify_headline(headline, {}, min_support=MIN_SUPPORT) is None


@pytest.mark.parametrize(
    "headline",
    [
        "Brazil wins football championship in Rio",
        "Kyiv seeks release of 5,000 Ukrainian captives",  # wrong number
    ],
)
def test_unsupported_headline_is_rejected(headline: str) -> None:
    rejection = verify_headline(headline, CONTEXT, min_support=MIN_SUPPORT)
    assert rejection is not None
    assert rejection.kind == "headline"
    assert rejection.text == headline
    assert "not backed" in rejection.reason
    assert "< 0.5" in rejection.reason


def test_headline_without_kept_claims_is_rejected() -> None:
    headline = "Kyiv seeks release of 1,200 Ukrainian captives"
    rejection = verify_headline(headline, {}, min_support=MIN_SUPPORT)
    assert rejection is not None
    assert "support 0.00" in rejection.reason
    # With no threshold at all, even an unbacked headline passes.
    assert verify_headline(headline, {}, min_support=0.0) is None


# --------------------------------------------------------------------------------------------
# Properties of Verifier.check on the seed article
# --------------------------------------------------------------------------------------------

SEED_WORDS = [(m.start(), m.end()) for m in re.finditer(r"\S+", SEED)]
SOURCES = [
    "Rustem Umerov", "Umerov", "Zelenskyy", "unattributed", "", "Ukrainian officials", "AP",
    "Dmitry Peskov", "the president", "Kremlin", "Steve Witkoff",
]  # fmt: skip
FINDER = SourceFinder(TextIndex(SEED))
SPANS = sentence_spans(SEED)


@st.composite
def seed_word_run(draw: st.DrawFn) -> str:
    i = draw(st.integers(0, len(SEED_WORDS) - 1))
    j = draw(st.integers(i, min(len(SEED_WORDS) - 1, i + 15)))
    return SEED[SEED_WORDS[i][0] : SEED_WORDS[j][1]]


@PROPERTY_SETTINGS
@given(quote=seed_word_run())
@example(quote=QUOTE_1200)
def test_property_whole_word_quotes_back_themselves(quote: str) -> None:
    """A claim that repeats a quote taken from the article verbatim always passes."""
    assume(len(normalize(quote)) >= MIN_QUOTE)
    assume(support_score(quote, quote) > 0)
    claim = check_ok(draft(text=quote[:300], quote=quote[:400], source="unattributed", cue=""))
    assert claim.evidence.match is MatchKind.EXACT
    assert claim.evidence.quote == quote.strip()
    assert claim.origin == "model"


@PROPERTY_SETTINGS
@given(
    quote=seed_word_run(),
    mangle=st.sampled_from(["keep", "upper", "lower", "spaces", "drop_word"]),
    source=st.sampled_from(SOURCES),
    claim=st.one_of(seed_word_run(), st.just("Brazil won the 2031 football final.")),
)
def test_property_check_results_are_consistent(
    quote: str, mangle: str, source: str, claim: str
) -> None:
    words = quote.split()
    proposed = {
        "keep": quote,
        "upper": quote.upper(),
        "lower": quote.lower(),
        "spaces": "\n  ".join(words),
        "drop_word": " ".join(words[:1] + words[2:]) if len(words) > 3 else quote,
    }[mangle]
    d = draft(text=claim[:300], quote=proposed[:400], source=source, cue="according to")
    result = VERIFIER.check(d)
    if isinstance(result, Failure):
        assert result.draft is d
        too_short = len(normalize(d.quote)) < MIN_QUOTE
        assert (result.code == "quote_too_short") == too_short
        if result.code == "source_not_found":
            assert FINDER.find(source) is None
        return
    ev = result.evidence
    assert 0 <= ev.start < ev.end <= len(SEED)
    assert SEED[ev.start : ev.end] == ev.quote
    if ev.match is MatchKind.EXACT:
        assert ev.proposed is None and ev.quote == d.quote.strip()
    elif ev.match is MatchKind.NORMALIZED:
        assert normalize(ev.proposed or "") == normalize(ev.quote)
        assert result.origin == "model"
    else:
        assert ev.score >= FUZZY and result.origin == "local_repair"
    att = result.attribution
    if att.kind is SourceKind.UNATTRIBUTED:
        assert att.source == "unattributed" and att.source_start is None
    else:
        assert (att.source_start, att.source_end) == FINDER.find(source)
    a, b = enclosing(SPANS, ev.start, ev.end)
    assert support_score(result.text, SEED[a:b]) >= MIN_SUPPORT
    assert VERIFIER.context(result) == SEED[a:b]
