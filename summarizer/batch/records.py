"""The JSON-lines records of a batch: an input record's article and id, the output line of an
article (its result or its error), and what resuming a stopped run needs, the ids already
written and lines appended whole."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.errors import InputError
from summarizer.files import atomic_write, keyed_line, open_input
from summarizer.result import Article, ArticleSummary

# Fields of an input record that become the Article's metadata.
_METADATA = ("title", "author", "url", "outlet", "published")


class BatchFailure(BaseModel):
    """An article of a batch that could not be summarized, and why."""

    id: str
    index: int
    error_type: str
    message: str


Outcome = ArticleSummary | BatchFailure


def counts_of(outcome: Outcome) -> tuple[bool, int]:
    """Whether an article failed, and the tokens its calls took (0 for a failure, whose
    tokens are not recorded)."""
    if isinstance(outcome, BatchFailure):
        return True, 0
    return False, outcome.meta.usage.total_tokens


def article_from_record(record: Mapping[str, Any]) -> Article:
    """The article of a JSON-lines record: its ``text`` (or ``article``) or ``html``, with
    ``title``, ``author``, ``url``, ``outlet`` and ``published`` when present.

    Raises:
        InputError: the record has no text or HTML.
    """
    text = record.get("text", record.get("article"))
    html = record.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        raise InputError(
            "The record has no article: give its text as 'text' (or 'article') or its page "
            "as 'html'."
        )
    fields = {k: record[k] for k in _METADATA if record.get(k) is not None}
    fields["text"] = text if isinstance(text, str) else ""
    fields["html"] = html if isinstance(html, str) else None
    try:
        return Article.model_validate(fields)
    except ValidationError as e:
        raise InputError(f"The record's metadata is not valid: {e}") from e


def record_id(record: object, index: int) -> str:
    """A record's ``id``, or ``line-N`` (from 1) when it has none."""
    if isinstance(record, Mapping) and record.get("id") not in (None, ""):
        return str(record["id"])
    return f"line-{index + 1}"


@dataclass(frozen=True)
class UnreadableLine:
    """A line of the input that is not a JSON record; it fails as an article of its own."""

    reason: str


def read_records(path: Path) -> Iterator[object]:
    """The records of a JSON-lines file, one per non-blank line."""
    with open_input(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as e:
                    yield UnreadableLine(f"{path} line {number} is not JSON: {e}")


def input_ids(path: Path) -> list[str]:
    """The ids of a JSON-lines file's records, in order.

    Raises:
        InputError: an id occurs twice.
    """
    ids = [record_id(record, i) for i, record in enumerate(read_records(path))]
    seen: dict[str, int] = {}
    for index, id_ in enumerate(ids):
        if id_ in seen:
            raise InputError(
                f"{path}: id {id_!r} occurs twice (records {seen[id_] + 1} and {index + 1}); "
                "ids must be unique for results to be matched and resumed."
            )
        seen[id_] = index
    return ids


def finished_ids(path: Path, retry_failed: bool) -> set[str]:
    """Ids that already have a line in ``path``, after dropping a half-written last line and,
    with ``retry_failed``, the error lines."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    kept: list[bytes] = []
    finished: set[str] = set()
    for number, line in enumerate(complete.splitlines(keepends=True), 1):
        entry, id_ = keyed_line(
            line, "id", f"{path} line {number} (is it the output of a summarizer batch run?)"
        )
        if retry_failed and "error" in entry:
            continue
        kept.append(line)
        finished.add(id_)
    if len(complete) < len(data) or len(kept) < len(complete.splitlines()):
        _replace(path, b"".join(kept))
    return finished


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` in place of ``path``'s contents, whole or not at all."""
    with atomic_write(path) as f:
        f.write(data.decode("utf-8"))


@contextmanager
def appender(path: Path) -> Iterator[Callable[[str], None]]:
    """Append whole lines: each goes to the file in one write, so a kill leaves at most one
    half line, which the next run drops."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise InputError(f"Cannot write {path}: {e.strerror or e}") from e

    def append(line: str) -> None:
        data = line.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]

    try:
        yield append
    finally:
        os.close(fd)


def batch_line(id_: str, outcome: Outcome) -> str:
    """One output line: ``{"id", "result"}`` or ``{"id", "error": {"type", "message"}}``."""
    if isinstance(outcome, BatchFailure):
        entry: dict[str, Any] = {
            "id": id_,
            "error": {"type": outcome.error_type, "message": outcome.message},
        }
    else:
        entry = {"id": id_, "result": outcome.model_dump(mode="json")}
    return json.dumps(entry, ensure_ascii=False) + "\n"
