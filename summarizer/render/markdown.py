"""Render a result for people: Markdown with the summary, then claims grouped by source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer.render.palette import by_source

if TYPE_CHECKING:
    from summarizer.result import ArticleSummary, Claim


def _quote(text: str) -> str:
    return " ".join(text.split()).replace("*", r"\*").replace("_", r"\_")


def to_markdown(result: ArticleSummary) -> str:
    """The result as Markdown: headline, summary, key points, claims by source, rejections."""
    lines = [f"# {result.headline or '(no headline)'}", ""]
    if result.summary_sentences:
        lines += [
            " ".join(f"{s.text} [{', '.join(s.claim_ids)}]" for s in result.summary_sentences),
            "",
        ]
    else:
        lines += ["*No summary sentence could be traced to a verified claim.*", ""]
    if result.key_points:
        lines += ["## Key points", ""]
        lines += [f"- {p.text} [{', '.join(p.claim_ids)}]" for p in result.key_points]
        lines.append("")
    lines += ["## Claims by source", ""]
    if not result.claims:
        lines += ["*No claim could be verified against the article.*", ""]
    for source, claims in by_source(result.claims).items():
        kind = claims[0].attribution.kind.value
        lines += [f"### {source} ({kind})", ""]
        for c in claims:
            cue = f" — {c.attribution.cue}" if c.attribution.cue else ""
            lines.append(f"- **{c.id}** {c.text}{cue}")
            lines.append(
                f"  > “{_quote(c.evidence.quote)}” "
                f"({_cited(c)}chars {c.evidence.start}–{c.evidence.end}, "
                f"{c.evidence.match.value} match)"
            )
        lines.append("")
    if result.rejected:
        lines += [f"## Not verified ({len(result.rejected)})", ""]
        for r in result.rejected:
            label = f"{r.kind} {r.id}" if r.id else r.kind
            lines.append(f"- {label}: {_quote(r.text)[:200]} — *{r.reason}*")
        lines.append("")
    m = result.meta
    lines.append(
        f"<sub>{m.model} via {m.backend} · {m.calls} call(s), {m.reasks} re-ask(s) · "
        f"{m.usage.total_tokens} tokens · {m.elapsed_s:.1f} s · prompts {m.prompt_version}</sub>"
    )
    return "\n".join(lines) + "\n"


def _cited(claim: Claim) -> str:
    """The sentence ids a claim cites, as a prefix (``S3, S4; ``), or nothing."""
    ids = claim.evidence.sentence_ids
    return f"{', '.join(ids)}; " if ids else ""
