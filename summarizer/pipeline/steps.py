"""The steps of one article, from its plan to its findings."""

from __future__ import annotations

from summarizer.pipeline.claims import claim_steps
from summarizer.pipeline.flow import Findings, Steps
from summarizer.pipeline.judge import judge_steps
from summarizer.pipeline.parts import read_parts
from summarizer.pipeline.plan import Plan
from summarizer.pipeline.requests import (
    first_request,
    new_verifier,
)
from summarizer.pipeline.statements import keep_statements
from summarizer.result import (
    Claim,
)
from summarizer.schema import (
    ClaimSummary,
    Extraction,
)
from summarizer.settings import Settings
from summarizer.status import status
from summarizer.text.grounding import TextIndex


def article_steps(given: Plan, settings: Settings) -> Steps[Findings]:
    out = Findings()
    article = given.article
    kept: dict[str, Claim] = {}
    written: Extraction | ClaimSummary | None
    if len(given.chunks) == 1:
        verifier = new_verifier(article.text, given.cleaned, settings)
        whole = verifier.original
        request = first_request(verifier, article.title, settings)
        status("reading the article")
        written = yield from claim_steps(request, verifier, 0, kept, out, settings)
        if given.judge:
            yield from judge_steps(kept, whole, out, settings, given.text_budget)
    else:
        whole = TextIndex(article.text)
        written = yield from read_parts(given, kept, out, settings)
    out.claims = list(kept.values())
    if written is None:
        out.headline = article.title or ""
        return out
    keep_statements(written, whole, article.title, out, settings)
    return out
