"""The lines of batch files, read and checked: a requests file (the OpenAI Batch API's input),
a batch engine's output file, and the articles file that prepare writes beside the requests.

A line that is not what its file must hold is an InputError that names the file, the line and
what is wrong, found before anything is sent or written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.files import json_kind, json_record, open_input
from summarizer.result import Article

URL = "/v1/chat/completions"


def read_requests(path: Path) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Each request of a requests file: its line number, ``custom_id`` and body (a copy).

    Raises:
        InputError: a line is not a chat-completion request, or an id occurs twice.
    """
    seen: dict[str, int] = {}
    for number, record, where in _records(path):
        custom_id = _custom_id(record, where)
        _once(custom_id, number, seen, where)
        yield number, custom_id, _body(record, where)


def read_entries(path: Path) -> Iterator[tuple[int, dict[str, Any], str]]:
    """Each entry of an articles file: its index (blank lines do not count), the entry and its
    ``custom_id``.

    Raises:
        InputError: a line is not an entry prepare writes, or an id occurs twice.
    """
    seen: dict[str, int] = {}
    for index, (number, entry, where) in enumerate(_records(path)):
        custom_id = _custom_id(entry, where)
        _once(custom_id, number, seen, where)
        _check_entry(entry, where)
        yield index, entry, custom_id


def output_offsets(path: Path, prepared: dict[str, bool], articles: Path) -> dict[str, int]:
    """Where each ``custom_id``'s line starts in a batch engine's output file, so that results
    are read one at a time whatever their order (a batch engine keeps none). ``prepared`` maps
    each id of the articles file to whether a request was prepared for it.

    Raises:
        InputError: a line is not a Batch API output line, its id occurs twice or is not an
            article's, or the file is empty while requests were prepared.
    """
    offsets: dict[str, int] = {}
    seen: dict[str, int] = {}
    with open_input(path, binary=True) as f:
        offset = 0
        for number, raw in enumerate(f, 1):
            if raw.strip():
                where = f"{path} line {number}"
                custom_id = _output_line(json_record(raw, where), where)
                _once(custom_id, number, seen, where)
                if custom_id not in prepared:
                    raise InputError(
                        f"{where}: custom_id {custom_id!r} is not an article of {articles}; "
                        "are the two files from the same batch?"
                    )
                offsets[custom_id] = offset
            offset += len(raw)
    waiting = sum(prepared.values())
    if not offsets and waiting:
        raise InputError(
            f"{path} holds no results; {waiting} request(s) were prepared. Is the batch done?"
        )
    return offsets


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any], str]]:
    """Each non-blank line of a JSON-lines file as an object, with its number and name."""
    with open_input(path) as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                where = f"{path} line {number}"
                yield number, json_record(line, where), where


def _custom_id(record: dict[str, Any], where: str) -> str:
    custom_id = record.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id.strip():
        found = "missing" if custom_id is None else json_kind(custom_id)
        found = "empty" if isinstance(custom_id, str) else found
        raise InputError(f"{where}: 'custom_id' is {found}; it must be the request's id, as text.")
    return custom_id


def _once(custom_id: str, number: int, seen: dict[str, int], where: str) -> None:
    if custom_id in seen:
        raise InputError(f"{where}: custom_id {custom_id!r} is also on line {seen[custom_id]}.")
    seen[custom_id] = number


def _body(record: dict[str, Any], where: str) -> dict[str, Any]:
    """The chat-completion body of a Batch API request line."""
    method, url = record.get("method", "POST"), record.get("url", URL)
    if method != "POST" or url != URL:
        raise InputError(f"{where} asks for {method} {url}; only POST {URL} requests can be sent.")
    body = record.get("body")
    if not isinstance(body, dict):
        found = json_kind(body) if "body" in record else "missing"
        raise InputError(f"{where}: 'body' is {found}; it must be the request, an object.")
    if not isinstance(body.get("model"), str) or not isinstance(body.get("messages"), list):
        raise InputError(f"{where}: the body needs 'model' (text) and 'messages' (a list).")
    if body.get("stream"):
        raise InputError(f"{where}: a streamed request cannot be answered in a batch.")
    return dict(body)


def _check_entry(entry: dict[str, Any], where: str) -> None:
    """An articles-file entry holds an article to verify against, or prepare's error."""
    if "error" in entry:
        error = entry["error"]
        if not (
            isinstance(error, dict)
            and isinstance(error.get("type"), str)
            and isinstance(error.get("message"), str)
        ):
            raise InputError(f"{where}: 'error' must be an object with 'type' and 'message'.")
        return
    try:
        Article.model_validate(entry.get("article"))
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "the article"
        raise InputError(
            f"{where}: 'article' is not an article ({field}: {first['msg']})."
        ) from None


def _output_line(record: dict[str, Any], where: str) -> str:
    """The ``custom_id`` of a Batch API output line, which holds a ``response`` or an ``error``."""
    custom_id = _custom_id(record, where)
    response, error = record.get("response"), record.get("error")
    if response is None and error is None:
        raise InputError(f"{where} has neither a 'response' nor an 'error'.")
    if response is not None and not (
        isinstance(response, dict) and type(response.get("status_code")) is int
    ):
        raise InputError(f"{where}: 'response' must be an object with an integer 'status_code'.")
    return custom_id
