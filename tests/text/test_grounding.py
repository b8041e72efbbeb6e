"""Unit and property tests for summarizer.text.grounding: locating evidence quotes in an article."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import SEED as SEED_PATH
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from summarizer.result import MatchKind
from summarizer.text.grounding import Match, TextIndex, normalize, normalize_with_map
from summarizer.text.sentences import enclosing, sentence_spans

SEED = SEED_PATH.read_text(encoding="utf-8")
THRESHOLD = 90.0

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def locate(text: str, quote: str, threshold: float = THRESHOLD) -> Match | None:
    return TextIndex(text).locate(quote, fuzzy_threshold=threshold)


def span_of(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


def is_word_boundary(text: str, pos: int) -> bool:
    """True when ``pos`` does not fall between two alphanumeric characters."""
    if pos <= 0 or pos >= len(text):
        return True
    return not (text[pos - 1].isalnum() and text[pos].isalnum())


# --------------------------------------------------------------------------------------------
# Exact matches
# --------------------------------------------------------------------------------------------


def test_exact_match_offsets_in_seed() -> None:
    quote = "The negotiations, mediated by Turkey and the United Arab Emirates"
    m = locate(SEED, quote)
    assert m is not None
    assert m.kind is MatchKind.EXACT
    assert (m.start, m.end) == span_of(SEED, quote)
    assert SEED[m.start : m.end] == quote
    assert m.score == 100.0
    assert m.occurrences == 1


def test_exact_match_strips_the_quote_before_searching() -> None:
    quote = "176 drones and one missile"
    m = locate(SEED, f"  \n{quote}\t ")
    assert m is not None
    assert m.kind is MatchKind.EXACT
    assert (m.start, m.end) == span_of(SEED, quote)


def test_exact_match_at_the_very_start_and_end_of_the_text() -> None:
    text = "Alpha beta gamma delta."
    first = locate(text, "Alpha beta")
    last = locate(text, "gamma delta.")
    assert first is not None and (first.start, first.end) == (0, len("Alpha beta"))
    assert last is not None and (last.start, last.end) == (text.index("gamma"), len(text))


def test_exact_match_is_preferred_over_an_earlier_normalized_match() -> None:
    text = "STOP the war. Then stop the war."
    m = locate(text, "stop the war")
    assert m is not None
    assert m.kind is MatchKind.EXACT
    assert m.start == text.index("stop the war")


@pytest.mark.parametrize("quote", ["", "   ", "\n\t", "\u00a0"])
def test_blank_quote_is_not_located(quote: str) -> None:
    assert locate(SEED, quote) is None


def test_quote_of_only_invisible_characters_is_not_located() -> None:
    # Not in the text verbatim, and empty once normalized: nothing to locate.
    assert locate("a\u200bb", "\u200b\u200d") is None
    assert locate("plain text", "\u200b\u2060", threshold=0.0) is None


# --------------------------------------------------------------------------------------------
# Normalized matches
# --------------------------------------------------------------------------------------------


def test_normalized_match_across_whitespace_runs_and_newlines() -> None:
    text = "The talks   resumed\n\non Monday\tin Istanbul."
    m = locate(text, "talks resumed on Monday in Istanbul")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert m.start == text.index("talks")
    assert m.end == text.index("Istanbul") + len("Istanbul")
    assert m.score == 100.0


def test_normalized_match_quote_with_newlines_against_single_spaces() -> None:
    quote = "Russia has yet to\n  publicly comment\non the latest developments"
    m = locate(SEED, quote)
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(
        SEED, "Russia has yet to publicly comment on the latest developments"
    )


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        # curly quotes in the text, straight quotes in the quote
        ("He said “we will win” and left.", '"we will win"', "“we will win”"),
        ("It’s the plan’s core.", "It's the plan's core", "It’s the plan’s core"),
        # straight quotes in the text, curly quotes in the quote
        ('He said "we will win" and left.', "“we will win”", '"we will win"'),
        ("It's done", "It’s done", "It's done"),
        # guillemets fold to straight double quotes
        ("Il a dit «non» hier.", '"non"', "«non»"),
    ],
)
def test_normalized_match_curly_vs_straight_quotes(text: str, quote: str, expected: str) -> None:
    m = locate(text, quote)
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, expected)


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2012", "\u2010", "\u2212", "\uff0d"])
def test_normalized_match_unicode_dashes_vs_hyphen(dash: str) -> None:
    text = f"The U.S.{dash}Russia relations and the 2022{dash}2023 talks."
    m = locate(text, "U.S.-Russia relations and the 2022-2023 talks")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(
        text, f"U.S.{dash}Russia relations and the 2022{dash}2023 talks"
    )


def test_normalized_match_hyphen_in_text_dash_in_quote() -> None:
    quote = "The Istanbul agreements\u2014brokered in 2022"
    m = locate(SEED, quote)
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(SEED, "The Istanbul agreements-brokered in 2022")


@pytest.mark.parametrize(
    "quote",
    [
        "SPECIAL ENVOY STEVE WITKOFF",
        "special envoy steve witkoff",
        "sPECIAL eNVOY sTEVE wITKOFF",
    ],
)
def test_normalized_match_is_case_insensitive(quote: str) -> None:
    m = locate(SEED, quote)
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(SEED, "Special envoy Steve Witkoff")


def test_normalized_match_nbsp_in_text() -> None:
    text = "Kyiv signed a deal for 100\u00a0French Rafale jets."
    m = locate(text, "100 French Rafale jets")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "100\u00a0French Rafale jets")


def test_normalized_match_nbsp_in_quote() -> None:
    m = locate(SEED, "purchase 100\u00a0French\u00a0Rafale fighter jets")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(SEED, "purchase 100 French Rafale fighter jets")


def test_normalized_match_ignores_zero_width_and_soft_hyphen() -> None:
    text = "The infra\u00adstructure was hit by dr\u200bones overnight."
    m = locate(text, "infrastructure was hit by drones")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "infra\u00adstructure was hit by dr\u200bones")


def test_normalized_match_fullwidth_compatibility_forms() -> None:
    text = "Report: ＮＡＴＯ ｍｅｅｔｓ today"
    m = locate(text, "nato meets")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "ＮＡＴＯ ｍｅｅｔｓ")


def test_normalized_match_all_variations_at_once() -> None:
    text = "Officials said: “The grid\u00a0is   stable\u2014for now.”\nMore later."
    quote = '"the GRID is stable-for\n now."'
    m = locate(text, quote)
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "“The grid\u00a0is   stable\u2014for now.”")
    assert normalize(text[m.start : m.end]) == normalize(quote)


# --------------------------------------------------------------------------------------------
# Fuzzy matches
# --------------------------------------------------------------------------------------------

FUZZY_CASES = [
    # one word changed
    (
        "Umerov stressed that technical consultations will soon finalize logistical details",
        "Umerov emphasized that technical consultations will soon finalize logistical details",
    ),
    (
        "Overnight strikes on Odesa region facilities, including a wind power plant, forced "
        "critical infrastructure to switch",
        "Overnight strikes on Odesa region facilities, including a solar power plant, forced "
        "critical infrastructure to switch",
    ),
    # two words changed
    (
        "Special envoy Steve Witkoff has talked about the proposal with Russian envoy Kirill "
        "Dmitriev and Ukrainian officials",
        "Special envoy Steve Witkoff has discussed the proposal with Russian envoy Kirill "
        "Dmitriev and Ukrainian officials",
    ),
]


@pytest.mark.parametrize(("quote", "expected"), FUZZY_CASES)
def test_fuzzy_match_of_lightly_paraphrased_quote(quote: str, expected: str) -> None:
    assert quote not in SEED and normalize(quote) not in normalize(SEED)
    m = locate(SEED, quote)
    assert m is not None
    assert m.kind is MatchKind.FUZZY
    assert THRESHOLD <= m.score <= 100.0
    start, end = span_of(SEED, expected)
    assert m.start == start
    # The aligned window may take in punctuation right after the last word, never more.
    assert end <= m.end <= end + 1
    assert not any(c.isalnum() for c in SEED[end : m.end])
    assert is_word_boundary(SEED, m.start) and is_word_boundary(SEED, m.end)


def test_fuzzy_span_is_snapped_outwards_to_word_boundaries() -> None:
    # A paraphrased quote that also starts and ends in the middle of words.
    quote = "merov stressed that technical consultations will soon finalize logistical detai"
    m = locate(SEED, quote)
    assert m is not None
    assert m.kind is MatchKind.FUZZY
    assert m.score >= THRESHOLD
    expected = (
        "Umerov emphasized that technical consultations will soon finalize logistical details"
    )
    assert (m.start, m.end) == span_of(SEED, expected)
    assert is_word_boundary(SEED, m.start) and is_word_boundary(SEED, m.end)


def test_fuzzy_match_keeps_offsets_exact_in_non_ascii_text() -> None:
    text = (
        "Selon l’Élysée, le président Emmanuel Macron a déclaré que la réforme des retraites "
        "était nécessaire. Fin."
    )
    quote = "le président Emmanuel Macron a affirmé que la réforme des retraites était nécessaire"
    m = locate(text, quote)
    assert m is not None
    assert m.kind is MatchKind.FUZZY
    assert m.score >= THRESHOLD
    expected = (
        "le président Emmanuel Macron a déclaré que la réforme des retraites était nécessaire"
    )
    assert (m.start, m.end) == span_of(text, expected)


def test_fuzzy_score_respects_the_threshold() -> None:
    quote = FUZZY_CASES[0][0]
    m = locate(SEED, quote)
    assert m is not None and m.kind is MatchKind.FUZZY
    # Just above the score it reached, the same quote is no longer accepted.
    assert locate(SEED, quote, threshold=min(100.0, m.score + 1.0)) is None


@pytest.mark.parametrize(
    "quote",
    [
        "The weather in Paris was sunny and warm on Tuesday afternoon",
        "These attacks, which included 176 drones and one rocket, align with Moscow",
        "Ukraine and Russia signed a final peace treaty in Geneva yesterday",
    ],
)
def test_quote_not_in_text_returns_none(quote: str) -> None:
    assert locate(SEED, quote) is None


def test_quote_not_in_text_returns_none_at_threshold_100() -> None:
    assert locate(SEED, FUZZY_CASES[0][0], threshold=100.0) is None


# --------------------------------------------------------------------------------------------
# Non-ASCII text: offsets index the ORIGINAL string
# --------------------------------------------------------------------------------------------

NFC = unicodedata.normalize("NFC", "Señor José Müller-Lüdenscheidt dijo: «Ça va très bien».")
NFD = unicodedata.normalize("NFD", NFC)


def test_nfd_text_is_really_decomposed() -> None:
    assert len(NFD) > len(NFC)
    assert any(unicodedata.combining(c) for c in NFD)


@pytest.mark.parametrize("text", [NFC, NFD], ids=["text-precomposed", "text-decomposed"])
@pytest.mark.parametrize(
    "quote_form", ["NFC", "NFD", "ascii"], ids=["quote-precomposed", "quote-decomposed", "ascii"]
)
def test_accented_text_offsets_are_exact(text: str, quote_form: str) -> None:
    quote = "José Müller-Lüdenscheidt"
    if quote_form == "ascii":
        quote = "Jose Muller-Ludenscheidt"
    else:
        quote = unicodedata.normalize(quote_form, quote)
    m = locate(text, quote)
    assert m is not None
    expected = unicodedata.normalize("NFC" if text == NFC else "NFD", "José Müller-Lüdenscheidt")
    assert (m.start, m.end) == span_of(text, expected)
    if quote == expected:
        assert m.kind is MatchKind.EXACT
    else:
        assert m.kind is MatchKind.NORMALIZED


def test_decomposed_text_span_keeps_trailing_combining_mark() -> None:
    text = "Le ministre Jose\u0301 a parle\u0301 hier."
    m = locate(text, "JOSÉ")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert text[m.start : m.end] == "Jose\u0301"
    assert (m.start, m.end) == span_of(text, "Jose\u0301")


def test_offsets_after_many_decomposed_characters() -> None:
    prefix = unicodedata.normalize("NFD", "Ééé àà üü ñ ") * 5
    text = prefix + "the TARGET phrase here"
    m = locate(text, "target phrase")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "TARGET phrase")


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        # CJK: exact, then full-width/compatibility through normalization
        ("東京で国際会議が開かれた。首相は演説した。", "国際会議が開かれた", "国際会議が開かれた"),
        ("記者：ＡＢＣニュースによると", "abcニュース", "ＡＢＣニュース"),
        # Arabic (RTL) and Arabic with harakat, quote without them
        ("قال الوزير إن المفاوضات مستمرة", "المفاوضات مستمرة", "المفاوضات مستمرة"),
        ("كَتَبَ الصحفي المقال", "كتب الصحفي", "كَتَبَ الصحفي"),
        # Hebrew (RTL) with niqqud, quote without them
        ("אמר: שָׁלוֹם לכולם", "שלום לכולם", "שָׁלוֹם לכולם"),
        ("ראש הממשלה אמר שלום\u00a0לכולם היום", "שלום לכולם", "שלום\u00a0לכולם"),
    ],
)
def test_cjk_and_rtl_offsets(text: str, quote: str, expected: str) -> None:
    m = locate(text, quote)
    assert m is not None
    assert (m.start, m.end) == span_of(text, expected)
    assert m.kind is (MatchKind.EXACT if quote == expected else MatchKind.NORMALIZED)


def test_hebrew_span_ends_after_the_last_niqqud() -> None:
    text = "אמר: שָׁלוֹם"
    m = locate(text, "שלום")
    assert m is not None
    assert m.end == len(text)
    assert m.start == text.index("שָׁלוֹם")


EMOJI_TEXT = (
    "Great news 👍🏽 from the 👩\u200d👩\u200d👧 family: “we are safe” — said María. "
    "🇺🇦 flags waved; ❤️ everywhere."
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("NEWS 👍🏽 FROM", "news 👍🏽 from"),
        ("👩\u200d👩\u200d👧 FAMILY", "👩\u200d👩\u200d👧 family"),
        ("from the 👩\u200d👩\u200d👧", "from the 👩\u200d👩\u200d👧"),
        ('"WE ARE SAFE" - said maria', "“we are safe” — said María"),
        ("🇺🇦 FLAGS", "🇺🇦 flags"),
        ("Waved; ❤️ Everywhere", "waved; ❤️ everywhere"),
    ],
)
def test_emoji_offsets_are_exact(quote: str, expected: str) -> None:
    m = locate(EMOJI_TEXT, quote)
    assert m is not None
    assert (m.start, m.end) == span_of(EMOJI_TEXT, expected)
    assert m.kind is (MatchKind.EXACT if quote == expected else MatchKind.NORMALIZED)


def test_quote_with_zwj_sequence_matches_text_without_joiners() -> None:
    # Invisible joiners are ignored on both sides.
    text = "The 👩👩👧 family arrived."
    m = locate(text, "👩\u200d👩\u200d👧 FAMILY")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "👩👩👧 family")


def test_quote_ending_in_zwj_sequence_keeps_whole_sequence() -> None:
    text = "Welcome the 👩\u200d👧 and others"
    m = locate(text, "WELCOME THE 👩\u200d👧")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "Welcome the 👩\u200d👧")


# --------------------------------------------------------------------------------------------
# Overlapping and repeated quotes
# --------------------------------------------------------------------------------------------


def test_overlapping_quotes_are_each_located() -> None:
    index = TextIndex(SEED)
    q1 = "framework agreement to resume large-scale prisoner exchanges"
    q2 = "large-scale prisoner exchanges, with Kyiv aiming to secure"
    m1 = index.locate(q1, fuzzy_threshold=THRESHOLD)
    m2 = index.locate(q2, fuzzy_threshold=THRESHOLD)
    assert m1 is not None and m2 is not None
    assert (m1.start, m1.end) == span_of(SEED, q1)
    assert (m2.start, m2.end) == span_of(SEED, q2)
    assert m1.start < m2.start < m1.end < m2.end  # they really overlap


def test_overlapping_normalized_quotes_are_each_located() -> None:
    index = TextIndex(SEED)
    q1 = "FRAMEWORK AGREEMENT TO RESUME LARGE\u2013SCALE PRISONER EXCHANGES"
    q2 = "large\u2014scale prisoner   exchanges, with kyiv"
    m1 = index.locate(q1, fuzzy_threshold=THRESHOLD)
    m2 = index.locate(q2, fuzzy_threshold=THRESHOLD)
    assert m1 is not None and m2 is not None
    assert m1.kind is MatchKind.NORMALIZED and m2.kind is MatchKind.NORMALIZED
    assert (m1.start, m1.end) == span_of(
        SEED, "framework agreement to resume large-scale prisoner exchanges"
    )
    assert (m2.start, m2.end) == span_of(SEED, "large-scale prisoner exchanges, with Kyiv")


def test_one_quote_contained_in_another() -> None:
    index = TextIndex(SEED)
    outer = "Kyiv recently signed a deal to purchase 100 French Rafale fighter jets"
    inner = "100 French Rafale"
    mo = index.locate(outer, fuzzy_threshold=THRESHOLD)
    mi = index.locate(inner, fuzzy_threshold=THRESHOLD)
    assert mo is not None and mi is not None
    assert (mo.start, mo.end) == span_of(SEED, outer)
    assert (mi.start, mi.end) == span_of(SEED, inner)
    assert mo.start <= mi.start < mi.end <= mo.end


def test_repeated_exact_quote_returns_first_occurrence_and_counts() -> None:
    text = "He said no. Then he said no again. Finally she said no."
    m = locate(text, "said no")
    assert m is not None
    assert m.kind is MatchKind.EXACT
    assert m.start == text.index("said no")
    assert m.occurrences == 3


def test_repeated_normalized_quote_returns_first_occurrence_and_counts() -> None:
    text = "He said\nno. Then he SAID no again. Finally she said   no."
    m = locate(text, "said no")
    assert m is not None
    assert m.kind is MatchKind.NORMALIZED
    assert (m.start, m.end) == span_of(text, "said\nno")
    assert m.occurrences == 3


def test_repeated_quote_in_seed_counts_occurrences() -> None:
    m = locate(SEED, "according to")
    assert m is not None
    assert m.kind is MatchKind.EXACT
    assert m.start == SEED.index("according to")
    assert m.occurrences == SEED.count("according to")
    assert m.occurrences >= 4


def test_single_occurrence_counts_one() -> None:
    m = locate(SEED, "Kirill Dmitriev")
    assert m is not None and m.occurrences == 1


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        # A normalized hit must not start or end in the middle of what one character folds to.
        ("Straße is long. The s sound.", "THE S SOUND", "The s sound"),
        ("ßs", "S", "s"),
        ("ﬁ i", "I", "i"),
        ("ﬁf", "F", "f"),
    ],
)
def test_normalized_match_does_not_split_a_folded_character(
    text: str, quote: str, expected: str
) -> None:
    m = locate(text, quote)
    assert m is not None
    assert normalize(text[m.start : m.end]) == normalize(quote)
    assert (m.start, m.end) == (text.rindex(expected), text.rindex(expected) + len(expected))


# --------------------------------------------------------------------------------------------
# normalize / normalize_with_map
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hello   World \n", "hello world"),
        ("“Quoted” ‘single’ «guillemets»", '"quoted" \'single\' "guillemets"'),
        ("a–b—c−d", "a-b-c-d"),
        ("Café NAÏVE façade", "cafe naive facade"),
        ("Cafe\u0301", "cafe"),
        ("ＡＢＣ１２３", "abc123"),
        ("Straße", "strasse"),
        ("zero\u200bwidth\u00adsoft", "zerowidthsoft"),
        ("tab\tand\u00a0nbsp\u2003em", "tab and nbsp em"),
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_with_map_maps_back_to_original_indices() -> None:
    text = "A  “Café”\n\u200bé"
    norm, src = normalize_with_map(text)
    assert norm == 'a "cafe" e'
    assert len(src) == len(norm)
    assert list(src) == [0, 1, 3, 4, 5, 6, 7, 8, 9, 11]
    assert text[src[norm.index("c")]] == "C"
    assert text[src[-1]] == "é"


def test_normalize_with_map_expansion_maps_every_char_to_its_source() -> None:
    norm, src = normalize_with_map("aßb")
    assert norm == "assb"
    assert list(src) == [0, 1, 1, 2]


def test_normalize_with_map_does_not_strip_trailing_space() -> None:
    norm, src = normalize_with_map("word  ")
    assert norm == "word "
    assert src[-1] == 4


def test_text_index_normalized_is_cached_and_matches_function() -> None:
    index = TextIndex(SEED)
    assert index.normalized() == normalize_with_map(SEED)
    assert index.normalized() is index.normalized()
    assert index.sentences == sentence_spans(SEED)


# --------------------------------------------------------------------------------------------
# sentence_spans and enclosing
# --------------------------------------------------------------------------------------------


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Line one\nLine two", ["Line one", "Line two"]),
        ("Title\n\n\nBody text. More text.", ["Title", "Body text.", "More text."]),
        ("Wait… Then it came.", ["Wait…", "Then it came."]),
        (
            "U.S.-Russia talks went on. 3.5 million were affected.",
            ["U.S.-Russia talks went on.", "3.5 million were affected."],
        ),
        ("", []),
        ("   \n  \n", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The closing quote or bracket belongs to the sentence it closes.
        ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
        ("He said “Stop.” Then he left.", ["He said “Stop.”", "Then he left."]),
        ("(It ended.) Next one.", ["(It ended.)", "Next one."]),
    ],
)
def test_sentence_spans_keep_closing_quotes(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Hello. World", ["Hello.", "World"]),
        ("Hello \nWorld", ["Hello", "World"]),
        ("Trailing words   ", ["Trailing words"]),
    ],
)
def test_sentence_spans_are_trimmed_of_whitespace(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_sentence_spans_of_seed() -> None:
    spans = sentence_spans(SEED)
    texts = [SEED[a:b] for a, b in spans]
    assert texts[0] == "Prisoner Swap Nears as Russia Escalates Energy Strikes on Ukraine"
    assert "Russia has yet to publicly comment on the latest developments." in texts
    assert (
        "These strikes, which included 176 drones and one missile, align with Moscow's broader "
        "strategy to cripple Ukraine's power grid as winter approaches."
    ) in texts
    assert texts[-1] == "No comments yet"
    assert all(a < b for a, b in spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))


def test_enclosing_within_one_sentence() -> None:
    spans = sentence_spans(SEED)
    quote = "176 drones and one missile"
    start, end = span_of(SEED, quote)
    a, b = enclosing(spans, start, end)
    assert SEED[a:b] == (
        "These strikes, which included 176 drones and one missile, align with Moscow's broader "
        "strategy to cripple Ukraine's power grid as winter approaches."
    )


def test_enclosing_across_two_sentences() -> None:
    spans = sentence_spans(SEED)
    quote = "but challenges remain. Russia has yet to publicly comment on"
    start, end = span_of(SEED, quote)
    a, b = enclosing(spans, start, end)
    assert SEED[a:b] == quote + " the latest developments."
    # Covering half of both sentences brings in both.
    quote = (
        "could stabilize the humanitarian situation, but challenges remain. Russia has yet to "
        "publicly comment"
    )
    start, end = span_of(SEED, quote)
    a, b = enclosing(spans, start, end)
    assert SEED[a:b].startswith("Umerov reiterated that")
    assert SEED[a:b].endswith("on the latest developments.")


def test_enclosing_ignores_a_sentence_it_only_grazes() -> None:
    """The last word of the previous sentence does not lend that sentence's words."""
    spans = sentence_spans(SEED)
    quote = "clashes. Umerov reiterated that the resumption of these agreements"
    start, end = span_of(SEED, quote)
    a, b = enclosing(spans, start, end)
    assert a == start
    assert SEED[a:b].endswith("but challenges remain.")


@pytest.mark.parametrize(
    ("spans", "start", "end", "expected"),
    [
        ([(0, 5), (6, 10), (11, 20)], 7, 12, (6, 12)),  # grazes (11, 20): 1 of 9 chars
        ([(0, 5), (6, 10), (11, 20)], 7, 16, (6, 20)),  # covers over half of both
        ([(0, 5), (6, 10), (11, 20)], 0, 5, (0, 5)),
        ([(0, 5), (6, 10), (11, 20)], 2, 3, (0, 5)),
        ([(0, 5), (6, 10)], 5, 6, (5, 6)),  # only the gap between spans
        ([], 3, 7, (3, 7)),
        ([(0, 5)], 3, 9, (0, 9)),  # reaches past the last span
    ],
)
def test_enclosing(
    spans: list[tuple[int, int]], start: int, end: int, expected: tuple[int, int]
) -> None:
    assert enclosing(spans, start, end) == expected


# --------------------------------------------------------------------------------------------
# Hypothesis properties
# --------------------------------------------------------------------------------------------

SPECIAL_CHARS = [
    *"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    *" .,;:!?'\"-()\n\t",
    "\u00a0", "\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014",
    "é", "É", "\u0301", "\u0308", "ñ", "ü", "ß", "ﬁ",
    "日", "本", "語", "ש", "ל", "ו", "ם", "\u05b8", "ع", "ر", "ب", "\u064e",
    "😀", "👩", "👧", "\u200d", "🏽", "\ufe0f", "\u200b", "\u00ad",
]  # fmt: skip

chars = st.one_of(
    st.sampled_from(SPECIAL_CHARS),
    st.characters(codec="utf-8"),
)
texts = st.text(chars, max_size=60)
WHITESPACE_RUNS = [" ", "  ", "\n", "\t", "\u00a0", " \n ", "\r\n", "\u2003"]


@st.composite
def text_and_slice(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(st.text(chars, min_size=1, max_size=60))
    i = draw(st.integers(0, len(text) - 1))
    j = draw(st.integers(i + 1, len(text)))
    return text, i, j


@PROPERTY_SETTINGS
@given(case=text_and_slice())
@example(case=("abc abc", 4, 7))
@example(case=(" x ", 0, 3))
@example(case=("e\u0301 e\u0301", 2, 5))
def test_property_any_slice_is_found_exactly(case: tuple[str, int, int]) -> None:
    text, i, j = case
    piece = text[i:j]
    assume(piece.strip())
    m = TextIndex(text).locate(piece, fuzzy_threshold=THRESHOLD)
    assert m is not None
    assert m.kind is MatchKind.EXACT
    assert text[m.start : m.end] == piece.strip()
    assert m.start == text.find(piece.strip())
    assert m.occurrences >= 1


@st.composite
def altered_slice(draw: st.DrawFn) -> tuple[str, int, int, str]:
    """A text, a slice of it, and the slice with its case and whitespace changed."""
    text, i, j = draw(text_and_slice())
    out = []
    for ch in text[i:j]:
        if ch.isspace():
            out.append(draw(st.sampled_from(WHITESPACE_RUNS)))
        else:
            change = draw(st.sampled_from(["keep", "upper", "lower", "swap"]))
            out.append(
                {"keep": ch, "upper": ch.upper(), "lower": ch.lower(), "swap": ch.swapcase()}[
                    change
                ]
            )
    return text, i, j, "".join(out)


@PROPERTY_SETTINGS
@given(case=altered_slice())
@example(case=("The Quick  brown\nfox", 4, 20, "quick BROWN fox"))
@example(case=("Zoë said “hi”", 0, 13, "ZOË\tSAID\n“HI”"))
@example(case=("ßs", 1, 2, "S"))  # a normalized hit inside what "ß" folds to
@example(case=("ﬁf", 1, 2, "F"))  # a normalized hit inside what "ﬁ" folds to
def test_property_case_and_whitespace_changes_are_found(case: tuple[str, int, int, str]) -> None:
    text, i, j, altered = case
    # Only alterations that keep the normalized form are required to be found (some case
    # mappings, such as "ı".upper() == "I", are not undone by casefolding).
    assume(normalize(altered) and normalize(altered) == normalize(text[i:j]))
    m = TextIndex(text).locate(altered, fuzzy_threshold=100.0)
    assert m is not None
    assert m.kind in (MatchKind.EXACT, MatchKind.NORMALIZED)
    assert normalize(text[m.start : m.end]) == normalize(altered)


@st.composite
def quote_for(draw: st.DrawFn, text: str) -> str:
    """Either arbitrary text or a slice of ``text`` with a few characters changed."""
    if not text or draw(st.booleans()):
        return draw(texts)
    i = draw(st.integers(0, len(text) - 1))
    j = draw(st.integers(i + 1, len(text)))
    piece = list(text[i:j])
    for _ in range(draw(st.integers(0, 3))):
        if not piece:
            break
        k = draw(st.integers(0, len(piece) - 1))
        piece[k] = draw(chars)
    return "".join(piece)


@st.composite
def text_quote_threshold(draw: st.DrawFn) -> tuple[str, str, float]:
    text = draw(texts)
    quote = draw(quote_for(text))
    threshold = draw(st.one_of(st.sampled_from([0.0, 50.0, 80.0, 90.0, 100.0]), st.floats(0, 100)))
    return text, quote, threshold


@PROPERTY_SETTINGS
@given(case=text_quote_threshold())
@example(case=("BA ", ". A", 50.0))  # the best fuzzy window is only whitespace
@example(case=("BA ", ". A", 0.0))
@example(case=("ab cd", "x . y", 0.0))
@example(case=(SEED, FUZZY_CASES[0][0], THRESHOLD))
def test_property_any_match_is_a_non_empty_span_of_the_text(
    case: tuple[str, str, float],
) -> None:
    text, quote, threshold = case
    m = TextIndex(text).locate(quote, fuzzy_threshold=threshold)
    if m is None:
        return
    assert 0 <= m.start < m.end <= len(text)
    assert text[m.start : m.end].strip()
    assert 0.0 <= m.score <= 100.0
    assert m.occurrences >= 1
    if m.kind is MatchKind.FUZZY:
        assert m.score >= threshold - 0.05  # reported score is rounded to one decimal
    else:
        assert m.score == 100.0


WORDS = [
    "Kyiv", "signed", "deal", "purchase", "French", "Rafale", "fighter", "jets", "advanced",
    "air", "defense", "systems", "aiming", "counter", "Russian", "aerial", "threats", "Moscow",
    "strikes", "drones", "missile", "energy", "grid", "winter", "officials", "said",
]  # fmt: skip


@st.composite
def sentence_and_paraphrase(draw: st.DrawFn) -> tuple[str, str]:
    """An ASCII text of words and a long quote from it with one letter of one word changed."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=12, max_size=30))
    text = " ".join(words)
    i = draw(st.integers(0, len(words) - 10))
    j = draw(st.integers(i + 10, len(words)))
    piece = words[i:j]
    k = draw(st.integers(1, len(piece) - 2))
    word = piece[k]
    pos = draw(st.integers(0, len(word) - 1))
    piece[k] = word[:pos] + ("q" if word[pos] != "q" else "z") + word[pos + 1 :]
    return text, " ".join(piece)


@PROPERTY_SETTINGS
@given(case=sentence_and_paraphrase())
def test_property_fuzzy_span_is_on_word_boundaries(case: tuple[str, str]) -> None:
    text, quote = case
    m = TextIndex(text).locate(quote, fuzzy_threshold=THRESHOLD)
    assert m is not None
    assert m.kind is MatchKind.FUZZY
    assert m.score >= THRESHOLD
    assert is_word_boundary(text, m.start) and is_word_boundary(text, m.end)
    span = text[m.start : m.end]
    assert span == span.strip()
    assert fuzz.ratio(normalize(span), normalize(quote)) >= 80


@PROPERTY_SETTINGS
@given(text=texts)
@example(text="A  “Café”\n\u200bé")
@example(text="aßb\u00a0\u00a0ﬁ")
def test_property_normalize_with_map_is_consistent(text: str) -> None:
    norm, src = normalize_with_map(text)
    assert len(norm) == len(src)
    assert all(0 <= s < len(text) for s in src)
    assert list(src) == sorted(src)
    assert "  " not in norm
    for k, ch in enumerate(norm):
        # Every normalized character comes from the original character it is mapped to.
        assert ch in normalize_with_map("a" + text[src[k]])[0][1:]


@PROPERTY_SETTINGS
@given(text=texts)
@example(text='He said "Stop." Then he left.')
@example(text="  Hello. World")
def test_property_sentence_spans_are_ordered_trimmed_and_cover_the_text(text: str) -> None:
    spans = sentence_spans(text)
    for a, b in spans:
        assert 0 <= a < b <= len(text)
        assert text[a:b].strip() == text[a:b]
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:], strict=False))
    covered = {k for a, b in spans for k in range(a, b)}
    missing = [k for k, ch in enumerate(text) if not ch.isspace() and k not in covered]
    assert not missing, f"characters in no sentence: {[text[k] for k in missing]!r}"


@PROPERTY_SETTINGS
@given(
    text=st.text(chars, min_size=1, max_size=60),
    data=st.data(),
)
def test_property_enclosing_covers_the_span(text: str, data: st.DataObject) -> None:
    spans = sentence_spans(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    a, b = enclosing(spans, start, end)
    assert a <= start and end <= b
    touching = [(min(e, end) - max(s, start), (s, e)) for s, e in spans if e > start and s < end]
    # Every sentence the span covers (half of it, or 40 characters) is inside the result; one
    # it only grazes need not be, unless every overlap is a graze, when the largest counts.
    counted = [se for n, se in touching if n >= 40 or 2 * n >= se[1] - se[0]]
    if touching and not counted:
        counted = [max(touching)[1]]
    for s, e in counted:
        assert a <= s and e <= b
