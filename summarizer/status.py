"""What the library is doing right now, as log records a caller may show or ignore.

Each step that can take a while (starting the embedded model, fetching a page, each call to
the model, verifying) calls :func:`status`, which logs one INFO record on the
``summarizer.status`` logger. Nothing is printed: the command line shows the latest record as
a live line on a terminal, and a Python caller who wants the same attaches a handler::

    logging.getLogger("summarizer.status").addHandler(my_handler)
    logging.getLogger("summarizer.status").setLevel(logging.INFO)

Records of steps that measure their progress (bytes written, say) carry ``status_done`` and
``status_total`` attributes; both are None otherwise.
"""

from __future__ import annotations

import logging

LOGGER = "summarizer.status"
log = logging.getLogger(LOGGER)


def status(message: str, *, done: int | None = None, total: int | None = None) -> None:
    """Report the step under way: ``message`` (lower case, no final period, such as
    "reading part 2 of 5"), and how far along it is when ``done`` and ``total`` are known."""
    if log.isEnabledFor(logging.INFO):
        log.info(message, extra={"status_done": done, "status_total": total})
