"""The source a cue attaches to, read from the dependency parse, and what a pronoun stands for.

The subject of a verb cue ("Umerov emphasized", "..., said Steve Cowan"), or of the verb it
depends on ("continued to say", "..., adding that"); the agent of a passive ("was told by");
the object of "according to"; the possessor or "from"/"by" phrase of a noun cue ("Trump's
claim", "a statement from the ministry"); the noun a participle or relative clause hangs from
("officials saying", "Smith, who said"); the words before a headline's or a transcript's colon
("Pence: ...", "WALLACE: ..."). Coordinated sources are kept whole ("A and B said").
"""

from __future__ import annotations

from summarizer.attribution.parse import Parsed

Span = tuple[int, int]

_SUBJECTS = ("nsubj", "csubj")
_CLIMB = frozenset({"xcomp", "conj", "advcl", "ccomp", "pcomp", "dep", "parataxis"})
_CUT = frozenset({"relcl", "acl", "advcl", "prep", "parataxis", "ccomp"})
_PRONOUNS = frozenset("he she they it we i you him her them who which that".split())
_PERSONAL = frozenset("he she him her".split())
_PLURAL = frozenset("they them".split())
_COLON_WORDS = 8
# What a source puts out, that then says something in its place.
_DOCUMENTS = frozenset(
    "statement ad advertisement letter report document memo release video tweet post email "
    "message speech filing op-ed column".split()
)


def rule_head(p: Parsed, cue: int) -> int | Span | None:
    """The head token of the cue's source by the grammar, a token range before a colon, or
    None."""
    p.need(cue, cue + 1)
    return _source_head(p, cue, 0)


def source_span(p: Parsed, head: int | Span) -> tuple[Span, Span]:
    """(source, mention) char spans for a source head token or token range; a pronoun's
    source is the name it stands for, when one is found."""
    a, b = head if isinstance(head, tuple) else _phrase(p, head)
    mention = _chars(p, a, b)
    if b - a == 1 and p.lower[a] in _PRONOUNS:
        antecedent = _antecedent(p, a)
        if antecedent is not None:
            return _chars(p, *_phrase(p, antecedent)), mention
    return mention, mention


def _chars(p: Parsed, a: int, b: int) -> Span:
    """Char span of tokens [a, b), without surrounding whitespace."""
    start, end = p.starts[a], p.ends[b - 1]
    text = p.text[start:end]
    start += len(text) - len(text.lstrip())
    end -= len(text) - len(text.rstrip())
    return (start, end) if start < end else (p.starts[a], p.ends[a])


def _child(p: Parsed, t: int, *deps: str) -> int | None:
    """The first child of token ``t`` with one of the labels, or None."""
    for c in p.children[t]:
        if p.dep[c] in deps:
            return c
    return None


def _source_head(p: Parsed, t: int, depth: int) -> int | tuple[int, int] | None:
    """The head word of the source of cue ``t``, a token range for a colon, or None."""
    if p.words[t] == ":":
        return _before_colon(p, t)
    if p.lower[t] == "according" and t + 1 < len(p):
        if p.lower[t + 1] == "to":
            return _child(p, t + 1, "pobj")
        return _child(p, t, "pobj")
    subject = _child(p, t, *_SUBJECTS)
    if subject is not None:
        return subject
    passive = _child(p, t, "nsubjpass") is not None
    if passive or p.tag[t] == "VBN" and _child(p, t, "auxpass") is not None:
        agent = _child(p, t, "agent")
        return _child(p, agent, "pobj") if agent is not None else None
    if p.pos[t] == "ADP":
        return _child(p, t, "pobj")
    if p.pos[t] in ("NOUN", "PROPN"):
        owner = _noun_owner(p, t)
        if owner is not None:
            return owner
    up = p.head[t]
    if p.dep[t] in ("relcl", "acl") and p.pos[up] in ("NOUN", "PROPN", "PRON"):
        issuer = _issuer(p, up)
        return up if issuer is None else issuer
    if depth < 3 and (p.dep[t] in _CLIMB or p.pos[t] in ("NOUN", "ADJ")) and up != t:
        return _source_head(p, up, depth + 1)
    return None


def _issuer(p: Parsed, noun: int) -> int | None:
    """Who put out a statement or the like that is a verb's object ("the DNC issued a
    statement saying"), or None."""
    if p.lemma(noun) not in _DOCUMENTS or p.dep[noun] != "dobj":
        return None
    return _child(p, p.head[noun], "nsubj")


def _noun_owner(p: Parsed, t: int) -> int | None:
    """The possessor of a noun cue, or the name in its "from"/"by"/"of" phrase."""
    owner = _child(p, t, "poss")
    if owner is not None:
        return owner
    for prep in p.children[t]:
        if p.dep[prep] == "prep" and p.lower[prep] in ("from", "by", "of"):
            obj = _child(p, prep, "pobj")
            if obj is not None and (
                p.pos[obj] in ("PROPN", "PRON")
                or p.ent_type(obj) in ("PERSON", "ORG", "GPE", "NORP")
            ):
                return obj
    return None


def _before_colon(p: Parsed, i: int) -> tuple[int, int] | None:
    """The words from the line's start to a colon, when they are few (a speaker's name)."""
    start = i
    paragraph = p.paragraph_of[i]
    while start > 0 and p.paragraph_of[start - 1] == paragraph and i - start < _COLON_WORDS:
        start -= 1
    if start > 0 and p.paragraph_of[start - 1] == paragraph:
        return None
    while start < i and not p.is_alpha[start]:
        start += 1
    return (start, i) if start < i else None


def _phrase(p: Parsed, head: int) -> Span:
    """[first, last + 1) tokens of the noun phrase headed by ``head``, clauses cut off."""
    keep = [head]
    stack = list(p.children[head])
    while stack:
        c = stack.pop()
        dep = p.dep[c]
        if p.head[c] == head and dep in _CUT and not (dep == "prep" and p.lower[c] == "of"):
            continue
        if dep in ("relcl", "acl"):
            continue
        keep.append(c)
        stack.extend(p.children[c])
    keep.sort()
    # Contiguous around the head.
    a = b = keep.index(head)
    while a > 0 and keep[a - 1] == keep[a] - 1:
        a -= 1
    while b + 1 < len(keep) and keep[b + 1] == keep[b] + 1:
        b += 1
    first, last = keep[a], keep[b]
    while first < last and _edge_word(p, first):
        first += 1
    while last > first and _edge_word(p, last):
        last -= 1
    return first, last + 1


def _edge_word(p: Parsed, i: int) -> bool:
    """Whether token ``i`` is trimmed from the ends of a phrase (punctuation, "and")."""
    return p.is_punct[i] or p.is_space[i] or p.dep[i] == "cc"


_MALE = frozenset("mr he him his".split())
_FEMALE = frozenset("mrs ms miss she her hers".split())


def _gender(p: Parsed, t: int) -> str:
    """The gender ("m", "f" or "") a name's title gives it ("Mr.", "Ms.")."""
    left = p.left_edge(t)
    first = left if left < t else t
    for w in (first, t - 1 if t else t):
        word = p.lower[w].rstrip(".")
        if word in _MALE:
            return "m"
        if word in _FEMALE:
            return "f"
    return ""


def _fits(p: Parsed, word: str, t: int) -> bool:
    """Whether pronoun ``word`` can stand for the noun ``t``."""
    ent = p.ent_type(t)
    if word in _PERSONAL:
        if ent != "PERSON":
            return False
        gender = _gender(p, t)
        return not gender or gender == ("m" if word in ("he", "him") else "f")
    if word in _PLURAL:
        return ent in ("ORG", "NORP") or p.tag[t] in ("NNS", "NNPS")
    return ent in ("ORG", "GPE") or p.tag[t] in ("NN", "NNP") and ent != "PERSON"


_SEARCH_BACK = 300  # tokens before a pronoun where its antecedent may be


def _antecedent(p: Parsed, pronoun: int) -> int | None:
    """The nearest earlier name or noun that a pronoun can stand for, subjects first."""
    word = p.lower[pronoun]
    if word in ("who", "which", "that"):
        up = p.head[pronoun]
        if p.dep[up] == "relcl" and p.pos[p.head[up]] in ("NOUN", "PROPN"):
            return p.head[up]
        return None
    if word not in _PERSONAL | _PLURAL | {"it"}:
        return None
    fallback: int | None = None
    for i in range(pronoun - 1, max(-1, pronoun - _SEARCH_BACK), -1):
        if i == p.paragraphs[p.paragraph_of[i]][1] - 1:
            p.need(*p.paragraphs[p.paragraph_of[i]])  # walking back into an earlier paragraph
        if p.dep[i] == "compound" or p.pos[i] not in ("PROPN", "NOUN") or not _fits(p, word, i):
            continue
        if p.dep[i] in ("nsubj", "nsubjpass"):
            return i
        if fallback is None and (word in _PERSONAL or p.ent_type(i)):
            fallback = i
    return fallback
