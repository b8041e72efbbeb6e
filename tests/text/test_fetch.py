"""Fetching an article from its URL, against a loopback web server (tests/pages.py) only:
redirects, limits and every typed error, then the page summarized with the fetch in meta.

The LLM is the SCRIPTED loopback server of tests/scripted.py; no model runs."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from pages import STORY_SENTENCE, PageServer, closed_port
from scripted import ScriptedServer, fast_settings, one_claim, tool_reply

from summarizer import Article, InputError, summarize
from summarizer.errors import (
    FetchError,
    NotHTMLError,
    PageStatusError,
    PageTooLargeError,
    PageUnreachableError,
)
from summarizer.status import LOGGER
from summarizer.text.fetch import fetch_page

LIMITS = {"timeout_s": 5.0, "max_bytes": 1_000_000, "max_redirects": 3}


@pytest.fixture(scope="module")
def pages() -> Iterator[PageServer]:
    with PageServer(slow_s=3.0, big_bytes=2_000_000) as server:
        yield server


def test_page_is_fetched_and_decoded(pages: PageServer) -> None:
    page = fetch_page(pages.url("/story.html"), **LIMITS)
    assert STORY_SENTENCE in page.html
    record = page.fetched
    assert record.url == record.requested_url == pages.url("/story.html")
    assert record.status == 200 and record.content_type == "text/html"
    assert record.bytes == len(page.html.encode()) and record.seconds >= 0


def test_declared_charset_is_used(pages: PageServer) -> None:
    page = fetch_page(pages.url("/latin1.html"), **LIMITS)
    assert "Marché" in page.html


def test_redirect_is_followed_and_final_url_recorded(pages: PageServer) -> None:
    page = fetch_page(pages.url("/moved"), **LIMITS)
    assert page.fetched.requested_url == pages.url("/moved")
    assert page.fetched.url == pages.url("/story.html")
    assert STORY_SENTENCE in page.html


def test_redirect_limit(pages: PageServer) -> None:
    before = len(pages.paths)
    with pytest.raises(FetchError, match="redirected too many times"):
        fetch_page(pages.url("/loop/0"), **LIMITS)
    assert len(pages.paths) - before == LIMITS["max_redirects"] + 1


def test_timeout(pages: PageServer) -> None:
    started = time.monotonic()
    with pytest.raises(PageUnreachableError, match="did not answer within 0.5 s"):
        fetch_page(pages.url("/slow"), **(LIMITS | {"timeout_s": 0.5}))
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_too_large_body(pages: PageServer, path: str) -> None:
    with pytest.raises(PageTooLargeError, match="over the limit") as caught:
        fetch_page(pages.url(path), **LIMITS)
    assert caught.value.status_code == 200


@pytest.mark.parametrize(("path", "code"), [("/missing", 404), ("/broken", 500)])
def test_error_status(pages: PageServer, path: str, code: int) -> None:
    with pytest.raises(PageStatusError, match=f"HTTP {code}") as caught:
        fetch_page(pages.url(path), **LIMITS)
    assert caught.value.status_code == code and caught.value.url == pages.url(path)


def test_not_html(pages: PageServer) -> None:
    with pytest.raises(NotHTMLError, match="application/json") as caught:
        fetch_page(pages.url("/data.json"), **LIMITS)
    assert caught.value.content_type == "application/json"


def test_no_server() -> None:
    with pytest.raises(PageUnreachableError, match="Cannot reach"):
        fetch_page(f"http://127.0.0.1:{closed_port()}/story.html", **LIMITS)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a.html", "http://"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(InputError, match="only absolute http"):
        fetch_page(url, **LIMITS)


def test_fetch_errors_are_input_errors() -> None:
    for kind in (PageUnreachableError, PageStatusError, NotHTMLError, PageTooLargeError):
        assert issubclass(kind, FetchError) and issubclass(kind, InputError)


def test_article_url_is_summarized_with_the_fetch_in_meta(pages: PageServer) -> None:
    reply = tool_reply("Extraction", one_claim(STORY_SENTENCE, summary="The terminal opens."))
    with ScriptedServer([reply]) as llm:
        result = summarize(Article(url=pages.url("/moved")), settings=fast_settings(llm))
        sent = llm.requests[0]["messages"][-1]["content"]
    assert STORY_SENTENCE in sent, "the model reads the fetched page's story"
    assert result.article.title == "Ferry terminal to open in March"
    fetched = result.meta.fetched
    assert fetched is not None and fetched.url == pages.url("/story.html")
    assert fetched.requested_url == pages.url("/moved") and fetched.status == 200
    assert result.meta.input_format == "html"
    assert result.article.url == pages.url("/moved")
    assert [c.evidence.quote for c in result.claims] == [STORY_SENTENCE]


def test_fetch_limits_come_from_settings(pages: PageServer) -> None:
    with ScriptedServer([]) as llm:
        settings = fast_settings(llm, fetch_max_bytes=200)
        with pytest.raises(PageTooLargeError):
            summarize(Article(url=pages.url("/story.html")), settings=settings)
        assert not llm.requests, "no model call for a page that was refused"


def test_text_is_never_fetched(pages: PageServer) -> None:
    reply = tool_reply("Extraction", one_claim(STORY_SENTENCE, summary="The terminal opens."))
    before = len(pages.paths)
    with ScriptedServer([reply]) as llm:
        text = f"{STORY_SENTENCE} More words follow here."
        result = summarize(Article(text=text, url=pages.url("/story.html")),
                           settings=fast_settings(llm))  # fmt: skip
    assert len(pages.paths) == before and result.meta.fetched is None


def test_fetch_reports_its_progress_in_bytes(pages: PageServer) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger(LOGGER)
    handler, level = Keep(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        page = fetch_page(pages.url("/story.html"), **LIMITS)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert records[0].getMessage() == f"fetching {pages.url('/story.html')}"
    progress = [
        (getattr(r, "status_done", None), getattr(r, "status_total", None)) for r in records
    ]
    measured = [p for p in progress if p[1] is not None]
    assert measured and measured[-1] == (page.fetched.bytes, page.fetched.bytes)
