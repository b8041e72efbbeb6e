"""The source a cue attaches to, read from the dependency parse, and what a pronoun stands for.

The subject of a verb cue ("Umerov emphasized", "..., said Steve Cowan"), or of the verb it
depends on ("continued to say", "..., adding that"); the agent of a passive ("was told by");
the object of "according to"; the possessor or "from"/"by" phrase of a noun cue ("Trump's
claim", "a statement from the ministry"); the noun a participle or relative clause hangs from
("officials saying", "Smith, who said"); the words before a headline's or a transcript's colon
("Pence: ...", "WALLACE: ..."). Coordinated sources are kept whole ("A and B said").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer.attribution.parse import Parsed

if TYPE_CHECKING:
    from spacy.tokens import Token

Span = tuple[int, int]

_SUBJECTS = ("nsubj", "csubj")
_CLIMB = frozenset({"xcomp", "conj", "advcl", "ccomp", "pcomp", "dep", "parataxis"})
_CUT = frozenset({"relcl", "acl", "advcl", "prep", "parataxis", "ccomp"})
_PRONOUNS = frozenset("he she they it we i you him her them who which that".split())
_PERSONAL = frozenset("he she him her".split())
_PLURAL = frozenset("they them".split())
_COLON_WORDS = 8


def rule_head(p: Parsed, cue: int) -> int | Span | None:
    """The head token of the cue's source by the grammar, a token range before a colon, or
    None."""
    head = _source_head(p, p.doc[cue], 0)
    return head if head is None or isinstance(head, tuple) else head.i


def source_span(p: Parsed, head: int | Span) -> tuple[Span, Span]:
    """(source, mention) char spans for a source head token or token range; a pronoun's
    source is the name it stands for, when one is found."""
    a, b = head if isinstance(head, tuple) else _phrase(p.doc[head])
    mention = _chars(p, a, b)
    if b - a == 1 and p.doc[a].lower_ in _PRONOUNS:
        antecedent = _antecedent(p, p.doc[a])
        if antecedent is not None:
            return _chars(p, *_phrase(antecedent)), mention
    return mention, mention


def _chars(p: Parsed, a: int, b: int) -> Span:
    """Char span of tokens [a, b), without surrounding whitespace."""
    start, end = p.doc[a].idx, p.doc[b - 1].idx + len(p.doc[b - 1])
    text = p.text[start:end]
    start += len(text) - len(text.lstrip())
    end -= len(text) - len(text.rstrip())
    return (start, end) if start < end else (p.doc[a].idx, p.doc[a].idx + len(p.doc[a]))


def _child(t: Token, *deps: str) -> Token | None:
    for c in t.children:
        if c.dep_ in deps:
            return c
    return None


def _source_head(p: Parsed, t: Token, depth: int) -> Token | tuple[int, int] | None:
    """The head word of the source of cue ``t``, a token range for a colon, or None."""
    if t.text == ":":
        return _before_colon(p, t)
    if t.lower_ == "according" and t.i + 1 < len(t.doc):
        to = t.doc[t.i + 1]
        return _child(to, "pobj") if to.lower_ == "to" else _child(t, "pobj")
    subject = _child(t, *_SUBJECTS)
    if subject is not None:
        return subject
    if _child(t, "nsubjpass") is not None or t.tag_ == "VBN" and _child(t, "auxpass"):
        agent = _child(t, "agent")
        return _child(agent, "pobj") if agent is not None else None
    if t.pos_ == "ADP":
        return _child(t, "pobj")
    if t.pos_ in ("NOUN", "PROPN"):
        owner = _child(t, "poss")
        if owner is not None:
            return owner
        for prep in t.children:
            if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of"):
                obj = _child(prep, "pobj")
                if (
                    obj is not None
                    and obj.pos_ in ("PROPN", "PRON")
                    or obj is not None
                    and (obj.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"))
                ):
                    return obj
    if t.dep_ in ("relcl", "acl") and t.head.pos_ in ("NOUN", "PROPN", "PRON"):
        return t.head
    if depth < 3 and (t.dep_ in _CLIMB or t.pos_ in ("NOUN", "ADJ")) and t.head.i != t.i:
        return _source_head(p, t.head, depth + 1)
    return None


def _before_colon(p: Parsed, colon: Token) -> tuple[int, int] | None:
    """The words from the line's start to a colon, when they are few (a speaker's name)."""
    i = colon.i
    start = i
    paragraph = p.paragraph_of[i]
    while start > 0 and p.paragraph_of[start - 1] == paragraph and i - start < _COLON_WORDS:
        start -= 1
    if start > 0 and p.paragraph_of[start - 1] == paragraph:
        return None
    while start < i and not p.doc[start].is_alpha:
        start += 1
    return (start, i) if start < i else None


def _phrase(head: Token) -> Span:
    """[first, last + 1) tokens of the noun phrase headed by ``head``, clauses cut off."""
    keep = [head.i]
    stack = list(head.children)
    while stack:
        c = stack.pop()
        if c.head.i == head.i and c.dep_ in _CUT and not (c.dep_ == "prep" and c.lower_ == "of"):
            continue
        if c.dep_ in ("relcl", "acl"):
            continue
        keep.append(c.i)
        stack.extend(c.children)
    keep.sort()
    # Contiguous around the head.
    a = b = keep.index(head.i)
    while a > 0 and keep[a - 1] == keep[a] - 1:
        a -= 1
    while b + 1 < len(keep) and keep[b + 1] == keep[b] + 1:
        b += 1
    first, last = keep[a], keep[b]
    doc = head.doc
    while first < last and (doc[first].is_punct or doc[first].is_space or doc[first].dep_ == "cc"):
        first += 1
    while last > first and (doc[last].is_punct or doc[last].is_space or doc[last].dep_ == "cc"):
        last -= 1
    return first, last + 1


_MALE = frozenset("mr he him his".split())
_FEMALE = frozenset("mrs ms miss she her hers".split())


def _gender(t: Token) -> str:
    """The gender ("m", "f" or "") a name's title gives it ("Mr.", "Ms.")."""
    first = t.doc[t.left_edge.i] if t.left_edge.i < t.i else t
    for w in (first, t.doc[t.i - 1] if t.i else t):
        word = w.lower_.rstrip(".")
        if word in _MALE:
            return "m"
        if word in _FEMALE:
            return "f"
    return ""


def _fits(word: str, t: Token) -> bool:
    """Whether pronoun ``word`` can stand for the noun ``t``."""
    if word in _PERSONAL:
        if t.ent_type_ != "PERSON":
            return False
        gender = _gender(t)
        return not gender or gender == ("m" if word in ("he", "him") else "f")
    if word in _PLURAL:
        return t.ent_type_ in ("ORG", "NORP") or t.tag_ in ("NNS", "NNPS")
    return t.ent_type_ in ("ORG", "GPE") or t.tag_ in ("NN", "NNP") and t.ent_type_ != "PERSON"


def _antecedent(p: Parsed, pronoun: Token) -> Token | None:
    """The nearest earlier name or noun that a pronoun can stand for, subjects first."""
    word = pronoun.lower_
    if word in ("who", "which", "that"):
        head = pronoun.head
        if head.dep_ == "relcl" and head.head.pos_ in ("NOUN", "PROPN"):
            return head.head
        return None
    if word not in _PERSONAL | _PLURAL | {"it"}:
        return None
    doc = p.doc
    fallback: Token | None = None
    for i in range(pronoun.i - 1, max(-1, pronoun.i - 300), -1):
        t = doc[i]
        if t.dep_ == "compound" or t.pos_ not in ("PROPN", "NOUN") or not _fits(word, t):
            continue
        if t.dep_ in ("nsubj", "nsubjpass"):
            return t
        if fallback is None and (word in _PERSONAL or t.ent_type_):
            fallback = t
    return fallback
