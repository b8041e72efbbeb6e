"""Token estimates without a tokenizer, both on the safe side: one from the text alone, for
planning before any call, and one calibrated on a call's real prompt, for re-asks."""

from __future__ import annotations

from collections.abc import Callable

TokenCounter = Callable[[str], int]

# What a chat template adds around a request's messages and tools, whatever their length: the
# first call's much longer prompt hides it in the characters-per-token calibration, but in a
# short re-ask it weighs. Measured on the embedded backend (Qwen2.5's template with a tool):
# a re-ask of 1,489 characters, estimated at 415 tokens, was 515.
TEMPLATE_TOKENS = 100
# And a margin for the error of the calibration itself.
_MARGIN = 1.05


def estimate_tokens(text: str) -> int:
    """A token count on the safe side without a tokenizer: one token per three bytes of UTF-8.

    English prose runs about four characters per token and CJK text about one token per
    character (three bytes), so the estimate is high for both.
    """
    return -(-len(text.encode("utf-8")) // 3)


def calibrated_tokens(chars: int, chars_per_token: float) -> int:
    """Tokens of ``chars`` characters at ``chars_per_token``, measured on an earlier call's
    real prompt (see summarizer.pipeline.claims), with a margin for the calibration's error."""
    return int(_MARGIN * chars / chars_per_token) + 1
