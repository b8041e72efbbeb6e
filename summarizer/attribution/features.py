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
    doc = p.doc
    return [i for i in range(a, b) if not (a <= doc[i].head.i < b) or doc[i].head.i == i]


def _up(p: Parsed, start: int, target: int, limit: int = 5) -> tuple[int, str] | None:
    """Steps and last label on the way from ``start`` up to ``target``, if it is an ancestor."""
    doc = p.doc
    node = doc[start]
    label = node.dep_
    for step in range(1, limit + 1):
        if node.head.i == node.i:
            return None
        label = node.dep_
        node = node.head
        if node.i == target:
            return step, label
    return None


def candidates(p: Parsed, lexicon: dict[str, float], start: int, end: int) -> list[Candidate]:
    """The candidate cues of chars [start, end) with their features."""
    doc = p.doc
    a, b = p.tokens(start, end)
    sentences = p.sentence_of
    first_sentence, last_sentence = sentences[a], sentences[b - 1]
    lo = max(0, a - _WINDOW)
    hi = min(len(doc), b + _WINDOW)
    roots = _roots(p, a, b)
    span_quoted = any(doc[i].text in '"“”' for i in range(a, b))
    out: list[Candidate] = []
    for i in range(lo, hi):
        t = doc[i]
        if t.pos_ not in _POS or (t.pos_ == "PUNCT" and t.text != ":"):
            continue
        s = sentences[i]
        if s < first_sentence - 1 or s > last_sentence + 1:
            continue
        if a <= i < b:
            where = "in"
            dist = min(i - a, b - 1 - i)
        elif i < a:
            where, dist = "before", a - i - 1
        else:
            where, dist = "after", i - b
        sent_rel = (
            "same"
            if first_sentence <= s <= last_sentence
            else ("prev" if s < first_sentence else "next")
        )
        lemma = t.lemma_.lower() or t.lower_
        rate = lexicon.get(lemma)
        rate_b = "none" if rate is None else str(min(9, int(rate * 10)))
        f = [
            "bias",
            f"lem={lemma}",
            f"pos={t.pos_}",
            f"tag={t.tag_}",
            f"dep={t.dep_}",
            f"where={where}",
            f"where_d={where}:{_bucket(dist)}",
            f"sent={sent_rel}",
            f"rate={rate_b}",
            f"rate_where={rate_b}:{where}",
            f"rate_sent={rate_b}:{sent_rel}",
            f"pos_where={t.pos_}:{where}",
            f"lem_where={lemma}:{where}",
            f"quoted={p.in_quote[i]}:{where}",
            f"spanq={span_quoted}:{where}",
        ]
        if where == "in":
            f.append(f"in_root={i in roots}")
        children = {c.dep_ for c in t.children}
        for dep in ("nsubj", "nsubjpass", "agent", "ccomp", "dobj", "xcomp", "pobj", "poss"):
            if dep in children:
                f.append(f"child={dep}")
                f.append(f"rate_child={rate_b}:{dep}")
        linked = None
        for r in roots:
            hit = _up(p, r, i)
            if hit is not None and (linked is None or hit[0] < linked[0]):
                linked = hit
        if linked is not None:
            f.append(f"governs={_bucket(linked[0])}:{linked[1]}")
            f.append(f"governs_rate={rate_b}:{linked[1]}")
            f.append(f"governs_lab={linked[1]}")
        else:
            f.append("governs=none")
            # The cue hangs from the span ("X, according to Y" / "X, he said").
            for r in range(a, b):
                hit = _up(p, i, r, 3)
                if hit is not None:
                    f.append(f"under={_bucket(hit[0])}:{t.dep_}")
                    f.append(f"under_rate={rate_b}")
                    break
        if t.text == ":":
            line_start = i
            while line_start > 0 and p.paragraph_of[line_start - 1] == p.paragraph_of[i]:
                line_start -= 1
            f.append(f"colon_line={_bucket(i - line_start)}")
            f.append(f"colon_upper={doc[i - 1].text.isupper() if i else False}")
        out.append(Candidate(i, tuple(f)))
    return out


_SOURCE_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM", "X"})
_SOURCE_WINDOW = 30


def _path(doc: object, a: int, b: int, limit: int = 4) -> str | None:
    """Dependency path from token a to token b as up/down labels, if it is short."""
    d = doc  # spaCy Doc
    ups: dict[int, tuple[int, str]] = {}
    node = d[a]  # type: ignore[index]
    labels: list[str] = []
    for step in range(limit + 1):
        ups[node.i] = (step, "/".join(labels))
        if node.head.i == node.i:
            break
        labels.append("^" + node.dep_)
        node = node.head
    node = d[b]  # type: ignore[index]
    down: list[str] = []
    for _ in range(limit + 1):
        if node.i in ups:
            steps, up = ups[node.i]
            if steps + len(down) > limit:
                return None
            return "/".join(x for x in (up, "/".join(reversed(down))) if x) or "self"
        if node.head.i == node.i:
            return None
        down.append(node.dep_)
        node = node.head
    return None


def source_candidates(p: Parsed, cue: int, rule: int | None) -> list[Candidate]:
    """Words that may head the source of the cue at token ``cue``, and a no-source choice
    (token -1). ``rule`` is the head the grammar rules pick, if any."""
    doc = p.doc
    c = doc[cue]
    sentence = p.sentence_of[cue]
    lo, hi = max(0, cue - _SOURCE_WINDOW), min(len(doc), cue + _SOURCE_WINDOW)
    cue_lemma = c.lemma_.lower() or c.lower_
    passive = any(ch.dep_ in ("nsubjpass", "auxpass") for ch in c.children)
    base = [f"cue_lem={cue_lemma}", f"cue_pos={c.pos_}", f"cue_dep={c.dep_}"]
    out = [
        Candidate(
            -1,
            (
                "none",
                f"none_{base[0]}",
                f"none_{base[1]}",
                f"none_{base[2]}",
                f"none_passive={passive}",
                f"none_rule={rule is not None}",
                f"none_tag={c.tag_}",
                f"none_lem_dep={cue_lemma}:{c.dep_}",
                *(f"none_child={d}" for d in sorted({ch.dep_ for ch in c.children})),
            ),
        )
    ]
    for i in range(lo, hi):
        t = doc[i]
        if i == cue or t.pos_ not in _SOURCE_POS or t.dep_ == "compound":
            continue
        s = p.sentence_of[i]
        if s != sentence and not (s == sentence - 1 and c.text == ":"):
            continue
        path = _path(doc, cue, i)
        where = "before" if i < cue else "after"
        dist = abs(i - cue)
        f = [
            "bias",
            f"path={path}",
            f"path_pos={path}:{t.pos_}",
            f"path_cue={path}:{c.pos_}",
            f"dep={t.dep_}",
            f"pos={t.pos_}",
            f"ent={t.ent_type_ or '-'}",
            f"where={where}:{_bucket(dist)}",
            f"quoted={p.in_quote[i]}:{p.in_quote[cue]}",
            f"rule={rule == i}",
            f"rule_path={rule == i}:{path}",
            f"passive_dep={passive}:{t.dep_}",
            f"lower_pron={t.lower_ if t.pos_ == 'PRON' else '-'}",
        ]
        out.append(Candidate(i, tuple(f)))
    return out
