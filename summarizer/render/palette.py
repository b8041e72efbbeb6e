"""One palette and one grouping by source for every view of a result: the same source gets the
same colour in the HTML report and in the terminal."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.schema import UNATTRIBUTED, SourceKind

if TYPE_CHECKING:
    from summarizer.result import Claim

# Highlight and accent per source: light enough to read black text on, distinct side by side.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#ffe38f", "#9a7400"),
    ("#a9d4ff", "#1f62a8"),
    ("#bdeeb4", "#2f7d32"),
    ("#ffc4d3", "#b0174f"),
    ("#dccbff", "#6236b8"),
    ("#ffd2ad", "#b5530f"),
    ("#a9eee4", "#00796b"),
    ("#f3d9a4", "#7d5a1c"),
)

GREY = ("#e2e2e2", "#6b6b6b")

RICH_COLORS = ("yellow", "blue", "green", "magenta", "purple", "dark_orange", "cyan", "gold3")


def _is_unattributed(claim: Claim) -> bool:
    source = claim.attribution.source.strip().casefold()
    return claim.attribution.kind is SourceKind.UNATTRIBUTED or source in ("", UNATTRIBUTED)


def by_source(claims: Sequence[Claim]) -> dict[str, list[Claim]]:
    """The claims grouped by source, sources in the order they first appear."""
    groups: dict[str, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(claim.attribution.source, []).append(claim)
    return groups


def source_colors(claims: Sequence[Claim]) -> dict[str, int]:
    """Palette slot per source: a hash of its name, probing on so one result never repeats a
    color while it has fewer sources than the palette; -1 for unattributed."""
    slots: dict[str, int] = {}
    for source, group in by_source(claims).items():
        if _is_unattributed(group[0]):
            slots[source] = -1
            continue
        digest = hashlib.sha256(source.strip().casefold().encode()).digest()
        slot = int.from_bytes(digest[:4], "big") % len(PALETTE)
        taken = set(slots.values())
        for step in range(len(PALETTE)):
            if (slot + step) % len(PALETTE) not in taken:
                slot = (slot + step) % len(PALETTE)
                break
        slots[source] = slot
    return slots


def color_pair(slot: int) -> tuple[str, str]:
    """The highlight and accent colours of a palette slot (grey for -1, unattributed)."""
    return GREY if slot < 0 else PALETTE[slot]
