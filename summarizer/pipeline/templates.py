"""Load prompt templates from ``prompts/`` and render them so that a missing variable fails.

Templates use ``string.Template`` syntax (``$name``). In an installed wheel they sit inside the
package (``summarizer/prompts``); in a source checkout, at the top of the repository.
"""

from __future__ import annotations

import hashlib
import string
from functools import cache, lru_cache
from pathlib import Path

from summarizer.errors import PromptError

_PACKAGE = Path(__file__).resolve().parent.parent
# In a wheel the templates ship inside the package; in a checkout they sit beside it.
_CANDIDATES = (_PACKAGE / "prompts", _PACKAGE.parent / "prompts")


@lru_cache(maxsize=1)
def prompts_dir() -> Path:
    """The folder the templates are read from."""
    for candidate in _CANDIDATES:
        if (candidate / "system.txt").is_file():
            return candidate
    raise PromptError(
        "Prompt templates not found (looked in "
        + ", ".join(str(c) for c in _CANDIDATES)
        + "); reinstall summarizer."
    )


@cache
def _load(name: str) -> string.Template:
    path = prompts_dir() / f"{name}.txt"
    try:
        return string.Template(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise PromptError(f"Prompt template {name!r} not found at {path}") from e


def render(name: str, **values: object) -> str:
    """Render template ``name`` with ``values``.

    Raises:
        PromptError: the template does not exist, or uses a variable not given here.
    """
    template = _load(name)
    try:
        return template.substitute({k: str(v) for k, v in values.items()})
    except KeyError as e:
        raise PromptError(f"Prompt {name!r} needs variable {e.args[0]!r}") from e
    except ValueError as e:
        raise PromptError(f"Prompt {name!r} is malformed: {e}") from e


@lru_cache(maxsize=1)
def prompt_version() -> str:
    """A short hash of every template, recorded in each result's meta."""
    digest = hashlib.sha256()
    for path in sorted(prompts_dir().glob("*.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()[:12]
