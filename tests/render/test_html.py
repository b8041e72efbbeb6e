"""HTML and terminal reports: highlights match the evidence, and untrusted text stays text.

Results are built by hand from the seed article, with offsets found by ``str.index``, so the
tests need no model and no recording. test_html_browser.py reuses the builders below.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

from conftest import SEED
from rich.console import Console

from summarizer.render.html import to_html_fragment, to_html_page
from summarizer.render.terminal import render_terminal
from summarizer.result import ArticleSummary

SEED_TEXT = SEED.read_text(encoding="utf-8")


def _evidence(
    text: str, quote: str, *, match: str = "exact", score: float = 100.0
) -> dict[str, Any]:
    start = text.index(quote)
    return {
        "quote": quote,
        "start": start,
        "end": start + len(quote),
        "match": match,
        "score": score,
    }


def _claim(
    text: str,
    cid: str,
    claim: str,
    quote: str,
    source: str,
    kind: str,
    cue: str | None = None,
    origin: str = "model",
    **evidence: Any,
) -> dict[str, Any]:
    named = source != "unattributed"
    start = text.index(source) if named and source in text else None
    return {
        "id": cid,
        "text": claim,
        "attribution": {
            "source": source,
            "kind": kind,
            "cue": cue,
            "source_start": start,
            "source_end": None if start is None else start + len(source),
        },
        "evidence": _evidence(text, quote, **evidence),
        "origin": origin,
    }


def _meta(**overrides: Any) -> dict[str, Any]:
    usage = {"prompt_tokens": 1480, "completion_tokens": 612, "total_tokens": 2092}
    meta: dict[str, Any] = {
        "model": "SmolLM2-135M-Instruct.Q4_1",
        "backend": "local",
        "base_url": "http://127.0.0.1:8080/v1",
        "prompt_version": "v3-1a2b3c4d",
        "usage": usage,
        "calls": 2,
        "reasks": 1,
        "reask_rounds": 1,
        "validation_retries": 0,
        "elapsed_s": 7.42,
        "library_version": "0.1.0",
        "input_format": "text",
        "removed": [],
        "call_log": [
            {"purpose": "extract", "attempts": 1, "usage": usage, "seconds": 6.1},
            {"purpose": "reask", "attempts": 1, "usage": usage, "seconds": 1.3},
        ],
    }
    meta.update(overrides)
    return meta


def _removed(text: str) -> list[dict[str, Any]]:
    """The seed's page furniture, labelled as summarizer.text.cleaning labels it."""
    cuts = [
        ("Quickly understand", "after_story"),
        ("Latest Articles", "related_links"),
        ("Stay ahead of the market.", "call_to_action"),
        ("\n\n\n\nComments", "comments"),
    ]
    starts = [text.index(marker) for marker, _ in cuts] + [len(text)]
    return [
        {"start": starts[i], "end": starts[i + 1], "label": label}
        for i, (_, label) in enumerate(cuts)
    ]


def seed_result() -> ArticleSummary:
    """A realistic result for the seed article: overlapping, nested and unattributed claims."""
    t = SEED_TEXT
    claims = [
        _claim(
            t, "c1", "Kyiv aims to free 1,200 Ukrainian captives by the end of November.",
            "Kyiv aiming to secure the release of 1,200 Ukrainian captives by the end of November",
            "Rustem Umerov", "person", "according to",
        ),
        _claim(
            t, "c2", "Ukraine and Russia are nearing a deal to resume large prisoner exchanges.",
            "Ukraine and Russia are nearing a framework agreement to resume large-scale prisoner "
            "exchanges, with Kyiv aiming to secure the release of 1,200 Ukrainian captives",
            "Volodymyr Zelenskyy", "person", "according to",
        ),
        _claim(
            t, "c3", "Technical consultations will soon finalize the logistics.",
            "technical consultations will soon finalize logistical details",
            "Rustem Umerov", "person", "emphasized",
        ),
        _claim(
            t, "c4", "Overnight strikes forced Odesa infrastructure onto backup power.",
            "Overnight strikes on Odesa region facilities, including a solar power plant, forced "
            "critical infrastructure to switch to backup power",
            "Ukrainian officials", "government", "according to",
        ),
        _claim(
            t, "c5", "Critical infrastructure had to switch to backup power.",
            "switch to backup power", "Ukrainian officials", "government", "according to",
            origin="local_repair", match="normalized", score=97.0,
        ),
        _claim(
            t, "c6", "The strikes included 176 drones and one missile.",
            "176 drones and one missile", "unattributed", "unattributed",
        ),
        _claim(
            t, "c7", "Steve Witkoff discussed the plan with Kirill Dmitriev.",
            "Special envoy Steve Witkoff has discussed the proposal with Russian envoy Kirill "
            "Dmitriev", "Steve Witkoff", "person", None, origin="reask", match="fuzzy", score=91.0,
        ),
        _claim(
            t, "c8", "Kyiv signed a deal to buy 100 Rafale fighter jets.",
            "Kyiv recently signed a deal to purchase 100 French Rafale fighter jets",
            "AP", "media", "according to",
        ),
    ]  # fmt: skip
    return ArticleSummary.model_validate(
        {
            "headline": "Prisoner swap nears as Russia escalates energy strikes",
            "summary": "",
            "summary_sentences": [
                {
                    "text": "Kyiv aims to bring home 1,200 captives under a revived swap deal.",
                    "claim_ids": ["c1", "c2"],
                },
                {
                    "text": "Russian strikes forced Odesa infrastructure onto backup power.",
                    "claim_ids": ["c4", "c5", "c6"],
                },
            ],
            "key_points": [
                {"text": "Logistics are being finalized.", "claim_ids": ["c3"]},
                {"text": "A U.S. peace plan is being discussed.", "claim_ids": ["c7"]},
                {"text": "Ukraine is buying 100 Rafale jets.", "claim_ids": ["c8"]},
            ],
            "claims": claims,
            "rejected": [
                {
                    "kind": "claim",
                    "id": "c9",
                    "text": "Russia agreed to release 5,000 prisoners.",
                    "reason": "quote not found in the article (best fuzzy score 54 < 85)",
                },
                {
                    "kind": "key_point",
                    "text": "NATO membership was granted to Ukraine.",
                    "reason": "cites no verified claim",
                },
            ],
            "article": {
                "text": t,
                "title": "Prisoner Swap Nears as Russia Escalates Energy Strikes on Ukraine",
                "url": "https://example.com/news/prisoner-swap",
                "outlet": "Example News",
            },
            "meta": _meta(removed=_removed(t)),
        }
    )


HOSTILE_SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
HOSTILE_STYLE = "</style><style>body{display:none}</style>"
HOSTILE_SVG = '"><svg onload=alert(1)>'
HOSTILE_MARKUP = "[bold]not bold[/bold] :thumbs_up: \x1b[31mred"


def hostile_result() -> ArticleSummary:
    """An article and a model output that try to inject markup everywhere they can."""
    t = (
        f"Breaking {HOSTILE_SCRIPT} news.\n"
        f"The mayor said {HOSTILE_IMG} was fine.\n"
        f"A page may close {HOSTILE_STYLE} early, or break out {HOSTILE_SVG} of an attribute.\n"
        f"Terminal text: {HOSTILE_MARKUP}.\n"
    )
    claims = [
        _claim(t, HOSTILE_SVG, f"Claim {HOSTILE_SCRIPT}", HOSTILE_SCRIPT, "unattributed",
               "unattributed"),
        _claim(t, "c2", f"The mayor said {HOSTILE_IMG}", f"said {HOSTILE_IMG} was fine",
               "The mayor", "person", f"said {HOSTILE_SVG}"),
        _claim(t, "c3", "Markup stays literal.", HOSTILE_MARKUP, f"{HOSTILE_SVG}[bold]",
               "organization", "[bold]cue"),
        _claim(t, "c4", "Styles do not close.", HOSTILE_STYLE, "The mayor", "person"),
    ]  # fmt: skip
    return ArticleSummary.model_validate(
        {
            "headline": f"Headline {HOSTILE_SCRIPT}",
            "summary": "",
            "summary_sentences": [{"text": f"Sentence {HOSTILE_IMG}", "claim_ids": ["c2"]}],
            "key_points": [{"text": f"Point {HOSTILE_STYLE}", "claim_ids": [HOSTILE_SVG]}],
            "claims": claims,
            "rejected": [
                {"kind": "claim", "id": HOSTILE_SVG, "text": HOSTILE_IMG, "reason": HOSTILE_SCRIPT}
            ],
            "article": {
                "text": t,
                "title": f"Title {HOSTILE_SCRIPT}",
                "url": "javascript:document.title='pwned'",
                "outlet": HOSTILE_SVG,
            },
            "meta": _meta(model=f"model {HOSTILE_IMG}", backend="openai"),
        }
    )


class MarkParser(HTMLParser):
    """Collects each ``<mark data-claim>`` segment and the whole document's visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[tuple[list[str], str]] = []
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title: str = ""
        self._mark: list[str] | None = None
        self._buffer: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"br", "meta", "img", "hr", "input", "link", "wbr"}:
            self._in.append(tag)
        if tag == "mark" and dict(attrs).get("data-claim") is not None:
            self._mark = [unquote(i) for i in (dict(attrs)["data-claim"] or "").split()]
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark" and self._mark is not None:
            self.segments.append((self._mark, "".join(self._buffer)))
            self._mark = None
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._mark is not None:
            self._buffer.append(data)
        if self._in and self._in[-1] == "title":
            self.title += data
        elif "style" not in self._in:
            self.text.append(data)


def parse(document: str) -> MarkParser:
    parser = MarkParser()
    parser.feed(document)
    parser.close()
    return parser


def highlighted(document: str) -> dict[str, str]:
    """Each claim id and the text of the marks that carry it, joined in document order."""
    quotes: dict[str, str] = {}
    for ids, text in parse(document).segments:
        for cid in ids:
            quotes[cid] = quotes.get(cid, "") + text
    return quotes


def test_every_highlight_is_its_evidence_quote() -> None:
    result = seed_result()
    quotes = highlighted(to_html_fragment(result))
    assert quotes == {c.id: c.evidence.quote for c in result.claims}
    for c in result.claims:
        assert result.article.text[c.evidence.start : c.evidence.end] == c.evidence.quote


def test_overlapping_and_nested_spans_are_split_and_list_every_claim() -> None:
    segments = parse(to_html_fragment(seed_result())).segments
    # c1 and c2 overlap on "Kyiv aiming ... captives"; c5 sits inside c4.
    assert (["c1", "c2"], "Kyiv aiming to secure the release of 1,200 Ukrainian captives") in [
        (sorted(ids), text) for ids, text in segments
    ]
    assert (["c4", "c5"], "switch to backup power") in [
        (sorted(ids), text) for ids, text in segments
    ]
    assert (["c2"], "Ukraine and Russia are nearing a framework agreement to resume "
            "large-scale prisoner exchanges, with ") in segments  # fmt: skip
    assert (["c1"], " by the end of November") in segments
    # No segment is emitted twice, and the article reads in order.
    document = parse(to_html_fragment(seed_result()))
    article = "".join(document.text)
    assert "1,200 Ukrainian captives by the end of November" in re.sub(r"c\d", "", article)


def test_the_article_text_is_all_there_in_order() -> None:
    result = seed_result()
    fragment = to_html_fragment(result)
    body = fragment.split('<div class="sr-article">', 1)[1].split("</div>", 1)[0]
    # Strip the claim tags and removed-furniture labels; the rest is the article, verbatim.
    body = re.sub(r'<sup class="sr-tag"[^>]*>.*?</sup>', "", body)
    body = re.sub(r'<span class="sr-removed-label">.*?</span>', "", body)
    assert "".join(parse(body).text) == result.article.text


def test_every_claim_is_listed_by_source_with_its_details() -> None:
    result = seed_result()
    fragment = to_html_fragment(result)
    text = " ".join(parse(fragment).text)
    for c in result.claims:
        assert c.text in text
        assert c.attribution.source in text
    for source in ("Rustem Umerov", "Ukrainian officials", "Steve Witkoff", "AP", "unattributed"):
        assert f"> {source} <" in fragment  # a group header per source
    assert fragment.count('class="sr-group"') == 6
    titles = [attrs["title"] for tag, attrs in parse(fragment).tags if tag == "mark"]
    assert any("Rustem Umerov (person), cue “according to”" in (t or "") for t in titles)
    assert any("normalized match" in (t or "") for t in titles)
    assert "local_repair" in text and "reask" in text and "fuzzy" in text


def test_sources_get_distinct_colors_and_unattributed_is_grey() -> None:
    result = seed_result()
    tags = parse(to_html_fragment(result)).tags
    style_of = {
        attrs["data-claim"]: attrs["style"]
        for tag, attrs in tags
        if tag == "mark" and attrs.get("data-claim") and " " not in (attrs["data-claim"] or "")
    }
    assert style_of["c6"] == "background:#e2e2e2"
    assert style_of["c1"] == style_of["c3"]  # same source, same color
    colors = {style_of[c] for c in ("c1", "c2", "c4", "c7", "c8", "c6")}
    assert len(colors) == 6
    assert to_html_fragment(result) == to_html_fragment(seed_result())  # stable


def test_summary_key_points_rejections_and_meta_are_shown() -> None:
    result = seed_result()
    fragment = to_html_fragment(result)
    text = "".join(parse(fragment).text)
    assert result.headline in text
    for item in [*result.summary_sentences, *result.key_points]:
        assert item.text in text
    assert 'href="#sr-' in fragment and "c4, c5, c6" in text
    for r in result.rejected:
        assert r.text in text and r.reason in text
    assert "Not verified (2)" in text
    for piece in ("SmolLM2-135M-Instruct.Q4_1", "local", "2 calls", "1 re-ask", "2092 tokens"):
        assert piece in text
    assert "7.4 s" in text


def test_removed_furniture_is_struck_through_with_its_label() -> None:
    document = parse(to_html_fragment(seed_result()))
    struck = [attrs for tag, attrs in document.tags if tag == "del"]
    labels = {attrs.get("title") for attrs in struck}
    assert {"removed: after_story", "removed: call_to_action", "removed: comments"} <= labels
    text = "".join(document.text)
    assert "removed: related_links" in text


def test_hostile_content_is_escaped_in_the_fragment() -> None:
    fragment = to_html_fragment(hostile_result())
    assert "<script" not in fragment.lower()
    assert "<img" not in fragment.lower() and "<svg" not in fragment.lower()
    assert "javascript:" not in re.sub(r">[^<]*<", "><", fragment)  # never in a tag
    # The only style element is ours: the article's </style> is text.
    assert fragment.count("<style>") == 1 and fragment.count("</style>") == 1
    for tag, attrs in parse(fragment).tags:
        assert tag in {"style", "div", "h2", "h3", "p", "strong", "span", "a", "i", "mark", "sup",
                       "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "br"}  # fmt: skip
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert (attrs.get("href") or "").startswith(("#", "http"))
    text = "".join(parse(fragment).text)
    for hostile in (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_STYLE, HOSTILE_SVG):
        assert hostile in text  # shown as text
    # Every "onerror=" is inside text or an attribute's value, never an attribute of its own.
    parsed = parse(fragment)
    in_text = sum(chunk.count("onerror=") for chunk in parsed.text)
    in_values = sum((v or "").count("onerror=") for _, a in parsed.tags for v in a.values())
    assert fragment.count("onerror=") == in_text + in_values > 0
    quotes = highlighted(fragment)
    assert quotes == {c.id: c.evidence.quote for c in hostile_result().claims}


def test_page_has_a_toc_for_two_or_more_results_and_forbids_scripts() -> None:
    one = to_html_page([seed_result()], title="One <b>")
    assert '<nav class="sr-toc"' not in one and "<title>One &lt;b&gt;</title>" in one
    two = to_html_page([seed_result(), hostile_result()], title="Two")
    assert two.startswith("<!DOCTYPE html>")
    assert 'http-equiv="Content-Security-Policy"' in two and "default-src 'none'" in two
    document = parse(two)
    toc = [attrs["href"] for tag, attrs in document.tags if tag == "a" and attrs.get("id") is None]
    anchors = [attrs["id"] for tag, attrs in document.tags if tag == "div" and attrs.get("id")]
    assert len(anchors) == 2 and len(set(anchors)) == 2
    assert all(f"#{a}" in toc for a in anchors)
    assert "<script" not in two.lower()
    # Two copies of one result still get distinct anchors.
    same = parse(to_html_page([seed_result(), seed_result()]))
    ids = [attrs["id"] for _, attrs in same.tags if attrs.get("id")]
    assert len(ids) == len(set(ids))
    assert "No results." in to_html_page([])


def _terminal(result: ArticleSummary) -> str:
    console = Console(record=True, width=120, color_system=None)
    render_terminal(result, console)
    return console.export_text()


def test_terminal_rendering_shows_summary_claims_and_rejections() -> None:
    result = seed_result()
    out = _terminal(result)
    flat = " ".join(out.replace("│", " ").split())
    for source in ("Rustem Umerov", "Ukrainian officials", "Steve Witkoff", "AP", "unattributed"):
        assert source in flat
    assert "Claims by source" in out and "Not verified (2)" in out
    assert "quote not found in the article" in flat
    assert "switch to backup power" in flat and "176 drones and one missile" in flat
    assert "local_repair" in out and "fuzzy 91" in out
    assert result.headline in out


def test_terminal_keeps_markup_and_control_characters_literal() -> None:
    out = _terminal(hostile_result())
    assert "[bold]not bold[/bold]" in out
    assert ":thumbs_up:" in out
    assert "\x1b" not in out and "\\x1b[31mred" in out
    assert "[bold]cue" in out
    console = Console(record=True, width=120, force_terminal=True)
    render_terminal(hostile_result(), console)
    styled = console.export_text(styles=True)
    assert "\x1b[31mred" not in styled  # the article cannot color the terminal
