"""Number the story's sentences for the prompt, and turn the ids a model cites into spans.

The model points; the text decides. The prompt shows the story as ``[S1] ...`` lines, a claim
cites sentence ids, and the library maps the ids back to exact spans of the story text. A
sentence that holds an instruction planted in the article is not numbered, so it cannot be
cited. Ids run on across the parts of a long article, so each names one sentence of the whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from summarizer.text.sentences import sentence_spans

_ID = re.compile(r"^\s*\[?\s*[Ss]?\s*(\d{1,6})\s*\]?\s*$")


@dataclass(frozen=True)
class Sentence:
    """A numbered sentence: ``text[start:end]`` of the story (or part) it was cut from."""

    id: str
    start: int
    end: int


class Numbered:
    """The numbered sentences of one story text (an article, or a part of one).

    Args:
        text: the story text the spans index.
        spans: its sentence spans, when already split (default: split here).
        planted: spans of instructions planted in it; sentences touching them get no number.
        first: the number of the first sentence (parts after the first go on from the last).
    """

    def __init__(
        self,
        text: str,
        *,
        spans: Sequence[tuple[int, int]] | None = None,
        planted: Sequence[tuple[int, int]] = (),
        first: int = 1,
    ) -> None:
        self.text = text
        every = sentence_spans(text) if spans is None else spans
        offered = [
            (i, a, b)
            for i, (a, b) in enumerate(every)
            if not any(p < b and a < q for p, q in planted)
        ]
        self.sentences = [Sentence(f"S{first + n}", a, b) for n, (_, a, b) in enumerate(offered)]
        self._by_id = {s.id: s for s in self.sentences}
        self.next_number = first + len(self.sentences)
        # A sentence runs on into the next numbered one only when no unnumbered sentence (a
        # planted instruction) lies between them.
        self._runs_on = [
            offered[n + 1][0] == offered[n][0] + 1 for n in range(len(offered) - 1)
        ] + [False]

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.sentences]

    def render(self, sentences: Iterable[Sentence] | None = None) -> str:
        """The sentences as prompt lines ``[S1] ...``, a blank line between paragraphs."""
        lines: list[str] = []
        previous: Sentence | None = None
        for s in self.sentences if sentences is None else sentences:
            if previous is not None and "\n" in self.text[previous.end : s.start]:
                lines.append("")
            lines.append(f"[{s.id}] {self.text[s.start : s.end]}")
            previous = s
        return "\n".join(lines)

    def get(self, cited: str) -> Sentence | None:
        """The sentence an id names, read leniently ("S4", "[S4]", "s4", "4"); None when the
        id names no sentence of this text."""
        named = canonical_id(cited)
        return self._by_id.get(named) if named else None

    def runs(
        self,
        cited: Sequence[Sentence],
        joined: Callable[[Sentence, Sentence], bool] | None = None,
    ) -> list[list[Sentence]]:
        """Cited sentences grouped into runs of consecutive ones, in text order. Two numbered
        sentences are consecutive when nothing unnumbered lies between them and ``joined``
        (when given) agrees, e.g. that no removed text does."""
        order = {s.id: i for i, s in enumerate(self.sentences)}
        ranked = sorted(set(cited), key=lambda s: order[s.id])
        out: list[list[Sentence]] = []
        for s in ranked:
            last = out[-1][-1] if out else None
            if (
                last is not None
                and order[last.id] + 1 == order[s.id]
                and self._runs_on[order[last.id]]
                and (joined is None or joined(last, s))
            ):
                out[-1].append(s)
            else:
                out.append([s])
        return out


def canonical_id(cited: str) -> str | None:
    """The id as the prompt writes it (``S4``), or None when it is not an id at all."""
    m = _ID.match(cited) if isinstance(cited, str) else None
    return f"S{int(m.group(1))}" if m else None
