"""The ``summarizer`` command and what it shows on standard error while it works."""

from summarizer.cli.commands import main

__all__ = ["main"]
