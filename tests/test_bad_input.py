"""Bad and unusual input: each kind gives a correct result or an InputError that says what to
do, never a traceback from deep inside a dependency. Model answers are SCRIPTED."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from scripted import ScriptedServer, fast_settings, one_claim, tool_reply

from summarizer import Article, InputError, Settings, asummarize, summarize
from summarizer.cli.commands import EXIT_USAGE, main

SENTENCE = "The council approved the new budget on Monday after a long debate."


def _run(article: object, quote: str, text: str | None = None, **settings: Any) -> Any:
    """Summarize with a scripted claim citing the sentence that holds ``quote``, and quoting it."""
    reply = one_claim(quote, text=text, summary=text or quote)
    reply["claims"][0]["quote"] = quote
    with ScriptedServer([tool_reply("Extraction", reply)]) as server:
        result = summarize(
            article,  # type: ignore[arg-type]
            # An OpenAI-sized context: every article here is one request.
            settings=Settings(
                model="scripted", base_url=server.base_url, context_tokens=128_000, **settings
            ),
        )
    return result, server


# --- Rejected with an InputError, before any request ------------------------------------------

REFUSED: list[tuple[str, object, str]] = [
    ("empty", "", "empty"),
    ("whitespace", "  \n\t \r\n ", "empty"),
    ("only punctuation", "?!... --- *** ;;", "no words"),
    ("zero-width characters only", "\u200b\u200c\u200d\ufeff", "no words"),
    ("two words", "Budget approved", "too short"),
    ("bytes", SENTENCE.encode(), "decode it first"),
    ("bytearray", bytearray(SENTENCE.encode()), "decode it first"),
    ("NUL bytes", f"{SENTENCE}\x00\x00binary", "NUL"),
    ("lone surrogate", f"{SENTENCE} \ud800", "surrogates"),
    ("10 MB string", "word " * 2_000_000, "limit is"),
    ("one 3 MB line", "x" * 3_000_000, "limit is"),
    ("only a URL", "https://example.com/news/2025/budget-approved", "To fetch the page"),
    ("None", None, "not NoneType"),
    ("a number", 42, "not int"),
    ("a dict", {"text": SENTENCE}, "not dict"),
    ("a list of lines", [SENTENCE, SENTENCE], "not list"),
    ("Article with no text", Article(), "empty"),
    ("HTML without a story", "<html><body><nav>Home</nav></body></html>", "No article text"),
]


@pytest.mark.parametrize(("kind", "article", "says"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_a_message_a_person_can_act_on(kind: str, article: object, says: str) -> None:
    with ScriptedServer([]) as server:
        with pytest.raises(InputError, match=says) as raised:
            summarize(article, settings=Settings(model="s", base_url=server.base_url))  # type: ignore[arg-type]
        with pytest.raises(InputError, match=says):
            asyncio.run(
                asummarize(article, settings=Settings(model="s", base_url=server.base_url))  # type: ignore[arg-type]
            )
    assert server.requests == [], "nothing was sent"
    # The error is ours, raised on purpose: its traceback ends in summarizer, not a dependency.
    assert "summarizer" in raised.traceback[-1].path.parts[-3:-1]


def test_invalid_utf8_file_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(SENTENCE.encode() + b"\xff\xfe\xfa broken")
    assert main([str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "iconv" in err and "Traceback" not in err


# --- Accepted: results whose offsets stay exact -----------------------------------------------

ACCEPTED: list[tuple[str, str, str]] = [
    ("Arabic (right to left)",
     "قال وزير الخارجية إن المفاوضات ستستأنف الأسبوع المقبل في القاهرة. وأضاف أن الوفدين اتفقا على جدول الأعمال.",  # noqa: E501
     "المفاوضات ستستأنف الأسبوع المقبل في القاهرة"),
    ("Hebrew (right to left)",
     "ראש העירייה אמר כי הגשר ייפתח מחדש ביום שני לאחר שנתיים של שיפוצים.",
     "הגשר ייפתח מחדש ביום שני"),
    ("Chinese",
     "新华社报道，国务院周一批准了新的预算。预算将用于修建铁路和学校。",
     "国务院周一批准了新的预算"),
    ("Japanese",
     "東京都は月曜日、新しい予算を承認したと発表した。予算は学校の建設に使われる。",
     "新しい予算を承認したと発表した"),
    ("emoji and ZWJ sequences",
     "Fans 👨‍👩‍👧‍👦🇺🇦 cheered as the team 🏆 won the final on Sunday, the club said. 🎉🎉",
     "cheered as the team 🏆 won the final on Sunday"),
    ("combining characters",
     "The mayor of Sa\u0303o Paulo, Jose\u0301 Ferreira, said the metro line will open in May.",
     "the metro line will open in May"),
    ("CRLF line endings",
     "Headline here\r\n\r\nThe council approved the budget on Monday.\r\nIt passed 30 to 12.\r\n",
     "It passed 30 to 12."),
    ("template syntax in the text",
     "The budget of $5 million {{ amount }} ${total} was approved on Monday by the council.",
     "The budget of $5 million {{ amount }} ${total} was approved on Monday"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "text", "quote"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_with_exact_offsets(kind: str, text: str, quote: str) -> None:
    result, server = _run(text, quote, min_support=0.0)
    (claim,) = result.claims
    assert text[claim.evidence.start : claim.evidence.end] == claim.evidence.quote == quote
    assert result.article.text == text
    sent = json.loads(json.dumps(server.requests[0]))
    assert quote in sent["messages"][1]["content"], "the text reached the model unchanged"


def test_decomposed_text_matches_a_precomposed_quote() -> None:
    text = "The mayor of Sa\u0303o Paulo, Jose\u0301 Ferreira, said the metro will open in May."
    reply = one_claim("said the metro will open in May", summary="The metro opens in May.")
    reply["claims"][0]["quote"] = "São Paulo, José Ferreira, said the metro"
    with ScriptedServer([tool_reply("Extraction", reply)]) as server:
        result = summarize(text, settings=fast_settings(server, min_support=0.0))
    (claim,) = result.claims
    assert claim.evidence.match.value == "normalized"
    assert claim.evidence.quote == "Sa\u0303o Paulo, Jose\u0301 Ferreira, said the metro"
    assert text[claim.evidence.start : claim.evidence.end] == claim.evidence.quote


def test_one_sentence_repeated_500_times() -> None:
    text = " ".join([SENTENCE] * 500)
    started = time.perf_counter()
    result, _ = _run(text, SENTENCE)
    assert time.perf_counter() - started < 5
    (claim,) = result.claims
    assert (claim.evidence.start, claim.evidence.end) == (0, len(SENTENCE))


def test_html_instead_of_text() -> None:
    html = (
        "<!doctype html><html><head><title>Budget passes</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>Budget "
        f"passes</h1><p>{SENTENCE}</p><p>The vote was 30 to 12, the clerk said after the "
        "session.</p></article><footer>Subscribe to our newsletter</footer></body></html>"
    )
    result, server = _run(html, SENTENCE)
    assert result.meta.input_format == "html"
    assert "<p>" not in result.article.text and SENTENCE in result.article.text
    assert "Subscribe" not in server.requests[0]["messages"][1]["content"]
    (claim,) = result.claims
    assert result.article.text[claim.evidence.start : claim.evidence.end] == SENTENCE


def test_a_long_single_line_within_a_raised_limit() -> None:
    text = " ".join([SENTENCE.rstrip(".") + ","] * 1500) + " and that was all."
    assert "\n" not in text and len(text) > 100_000
    result, _ = _run(text, SENTENCE.rstrip("."), max_input_chars=200_000)
    assert result.claims[0].evidence.start == 0
