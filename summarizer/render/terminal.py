"""Render a result in the terminal with rich: a summary panel, claims by source, rejections.

Text from the article or the model goes through ``rich.text.Text``, which never parses markup
or emoji codes, with control characters (ANSI escapes included) made visible.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from summarizer.render.palette import RICH_COLORS, by_source, source_colors

if TYPE_CHECKING:
    from summarizer.result import ArticleSummary


def _plain(text: str) -> Text:
    """Untrusted text for the terminal: never parsed as markup, control characters shown."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        text = "".join(
            f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" and ch not in "\n\t" else ch
            for ch in text
        )
    return Text(text)


def _rich_color(slot: int) -> str:
    return "grey50" if slot < 0 else RICH_COLORS[slot]


def render_terminal(result: ArticleSummary, console: Console) -> None:
    """Print the result to ``console``: a summary panel, a claims table, the rejected items.

    Text from the article or the model is printed literally (``[bold]`` stays ``[bold]``).
    """
    console.print(_summary_panel(result))
    if result.claims:
        console.print(_claims_table(result))
    else:
        console.print(Text("No claim could be verified against the article.", style="italic"))
    if result.rejected:
        console.print(_rejected_table(result))
    m = result.meta
    meta = _plain(
        f"{m.model} via {m.backend} · {m.calls} call(s), {m.reasks} re-ask(s) · "
        f"{m.usage.total_tokens} tokens · {m.elapsed_s:.1f} s"
    )
    meta.stylize("dim")
    console.print(meta)


def _summary_panel(result: ArticleSummary) -> Panel:
    """The headline over the summary sentences and key points, each with its claim ids."""
    body = Text()
    if result.summary_sentences:
        for s in result.summary_sentences:
            body.append_text(_plain(s.text))
            body.append(f" [{', '.join(s.claim_ids)}] ", style="dim")
    else:
        body.append_text(_plain(result.summary or "No summary sentence could be traced."))
    if result.key_points:
        body.append("\n\nKey points", style="bold")
        for p in result.key_points:
            body.append("\n• ")
            body.append_text(_plain(p.text))
            body.append(f" [{', '.join(p.claim_ids)}]", style="dim")
    title = _plain(result.headline or "(no headline)")
    title.stylize("bold")
    subtitle = _plain(result.article.title or result.article.url or "")
    return Panel(body, title=title, subtitle=subtitle or None, title_align="left")


def _claims_table(result: ArticleSummary) -> Table:
    """The claims grouped by source: who said it (and the cue), the claim, its quote, its id
    and how its evidence was matched."""
    slots = source_colors(result.claims)
    table = Table(title="Claims by source", expand=True, title_justify="left")
    longest = max((len(c.attribution.source) for c in result.claims), default=6)
    table.add_column("Source", overflow="fold", width=min(max(longest, 6), 22))
    table.add_column("Claim", ratio=4, overflow="fold")
    table.add_column("Quote", ratio=4, overflow="fold")
    table.add_column("ID / origin", no_wrap=False)
    table.add_column("Match")
    for source, group in by_source(result.claims).items():
        for i, c in enumerate(group):
            who = _plain(source)
            who.stylize(f"bold {_rich_color(slots[source])}" if i == 0 else "dim")
            if c.attribution.cue:
                cue = _plain(c.attribution.cue)
                cue.stylize("italic")
                who.append_text(Text.assemble("\n", cue))
            quote = _plain(f"“{c.evidence.quote}”")
            quote.stylize("italic")
            table.add_row(
                who,
                _plain(c.text),
                quote,
                Text.assemble(_plain(c.id), "\n", (c.origin, "dim")),
                Text(
                    f"{c.evidence.match.value} {c.evidence.score:.0f}"
                    + (f"\n{', '.join(c.evidence.sentence_ids)}" if c.evidence.sentence_ids else "")
                ),
            )
        table.add_section()
    return table


def _rejected_table(result: ArticleSummary) -> Table:
    """What could not be verified, with the reason."""
    rejected = Table(title=f"Not verified ({len(result.rejected)})", title_justify="left")
    for name in ("Item", "Text", "Reason"):
        rejected.add_column(name, overflow="fold")
    for r in result.rejected:
        reason = _plain(r.reason)
        reason.stylize("red")
        rejected.add_row(_plain(f"{r.kind} {r.id or ''}".strip()), _plain(r.text), reason)
    return rejected
