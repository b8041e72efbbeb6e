"""Every error the library raises, in one tree.

    SummarizerError
    ├── ConfigError            nothing to talk to, or a setting that cannot work
    │   └── BackendStartError  the embedded llama.cpp server did not come up
    ├── PromptError            a prompt template is missing or lacks a variable
    ├── InputError             the article cannot be summarized as given
    │   └── FetchError         the article's URL gave no web page to read
    │       ├── PageUnreachableError   no answer: no network, unknown host, refused, timed out
    │       ├── PageStatusError        the server answered with a 4xx or 5xx status
    │       ├── NotHTMLError           what the URL serves is not a web page
    │       └── PageTooLargeError      the page is larger than the fetch limit
    ├── ProviderError          the LLM endpoint refused or failed the request
    │   ├── OutputTruncatedError    the reply hit the token limit before it was complete
    │   ├── ModelRefusedError       the model declined to answer
    │   └── RetriesExhaustedError   still failing after every allowed attempt
    └── VerificationError      strict mode: a proposed claim could not be verified

Callers who only want "did it work" catch ``SummarizerError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summarizer.result import Rejection, Usage


class SummarizerError(Exception):
    """Base class of every error raised by summarizer."""


class ConfigError(SummarizerError):
    """No usable backend or an impossible setting; the message says what to set or install."""


class BackendStartError(ConfigError):
    """The embedded llama.cpp server failed to start; ``output`` holds what it printed."""

    def __init__(self, message: str, *, output: str = "") -> None:
        super().__init__(f"{message}\n--- server output ---\n{output}" if output else message)
        self.output = output


class PromptError(SummarizerError):
    """A prompt template could not be found or rendered."""


class InputError(SummarizerError, ValueError):
    """The article is empty, not text, or too large; the message says what to do."""


class FetchError(InputError):
    """The page at ``url`` could not be fetched; ``status_code`` is the HTTP status, if one
    came back."""

    def __init__(self, message: str, *, url: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status_code = status_code


class PageUnreachableError(FetchError):
    """No answer came from the page's server: no network, an unknown host, a refused
    connection, or no reply within the timeout."""


class PageStatusError(FetchError):
    """The page's server answered with an error status (4xx or 5xx)."""


class NotHTMLError(FetchError):
    """The URL serves something other than a web page; ``content_type`` says what."""

    def __init__(self, message: str, *, url: str, status_code: int, content_type: str) -> None:
        super().__init__(message, url=url, status_code=status_code)
        self.content_type = content_type


class PageTooLargeError(FetchError):
    """The page is larger than ``fetch_max_bytes``."""


class ProviderError(SummarizerError):
    """The LLM endpoint answered with an error that retrying will not fix."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class _SpentError(ProviderError):
    """A provider error after replies arrived: ``usage`` counts what they cost, ``completions``
    how many there were, and ``last_response`` is the last one."""

    def __init__(
        self, message: str, *, usage: Usage, last_response: Any = None, completions: int = 1
    ) -> None:
        super().__init__(message)
        self.usage = usage
        self.last_response = last_response
        self.completions = completions


class OutputTruncatedError(_SpentError):
    """The model's reply was cut off by ``max_tokens``."""


class ModelRefusedError(_SpentError):
    """The model refused to answer (a refusal or a content filter)."""


class RetriesExhaustedError(ProviderError):
    """The call still failed after every allowed attempt.

    ``attempts`` says what happened on each attempt, ``usage`` counts the tokens spent on all of
    them, ``completions`` how many replies arrived, and ``last_response`` is the last raw reply
    (or None when no reply arrived).
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: list[str],
        usage: Usage,
        last_response: Any = None,
        status_code: int | None = None,
        completions: int = 0,
    ) -> None:
        detail = "\n".join(f"  attempt {i}: {a}" for i, a in enumerate(attempts, 1))
        super().__init__(f"{message}\n{detail}" if detail else message, status_code=status_code)
        self.attempts = attempts
        self.usage = usage
        self.last_response = last_response
        self.completions = completions


class VerificationError(SummarizerError):
    """Raised in strict mode when any proposed item failed verification."""

    def __init__(self, rejected: list[Rejection]) -> None:
        reasons = "; ".join(f"{r.kind} {r.id or ''}: {r.reason}".strip() for r in rejected[:5])
        more = f" (and {len(rejected) - 5} more)" if len(rejected) > 5 else ""
        super().__init__(f"{len(rejected)} proposed item(s) failed verification: {reasons}{more}")
        self.rejected = rejected
