"""Fetch an article's web page from its URL with httpx, within a time, size and redirect limit.

Only http and https are fetched. Every way a fetch can fail maps to one error of the
``FetchError`` family (see summarizer.errors), raised from the httpx exception behind it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx

from summarizer.errors import (
    FetchError,
    InputError,
    NotHTMLError,
    PageStatusError,
    PageTooLargeError,
    PageUnreachableError,
)
from summarizer.redaction import redact
from summarizer.result import Fetched
from summarizer.status import status
from summarizer.text.webpage import looks_like_html

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADERS = {
    "User-Agent": "summarizer",
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
}


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: its HTML as text, and how it was fetched."""

    html: str
    fetched: Fetched


def check_url(url: str) -> None:
    """Refuse anything but an absolute http or https URL.

    Raises:
        InputError: another scheme, or no host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(
            f"Cannot fetch {redact(url)!r}: only absolute http:// and https:// URLs are fetched."
        )


def fetch_page(url: str, *, timeout_s: float, max_bytes: int, max_redirects: int) -> FetchedPage:
    """Fetch the web page at ``url``, following at most ``max_redirects`` redirects.

    ``timeout_s`` bounds the whole fetch, not only each network wait.

    Returns:
        The page's HTML (decoded with the charset the server or the page declares, else
        UTF-8) and a :class:`~summarizer.result.Fetched` record with the final URL.

    Raises:
        InputError: the URL is not http or https.
        PageUnreachableError: no network, an unknown host, a refused connection, a timeout.
        PageStatusError: the final response has a 4xx or 5xx status.
        NotHTMLError: the response is not HTML.
        PageTooLargeError: the body is larger than ``max_bytes``.
        FetchError: too many redirects, or a reply that is not valid HTTP.
    """
    check_url(url)
    shown = redact(url)
    status(f"fetching {shown}")
    fetched_at = datetime.now(timezone.utc)
    started = time.perf_counter()
    with (
        _mapped(shown, timeout_s),
        httpx.Client(
            follow_redirects=True,
            max_redirects=max_redirects,
            timeout=timeout_s,
            headers=_HEADERS,
        ) as client,
        client.stream("GET", url.strip()) as response,
    ):
        mime = _checked_head(response, shown)
        body = _read_body(response, shown, max_bytes, started + timeout_s, timeout_s)
        if not mime and not looks_like_html(body[:20_000].decode("utf-8", "replace")):
            raise NotHTMLError(
                f"{shown} sent no content type and its body does not look like HTML.",
                url=str(response.url),
                status_code=response.status_code,
                content_type="",
            )
        record = Fetched(
            url=redact(str(response.url)),
            requested_url=shown,
            status=response.status_code,
            content_type=mime or "text/html",
            bytes=len(body),
            fetched_at=fetched_at,
            seconds=round(time.perf_counter() - started, 3),
        )
        return FetchedPage(_decode(body, response.charset_encoding), record)


def _checked_head(response: httpx.Response, shown: str) -> str:
    """The media type of a response whose status and content type say it is a web page
    (empty when the server names none).

    Raises:
        PageStatusError: a 4xx or 5xx status.
        NotHTMLError: a content type that is not HTML.
    """
    final = str(response.url)
    if not response.is_success:
        answer = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        raise PageStatusError(
            f"{shown} answered {answer}.", url=final, status_code=response.status_code
        )
    content_type: str = response.headers.get("content-type", "")
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in _HTML_TYPES:
        raise NotHTMLError(
            f"{shown} is not a web page but {mime}: download it and pass its text instead.",
            url=final,
            status_code=response.status_code,
            content_type=mime,
        )
    return mime


def _read_body(
    response: httpx.Response, shown: str, max_bytes: int, deadline: float, timeout_s: float
) -> bytes:
    """The body, refused as soon as it is known to be larger than ``max_bytes``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(shown, response, f"{int(declared):,} bytes")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(shown, response, f"more than {max_bytes:,} bytes")
        status(f"fetching {shown}", done=len(body), total=int(declared) if declared else None)
        if time.perf_counter() > deadline:  # a server that sends a trickle never times out
            raise httpx.ReadTimeout(f"the page took longer than {timeout_s:g} s to arrive")
    return bytes(body)


def _too_large(shown: str, response: httpx.Response, size: str) -> PageTooLargeError:
    limit = "fetch_max_bytes / SUMMARIZER_FETCH_MAX_BYTES"
    return PageTooLargeError(
        f"{shown} is {size}, over the limit ({limit}).",
        url=str(response.url),
        status_code=response.status_code,
    )


def _decode(body: bytes, declared: str | None) -> str:
    """The page as text: in the charset the server declared, else the one the page's
    ``<meta>`` declares, else UTF-8; undecodable bytes are replaced."""
    candidates = [declared] if declared else []
    found = _META_CHARSET.search(body[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii"))
    for encoding in [*candidates, "utf-8"]:
        try:
            return body.decode(encoding, errors="replace")
        except LookupError:
            continue
    return body.decode("utf-8", errors="replace")


@contextmanager
def _mapped(shown: str, timeout_s: float) -> Iterator[None]:
    """httpx's exceptions as the library's."""
    try:
        yield
    except httpx.TooManyRedirects as e:
        raise FetchError(
            f"{shown} redirected too many times (fetch_max_redirects / "
            "SUMMARIZER_FETCH_MAX_REDIRECTS).",
            url=shown,
        ) from e
    except httpx.TimeoutException as e:
        raise PageUnreachableError(
            f"{shown} did not answer within {timeout_s:g} s (fetch_timeout_s / "
            "SUMMARIZER_FETCH_TIMEOUT_S).",
            url=shown,
        ) from e
    except httpx.UnsupportedProtocol as e:
        raise FetchError(f"{shown} redirected to an address that is not http(s).", url=shown) from e
    except (httpx.ConnectError, httpx.NetworkError) as e:
        raise PageUnreachableError(
            f"Cannot reach {shown}: {redact(str(e)) or type(e).__name__}. Check the address and "
            "the network.",
            url=shown,
        ) from e
    except (httpx.RemoteProtocolError, httpx.DecodingError) as e:
        raise FetchError(f"{shown} sent a reply that is not valid HTTP: {e}", url=shown) from e
    except httpx.InvalidURL as e:
        raise InputError(f"Cannot fetch {shown!r}: {e}") from e
