"""Keep API keys out of error messages and log records.

Keys the library is given are remembered (in this process only) and replaced by ``***`` in
every message it builds; anything shaped like a key (``sk-...``, ``Bearer ...``) is masked too,
since an endpoint may echo a key it was sent. Log records of the libraries underneath
(instructor, openai, httpx) pass through the same filter.
"""

from __future__ import annotations

import logging
import re
import threading

_KEY_LIKE = re.compile(
    r"(?P<keep>sk-|[Bb]earer\s+|api[-_]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._\-]{8,}"
)
_LOGGERS = ("instructor", "openai", "httpx", "httpx2", "httpcore", "summarizer")
_known: set[str] = set()
_lock = threading.Lock()


def remember(secret: str | None) -> None:
    """Mask ``secret`` wherever this module redacts from now on."""
    if secret and len(secret) >= 8:
        with _lock:
            _known.add(secret)
        _install_log_filter()


def redact(text: str) -> str:
    """``text`` with remembered secrets and key-shaped strings masked."""
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, "***")
    return _KEY_LIKE.sub(lambda m: m.group("keep") + "***", text)


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = _RedactingFilter()


def _install_log_filter() -> None:
    """Attach the filter to the libraries' loggers, children included (logger filters do not
    apply to records of child loggers, so each existing one gets it)."""
    names = [
        name for name in list(logging.root.manager.loggerDict) if name.split(".")[0] in _LOGGERS
    ]
    for name in {*_LOGGERS, *names}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
