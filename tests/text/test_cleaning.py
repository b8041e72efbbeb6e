"""Page furniture out, story in, offsets kept: plain-text cleaning and HTML extraction."""

from __future__ import annotations

import json
import random

import pytest
from conftest import DEV_SET, SEED, dev_record
from hypothesis import given, settings
from hypothesis import strategies as st
from scripted import one_claim, scripted_server, tool_reply

from summarizer import Article, InputError, Settings, summarize
from summarizer.schema import ClaimDraft
from summarizer.text.cleaning import clean
from summarizer.text.inputs import coerce_article
from summarizer.text.story import unchanged
from summarizer.text.webpage import looks_like_html
from summarizer.verify.claims import Failure, Verifier

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_JUNK = [
    "Quickly understand the history and background of various well-known coins",
    "Latest Articles",
    "Stay ahead of the market.",
    "Get curated U.S. market news, insights and key dates delivered to your inbox.",
    "Comments",
    "No comments yet",
]


def _story_lines(text: str, last: str) -> list[str]:
    story = text[: text.index(last) + len(last)]
    return [line for line in story.splitlines() if line.strip()]


def test_seed_loses_every_junk_line_and_keeps_every_story_paragraph() -> None:
    cleaned = clean(SEED_TEXT)
    kept_lines = {line.strip() for line in cleaned.text.splitlines()}
    for junk in SEED_JUNK:
        assert junk not in kept_lines
    for paragraph in _story_lines(SEED_TEXT, "according to AP news."):
        assert paragraph in cleaned.text
    labels = {r.label for r in cleaned.removed}
    assert {"comments", "call_to_action", "related_links"} <= labels
    for removed in cleaned.removed:
        assert SEED_TEXT[removed.start : removed.end].strip()


def test_cleaned_spans_map_back_to_the_original() -> None:
    cleaned = clean(SEED_TEXT)
    rng = random.Random(0)
    for _ in range(300):
        a = rng.randrange(len(cleaned.text))
        b = rng.randrange(a + 1, min(len(cleaned.text), a + 400) + 1)
        span = cleaned.to_original(a, b)
        assert span is not None, "the seed's story is one contiguous piece"
        assert SEED_TEXT[span[0] : span[1]] == cleaned.text[a:b]


def test_a_span_across_removed_text_does_not_map() -> None:
    text = (
        "The council approved the budget on Monday after a long debate.\n"
        "Related Articles\nBudget row deepens\nMayor under pressure\n"
        "The mayor said the vote was a victory for the city and its residents.\n"
        "Opposition members said they would challenge the decision in court.\n"
    )
    cleaned = clean(text)
    assert "Budget row deepens" not in cleaned.text
    assert "Related Articles" not in cleaned.text
    joint = cleaned.text.index("debate.\nThe mayor")
    assert cleaned.to_original(joint, joint + len("debate.\nThe mayor")) is None
    assert cleaned.removed_at(text.index("Mayor under"), text.index("Mayor under") + 5)


def test_real_short_paragraphs_quotes_and_datelines_stay() -> None:
    text = (
        "Home\nWorld\nBusiness\n"
        "Storm closes ports along the coast\n"
        "By Jane Doe\n"
        "Nov 21, 2025\n"
        "KINGSTON, Jamaica — A powerful storm closed every port on the island on Tuesday, "
        "officials said, as forecasters warned of flooding.\n"
        "“We are ready,” the minister said.\n"
        "Schools will stay shut until Friday, according to the education ministry.\n"
        "Rescue teams were sent to the north coast.\n"
        "He declined to comment.\n"
        "Share this article\nFollow us on Twitter\n© 2025 Example News. All rights reserved.\n"
    )
    cleaned = clean(text)
    for keep in (
        "Storm closes ports along the coast",
        "By Jane Doe",
        "Nov 21, 2025",
        "“We are ready,” the minister said.",
        "Rescue teams were sent to the north coast.",
        "He declined to comment.",
    ):
        assert keep in cleaned.text
    for drop in ("Home\n", "Business\n", "Share this article", "Follow us", "All rights reserved"):
        assert drop not in cleaned.text


def test_text_without_a_story_is_left_alone() -> None:
    text = "Menu\nSearch\nSign in"
    assert clean(text).text == text and not clean(text).removed


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "",
                "Home",
                "Latest Articles",
                "Comments",
                "No comments yet",
                "Subscribe to our newsletter.",
                "The minister said the plan would be published in the autumn after a review.",
                "Short line here",
                "“It is over,” she said.",
                "Officials confirmed that 1,200 prisoners would be exchanged by the month's end.",
                "Émile Zola wrote about the affaire in the newspaper, according to historians.",
            ]
        ),
        max_size=25,
    )
)
def test_cleaning_only_removes_whole_lines_and_maps_exactly(lines: list[str]) -> None:
    text = "\n".join(lines)
    cleaned = clean(text)
    assert cleaned.original == text
    removed_chars = sum(r.end - r.start for r in cleaned.removed)
    assert len(cleaned.text) + removed_chars == len(text)
    for line in cleaned.text.splitlines():
        assert line in lines
    for removed in cleaned.removed:
        assert removed.start == 0 or text[removed.start - 1] == "\n"
    if cleaned.text:
        span = cleaned.to_original(0, 1)
        assert span is None or text[span[0] : span[1]] == cleaned.text[0]


def test_removed_furniture_is_never_offered_as_a_sentence() -> None:
    cleaned = clean(SEED_TEXT)
    verifier = Verifier(
        SEED_TEXT, fuzzy_threshold=90, min_quote_chars=12, min_support=0.5, cleaned=cleaned
    )
    furniture = "Get curated U.S. market news, insights and key dates delivered to your inbox."
    assert furniture in SEED_TEXT and furniture not in verifier.numbered.render()
    last = verifier.numbered.sentences[-1]
    assert cleaned.text[last.start : last.end].endswith("according to AP news.")
    draft = ClaimDraft(
        id="c1",
        sentences=[f"S{verifier.numbered.next_number}"],
        text="Readers get curated U.S. market news delivered to their inbox.",
    )
    result = verifier.check(draft)
    assert isinstance(result, Failure) and result.code == "unknown_sentence"


def test_verifier_on_unchanged_text_matches_verifier_without_cleaning() -> None:
    a = Verifier(SEED_TEXT, fuzzy_threshold=90, min_quote_chars=12, min_support=0.5)
    b = Verifier(SEED_TEXT, fuzzy_threshold=90, min_quote_chars=12, min_support=0.5,
                 cleaned=unchanged(SEED_TEXT))  # fmt: skip
    assert a.index.text == b.index.text == SEED_TEXT


# --- HTML ----------------------------------------------------------------------------------


def _messy(record_id: str) -> dict[str, object]:
    return dev_record(record_id)


@pytest.mark.skipif(not DEV_SET.exists(), reason="the development set lives in ../shared")
def test_html_page_is_extracted_with_metadata() -> None:
    record = _messy("messy-trafilatura-bbc.com.52241221")
    html = str(record["article"])
    assert looks_like_html(html)
    article, source = coerce_article(html, max_chars=60_000, max_html_chars=5_000_000)
    assert source == "html"
    annotations = record["annotations"]
    assert isinstance(annotations, dict)
    for snippet in annotations["must_contain"]:
        assert snippet in article.text
    for snippet in annotations["must_not_contain"]:
        assert snippet not in article.text
    assert article.title and "New York" in article.title
    assert article.published is not None and str(article.published).startswith("2020-04-10")
    cnn, _ = coerce_article(
        str(dev_record("messy-newspaper4k-cnn_article")["article"]),
        max_chars=60_000,
        max_html_chars=5_000_000,
    )
    assert cnn.author and "Dana" in cnn.author


def test_article_html_field_and_bad_html() -> None:
    html = (
        "<html><head><title>Bridge reopens</title></head><body><nav>Home | World</nav>"
        "<article><h1>Bridge reopens</h1><p>The city's main bridge reopened on Monday after "
        "two years of repairs, the mayor said at a ceremony attended by hundreds.</p><p>Traffic "
        "is expected to return to normal levels within a week, according to officials.</p>"
        "</article><footer>Subscribe to our newsletter</footer></body></html>"
    )
    article, source = coerce_article(Article(html=html), max_chars=60_000, max_html_chars=10**6)
    assert source == "html" and "reopened on Monday" in article.text
    assert "Subscribe" not in article.text and article.html is None
    with pytest.raises(InputError, match="No article text"):
        coerce_article(
            Article(html="<html><body></body></html>"), max_chars=10, max_html_chars=10**6
        )
    with pytest.raises(InputError, match="max_html_chars"):
        coerce_article(Article(html=html), max_chars=60_000, max_html_chars=100)


def test_prose_mentioning_tags_is_not_html() -> None:
    assert not looks_like_html(SEED_TEXT)
    assert not looks_like_html("Use the <p> tag for paragraphs, she said.")


# --- clean=False, through the pipeline (SCRIPTED reply) ---------------------------------------


@pytest.mark.parametrize("clean_text", [True, False])
def test_clean_flag(clean_text: bool) -> None:
    with scripted_server([tool_reply("Extraction", one_claim())]) as server:
        result = summarize(
            SEED_TEXT,
            settings=Settings(model="scripted", base_url=server.base_url),
            clean=clean_text,
        )
    sent = json.dumps(server.requests[0])
    assert ("No comments yet" in sent) is not clean_text
    assert bool(result.meta.removed) is clean_text
    assert result.article.text == SEED_TEXT
    (claim,) = result.claims
    assert SEED_TEXT[claim.evidence.start : claim.evidence.end] == claim.evidence.quote


JUNK_INSIDE = (
    "Council approves the harbour budget after a long night of debate.\n"
    "Share on Facebook\nShare on Twitter\n"
    "The vote was 30 to 12, the clerk said after the session ended.\n"
    "Related: Harbour board names a new chair\nRelated: Ferry prices rise again\n"
    "Work on the north pier starts in March, according to the board.\n"
)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_part_of_the_story_maps_back_like_the_whole(data: st.DataObject) -> None:
    whole = clean(JUNK_INSIDE * 3)
    assert whole.removed, "the sample has furniture inside the story"
    n = len(whole.text)
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start + 1, n))
    part, offset = whole.part(start, end)
    assert part.text == whole.text[start:end]
    assert whole.original[offset : offset + len(part.original)] == part.original
    a = data.draw(st.integers(0, end - start - 1))
    b = data.draw(st.integers(a + 1, end - start))
    mapped = part.to_original(a, b)
    expected = whole.to_original(start + a, start + b)
    assert (mapped and (mapped[0] + offset, mapped[1] + offset)) == expected
    for r in part.removed:
        label = whole.removed_at(r.start + offset, r.end + offset)
        assert label is not None and label.label == r.label


# --- finding the story by its prose ------------------------------------------------------------

STATION_MENU = (
    "Skip to content\nWKTV 7 Riverside\nNews\nWeather\nTraffic\nSports\nMorning Live\n"
    "Contests\nCommunity Calendar\nWatch Live\nClosings & Delays\n"
    "Want to be in the audience for Morning Live? Apply now to join us in the studio.\n"
    "Station Jobs\nAdvertise With Us\nSend Us a Tip\n"
    "National News\nDec 1, 2026\n"
)
WIRE_STORY = [
    "Flooding closes bridges as river rises",
    "By Maria Lopez, Associated Press",
    "HARTFORD, Conn. (AP) — Emergency crews closed three bridges over the Connecticut River on "
    "Tuesday as the water rose to its highest level in a decade, officials said.",
    "The river crested at 24 feet in the early afternoon, according to the National Weather "
    "Service, which warned that low-lying roads could stay under water until Thursday.",
    "“We have never seen it come up this fast,” said Tom Reyes, who runs a hardware store "
    "near the water. He spent the morning moving stock to the second floor.",
    "State police said no injuries had been reported, but dozens of drivers were turned back "
    "at barricades on Route 2 and several schools sent students home before noon.",
    "The governor declared an emergency for four counties and asked the federal government "
    "for help with the cost of repairs once the water goes down.",
    "Forecasters expect drier weather by the weekend.",
]
STATION_FOOTER = (
    "Copyright 2026 The Associated Press. All rights reserved.\n"
    "Trending Now\nHigh school scores\nHoliday lights guide\nLottery results\n"
    "Download our app\nContact Us\nFCC Public File\nPrivacy Policy\nTerms of Use\n"
)


def test_a_long_story_after_a_menu_full_of_short_lines_is_kept_whole() -> None:
    story = WIRE_STORY[:4] + ["Advertisement"] + WIRE_STORY[4:]
    page = STATION_MENU + "\n".join(story) + "\n" + STATION_FOOTER
    cleaned = clean(page)
    for paragraph in WIRE_STORY:
        assert paragraph in cleaned.text
    for menu in ("Morning Live\n", "Apply now to join us", "Station Jobs", "Lottery results",
                 "FCC Public File", "All rights reserved", "Advertisement"):  # fmt: skip
        assert menu not in cleaned.text
    assert not cleaned.warnings
    assert set(cleaned.text.splitlines()) - set(WIRE_STORY) <= {"Dec 1, 2026"}  # a dateline
    for paragraph in WIRE_STORY:
        a = cleaned.text.index(paragraph)
        span = cleaned.to_original(a, a + len(paragraph))
        assert span is not None and page[span[0] : span[1]] == paragraph


def test_a_page_whose_only_prose_is_the_story_keeps_all_of_it() -> None:
    story = "\n\n".join(WIRE_STORY[2:]) + "\n"
    assert clean(story).text == story and not clean(story).removed
    page = "Home\nNews\nLocal\n\n" + story + "\nShare this article\nFollow us on Facebook\n"
    cleaned = clean(page)
    assert cleaned.text.strip() == story.strip()
    assert {r.label for r in cleaned.removed} <= {"navigation", "call_to_action"}


def test_cleaning_that_would_cut_the_longest_paragraph_keeps_it_and_warns() -> None:
    teaser = "Officials met again on Monday to discuss the plan, which the council backs fully."
    menu = "\n".join(f"Section {n}" for n in range(30))
    longest = " ".join(WIRE_STORY[2:5])  # after the menu, far from the densest run of prose
    page = "\n".join([teaser] * 6) + "\n" + menu + "\n" + longest + "\n"
    cleaned = clean(page)
    assert longest in cleaned.text and "Section 7" not in cleaned.text
    (warning,) = cleaned.warnings
    assert "longest prose paragraph" in warning


def test_cleaning_that_would_keep_little_of_the_prose_keeps_every_prose_paragraph() -> None:
    islands = [f"{p}\n" + "\n".join(f"Link {k} of {n}" for k in range(12)) for n, p in
               enumerate(WIRE_STORY[2:7])]  # fmt: skip
    page = "\n".join(islands) + "\n"
    cleaned = clean(page)
    for paragraph in WIRE_STORY[2:7]:
        assert paragraph in cleaned.text
    assert "Link 3 of 2" not in cleaned.text
    assert any("of the page's prose" in w for w in cleaned.warnings)


def test_the_warning_reaches_the_result_meta() -> None:
    page = "\n".join(f"{p}\n" + "\n".join(f"Link {k}" for k in range(12)) for p in WIRE_STORY[2:7])
    with scripted_server([tool_reply("Extraction", one_claim())]) as server:
        result = summarize(page, settings=Settings(model="scripted", base_url=server.base_url))
    assert result.meta.warnings == clean(page).warnings != []
    with scripted_server([tool_reply("Extraction", one_claim())]) as server:
        plain = summarize(SEED_TEXT, settings=Settings(model="scripted", base_url=server.base_url))
    assert plain.meta.warnings == []


def test_one_subheading_over_a_dated_line_does_not_end_the_story() -> None:
    page = "\n".join(
        WIRE_STORY[:5]
        + ["How the flood unfolded", "Nov 28, 2026: heavy rain begins upstream"]
        + WIRE_STORY[5:]
    )
    cleaned = clean(page)
    for paragraph in WIRE_STORY:
        assert paragraph in cleaned.text
    teasers = (
        "\nMore News\nMayor opens new library\nNov 30, 2026\nFerry fares to rise\nNov 29, 2026\n"
    )
    cleaned = clean(page + teasers)
    assert cleaned.text.rstrip("\n").endswith(WIRE_STORY[-1])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [""] * 3
            + ["Home", "Weather", "Contests", "Related", "Advertisement", "Top Stories"]
            + ["Latest Articles", "Dec 1, 2026", "By Maria Lopez", "Subscribe to our newsletter."]
            + ["Want to be in the audience? Apply now to join us in the studio today."]
            + WIRE_STORY
        ),
        max_size=40,
    )
)
def test_the_longest_prose_paragraph_always_stays(lines: list[str]) -> None:
    text = "\n".join(lines)
    cleaned = clean(text)
    prose = [line for line in lines if line in WIRE_STORY[2:-1]]
    if prose:
        assert max(prose, key=len) in cleaned.text.splitlines()
    kept = sum(len(line) for line in cleaned.text.splitlines() if line in prose)
    assert kept >= 0.25 * sum(len(line) for line in prose) or cleaned.warnings
