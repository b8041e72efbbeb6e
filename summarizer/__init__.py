"""Grounded, attributed structured summaries of news articles.

Every public name is re-exported from the module that defines it, and imported on first use:
the LLM client libraries take seconds to load, and the command line shows its status first.
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from summarizer.batch.records import BatchFailure
    from summarizer.batch.runs import asummarize_many, run_jsonl, summarize_many
    from summarizer.errors import (
        BackendStartError,
        ConfigError,
        FetchError,
        InputError,
        ModelRefusedError,
        NotHTMLError,
        OutputTruncatedError,
        PageStatusError,
        PageTooLargeError,
        PageUnreachableError,
        PromptError,
        ProviderError,
        RetriesExhaustedError,
        SummarizerError,
        VerificationError,
    )
    from summarizer.llm.local import LocalServer
    from summarizer.pipeline.run import asummarize, summarize
    from summarizer.result import (
        Article,
        ArticleSummary,
        Attribution,
        Claim,
        Evidence,
        MatchKind,
        Meta,
        Rejection,
        SupportedText,
        Usage,
    )
    from summarizer.schema import SourceKind
    from summarizer.settings import Settings

__all__ = [
    "Article",
    "ArticleSummary",
    "Attribution",
    "BackendStartError",
    "BatchFailure",
    "Claim",
    "ConfigError",
    "Evidence",
    "FetchError",
    "InputError",
    "LocalServer",
    "MatchKind",
    "Meta",
    "ModelRefusedError",
    "NotHTMLError",
    "OutputTruncatedError",
    "PageStatusError",
    "PageTooLargeError",
    "PageUnreachableError",
    "PromptError",
    "ProviderError",
    "Rejection",
    "RetriesExhaustedError",
    "Settings",
    "SourceKind",
    "SummarizerError",
    "SupportedText",
    "Usage",
    "VerificationError",
    "asummarize",
    "asummarize_many",
    "run_jsonl",
    "summarize",
    "summarize_many",
]

_SOURCES = {
    "Article": "summarizer.result",
    "ArticleSummary": "summarizer.result",
    "Attribution": "summarizer.result",
    "BackendStartError": "summarizer.errors",
    "BatchFailure": "summarizer.batch.records",
    "Claim": "summarizer.result",
    "ConfigError": "summarizer.errors",
    "Evidence": "summarizer.result",
    "FetchError": "summarizer.errors",
    "InputError": "summarizer.errors",
    "LocalServer": "summarizer.llm.local",
    "MatchKind": "summarizer.result",
    "Meta": "summarizer.result",
    "ModelRefusedError": "summarizer.errors",
    "NotHTMLError": "summarizer.errors",
    "OutputTruncatedError": "summarizer.errors",
    "PageStatusError": "summarizer.errors",
    "PageTooLargeError": "summarizer.errors",
    "PageUnreachableError": "summarizer.errors",
    "PromptError": "summarizer.errors",
    "ProviderError": "summarizer.errors",
    "Rejection": "summarizer.result",
    "RetriesExhaustedError": "summarizer.errors",
    "Settings": "summarizer.settings",
    "SourceKind": "summarizer.schema",
    "SummarizerError": "summarizer.errors",
    "SupportedText": "summarizer.result",
    "Usage": "summarizer.result",
    "VerificationError": "summarizer.errors",
    "asummarize": "summarizer.pipeline.run",
    "asummarize_many": "summarizer.batch.runs",
    "run_jsonl": "summarizer.batch.runs",
    "summarize": "summarizer.pipeline.run",
    "summarize_many": "summarizer.batch.runs",
}


def __getattr__(name: str) -> object:
    """The public name ``name``, imported from its module the first time it is asked for."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
    value = getattr(_importlib.import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
