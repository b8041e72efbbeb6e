"""Who an article says asserted a span of it, read from the article's text alone.

For an evidence span ``[start, end)`` the resolver scores every nearby word as its attribution
cue with a small model learned from the PolNeAR train compartment (``cue_model.json``; features
in :mod:`summarizer.attribution.features`) over spaCy's dependency parse, takes the best one if
it scores high enough, and reads the source the cue attaches to from the parse
(:mod:`summarizer.attribution.sources`): the subject of a reporting verb, the object of
"according to", the possessor of a noun cue, the speaker before a headline's or a transcript's
colon. A pronoun is replaced by the name it stands for. A span inside a quotation that goes on
from an earlier paragraph takes that paragraph's speaker; a paragraph after a line ending with a
colon ("Cruz continued:") takes that line's; a standing "in the polls" is the polls'. With no
cue, the span is in the article's own voice.

The article is parsed a paragraph at a time, as spans ask for them
(:mod:`summarizer.attribution.parse`); :meth:`Resolver.resolve_all` parses those of many spans
at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from summarizer.attribution.features import candidates, source_choices
from summarizer.attribution.model import cue_model
from summarizer.attribution.parse import Parsed
from summarizer.attribution.sources import rule_head, source_span

Span = tuple[int, int]


@dataclass(frozen=True)
class Resolution:
    """The attribution of one span.

    ``source`` is the source as written (``text[source_start:source_end] == source``), or None
    for the article's own voice. ``mention_start``/``mention_end`` give the words at the cue
    that stand for the source: the same span, or a pronoun ("she said") that ``source`` is the
    antecedent of. A cue without a source ("reportedly", a passive) still returns the cue, with
    kind "article_voice".
    """

    source: str | None
    source_start: int | None
    source_end: int | None
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    kind: Literal["attributed", "article_voice"]
    mention_start: int | None = None
    mention_end: int | None = None


_CLAUSES = frozenset({"ROOT", "ccomp", "conj", "advcl", "relcl", "parataxis"})
_STRONG = 0.3  # a lemma that is a cue this often in the train articles reports speech
_USUAL, _LOW = 0.5, 0.2
# Verbs whose subject draws or receives what its object says, rather than saying it ("raised
# questions", "faced criticism", "prompted calls for").
_PROVOKED = frozenset(
    "raise face field prompt draw spark trigger touch get receive take bring attract fuel invite "
    "provoke answer".split()
)
_POLLS = frozenset({"poll", "survey", "average", "ranking"})
_VOICE = Resolution(None, None, None, None, None, None, "article_voice")


def resolve(text: str, start: int, end: int) -> Resolution:
    """Resolve one span of ``text``; see :class:`Resolver` for many spans of one article.

    Raises:
        ValueError: if ``[start, end)`` is not a non-empty span of ``text``.
        ConfigError: if the spaCy model is not installed.
    """
    return Resolver(text).resolve(start, end)


class Resolver:
    """Attributions for many spans of one article; a paragraph is parsed once, when a span
    first needs it."""

    def __init__(self, text: str) -> None:
        """Tokenize ``text``; raises ConfigError if the spaCy model is not installed."""
        self.text = text
        self._parsed = Parsed.of(text)
        self._model = cue_model()

    @property
    def parsed(self) -> Parsed:
        """The article's parse, paragraph by paragraph as spans ask for it."""
        return self._parsed

    def resolve(self, start: int, end: int) -> Resolution:
        """Return the attribution of ``text[start:end]``.

        Raises:
            ValueError: if ``[start, end)`` is not a non-empty span of the text.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"[{start}, {end}) is not a span of a {len(self.text)}-char text")
        if not self.text[start:end].strip() or len(self._parsed) == 0:
            return _VOICE
        return self._resolve(start, end, depth=0)

    def resolve_all(self, spans: list[Span]) -> list[Resolution]:
        """:meth:`resolve` of each span; the paragraphs they need are parsed together first,
        which is cheaper than one at a time.

        Raises:
            ValueError: if a span is not a non-empty span of the text.
        """
        p = self._parsed
        if len(p):
            p.need_all([p.tokens(a, b) for a, b in spans if 0 <= a < b <= len(self.text)])
        return [self.resolve(start, end) for start, end in spans]

    def _best_cue(self, start: int, end: int) -> tuple[float, int] | None:
        """The best-scoring candidate cue of the span, with its probability."""
        best: tuple[float, int] | None = None
        for c in candidates(self._parsed, self._model.lexicon, start, end):
            s = self._model.score(c.features)
            if best is None or s > best[0]:
                best = (s, c.token)
        return best

    def _resolve(self, start: int, end: int, depth: int) -> Resolution:
        p = self._parsed
        best = self._best_cue(start, end)
        # A sentence's "according to" outranks a word that is seldom a cue ("with", "align").
        according = self._according(start, end)
        strong = best is not None and best[0] >= self._model.threshold
        if according is not None and strong and self._rate(best[1]) < _STRONG:  # type: ignore[index]
            best = (1.0, according)
        if (best is None or best[0] < self._model.threshold) and depth < 2:
            inner = self._reported_part(start, end)
            if inner is not None:
                return self._resolve(*inner, depth + 1)
        # A word that is a cue more often than not in the train articles needs less evidence,
        # before looking further afield (a quotation's "..., Renteria told reporters." in the
        # next sentence is its own cue, not the paragraph before).
        if best is not None and best[0] >= _LOW and self._rate(best[1]) >= _USUAL:
            best = (max(best[0], self._model.threshold), best[1])
        if (best is None or best[0] < self._model.threshold) and depth < 2:
            intro = self._colon_intro(start)
            if intro is not None:
                return self._attributed(intro, *p.tokens(start, end))
            earlier = self._continued_from(start)
            if earlier is not None:
                return self._resolve(*earlier, depth + 1)
            closing = self._closing_according(start)
            if closing is None:
                closing = self._in_poll(start, end)
            if closing is not None:
                best = (1.0, closing)
        if best is None or best[0] < self._model.threshold:
            return self._sourceless(start, end)
        cue = best[1]
        a, b = p.tokens(start, end)
        if a <= cue < b and self._rate(cue) < _STRONG and not self._quoted(a, b):
            return _VOICE  # a clause with its own verb ("Russia escalates attacks"), not a report
        return self._attributed(cue, a, b)

    def _attributed(self, cue: int, a: int, b: int) -> Resolution:
        """The resolution of a span of tokens [a, b) whose cue is token ``cue``."""
        p = self._parsed
        cue_span = (p.starts[cue], p.ends[cue])
        if cue + 1 < len(p) and p.lower[cue] == "according" and p.lower[cue + 1] == "to":
            cue_span = (p.starts[cue], p.ends[cue + 1])  # "according to" is one cue
        cue_text = self.text[cue_span[0] : cue_span[1]]
        head = self._source_head(cue)
        if isinstance(head, int) and a <= head < b and not a <= cue < b:
            return _VOICE  # the span is the cue's subject, not what it reports
        if isinstance(head, int) and self._own_phrase(cue, head):
            head = None
        if head is None:
            return Resolution(None, None, None, cue_text, *cue_span, "article_voice")
        (s0, s1), (m0, m1) = source_span(p, head)
        return Resolution(
            self.text[s0:s1], s0, s1, cue_text, *cue_span, "attributed", m0, m1
        )  # fmt: skip

    def _own_phrase(self, cue: int, head: int) -> bool:
        """Whether a source head is no source but the common noun the cue belongs to: the
        noun a preposition cue hangs from ("endorsement of"), or the singular subject of
        "to be" ("the key question is whether")."""
        p = self._parsed
        if p.pos[head] != "NOUN":
            return False
        if p.pos[cue] == "ADP" and p.head[cue] == head:
            return True
        subject = p.head[head] == cue and p.dep[head] == "nsubj" and p.tag[head] == "NN"
        return subject and p.lemma(cue) == "be"

    def _source_head(self, cue: int) -> int | Span | None:
        """The source's head token (or a speaker's token range before a colon), or None."""
        p = self._parsed
        cue = self._ranked_at(cue)
        rule = rule_head(p, cue)
        if isinstance(rule, tuple):
            return rule
        best = self._ranked_source(cue, rule)
        if best >= 0 and p.dep[best] == "appos" and p.pos[best] == "PRON":
            best = p.head[best]  # "Richards and Menendez both said": not "both"
        return None if best < 0 else best

    def _ranked_at(self, cue: int) -> int:
        """The word whose source the ranker weighs for a cue: the verb of a phrasal verb's
        particle ("laid out") or of a noun cue it has as object ("delivered a defense of"),
        the way the train articles mark such cues; else the cue itself."""
        p = self._parsed
        verb = p.head[cue]
        if p.dep[cue] == "prt" or (
            p.pos[cue] == "NOUN"
            and p.dep[cue] == "dobj"
            and p.pos[verb] == "VERB"
            and p.lemma(verb) not in _PROVOKED
        ):
            return verb
        return cue

    def _ranked_source(self, cue: int, rule: int | None) -> int:
        """The source ranker's pick for the cue (-1: no source); entity types are found only
        when they may change the pick."""
        choices = source_choices(self._parsed, cue, rule)
        scores = [self._model.source_score(c.features) for c in choices]
        best = self._model.sure_source(choices, scores)
        if best is None:
            entities = [
                0.0 if c.token < 0 else self._model.entity_score(self._parsed.ent_type(c.token))
                for c in choices
            ]
            totals = [s + e for s, e in zip(scores, entities, strict=True)]
            best = choices[max(range(len(choices)), key=totals.__getitem__)].token
        return best

    def _according(self, start: int, end: int) -> int | None:
        """The "according to" of the span's sentence, outside the span and any quotation."""
        p = self._parsed
        a, b = p.tokens(start, end)
        s0 = p.sentence_bounds(p.sentence_of[a])[0]
        s1 = p.sentence_bounds(p.sentence_of[b - 1])[1]
        lower = p.lower
        for i in range(s0, s1 - 1):
            if (
                lower[i] == "according"
                and lower[i + 1] == "to"
                and not a <= i < b
                and not p.in_quote[i]
            ):
                return i
        return None

    def _in_poll(self, start: int, end: int) -> int | None:
        """The "in" of "leads in the polls" in the span's sentence, outside the span and any
        quotation: the poll is the source of the standing it reports."""
        p = self._parsed
        a, b = p.tokens(start, end)
        s0 = p.sentence_bounds(p.sentence_of[a])[0]
        s1 = p.sentence_bounds(p.sentence_of[b - 1])[1]
        for i in range(s0, s1):
            if p.lower[i] != "in" or a <= i < b or p.in_quote[i]:
                continue
            if any(p.dep[c] == "pobj" and p.lemma(c) in _POLLS for c in p.children[i]):
                return i
        return None

    def _reported_part(self, start: int, end: int) -> Span | None:
        """The reported clause of a span that holds its own attribution ("Umerov emphasized
        that ..."): a cue word inside the span whose clausal complement fills the rest."""
        p = self._parsed
        a, b = p.tokens(start, end)
        for i in range(a, b):
            if self._rate(i) < _STRONG or p.in_quote[i]:
                continue
            for c in p.children[i]:
                if p.dep[c] == "ccomp" and a <= p.left_edge(c) and c < b:
                    return p.starts[p.left_edge(c)], p.ends[min(p.right_edge(c), b - 1)]
        return None

    def _colon_intro(self, start: int) -> int | None:
        """For a span in a paragraph that follows one ending with a colon ("Cruz continued:"),
        the word the colon hangs from, which introduces the paragraph."""
        p = self._parsed
        first = p.paragraphs[p.paragraph_of[p.token_at(start)]][0]
        last = first - 1
        while last > 0 and p.is_space[last]:
            last -= 1
        if last < 0 or p.words[last] != ":":
            return None
        p.need(last, last + 1)
        head = p.head[last]
        return head if head != last and p.pos[head] == "VERB" else None

    def _continued_from(self, start: int) -> Span | None:
        """For a span in a paragraph that opens with a quotation mark and has no cue, the
        quotation of the paragraph before it, which the same speaker goes on from."""
        p = self._parsed
        first = p.paragraphs[p.paragraph_of[p.token_at(start)]][0]
        if first == 0 or p.words[first] not in '"“':
            return None
        prev_last = first - 1
        while prev_last > 0 and p.is_space[prev_last]:
            prev_last -= 1
        prev_first = p.paragraphs[p.paragraph_of[prev_last]][0]
        return p.starts[prev_first], p.ends[prev_last]

    def _closing_according(self, start: int) -> int | None:
        """A paragraph's closing "according to", for a span of the paragraph with no cue."""
        p = self._parsed
        a = p.token_at(start)
        first, end = p.paragraphs[p.paragraph_of[a]]
        last = end - 1
        lower = p.lower
        closing = next(
            (
                i
                for i in range(last, max(a, last - 12), -1)
                if lower[i] == "according" and i + 1 < len(p) and lower[i + 1] == "to"
            ),
            None,
        )
        # Only when it is the paragraph's one attribution: no other reporting verb or
        # "according to" in it.
        if closing is None or any(
            i != closing
            and (
                lower[i] == "according"
                or p.pos[i] == "VERB"
                and p.dep[i] in _CLAUSES
                and self._rate(i) >= _STRONG
            )
            for i in range(first, last + 1)
        ):
            return None
        return closing

    def _rate(self, token: int) -> float:
        """How often the token's lemma is a cue in the train articles."""
        return self._model.lexicon.get(self._parsed.lemma(token), 0.0)

    def _quoted(self, a: int, b: int) -> bool:
        """Whether tokens [a, b) hold a quotation mark (a quotation broken by its cue)."""
        return any(self._parsed.words[i] in '"“”' for i in range(a, b))

    def _sourceless(self, start: int, end: int) -> Resolution:
        """A span with no cue near it: an adverb inside it that the train articles only ever
        use to attribute without naming anyone ("reportedly") is its cue; otherwise it is the
        article's voice."""
        p = self._parsed
        a, b = p.tokens(start, end)
        for i in range(a, b):
            if p.pos[i] == "ADV" and not p.in_quote[i] and p.lower[i] in self._model.sourceless:
                cue = (p.words[i], p.starts[i], p.ends[i])
                return Resolution(None, None, None, *cue, "article_voice")
        return _VOICE
