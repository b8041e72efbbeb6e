"""How well page furniture is removed: recall of the story, precision against junk.

Run: python benchmarks/cleaning.py [--dev ../shared/eval/dev.jsonl]

Cases, all from the development set (plus the seed):

- the seed article (its story is everything up to "according to AP news.");
- each ``messy`` record as raw HTML (trafilatura, then the text cleaner), scored against
  ``expected_clean_text`` or the must-contain / must-not-contain snippets;
- each ``messy`` record as page text, twice: its ``article_text_with_boilerplate``, and the
  visible text of its HTML the way a browser copy gives it (block elements become lines;
  scripts, styles and hidden elements go). Both are scored against the record's own story text:
  ``expected_clean_text``, or else the paragraphs and subheadings of the element the page marks
  as its ``articleBody``;
- the ``article_with_boilerplate`` records, scored on the lines annotators cite as evidence
  (their junk is not labelled, so precision is n/a);
- the plain ``article`` records, which hold nothing but the story: cleaning should keep it all.

Recall: share of the expected story's words (or snippets, or cited lines) the cleaned text keeps.
Precision: share of the cleaned text's words that belong to the expected story; for snippet
records, the share of must-not-contain snippets that are gone. "lost" counts cases that kept
under 20% of the story without a warning from the cleaner's safety net.

The page-text cases are also given to jusText and to trafilatura, each line wrapped as an HTML
paragraph, to compare what those libraries keep with what the cleaner keeps.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import justext
import trafilatura

from summarizer.text.cleaning import clean
from summarizer.text.inputs import coerce_article

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "prisoner-swap.txt"
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
LOST = 0.2  # a case that keeps less of its story than this has lost it

_BLOCK = frozenset(
    "address article aside blockquote br caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main nav ol "
    "option p pre section summary table tbody td tfoot th thead tr ul".split()
)
_HIDDEN = frozenset("script style noscript template head svg iframe object canvas".split())
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


class _Blocks(HTMLParser):
    """Text of an HTML page, one line per block: all visible blocks, or (``body_only``) just
    the paragraphs and subheadings inside the element marked ``articleBody``."""

    def __init__(self, body_only: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.body_only = body_only
        self.lines: list[str] = []
        self._text: list[str] = []
        self._open: list[tuple[str, bool, bool]] = []  # tag, hidden, opens the article body
        self._hidden = 0
        self._in_body = 0
        self._in_paragraph = 0

    def _flush(self) -> None:
        line = re.sub(r"\s+", " ", "".join(self._text)).strip()
        if line:
            self.lines.append(line)
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_startendtag(tag, attrs)
            return
        a = dict(attrs)
        hidden = tag in _HIDDEN or "hidden" in a or bool(_DISPLAY_NONE.search(a.get("style") or ""))
        body = "articleBody" in (a.get("property"), a.get("itemprop"))
        self._open.append((tag, hidden, body))
        self._hidden += hidden
        self._in_body += body
        if self.body_only:
            if self._in_body and tag in ("p", "h2", "h3"):
                self._in_paragraph += 1
        elif tag in _BLOCK:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and not self.body_only:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        depth = next((k for k in range(len(self._open) - 1, -1, -1) if self._open[k][0] == tag), -1)
        if tag in _VOID or depth < 0:
            return
        for name, hidden, body in self._open[depth:]:
            if self.body_only and self._in_body and name in ("p", "h2", "h3"):
                self._in_paragraph -= 1
                if not self._in_paragraph:
                    self._flush()
            self._hidden -= hidden
            self._in_body -= body
        del self._open[depth:]
        if tag in _BLOCK and not self.body_only:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if not self.body_only or self._in_paragraph:
            self._text.append(data)


def browser_copy(page: str) -> str:
    """The visible text of an HTML page, one block a line, as copying it from a browser gives."""
    parser = _Blocks()
    parser.feed(page)
    parser.close()
    parser._flush()
    return "\n".join(parser.lines)


def article_body(page: str) -> str:
    """The paragraphs and subheadings of the element a page marks as its article body."""
    parser = _Blocks(body_only=True)
    parser.feed(page)
    parser.close()
    return "\n".join(parser.lines)


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def _overlap(expected: str, got: str) -> tuple[float, float]:
    want, have = _words(expected), _words(got)
    common = sum((want & have).values())
    return common / max(sum(want.values()), 1), common / max(sum(have.values()), 1)


def _score_html(record: dict[str, Any], cleaned: str) -> tuple[float, float]:
    annotations = record["annotations"]
    if annotations["type"] == "expected_clean_text":
        return _overlap(annotations["expected_clean_text"], cleaned)
    keep, drop = annotations["must_contain"], annotations["must_not_contain"]
    return (
        sum(s in cleaned for s in keep) / len(keep),
        sum(s not in cleaned for s in drop) / len(drop),
    )


def _cited_recall(record: dict[str, Any], cleaned: str) -> float:
    """WiCE pages: the share of the lines annotators cite as evidence that stay."""
    lines = str(record["article"]).splitlines()
    cited = {i for group in record["annotations"]["supporting_sentence_sets"] for i in group}
    kept = set(cleaned.splitlines())
    return sum(lines[i] in kept for i in cited) / max(len(cited), 1)


def _story(record: dict[str, Any]) -> str:
    annotations = record["annotations"]
    if annotations["type"] == "expected_clean_text":
        return str(annotations["expected_clean_text"])
    return article_body(str(record["article"]))


def _as_paragraphs(text: str) -> tuple[list[str], str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines, "<html><body>" + "".join(
        f"<p>{html.escape(x)}</p>" for x in lines
    ) + "</body></html>"


def with_justext(text: str) -> str:
    """What jusText keeps of the text, each line given to it as a paragraph."""
    _, page = _as_paragraphs(text)
    paragraphs = justext.justext(page, justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def with_trafilatura(text: str) -> str:
    """The lines trafilatura keeps of the text, each line given to it as a paragraph."""
    lines, page = _as_paragraphs(text)
    kept = set((trafilatura.extract(page, favor_recall=True) or "").splitlines())
    return "\n".join(line for line in lines if line in kept)


def _cleaner(text: str) -> str:
    return clean(text).text


Row = tuple[str, str, int, int, float, float | None, int, float]


def _page_text_cases(dev: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(case, input kind, page text, record) for every page-text case of the development set."""
    cases = []
    for line in dev.open(encoding="utf-8"):
        record = json.loads(line)
        if record["kind"] == "messy":
            name = record["id"][:40]
            cases.append((name, "messy page text", record["article_text_with_boilerplate"], record))
            cases.append((name, "messy browser copy", browser_copy(record["article"]), record))
        elif record["kind"] == "article_with_boilerplate":
            cases.append((record["id"][:40], "article_with_boilerplate", record["article"], record))
    return cases


def _score_text(
    record: dict[str, Any] | None, text: str, cleaned: str
) -> tuple[float, float | None]:
    if record is None:  # the seed
        story = text[: text.index("according to AP news.") + len("according to AP news.")]
        return _overlap(story, cleaned)
    if record["kind"] == "article_with_boilerplate":
        return _cited_recall(record, cleaned), None
    return _overlap(_story(record), cleaned)


def _table(rows: list[Row]) -> None:
    print(f"{'case':42} {'input':>24} {'chars in':>9} {'kept':>7} {'recall':>7} "
          f"{'precision':>9} {'warned':>6} {'seconds':>8}")  # fmt: skip
    for name, kind, n_in, n_out, rec, prec, warned, sec in rows:
        shown = "n/a" if prec is None else f"{prec:.3f}"
        print(f"{name:42} {kind:>24} {n_in:>9} {n_out:>7} {rec:>7.3f} {shown:>9} {warned:>6} "
              f"{sec:>8.3f}")  # fmt: skip


def _summary(label: str, rows: list[Row]) -> None:
    precisions = [r[5] for r in rows if r[5] is not None]
    mean_p = sum(precisions) / len(precisions)
    mean_r = sum(r[4] for r in rows) / len(rows)
    worst = min(rows, key=lambda r: r[4])
    lost = sum(r[4] < LOST and not r[6] for r in rows)
    print(f"{label}: {len(rows)} cases; mean recall {mean_r:.3f}; mean precision {mean_p:.3f} "
          f"over {len(precisions)} scored; stories lost silently {lost}")  # fmt: skip
    print(f"  worst case: {worst[0]} ({worst[1]}) recall {worst[4]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    args = parser.parse_args()

    seed = SEED.read_text(encoding="utf-8")
    cases: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("seed prisoner-swap", "text", seed, None)
    ]
    cases += _page_text_cases(args.dev)
    page_rows: list[Row] = []
    for name, kind, text, record in cases:
        started = time.perf_counter()
        cleaned = clean(text)
        seconds = time.perf_counter() - started
        recall, precision = _score_text(record, text, cleaned.text)
        page_rows.append((name, kind, len(text), len(cleaned.text), recall, precision,
                          len(cleaned.warnings), seconds))  # fmt: skip

    html_rows: list[Row] = []
    plain: list[tuple[float, str]] = []
    for line in args.dev.open(encoding="utf-8"):
        record = json.loads(line)
        if record["kind"] == "article":
            cleaned = clean(record["article"])
            plain.append((_overlap(record["article"], cleaned.text)[0], record["id"]))
        if record["kind"] != "messy":
            continue
        started = time.perf_counter()
        article, _ = coerce_article(record["article"], max_chars=10**7, max_html_chars=10**8)
        cleaned = clean(article.text)
        seconds = time.perf_counter() - started
        recall, precision = _score_html(record, cleaned.text)
        html_rows.append((record["id"][:40], "messy html", len(record["article"]),
                          len(cleaned.text), recall, precision, len(cleaned.warnings),
                          seconds))  # fmt: skip

    print(f"Development set {args.dev.name} and the seed; page text through the cleaner\n")
    _table(page_rows)
    _summary("page text", page_rows)
    print()
    _table(html_rows)
    _summary("html (trafilatura, then the cleaner)", html_rows)
    print()
    worst_plain = min(plain)
    print(f"plain articles: {len(plain)}; mean recall {sum(r for r, _ in plain) / len(plain):.3f}; "
          f"worst {worst_plain[1]} {worst_plain[0]:.3f}")  # fmt: skip

    print("\nThe same page-text cases through each method (recall / precision)")
    methods: dict[str, Callable[[str], str]] = {
        "cleaner": _cleaner,
        "jusText": with_justext,
        "trafilatura": with_trafilatura,
    }
    print(f"{'case':42} {'input':>24} " + " ".join(f"{m:>15}" for m in methods))
    totals: dict[str, list[float]] = {m: [] for m in methods}
    worst: dict[str, float] = dict.fromkeys(methods, 1.0)
    for name, kind, text, record in cases:
        shown = []
        for method, run in methods.items():
            recall, precision = _score_text(record, text, run(text))
            worst[method] = min(worst[method], recall)
            if precision is not None:
                totals[method].append(precision)
            shown.append(
                f"{recall:.3f} / " + ("  n/a" if precision is None else f"{precision:.3f}")
            )
        print(f"{name:42} {kind:>24} " + " ".join(f"{s:>15}" for s in shown))
    print(f"{'worst recall / mean precision':42} {'':>24} " + " ".join(
        f"{worst[m]:.3f} / {sum(totals[m]) / len(totals[m]):.3f}" for m in methods
    ))  # fmt: skip


if __name__ == "__main__":
    main()
