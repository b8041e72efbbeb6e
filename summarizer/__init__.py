"""Grounded, attributed structured summaries of news articles."""

from summarizer.batch import BatchFailure, asummarize_many, run_jsonl, summarize_many
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
from summarizer.local import LocalServer
from summarizer.pipeline import asummarize, summarize
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
