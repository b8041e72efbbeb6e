"""Generate a tuning set of claim checks from PolNeAR train articles, in the manner of FactCC.

Run: python benchmarks/corrupt_claims.py [--articles N] [--seed S] [--out PATH]

Reads ``../shared/eval/polnear-train.jsonl`` (articles and their PolNeAR attribution relations)
and, only to leave its articles out, the ids of ``../shared/eval/claimchecks-dev.jsonl`` (none
of its claims is read). No other dev file is read.

For each chosen article, sentences are split with ``summarizer.text.sentences.sentence_spans``
(the library's one splitter, so that evidence spans are the sentences the checker cites) and
parsed with spaCy (``summarizer.attribution.parse.pipeline``). Claims are then built from single
sentences (two consecutive sentences when a pronoun is resolved):

- faithful (label 1, edit ``faithful``): the sentence itself (``copy``); the sentence without
  its attribution ("..., X said." / "According to X, ...": ``unattributed``); a pruned main
  clause (appositions, non-restrictive relative clauses, comma-set temporal or causal adverbial
  clauses, sentence-initial date phrases, parataxis and second verb conjuncts dropped:
  ``main_clause``); a leading He/She replaced by the one person named as the subject of the
  previous sentence (``pronoun_resolved``, evidence = both sentences);
- unfaithful (label 0), each applied to the sentence or to one of its faithful rewrites:
  ``negation``, ``number``, ``entity_swap``, ``role_swap``, ``antonym``,
  ``unsupported_addition``, ``wrong_source``.

Per article 4 faithful and 4 unfaithful claims (unfaithful kinds distinct within an article and
balanced across articles), 8-30 words each. The method is the last part of each check's ``id``
(``<article id>-gen<k>-<edit>.<method>``). The output has exactly the record shape of
``claimchecks-dev.jsonl``: ``benchmarks/data/claimchecks-train-generated.jsonl``. Labels are
by construction, not by a human: a few will be wrong (see the report printed at the end).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.text.sentences import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
TRAIN = EVAL / "polnear-train.jsonl"
DEV_CHECKS = EVAL / "claimchecks-dev.jsonl"
OUT = ROOT / "benchmarks" / "data" / "claimchecks-train-generated.jsonl"

MIN_WORDS, MAX_WORDS = 8, 30
PER_KIND = 4  # faithful and unfaithful claims per article
FAITHFUL_METHODS = ("copy", "unattributed", "main_clause", "pronoun_resolved")
UNFAITHFUL = (
    "negation",
    "number",
    "entity_swap",
    "role_swap",
    "antonym",
    "unsupported_addition",
    "wrong_source",
)

SPEECH = frozenset(
    "say tell add state note argue claim explain insist warn write announce report believe "
    "think acknowledge admit contend suggest predict caution assert declare estimate reply "
    "respond conclude testify told".split()
)
PRONOUN_SUBJECTS = frozenset({"He", "She"})
BAD_START = frozenset(
    "He She They It This That These Those His Her Its Their There But And Or "
    "So Yet Still Also Then".split()
)
FIRST_SECOND = frozenset(
    "I me my mine we us our ours you your yours We Our You Your My Me Us".split()
)
QUOTES = '"“”'
TEMPORAL_MARKS = frozenset(
    "after before when while as because since although though once whereas".split()
)
SUBORDINATE = frozenset(
    "Though Although If While When As Because Since Unless Whether Whereas".split()
)
STATIVE = frozenset(
    "be have feel seem appear know become remain get look sound need want like "
    "love hate believe think mean own belong".split()
)
# Sentences the splitter cut after an abbreviation ("... on Feb." / "... includes Sens.").
ABBREVIATION_END = (
    r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Sens?|Reps?|Gov|Gen|Lt|Col|"
    r"Mt|Ft|Ave|Blvd|Corp|Inc|Co|Jr|Sr|Rev|Calif|Fla|Tex|Vt|Va|Mass|Ariz|Ga)\.$"
)
HONORIFICS = frozenset(
    "Mr Mrs Ms Dr Sen Rep Gov Gen President Senator Governor Judge Justice "
    "Secretary Speaker Rev Prof".split()
)
NAMED = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART")
NUMERIC = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY")

# Antonyms used to corrupt claims: written for this script (general English), by coarse POS.
_VERB_PAIRS = """rise/fall increase/decrease win/lose include/exclude accept/reject
resume/suspend approve/reject support/oppose allow/ban gain/lose agree/disagree confirm/deny
admit/deny acquit/convict open/close begin/end start/stop raise/lower expand/shrink
strengthen/weaken join/leave hire/fire buy/sell praise/criticize succeed/fail arrive/depart
remember/forget like/dislike encourage/discourage improve/worsen defend/attack lift/impose
permit/forbid enter/exit appear/disappear trust/distrust pass/fail grow/shrink welcome/condemn
favor/oppose win/concede endorse/oppose continue/halt sign/veto ease/tighten accelerate/slow
unite/divide reveal/conceal boost/reduce attend/skip""".split()
_ADJ_PAIRS = """high/low large/small big/small strong/weak positive/negative legal/illegal
likely/unlikely possible/impossible popular/unpopular good/bad rich/poor early/late
first/last public/private true/false liberal/conservative major/minor easy/difficult
safe/dangerous domestic/foreign optimistic/pessimistic willing/unwilling able/unable
guilty/innocent friendly/hostile full/partial long/short fast/slow certain/uncertain
successful/unsuccessful legitimate/illegitimate new/old increasing/decreasing
temporary/permanent frequent/rare secret/public formal/informal voluntary/mandatory
constitutional/unconstitutional wealthy/poor young/old""".split()
_NOUN_PAIRS = """victory/defeat winner/loser supporter/opponent ally/rival increase/decrease
gain/loss majority/minority success/failure profit/loss approval/rejection support/opposition
rise/decline win/loss friend/enemy strength/weakness advantage/disadvantage""".split()
_ADV_PAIRS = """before/after above/below often/rarely always/never up/down publicly/privately
early/late quickly/slowly increasingly/decreasingly""".split()
_WORD_FORMS = """higher/lower highest/lowest larger/smaller largest/smallest stronger/weaker
strongest/weakest better/worse best/worst earlier/later bigger/smaller biggest/smallest
greater/smaller greatest/smallest longer/shorter most/least more/less fewer/more
richer/poorer older/younger wider/narrower""".split()


def _pairs(words: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for w in words:
        a, b = w.split("/")
        out[a].append(b)
        out[b].append(a)
    return dict(out)


ANTONYMS = {
    "VERB": _pairs(_VERB_PAIRS),
    "ADJ": _pairs(_ADJ_PAIRS),
    "NOUN": _pairs(_NOUN_PAIRS),
    "ADV": _pairs(_ADV_PAIRS),
    "ADP": _pairs(_ADV_PAIRS),
    "SCONJ": _pairs(_ADV_PAIRS),
}
WORD_FORMS = _pairs(_WORD_FORMS)

_IRREGULAR = {  # lemma: (past, past participle)
    "be": ("was", "been"),
    "have": ("had", "had"),
    "do": ("did", "done"),
    "go": ("went", "gone"),
    "say": ("said", "said"),
    "make": ("made", "made"),
    "take": ("took", "taken"),
    "come": ("came", "come"),
    "see": ("saw", "seen"),
    "know": ("knew", "known"),
    "get": ("got", "gotten"),
    "give": ("gave", "given"),
    "find": ("found", "found"),
    "think": ("thought", "thought"),
    "tell": ("told", "told"),
    "become": ("became", "become"),
    "show": ("showed", "shown"),
    "leave": ("left", "left"),
    "feel": ("felt", "felt"),
    "put": ("put", "put"),
    "bring": ("brought", "brought"),
    "begin": ("began", "begun"),
    "keep": ("kept", "kept"),
    "hold": ("held", "held"),
    "write": ("wrote", "written"),
    "stand": ("stood", "stood"),
    "hear": ("heard", "heard"),
    "let": ("let", "let"),
    "mean": ("meant", "meant"),
    "set": ("set", "set"),
    "meet": ("met", "met"),
    "run": ("ran", "run"),
    "pay": ("paid", "paid"),
    "sit": ("sat", "sat"),
    "speak": ("spoke", "spoken"),
    "lead": ("led", "led"),
    "read": ("read", "read"),
    "grow": ("grew", "grown"),
    "lose": ("lost", "lost"),
    "fall": ("fell", "fallen"),
    "send": ("sent", "sent"),
    "build": ("built", "built"),
    "understand": ("understood",) * 2,
    "draw": ("drew", "drawn"),
    "break": ("broke", "broken"),
    "spend": ("spent", "spent"),
    "cut": ("cut", "cut"),
    "rise": ("rose", "risen"),
    "drive": ("drove", "driven"),
    "buy": ("bought", "bought"),
    "wear": ("wore", "worn"),
    "choose": ("chose", "chosen"),
    "seek": ("sought", "sought"),
    "throw": ("threw", "thrown"),
    "catch": ("caught", "caught"),
    "deal": ("dealt", "dealt"),
    "win": ("won", "won"),
    "fight": ("fought", "fought"),
    "teach": ("taught", "taught"),
    "sell": ("sold", "sold"),
    "forget": ("forgot", "forgotten"),
    "hit": ("hit", "hit"),
    "shut": ("shut", "shut"),
    "spread": ("spread", "spread"),
    "strike": ("struck", "struck"),
    "withdraw": ("withdrew", "withdrawn"),
    "forbid": ("forbade", "forbidden"),
    "hide": ("hid", "hidden"),
    "cost": ("cost", "cost"),
    "hurt": ("hurt", "hurt"),
    "quit": ("quit", "quit"),
    "beat": ("beat", "beaten"),
    "flee": ("fled", "fled"),
    "fly": ("flew", "flown"),
    "shake": ("shook", "shaken"),
    "shoot": ("shot", "shot"),
    "stick": ("stuck", "stuck"),
    "eat": ("ate", "eaten"),
    "lend": ("lent", "lent"),
    "mislead": ("misled", "misled"),
    "overcome": ("overcame", "overcome"),
    "undertake": ("undertook", "undertaken"),
    "swear": ("swore", "sworn"),
    "freeze": ("froze", "frozen"),
    "bear": ("bore", "borne"),
    "bid": ("bid", "bid"),
    "arise": ("arose", "arisen"),
    "feed": ("fed", "fed"),
    "sink": ("sank", "sunk"),
    "steal": ("stole", "stolen"),
    "wake": ("woke", "woken"),
    "ride": ("rode", "ridden"),
    "sing": ("sang", "sung"),
    "drink": ("drank", "drunk"),
    "upset": ("upset", "upset"),
    "split": ("split", "split"),
    "bet": ("bet", "bet"),
    "light": ("lit", "lit"),
    "forgive": ("forgave", "forgiven"),
    "oversee": ("oversaw", "overseen"),
}
_DOUBLE = frozenset(
    "stop plan ban drop admit commit control prefer occur refer ship step grab "
    "slip permit submit regret rob tap trim veto skip".split()
)


def inflect(lemma: str, tag: str) -> str:
    """``lemma`` in the form of Penn tag ``tag`` (verbs and nouns; others unchanged)."""
    if tag in ("VBD", "VBN"):
        if lemma in _IRREGULAR:
            return _IRREGULAR[lemma][0 if tag == "VBD" else 1]
        if lemma.endswith("e"):
            return lemma + "d"
        if re.search(r"[^aeiou]y$", lemma):
            return lemma[:-1] + "ied"
        if lemma in _DOUBLE:
            return lemma + lemma[-1] + "ed"
        return lemma + "ed"
    if tag == "VBZ":
        special = {"be": "is", "have": "has", "do": "does", "go": "goes"}
        if lemma in special:
            return special[lemma]
        return _plural(lemma)
    if tag == "VBG":
        if lemma.endswith("ie"):
            return lemma[:-2] + "ying"
        if lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")):
            return lemma[:-1] + "ing"
        if lemma in _DOUBLE:
            return lemma + lemma[-1] + "ing"
        return lemma + "ing"
    if tag == "NNS":
        return _plural(lemma)
    return lemma


def _plural(word: str) -> str:
    if word.endswith(("s", "sh", "ch", "x", "z", "o")):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _tidy(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+([,.;:!?’”)])", r"\1", s)
    s = re.sub(r"([(“])\s+", r"\1", s)
    s = re.sub(r",(\s*,)+", ",", s)
    s = re.sub(r"[,;:]\s*([.!?])$", r"\1", s)
    s = re.sub(r"^[,;:—–-]\s*", "", s)
    s = s.strip()
    if s and s[-1] not in ".!?" and not (s[-1] in '”"' and s[-2:-1] in (".", "!", "?")):
        s = s.rstrip(",;:") + "."
    return _cap(s)


def _render(doc: Any, keep: set[int]) -> str:
    out = []
    idx = sorted(keep)
    for n, i in enumerate(idx):
        t = doc[i]
        out.append(t.text)
        if n + 1 < len(idx):
            out.append(t.whitespace_ if idx[n + 1] == i + 1 else " ")
    return _tidy("".join(out))


def _quoted(s: str) -> bool:
    return any(q in s for q in QUOTES) or "''" in s or "``" in s


def _words(s: str) -> int:
    return len(s.split())


def _readable(s: str) -> bool:
    toks = re.findall(r"[A-Za-z]+", s)
    if not MIN_WORDS <= _words(s) <= MAX_WORDS or not toks or toks[0] in BAD_START:
        return False
    if any(t in FIRST_SECOND for t in toks):
        return False
    if sum(s.count(q) for q in QUOTES) % 2 or s.count("(") != s.count(")"):
        return False
    if re.search(r"[<>@#]|http|www\.|''|``", s) or s.endswith("?") or toks[0] in SUBORDINATE:
        return False
    if sum(c.isupper() for c in s) > 0.3 * sum(c.isalpha() for c in s):
        return False
    return s.count("—") % 2 == 0


@dataclass
class Edit:
    """A token-level rewrite of a parsed text."""

    doc: Any
    texts: dict[int, str] = field(default_factory=dict)
    drop: set[int] = field(default_factory=set)

    def render(self) -> str:
        out: list[str] = []
        for i, t in enumerate(self.doc):
            if i in self.drop:
                if out and not out[-1].endswith(" ") and t.whitespace_:
                    out.append(" ")
                continue
            out.append(self.texts.get(i, t.text) + t.whitespace_)
        return _tidy("".join(out))


# ---------------------------------------------------------------- the article, parsed


@dataclass
class Sent:
    idx: int
    start: int
    end: int
    text: str
    doc: Any


@dataclass
class Base:
    """A faithful claim: its text, its parse, its method and the evidence spans."""

    method: str
    text: str
    evidence: list[tuple[int, int]]
    sent: Sent
    doc: Any = None
    head: str = ""  # for a rewrite, the lemma its parse must keep as root


def _main_verb(doc: Any) -> Any:
    roots = [t for t in doc if t.dep_ == "ROOT"]
    return roots[0] if roots else None


def _speech_content(root: Any) -> Any:
    """The ccomp reported by a speech verb root, or None."""
    if root is None or root.lemma_ not in SPEECH:
        return None
    comps = [c for c in root.children if c.dep_ == "ccomp"]
    subj = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    if len(comps) != 1 or not subj:
        return None
    c = comps[0]
    if not any(x.dep_ in ("nsubj", "nsubjpass", "expl") for x in c.children):
        return None
    return c


def _prunable(t: Any, top: Any) -> bool:
    doc = t.doc
    left, right = t.left_edge.i, t.right_edge.i
    before = doc[left - 1].text if left > 0 else ""
    after = doc[right + 1].text if right + 1 < len(doc) else ""
    comma_set = before in (",", "—") or (left == 0 and after == ",")
    if (
        t.dep_ == "appos"
        and comma_set
        and not any(x.dep_ in ("cc", "conj") for x in [*t.subtree, *t.head.children])
    ):
        return True
    if t.dep_ == "relcl" and before == ",":
        return True
    if t.dep_ == "parataxis":
        return True
    if t.dep_ == "advcl" and comma_set:
        marks = {c.lower_ for c in t.children if c.dep_ == "mark"}
        if marks & TEMPORAL_MARKS or (not marks and t.tag_ in ("VBG", "VBN")):
            return True
    if t.dep_ == "conj" and t.head == top and t.pos_ in ("VERB", "AUX") and t.i > top.i:
        return True
    if t.dep_ in ("prep", "npadvmod") and t.head == top and right < top.i and after == ",":
        return any(x.ent_type_ in ("DATE", "TIME") for x in t.subtree)
    return False


def _pruned(doc: Any, top: Any) -> str | None:
    if top.dep_ == "ROOT" and any(c.dep_ == "mark" for c in top.children):
        return None
    keep = {t.i for t in top.subtree}
    if top.dep_ == "ccomp":  # drop "that" and a leading quote
        keep -= {c.i for c in top.children if c.dep_ == "mark"}
    for t in top.subtree:
        if t.i != top.i and t.i in keep and _prunable(t, top):
            keep -= {x.i for x in t.subtree}
            if t.dep_ == "conj":
                keep -= {c.i for c in top.children if c.dep_ == "cc" and c.i < t.i}
    removed = {t.i for t in top.subtree} - keep
    # A comma or dash before a removed part goes; one after it goes too when the removed part
    # had none before it ("After X, Y ...") or a verb follows ("Obama, who ..., said"), and
    # stays when it separates the clause's own parts ("Cruz, <appos>, most of ...").
    subj = {x.i for c in top.children if c.dep_ in ("nsubj", "nsubjpass") for x in c.subtree}
    for i in sorted(keep):
        if doc[i].text not in (",", "—", "–"):
            continue
        if i + 1 in removed:
            keep.discard(i)
        elif i - 1 in removed:
            j = i - 1
            while j in removed:
                j -= 1
            left_comma = j >= 0 and doc[j].text in (",", "—", "–")
            nxt = doc[i + 1] if i + 1 < len(doc) else None
            if (
                not left_comma
                or j < 0
                or (nxt is not None and nxt.pos_ in ("VERB", "AUX"))
                or (j in subj and i + 1 not in subj)
            ):
                keep.discard(i)
    while keep and doc[min(keep)].is_punct and doc[min(keep)].text not in QUOTES:
        keep.discard(min(keep))
    while keep and (doc[max(keep)].is_punct or doc[max(keep)].dep_ in ("cc", "prep", "mark")):
        if doc[max(keep)].text in QUOTES:
            break
        keep.discard(max(keep))
    if not keep or not any(
        c.i in keep for c in top.children if c.dep_ in ("nsubj", "nsubjpass", "expl")
    ):
        return None
    return _render(doc, keep)


def faithful_variants(s: Sent, prev: Sent | None, person_names: list[str]) -> list[Base]:
    doc = s.doc
    ev = [(s.start, s.end)]
    out = [Base("copy", _tidy(s.text), ev, s)]
    m = re.match(r"^According to ([^,]{2,60}), (.+)$", s.text)
    root = _main_verb(doc)
    content = _speech_content(root)
    if m:
        out.append(Base("unattributed", _tidy(m.group(2)), ev, s))
    elif content is not None and not _quoted(s.text):
        keep = {t.i for t in content.subtree} - {c.i for c in content.children if c.dep_ == "mark"}
        out.append(Base("unattributed", _render(doc, keep), ev, s, head=content.lemma_))
    if root is not None and not _quoted(s.text):
        top = content if content is not None and not m else root
        text = _pruned(doc, top)
        if text and all(abs(_words(text) - _words(b.text)) >= 3 for b in out):
            out.append(Base("main_clause", text, ev, s, head=top.lemma_))
    first = doc[0]
    if (
        prev is not None
        and first.text in PRONOUN_SUBJECTS
        and first.dep_ in ("nsubj", "nsubjpass")
        and not any(e.label_ == "PERSON" for e in doc.ents)
    ):
        people = {e.text for e in prev.doc.ents if e.label_ == "PERSON"}
        subj_people = [
            e
            for e in prev.doc.ents
            if e.label_ == "PERSON" and any(t.dep_ in ("nsubj", "nsubjpass") for t in e)
        ]
        if len(people) == 1 and len(subj_people) >= 1:
            last = subj_people[0].text.split()[-1]
            full = max(
                (n for n in person_names if n.split()[-1] == last),
                key=len,
                default=subj_people[0].text,
            )
            text = _tidy(full + s.text[len(first.text) :])
            out.append(Base("pronoun_resolved", text, [(prev.start, prev.end), *ev], s))
    return [b for b in out if b.text]


# ---------------------------------------------------------------- corruptions


class Corrupter:
    def __init__(
        self,
        rng: random.Random,
        article: str,
        ents: dict[str, list[str]],
        other_ents: dict[str, list[str]],
        sources: list[str],
    ) -> None:
        self.rng = rng
        self.article = article
        self.low = article.lower()
        self.ents = ents
        self.other_ents = other_ents
        self.sources = sources
        self.surnames = {
            n.split()[-1]
            for pool in (ents, other_ents)
            for n in pool.get("PERSON", [])
            if len(n.split()) > 1
        }

    # helpers

    def _new_entity(self, label: str, old: str, evidence: str) -> str | None:
        old_words = {w.lower() for w in re.findall(r"\w+", old)}
        for name in self.ents.get(label, []):  # "Hillary" is an alias of "Clinton"
            words = {w.lower() for w in re.findall(r"\w+", name)}
            if words & old_words:
                old_words |= words
        ev = evidence.lower()

        stems = {w[:5] for w in old_words}

        def fits(c: str) -> bool:
            words = {w.lower() for w in re.findall(r"\w+", c)}
            if label == "PERSON" and len(c.split()) == 1 and c not in self.surnames:
                return False
            if label == "NORP" and c.endswith("s") != old.endswith("s"):
                return False
            return (
                bool(words)
                and not words & old_words
                and c.lower() not in ev
                and not {w[:5] for w in words} & stems
                and not any(w in ev for w in words if len(w) > 3)
                and (len(c.split()) > 1) == (len(old.split()) > 1)
            )

        same = [c for c in self.ents.get(label, []) if fits(c)]
        if same and self.rng.random() < 0.7:
            return self.rng.choice(same)
        other = [c for c in self.other_ents.get(label, []) if fits(c) and c.lower() not in self.low]
        pool = other or same
        return self.rng.choice(pool) if pool else None

    @staticmethod
    def _verb(doc: Any, inner: bool) -> Any:
        root = _main_verb(doc)
        content = _speech_content(root)
        if inner and content is not None:
            return content
        return root

    # edits

    def negation(self, b: Base) -> str | None:
        v = self._verb(b.doc, self.rng.random() < 0.7)
        if v is None or v.pos_ not in ("VERB", "AUX"):
            return None
        e = Edit(b.doc)
        negs = [c for c in v.children if c.dep_ == "neg"]
        auxes = [
            c for c in v.children if c.dep_ in ("aux", "auxpass") and c.i < v.i and c.lower_ != "to"
        ]
        if negs:
            neg = negs[0]
            e.drop.add(neg.i)
            do = [a for a in auxes if a.lemma_ == "do"]
            if neg.lower_ == "never" or not do:
                fix = {"ca": "can", "wo": "will", "sha": "shall"}
                if neg.lower_ == "n't" and neg.i > 0 and b.doc[neg.i - 1].lower_ in fix:
                    e.texts[neg.i - 1] = fix[b.doc[neg.i - 1].lower_]
                return e.render()
            if len(auxes) != 1 or v.tag_ != "VB":
                return None
            e.drop.add(do[0].i)
            e.texts[v.i] = inflect(v.lemma_, {"VBD": "VBD", "VBZ": "VBZ"}.get(do[0].tag_, "VB"))
            return e.render()
        for a in b.doc:  # "refused to go" -> "went"
            if (a.head == v and a.dep_ == "xcomp") and v.lemma_ in ("refuse", "fail", "decline"):
                return None
        if not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in v.children):
            return None
        if auxes:
            first = auxes[0]
            e.texts[first.i] = first.text + " not"
            return e.render()
        if v.lemma_ == "be":
            e.texts[v.i] = v.text + " not"
            return e.render()
        if v.tag_ == "VBD":
            pre = "did not"
            if v.lemma_ not in SPEECH | STATIVE:
                pre = self.rng.choice(
                    ["did not", "did not", "refused to", "failed to", "declined to"]
                )
            e.texts[v.i] = f"{pre} {v.lemma_}"
        elif v.tag_ == "VBZ":
            e.texts[v.i] = f"does not {v.lemma_}"
        elif v.tag_ == "VBP":
            e.texts[v.i] = f"do not {v.lemma_}"
        else:
            return None
        return e.render()

    def number(self, b: Base) -> str | None:
        words = [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
        ordinals = [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
        ]
        ev = b.sent.text.lower()
        cands = []
        for t in b.doc:
            if t.ent_type_ in ("PERSON", "ORG", "GPE", "LAW", "WORK_OF_ART", "FAC", "PRODUCT"):
                continue
            low = t.lower_
            if re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?|\d+(\.\d+)?", t.text):
                cands.append(t)
            elif (low in words and low != "one" and t.pos_ == "NUM") or (
                low in ordinals and t.ent_type_ == "ORDINAL" and t.dep_ == "amod"
            ):
                cands.append(t)
        self.rng.shuffle(cands)
        for t in cands:
            low = t.lower_
            if low in words or low in ordinals:
                lst = words if low in words else ordinals
                new = self.rng.choice([w for w in lst if w not in (low, "one")])
                if t.text[0].isupper():
                    new = _cap(new)
            else:
                raw = t.text.replace(",", "")
                dec = len(raw.split(".")[1]) if "." in raw else 0
                val = float(raw)
                if dec == 0 and 1900 <= val <= 2030 and "," not in t.text:
                    new = str(int(val) + self.rng.choice([-3, -2, -1, 1, 2, 3]))
                else:
                    factor = self.rng.choice([0.5, 0.7, 1.3, 1.5, 2, 3])
                    nv = val * factor if val >= 4 else val + self.rng.choice([1, 2, 3])
                    nxt = b.doc[t.i + 1].lower_ if t.i + 1 < len(b.doc) else ""
                    if nxt in ("%", "percent") and nv > 100:
                        nv = val * self.rng.choice([0.5, 0.7])
                    if dec == 0:
                        nv = round(nv)
                        if nv == val:
                            nv = val + 1
                        new = f"{int(nv):,}" if "," in t.text else str(int(nv))
                    else:
                        new = f"{nv:.{dec}f}"
            if re.search(rf"(?<![\w.,]){re.escape(new.lower())}(?![\w]|[.,]\d)", ev):
                continue
            e = Edit(b.doc, texts={t.i: new})
            return e.render()
        return None

    def entity_swap(self, b: Base) -> str | None:
        ents = [e for e in b.doc.ents if e.label_ in NAMED]
        self.rng.shuffle(ents)
        evidence = " ".join(self.article[s:t] for s, t in b.evidence)
        for ent in ents:
            text = ent.text
            if text.endswith(("'s", "’s")):
                continue
            new = self._new_entity(ent.label_, text, evidence)
            if new is None:
                continue
            e = Edit(b.doc, texts={ent.start: new}, drop=set(range(ent.start + 1, ent.end)))
            return e.render()
        return None

    def role_swap(self, b: Base) -> str | None:
        doc = b.doc
        v = self._verb(doc, True)
        subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")] if v is not None else []
        subj_idx = {x.i for s in subj for x in s.subtree}
        named = [e for e in doc.ents if e.label_ in ("PERSON", "GPE", "NORP")]
        titled = {
            e.start
            for e in named
            if e.start > 0 and doc[e.start - 1].text.rstrip(".") in HONORIFICS
        }
        options = []
        for i, a in enumerate(named):
            for c in named[i + 1 :]:
                between = doc[a.end : c.start].text.strip().lower()
                if (
                    a.label_ != c.label_
                    or between in ("and", "or", ",", ", and", "&")
                    or a.text.lower() in c.text.lower()
                    or c.text.lower() in a.text.lower()
                    or "between" in doc[max(0, a.start - 2) : a.start].text.lower()
                ):
                    continue
                if (a.start in titled) != (c.start in titled) or len(a) != len(c):
                    continue
                if (a.root.i in subj_idx) != (c.root.i in subj_idx):
                    options.append((a, c))
        nums = [e for e in doc.ents if e.label_ in NUMERIC]
        for i, a in enumerate(nums):
            for c in nums[i + 1 :]:
                if a.label_ == c.label_ and a.text != c.text:
                    options.append((a, c))
        if not options:
            return None
        a, c = self.rng.choice(options)
        at, ct = a.text, c.text
        if a.start == 0 and a.label_ in NUMERIC:  # "Three people ... more than 260"
            at = at[:1].lower() + at[1:]
        e = Edit(
            doc,
            texts={a.start: ct, c.start: at},
            drop=set(range(a.start + 1, a.end)) | set(range(c.start + 1, c.end)),
        )
        return e.render()

    def antonym(self, b: Base) -> str | None:
        cands = []
        for t in b.doc:
            if t.ent_type_ in NAMED:
                continue
            if t.lower_ in WORD_FORMS:
                cands.append((t, WORD_FORMS[t.lower_][0]))
                continue
            if t.tag_ in ("JJR", "JJS", "RBR", "RBS"):
                continue
            table = ANTONYMS.get(t.pos_, {})
            if t.lemma_.lower() in table:
                ant = self.rng.choice(table[t.lemma_.lower()])
                form = inflect(ant, t.tag_) if t.pos_ in ("VERB", "NOUN") else ant
                cands.append((t, form))
        if not cands:
            return None
        t, form = self.rng.choice(cands)
        if t.lower_ == "more" and t.i + 1 < len(b.doc) and b.doc[t.i + 1].tag_ == "NNS":
            form = "fewer"
        if t.text[0].isupper():
            form = _cap(form)
        return Edit(b.doc, texts={t.i: form}).render()

    def unsupported_addition(self, b: Base) -> str | None:
        doc = b.doc
        v = self._verb(doc, self.rng.random() < 0.5)
        if v is None or v.pos_ not in ("VERB", "AUX"):
            return None
        choices = ["adverb", "phrase", "entity"]
        self.rng.shuffle(choices)
        for how in choices:
            e = Edit(doc)
            if how == "adverb" and v.lemma_ != "be":
                advs = [
                    a
                    for a in (
                        "secretly",
                        "reluctantly",
                        "unanimously",
                        "publicly",
                        "quietly",
                        "repeatedly",
                        "personally",
                        "formally",
                        "privately",
                        "narrowly",
                        "overwhelmingly",
                        "again",
                    )
                    if a not in self.low
                ]
                if not advs:
                    continue
                adv = self.rng.choice(advs)
                auxes = [
                    c
                    for c in v.children
                    if c.dep_ in ("aux", "auxpass", "neg") and c.i < v.i and c.lower_ != "to"
                ]
                if auxes:
                    last = max(auxes, key=lambda a: a.i)
                    e.texts[last.i] = f"{last.text} {adv}"
                elif v.i > 0 and not doc[v.i - 1].whitespace_:
                    continue
                else:
                    e.texts[v.i] = f"{adv} {v.text}"
                return e.render()
            if how == "phrase" and v.tag_ == "VBD" and v.lemma_ not in STATIVE:
                year = self.rng.choice([y for y in range(2005, 2016) if str(y) not in self.article])
                if v.lemma_ in SPEECH:
                    phrases = [
                        "in a written statement",
                        "by phone",
                        "in a closed-door meeting",
                        "on Tuesday",
                        "for the third time",
                        "in a private letter",
                    ]
                else:
                    phrases = [
                        "for the third time",
                        "for the first time",
                        "last year",
                        f"in {year}",
                        "on Tuesday",
                        "earlier this month",
                        "despite strong objections",
                        "after a brief delay",
                        "under pressure from donors",
                        "in a closed-door meeting",
                    ]
                phrases = [
                    p
                    for p in phrases
                    if p.lower() not in self.low
                    and not (p.startswith("on ") and p[3:] in self.article)
                ]
                end = v.right_edge.i
                if doc[end].is_punct and doc[end].text not in QUOTES:
                    end -= 1
                if any(doc[i].text in QUOTES for i in range(v.i, end + 1)) or not phrases:
                    continue
                e.texts[end] = f"{doc[end].text} {self.rng.choice(phrases)}"
                return e.render()
            if how == "entity" and v.tag_ == "VBD" and v.lemma_ != "be":
                subj = [c for c in v.children if c.dep_ == "nsubj"]
                if not subj or subj[0].ent_type_ not in ("PERSON", "ORG", "GPE"):
                    continue
                s = subj[0]
                evidence = " ".join(self.article[x:y] for x, y in b.evidence)
                new = self._new_entity(s.ent_type_, s.text, evidence)
                if new is None or new.lower() in evidence.lower():
                    continue
                e.texts[s.right_edge.i] = f"{doc[s.right_edge.i].text} and {new}"
                return e.render()
        return None

    def wrong_source(self, b: Base) -> str | None:
        doc = b.doc
        m = re.match(r"^According to ([^,]{2,60}), ", b.text)
        root = _main_verb(doc)
        old = None
        if m:
            old = m.group(1)
        elif _speech_content(root) is not None:
            subj = [c for c in root.children if c.dep_ == "nsubj"]
            if subj:
                span = doc[subj[0].left_edge.i : subj[0].right_edge.i + 1]
                if any(t.pos_ == "PROPN" for t in span) and len(span) <= 6:
                    old = span.text
        if old is None:
            return None
        evidence = " ".join(self.article[x:y] for x, y in b.evidence).lower()
        old_words = {w.lower() for w in re.findall(r"\w+", old)}
        named = self.ents.get("PERSON", []) + self.ents.get("ORG", [])
        pool = [
            s
            for s in self.sources
            if s.lower() not in evidence
            and any(n in s for n in named)
            and not {w.lower() for w in re.findall(r"\w+", s)} & old_words
        ]
        pool += [
            p
            for p in self.ents.get("PERSON", [])
            if len(p.split()) > 1
            and p.lower() not in evidence
            and not {w.lower() for w in re.findall(r"\w+", p)} & old_words
        ]
        if not pool:
            return None
        new = self.rng.choice(pool)
        i = b.text.find(old)
        if i < 0:
            return None
        return _tidy(b.text[:i] + new + b.text[i + len(old) :])


# ---------------------------------------------------------------- the driver


def _article_ents(docs: list[Any]) -> dict[str, list[str]]:
    ents: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        for e in d.ents:
            t = e.text.strip()
            if e.label_ in NAMED and re.match(r"^[A-Z][\w.’'& -]*\w$", t) and len(t) > 2:
                ents[e.label_].add(t[4:] if t.startswith("the ") else t)
    return {k: sorted(v) for k, v in ents.items()}


def _named_sources(record: dict[str, Any]) -> list[str]:
    out = set()
    for rel in record["annotations"].get("attributions", []):
        if not rel.get("source"):
            continue
        t = rel["source"]["text"].strip()
        if (
            1 <= len(t.split()) <= 5
            and re.match(r"^[A-Z]", t)
            and t.split()[0] not in BAD_START
            and t not in FIRST_SECOND
            and sum(w[0].isupper() for w in t.split()) >= 1
        ):
            out.add(t)
    return sorted(out)


def generate(args: argparse.Namespace) -> tuple[list[dict[str, Any]], Counter[str]]:
    from summarizer.attribution.parse import pipeline

    nlp = pipeline()
    dev_ids = {json.loads(line)["id"] for line in DEV_CHECKS.open(encoding="utf-8")}
    records = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
    records = [r for r in records if r["id"] not in dev_ids]
    rng = random.Random(args.seed)
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(records, key=lambda r: r["id"]):
        by_outlet[r["outlet"]].append(r)
    for v in by_outlet.values():
        rng.shuffle(v)
    order: list[dict[str, Any]] = []
    while any(by_outlet.values()):  # round robin over outlets
        for k in sorted(by_outlet):
            if by_outlet[k]:
                order.append(by_outlet[k].pop())

    # Parse every article's sentences once (the entity pools need whole articles).
    parsed: dict[str, list[Sent]] = {}
    for r in order:
        spans = sentence_spans(r["article"])
        texts = [r["article"][a:b] for a, b in spans]
        docs = list(nlp.pipe(texts, batch_size=64))
        parsed[r["id"]] = [
            Sent(i, a, b, t, d)
            for i, ((a, b), t, d) in enumerate(zip(spans, texts, docs, strict=True))
        ]
    pools = {rid: _article_ents([s.doc for s in ss]) for rid, ss in parsed.items()}

    counts: Counter[str] = Counter()
    method_counts: Counter[str] = Counter()
    out = []
    for r in order:
        if len(out) >= args.articles:
            break
        rid, article = r["id"], r["article"]
        sents = parsed[rid]
        ents = pools[rid]
        other: dict[str, list[str]] = defaultdict(list)
        for k, p in pools.items():
            if k != rid:
                for label, names in p.items():
                    other[label].extend(names)
        people = ents.get("PERSON", [])
        corr = Corrupter(rng, article, ents, other, _named_sources(r))
        bases_by_sent: dict[int, list[Base]] = {}
        for s in sents[1:]:  # the first line is the headline
            if (
                s.text[-1:] not in '.!?”"'
                or _words(s.text) < 6
                or _words(s.text) > 60
                or not re.match(r"[A-Z\"“‘']", s.text)
                or re.search(ABBREVIATION_END, s.text)
            ):
                continue
            prev = sents[s.idx - 1] if s.idx > 1 else None
            root = _main_verb(s.doc)
            if root is None or not any(
                c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in root.children
            ):
                continue  # fragments, imperatives ("check out ...")
            bases = faithful_variants(s, prev, people)
            if bases:
                bases_by_sent[s.idx] = bases
        all_bases = [b for bs in bases_by_sent.values() for b in bs]
        for b, d in zip(
            all_bases, nlp.pipe([b.text for b in all_bases], batch_size=64), strict=True
        ):
            b.doc = d
        for sid, bs in list(bases_by_sent.items()):  # a rewrite the parser reads otherwise
            bs = [
                b
                for b in bs
                if not b.head
                or (_main_verb(b.doc) is not None and _main_verb(b.doc).lemma_ == b.head)
            ]
            bases_by_sent[sid] = bs
        checks: list[tuple[Base, str, str, int]] = []  # base, text, edit/method, label
        used: Counter[int] = Counter()
        sent_ids = sorted(bases_by_sent)
        rng.shuffle(sent_ids)

        # faithful: one per sentence, the least used method first; sentences that have a
        # rewrite first
        rewritable = {
            sid
            for sid, bs in bases_by_sent.items()
            if any(b.method != "copy" and _readable(b.text) for b in bs)
        }
        faithful_order = sorted(sent_ids, key=lambda i: (i not in rewritable, rng.random()))
        for sid in faithful_order:
            if sum(1 for c in checks if c[3] == 1) >= PER_KIND:
                break
            good = [b for b in bases_by_sent[sid] if _readable(b.text)]
            if not good:
                continue
            rng.shuffle(good)
            b = min(good, key=lambda b: method_counts[b.method])
            method_counts[b.method] += 1
            checks.append((b, b.text, f"faithful.{b.method}", 1))
            used[sid] += 1

        # unfaithful: distinct kinds, the globally rarest first
        kinds = list(UNFAITHFUL)
        rng.shuffle(kinds)
        kinds.sort(key=lambda k: counts[k])
        for kind in kinds:
            if sum(1 for c in checks if c[3] == 0) >= PER_KIND:
                break
            order_s = sorted(sent_ids, key=lambda i: (used[i], rng.random()))
            done = False
            for sid in order_s:
                bases = [b for b in bases_by_sent[sid] if MIN_WORDS - 2 <= _words(b.text)]
                rng.shuffle(bases)
                for b in bases:
                    if b.method == "unattributed" and kind == "wrong_source":
                        continue
                    try:
                        text = getattr(corr, kind)(b)
                    except (IndexError, ValueError):
                        text = None
                    if not text or text == b.text or not _readable(text):
                        continue
                    if re.sub(r"\W", "", text.lower()) == re.sub(r"\W", "", b.text.lower()):
                        continue
                    checks.append((b, text, f"{kind}.{b.method}", 0))
                    counts[kind] += 1
                    used[sid] += 1
                    done = True
                    break
                if done:
                    break
        n1 = sum(1 for c in checks if c[3] == 1)
        n0 = sum(1 for c in checks if c[3] == 0)
        if n1 < PER_KIND or n0 < PER_KIND:  # keep the set balanced per article
            for b, _, tag, label in checks:
                if label == 0:
                    counts[tag.split(".")[0]] -= 1
                else:
                    method_counts[b.method] -= 1
            counts["articles skipped (too few claims)"] += 1
            continue
        checks.sort(key=lambda c: (c[0].evidence[0][0], c[3]))
        items = []
        for k, (b, text, tag, label) in enumerate(checks, 1):
            for a, z in b.evidence:
                assert article[a:z] == article[a:z].strip()
            items.append(
                {
                    "id": f"{rid}-gen{k}-{tag}",
                    "claim": text,
                    "evidence": [[a, z] for a, z in b.evidence],
                    "label": label,
                    "edit": "faithful" if label == 1 else tag.split(".")[0],
                }
            )
        rec = {k: v for k, v in r.items() if k != "annotations"}
        rec["annotations"] = {
            "type": "claim_checks",
            "label_semantics": (
                "label 1 = the cited sentences state the claim; 0 = they do not (the claim "
                "contradicts them, changes a name, number, role, polarity or source, or adds a "
                "fact they do not state)"
            ),
            "provenance": (
                "generated by benchmarks/corrupt_claims.py (seed "
                f"{args.seed}), FactCC-style rule-based rewrites of PolNeAR train sentences; "
                "labels by construction, not checked by a human. evidence = [start, end) "
                "character spans into article, one per cited sentence (split with "
                "summarizer.text.sentences.sentence_spans); the id ends with <edit>.<method>, "
                "method = the faithful rewrite the claim was built from"
            ),
            "checks": items,
        }
        keys = list(r)  # keep the source record's key order
        out.append({k: rec[k] for k in keys})
    for m, n in method_counts.items():
        counts[f"faithful.{m}"] = n
    return out, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261208)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.perf_counter()
    records, counts = generate(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    checks = [c for r in records for c in r["annotations"]["checks"]]
    by_edit = Counter(c["edit"] for c in checks)
    by_label = Counter(c["label"] for c in checks)
    print(
        f"articles: {len(records)}  checks: {len(checks)}  label 1: {by_label[1]}  "
        f"label 0: {by_label[0]}"
    )
    print("by edit:")
    for k, v in sorted(by_edit.items(), key=lambda kv: -kv[1]):
        print(f"  {k:22s} {v}")
    print("faithful by method:")
    for k, v in sorted(counts.items()):
        if k.startswith("faithful.") or k.startswith("articles"):
            print(f"  {k:30s} {v}")
    words = [len(c["claim"].split()) for c in checks]
    print(f"claim words: min {min(words)} max {max(words)} mean {sum(words) / len(words):.1f}")
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in "
        f"{time.perf_counter() - t0:.1f}s"
    )


if __name__ == "__main__":
    main()
