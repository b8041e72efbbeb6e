"""Who an article says asserted a span of it, read from the article's text alone.

For an evidence span ``[start, end)`` the resolver finds the attribution cue that governs it
("said", "according to", "emphasized", "in a statement"; the list is ``cues.txt``) and the
source the cue attaches to, as written in the article: the subject of a reporting verb
("Umerov emphasized that ..."), the noun phrase after an inverted verb ("..., said Steve
Cowan"), the object of "according to", the possessor or "from" phrase of a noun cue, the
speaker of a quotation that goes on after its attribution or follows "X said:", or, for a
pronoun ("he said", "who said"), the name it stands for. With no cue, the span is in the
article's own voice.

How: every cue of the article is found once, with the words for its source; a span takes the
cue of its sentence that sits nearest to it, where a cue inside the span counts only at its
edge and a cue whose content follows it does not reach back. A span with no such cue takes the
speaker of its quotation, then a paragraph's closing "according to". Pronouns are resolved in
text order to the nearest fitting earlier name, subjects first; he and she by the titles, role
words and pronouns the article uses near each name.

Pure regular expressions and word lists: no model, nothing fetched; an article takes
milliseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from summarizer.grounding import sentence_spans

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


def resolve(text: str, start: int, end: int) -> Resolution:
    """Resolve one span of ``text``; see :class:`Resolver` for many spans of one article.

    Raises:
        ValueError: if ``[start, end)`` is not a non-empty span of ``text``.
    """
    return Resolver(text).resolve(start, end)


# ------------------------------------------------------------------------------------------
# Word lists. Cues are data (cues.txt); these are the grammar around them.
# ------------------------------------------------------------------------------------------


def _words(s: str) -> frozenset[str]:
    """A word list from a string of words."""
    return frozenset(s.split())


_BE = _words("is are was were be been being 's am")
_AUX = _BE | _words(
    "has have had having will would could can may might must should shall did does do not n't "
    "isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't couldn't can't cannot "
    "didn't doesn't don't shouldn't also still just again already later earlier previously "
    "repeatedly recently publicly privately initially first even never ever only often now then "
    "further once twice always reportedly apparently allegedly similarly likewise yet long "
    "soon too meanwhile however instead therefore thus nonetheless"
)
# Verb forms no noun phrase contains.
_FINITE = _words(
    "will would can could shall should might must has have had is are was were do does did "
    "won't wouldn't can't couldn't isn't aren't wasn't weren't hasn't haven't didn't doesn't"
)
# Words that open a clause: the subject of a verb lies after the last of them.
_CLAUSE_OPENERS = _words(
    "that because though although while whereas after before when whenever if unless since as "
    "but whether where which who whom whose so than until once despite and or nor how why what "
    "amid following"
)
# Words that open an introductory phrase ("At the forum, Clinton said").
_INTRO = _words(
    "in at on during after before following amid despite with without for from under over since "
    "as by to however but and so yet still meanwhile separately also moreover furthermore "
    "instead indeed earlier later last this next then now thus finally first overall "
    "nonetheless nevertheless besides plus or among about into through "
    "recently today tonight yesterday tomorrow"
)
_DETERMINERS = _words(
    "the a an any some his her its their our my your this these those no every each another "
    "many few several such more most much other whose"
)
_GERUND_OPENERS = _words("despite after before by while when without since upon on in")
_QUANTIFIERS = _words("each both all some many most several few others")
_PREPOSITIONS = _words("of from with in on at by for about into onto upon over under against")
_RELATIVE = _words("who which that whom")
_TIME = _words(
    "monday tuesday wednesday thursday friday saturday sunday today tonight yesterday "
    "tomorrow week weekend month year morning afternoon evening night earlier later recently "
    "last this next ago"
)
_MONTHS = _words(
    "january february march april may june july august september october november december"
)
_TITLES = _words(
    "mr mrs ms miss dr sen senator rep representative gov governor president vice mayor "
    "commissioner secretary minister judge justice chairman chairwoman gen general lt col "
    "capt sgt del prof rev sir lady lord king queen prince princess pope ambassador envoy "
    "speaker leader chief director spokesman spokeswoman spokesperson premier chancellor"
)
_MALE = _words(
    "mr he his him himself man spokesman businessman chairman congressman father husband son "
    "brother king"
)
_FEMALE = _words(
    "mrs ms miss she her hers herself woman spokeswoman businesswoman chairwoman "
    "congresswoman mother wife widow daughter sister queen lady"
)
_PRONOUNS = _words("he his him himself she her hers herself")
_GENDERED = re.compile(r"\b(?:he|his|him|she|her)\b", re.IGNORECASE)
# Head nouns that make a subject a person ("the mayor", "the 34-year-old mother of three").
_PERSON_NOUNS = _words(
    "man woman mayor senator president governor secretary minister spokesman spokeswoman "
    "spokesperson lawyer attorney candidate nominee chairman chairwoman director chief "
    "businessman businesswoman widow mother father daughter son wife husband doctor "
    "reporter analyst economist professor commissioner official aide adviser advisor "
    "congressman congresswoman leader speaker judge prosecutor expert"
)
_ORG_WORDS = _words(
    "house senate congress committee panel department ministry office agency bureau "
    "commission council court administration government campaign party university "
    "institute center centre foundation association coalition conference union league club "
    "bank company corp inc group news post times journal press network tv radio service "
    "services investigations enforcement forces army police team board staff report "
    "statement memo letter program act bill plan street"
)
_PERSONAL = _words("he she him her his")
_PLURAL = _words("they them their")
_NEUTER = _words("it its")
_PLACE_PREPOSITIONS = _words("in at near across throughout inside outside")
# A run of capitalized words ("Secretary of State John Kerry"); a word's final period ends
# the run unless the word is an initial or an abbreviation ("Charles E. Grassley").
_NAME_WORD = r"[A-Z](?:[\w'’-]|\.(?=\w))*(?:(?<=\b[A-Z])\.|(?<=\b(?:Mr|Ms|Dr|St|Jr))\.|(?<=Mrs)\.)?"
_NAME = re.compile(
    rf"\b{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|(?:de|van|von|bin|al|del|da|of)\b(?=[ \t]+[A-Z])))*"
)
_SUBJECT_PRONOUNS = _words("he she it they we i you")
_ABBREVIATIONS = _words(
    "mr mrs ms dr sen rep gov gen lt col capt sgt del prof rev st jr sr mt ft no vs etc "
    "a.m p.m u.s u.n d.c u.k e.g i.e"
)
# "appeared to blame": verbs that hand their subject on to the next verb.
_RAISING = _words(
    "appear appears appeared seem seems seemed want wants wanted try tries tried tend tends "
    "tended continue continues continued go goes went plan plans planned hope hopes hoped "
    "intend intends intended expect expects expected need needs needed begin begins began "
    "beginning start starts started starting"
)
# "declined to comment", "has yet to say": a verb of speaking that reports nothing.
_REFUSALS = _words("declined refused refuses declines failed yet unable unwilling")
_FUNCTION_CAPS = (
    _DETERMINERS
    | _INTRO
    | _CLAUSE_OPENERS
    | _AUX
    | _words("he she it they we i you him them us me there here what why how")
)


# ------------------------------------------------------------------------------------------
# The cue list.
# ------------------------------------------------------------------------------------------

CueKind = Literal["verb", "speech", "opinion", "preposition", "noun", "adjective", "sourceless"]
_SECTIONS: dict[str, CueKind] = {
    "verbs": "verb",
    "speech verbs": "speech",
    "opinion verbs": "opinion",
    "prepositions": "preposition",
    "nouns": "noun",
    "adjectives": "adjective",
    "sourceless": "sourceless",
}


@dataclass(frozen=True)
class _CueForm:
    """What one form of the cue list is: its sections and, for a verb, its form."""

    kinds: frozenset[CueKind]
    form: Literal["base", "s", "ing", "past"]


def _shape(word: str, index: int) -> Literal["base", "s", "ing", "past"]:
    """The form of a verb by its ending; the first form on a line is the base form."""
    if word.endswith("ing"):
        return "ing"
    if word.endswith("s") and not word.endswith("ss"):
        return "s"
    return "base" if index == 0 else "past"


@lru_cache(maxsize=1)
def _cue_table() -> tuple[dict[str, _CueForm], dict[str, list[tuple[str, ...]]]]:
    """The cue forms from cues.txt, and the forms by their first word, longest first."""
    raw = resources.files("summarizer").joinpath("cues.txt").read_text(encoding="utf-8")
    kinds: dict[str, set[CueKind]] = {}
    shapes: dict[str, Literal["base", "s", "ing", "past"]] = {}
    section: CueKind | None = None
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            section = _SECTIONS[line.strip("[]")]
            continue
        if section is None:
            raise ValueError(f"cues.txt: cue outside a section: {line!r}")
        forms = [" ".join(f.split()).lower() for f in line.split(",")]
        for i, form in enumerate(forms):
            kinds.setdefault(form, set()).add(section)
            if section in ("verb", "speech", "opinion"):
                shapes[form] = _shape(form.split()[0], i)
    table = {f: _CueForm(frozenset(k), shapes.get(f, "base")) for f, k in kinds.items()}
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for form in sorted(table, key=len, reverse=True):
        words = tuple(form.split())
        by_first.setdefault(words[0], []).append(words)
    return table, by_first


# ------------------------------------------------------------------------------------------
# Text structure: tokens, sentences, paragraphs, quotations.
# ------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"--|[^\W_](?:[\w'’&/.-]*[^\W_])?\.?|[^\w\s]")
_QUOTE_CHARS = frozenset('"“”„«»')
_DASHES = frozenset({"--", "—", "–"})


def _sentences(text: str) -> list[Span]:
    """Sentence spans, with the splits :func:`sentence_spans` makes after abbreviations undone."""
    merged: list[Span] = []
    for a, b in sentence_spans(text):
        if merged and "\n" not in text[merged[-1][1] : a]:
            prev = text[merged[-1][0] : merged[-1][1]]
            last = prev.rsplit(None, 1)[-1].lower().rstrip(".")
            if (
                text[a].islower()
                or text[a].isdigit()
                or last in _ABBREVIATIONS
                or re.fullmatch(r"[a-z]", last) is not None
            ):
                merged[-1] = (merged[-1][0], b)
                continue
        merged.append((a, b))
    return merged


def _paragraphs(text: str) -> list[Span]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]


def _quotations(text: str, paragraphs: list[Span]) -> list[Span]:
    """Spans inside double quotation marks, quote marks included; none crosses a paragraph.

    Curly marks say which way they face. A straight mark opens after a space and before a
    word, and closes otherwise (a closing mark with nothing open is ignored); one that opens
    after a sentence's end while a straight quotation is open starts a new quotation, as a
    run-on quotation does when paragraphs were joined ('"You should wash them. "This is').
    """
    found: list[Span] = []
    for p0, p1 in paragraphs:
        depth, opened, straight = 0, p0, False
        for i in range(p0, p1):
            ch = text[i]
            if ch not in _QUOTE_CHARS:
                continue
            spaced = i == p0 or text[i - 1].isspace() or text[i - 1] in "([—-"
            word_after = i + 1 < p1 and not text[i + 1].isspace()
            after_sentence = re.search(r"[.!?]['’]?\s+$", text[max(p0, i - 4) : i]) is not None
            if ch == '"' and depth == 1 and straight and after_sentence and word_after:
                found.append((opened, i))
                opened = i
                continue
            if ch in "“„«" or (ch == '"' and spaced and word_after):
                if depth == 0:
                    opened, straight = i, ch == '"'
                depth += 1
            elif depth > 0:
                depth -= 1
                if depth == 0:
                    found.append((opened, i + 1))
        if depth > 0:
            found.append((opened, p1))
    return found


def _containing(spans: list[Span], starts: list[int], a: int, b: int) -> Span | None:
    """The span of ``spans`` (sorted, disjoint) that contains [a, b), if any."""
    i = bisect_right(starts, a) - 1
    if i >= 0 and spans[i][0] <= a and b <= spans[i][1]:
        return spans[i]
    return None


# ------------------------------------------------------------------------------------------
# The resolver.
# ------------------------------------------------------------------------------------------


@dataclass
class _Cue:
    """One cue occurrence: where it is and the words that stand for its source."""

    start: int
    end: int
    kind: CueKind
    sentence: int
    mention: Span | None = None
    source: Span | None = None
    agent: bool = False  # the mention follows the cue ("was mentioned by X", "said X")
    inherit: Literal["", "previous", "next"] = ""
    complement: bool = False  # a that-clause follows: the verb reports what comes after it

    def block(self) -> Span:
        if self.mention is None:
            return self.start, self.end
        return min(self.start, self.mention[0]), max(self.end, self.mention[1])


EntityKind = Literal["person", "group", "thing"]


@dataclass(frozen=True)
class _Entity:
    """Something a pronoun may stand for, as written at ``source``, mentioned at ``at``."""

    at: int
    source: Span
    kind: EntityKind
    gender: str
    subject: bool


class Resolver:
    """Attributions for many spans of one article; the article is analysed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._sents = _sentences(text)
        self._sent_starts = [a for a, _ in self._sents]
        self._paras = _paragraphs(text)
        self._para_starts = [a for a, _ in self._paras]
        self._quotes = _quotations(text, self._paras)
        self._quote_starts = [a for a, _ in self._quotes]
        self._tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        self._tok_starts = [a for a, _ in self._tokens]
        self._cues = self._find_cues()
        self._cue_starts = [c.start for c in self._cues]
        self._resolve_pronouns()

    # -- public -------------------------------------------------------------------------------

    def resolve(self, start: int, end: int) -> Resolution:
        """Return the attribution of ``text[start:end]``.

        Raises:
            ValueError: if ``[start, end)`` is not a non-empty span of the text.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"[{start}, {end}) is not a span of a {len(self.text)}-char text")
        cue = self._choose(start, end)
        if cue is None:
            return Resolution(None, None, None, None, None, None, "article_voice")
        cue_text = self.text[cue.start : cue.end]
        if cue.source is None or cue.mention is None:
            return Resolution(None, None, None, cue_text, cue.start, cue.end, "article_voice")
        s0, s1 = cue.source
        return Resolution(
            self.text[s0:s1], s0, s1, cue_text, cue.start, cue.end, "attributed",
            cue.mention[0], cue.mention[1],
        )  # fmt: skip

    # -- choosing the cue of a span -----------------------------------------------------------

    def _choose(self, start: int, end: int) -> _Cue | None:
        """The cue of the span's sentences; else its quotation's; else its paragraph's."""
        if not self._sents:
            return None  # nothing but whitespace
        first = max(bisect_right(self._sent_starts, start) - 1, 0)
        last = max(bisect_left(self._sent_starts, end) - 1, first)
        quote = _containing(self._quotes, self._quote_starts, start, end)
        best = self._nearest(start, end, first, last, quote)
        if best is not None:
            return best
        if _containing(self._quotes, self._quote_starts, start, start + 1) is not None:
            return self._speaker_of_quote(start, end)
        return self._paragraph_source(first)

    def _eligible(self, cue: _Cue, quote: Span | None, start: int, end: int) -> bool:
        """Whether a cue may attribute a span in ``quote`` (None: outside quotations)."""
        # Words inside a quotation are the quoted speaker's, not the article's attribution,
        # unless the span is quoted text of its own (a quoted paragraph that reports speech);
        # "I", "we" and "you" there are the speaker, whose cue lies outside.
        inside = _containing(self._quotes, self._quote_starts, cue.start, cue.end)
        if inside is None:
            return True
        if inside != quote or cue.mention is None:
            return False
        speaker = self.text[cue.mention[0] : cue.mention[1]].lower()
        whole = not self._words_in(inside[0], start) and not self._words_in(end, inside[1])
        return re.match(r"(?:i|we|you)\b", speaker) is None and not whole

    def _nearest(
        self, start: int, end: int, first: int, last: int, quote: Span | None
    ) -> _Cue | None:
        """The cue of the span's sentences that sits closest to the span, if any.

        Distance is the length of the words between the span and the cue with its source.
        A cue inside the span counts only at the span's edge ("X said that ...", "...,
        according to X"), and then only after a cue right outside it; a cue after the span
        whose subject comes first ("though a review indicates") governs what follows it, so
        it reaches back only across punctuation ('"...," Warren said').
        """
        lo, hi = self._sents[first][0], self._sents[last][1]
        scored: list[tuple[int, int, _Cue]] = []
        for cue in self._cues_between(lo, hi):
            if not self._eligible(cue, quote, start, end):
                continue
            b0, b1 = cue.block()
            if b1 <= start:
                gap = len(self._gap(b1, start))
                if _CLAUSE_BREAK.search(self.text[b1:start]) and not cue.complement:
                    gap += _FAR  # "X said ..., and a big reason was ...": a new clause
            elif b0 >= end:
                between = self._gap(end, b0)
                gap = len(between)
                subject_first = cue.mention is not None and cue.mention[1] <= cue.start
                # "..., as a Homeland Security memo put it" looks back like '"...," X said'.
                as_clause = between.lower() == "as"
                quoted = self.text[:end].rstrip(" ,").endswith(tuple(_QUOTE_CHARS))
                # '..., X said.' reports its whole clause; "though a review indicates that"
                # or 'X said, "..."' report what follows them.
                trailing = self.text[:b0].rstrip().endswith((",", *_QUOTE_CHARS))
                looks_ahead = (
                    bool(between) and not (as_clause or trailing) or (cue.complement and not quoted)
                )
                if subject_first and looks_ahead and cue.kind in ("verb", "speech"):
                    gap += _FAR
            elif b0 >= start and b1 <= end:
                edge = not self._words_in(start, b0) or not self._words_in(b1, end)
                gap = _INSIDE if edge or self._parenthetical(b0, b1) else _NESTED
            else:
                gap = 0
            scored.append((gap, b0, cue))
        # A cue that only a penalty reaches governs other words: the span has no cue here.
        scored = [t for t in scored if t[0] < _FAR]
        if not scored:
            return None
        return min(scored, key=lambda t: (t[0], t[1]))[2]

    def _gap(self, a: int, b: int) -> str:
        """The text between a span and a cue, without the punctuation around it."""
        return self.text[a:b].strip(" \n,:;\"“”'‘’-—–")

    def _parenthetical(self, b0: int, b1: int) -> bool:
        """Whether the cue sits between commas or quotation marks ('"...," she said, "...')."""
        left = self.text[:b0].rstrip()[-1:]
        right = self.text[b1:].lstrip()[:1]
        return left in (",", "”", '"') and right in (",", ".", ":", "“", '"')

    def _words_in(self, a: int, b: int) -> bool:
        """Whether text[a:b] holds a word character."""
        return re.search(r"\w", self.text[a:b]) is not None

    def _speaker_of_quote(self, start: int, end: int, depth: int = 0) -> _Cue | None:
        """The cue of the quotation the span is in, found outside the span's sentences.

        That is the attribution next to the quotation ('"...," she said.', 'She said: "..."'),
        within a sentence of it in the same paragraph; or, for a quotation that opens its
        paragraph, the speaker of the paragraph before when that ends in a colon ("X said:")
        or is itself a quotation.
        """
        quote = _containing(self._quotes, self._quote_starts, start, start + 1)
        para = self._paragraph(start)
        if quote is None or para is None:
            return None
        # The attribution shares a sentence with the quotation or precedes it by one.
        first = max(self._sentence(quote[0]) - 1, self._sentence(para[0]))
        last = self._sentence(quote[1] - 1)
        following = self._sents[last + 1][0] if last + 1 < len(self._sents) else len(self.text)
        if last + 1 < len(self._sents) and (
            following - quote[1] <= 2 and "\n" not in self.text[quote[1] : following]
        ):
            last += 1  # '“... to regulate?” Vitter demanded.': split after the question mark
        near = [
            c
            for c in self._cues_between(self._sents[first][0], self._sents[last][1])
            if c.mention is not None and self._eligible(c, None, start, end)
        ]
        if near:
            return min(
                near,
                key=lambda c: (
                    c.sentence < self._sentence(quote[0]),
                    max(quote[0] - c.block()[1], c.block()[0] - quote[1]),
                ),
            )
        if quote[0] != para[0] or depth > 3:
            return None
        index = self._paras.index(para)
        if index == 0:
            return None
        prev = self._paras[index - 1]
        tail = self.text[prev[0] : prev[1]].rstrip()
        if tail.endswith(":"):
            said = [c for c in self._cues_between(*prev) if c.mention is not None]
            return said[-1] if said else None
        if tail[:1] in _QUOTE_CHARS:
            return self._speaker_of_quote(prev[0], prev[0] + 1, depth + 1)
        return None

    def _paragraph(self, pos: int) -> Span | None:
        """The paragraph that holds ``pos``."""
        i = bisect_right(self._para_starts, pos) - 1
        return self._paras[i] if i >= 0 and pos < self._paras[i][1] + 1 else None

    def _sentence(self, pos: int) -> int:
        """The index of the sentence that holds ``pos``."""
        return max(bisect_right(self._sent_starts, pos) - 1, 0)

    def _paragraph_source(self, sentence: int) -> _Cue | None:
        """A paragraph whose only attribution closes it ("..., according to AP news.")."""
        s0, _ = self._sents[sentence]
        para = next((p for p in self._paras if p[0] <= s0 < p[1]), None)
        if para is None:
            return None
        cues = [c for c in self._cues_between(*para) if self._eligible(c, None, s0, s0)]
        if len(cues) != 1 or cues[0].kind != "preposition" or cues[0].mention is None:
            return None
        close = self.text[cues[0].block()[1] : para[1]].strip()
        return cues[0] if close in (".", "") else None

    def _cues_between(self, a: int, b: int) -> list[_Cue]:
        """The cues inside [a, b)."""
        i, j = bisect_left(self._cue_starts, a), bisect_left(self._cue_starts, b)
        return [c for c in self._cues[i:j] if c.end <= b]

    # -- finding cues and their sources -------------------------------------------------------

    def _find_cues(self) -> list[_Cue]:
        """Every cue of the text with the words for its source, in text order."""
        cues: list[_Cue] = []
        for a, b, form in self._cue_matches():
            si = bisect_right(self._sent_starts, a) - 1
            if si < 0:
                continue
            if self.text[a].isupper() and self._words_in(self._sents[si][0], a):
                continue  # "States" in "United States": only a sentence may open capitalized
            # The subject of a verb lies after the previous cue of its sentence, if any.
            floor = cues[-1].end if cues and cues[-1].sentence == si else self._sents[si][0]
            cue = self._attach(a, b, form, si, floor)
            if cue is not None:
                cues.append(cue)
        for i, cue in enumerate(cues):
            if cue.inherit:
                order = reversed(cues[:i]) if cue.inherit == "previous" else iter(cues[i + 1 :])
                donor = next(
                    (
                        c
                        for c in order
                        if c.sentence == cue.sentence and c.mention and not c.inherit
                    ),
                    None,
                )
                if donor is not None:
                    cue.mention = donor.mention
                elif cue.inherit == "previous":
                    cue.mention = self._open_subject(cue.start, cue.sentence)
                else:
                    cue.mention = self._main_subject(cue.sentence)
        return cues

    def _cue_matches(self) -> list[tuple[int, int, _CueForm]]:
        """Every occurrence of a cue form as whole words, longest form first at a word."""
        table, by_first = _cue_table()
        words = [self.text[t0:t1].lower().rstrip(".") for t0, t1 in self._tokens]
        found: list[tuple[int, int, _CueForm]] = []
        i = 0
        while i < len(words):
            for form in by_first.get(words[i], ()):
                if tuple(words[i : i + len(form)]) == form:
                    start, end = self._tokens[i][0], self._tokens[i + len(form) - 1][1]
                    end -= self.text[end - 1] == "."  # "said." ends a sentence
                    found.append((start, end, table[" ".join(form)]))
                    i += len(form) - 1
                    break
            i += 1
        return found

    def _open_subject(self, a: int, si: int) -> Span | None:
        """The subject a verb with none of its own shares: the sentence's, or that of the
        relative clause it ends ("citizens, who make up 80 percent and see ...")."""
        s0 = self._sents[si][0]
        for t0, t1 in reversed(self._tokens_between(s0, a)):
            if self.text[t0:t1].lower() in ("who", "which"):
                return t0, t1
            if self.text[t0:t1] in (".", ";", ":") or self.text[t0:t1] in _QUOTE_CHARS:
                break
        return self._main_subject(si)

    def _attach(self, a: int, b: int, form: _CueForm, si: int, floor: int) -> _Cue | None:
        """Build the cue at [a, b) with the words for its source, or None if it is no cue."""
        s0, s1 = self._sents[si]
        before = self._word_before(a, s0)
        prev = before.lower() if before else ""
        # "the warning", "of reports": a noun; but "each saying", "many believe": a verb.
        noun_before = prev in _DETERMINERS | _PREPOSITIONS and not (
            prev in _QUANTIFIERS and form.form != "s"
        )
        if form.kinds & {"verb", "speech", "opinion"} and not noun_before:
            cue = self._attach_verb(a, b, form, si, prev, floor)
            if cue is not None:
                return cue
        if "noun" in form.kinds:
            return self._attach_noun(a, b, si)
        if "adjective" in form.kinds:
            return self._attach_adjective(a, b, si, floor)
        if "preposition" in form.kinds:
            np = self._np_after(b, s1)
            return _Cue(a, b, "preposition", si, mention=np, agent=True) if np else None
        if "sourceless" in form.kinds:
            return _Cue(a, b, "sourceless", si)
        return None

    def _attach_verb(
        self, a: int, b: int, form: _CueForm, si: int, prev: str, floor: int
    ) -> _Cue | None:
        """A reporting verb and its source: subject, inverted noun phrase, passive agent, or
        the subject it shares with the verb it is coordinated with; None if no report."""
        s0, s1 = self._sents[si]
        kind: CueKind = "verb" if "verb" in form.kinds else "speech"
        after = self.text[b:s1]
        tail = re.match(r"\s*(?:(?:[A-Z][a-z]+day|on\s+\w+day|this\s+\w+|last\s+\w+)\s*)?", after)
        rest = after[tail.end() if tail else 0 :]
        speech_follows = re.match(r"(?:that\b|[,:\"“”]|[.?!]?$)", rest) is not None
        if "opinion" in form.kinds:
            # "Critics see the program as an opportunity": an opinion needs "as" or "that".
            kind = "speech"
            speech_follows = re.match(r"(?:\s+that\b|[^,.;:]{1,60}?\bas\b)", after) is not None
        aux = self._aux_before(a, s0)
        if any(w in _REFUSALS for w in aux):
            return None
        if aux and aux[-1] == "to" and not (len(aux) > 1 and aux[-2] in _RAISING):
            return None  # "forced Stumpf to admit": whose words these are needs a parser
        if form.form == "s" and re.match(r"\s+(?:from|of|about|by|over|for|on|in)\b", after):
            return None  # "took questions from veterans": a plural noun
        if form.form == "base" and re.match(r"\s+(?:from|of|with)\b", after):
            return None  # "in a phone call with": a noun
        if form.form in ("base", "s") and re.match(rf"\s+(?:{'|'.join(_FINITE)})\b", after):
            return None  # "criminal charges will be filed": a noun before its verb
        past = form.form == "past"
        if past and (any(w in _BE for w in aux) or not self._words_in(s0, a)):
            # A passive ("was accused of", "Asked about ..."): the source is the "by" phrase.
            by = re.match(r"\s+by\s+", after)
            np = self._np_after(b + by.end(), s1) if by else None
            return _Cue(a, b, kind, si, mention=np, agent=True)
        by = re.match(r"\s+by\s+", after) if past else None
        if by and prev and not prev.endswith(","):
            np = self._np_after(b + by.end(), s1)
            return _Cue(a, b, kind, si, mention=np, agent=True) if np else None
        cue = _Cue(a, b, kind, si)
        # What follows the verb is its content: a that-clause or a quotation it introduces.
        cue.complement = (
            re.match(r"[^,.;:\"“”]{0,60}?(?:\bthat\b|[,:]?\s*[\"“])", after) is not None
        )
        # A participle with no subject of its own: ", adding that", "despite admitting that".
        if form.form == "ing" and (
            not self._words_in(s0, a) or prev.endswith(",") or prev in _GERUND_OPENERS
        ):
            cue.inherit = "next" if not self._words_in(s0, a) else "previous"
            return cue if kind == "verb" or speech_follows else None
        final = not cue.complement and _FINAL.fullmatch(after) is not None
        subject = self._subject_before(a, floor, aux_skipped=True, final=final)
        if subject is None:
            # '"...," said Steve Cowan.': a name after the verb, a comma or quote before it.
            inverted = None if aux else self._inverted(a, b, s0, s1)
            if inverted is not None:
                cue.mention = inverted
                return cue
        if subject == "reduced":
            return None
        if subject is None:
            # Only a coordinated verb shares the subject before it ("..., and said").
            joined = self._word_before(self._aux_start(a, s0), floor).lower()
            if joined not in ("and", "or", "but", "nor", ","):
                return None
            cue.inherit = "previous"
            return cue if kind == "verb" or speech_follows else None
        if kind == "speech" and not speech_follows:
            return None
        if self._word_before(subject[0], s0).lower() in ("if", "unless", "whether"):
            return None  # "If Trump's plan rejected ...": a hypothesis, not a report
        if form.form == "ing" and not aux:
            # "a statement saying that": the noun phrase right before is the source.
            subject = self._np_before(a, floor)
            if subject is None or not self._determined(subject):
                return None  # "additional reporting": a noun
        cue.mention = subject
        return cue

    def _attach_adjective(self, a: int, b: int, si: int, floor: int) -> _Cue | None:
        """A stance adjective after "be" with a clause after it: "she was sure Trump would"."""
        s0, s1 = self._sents[si]
        aux = self._aux_before(a, s0)
        follows = re.match(r"\s+(\w+)", self.text[b:s1])
        if not any(w in _BE for w in aux) or not follows:
            return None
        if follows.group(1).lower() in _PREPOSITIONS | _NP_STOP - {"that"}:
            return None  # "confident in", "concerned about": no reported content
        subject = self._subject_before(a, floor, aux_skipped=True)
        if not isinstance(subject, tuple):
            return None
        return _Cue(a, b, "adjective", si, mention=subject)

    def _attach_noun(self, a: int, b: int, si: int) -> _Cue | None:
        """A noun cue: "a statement from X", "X's statement", "In a statement, X ..."."""
        s0, s1 = self._sents[si]
        after = re.match(r"\s+(?:from|by)\s+", self.text[b:s1])
        if after:
            np = self._np_after(b + after.end(), s1)
            if np is None or not self._determined(np):
                return None
            return _Cue(a, b, "noun", si, mention=np, agent=True)
        head = self.text[s0:a]
        owner = re.search(
            r"(?:\b([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})['’]s|\b(his|her|its|their))\s+"
            r"(?:[a-z-]+\s+){0,2}$",
            head,
        )
        if owner:
            group = 1 if owner.group(1) else 2
            owned = (s0 + owner.start(group), s0 + owner.end(group))
            return _Cue(a, b, "noun", si, mention=owned, agent=True)
        opener = re.fullmatch(r"\s*(?:In|During)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}", head)
        comma = self.text.find(",", b, s1)
        if opener and comma > 0:
            np = self._np_after(comma + 1, s1, name_like=True)
            return _Cue(a, b, "noun", si, mention=np) if np else None
        return None

    # -- grammar helpers ----------------------------------------------------------------------

    def _tokens_between(self, a: int, b: int) -> list[Span]:
        """The tokens inside [a, b)."""
        i, j = bisect_left(self._tok_starts, a), bisect_left(self._tok_starts, b)
        return [t for t in self._tokens[i:j] if t[1] <= b]

    def _word_before(self, a: int, s0: int) -> str:
        """The token that ends before ``a``, not before ``s0``; empty if none."""
        toks = self._tokens_between(s0, a)
        if not toks:
            return ""
        t0, t1 = toks[-1]
        return self.text[t0:t1]

    def _aux_before(self, a: int, s0: int) -> list[str]:
        """The auxiliaries and adverbs right before a verb, nearest last ("has also")."""
        out: list[str] = []
        for t0, t1 in reversed(self._tokens_between(s0, a)):
            raw = self.text[t0:t1]
            w = raw.lower()
            if w in _AUX or _adverb(raw) or w == "to":
                out.insert(0, w)
                continue
            if out and out[0] == "to" and w.isalpha() and w.islower():
                out.insert(0, w)  # "appeared to blame", "declined to comment"
                continue
            break
        return out

    def _aux_start(self, a: int, s0: int) -> int:
        """Where the auxiliaries before the verb at ``a`` begin ("has also" in "has also said")."""
        toks = self._tokens_between(s0, a)
        n = len(self._aux_before(a, s0))
        return toks[-n][0] if n else a

    def _subject_before(
        self,
        a: int,
        s0: int,
        *,
        aux_skipped: bool,
        allow_single: bool = False,
        final: bool = False,
    ) -> Span | Literal["reduced"] | None:
        """The subject of the verb at ``a``: the noun phrase that opens its clause.

        Appositives and relative clauses between commas stay with the name they follow
        ("Clinton, the former secretary of State, said"). Returns None when the verb has no
        subject of its own (", and said"), and "reduced" for a noun and a lone comma before a
        participle ("The program, called EB-5,"), unless ``allow_single``. A ``final`` verb
        (nothing after it but adverbials) reports what precedes it, so the first comma part
        is its content, not its subject ("Sales fell, the company, which makes toys, said.").
        """
        toks = self._tokens_between(s0, a)
        j = len(toks) - (len(self._aux_before(a, s0)) if aux_skipped else 0)
        words = [self.text[t0:t1] for t0, t1 in toks[:j]]
        if not j or words[-1].lower() in ("and", "or", "but", "nor"):
            return None
        if j >= 3 and words[-1].lower() == "whom" and words[-2].lower() == "of":
            return toks[j - 3][0], toks[j - 1][1]  # "most of whom"
        if words[-1].lower() in _RELATIVE:
            return toks[j - 1]
        k = j
        while k > 0 and words[k - 1] not in _HARD_STOPS and words[k - 1] not in _QUOTE_CHARS:
            k -= 1
        parts: list[list[int]] = [[]]
        depth = 0
        for i in range(k, j):
            w = words[i]
            depth += (w == "(") - (w == ")")
            if depth <= 0 and (w == "," or w in _DASHES):
                parts.append([])
            else:
                parts[-1].append(i)
        if parts[-1]:
            chosen = _strip_intro(words, _after_opener(words, parts[-1]))
            # "postings that included one saying": the subject is what the verb form governs.
            while (
                len(chosen) > 1
                and re.fullmatch(r"[a-z]+(?:ed|ing)", words[chosen[0]])
                and words[chosen[1]].islower()
            ):
                chosen = chosen[1:]
            # "Stumpf in a televised interview appeared to blame": drop the circumstance.
            for n in range(1, len(chosen) - 1):
                if words[chosen[n]].lower() in ("in", "at", "during") and words[
                    chosen[n + 1]
                ].lower() in ("a", "an"):
                    chosen = chosen[:n]
                    break
        else:
            parts = [p for p in parts if p]
            if not parts:
                return None
            if len(parts) == 1 and not allow_single:
                return "reduced"
            if any(_clause(words, p) for p in parts[1:]):
                return None  # "..., the pesticide is injected into the soil, said X"
            idx = len(parts) - 1
            while (
                idx > 0
                and (_appositive(words, parts[idx]) or _place(words, parts[idx]))
                and not _is_intro(words, parts[idx - 1])
            ):
                idx -= 1
            if idx < len(parts) - 1 and (_clause(words, parts[idx]) or final and idx == 0):
                idx += 1  # "CONTENT, an HIV support group, ACON, told the inquiry"
            tail = parts[idx + 1 :]
            while tail and (
                words[tail[-1][0]].lower() in _RELATIVE | _PREPOSITIONS | {"whose", "at"}
                or words[tail[-1][0]].endswith("ing")
            ):
                tail.pop()
            chosen = _after_opener(words, parts[idx]) + [i for p in tail for i in p]
        # "... regional centers The S.E.C. said": a capitalized article starts the phrase.
        restart = [n for n in range(1, len(chosen)) if words[chosen[n]] in ("The", "A", "An")]
        if restart and words[chosen[restart[-1] - 1]].islower():
            chosen = chosen[restart[-1] :]
        if not chosen or not _plausible_np([words[i] for i in chosen]):
            # "... of the regional centers The S.E.C. said": the name right before.
            np = self._np_before(toks[j - 1][1], toks[k][0] if k < j else s0)
            if np is None or not re.search(r"[A-Z]", self.text[np[0] + 1 : np[1]]):
                return None
            # "because of Pagliano's claims": the object of a preposition is no subject.
            return None if self._word_before(np[0], s0).lower() in _PREPOSITIONS else np
        return self._trim((toks[chosen[0]][0], toks[chosen[-1]][1]))

    def _determined(self, span: Span) -> bool:
        """Whether a noun phrase opens on a determiner, a capital or a pronoun."""
        first = self.text[span[0] : span[1]].split()[0]
        return (
            first[0].isupper()
            or first[0].isdigit()
            or first.lower()
            in _DETERMINERS
            | _PERSONAL
            | _PLURAL
            | {
                "one",
                "it",
                "who",
                "which",
                "that",
            }
        )

    def _inverted(self, a: int, b: int, s0: int, s1: int) -> Span | None:
        """The source after an inverted verb ('"...," said Steve Cowan.'), if the verb follows
        a comma or a quotation and a noun phrase ends the clause after it."""
        before = self.text[s0:a].rstrip()
        if before and before[-1] not in ',:"”’' and not before.endswith("--"):
            return None
        np = self._np_after(b, s1, name_like=True)
        if np is None or not re.match(r"\s*(?:[.,;:!?\"”)]|$)", self.text[np[1] : s1 + 1]):
            return None
        return np

    def _np_after(self, pos: int, limit: int, *, name_like: bool = False) -> Span | None:
        """The noun phrase starting at ``pos``, with a closing appositive ("X, a spokesman")."""
        toks = self._tokens_between(pos, limit)
        words = [self.text[t0:t1] for t0, t1 in toks]
        i = 0
        while (
            i < len(words)
            and words[i].lower().rstrip(".") in _TIME | {"on"}
            and (words[i][0].isupper() or words[i].lower() in ("on", "this", "last"))
        ):
            i += 1
        if (
            i < len(words)
            and name_like
            and not (
                words[i][0].isupper()
                or words[i].lower() in _DETERMINERS
                or words[i][0].isdigit()
                # "presidential nominee Hillary Clinton": lowercase titles before a name
                or any(w[0].isupper() for w in words[i : i + _np_length(words, i)][1:4])
            )
        ):
            return None
        n = _np_length(words, i)
        if n == 0:
            return None
        end = i + n
        if end < len(words) and words[end] == ",":
            m = _np_length(words, end + 1)
            closes = end + 1 + m >= len(words) or words[end + 1 + m] in (".", ";", "”", '"')
            if (
                m
                and closes
                and (words[end + 1][0].isupper() or words[end + 1].lower() in _DETERMINERS)
            ):
                end = end + 1 + m
        return self._trim((toks[i][0], toks[end - 1][1]))

    def _main_subject(self, si: int) -> Span | None:
        """The first noun phrase of a sentence, after an introductory phrase."""
        s0, s1 = self._sents[si]
        toks = self._tokens_between(s0, s1)
        words = [self.text[t0:t1] for t0, t1 in toks]
        i = 0
        while i < len(words) and words[i] in _QUOTE_CHARS:
            i += 1
        if i < len(words) and words[i].lower() in _INTRO and "," in words[i:]:
            i = words.index(",", i) + 1
        while i < len(words) - 1 and words[i].lower() in _INTRO | _CLAUSE_OPENERS - {
            "the",
            "a",
            "an",
            "that",
            "which",
            "who",
            "whom",
            "whose",
            "what",
        }:
            i += 1
        n = _np_length(words, i, stop_at_verb=True)
        return self._trim((toks[i][0], toks[i + n - 1][1])) if n else None

    def _trim(self, span: Span) -> Span | None:
        """The span without outer punctuation (an abbreviation keeps its period); None if empty."""
        a, b = span
        while a < b and not self.text[a].isalnum() and self.text[a] not in "($":
            a += 1
        while b > a and (self.text[b - 1] in ",;:\"”“'’ <>" or self.text[b - 1].isspace()):
            b -= 1
        if b > a and self.text[b - 1] == "." and not _abbreviation(self.text[a:b]):
            b -= 1
        return (a, b) if a < b else None

    # -- names and pronouns -------------------------------------------------------------------

    def _find_entities(self) -> list[_Entity]:
        """What a pronoun may stand for: capitalized names and the subjects of sentences.

        Names after "in", "at" and the like are places; names with an organization word
        ("Committee", "Bank") or in capitals are organizations; other names of two words, or
        with a title, or that are the subject of a cue, are people. Subjects that are no names
        count too: people by their head noun ("the mayor"), groups when plural ("Critics of
        the program", "Democrats").
        """
        heads = [c.mention for c in self._cues if c.mention is not None and not c.agent]
        heads += [h for si in range(len(self._sents)) if (h := self._main_subject(si))]
        names: list[tuple[int, int, EntityKind, bool]] = []
        for m in _NAME.finditer(self.text):
            toks = m.group().split()
            start = m.start()
            while toks and re.sub(r"['’]\w*$", "", toks[0].lower()).strip(".,") in (
                _FUNCTION_CAPS | _TIME | _MONTHS
            ):
                start = self.text.index(toks[0], start) + len(toks[0])
                toks = toks[1:]
            if not toks:
                continue
            start = self.text.index(toks[0], start)
            end = start + len(re.sub(r"(?:['’]s)?[.,]?$", "", " ".join(toks)))
            name = self.text[start:end]
            low = {t.lower().strip(".,’'") for t in name.split()}
            before = self.text[max(0, start - 12) : start].split()[-1:]
            titled = bool(low & _TITLES) or self._titled(start)
            last = name.split()[-1].lower().strip(".,’'")
            if last in _ORG_WORDS or (name.isupper() and len(name) > 1):
                names.append((start, end, "thing", titled))
            elif before and before[0].lower() in _PLACE_PREPOSITIONS and not titled:
                continue
            elif re.match(r"[RDI]-[A-Z]|I['’]", name):
                continue  # a party tag ("R-Ky."), "I'm"
            else:
                names.append(
                    (
                        start,
                        end,
                        "group" if name.endswith("s") and len(low) == 1 else "person",
                        titled,
                    )
                )
        # "The woman's enthusiasm": a person named by a role noun, as a possessor.
        for m in re.finditer(r"\b(?:[Tt]he|[Aa]n?)\s+(?:[\w-]+\s+){0,2}?(\w+)['’]s\b", self.text):
            if m.group(1).lower() in _PERSON_NOUNS:
                names.append((m.start(), m.end(1), "person", False))
        names.sort()
        name_starts = [n[0] for n in names]
        # The subject of a head noun phrase is its last name before a comma, "of" or "who":
        # "Clinton communication director Jennifer Palmieri", "Ivanka Trump, the ...".
        subjects: set[int] = set()
        for h0, h1 in heads:
            cut = re.search(
                r",|\(| (?:of|for|at|in|on|from|with|about|who|which) ", self.text[h0:h1]
            )
            stop = h0 + cut.start() if cut else h1
            lo, hi = bisect_left(name_starts, h0), bisect_left(name_starts, stop)
            inside = names[lo:hi]
            # The name heads the phrase only if it ends it: not "Local" in "Local farmers".
            if inside and not re.search(r"\w", self.text[inside[-1][1] : stop]):
                subjects.add(inside[-1][0])
        surnames = {
            self.text[n0:n1].split()[-1]
            for n0, n1, k, titled in names
            if k == "person" and (titled or n0 in subjects) and " " in self.text[n0:n1]
        }
        found: list[_Entity] = []
        for start, end, kind, titled in names:
            subject = start in subjects
            single = len(self.text[start:end].split()) == 1
            if (
                kind == "person"
                and single
                and not (titled or subject or self.text[start:end] in surnames)
            ):
                continue
            gender = self._role_gender(start, end)
            noun = self.text[start:end].split()[-1].lower()
            if noun in _PERSON_NOUNS and (noun in _MALE or noun in _FEMALE):
                gender = "m" if noun in _MALE else "f"
            found.append(_Entity(start, (start, end), kind, gender, subject))
        named = {e.at for e in found}
        for m0, m1 in heads:
            words = self.text[m0:m1].split()
            if not words or words[0].lower() in _PERSONAL | _PLURAL | _NEUTER | _RELATIVE:
                continue
            head = _head_noun(words)
            if head not in _PERSON_NOUNS and m0 in named and " and " not in self.text[m0:m1]:
                continue
            if head in _PERSON_NOUNS:
                gender = "m" if head in _MALE else "f" if head in _FEMALE else ""
                found.append(_Entity(m0, (m0, m1), "person", gender, True))
            elif " and " in self.text[m0:m1] or head.endswith("s") and len(head) > 3:
                found.append(_Entity(m0, (m0, m1), "group", "", True))
            elif words[0].lower() in ("the", "a", "an", "its"):
                found.append(_Entity(m0, (m0, m1), "thing", "", True))
        found.sort(key=lambda e: e.at)
        return self._vote_genders(found, name_starts)

    def _titled(self, start: int) -> bool:
        """Whether a title comes right before a name ("President Obama")."""
        before = self.text[max(0, start - 30) : start].split()
        return bool(before) and before[-1].lower().strip(".,") in _TITLES

    def _role_gender(self, start: int, end: int) -> str:
        """He or she from a title or role word next to a name ("Mr.", ", a spokeswoman")."""
        near = self.text[start:end].lower().split()[:1]  # "Ms. Berg"
        near += self.text[max(0, start - 25) : start].lower().split()[-2:]  # "spokesman John"
        after = self.text[end : end + 80].lower()  # "John Smith, a spokesman,"
        near += re.findall(r"\w+", after.split(",")[1]) if after.startswith(",") else []
        for w in near:
            w = w.strip(".,")
            if w in _MALE - _PRONOUNS or w in _FEMALE - _PRONOUNS:
                return "m" if w in _MALE else "f"
        return ""

    def _vote_genders(self, entities: list[_Entity], name_starts: list[int]) -> list[_Entity]:
        """Fill in genders from the first he/she/his/her after a person who is a subject.

        The pronoun must come before the next capitalized name and within the next sentence;
        the votes of all mentions of a name (its last word) decide.
        """
        votes: dict[str, list[str]] = {}
        for e in entities:
            if not e.subject or e.kind != "person":
                continue
            si = bisect_right(self._sent_starts, e.at) - 1
            limit = self._sents[min(si + 1, len(self._sents) - 1)][1]
            following = bisect_left(name_starts, e.source[1])
            if following < len(name_starts):
                limit = min(limit, name_starts[following])
            quote = _containing(self._quotes, self._quote_starts, *e.source)
            for m in _GENDERED.finditer(self.text, e.source[1], max(limit, e.source[1])):
                if _containing(self._quotes, self._quote_starts, m.start(), m.end()) == quote:
                    word = m.group().lower()
                    votes.setdefault(_key(self.text, e.source), []).append(
                        "m" if word in _MALE else "f"
                    )
                    break
        out = []
        for e in entities:
            v = votes.get(_key(self.text, e.source), [])
            guess = max(sorted(set(v)), key=v.count) if v else ""
            out.append(
                e if e.gender or not guess else _Entity(e.at, e.source, e.kind, guess, e.subject)
            )
        return out

    def _resolve_pronouns(self) -> None:
        """Set each cue's source: its mention, or for a pronoun the name it stands for.

        Pronouns are resolved in text order, and each one resolved becomes a candidate for
        the next ("Trump said ... He added ..."), so a chain of pronouns keeps its referent.
        """
        entities = self._find_entities()
        for cue in sorted((c for c in self._cues if c.mention), key=lambda c: c.start):
            assert cue.mention is not None
            cue.source, entity = self._antecedent(cue.mention, entities)
            if entity is not None:
                entities.append(entity)
                entities.sort(key=lambda e: e.at)

    def _antecedent(self, mention: Span, entities: list[_Entity]) -> tuple[Span, _Entity | None]:
        """The span a pronoun stands for and the entity it adds; the mention if no pronoun."""
        a, b = mention
        word = self.text[a:b].lower()
        si = bisect_right(self._sent_starts, a) - 1
        if word in _RELATIVE or word.endswith(" of whom"):
            np = self._np_before(a, self._sents[si][0])
            return (np or mention), None
        if word in ("each", "both", "all"):
            return (self._main_subject(si) or mention), None
        if word not in _PERSONAL | _PLURAL | _NEUTER:
            return mention, None
        gender = "m" if word in _MALE else "f" if word in _FEMALE else ""
        want: EntityKind = (
            "person" if word in _PERSONAL else "group" if word in _PLURAL else "thing"
        )
        in_quote = _containing(self._quotes, self._quote_starts, a, b)
        best: tuple[int, int, int] | None = None
        chosen: _Entity | None = None
        for e in entities:
            if e.at >= a:
                break
            esi = bisect_right(self._sent_starts, e.at) - 1
            if si - esi > 4 or e.kind != want or (gender and e.gender not in ("", gender)):
                continue
            if _containing(self._quotes, self._quote_starts, *e.source) not in (None, in_quote):
                continue
            rank = (si - esi, 0 if e.subject else 1, -e.at)
            if best is None or rank < best:
                best, chosen = rank, e
        if chosen is None:
            return mention, None
        return chosen.source, _Entity(a, chosen.source, want, gender or chosen.gender, True)

    def _np_before(self, a: int, s0: int) -> Span | None:
        """The noun phrase that ends right before ``a`` ("members of [the Saudi government],")."""
        toks = self._tokens_between(s0, a)
        words = [self.text[t0:t1] for t0, t1 in toks]
        j = len(words)
        while j and (words[j - 1] in (",", "(", ")") or words[j - 1] in _DASHES):
            j -= 1
        i = j
        while i > 0:
            w = words[i - 1]
            lw = w.lower()
            if lw in _DETERMINERS:
                i -= 1
                break
            if lw in ("of", "for") and i < j and words[i].islower():
                i -= 1
                continue
            if not w[0].isalnum() or lw in _NP_STOP or lw in _PREPOSITIONS:
                break
            if w.islower() and lw.endswith("ed") and i < j:
                break
            i -= 1
        return self._trim((toks[i][0], toks[j - 1][1])) if i < j else None


# ------------------------------------------------------------------------------------------
# Small pure helpers.
# ------------------------------------------------------------------------------------------


# Distance penalties (in characters) for cues that are unlikely to govern a span.
_INSIDE = 5
_NESTED = 30
_FAR = 200
_CLAUSE_BREAK = re.compile(r"[,;]\s+(?:and|but|while|though|although|yet|who|which)\b(?!\s+that)|;")
# What may follow a verb that ends its sentence: time, place or manner ("on Tuesday").
_FINAL = re.compile(
    r"(?:,?\s+(?:(?:on|in|at|to|during|after|before|this|last|late|early)\b[^,.;:\"“”]*"
    r"|[a-z]+ly\b|[A-Z][a-z]+day\b))*\s*[.!?]?[\"”’]?\s*"
)
_HARD_STOPS = frozenset({";", ":", "?", "!"})


def _after_opener(words: list[str], part: list[int]) -> list[int]:
    """The part after its last clause opener ("though a review of records" -> "a review ...")."""
    for n in range(len(part) - 1, -1, -1):
        w = words[part[n]].lower()
        pronoun_next = n + 1 < len(part) and words[part[n + 1]].lower() in _SUBJECT_PRONOUNS
        if w in _CLAUSE_OPENERS and (w not in ("and", "or") or pronoun_next):
            return part[n + 1 :]  # "... and he stressed" opens a clause; "X and Y" does not
    return part


def _strip_intro(words: list[str], part: list[int]) -> list[int]:
    """The part without the introductory words it opens with ("Last week Stumpf ...")."""
    while len(part) > 1 and (
        words[part[0]].lower() in _INTRO - {"the"} or words[part[0]].lower().rstrip(".") in _TIME
    ):
        part = part[1:]
    return part


def _appositive(words: list[str], part: list[int]) -> bool:
    """Whether a comma-delimited part describes the name before it ("the mayor", "R-Ky.")."""
    first = words[part[0]]
    return (
        first[0].islower()
        or first[0].isdigit()
        or re.search(r"['’]s$", first) is not None  # "CNN's chief medical correspondent"
        or re.match(r"[RDI]-[A-Z]", first) is not None
        or (len(part) > 1 and words[part[1]] == "of" and len(part) <= 4)
    )


def _clause(words: list[str], part: list[int]) -> bool:
    """Whether a comma-delimited part is a clause of its own, not a relative or appositive."""
    if words[part[0]].lower() in _RELATIVE | {"whose"}:
        return False
    return any(words[i].lower() in _FINITE for i in part)


# Words ending in -ly that are no adverbs.
_LY_NOUNS = _words("family rally ally supply reply assembly anomaly monopoly bully fly belly jelly")


def _adverb(word: str) -> bool:
    """Whether a word is an adverb by its -ly ending ("also" and the like are in _AUX)."""
    return word.islower() and word.endswith("ly") and len(word) > 3 and word not in _LY_NOUNS


def _place(words: list[str], part: list[int]) -> bool:
    """Whether a comma-delimited part is a short capitalized name ("Norfolk, Virginia,")."""
    return len(part) <= 3 and all(words[i][0].isupper() for i in part)


def _plausible_np(words: list[str]) -> bool:
    """Whether words can be a subject: not a verb phrase, not ending on a function word."""
    first, last = words[0], words[-1].lower()
    if first.lower() in _AUX | _PREPOSITIONS or (
        first[0].islower()
        and (first.endswith("ing") or first.endswith("ed"))
        and not any(w[0].isupper() for w in words)
    ):
        return False
    if any(
        w.lower() in _FINITE
        or re.fullmatch(
            r"(?:it|that|there|he|she|what|who|here)['’]s|\w+['’](?:re|ve|ll|d)", w.lower()
        )
        for w in words
    ):
        return False  # "consultations will soon finalize logistical [details]"
    return last not in _PREPOSITIONS | _AUX | {"and", "or", "but", "to", "the", "a", "an"}


def _is_intro(words: list[str], part: list[int]) -> bool:
    """Whether a comma-delimited part is an introductory phrase ("At the forum,")."""
    first = words[part[0]].lower()
    return (
        first in _INTRO - {"the", "and", "or"}
        or first.rstrip(".") in _TIME
        or first.endswith("ing")
    )


def _head_noun(words: list[str]) -> str:
    """The last word before "of", a comma or a relative pronoun: "Critics of ..." -> critics."""
    head = ""
    for w in words:
        lw = w.lower()
        if lw in _PREPOSITIONS | _RELATIVE or not w[0].isalnum() or lw == "and":
            break
        head = lw.strip(",.")
        if w.endswith(","):
            break
    return "" if head.endswith(("ss", "'s", "’s", "us")) else head


def _key(text: str, span: Span) -> str:
    """A name's last word, lowercased: what its mentions share ("Sen. Elizabeth Warren")."""
    return text[span[0] : span[1]].split()[-1].lower().strip(".,’'")


def _abbreviation(s: str) -> bool:
    """Whether the last word of ``s`` keeps its period ("Sen.", "U.S.", "E.")."""
    last = s.split()[-1].lower().rstrip(".") if s.split() else ""
    return last in _ABBREVIATIONS or len(last) == 1 or "." in last


_NP_STOP = _AUX | _words(
    "that which who whom whose when because while although though if unless since until as "
    "than where whether how why what on during after before amid despite with without to into "
    "said says told"
)


def _verb_form(word: str) -> bool:
    """Whether a word is a reporting verb form and not also a cue noun ("report")."""
    form = _cue_table()[0].get(word)
    return (
        form is not None
        and "noun" not in form.kinds
        and bool(form.kinds & {"verb", "speech", "opinion"})
    )


_NP_GLUE = _words("the a an of and for in at 's his her its their")


def _np_length(words: list[str], i: int, *, stop_at_verb: bool = False) -> int:
    """How many of ``words[i:]`` form a noun phrase (names, determiners, "of", "and")."""
    n = 0
    depth = 0
    content = False
    while i + n < len(words):
        w = words[i + n]
        lw = w.lower()
        if w == "(":
            depth += 1
        elif w == ")":
            depth -= 1
        elif depth > 0:
            pass
        elif not (w[0].isalnum() or w in ("&", "$", "'", "’")):
            break
        elif lw in _NP_STOP or (n and w.islower() and _verb_form(lw)):
            break
        elif stop_at_verb and w.islower() and lw not in _NP_GLUE:
            if content or (n and words[i + n - 1][0].isupper() and lw.endswith("ed")):
                break  # "The buses [left]", "Judge Jones [interjected]": a verb after the head
            content = True
        n += 1
        if n >= 16:
            break
    while n and words[i + n - 1].lower() in ("and", "of", "for", "the", "a", "an", "in", "at"):
        n -= 1
    return n
