"""Mine paraphrase and antonym word pairs for the claim checker from SummEdits train data.

Run: python benchmarks/mine_lexicon.py [--train PATH] [--out PATH]

Reads ``../shared/eval/summedits-other-train.jsonl`` ONLY (the 7 non-news SummEdits domains);
no ``-dev`` file is ever read. Every record holds one document's seed summary (id ending
``_og``, label 1) and its edited versions, each with a ``label`` and ``edit_types``. Each
edited summary is aligned to its seed word by word (``difflib`` on lower-cased spaCy tokens)
and the short substitutions (1 to 2 words on each side) are kept as pairs of lower-case lemma
strings:

- from label-1 edits (annotators judged the edit consistent with the document): paraphrases;
- from label-0 edits whose only edit type is ``antonym_swap``: antonyms;
- insertions and deletions of a negation word in label-0 edits are counted apart.

Pairs whose either side is only stopwords, or holds a proper noun, a number or punctuation are
dropped. A pair seen both as a paraphrase and as an antonym is kept only on the side where it
was seen strictly more often (dropped from both on a tie). Pairs are unordered (a < b).

Writes ``summarizer/verify/lexicon.json``: ``paraphrases`` and ``antonyms`` as ``[a, b, count]``
(sorted by count, then a, then b), ``negation_edits`` (``[word, inserted, removed]``), and two
hand-written lists that come from general English, not from any data set:
``negative_predicates`` (words and phrases that negate what they govern or report a failure or a
stop) and ``antonyms_core`` (common antonym pairs in news text).
"""

from __future__ import annotations

import argparse
import difflib
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
TRAIN = EVAL / "summedits-other-train.jsonl"
OUT = ROOT / "summarizer" / "verify" / "lexicon.json"

MAX_SIDE = 2  # words on each side of a substitution
NEGATION_WORDS = frozenset(
    {
        "not",
        "n't",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "without",
        "cannot",
    }
)

# Hand-written, general English: predicates and function words that negate what they govern,
# or report a refusal, a failure, an absence or a stop. Not derived from any data set.
NEGATIVE_PREDICATES = sorted(
    {
        # refusal, denial, rejection
        "refuse",
        "deny",
        "decline",
        "reject",
        "rebuff",
        "spurn",
        "dismiss",
        "repudiate",
        "disavow",
        "veto",
        "turn down",
        "rule out",
        "say no",
        "object to",
        "resist",
        "forgo",
        "forswear",
        "renounce",
        "abstain",
        "withhold",
        "disown",
        "contradict",
        "dispute",
        "rebut",
        "refute",
        "disprove",
        "vote against",
        "oppose",
        # failure, inability, omission
        "fail",
        "fall short",
        "miss",
        "neglect",
        "omit",
        "be unable to",
        "unable",
        "struggle to",
        "lack",
        "lose",
        "forget",
        "skip",
        "ignore",
        "overlook",
        # stop, undo, prevention
        "halt",
        "stop",
        "cease",
        "quit",
        "end",
        "abandon",
        "drop",
        "scrap",
        "suspend",
        "cancel",
        "call off",
        "postpone",
        "delay",
        "shelve",
        "freeze",
        "withdraw",
        "pull out",
        "back out",
        "back down",
        "retract",
        "rescind",
        "revoke",
        "repeal",
        "overturn",
        "reverse",
        "annul",
        "void",
        "nullify",
        "abolish",
        "terminate",
        "discontinue",
        "block",
        "prevent",
        "prohibit",
        "ban",
        "bar",
        "forbid",
        "stall",
        "thwart",
        "stymie",
        "obstruct",
        "avoid",
        "refrain",
        "exclude",
        "prevent from",
        "keep from",
        # not yet, not any more, absence
        "yet to",
        "have yet to",
        "no longer",
        "not any more",
        "anymore",
        "never",
        "without",
        "absent",
        "not",
        "n't",
        "no",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "hardly",
        "barely",
        "scarcely",
        "rarely",
        "seldom",
        "instead of",
        "rather than",
        "far from",
        "free of",
        "devoid of",
        "short of",
        "lacking",
        "unlikely",
        "deny that",
        "doubt",
        "false",
        "untrue",
        "fake",
        "bogus",
        "baseless",
        "unfounded",
    }
)

# Hand-written common antonym pairs for news text (general English, not from any data set).
ANTONYMS_CORE = [
    ("rise", "fall"),
    ("rise", "drop"),
    ("rise", "decline"),
    ("increase", "decrease"),
    ("increase", "reduce"),
    ("increase", "cut"),
    ("grow", "shrink"),
    ("gain", "lose"),
    ("gain", "loss"),
    ("profit", "loss"),
    ("win", "lose"),
    ("victory", "defeat"),
    ("winner", "loser"),
    ("include", "exclude"),
    ("accept", "reject"),
    ("accept", "refuse"),
    ("approve", "reject"),
    ("approve", "veto"),
    ("approve", "disapprove"),
    ("resume", "suspend"),
    ("resume", "halt"),
    ("resume", "abandon"),
    ("continue", "stop"),
    ("continue", "halt"),
    ("support", "oppose"),
    ("supporter", "opponent"),
    ("favor", "oppose"),
    ("for", "against"),
    ("pro", "anti"),
    ("allow", "ban"),
    ("allow", "forbid"),
    ("allow", "prohibit"),
    ("permit", "prohibit"),
    ("legal", "illegal"),
    ("legalize", "ban"),
    ("before", "after"),
    ("more", "less"),
    ("more", "fewer"),
    ("most", "least"),
    ("higher", "lower"),
    ("high", "low"),
    ("up", "down"),
    ("above", "below"),
    ("over", "under"),
    ("maximum", "minimum"),
    ("open", "close"),
    ("open", "closed"),
    ("start", "end"),
    ("begin", "end"),
    ("start", "finish"),
    ("first", "last"),
    ("early", "late"),
    ("earlier", "later"),
    ("frequent", "sporadic"),
    ("frequent", "rare"),
    ("often", "rarely"),
    ("always", "never"),
    ("agree", "disagree"),
    ("confirm", "deny"),
    ("admit", "deny"),
    ("acquit", "convict"),
    ("guilty", "innocent"),
    ("arrest", "release"),
    ("hire", "fire"),
    ("join", "leave"),
    ("enter", "exit"),
    ("arrive", "depart"),
    ("attack", "defend"),
    ("offense", "defense"),
    ("buy", "sell"),
    ("purchase", "sell"),
    ("import", "export"),
    ("borrow", "lend"),
    ("lend", "borrow"),
    ("spend", "save"),
    ("strengthen", "weaken"),
    ("strong", "weak"),
    ("expand", "contract"),
    ("expand", "shrink"),
    ("raise", "lower"),
    ("raise", "cut"),
    ("boost", "cut"),
    ("add", "remove"),
    ("add", "subtract"),
    ("create", "destroy"),
    ("build", "demolish"),
    ("enact", "repeal"),
    ("pass", "fail"),
    ("succeed", "fail"),
    ("success", "failure"),
    ("positive", "negative"),
    ("optimistic", "pessimistic"),
    ("good", "bad"),
    ("better", "worse"),
    ("best", "worst"),
    ("improve", "worsen"),
    ("improve", "deteriorate"),
    ("rich", "poor"),
    ("wealthy", "poor"),
    ("large", "small"),
    ("big", "small"),
    ("majority", "minority"),
    ("full", "empty"),
    ("full", "partial"),
    ("all", "none"),
    ("many", "few"),
    ("long", "short"),
    ("fast", "slow"),
    ("quickly", "slowly"),
    ("easy", "difficult"),
    ("easy", "hard"),
    ("safe", "dangerous"),
    ("peace", "war"),
    ("ally", "enemy"),
    ("friend", "enemy"),
    ("friendly", "hostile"),
    ("public", "private"),
    ("domestic", "foreign"),
    ("local", "national"),
    ("liberal", "conservative"),
    ("left", "right"),
    ("democratic", "authoritarian"),
    ("majority", "minority"),
    ("true", "false"),
    ("correct", "incorrect"),
    ("accurate", "inaccurate"),
    ("possible", "impossible"),
    ("likely", "unlikely"),
    ("certain", "uncertain"),
    ("known", "unknown"),
    ("legal", "unlawful"),
    ("lawful", "unlawful"),
    ("constitutional", "unconstitutional"),
    ("popular", "unpopular"),
    ("able", "unable"),
    ("willing", "unwilling"),
    ("success", "defeat"),
    ("praise", "criticize"),
    ("praise", "condemn"),
    ("welcome", "condemn"),
    ("reward", "punish"),
    ("encourage", "discourage"),
    ("encourage", "deter"),
    ("remember", "forget"),
    ("find", "lose"),
    ("give", "take"),
    ("send", "receive"),
    ("push", "pull"),
    ("lift", "impose"),
    ("impose", "remove"),
    ("tighten", "loosen"),
    ("tighten", "ease"),
    ("escalate", "de-escalate"),
    ("inflate", "deflate"),
    ("surplus", "deficit"),
    ("export", "import"),
    ("asset", "liability"),
    ("credit", "debit"),
    ("income", "expense"),
    ("revenue", "expense"),
    ("bullish", "bearish"),
    ("overestimate", "underestimate"),
    ("overvalue", "undervalue"),
    ("maximize", "minimize"),
    ("exceed", "miss"),
    ("beat", "miss"),
    ("outperform", "underperform"),
    ("ahead", "behind"),
    ("inside", "outside"),
    ("present", "absent"),
    ("alive", "dead"),
    ("survive", "die"),
    ("birth", "death"),
    ("male", "female"),
    ("man", "woman"),
    ("old", "young"),
    ("old", "new"),
    ("ancient", "modern"),
    ("past", "future"),
    ("temporary", "permanent"),
    ("temporarily", "permanently"),
    ("voluntary", "mandatory"),
    ("optional", "mandatory"),
    ("formal", "informal"),
    ("official", "unofficial"),
    ("direct", "indirect"),
    ("directly", "indirectly"),
    ("explicit", "implicit"),
    ("increase", "cut"),
    ("secret", "public"),
    ("secretly", "publicly"),
    ("hide", "reveal"),
    ("conceal", "disclose"),
    ("unite", "divide"),
    ("united", "divided"),
    ("connect", "disconnect"),
    ("attach", "detach"),
    ("lock", "unlock"),
    ("load", "unload"),
    ("appear", "disappear"),
    ("like", "dislike"),
    ("trust", "distrust"),
    ("obey", "disobey"),
    ("qualify", "disqualify"),
    ("arm", "disarm"),
    ("employ", "dismiss"),
    ("employed", "unemployed"),
    ("employment", "unemployment"),
    ("inflation", "deflation"),
    ("expansion", "recession"),
    ("boom", "bust"),
    ("upgrade", "downgrade"),
    ("upturn", "downturn"),
    ("upside", "downside"),
    ("surge", "plunge"),
    ("soar", "plummet"),
    ("climb", "fall"),
    ("jump", "slump"),
    ("strengthen", "undermine"),
    ("ratify", "reject"),
    ("sign", "veto"),
    ("ease", "tighten"),
    ("accelerate", "slow"),
    ("accelerate", "decelerate"),
    ("lead", "trail"),
    ("lead", "follow"),
    ("win", "concede"),
    ("elect", "defeat"),
    ("nominate", "withdraw"),
]


def _tokens(doc: Any) -> list[dict[str, Any]]:
    return [
        {
            "lower": t.lower_,
            "lemma": t.lemma_.lower(),
            "stop": t.is_stop,
            "bad": t.pos_ in ("PROPN", "NUM", "PUNCT", "SYM", "X", "SPACE")
            or t.like_num
            or any(c.isdigit() for c in t.text)
            or t.ent_type_ in ("PERSON", "GPE", "ORG"),
        }
        for t in doc
        if not t.is_space
    ]


def _phrase(toks: list[dict[str, Any]]) -> str | None:
    """The lemma phrase of a substitution side, or None when it must not count."""
    toks = [t for t in toks if t["lower"] not in ("a", "an", "the")]
    if not toks or any(t["bad"] for t in toks) or all(t["stop"] for t in toks):
        return None
    text = " ".join(t["lemma"] for t in toks)
    if not any(c.isalpha() for c in text):
        return None
    return text


NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non", "non-", "sub", "de", "mis")


def _spelling(x: str, y: str) -> bool:
    """Whether two phrases are spelling variants ("modeling"/"modelling"), not a word and its
    negative-prefix opposite ("suitable"/"unsuitable")."""
    short, long_ = sorted((x, y), key=len)
    if any(long_ == p + short for p in NEGATIVE_PREFIXES):
        return False
    return difflib.SequenceMatcher(None, x, y).ratio() >= 0.85


def mine(
    path: Path,
) -> tuple[
    Counter[tuple[str, str]], Counter[tuple[str, str]], Counter[str], Counter[str], dict[str, int]
]:
    from summarizer.attribution.parse import pipeline

    nlp = pipeline()
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    pairs: list[tuple[str, str, int, str]] = []  # seed summary, edited summary, label, kind
    stats: Counter[str] = Counter()
    for r in records:
        summaries = r["annotations"]["edited_summaries"]
        seeds = [s for s in summaries if s["id"].endswith("_og")]
        if len(seeds) != 1:
            stats["records without exactly one seed"] += 1
            continue
        seed = seeds[0]["summary"]
        for s in summaries:
            if s is seeds[0]:
                continue
            types = s.get("edit_types") or []
            if s["label"] == 1:
                kind = "paraphrase"
            elif types == ["antonym_swap"]:
                kind = "antonym"
            else:
                kind = "other0"
            pairs.append((seed, s["summary"], s["label"], kind))
            stats[f"edited summaries {kind}"] += 1
    texts = sorted({t for a, b, _, _ in pairs for t in (a, b)})
    parsed = {t: _tokens(d) for t, d in zip(texts, nlp.pipe(texts, batch_size=64), strict=True)}

    para: Counter[tuple[str, str]] = Counter()
    anto: Counter[tuple[str, str]] = Counter()
    neg_in: Counter[str] = Counter()
    neg_out: Counter[str] = Counter()
    for seed, edited, label, kind in pairs:
        a, b = parsed[seed], parsed[edited]
        sm = difflib.SequenceMatcher(
            None, [t["lower"] for t in a], [t["lower"] for t in b], autojunk=False
        )
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if label == 0 and op in ("insert", "replace"):
                for t in b[j1:j2]:
                    if t["lower"] in NEGATION_WORDS and t["lower"] not in {
                        x["lower"] for x in a[i1:i2]
                    }:
                        neg_in[t["lower"]] += 1
            if label == 0 and op in ("delete", "replace"):
                for t in a[i1:i2]:
                    if t["lower"] in NEGATION_WORDS and t["lower"] not in {
                        x["lower"] for x in b[j1:j2]
                    }:
                        neg_out[t["lower"]] += 1
            if op != "replace" or kind == "other0":
                continue
            if i2 - i1 > MAX_SIDE or j2 - j1 > MAX_SIDE:
                stats["substitutions longer than 2 words"] += 1
                continue
            x, y = _phrase(a[i1:i2]), _phrase(b[j1:j2])
            if x is None or y is None:
                stats["substitutions filtered (stopword/proper noun/number)"] += 1
                continue
            if x == y:  # an inflection change only
                continue
            if _spelling(x, y):
                stats["spelling variants dropped"] += 1
                continue
            key = (min(x, y), max(x, y))
            (para if kind == "paraphrase" else anto)[key] += 1
    return para, anto, neg_in, neg_out, dict(stats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", type=Path, default=TRAIN)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if "-dev" in args.train.name:
        raise SystemExit("refusing to mine a dev file")
    t0 = time.perf_counter()
    para, anto, neg_in, neg_out, stats = mine(args.train)
    both = set(para) & set(anto)
    dropped = 0
    for key in both:
        p, a = para[key], anto[key]
        if p <= a:
            del para[key]
        if a <= p:
            del anto[key]
        dropped += 1

    def rows(c: Counter[tuple[str, str]]) -> list[list[Any]]:
        return [[a, b, n] for (a, b), n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]

    negations = sorted(set(neg_in) | set(neg_out))
    core = sorted({(min(a, b), max(a, b)) for a, b in ANTONYMS_CORE})
    out = {
        "source": (
            "benchmarks/mine_lexicon.py: paraphrases and antonyms mined from "
            "shared/eval/summedits-other-train.jsonl only (SummEdits, salesforce/factualNLG, "
            "7 non-news domains; no dev file read). Each edited summary is aligned to its seed "
            "summary with difflib on lower-cased spaCy tokens; substitutions of 1-2 words per "
            "side become unordered lower-case lemma pairs: from label-1 edits as paraphrases, "
            "from label-0 edits whose only edit type is antonym_swap as antonyms. Pairs with a "
            "proper noun, number or punctuation, or a side made only of stopwords, are dropped; "
            "a pair seen as both keeps only its majority side (dropped on a tie). count = times "
            "seen. negation_edits: [word, inserted, removed] in label-0 edits. "
            "negative_predicates and antonyms_core are hand-written general English, not mined "
            "from or tuned on any data set."
        ),
        "paraphrases": rows(para),
        "antonyms": rows(anto),
        "negation_edits": [[w, neg_in[w], neg_out[w]] for w in negations],
        "negative_predicates": NEGATIVE_PREDICATES,
        "antonyms_core": [list(p) for p in core],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    took = time.perf_counter() - t0
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}")
    print(f"pairs seen as both paraphrase and antonym (resolved by majority): {dropped}")
    print(
        f"paraphrases: {len(out['paraphrases'])}  antonyms: {len(out['antonyms'])}  "
        f"negation edits: {out['negation_edits']}"
    )
    print(f"negative_predicates: {len(NEGATIVE_PREDICATES)}  antonyms_core: {len(core)}")
    for name in ("paraphrases", "antonyms"):
        print(f"\n{name} (30 most frequent):")
        for a, b, n in out[name][:30]:
            print(f"  {a} / {b}  x{n}")
    print(f"\nwrote {args.out} in {took:.1f}s")


if __name__ == "__main__":
    main()
