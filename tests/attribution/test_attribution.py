"""Unit and property tests for summarizer.attribution: named sources must occur in the article."""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import SEED as SEED_PATH
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from summarizer.attribution import SourceFinder, distinctive
from summarizer.text.grounding import TextIndex, normalize

SEED = SEED_PATH.read_text(encoding="utf-8")
SEED_FINDER = SourceFinder(TextIndex(SEED))

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def finder(text: str) -> SourceFinder:
    return SourceFinder(TextIndex(text))


def span_of(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


def found_text(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


# --------------------------------------------------------------------------------------------
# Full names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Rustem Umerov",
        "Volodymyr Zelenskyy",
        "Steve Witkoff",
        "Kirill Dmitriev",
        "Ukrainian officials",
        "Trump administration",
        "NATO",
        "U.S.",
    ],
)
def test_full_name_in_seed(name: str) -> None:
    assert SEED_FINDER.find(name) == span_of(SEED, name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("RUSTEM UMEROV", "Rustem Umerov"),
        ("rustem umerov", "Rustem Umerov"),
        ("  Rustem   Umerov\n", "Rustem Umerov"),
        ("Rustem\u00a0Umerov", "Rustem Umerov"),
        ("AP News", "AP news"),
    ],
)
def test_full_name_is_matched_after_normalization(name: str, expected: str) -> None:
    assert SEED_FINDER.find(name) == span_of(SEED, expected)


def test_full_name_first_occurrence_wins() -> None:
    # "Umerov" occurs three times; the first is inside "Rustem Umerov".
    assert SEED.count("Umerov") == 3
    assert SEED_FINDER.find("Umerov") == span_of(SEED, "Umerov")


@pytest.mark.parametrize("name", ["", "   ", "\n\t", "\u200b"])
def test_blank_name_is_not_found(name: str) -> None:
    assert SEED_FINDER.find(name) is None


@pytest.mark.parametrize(
    "name",
    ["Dmitry Peskov", "Kremlin", "White House", "Associated Press", "Reuters", "Emmanuel Macron"],
)
def test_absent_name_is_not_found(name: str) -> None:
    assert SEED_FINDER.find(name) is None


# --------------------------------------------------------------------------------------------
# Distinctive parts of a name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mr. Umerov", "Umerov"),
        ("Defense Minister Umerov", "Umerov"),
        ("Rustem Umerov's office", "Umerov"),  # the surname, at its first occurrence
        ("Witkoff's office", "Witkoff"),
        ("President Zelenskyy", "Zelenskyy"),
        ("Kiril Dmitriev", "Dmitriev"),  # misspelt given name, surname is enough
        ("Special Envoy Dmitriev", "Dmitriev"),
    ],
)
def testdistinctive_part_of_name(name: str, expected: str) -> None:
    assert SEED_FINDER.find(name) == span_of(SEED, expected)


def test_surname_is_tried_before_given_name() -> None:
    # Both "Rustem" and "Zelenskyy" occur; the last token (the surname) wins even though
    # "Rustem" comes first in the name.
    span = SEED_FINDER.find("Rustem Zelenskyy")
    assert span == span_of(SEED, "Zelenskyy")
    assert SEED.index("Zelenskyy") < SEED.index("Rustem")


def test_falls_back_to_given_name_when_surname_is_absent() -> None:
    # "Zelensky" is not a whole word of the text ("Zelenskyy" is), so the given name is used.
    assert SEED_FINDER.find("Volodymyr Zelensky") == span_of(SEED, "Volodymyr")


@pytest.mark.parametrize("name", ["Umer", "Zelensk", "Witkof", "Kyi", "Rafal"])
def test_partial_words_do_not_count(name: str) -> None:
    assert SEED_FINDER.find(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "the president",
        "Prime Minister",
        "the foreign minister",
        "Defense Minister",
        "the national security council",
        "a senior official",
        "government sources",
        "the Ministry of Defence",
        "Mr. President",
        "press office",
        "state media",
    ],
)
def test_titles_and_roles_alone_are_notdistinctive(name: str) -> None:
    # Every word of these either occurs in the article or not; none of them may stand for a
    # named source on its own.
    assert SEED_FINDER.find(name) is None


def test_role_words_do_not_count_even_when_they_occur() -> None:
    text = "The president and the minister met the chief of the security council."
    f = finder(text)
    for name in ["President Smith", "Minister Jones", "Chief Brown", "Security Council head"]:
        assert f.find(name) is None, name
    # The full phrase occurring as written is a match, though.
    assert f.find("the security council") == span_of(text, "the security council")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # "leader" is listed as a role word; its plural must not stand for a name either.
        ("World leaders met in Brussels on Monday.", "EU leaders"),
        ("The ministers met in Brussels on Monday.", "Foreign ministers"),
        ("Spokesmen for the ministry declined to comment.", "Kremlin spokesmen"),
    ],
)
def test_plural_role_words_are_notdistinctive(text: str, name: str) -> None:
    assert finder(text).find(name) is None


def test_digits_are_notdistinctive() -> None:
    assert "2022" in SEED
    assert SEED_FINDER.find("Decree 2022") is None
    assert SEED_FINDER.find("2022") == span_of(SEED, "2022")  # the full name occurs


# --------------------------------------------------------------------------------------------
# Short acronyms
# --------------------------------------------------------------------------------------------


def test_short_all_caps_acronym_counts() -> None:
    assert SEED_FINDER.find("the AP") == span_of(SEED, "AP")
    assert SEED_FINDER.find("AP") == span_of(SEED, "AP")


def test_short_token_not_in_capitals_is_notdistinctive() -> None:
    assert SEED_FINDER.find("the Ap") is None
    assert SEED_FINDER.find("the ap") is None


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("The UN said aid was blocked.", "UN officials", "UN"),
        ("Leaders of the EU met in Brussels.", "the EU", "the EU"),
        ("Leaders of the EU met in Brussels.", "EU", "EU"),
        ("According to AP, talks resumed.", "AP reporters", "AP"),
    ],
)
def test_acronyms_in_other_texts(text: str, name: str, expected: str) -> None:
    assert finder(text).find(name) == span_of(text, expected)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The UN said aid was blocked.", "Un officials"),
        ("President Xi said talks resumed.", "Mr Xi"),  # two letters, not written in capitals
        ("The UN said aid was blocked.", "UNICEF officials"),
    ],
)
def test_short_or_absent_tokens_do_not_match(text: str, name: str) -> None:
    assert finder(text).find(name) is None


def test_acronym_matches_whole_words_only() -> None:
    text = "Unclear results from the UNHCR and the UN."
    assert finder(text).find("UN agency") == (text.rindex("UN"), text.rindex("UN") + 2)


# --------------------------------------------------------------------------------------------
# Non-ASCII names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("Selon François Hollande, rien.", "Francois Hollande", "François Hollande"),
        ("Selon François Hollande, rien.", "FRANÇOIS HOLLANDE", "François Hollande"),
        ("Selon Francois Hollande, rien.", "François Hollande", "Francois Hollande"),
        ("Laut Jürgen Müller-Lüdenscheidt", "Herr Müller-Lüdenscheidt", "Lüdenscheidt"),
        ("Laut Jürgen Müller-Lüdenscheidt", "Jürgen Müller-Lüdenscheidt", None),
        ("وقال الوزير أحمد علي للصحفيين", "أحمد علي", "أحمد علي"),
        ("אמר ראש הממשלה בנימין נתניהו", "נתניהו", "נתניהו"),
        ("据报道。新华社：习近平表示", "新华社", "新华社"),
        ("The 👩\u200d👩\u200d👧 family office said", "👩\u200d👩\u200d👧 family office", None),
    ],
)
def test_non_ascii_names(text: str, name: str, expected: str | None) -> None:
    if expected is None:
        expected = name
    assert finder(text).find(name) == span_of(text, expected)


def test_cjk_name_inside_running_text() -> None:
    # Chinese is written without spaces: "新华社" (Xinhua) occurs in the article, between
    # other characters, and has to be found there.
    text = "据新华社报道，习近平表示会谈取得进展。"
    assert finder(text).find("新华社") == span_of(text, "新华社")


def test_decomposed_text_and_precomposed_name() -> None:
    text = unicodedata.normalize("NFD", "Selon François Hollande, rien.")
    span = finder(text).find("François Hollande")
    assert span == span_of(text, unicodedata.normalize("NFD", "François Hollande"))


def test_span_does_not_cut_a_trailing_combining_mark() -> None:
    # "José" written with a combining acute accent: the span must cover the accent too, as
    # TextIndex.locate does, or it ends in the middle of a character.
    text = "Le ministre Jose\u0301 a parle\u0301."
    span = finder(text).find("José")
    assert found_text(text, span) == "Jose\u0301"
    assert span == span_of(text, "Jose\u0301")


# --------------------------------------------------------------------------------------------
# find_phrase
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("according to", "according to"),
        ("According To", "according to"),
        ("according\n  to", "according to"),
        ("emphasized", "emphasized"),
        ("EMPHASIZED", "emphasized"),
        ("reiterated that", "reiterated that"),
        ("Umerov emphasized", "Umerov emphasized"),
    ],
)
def test_find_phrase(phrase: str, expected: str) -> None:
    assert SEED_FINDER.find_phrase(phrase) == span_of(SEED, expected)


@pytest.mark.parametrize("phrase", ["stated", "said", "accord", "emphasize", "", "  "])
def test_find_phrase_absent_or_partial_word(phrase: str) -> None:
    assert SEED_FINDER.find_phrase(phrase) is None


def test_find_phrase_needs_the_whole_phrase() -> None:
    # Unlike find, find_phrase does not fall back to a distinctive word.
    assert SEED_FINDER.find("Umerov said") == span_of(SEED, "Umerov")
    assert SEED_FINDER.find_phrase("Umerov said") is None


def test_find_phrase_curly_quotes_and_dashes() -> None:
    text = "He called it a “once-in-a-generation” deal."
    span = finder(text).find_phrase('"once\u2013in\u2013a\u2013generation"')
    assert span == span_of(text, "“once-in-a-generation”")


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

SEED_WORDS = [(m.start(), m.end()) for m in re.finditer(r"\w+", SEED)]


@st.composite
def seed_word_run(draw: st.DrawFn) -> str:
    """A run of consecutive whole words of the seed article, as written."""
    i = draw(st.integers(0, len(SEED_WORDS) - 1))
    n = draw(st.integers(1, 4))
    j = min(len(SEED_WORDS) - 1, i + n - 1)
    return SEED[SEED_WORDS[i][0] : SEED_WORDS[j][1]]


@PROPERTY_SETTINGS
@given(name=seed_word_run(), mangle=st.sampled_from(["keep", "upper", "lower", "spaces"]))
@example(name="Rustem Umerov", mangle="upper")
@example(name="U.S.-Russia relations", mangle="lower")
def test_property_whole_word_runs_of_the_article_are_found(name: str, mangle: str) -> None:
    altered = {
        "keep": name,
        "upper": name.upper(),
        "lower": name.lower(),
        "spaces": re.sub(r"\s+", "  \n", name),
    }[mangle]
    span = SEED_FINDER.find(altered)
    assert span is not None
    start, end = span
    assert 0 <= start < end <= len(SEED)
    assert normalize(SEED[start:end]) == normalize(name)
    assert SEED_FINDER.find_phrase(altered) == span


NAME_PARTS = st.sampled_from(
    [
        "Rustem", "Umerov", "Zelenskyy", "Witkoff", "Dmitriev", "the", "president", "minister",
        "AP", "UN", "Ap", "Xi", "2022", "of", "Mr.", "officials", "Kremlin", "Peskov", "Moscow",
        "Ukrainian", "spokesman", "NATO", "Emmanuel",
    ]
)  # fmt: skip


@PROPERTY_SETTINGS
@given(parts=st.lists(NAME_PARTS, min_size=1, max_size=4))
@example(parts=["the", "president"])
@example(parts=["Mr.", "Xi"])
def test_property_any_span_is_the_name_or_one_of_its_distinctive_words(
    parts: list[str],
) -> None:
    name = " ".join(parts)
    span = SEED_FINDER.find(name)
    if span is None:
        # Nothing found: the name does not occur, its last distinctive word (the surname) does
        # not, and fewer than half of its distinctive words do.
        assert SEED_FINDER.find_phrase(name) is None
        marked = [t for t in re.findall(r"\w+", normalize(name)) if distinctive(t, name)]
        present = [t for t in marked if SEED_FINDER.find_phrase(t)]
        assert not marked or SEED_FINDER.find_phrase(marked[-1]) is None
        assert 2 * len(present) < len(marked) or not marked
        return
    start, end = span
    assert 0 <= start < end <= len(SEED)
    found = normalize(SEED[start:end])
    tokens = re.findall(r"\w+", normalize(name))
    assert found == normalize(name) or found in tokens
    # A found single word is never a bare title or role word.
    if found != normalize(name):
        assert found not in {
            "the", "president", "minister", "of", "mr", "officials", "2022", "spokesman"
        }  # fmt: skip
        if len(found) < 3:
            assert found.upper() in parts  # written in capitals in the name


@PROPERTY_SETTINGS
@given(word=st.text(st.characters(codec="ascii", categories=["Ll", "Lu"]), min_size=4))
def test_property_word_not_in_article_is_not_found(word: str) -> None:
    assume(not re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", SEED.casefold()))
    assert SEED_FINDER.find(word) is None
    assert SEED_FINDER.find(f"Minister {word}") is None
