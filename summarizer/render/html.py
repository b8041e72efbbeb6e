"""Render a result for reading in a browser or a notebook: HTML with the evidence in place.

Everything that comes from the article or the model is untrusted text. In HTML it is escaped
(``html.escape(..., quote=True)``) before it reaches the markup, links are made only for
``http(s)`` URLs, and standalone pages also carry a Content-Security-Policy that forbids scripts.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from summarizer.render.palette import PALETTE, by_source, color_pair, source_colors

if TYPE_CHECKING:
    from summarizer.result import ArticleSummary, Claim, RemovedSpan, SupportedText

_CSS = """
.sr-report{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 color:#1d1d1f;background:#fff;max-width:1100px;padding:18px 22px;border:1px solid #ddd;
 border-radius:8px;text-align:left}
.sr-report h2{font-size:1.5em;margin:0 0 .3em;line-height:1.25;color:#111}
.sr-report h3{font-size:1.05em;margin:1.3em 0 .45em;color:#333;text-transform:uppercase;
 letter-spacing:.04em}
.sr-report .sr-source-line{color:#666;font-size:.9em;margin:0 0 .8em}
.sr-report .sr-source-line a{color:#1f62a8}
.sr-report .sr-summary{font-size:1.08em;margin:.4em 0}
.sr-report .sr-ids{font-size:.72em;color:#555;vertical-align:super;margin-left:1px}
.sr-report .sr-ids a{color:#1f62a8;text-decoration:none}
.sr-report .sr-empty{color:#777;font-style:italic}
.sr-report ul.sr-points{margin:.2em 0;padding-left:1.3em}
.sr-report .sr-legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:.86em;margin:.2em 0 .6em}
.sr-report .sr-legend span{display:inline-flex;align-items:center;gap:5px}
.sr-report .sr-swatch{display:inline-block;width:.95em;height:.95em;border-radius:3px;
 border:1px solid rgba(0,0,0,.25);vertical-align:-.12em}
.sr-report .sr-article{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafafa;
 border:1px solid #e4e4e4;border-radius:6px;padding:12px 16px;margin:0;font-size:.95em;
 line-height:1.7}
.sr-report mark.sr-ev{color:inherit;padding:1px 0;border-radius:2px;
 -webkit-box-decoration-break:clone;box-decoration-break:clone}
.sr-report mark.sr-multi{outline:1px dashed rgba(0,0,0,.45)}
.sr-report sup.sr-tag{font-size:.68em;font-weight:600;margin:0 2px 0 1px}
.sr-report del.sr-removed{color:#999;text-decoration:line-through;text-decoration-color:#bbb}
.sr-report .sr-removed-label{font-size:.72em;color:#777;background:#eee;border-radius:3px;
 padding:0 4px;margin-right:4px;white-space:nowrap;font-style:normal;text-decoration:none}
.sr-report table.sr-table{border-collapse:collapse;width:100%;font-size:.88em;margin:.3em 0;
 table-layout:auto}
.sr-report .sr-table th,.sr-report .sr-table td{text-align:left;vertical-align:top;
 padding:5px 8px;border-bottom:1px solid #e6e6e6}
.sr-report .sr-table thead th{color:#555;font-weight:600;border-bottom:2px solid #ccc}
.sr-report .sr-table tr.sr-group th{background:#f3f3f3;font-weight:600;padding-top:7px}
.sr-report .sr-table .sr-kind{font-weight:400;color:#666;font-size:.92em}
.sr-report .sr-quote{border-left:4px solid #ccc;padding-left:7px;font-style:italic;color:#333}
.sr-report .sr-chars{color:#888;font-size:.85em;white-space:nowrap}
.sr-report .sr-id{font-family:ui-monospace,"DejaVu Sans Mono",monospace;min-width:2.5em;
 max-width:10em;overflow-wrap:break-word}
.sr-report .sr-table td.sr-match{white-space:nowrap}
.sr-report .sr-table td.sr-cue{min-width:6.5em}
.sr-report .sr-reason{color:#a12b2b}
.sr-report .sr-meta{color:#777;font-size:.8em;margin-top:1.2em;border-top:1px solid #eee;
 padding-top:.5em}
"""

_PAGE_CSS = """
body{margin:0;padding:24px;background:#f2f2f4;font-family:system-ui,"DejaVu Sans",sans-serif}
body>h1{margin:0 auto 12px;max-width:1100px;font-size:1.6em;color:#222}
nav.sr-toc{max-width:1100px;margin:0 auto 18px;background:#fff;border:1px solid #ddd;
 border-radius:8px;padding:10px 22px}
nav.sr-toc a{color:#1f62a8}
section.sr-section{margin:0 auto 24px;max-width:1100px}
"""

# Scripts, frames, forms and remote loads are refused even if some text ever escaped escaping.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class _Segment:
    start: int
    end: int
    claims: tuple[Claim, ...]
    removed: tuple[RemovedSpan, ...]


def _located(result: ArticleSummary) -> list[Claim]:
    n = len(result.article.text)
    return [c for c in result.claims if 0 <= c.evidence.start < c.evidence.end <= n]


def _segments(result: ArticleSummary) -> Iterator[_Segment]:
    """Cut the article at every span boundary; each piece knows every span covering it."""
    text = result.article.text
    claims = _located(result)
    removed = [r for r in result.meta.removed if 0 <= r.start < r.end <= len(text)]
    cuts = {0, len(text)}
    cuts.update(x for c in claims for x in (c.evidence.start, c.evidence.end))
    cuts.update(x for r in removed for x in (r.start, r.end))
    for a, b in pairwise(sorted(cuts)):
        yield _Segment(
            a,
            b,
            tuple(c for c in claims if c.evidence.start <= a and b <= c.evidence.end),
            tuple(r for r in removed if r.start <= a and b <= r.end),
        )


def _claim_title(claim: Claim) -> str:
    a, ev = claim.attribution, claim.evidence
    cue = f", cue “{a.cue}”" if a.cue else ""
    return (
        f"{claim.id}: {claim.text}\n— {a.source} ({a.kind.value}){cue}\n"
        f"{ev.match.value} match{_sentences(ev.sentence_ids)}, score {ev.score:.0f}, "
        f"origin {claim.origin}"
    )


def _mark(seg: _Segment, body: str, slots: dict[str, int]) -> str:
    colors = [color_pair(slots[c.attribution.source])[0] for c in seg.claims]
    if len(colors) == 1:
        style = f"background:{colors[0]}"
    else:
        step = 100 / len(colors)
        stops = ",".join(
            f"{color} {i * step:.1f}% {(i + 1) * step:.1f}%" for i, color in enumerate(colors)
        )
        style = f"background:linear-gradient(to bottom,{stops})"
    classes = "sr-ev sr-multi" if len(colors) > 1 else "sr-ev"
    # Space-separated ids; an id is percent-encoded so its own spaces cannot split it.
    ids = " ".join(quote(c.id, safe="") for c in seg.claims)
    title = "\n\n".join(_claim_title(c) for c in seg.claims)
    return (
        f'<mark class="{classes}" data-claim="{_e(ids)}" title="{_e(title)}" '
        f'style="{style}">{body}</mark>'
    )


def _article_html(result: ArticleSummary, slots: dict[str, int]) -> str:
    text = result.article.text
    ends: dict[int, list[Claim]] = {}
    for claim in _located(result):
        ends.setdefault(claim.evidence.end, []).append(claim)
    out: list[str] = []
    for seg in _segments(result):
        chunk = text[seg.start : seg.end]
        body = _mark(seg, _e(chunk), slots) if seg.claims else _e(chunk)
        if seg.removed:
            labels = ", ".join(dict.fromkeys(r.label for r in seg.removed))
            badge = "".join(
                f'<span class="sr-removed-label">removed: {_e(r.label)}</span>'
                for r in seg.removed
                if r.start == seg.start
            )
            # The label goes where the removed text starts, not before the blank lines above it.
            lead = "" if seg.claims else chunk[: len(chunk) - len(chunk.lstrip())]
            if lead and len(lead) < len(chunk):
                body = _e(chunk[len(lead) :])
            else:
                lead = ""
            struck = f'<del class="sr-removed" title="removed: {_e(labels)}">{body}</del>'
            body = f"{_e(lead)}{badge}{struck}"
        out.append(body)
        for claim in ends.get(seg.end, []):
            accent = color_pair(slots[claim.attribution.source])[1]
            out.append(f'<sup class="sr-tag" style="color:{accent}">{_e(claim.id)}</sup>')
    return f'<div class="sr-article">{"".join(out)}</div>'


def _ids(item: SupportedText, anchors: dict[str, str]) -> str:
    links = [
        f'<a href="#{anchors[i]}">{_e(i)}</a>' if i in anchors else _e(i) for i in item.claim_ids
    ]
    return f'<span class="sr-ids">[{", ".join(links)}]</span>' if links else ""


def _source_line(result: ArticleSummary) -> str:
    art = result.article
    parts: list[str] = []
    if art.title:
        parts.append(f"<strong>{_e(art.title)}</strong>")
    if art.outlet:
        parts.append(_e(art.outlet))
    if art.published:
        parts.append(_e(art.published.isoformat()))
    if art.url:
        if urlsplit(art.url).scheme.lower() in ("http", "https"):
            parts.append(f'<a href="{_e(art.url)}" rel="noopener noreferrer">{_e(art.url)}</a>')
        else:
            parts.append(_e(art.url))
    return f'<p class="sr-source-line">{" · ".join(parts)}</p>' if parts else ""


def _legend(result: ArticleSummary, slots: dict[str, int]) -> str:
    items = []
    for source, group in by_source(result.claims).items():
        bg = color_pair(slots[source])[0]
        items.append(
            f'<span><i class="sr-swatch" style="background:{bg}"></i>{_e(source)} '
            f"({len(group)})</span>"
        )
    items.append(
        '<span><i class="sr-swatch" style="background:linear-gradient(to bottom,'
        f'{PALETTE[0][0]} 50%,{PALETTE[1][0]} 50%)"></i>several claims</span>'
    )
    if result.meta.removed:
        items.append('<span><del class="sr-removed">struck</del> removed page furniture</span>')
    return f'<div class="sr-legend">{"".join(items)}</div>'


def _claims_table(result: ArticleSummary, slots: dict[str, int], anchors: dict[str, str]) -> str:
    if not result.claims:
        return '<p class="sr-empty">No claim could be verified against the article.</p>'
    located = {id(c) for c in _located(result)}
    anchored: set[str] = set()
    rows = []
    for source, group in by_source(result.claims).items():
        bg, accent = color_pair(slots[source])
        kind = group[0].attribution.kind.value
        rows.append(
            f'<tr class="sr-group"><th colspan="5"><i class="sr-swatch" '
            f'style="background:{bg}"></i> {_e(source)} <span class="sr-kind">{_e(kind)} · '
            f"{len(group)} claim{'s' if len(group) != 1 else ''}</span></th></tr>"
        )
        for c in group:
            ev = c.evidence
            where = f"chars {ev.start}–{ev.end}" if id(c) in located else "not located"
            anchor = "" if c.id in anchored else f' id="{anchors[c.id]}"'
            anchored.add(c.id)
            rows.append(
                f'<tr><td class="sr-id"{anchor}>{_e(c.id)}</td>'
                f"<td>{_e(c.text)}</td>"
                f'<td><div class="sr-quote" style="border-left-color:{accent}">'
                f'“{_e(ev.quote)}”</div><span class="sr-chars">{where}</span></td>'
                f'<td class="sr-cue">{_e(c.attribution.cue or "—")}</td>'
                f'<td class="sr-match">{_e(ev.match.value)} ({ev.score:.0f})'
                f"{_e(_sentences(ev.sentence_ids))}<br>"
                f"{_e(c.origin)}</td></tr>"
            )
    head = "<tr><th>id</th><th>claim</th><th>evidence</th><th>cue</th><th>match · origin</th></tr>"
    return (
        f'<table class="sr-table sr-claims"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _rejected(result: ArticleSummary) -> str:
    if not result.rejected:
        return ""
    rows = "".join(
        f'<tr><td class="sr-id">{_e(r.kind)}{" " + _e(r.id) if r.id else ""}</td>'
        f'<td>{_e(r.text)}</td><td class="sr-reason">{_e(r.reason)}</td></tr>'
        for r in result.rejected
    )
    return (
        f"<h3>Not verified ({len(result.rejected)})</h3>"
        '<table class="sr-table sr-rejected"><thead><tr><th>item</th><th>text</th>'
        f"<th>reason</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _meta(result: ArticleSummary) -> str:
    m = result.meta
    parts = [
        f"{m.model} via {m.backend}",
        f"{m.calls} call{'s' if m.calls != 1 else ''}",
        f"{m.reasks} re-ask{'s' if m.reasks != 1 else ''}",
        f"{m.usage.total_tokens} tokens ({m.usage.prompt_tokens} prompt + "
        f"{m.usage.completion_tokens} completion)",
        f"{m.elapsed_s:.1f} s",
        f"prompts {m.prompt_version}",
        f"{m.input_format} input",
    ]
    if m.removed:
        parts.append(f"{len(m.removed)} span{'s' if len(m.removed) != 1 else ''} removed")
    parts.append(f"summarizer {m.library_version}")
    return f'<div class="sr-meta">{_e(" · ".join(parts))}</div>'


def _prefix(result: ArticleSummary) -> str:
    digest = hashlib.sha256((result.headline + "\0" + result.article.text).encode()).hexdigest()
    return f"sr-{digest[:10]}"


def _fragment(result: ArticleSummary, prefix: str, *, style: bool) -> str:
    slots = source_colors(result.claims)
    anchors = {c.id: f"{prefix}-claim-{i}" for i, c in reversed(list(enumerate(result.claims)))}
    if result.summary_sentences:
        summary = " ".join(f"{_e(s.text)}{_ids(s, anchors)}" for s in result.summary_sentences)
        summary_html = f'<p class="sr-summary">{summary}</p>'
    elif result.summary:
        summary_html = f'<p class="sr-summary">{_e(result.summary)}</p>'
    else:
        summary_html = (
            '<p class="sr-empty">No summary sentence could be traced to a verified claim.</p>'
        )
    points = ""
    if result.key_points:
        items = "".join(f"<li>{_e(p.text)}{_ids(p, anchors)}</li>" for p in result.key_points)
        points = f'<h3>Key points</h3><ul class="sr-points">{items}</ul>'
    return "".join(
        [
            f"<style>{_CSS}</style>" if style else "",
            f'<div class="sr-report" id="{prefix}">',
            f"<h2>{_e(result.headline or '(no headline)')}</h2>",
            _source_line(result),
            summary_html,
            points,
            "<h3>Article</h3>",
            _legend(result, slots),
            _article_html(result, slots),
            f"<h3>Claims by source ({len(result.claims)})</h3>",
            _claims_table(result, slots, anchors),
            _rejected(result),
            _meta(result),
            "</div>",
        ]
    )


def to_html_fragment(result: ArticleSummary) -> str:
    """The result as one self-contained HTML fragment, for notebooks (Jupyter, VS Code).

    Returns headline, summary (each sentence with its claim ids), key points, the article text
    with every evidence span highlighted in its source's color, removed page furniture struck
    through, the claims grouped by source, the rejected items and a meta line. Each highlight is
    ``<mark data-claim="c1 c2" title="...">``: overlapping spans are cut into pieces and a piece
    lists every claim covering it (ids space-separated and percent-encoded, so ``c1`` stays
    ``c1``); the title carries claim, source, cue and match for hovering. Styles sit in one
    ``<style>`` scoped to ``.sr-report``; there are no scripts, and all text from the article or
    the model is escaped. Raises nothing for a valid ``ArticleSummary``.
    """
    return _fragment(result, _prefix(result), style=True)


def to_html_page(results: Sequence[ArticleSummary], title: str = "Summaries") -> str:
    """A standalone HTML page: one section per result, with a table of contents for two or more.

    The page forbids scripts through its Content-Security-Policy and needs no network.
    """
    sections: list[str] = []
    toc: list[str] = []
    for i, result in enumerate(results):
        prefix = f"{_prefix(result)}-{i}"
        label = result.headline or result.article.title or f"Article {i + 1}"
        toc.append(
            f'<li><a href="#{prefix}">{_e(label)}</a> '
            f"<small>({len(result.claims)} claims, {len(result.rejected)} rejected)</small></li>"
        )
        sections.append(
            f'<section class="sr-section">{_fragment(result, prefix, style=False)}</section>'
        )
    nav = f'<nav class="sr-toc"><h2>Contents</h2><ol>{"".join(toc)}</ol></nav>'
    body = "".join(sections) if sections else '<p class="sr-empty">No results.</p>'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_PAGE_CSS}{_CSS}</style></head>"
        f"<body><h1>{_e(title)}</h1>{nav if len(results) > 1 else ''}{body}</body></html>\n"
    )


def _sentences(ids: list[str]) -> str:
    """The cited sentence ids after a match kind (`` of S3, S4``), or nothing."""
    return f" of {', '.join(ids)}" if ids else ""
