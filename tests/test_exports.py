"""The package's public surface is exactly what __all__ says."""

from __future__ import annotations

import re

import pytest

import summarizer


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(summarizer) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(summarizer, name)).__name__ == "module"}
    assert summarizer.__all__ == sorted(summarizer.__all__)
    assert set(summarizer.__all__) == public - modules


def test_every_export_comes_from_the_package() -> None:
    for name in summarizer.__all__:
        assert getattr(summarizer, name).__module__.startswith("summarizer.")


# The public surface, written out: moving code between modules must not change a name of it.
PUBLIC = [
    "Article", "ArticleSummary", "Attribution", "BackendStartError", "BatchFailure", "Claim",
    "ConfigError", "Evidence", "FetchError", "InputError", "LocalServer", "MatchKind", "Meta",
    "ModelRefusedError", "NotHTMLError", "OutputTruncatedError", "PageStatusError",
    "PageTooLargeError", "PageUnreachableError", "PromptError", "ProviderError", "Rejection",
    "RetriesExhaustedError", "Settings", "SourceKind", "SummarizerError", "SupportedText", "Usage",
    "VerificationError", "asummarize", "asummarize_many", "run_jsonl", "summarize",
    "summarize_many",
]  # fmt: skip

RESULT_FIELDS = {
    "Article": ["text", "html", "title", "author", "url", "outlet", "published"],
    "ArticleSummary": [
        "headline", "summary", "summary_sentences", "key_points", "claims", "rejected", "article",
        "meta",
    ],
    "Claim": ["id", "text", "attribution", "evidence", "origin"],
    "Evidence": [
        "quote", "start", "end", "match", "score", "sentence_ids", "cited_ids", "proposed",
    ],
    "Attribution": [
        "source", "kind", "cue", "source_start", "source_end", "cue_start", "cue_end", "status",
        "model_source",
    ],
    "Rejection": ["kind", "id", "text", "reason", "proposed"],
    "SupportedText": ["text", "claim_ids", "match"],
    "Meta": [
        "model", "model_source", "backend", "base_url", "prompt_version", "usage", "calls",
        "reasks", "reask_rounds", "validation_retries", "reask_prompt_tokens", "elapsed_s",
        "library_version",
        "input_format", "fetched", "removed", "warnings", "call_log",
    ],
    "Usage": ["prompt_tokens", "completion_tokens", "total_tokens", "cached_prompt_tokens"],
}  # fmt: skip

COMMANDS = {
    (): [
        "--base-url", "--format", "--help", "--html", "--model", "--no-clean", "--output",
        "--quiet", "--strict", "--title", "--verbose", "--version",
    ],
    ("eval",): ["--base-url", "--help", "--limit", "--model", "--quiet", "--verbose"],
    ("batch",): [
        "--base-url", "--concurrency", "--help", "--model", "--no-clean", "--no-progress", "--out",
        "--processes", "--quiet", "--retry-failed", "--strict", "--verbose",
    ],
    ("batch", "prepare"): ["--help", "--model", "--no-clean", "--out", "--quiet", "--verbose"],
    ("batch", "execute"): ["--base-url", "--help", "--quiet", "--verbose"],
    ("batch", "collect"): ["--help", "--out", "--quiet", "--strict", "--verbose"],
}  # fmt: skip


def test_public_names_are_unchanged() -> None:
    assert summarizer.__all__ == PUBLIC


@pytest.mark.parametrize("name", sorted(RESULT_FIELDS))
def test_result_fields_are_unchanged(name: str) -> None:
    model = getattr(summarizer, name)
    assert list(model.model_fields) == RESULT_FIELDS[name]


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_command_flags_are_unchanged(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.cli.commands import main

    with pytest.raises(SystemExit):
        main([*command, "--help"])
    flags = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", capsys.readouterr().out)))
    assert flags == COMMANDS[command]
