"""Configuration, resolved in one place: explicit argument, then environment, then default."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    """Every knob of the library. Build one with :meth:`Settings.resolve`.

    The API key is kept out of ``repr`` so that settings can be logged safely.
    """

    # Endpoint. None means "decide from the environment" (see summarizer.llm.backends).
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    openai_model: str = DEFAULT_OPENAI_MODEL

    # Generation.
    temperature: float = 0.0
    max_tokens: int = 2048
    # The model's context in tokens; 0 means the backend's: the embedded server's local_n_ctx,
    # 128,000 for OpenAI, and a conservative 8,192 for other OpenAI-compatible servers.
    context_tokens: int = 0
    timeout_s: float = 300.0

    # Transport retries (tenacity) and validation re-asks (instructor), kept apart.
    max_attempts: int = 4
    retry_deadline_s: float = 600.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 20.0
    max_validation_retries: int = 1

    # What the model is asked for: at most this many claims per article (or part); more are
    # rejected, the first ones kept.
    max_claims: int = 12

    # Grounding and verification.
    fuzzy_threshold: float = 90.0
    min_quote_chars: int = 12
    min_support: float = 0.3
    # A claim whose cited sentences do not back it rests on the sentences that do, where the
    # article has them (evidence match "found"), before any re-ask.
    find_evidence: bool = True
    # One more request per article (or per twelve claims) asking the model whether each kept
    # claim's evidence states it (summarizer.pipeline.judge): "on", "off", or "auto" (on for
    # OpenAI itself, off for the embedded backend and other servers; see the README). Also
    # given as true or false.
    judge: str = "auto"

    # Targeted re-asks for claims that fail verification.
    max_reask_rounds: int = 2
    reask_budget_ratio: float = 0.3
    reask_passages: int = 2

    # Articles longer than the context are split into parts that overlap by this much, and
    # read this many parts at a time (the embedded backend reads one at a time).
    chunk_overlap_tokens: int = 200
    concurrency: int = 4

    # Input limits.
    max_input_chars: int = 2_000_000
    max_html_chars: int = 5_000_000

    # Fetching an article's page from its URL (Article(url=...) with no text).
    fetch_timeout_s: float = 30.0
    fetch_max_bytes: int = 10_000_000
    fetch_max_redirects: int = 5

    # Embedded llama.cpp backend.
    local_model_path: str | None = None
    local_n_ctx: int = 8192
    local_startup_timeout_s: float = 180.0

    def __post_init__(self) -> None:
        problems = []
        judge = _JUDGE_MODES.get(str(self.judge).strip().lower())
        if judge is None:
            problems.append("judge must be auto, on or off (or true or false)")
        else:
            object.__setattr__(self, "judge", judge)
        if not 0 <= self.fuzzy_threshold <= 100:
            problems.append("fuzzy_threshold must be between 0 and 100")
        if not 0 <= self.min_support <= 1:
            problems.append("min_support must be between 0 and 1")
        if not 1 <= self.max_claims <= 100:
            problems.append("max_claims must be between 1 and 100")
        if self.max_attempts < 1 or self.concurrency < 1:
            problems.append("max_attempts and concurrency must be at least 1")
        if self.max_reask_rounds < 0 or self.max_validation_retries < 0:
            problems.append("re-ask counts cannot be negative")
        if self.max_input_chars < 1 or self.max_tokens < 1 or self.local_n_ctx < 512:
            problems.append("max_input_chars, max_tokens and local_n_ctx must be positive")
        if self.fetch_timeout_s <= 0 or self.fetch_max_bytes < 1 or self.fetch_max_redirects < 0:
            problems.append(
                "fetch_timeout_s and fetch_max_bytes must be positive, fetch_max_redirects not "
                "negative"
            )
        if self.context_tokens < 0 or self.chunk_overlap_tokens < 0:
            problems.append("context_tokens and chunk_overlap_tokens cannot be negative")
        if problems:
            raise ConfigError("Invalid settings: " + "; ".join(problems))

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from explicit overrides, then environment variables, then defaults.

        Environment: ``SUMMARIZER_MODEL``, ``SUMMARIZER_BASE_URL`` (or ``OPENAI_BASE_URL``),
        ``SUMMARIZER_API_KEY`` (or ``OPENAI_API_KEY``), ``SUMMARIZER_LOCAL_MODEL`` (a GGUF path),
        and ``SUMMARIZER_<FIELD>`` for any other field.

        Raises:
            ConfigError: an unknown override, or a value that does not parse.
        """
        env = os.environ if env is None else env
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = set(overrides) - set(known)
        if unknown:
            raise ConfigError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
        aliases = {
            "base_url": ("SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"),
            "api_key": ("SUMMARIZER_API_KEY", "OPENAI_API_KEY"),
            "local_model_path": ("SUMMARIZER_LOCAL_MODEL",),
        }
        values: dict[str, Any] = {}
        for name, f in known.items():
            if overrides.get(name) is not None:
                values[name] = overrides[name]
                continue
            for var in aliases.get(name, (f"SUMMARIZER_{name.upper()}",)):
                raw = env.get(var)
                if raw:
                    values[name] = _parse(name, var, raw, f.default)
                    break
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True,
             "0": False, "false": False, "no": False, "off": False}  # fmt: skip


# How the judge setting may be written, and what each means.
_JUDGE_MODES = {"auto": "auto", "on": "on", "off": "off"} | {
    word: "on" if value else "off" for word, value in _BOOLEANS.items()
}


def _parse(name: str, var: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.strip().lower() not in _BOOLEANS:
            raise ConfigError(f"{var}={raw!r} is not true or false (1/0, yes/no) for {name}")
        return _BOOLEANS[raw.strip().lower()]
    if not isinstance(default, (int, float)):
        return raw
    try:
        return type(default)(raw)
    except ValueError as e:
        raise ConfigError(
            f"{var}={raw!r} is not a valid {type(default).__name__} for {name}"
        ) from e
