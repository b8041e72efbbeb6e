"""What the command line shows on standard error while it works.

One handler on the root logger decides what reaches the screen, so the person at the terminal
hears one voice:

- by default, the library's warnings and, on a terminal, a live line with the latest status
  (see summarizer.status), with a byte bar for steps that report their progress;
- ``-v`` (verbosity 1): every record of the library, and the warnings and notes of instructor,
  openai and the other libraries underneath;
- ``-vv`` (verbosity 2): also their debug records and the HTTP ones (httpx, httpcore);
- ``--quiet`` (verbosity -1): errors only, and no status line.

Whatever the verbosity, every line goes through the same secret masking as error messages.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from summarizer.redaction import redact
from summarizer.status import LOGGER as STATUS_LOGGER

_LIBRARY = "summarizer"
_HTTP = frozenset({"httpx", "httpcore", "httpx2", "httpcore2", "urllib3", "h11"})
# The libraries whose records -v shows at INFO and -vv at DEBUG.
_UNDERNEATH = ("instructor", "openai")


def _thresholds(verbosity: int) -> tuple[int, int, int]:
    """Lowest level shown for the library's records, other libraries' and HTTP ones."""
    never = logging.CRITICAL + 1
    if verbosity < 0:
        return logging.ERROR, never, never
    if verbosity == 0:
        return logging.WARNING, never, never
    if verbosity == 1:
        return logging.DEBUG, logging.INFO, never
    return logging.DEBUG, logging.DEBUG, logging.DEBUG


class _WhenMeasured(ProgressColumn):
    """A column shown only while the step reports how far along it is."""

    def __init__(self, column: ProgressColumn) -> None:
        super().__init__()
        self.column = column

    def render(self, task: Task) -> RenderableType:
        return self.column.render(task) if task.total is not None else Text("")


class ScreenHandler(logging.Handler):
    """Shows the records a verbosity asks for on standard error, masked, and status records
    as one live line when ``live`` (a terminal)."""

    def __init__(self, verbosity: int, *, live: bool, console: Console | None = None) -> None:
        super().__init__(logging.DEBUG)
        self.library_min, self.other_min, self.http_min = _thresholds(verbosity)
        self.verbosity = verbosity
        self.console = console or Console(stderr=True, highlight=False)
        self.progress: Progress | None = None
        self._task: TaskID | None = None
        if live:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}", markup=False),
                _WhenMeasured(BarColumn()),
                _WhenMeasured(DownloadColumn()),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                # Standard output carries the result, never the status line's console.
                redirect_stdout=False,
            )

    def wanted(self, record: logging.LogRecord) -> bool:
        """Whether this verbosity shows the record."""
        top = record.name.split(".")[0]
        if top == _LIBRARY:
            if record.name == STATUS_LOGGER:
                return self.progress is not None or self.verbosity >= 1
            return record.levelno >= self.library_min
        if top in _HTTP:
            return record.levelno >= self.http_min
        return record.levelno >= self.other_min

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if not self.wanted(record):
                return
            if record.name == STATUS_LOGGER and self.progress is not None:
                self._show_status(record)
                return
            line = redact(self._line(record))
            if self.progress is not None:
                self.progress.console.print(Text(line))  # above the live line
            else:
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
        except Exception:
            self.handleError(record)

    def _line(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and self.verbosity >= 1:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.name.split(".")[0] == _LIBRARY and self.verbosity < 1:
            return f"summarizer: {record.levelname.lower()}: {message}"
        return f"{record.levelname.lower()}: {record.name}: {message}"

    def _show_status(self, record: logging.LogRecord) -> None:
        progress = self.progress
        if progress is None:
            return
        done = getattr(record, "status_done", None)
        total = getattr(record, "status_total", None)
        description = redact(record.getMessage())
        if self._task is None:
            self._task = progress.add_task(description, total=total, completed=done or 0)
        elif progress.tasks[0].description == description:  # the same step, further along
            progress.update(self._task, total=total, completed=done or 0)
            return
        else:
            progress.reset(self._task, description=description, total=total, completed=done or 0)
        progress.refresh()  # each step is drawn at least once, however quick it is

    def start(self) -> None:
        """Show the live line (when there is one)."""
        if self.progress is not None:
            self.progress.start()

    def stop(self) -> None:
        """Clear the live line."""
        if self.progress is not None:
            self.progress.stop()


_LEVELED = (_LIBRARY, *_UNDERNEATH, *_HTTP)


@contextmanager
def screen(verbosity: int = 0, *, live: bool | None = None) -> Iterator[ScreenHandler]:
    """Route log records to standard error for the duration of a command.

    ``live`` (default: standard error is a terminal and ``verbosity`` is not quiet) shows the
    status line. Logger levels and handlers are restored on exit, so that a Python program
    calling the command's ``main`` keeps its own logging as it was.
    """
    if live is None:
        live = verbosity >= 0 and sys.stderr.isatty()
    handler = ScreenHandler(verbosity, live=live)
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in _LEVELED}
    library_min, other_min, http_min = _thresholds(verbosity)
    logging.getLogger(_LIBRARY).setLevel(min(library_min, logging.INFO))
    for name in _UNDERNEATH:
        logging.getLogger(name).setLevel(min(other_min, logging.WARNING))
    for name in _HTTP:
        logging.getLogger(name).setLevel(min(http_min, logging.WARNING))
    root.addHandler(handler)
    handler.start()
    try:
        yield handler
    finally:
        handler.stop()
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
