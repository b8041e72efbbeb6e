"""Reading and writing the files the command line and batches use, with errors a person can
act on and writes that happen whole or not at all."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from summarizer.errors import InputError


@contextmanager
def atomic_write(path: str | Path) -> Iterator[IO[str]]:
    """A UTF-8 text file that appears at ``path`` only when the block completes: written to a
    temporary file beside it, flushed to disk, then renamed over ``path``."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as e:
        raise InputError(f"Cannot write {path}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def open_input(path: str | Path, *, binary: bool = False) -> Iterator[Any]:
    """An input file, as UTF-8 text (a byte-order mark is skipped) or bytes.

    Raises:
        InputError: it cannot be opened, or it is not UTF-8.
    """
    path = Path(path)
    try:
        f = path.open("rb") if binary else path.open(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"Cannot read {path}: {e.strerror or e}") from e
    try:
        with f:
            yield f
    except UnicodeDecodeError as e:
        raise InputError(f"{path} is not UTF-8 text (byte {e.start}).") from e


def json_record(line: str | bytes, where: str) -> dict[str, Any]:
    """A JSON-lines record, which must be a JSON object.

    Raises:
        InputError: the line is not JSON, or not an object; ``where`` says which line of what,
            for the message.
    """
    try:
        record = json.loads(line.rstrip())  # a column past the end reads as the next line
    except ValueError as e:
        detail = f"{e.msg} at column {e.colno}" if isinstance(e, json.JSONDecodeError) else e
        raise InputError(f"{where} is not JSON ({detail}).") from None
    if not isinstance(record, dict):
        raise InputError(f"{where} is {json_kind(record)}, not a JSON object.")
    return record


def json_kind(value: object) -> str:
    """What a decoded JSON value is, in words: "a list", "text", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def keyed_line(line: str | bytes, key: str, where: str) -> tuple[dict[str, Any], str]:
    """A JSON-lines record and its ``key`` as text.

    Raises:
        InputError: the line is not a JSON object with that key; ``where`` says which line of
            what, for the message.
    """
    try:
        entry = json.loads(line)
        return entry, str(entry[key])
    except (ValueError, KeyError, TypeError) as e:
        raise InputError(f"{where} is not a record with {key!r}") from e


@contextmanager
def exclusive(path: str | Path) -> Iterator[None]:
    """Hold ``PATH.lock`` (beside ``path``) for the block, so that two runs never write the same
    file at once; the lock file is removed when the block ends.

    Raises:
        InputError: another process holds it.
    """
    lock = Path(path).with_name(Path(path).name + ".lock")
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise InputError(f"Cannot create {lock}: {e.strerror or e}") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise InputError(
                f"Another run is writing {path} (it holds {lock}); wait for it to finish."
            ) from None
        # The holder before us may have removed the file after we opened it: lock the one
        # that is at the path now.
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        Path(lock).unlink(missing_ok=True)
        os.close(fd)
