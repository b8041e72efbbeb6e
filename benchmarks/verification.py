"""How well the library tells statements an article states from those it does not.

    python benchmarks/verification.py --dev ../shared/eval/claimchecks-dev.jsonl [--judge]

Reads JSON-lines records of three shapes (see ../shared/eval/README.md):

- ``claim_checks``: each claim is checked with ``Verifier.check`` (default settings) against
  the sentences its evidence spans name, as the model would cite them;
- ``summedits_edited_summaries`` and ``aggrefact_labelled_summaries``: each summary is checked
  against the article as the library checks a summary sentence against verified claims, each
  article sentence standing for a claim: sentence by sentence, each resting on the fewest
  article sentences (at most three) that back its words and state it, which the library
  finds. A summary is kept when every sentence of it is.

With ``--judge`` the statements the text checks keep are then put to the model judge
(``summarizer.pipeline.judge``), one request per article, on the backend the library would
choose (the embedded model by default). ``--words-only`` turns the check of meaning off, to
compare with the word-overlap test alone. Ends with exactly these lines::

    balanced accuracy: 0.xxx
    faithful kept: N/M
    unfaithful caught: N/M (edit_kind n/m, ...)
    cpu ms per statement: X
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from summarizer.schema import ClaimDraft, SupportedSentence
from summarizer.settings import Settings
from summarizer.verify.claims import Failure, Verifier
from summarizer.verify.statements import verify_statements


@dataclass
class Case:
    """One labelled statement: its sentences' drafts, checked against one article."""

    article: str
    text: str
    label: int
    kinds: list[str]
    cited: list[list[str]] | None  # per sentence, the ids cited; None: find them


@dataclass
class Outcome:
    case: Case
    kept: bool
    reason: str
    evidence: str


def _cases(record: dict) -> list[Case]:
    notes = record.get("annotations") or {}
    kind = notes.get("type")
    article = record["article"]
    if kind == "claim_checks":
        return [
            Case(article, c["claim"], int(c["label"]), [c["edit"]], [_spans(c["evidence"])])
            for c in notes["checks"]
        ]
    if kind == "summedits_edited_summaries":
        return [
            Case(article, s["summary"], int(s["label"]), s.get("edit_types") or ["none"], None)
            for s in notes["edited_summaries"]
        ]
    if kind == "aggrefact_labelled_summaries":
        return [
            Case(article, s["summary"], int(s["label"]), s.get("error_type") or ["none"], None)
            for s in notes["summaries"]
        ]
    return []


def _spans(evidence: list[list[int]]) -> list[str]:
    # Offsets become sentence ids once the article is numbered (see _cited).
    return [f"{a}:{b}" for a, b in evidence]


def _cited(verifier: Verifier, spans: list[str]) -> list[str]:
    """The numbered sentences that overlap the evidence offsets."""
    ids: list[str] = []
    for span in spans:
        a, b = map(int, span.split(":"))
        ids += [s.id for s in verifier.numbered.sentences if s.start < b and a < s.end]
    return list(dict.fromkeys(ids))[:3] or ["S1"]


def check(cases: list[Case], settings: Settings, meaning: bool) -> list[Outcome]:
    verifiers: dict[str, Verifier] = {}
    outcomes: list[Outcome] = []
    for case in cases:
        verifier = verifiers.get(case.article)
        if verifier is None:
            verifier = verifiers[case.article] = Verifier(
                case.article,
                fuzzy_threshold=settings.fuzzy_threshold,
                min_quote_chars=settings.min_quote_chars,
                min_support=settings.min_support,
                find_evidence=settings.find_evidence,
                check_meaning=meaning,
            )
        if case.cited is None:
            outcomes.append(_statement(case, verifier, settings, meaning))
            continue
        # Built unvalidated: a hand-written claim may be longer than a model's may be.
        draft = ClaimDraft.model_construct(
            id="c1", text=case.text, sentences=_cited(verifier, case.cited[0]), source="", quote=""
        )
        checked = verifier.check(draft)
        if isinstance(checked, Failure):
            outcomes.append(Outcome(case, False, checked.reason, ""))
        else:
            outcomes.append(Outcome(case, True, "", verifier.context(checked)))
    return outcomes


def _statement(case: Case, verifier: Verifier, settings: Settings, meaning: bool) -> Outcome:
    """A summary checked as the library checks a summary sentence, each article sentence
    standing for a verified claim: it rests on the fewest (at most three) that state it."""
    story = verifier.numbered
    context = {s.id: story.text[s.start : s.end] for s in story.sentences}
    item = SupportedSentence.model_construct(text=case.text, claim_ids=[])
    kept, rejected = verify_statements(
        [item], context, "summary_sentence", min_support=settings.min_support, meaning=meaning
    )
    if rejected:
        return Outcome(case, False, rejected[0].reason, "")
    evidence = " ".join(context[i] for k in kept for i in k.claim_ids)
    return Outcome(case, True, "", evidence)


def judge(outcomes: list[Outcome], settings: Settings) -> None:
    """Put the statements the text checks kept to the model judge, one request an article."""
    from summarizer.pipeline.judge import judge_claims, keeps

    by_article: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.kept:
            by_article.setdefault(o.case.article, []).append(o)
    for group in by_article.values():
        for start in range(0, len(group), 12):
            batch = group[start : start + 12]
            items = [(f"c{i + 1}", o.case.text, o.evidence) for i, o in enumerate(batch)]
            verdicts = judge_claims(items, settings=settings)
            for o, verdict in zip(batch, verdicts, strict=True):
                if not keeps(verdict):
                    o.kept, o.reason = False, f"the judge: {verdict}"


def balanced(outcomes: list[Outcome]) -> float:
    """The mean of the share of faithful statements kept and of unfaithful ones caught."""
    rates = [
        sum(o.kept == bool(label) for o in group) / len(group)
        for label in (0, 1)
        if (group := [o for o in outcomes if o.case.label == label])
    ]
    return sum(rates) / len(rates) if rates else 0.0


def report(outcomes: list[Outcome], seconds: float) -> list[str]:
    faithful = [o for o in outcomes if o.case.label == 1]
    unfaithful = [o for o in outcomes if o.case.label == 0]
    kept = sum(o.kept for o in faithful)
    caught = sum(not o.kept for o in unfaithful)
    tpr = kept / len(faithful) if faithful else 0.0
    tnr = caught / len(unfaithful) if unfaithful else 0.0
    both = [tpr, tnr] if faithful and unfaithful else [tpr or tnr]
    by_kind: Counter[str] = Counter()
    caught_kind: Counter[str] = Counter()
    for o in unfaithful:
        for k in o.case.kinds:
            by_kind[k] += 1
            caught_kind[k] += not o.kept
    kinds = ", ".join(f"{k} {caught_kind[k]}/{by_kind[k]}" for k in sorted(by_kind))
    return [
        f"balanced accuracy: {sum(both) / len(both):.3f}",
        f"faithful kept: {kept}/{len(faithful)}",
        f"unfaithful caught: {caught}/{len(unfaithful)} ({kinds})",
        f"cpu ms per statement: {1000 * seconds / max(len(outcomes), 1):.1f}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, required=True, help="a JSON-lines file of records")
    parser.add_argument("--judge", action="store_true", help="then ask the model judge")
    parser.add_argument("--words-only", action="store_true", help="no check of meaning")
    parser.add_argument("--show", choices=["kept", "caught", "errors"], help="list cases")
    parser.add_argument("--limit", type=int, default=0, help="at most this many records")
    parser.add_argument("--min-support", type=float, help="the setting (tuning, on train data)")
    args = parser.parse_args(argv)
    records = [json.loads(line) for line in args.dev.open(encoding="utf-8") if line.strip()]
    if args.limit:
        records = records[: args.limit]
    cases = [c for r in records for c in _cases(r)]
    if not cases:
        print(f"{args.dev}: no claim_checks, summedits or aggrefact records", file=sys.stderr)
        return 2
    settings = Settings.resolve(
        **({"min_support": args.min_support} if args.min_support is not None else {})
    )
    started = time.process_time()
    outcomes = check(cases, settings, meaning=not args.words_only)
    seconds = time.process_time() - started
    if args.judge:
        judge(outcomes, settings)
    for o in outcomes:
        wrong = o.kept != bool(o.case.label)
        if args.show == "errors" and wrong or args.show == ("kept" if o.kept else "caught"):
            mark = "KEPT  " if o.kept else "CAUGHT"
            print(f"{mark} [{o.case.label} {','.join(o.case.kinds)}] {o.case.text}")
            if o.reason:
                print(f"        {o.reason}")
    print(f"data: {args.dev.name}, {len(records)} records, {len(cases)} statements")
    print("text checks" + (" then the model judge" if args.judge else ""))
    print("\n".join(report(outcomes, seconds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
