"""The candidate cues of a span and what the cue model knows about each.

For a span of the article, every word near it that could be its attribution cue (a verb, a
noun, a preposition, an adjective or a colon in the span's sentences and the one
before and after) becomes a candidate, described by string features: its lemma, part of speech
and dependency label, where it sits relative to the span, and how the parse links it to the span
(the span hangs from it as a clausal complement, an object, ...). The cue model weighs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.attribution.parse import Parsed

_POS = frozenset({"VERB", "NOUN", "ADP", "ADJ", "PUNCT", "PROPN", "AUX"})
_WINDOW = 40  # tokens on either side of the span that may hold its cue


@dataclass(frozen=True)
class Candidate:
    """A word that may be the cue of a span, with its features."""

    token: int
    features: tuple[str, ...]


def _bucket(n: int) -> str:
    for limit in (0, 1, 2, 3, 5, 8, 12, 20):
        if n <= limit:
            return str(limit)
    return "far"


def _roots(p: Parsed, a: int, b: int) -> list[int]:
    """Tokens of [a, b) whose head lies outside it (or that head their sentence)."""
    head = p.head
    return [i for i in range(a, b) if not (a <= head[i] < b) or head[i] == i]


def _ancestors(p: Parsed, start: int, limit: int) -> list[tuple[int, int, str]]:
    """(steps, ancestor, label of the last arc) on the way up from ``start``, at most
    ``limit`` steps."""
    head, dep = p.head, p.dep
    out: list[tuple[int, int, str]] = []
    node = start
    for step in range(1, limit + 1):
        up = head[node]
        if up == node:
            break
        out.append((step, up, dep[node]))
        node = up
    return out


def _governors(p: Parsed, roots: list[int]) -> dict[int, tuple[int, str]]:
    """For each token that some root of the span hangs from within 5 steps: the fewest steps
    and the label of the last arc (the first root wins a tie)."""
    out: dict[int, tuple[int, str]] = {}
    for r in roots:
        for step, up, label in _ancestors(p, r, 5):
            if up not in out or step < out[up][0]:
                out[up] = (step, label)
    return out


def _under(p: Parsed, i: int, a: int, b: int) -> int | None:
    """Steps up from token ``i`` to the first token of [a, b) it hangs from within 3."""
    hits = [(up, step) for step, up, _ in _ancestors(p, i, 3) if a <= up < b]
    return min(hits)[1] if hits else None


def _features(p: Parsed, i: int, where: str, dist: int, sent_rel: str, rate_b: str) -> list[str]:
    """The word, place and lexicon features of candidate token ``i``."""
    pos, lemma = p.pos[i], p.lemma(i)
    return [
        "bias",
        f"lem={lemma}",
        f"pos={pos}",
        f"tag={p.tag[i]}",
        f"dep={p.dep[i]}",
        f"where={where}",
        f"where_d={where}:{_bucket(dist)}",
        f"sent={sent_rel}",
        f"rate={rate_b}",
        f"rate_where={rate_b}:{where}",
        f"rate_sent={rate_b}:{sent_rel}",
        f"pos_where={pos}:{where}",
        f"lem_where={lemma}:{where}",
        f"quoted={p.in_quote[i]}:{where}",
    ]


_CHILD_DEPS = ("nsubj", "nsubjpass", "agent", "ccomp", "dobj", "xcomp", "pobj", "poss")


def candidates(p: Parsed, lexicon: dict[str, float], start: int, end: int) -> list[Candidate]:
    """The candidate cues of chars [start, end) with their features."""
    a, b = p.tokens(start, end)
    p.need(a, b)
    sentences, pos, words, dep = p.sentence_of, p.pos, p.words, p.dep
    first_sentence, last_sentence = sentences[a], sentences[b - 1]
    lo = max(0, a - _WINDOW)
    hi = min(len(p), b + _WINDOW)
    roots = _roots(p, a, b)
    governors = _governors(p, roots)
    span_quoted = any(words[i] in '"“”' for i in range(a, b))
    out: list[Candidate] = []
    for i in range(lo, hi):
        # Sentences of other paragraphs are never within one of the span's (the newline
        # skips a number), so only parsed tokens pass this test.
        s = sentences[i]
        if s < first_sentence - 1 or s > last_sentence + 1:
            continue
        if pos[i] not in _POS or (pos[i] == "PUNCT" and words[i] != ":"):
            continue
        if a <= i < b:
            where, dist = "in", min(i - a, b - 1 - i)
        elif i < a:
            where, dist = "before", a - i - 1
        else:
            where, dist = "after", i - b
        sent_rel = (
            "same"
            if first_sentence <= s <= last_sentence
            else ("prev" if s < first_sentence else "next")
        )
        rate = lexicon.get(p.lemma(i))
        rate_b = "none" if rate is None else str(min(9, int(rate * 10)))
        f = _features(p, i, where, dist, sent_rel, rate_b)
        f.append(f"spanq={span_quoted}:{where}")
        if where == "in":
            f.append(f"in_root={i in roots}")
        children = {dep[c] for c in p.children[i]}
        for d in _CHILD_DEPS:
            if d in children:
                f.append(f"child={d}")
                f.append(f"rate_child={rate_b}:{d}")
        f.extend(_links(p, i, a, b, governors.get(i), rate_b))
        if words[i] == ":":
            line_start = p.paragraphs[p.paragraph_of[i]][0]
            f.append(f"colon_line={_bucket(i - line_start)}")
            f.append(f"colon_upper={words[i - 1].isupper() if i else False}")
        out.append(Candidate(i, tuple(f)))
    return out


def _links(
    p: Parsed, i: int, a: int, b: int, linked: tuple[int, str] | None, rate_b: str
) -> list[str]:
    """How the parse links candidate ``i`` to the span [a, b): the span hangs from it, or
    (failing that) it hangs from the span."""
    if linked is not None:
        return [
            f"governs={_bucket(linked[0])}:{linked[1]}",
            f"governs_rate={rate_b}:{linked[1]}",
            f"governs_lab={linked[1]}",
        ]
    out = ["governs=none"]
    # The cue hangs from the span ("X, according to Y" / "X, he said").
    steps = _under(p, i, a, b)
    if steps is not None:
        out.append(f"under={_bucket(steps)}:{p.dep[i]}")
        out.append(f"under_rate={rate_b}")
    return out


_SOURCE_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})
_SOURCE_WINDOW = 30


def _path(p: Parsed, a: int, b: int, limit: int = 4) -> str | None:
    """Dependency path from token a to token b as up/down labels, if it is short."""
    head, dep = p.head, p.dep
    ups: dict[int, tuple[int, str]] = {}
    node = a
    labels: list[str] = []
    for step in range(limit + 1):
        ups[node] = (step, "/".join(labels))
        if head[node] == node:
            break
        labels.append("^" + dep[node])
        node = head[node]
    node = b
    down: list[str] = []
    for _ in range(limit + 1):
        if node in ups:
            steps, up = ups[node]
            if steps + len(down) > limit:
                return None
            return "/".join(x for x in (up, "/".join(reversed(down))) if x) or "self"
        if head[node] == node:
            return None
        down.append(dep[node])
        node = head[node]
    return None


def _no_source(p: Parsed, cue: int, rule: int | None, passive: bool) -> Candidate:
    """The choice of no source for the cue at token ``cue``."""
    lemma, pos, dep = p.lemma(cue), p.pos[cue], p.dep[cue]
    return Candidate(
        -1,
        (
            "none",
            f"none_cue_lem={lemma}",
            f"none_cue_pos={pos}",
            f"none_cue_dep={dep}",
            f"none_passive={passive}",
            f"none_rule={rule is not None}",
            f"none_tag={p.tag[cue]}",
            f"none_lem_dep={lemma}:{dep}",
            *(f"none_child={d}" for d in sorted({p.dep[ch] for ch in p.children[cue]})),
        ),
    )


def source_candidates(p: Parsed, cue: int, rule: int | None) -> list[Candidate]:
    """Words that may head the source of the cue at token ``cue``, and a no-source choice
    (token -1), with all their features. ``rule`` is the head the grammar rules pick, if
    any."""
    return [with_entity(p, c) for c in source_choices(p, cue, rule)]


def with_entity(p: Parsed, c: Candidate) -> Candidate:
    """A candidate source with its named-entity feature added (none for the no-source
    choice)."""
    if c.token < 0:
        return c
    return Candidate(c.token, (*c.features, entity_feature(p.ent_type(c.token))))


def entity_feature(ent: str) -> str:
    """The feature a candidate source's named-entity type gives it."""
    return f"ent={ent or '-'}"


def source_choices(p: Parsed, cue: int, rule: int | None) -> list[Candidate]:
    """:func:`source_candidates` without the named-entity feature, which costs the entity
    recognizer's run over the paragraph."""
    p.need(cue, cue + 1)
    sentences, pos, dep = p.sentence_of, p.pos, p.dep
    sentence = sentences[cue]
    colon = p.words[cue] == ":"
    lo, hi = max(0, cue - _SOURCE_WINDOW), min(len(p), cue + _SOURCE_WINDOW)
    passive = any(dep[ch] in ("nsubjpass", "auxpass") for ch in p.children[cue])
    out = [_no_source(p, cue, rule, passive)]
    cue_pos, cue_quoted = pos[cue], p.in_quote[cue]
    for i in range(lo, hi):
        s = sentences[i]
        if s != sentence and not (s == sentence - 1 and colon):
            continue
        if i == cue or pos[i] not in _SOURCE_POS or dep[i] == "compound":
            continue
        path = _path(p, cue, i)
        where = "before" if i < cue else "after"
        f = (
            "bias",
            f"path={path}",
            f"path_pos={path}:{pos[i]}",
            f"path_cue={path}:{cue_pos}",
            f"dep={dep[i]}",
            f"pos={pos[i]}",
            f"where={where}:{_bucket(abs(i - cue))}",
            f"quoted={p.in_quote[i]}:{cue_quoted}",
            f"rule={rule == i}",
            f"rule_path={rule == i}:{path}",
            f"passive_dep={passive}:{dep[i]}",
            f"lower_pron={p.lower[i] if pos[i] == 'PRON' else '-'}",
        )
        out.append(Candidate(i, f))
    return out
