"""Whether a passage states what a statement says: a check of meaning over the parse.

Sharing words is not stating. A statement passes only when, against the passage it rests on
(its evidence):

- every number is there, counting the same thing ("176 drones", not "176 missiles");
- every name is there, or named by the article and in no other name's place ("Ukrainian
  captives" where the passage says "Russian captives" is a swap), and the one who does what
  the statement's main verb says is the one the passage names for it;
- polarity agrees: a negation, or a negative predicate ("refused to", "yet to", "halted"),
  governs the same verb in both or in neither;
- no word of the statement has its opposite in the passage where the passage lacks the word
  ("excludes" against "includes", "abandoned" against "resume");
- its main predicate is backed (the same lemma, a paraphrase the data supports, or the same
  stem), and few of its other words are added: a fact, qualifier or modifier no word of the
  passage backs counts against it.

Each failure is a :class:`Contradiction` whose reason names the word and the sentence, e.g.
"the claim says 'refused'; S16 says 'signed a deal to purchase'". The lexicon of paraphrases
and opposites is ``lexicon.json`` beside this module (made by ``benchmarks/mine_lexicon.py``
from SummEdits train documents, with hand-written lists of negative predicates and common
opposites).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from summarizer.text.grounding import normalize

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from summarizer.attribution.parse import Parsed

# Entity types whose words must be in the evidence (or at least in the article).
_NAMES = frozenset("PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE".split())
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"})
# Words that carry no fact of their own here: reporting verbs and light words (attribution is
# checked apart), auxiliaries.
_LIGHT = frozenset(
    """
    say tell state add note according report claim announce explain
    be have do get make take also just still even only very really so then now well
    there here thing way lot kind
    """.split()
)
# Verbs whose negation denies what they govern ("did not agree to buy": no buying).
_IMPLICATIVE = frozenset(
    """
    agree try manage plan want decide intend seek aim need have be get begin start continue
    choose promise vote move dare bother attempt wish hope expect bring
    """.split()
)
_NEGATORS = frozenset({"not", "n't", "never", "no", "neither", "nor", "nobody", "nothing", "none"})
_WORD_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORD_NUMBERS |= {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                  "eighty": "80", "ninety": "90", "hundred": "100", "dozen": "12"}  # fmt: skip
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# Country and people names whose adjective shares no five-letter stem with them.
_DEMONYMS = {
    "french": "france", "british": "britain", "dutch": "netherlands", "swiss": "switzerland",
    "welsh": "wales", "irish": "ireland", "scottish": "scotland", "english": "england",
    "spanish": "spain", "greek": "greece", "turkish": "turkey", "danish": "denmark",
    "swedish": "sweden", "finnish": "finland", "polish": "poland", "norwegian": "norway",
    "chinese": "china", "japanese": "japan", "vietnamese": "vietnam", "thai": "thailand",
    "american": "u.s.", "americans": "u.s.", "us": "u.s.", "usa": "u.s.", "uk": "britain",
    "u.k.": "britain", "israeli": "israel", "iraqi": "iraq", "iranian": "iran",
    "afghan": "afghanistan", "pakistani": "pakistan", "saudi": "saudi", "mexican": "mexico",
    "canadian": "canada", "german": "germany", "republican": "gop", "peruvian": "peru",
}  # fmt: skip
# Names written several ways; a word of one backs any other of its group.
_ALIASES = (
    frozenset({"united", "states", "america", "american", "americans", "us", "u.s.", "usa"}),
    frozenset({"united", "kingdom", "uk", "u.k.", "british", "britain"}),
)
# Words that say how a figure is counted, not what it counts.
_QUANTITIES = frozenset(
    "million billion trillion thousand hundred percent % $ dollar point time year month "
    "week day hour more less than about nearly almost".split()
)
_TITLES = frozenset(
    "mr. mrs. ms. dr. mr mrs ms dr sen. sen gov. gov rep. rep president secretary".split()
)
_PRONOUNS = frozenset("he she i they we him her his its it their them my our me us".split())
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Contradiction:
    """Why a passage does not state a statement, as a person can read it."""

    kind: str
    word: str
    reason: str


@dataclass(frozen=True)
class Words:
    """The tokens of a passage as the checks read them: parallel tuples, one item a token.

    ``where`` names the sentence each token sits in ("S16"), for reasons.
    """

    text: tuple[str, ...]
    lower: tuple[str, ...]
    lemma: tuple[str, ...]
    pos: tuple[str, ...]
    dep: tuple[str, ...]
    head: tuple[int, ...]
    ent: tuple[str, ...]
    where: tuple[str, ...]

    @classmethod
    def of_doc(cls, doc: Doc, where: str = "") -> Words:
        """The words of a parsed spaCy doc, all in the one sentence ``where``."""
        return cls(
            tuple(t.text for t in doc),
            tuple(t.lower_ for t in doc),
            tuple((t.lemma_ or t.text).lower() for t in doc),
            tuple(t.pos_ for t in doc),
            tuple(t.dep_ for t in doc),
            tuple(t.head.i for t in doc),
            tuple(t.ent_type_ for t in doc),
            tuple(where for _ in doc),
        )

    @classmethod
    def of_parsed(cls, parsed: Parsed, spans: Sequence[tuple[int, int, str]]) -> Words:
        """The words of the article's parse at char spans ``(start, end, label)``, each a
        sentence or run of sentences labelled for reasons; heads outside a span become the
        token itself."""
        ranges = [(*parsed.tokens(a, b), label) for a, b, label in spans]
        parsed.need_all([(a, b) for a, b, _ in ranges])
        text: list[str] = []
        lower: list[str] = []
        lemma: list[str] = []
        pos: list[str] = []
        dep: list[str] = []
        head: list[int] = []
        ent: list[str] = []
        where: list[str] = []
        for a, b, label in ranges:
            base = len(text) - a
            for i in range(a, b):
                text.append(parsed.words[i])
                lower.append(parsed.lower[i])
                lemma.append(parsed.lemma(i))
                pos.append(parsed.pos[i])
                dep.append(parsed.dep[i])
                h = parsed.head[i]
                head.append(h + base if a <= h < b else i + base)
                ent.append(parsed.ent_type(i))
                where.append(label)
        return cls(*map(tuple, (text, lower, lemma, pos, dep, head, ent, where)))  # type: ignore[arg-type]

    @classmethod
    def joined(cls, parts: Sequence[Words]) -> Words:
        """Passages taken together, in order."""
        fields: list[list[object]] = [[] for _ in range(8)]
        for w in parts:
            base = len(fields[0])
            for k, column in enumerate(
                (w.text, w.lower, w.lemma, w.pos, w.dep, tuple(h + base for h in w.head),
                 w.ent, w.where)
            ):  # fmt: skip
                fields[k].extend(column)
        return cls(*map(tuple, fields))  # type: ignore[arg-type]

    def labelled(self, where: str) -> Words:
        """The same words, all said to be in ``where``."""
        return Words(
            self.text, self.lower, self.lemma, self.pos, self.dep, self.head, self.ent,
            tuple(where for _ in self.text),
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.text)

    def children(self, i: int) -> list[int]:
        return self._children[i]

    @cached_property
    def figures(self) -> dict[int, str]:
        """:func:`numbers_of` the passage, worked out once."""
        return numbers_of(self)

    @cached_property
    def _children(self) -> list[list[int]]:
        kids: list[list[int]] = [[] for _ in self.head]
        for j, h in enumerate(self.head):
            if h != j:
                kids[h].append(j)
        return kids

    def sentence(self, i: int) -> str:
        return self.where[i] or "the evidence"


@dataclass(frozen=True)
class Lexicon:
    """Paraphrases the data supports, opposites, and predicates that negate what they govern."""

    paraphrases: frozenset[tuple[str, str]]
    antonyms: frozenset[tuple[str, str]]
    negative: frozenset[str]

    def same(self, a: str, b: str) -> bool:
        return a == b or (a, b) in self.paraphrases

    def opposite(self, a: str, b: str) -> bool:
        return (a, b) in self.antonyms


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon shipped beside this module, loaded once."""
    raw = json.loads(resources.files(__package__).joinpath("lexicon.json").read_text("utf-8"))

    def pairs(rows: Iterable[Sequence[object]], seen: int = 1) -> frozenset[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for row in rows:
            if len(row) > 2 and int(str(row[2])) < seen:
                continue
            a, b = str(row[0]).lower(), str(row[1]).lower()
            out |= {(a, b), (b, a)}
        return frozenset(out)

    # Mined opposites seen once are often other edits made beside the swap.
    return Lexicon(
        paraphrases=pairs(raw.get("paraphrases", [])),
        antonyms=pairs(raw.get("antonyms", []), seen=2) | pairs(raw.get("antonyms_core", [])),
        negative=frozenset(str(w).lower() for w in raw.get("negative_predicates", [])),
    )


# A statement half of whose content words its evidence does not back says something else,
# whatever the model of added words makes of their kinds.
_MOST_ADDED = 0.5

# What the model of added words reads of a statement: its unbacked content words by kind
# (a name the article gives elsewhere, the main predicate, other verbs, nouns, adjectives,
# adverbs), their share of its content words, and its length.
FEATURES = ("name", "predicate", "verb", "noun", "adj", "adv", "share", "content", "one")


@dataclass(frozen=True)
class AddedModel:
    """A logistic model of whether a statement still states what its evidence says despite
    the words it adds (paraphrases) or not (added facts and qualifiers), learned from train
    data by ``benchmarks/train_verification.py``; a claim is kept when its probability is
    at least ``threshold``, a summary sentence, key point or headline (which may restate
    several claims in other words) when it is at least ``statement_threshold``."""

    weights: tuple[float, ...]
    threshold: float
    statement_threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def added_model() -> AddedModel:
    """The model shipped beside this module (``added_model.json``), loaded once."""
    raw = json.loads(resources.files(__package__).joinpath("added_model.json").read_text("utf-8"))
    if tuple(raw["features"]) != FEATURES:
        raise ValueError("added_model.json was made for other features; retrain it")
    return AddedModel(
        tuple(float(w) for w in raw["weights"]),
        float(raw["threshold"]),
        float(raw["statement_threshold"]),
    )


@dataclass(frozen=True)
class Assessment:
    """What the checks found: the first contradiction of a hard check (numbers, names,
    roles, polarity, opposites), the statement's words its evidence does not back, and the
    features the model of added words reads."""

    contradiction: Contradiction | None
    added: tuple[str, ...]
    features: tuple[float, ...]


def check_meaning(
    statement: Words,
    evidence: Words,
    *,
    article_names: frozenset[str] = frozenset(),
    subject: str = "the claim",
    model: AddedModel | None = None,
) -> Contradiction | None:
    """The first reason ``evidence`` does not state ``statement``, or None.

    ``article_names`` are the lowercase words of the names the whole article gives, so that a
    name stated earlier in the article ("Russian strikes") is not a swap. ``subject`` names
    the statement in reasons: "the claim", or a summary's statement ("the key point"), which
    the model of added words (``model``, default the shipped one) judges by its
    ``statement_threshold``.
    """
    check = _Check(statement, evidence, article_names, subject, lexicon())
    found = check.hard()
    if found is not None:
        return found
    added, features = check.added()
    if not added:
        return None
    chosen = model or added_model()
    if features[FEATURES.index("share")] >= _MOST_ADDED:
        return check.added_reason(added)
    least = chosen.threshold if subject == "the claim" else chosen.statement_threshold
    if chosen.probability(features) >= least:
        return None
    return check.added_reason(added)


def assess(
    statement: Words, evidence: Words, *, article_names: frozenset[str] = frozenset()
) -> Assessment:
    """Every finding of the checks at once (for training the model of added words)."""
    check = _Check(statement, evidence, article_names, "the claim", lexicon())
    added, features = check.added()
    return Assessment(check.hard(), tuple(statement.text[i] for i in added), features)


def _number(word: str) -> str | None:
    w = _THOUSANDS.sub("", word.lower())
    if w in _WORD_NUMBERS:
        return _WORD_NUMBERS[w]
    found = _DIGITS.search(w)  # "38%", "+/-3", "$6.86"
    if found is None or not w[:1].isdigit() and not found.start() <= 3:
        return None
    return f"{float(found.group()):g}"


def numbers_of(w: Words) -> dict[int, str]:
    """The numbers of a passage by token: figures, number words, and "thirty-eight" (38, at
    its first word)."""
    found: dict[int, str] = {}
    for i, low in enumerate(w.lower):
        if i - 2 in found and w.lower[i - 1] == "-" and w.lower[i - 2] in _TENS:
            unit = _WORD_NUMBERS.get(low)
            if unit is not None and int(unit) < 10:
                found[i - 2] = str(_TENS[w.lower[i - 2]] + int(unit))
                continue
        n = _number(low)
        if n is not None and (w.pos[i] == "NUM" or low[:1].isdigit() or low in _WORD_NUMBERS
                              or _DIGITS.search(low)):  # fmt: skip
            found[i] = n
    return found


def _stem(word: str) -> str:
    return normalize(word)[:5]


class _Check:
    def __init__(
        self,
        s: Words,
        e: Words,
        article_names: frozenset[str],
        subject: str,
        lex: Lexicon,
    ) -> None:
        self.s, self.e = s, e
        self.names = article_names
        self.who = subject
        self.lex = lex
        self.e_lower = set(e.lower)
        self.e_joined = "".join(e.lower)
        self.e_lemma = set(e.lemma)
        self.e_stems = {_stem(w) for w in e.lower if len(w) >= 4}
        self.e_numbers: dict[str, list[int]] = {}
        for i, n in e.figures.items():
            self.e_numbers.setdefault(n, []).append(i)
        self.e_negated = [self._negated(e, i) for i in range(len(e))]

    # -- the checks, in order ---------------------------------------------------------

    def hard(self) -> Contradiction | None:
        """The first contradiction of the checks that reject on their own."""
        for step in (self._numbers, self._names, self._roles, self._polarity, self._opposites):
            found = step()
            if found is not None:
                return found
        return None

    def _numbers(self) -> Contradiction | None:
        s, e = self.s, self.e
        for i, n in s.figures.items():
            w = s.lower[i]
            at = self.e_numbers.get(n)
            if not at:
                if w in _WORD_NUMBERS and n in ("1", "0"):
                    continue  # "one of", "no": too often not a count
                near = self._counted(s, i)
                other = next(
                    (
                        j
                        for j in range(len(e))
                        if e.pos[j] == "NUM" and near and self._counted(e, j) == near
                    ),
                    None,
                )
                said = f"; {e.sentence(other)} says '{e.text[other]} {near}'" if other else ""
                return Contradiction(
                    "number",
                    s.text[i],
                    f"{self.who} says '{s.text[i]}'{said or ', which its evidence does not'}",
                )
            counted = self._counted(s, i)
            theirs = [self._counted(e, j) for j in at]
            if counted and not any(c is None or self._backs_word(counted, c) for c in theirs):
                j = at[0]
                return Contradiction(
                    "number",
                    s.text[i],
                    f"{self.who} says '{s.text[i]} {counted}'; {e.sentence(j)} says "
                    f"'{e.text[j]} {theirs[0]}'",
                )
            moved = self._moved_number(i, at)
            if moved is not None:
                return moved
        return None

    def _moved_number(self, i: int, at: list[int]) -> Contradiction | None:
        """A figure the evidence gives, but with another figure's words: "$2.4 million from
        the securities industry" where the evidence has $12.7 million from it and $2.4 million
        from banks."""
        s, e = self.s, self.e
        mine = self._near_words(s, i)
        if not mine or any(self._shares(mine, self._near_words(e, j)) for j in at):
            return None
        figures = e.figures
        for j, m in figures.items():
            if j in at or m == figures.get(at[0]):
                continue
            shared = self._shares(mine, self._near_words(e, j))
            if shared:
                return Contradiction(
                    "number",
                    s.text[i],
                    f"{self.who} gives '{s.text[i]}' for '{shared}'; {e.sentence(j)} gives "
                    f"'{e.text[j]}' for it",
                )
        return None

    def _near_words(self, w: Words, i: int) -> list[str]:
        """The content words next to a figure (four either side, up to another figure)."""
        figures = w.figures
        found: list[str] = []
        for step in (-1, 1):
            k = i + step
            while 0 <= k < len(w) and abs(k - i) <= 4 and k not in figures:
                if self._content(w, k) and w.lemma[k] not in _QUANTITIES:
                    found.append(w.lemma[k])
                k += step
        return found

    def _shares(self, mine: list[str], theirs: list[str]) -> str | None:
        return next((a for a in mine for b in theirs if self._backs_word(a, b)), None)

    def _names(self) -> Contradiction | None:
        s, e = self.s, self.e
        for i in range(len(s)):
            if not self._is_name(s, i):
                continue
            swapped = self._swap_of(i)
            if swapped is None and self._backed(i):
                continue
            if swapped is not None:
                return Contradiction(
                    "name",
                    s.text[i],
                    f"{self.who} says '{self._phrase(s, i)}'; {e.sentence(swapped)} says "
                    f"'{self._phrase(e, swapped)}'",
                )
            if s.lower[i] not in self.names and _alias(s.lower[i]) not in self.names:
                where = ", ".join(dict.fromkeys(w for w in e.where if w)) or "its evidence"
                return Contradiction(
                    "name",
                    s.text[i],
                    f"{self.who} names '{self._name_span(s, i)}', which {where} does not "
                    "(nor does the article)",
                )
        return None

    def _roles(self) -> Contradiction | None:
        """The one who does what the main verb says is the one the evidence names for it."""
        s, e = self.s, self.e
        for v in self._predicates(s):
            agent = self._argument(s, v, ("nsubj",))
            if agent is None or not self._is_name(s, agent):
                continue
            doers = [
                (w, a)
                for w in self._aligned(v)
                if (a := self._argument(e, w, ("nsubj",))) is not None
                and e.pos[a] in ("PROPN", "NOUN")
            ]
            done_to = [
                (w, o)
                for w in self._aligned(v)
                for o in self._objects(e, w)
                if self._same_entity(agent, o)
            ]
            if done_to and not any(self._same_entity(agent, a) for _, a in doers):
                w, o = done_to[0]
                return self._role(agent, v, w, f"{e.text[w]} '{self._name_span(e, o)}'")
            if not doers or any(self._same_entity(agent, a) for _, a in doers):
                continue
            named = [(w, a) for w, a in doers if self._is_name(e, a)]
            # The agent must be in the evidence in a role of its own (not in a fragment the
            # parse left apart) for another doer to be a swap.
            placed = any(
                e.lower[k] == s.lower[agent] and e.dep[k] not in ("ROOT", "dep", "npadvmod")
                for k in range(len(e))
            )
            if named and placed:
                w, theirs = named[0]
                return self._role(agent, v, w, f"'{self._name_span(e, theirs)}' {e.text[w]}")
        return None

    def _role(self, agent: int, v: int, w: int, theirs: str) -> Contradiction:
        """The statement has ``agent`` do ``v``; evidence sentence of ``w`` says ``theirs``."""
        s = self.s
        return Contradiction(
            "role",
            s.text[agent],
            f"{self.who} has '{self._name_span(s, agent)}' {s.text[v]}; "
            f"{self.e.sentence(w)} says {theirs}",
        )

    def _polarity(self) -> Contradiction | None:
        s, e = self.s, self.e
        for i in range(len(s)):
            if s.pos[i] not in ("VERB", "ADJ") or self._negative(s, i):
                continue
            mine = self._negated(s, i)
            aligned = self._aligned(i)
            if not aligned:
                if mine and s.pos[i] == "VERB" and not self._negated_anywhere(e):
                    return Contradiction(
                        "polarity",
                        s.text[i],
                        f"{self.who} says '{self._negation_phrase(s, i)}'; "
                        f"{self._where_all()} negates nothing",
                    )
                continue
            if all(self.e_negated[j] != mine for j in aligned):
                j = aligned[0]
                return Contradiction(
                    "polarity",
                    s.text[i],
                    f"{self.who} says '{self._negation_phrase(s, i)}'; {e.sentence(j)} says "
                    f"'{self._negation_phrase(e, j)}'",
                )
        # A negative predicate the evidence lacks: over a verb the evidence says but does not
        # negate ("refused to buy" against "signed a deal to purchase"; "declining to vote"
        # is "not voting"), or over nothing it says where it negates nothing ("abandoned
        # talks").
        negates = self._negated_anywhere(e)
        for i in range(len(s)):
            if not self._negative(s, i) or self._backed(i):
                continue
            said = [k for j in self._below(s, i) for k in self._aligned(j)]
            plain = [k for k in said if not self.e_negated[k]]
            if said and len(plain) == len(said):
                return Contradiction(
                    "polarity",
                    s.text[i],
                    f"{self.who} says '{s.text[i]}'; {e.sentence(plain[0])} says "
                    f"'{self._negation_phrase(e, plain[0])}'",
                )
            if not said and not negates:
                return Contradiction(
                    "polarity",
                    s.text[i],
                    f"{self.who} says '{s.text[i]}'; {self._where_all()} does not",
                )
        return None

    def _opposites(self) -> Contradiction | None:
        s, e = self.s, self.e
        for i in range(len(s)):
            if s.lower[i] in self.e_lower or s.lemma[i] in self.e_lemma:
                continue
            # Content words, and the particles and prepositions of opposite direction
            # ("turned it up" against "turned it down", "below" against "above").
            if s.pos[i] not in _CONTENT_POS and s.dep[i] not in ("prt", "prep"):
                continue
            for j in range(len(e)):
                if not (
                    self.lex.opposite(s.lemma[i], e.lemma[j])
                    or self.lex.opposite(s.lower[i], e.lower[j])
                ) or not self._same_place(i, j):
                    continue
                return Contradiction(
                    "opposite",
                    s.text[i],
                    f"{self.who} says '{s.text[i]}'; {e.sentence(j)} says '{e.text[j]}'",
                )
        return None

    def added(self) -> tuple[list[int], tuple[float, ...]]:
        """The statement's content words its evidence does not back, and the features of
        :data:`FEATURES`."""
        s = self.s
        main = set(self._predicates(s))
        added: list[int] = []
        counts = dict.fromkeys(FEATURES, 0.0)
        content = 0
        for i in range(len(s)):
            if not self._content(s, i):
                continue
            content += 1
            if self._backed(i):
                continue
            added.append(i)
            if self._is_name(s, i):
                counts["name"] += 1
            elif i in main:
                counts["predicate"] += 1
            else:
                kind = {"VERB": "verb", "ADJ": "adj", "ADV": "adv"}.get(s.pos[i], "noun")
                counts[kind] += 1
        counts["share"] = len(added) / content if content else 0.0
        counts["content"] = content / 10
        counts["one"] = 1.0
        return added, tuple(counts[f] for f in FEATURES)

    def added_reason(self, added: list[int]) -> Contradiction:
        s = self.s
        words = ", ".join(f"'{s.text[i]}'" for i in added)
        first = added[0]
        kind = "predicate" if first in self._predicates(s) else "added"
        return Contradiction(
            kind,
            s.text[first],
            f"{self.who} says {words}, which {self._where_all()} does not back",
        )

    # -- reading a parse ---------------------------------------------------------------

    def _same_place(self, i: int, j: int) -> bool:
        """Whether statement token ``i`` and evidence token ``j`` say something of the same
        thing: a content word of the one's head or dependents backs one of the other's."""
        s, e = self.s, self.e
        mine = [k for k in self._arguments(s, i) if self._content(s, k)]
        theirs = [k for k in self._arguments(e, j) if self._content(e, k)]
        if not mine or not theirs:
            return True
        return any(self._backs_word(s.lemma[a], e.lemma[b]) for a in mine for b in theirs)

    def _arguments(self, w: Words, i: int) -> list[int]:
        """What token ``i`` says something of: its subject, object or complement (through a
        preposition), or for a modifier the word it modifies."""
        found: list[int] = []
        for c in w.children(i):
            if w.dep[c] in ("nsubj", "nsubjpass", "dobj", "attr", "acomp", "oprd"):
                found.append(c)
            elif w.dep[c] in ("prep", "agent"):
                found += [g for g in w.children(c) if w.dep[g] == "pobj"]
        if w.dep[i] in ("amod", "advmod", "acomp", "compound", "npadvmod") and w.head[i] != i:
            found.append(w.head[i])
        return found

    def _content(self, w: Words, i: int) -> bool:
        if w.pos[i] not in _CONTENT_POS or w.lemma[i] in _LIGHT or w.lower[i] in _LIGHT:
            return False
        if w.lower[i] in _NEGATORS or w.lemma[i] in self.lex.negative:
            return False  # polarity is checked apart
        return len(w.lower[i]) > 2 or w.lower[i][:1].isdigit()

    def _is_name(self, w: Words, i: int) -> bool:
        if not w.text[i][:1].isalpha():
            return False
        return w.ent[i] in _NAMES or (w.pos[i] == "PROPN" and w.text[i][:1].isupper())

    def _backs_word(self, a: str, b: str) -> bool:
        a, b = a.lower(), b.lower()
        return a == b or _stem(a) == _stem(b) or self.lex.same(a, b)

    def _backed(self, i: int) -> bool:
        """Whether the evidence has statement word ``i``: the word, its lemma, its stem, a
        paraphrase, or for a place or people its other form."""
        s = self.s
        low, lem = s.lower[i], s.lemma[i]
        if low in self.e_lower or lem in self.e_lemma:
            return True
        if not low.isascii() and low in self.e_joined:
            return True  # a script the English parse cannot cut into words (Japanese)
        if len(low) >= 4 and _stem(low) in self.e_stems:
            return True
        n = _number(low)
        if n is not None and n in self.e_numbers:
            return True
        if any((lem, other) in self.lex.paraphrases for other in self.e_lemma):
            return True
        alias = _alias(low)
        if alias != low and alias in self.e_lower:
            return True
        if any((low in group or alias in group) and group & self.e_lower for group in _ALIASES):
            return True
        # "Ben Carson" where the sentence says "Carson", or "he": a name the article gives.
        if self._is_name(s, i) and low in self.names:
            if self._stands_for_pronoun(i):
                return True
            a, b = self._name_bounds(s, i)
            return any(s.lower[k] in self.e_lower for k in range(a, b + 1) if k != i)
        return False

    def _stands_for_pronoun(self, i: int) -> bool:
        """Whether name ``i`` (or the name it is part of) takes the place of a pronoun of the
        evidence: the subject or possessor where the evidence has "he", "she", "their"."""
        s, e = self.s, self.e
        k = i
        while s.dep[k] in ("compound", "flat") and s.head[k] != k:
            k = s.head[k]
        role = s.dep[k].removesuffix("pass")
        if role not in ("nsubj", "poss"):
            return False
        return any(
            e.lower[j] in _PRONOUNS and e.dep[j].removesuffix("pass") == role for j in range(len(e))
        )

    def _aligned(self, i: int) -> list[int]:
        """Evidence tokens that say what statement token ``i`` says (same lemma, stem or a
        paraphrase), of a like part of speech."""
        s, e = self.s, self.e
        lem, low = s.lemma[i], s.lower[i]
        found = []
        for j in range(len(e)):
            if e.pos[j] not in ("VERB", "ADJ", "NOUN", "AUX"):
                continue
            if e.lemma[j] == lem or e.lower[j] == low or self.lex.same(lem, e.lemma[j]):
                found.append(j)
            elif len(low) >= 5 and _stem(e.lower[j]) == _stem(low):
                found.append(j)
        return found

    def _predicates(self, w: Words) -> list[int]:
        """The main verbs: the root, or what a reporting or negative root governs."""
        roots = [i for i in range(len(w)) if w.dep[i] == "ROOT"]
        found: list[int] = []
        for r in roots:
            found.append(r)
            if w.lemma[r] in _LIGHT or w.lemma[r] in self.lex.negative:
                found += [c for c in w.children(r) if w.dep[c] in ("ccomp", "xcomp")]
            found += [c for c in w.children(r) if w.dep[c] == "conj" and w.pos[c] == "VERB"]
        return [i for i in found if w.pos[i] in ("VERB", "AUX", "ADJ", "NOUN")]

    def _objects(self, w: Words, v: int) -> list[int]:
        """What verb ``v`` is done to: its object, or what a preposition after it governs."""
        found = [c for c in w.children(v) if w.dep[c] in ("dobj", "dative")]
        for c in w.children(v):
            if w.dep[c] == "prep":
                found += [g for g in w.children(c) if w.dep[g] == "pobj"]
        return found

    def _argument(self, w: Words, v: int, deps: tuple[str, ...]) -> int | None:
        for c in w.children(v):
            if w.dep[c] in deps:
                return c
        if w.dep[v] in ("xcomp", "conj") and w.head[v] != v:
            return self._argument(w, w.head[v], deps)
        return None

    def _same_entity(self, i: int, j: int) -> bool:
        """Whether statement name ``i`` is evidence name ``j`` or one of the names joined to
        it ("Ukraine and Russia"); titles ("Mr.") do not make two names one."""
        s, e = self.s, self.e
        mine = {s.lower[k] for k in self._compound(s, i)} - _TITLES
        theirs = {e.lower[k] for k in self._compound(e, j, joined=True)} - _TITLES
        if mine & theirs:
            return True
        return any(self._backs_word(a, b) for a in mine for b in theirs)

    def _compound(self, w: Words, i: int, *, joined: bool = False) -> list[int]:
        """A name with its compound words, and with ``joined`` those joined to it."""
        kinds = ("compound", "flat", "conj") if joined else ("compound", "flat")
        group = [i, *(c for c in w.children(i) if w.dep[c] in kinds)]
        if joined and w.dep[i] == "conj" and w.head[i] != i:
            group.append(w.head[i])
        return group

    def _swap_of(self, i: int) -> int | None:
        """An evidence name of the same kind in the place of statement name ``i``: modifying
        the same word, or counted with the same number."""
        s, e = self.s, self.e
        h = s.head[i]
        if h == i or s.pos[h] == "ADP":
            return None
        # Where the evidence gives the name in the same place, it is no swap ("Mr. Trump"
        # beside "Mrs. Trump").
        if any(
            self._backs_word(e.lower[k], s.lower[i])
            and e.head[k] != k
            and self._backs_word(e.lemma[e.head[k]], s.lemma[h])
            for k in range(len(e))
        ):
            return None
        for j in range(len(e)):
            if j == e.head[j] or not self._is_name(e, j):
                continue
            if e.dep[j] != s.dep[i] or (e.ent[j] or "PROPN") != (s.ent[i] or "PROPN"):
                continue
            if not self._backs_word(e.lemma[e.head[j]], s.lemma[h]) or self._s_has(e.lower[j]):
                continue
            if not any(
                e.head[k] == e.head[j] and self._backs_word(e.lower[k], s.lower[i])
                for k in range(len(e))
            ):
                return j
        return None

    def _s_has(self, word: str) -> bool:
        return word in self.s.lower or any(_stem(word) == _stem(w) for w in self.s.lower)

    def _counted(self, w: Words, i: int) -> str | None:
        """The noun a number counts ("176 drones": "drones"; not "737" of "737 MAX"), as
        its lemma."""
        h = w.head[i]
        if h == i or w.dep[i] not in ("nummod", "quantmod") or w.pos[h] != "NOUN":
            return None
        if w.lemma[h] in ("%", "percent", "percentage", "share", "point"):
            # "60% of Democrats": what the share is of.
            for c in w.children(h):
                if w.dep[c] == "prep" and w.lower[c] == "of":
                    of = [g for g in w.children(c) if w.dep[g] == "pobj"]
                    if of:
                        return w.lemma[of[0]]
        return w.lemma[h]

    def _negated(self, w: Words, i: int) -> bool:
        """Whether token ``i`` is negated: by a negation of its own ("not", "no longer", "yet
        to"), by a negative predicate it is the complement of ("refused to buy", "denied
        that"), or by the negation of the verb it completes or is joined to ("did not agree to
        buy"), each flipping the polarity."""
        flips = self._own_negations(w, i)
        j = i
        for _ in range(4):
            h, dep = w.head[j], w.dep[j]
            if h == j:
                break
            if dep in ("acomp", "attr", "oprd"):
                flips += self._own_negations(w, h)  # "would not be satisfied"
                break
            if dep not in ("xcomp", "ccomp", "conj"):
                break
            if dep == "conj" and any(w.dep[c].startswith("nsubj") for c in w.children(j)):
                break  # a clause of its own: "not disclosed, but the deal establishes"
            flips += self._negative(w, h)
            # "did not agree to buy" denies buying; "did not say that X" does not deny X, nor
            # "don't know where to start" starting.
            if dep == "conj" or dep == "xcomp" and w.lemma[h] in _IMPLICATIVE:
                flips += self._own_negations(w, h)
            j = h
        return flips % 2 == 1

    def _own_negations(self, w: Words, i: int) -> int:
        kids = w.children(i)
        return (
            sum(w.lower[c] in _NEGATORS and w.dep[c] in ("neg", "advmod", "det") for c in kids)
            + any(w.lower[c] == "longer" and _follows(w, c, "no") for c in kids)
            + _yet_to(w, i)
        )

    def _negated_anywhere(self, w: Words) -> bool:
        return any(
            (low in _NEGATORS and w.dep[k] in ("neg", "advmod", "det"))
            or self._negative(w, k)
            or _yet_to(w, k)
            for k, low in enumerate(w.lower)
        )

    def _negative(self, w: Words, i: int) -> bool:
        """Whether token ``i`` is a negative predicate ("refused", "halted"; not the noun
        "end")."""
        return w.pos[i] in ("VERB", "AUX", "ADJ") and w.lemma[i] in self.lex.negative

    def _below(self, w: Words, i: int) -> list[int]:
        return [c for c in w.children(i) if w.dep[c] in ("xcomp", "ccomp", "dobj", "pobj", "prep")]

    def _negation_phrase(self, w: Words, i: int) -> str:
        """The words from the negation (or the governing verb) to token ``i``."""
        lo = i
        for k in range(max(0, i - 6), i):
            if (
                w.lower[k] in _NEGATORS
                or w.lemma[k] in self.lex.negative
                or (w.lower[k] == "yet" and _yet_to(w, i))
            ):
                lo = k
                break
        j = i
        while lo == i and w.dep[j] in ("xcomp", "acl", "advcl", "dobj") and w.head[j] < j:
            j = w.head[j]  # "signed a deal to purchase": from the verb it completes
            if i - j > 6:
                break
            if w.pos[j] == "VERB":
                lo = j
        return " ".join(w.text[lo : i + 1])

    def _phrase(self, w: Words, i: int) -> str:
        h = w.head[i]
        if h == i:
            return w.text[i]
        a, b = sorted((i, h))
        if b - a > 4:
            return f"{w.text[i]} {w.text[h]}"
        return " ".join(w.text[a : b + 1])

    def _name_span(self, w: Words, i: int) -> str:
        a, b = self._name_bounds(w, i)
        return " ".join(w.text[a : b + 1])

    def _name_bounds(self, w: Words, i: int) -> tuple[int, int]:
        a = b = i
        kind = w.ent[i]
        while a > 0 and ((kind and w.ent[a - 1] == kind) or (not kind and w.pos[a - 1] == "PROPN")):
            a -= 1
        while b + 1 < len(w) and (
            (kind and w.ent[b + 1] == kind) or (not kind and w.pos[b + 1] == "PROPN")
        ):
            b += 1
        return a, b

    def _where_all(self) -> str:
        return ", ".join(dict.fromkeys(w for w in self.e.where if w)) or "its evidence"


def _alias(word: str) -> str:
    return _DEMONYMS.get(word, word)


def _follows(w: Words, i: int, word: str) -> bool:
    return i > 0 and w.lower[i - 1] == word


def _yet_to(w: Words, i: int) -> bool:
    """ "has yet to comment": ``i`` is the verb after "yet to"."""
    return (
        i >= 2
        and w.lower[i - 1] == "to"
        and w.lower[i - 2] == "yet"
        or (i >= 3 and w.lower[i - 2] == "to" and w.lower[i - 3] == "yet")
    )


_REPORTING = frozenset(
    "say tell state report claim announce add note write argue insist warn explain "
    "emphasize stress declare".split()
)


def reporters(words: Words) -> list[str]:
    """The names a passage gives as who said something ("..., according to AP", "Umerov
    said ..."), in order."""
    found: list[str] = []
    for i in range(len(words)):
        if words.lower[i] == "according" and i + 2 < len(words) and words.lower[i + 1] == "to":
            pobj = [c for c in words.children(i + 1) if words.dep[c] == "pobj"]
            at = pobj[0] if pobj else i + 2
            group = [at, *(c for c in words.children(at) if words.dep[c] == "compound")]
            if any(words.pos[k] == "PROPN" or words.ent[k] in _NAMES for k in group):
                found.append(_name_text(words, at))
        if words.lemma[i] in _REPORTING and words.pos[i] == "VERB":
            who = [c for c in words.children(i) if words.dep[c] == "nsubj"]
            if who and (words.pos[who[0]] == "PROPN" or words.ent[who[0]] in _NAMES):
                found.append(_name_text(words, who[0]))
    return found


def claimed_source(words: Words) -> str | None:
    """The name a statement gives as who said it, or None."""
    return next(iter(reporters(words)), None)


def _name_text(words: Words, i: int) -> str:
    """A name with its compound words ("Steve Witkoff")."""
    parts = [i, *(c for c in words.children(i) if words.dep[c] in ("compound", "flat"))]
    a, b = min(parts), max(parts)
    return " ".join(words.text[a : b + 1])


_CAPITALIZED = re.compile(r"(?<![\w.])[A-Z][\w.'’-]*")


def article_names(text: str) -> frozenset[str]:
    """The lowercase words an article writes capitalized (names, and the first word of each
    sentence), with the place or people each names: the ``article_names`` of
    :func:`check_meaning`."""
    words = {w.rstrip(".'’-").lower() for w in _CAPITALIZED.findall(text)}
    words |= {w + "." for w in words if "." in w}
    return frozenset(words | {_alias(w) for w in words})


@lru_cache(maxsize=4096)
def parse_words(text: str) -> Words:
    """A statement's words, parsed by the spaCy pipeline attribution reads (cached: re-asks
    and statements repeat claims)."""
    from summarizer.attribution.parse import pipeline

    return Words.of_doc(pipeline()(text))
