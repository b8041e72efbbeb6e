"""The HTML report in a real browser: headless Chromium shows the evidence and runs nothing.

Needs the Debian package ``chromium`` (``apt-get install -y chromium``); the tests fail, not
skip, without it. To refresh the README's screenshot::

    SUMMARIZER_WRITE_DOCS=1 python -m pytest tests/render/test_html_browser.py
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import ROOT
from test_html import (
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    HOSTILE_STYLE,
    HOSTILE_SVG,
    highlighted,
    hostile_result,
    parse,
    seed_result,
)

from summarizer.render.html import to_html_fragment, to_html_page

CHROMIUM = os.environ.get("SUMMARIZER_CHROMIUM", "/usr/bin/chromium")
DOCS_SCREENSHOT = ROOT / "docs" / "seed-report.png"
WINDOW = (1200, 1600)
# Offline and quiet: no sandbox (root in CI), no GPU, nothing fetched in the background.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    """The browser's path; fails with what to install when it is missing."""
    found = shutil.which(CHROMIUM)
    if not found:
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the Debian package with "
            "`apt-get update && apt-get install -y chromium` (CI's .ci/run must do the same), "
            "or point SUMMARIZER_CHROMIUM at a Chromium binary."
        )
    return found


def launch(page: Path, args: Sequence[str], profile: Path) -> subprocess.Popen[str]:
    """Start headless Chromium on ``page`` with a fresh profile."""
    profile.mkdir(parents=True)
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> str:
    """Wait for a Chromium run; return its stdout or fail with its stderr."""
    try:
        out, err = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"Chromium timed out: {err[-2000:]}")
    assert process.returncode == 0, f"Chromium exited {process.returncode}: {err[-2000:]}"
    return out


def dump_dom(page: Path, tmp: Path) -> subprocess.Popen[str]:
    return launch(page, ["--dump-dom"], tmp / f"profile-dom-{page.stem}")


def screenshot(page: Path, png: Path, tmp: Path) -> subprocess.Popen[str]:
    size = f"--window-size={WINDOW[0]},{WINDOW[1]}"
    return launch(page, [f"--screenshot={png}", size], tmp / f"profile-png-{page.stem}")


def png_pixels(png: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced RGB or RGBA PNG."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, "unexpected PNG format"
    channels = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b, c = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        previous = line
        rows.append(bytes(v for i, v in enumerate(line) if i % channels < 3))
    return width, height, rows


def color_counts(rows: list[bytes], colors: Sequence[str]) -> dict[str, int]:
    """How many pixels have exactly each ``#rrggbb`` color."""
    wanted = {bytes.fromhex(c[1:]): c for c in colors}
    counts = dict.fromkeys(colors, 0)
    for row in rows:
        for i in range(0, len(row), 3):
            hit = wanted.get(row[i : i + 3])
            if hit:
                counts[hit] += 1
    return counts


def write_docs_screenshot(png: Path) -> None:
    """Copy a seed screenshot to docs/seed-report.png when SUMMARIZER_WRITE_DOCS is set."""
    if os.environ.get("SUMMARIZER_WRITE_DOCS"):
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(png, DOCS_SCREENSHOT)


def test_seed_report_highlights_the_evidence_in_chromium(tmp_path: Path) -> None:
    result = seed_result()
    page = tmp_path / "seed.html"
    page.write_text(to_html_page([result], title="Seed article"), encoding="utf-8")
    png = tmp_path / "seed.png"
    runs = [dump_dom(page, tmp_path), screenshot(page, png, tmp_path)]
    dom, _ = (finish(run) for run in runs)

    assert highlighted(dom) == {c.id: c.evidence.quote for c in result.claims}
    text = "".join(parse(dom).text)
    assert all(c.text in text for c in result.claims)
    assert all(r.reason in text for r in result.rejected)

    width, height, rows = png_pixels(png)
    assert (width, height) == WINDOW
    # Most sources' highlight colors are painted, the unattributed claim's grey too, and the
    # page is still mostly white.
    palette = {"#ffe38f", "#a9d4ff", "#bdeeb4", "#ffc4d3", "#dccbff", "#ffd2ad", "#a9eee4"}
    counts = color_counts(rows, [*sorted(palette), "#e2e2e2", "#ffffff"])
    painted = [c for c in palette if counts[c] > 200]
    assert len(painted) >= 4, counts
    assert counts["#e2e2e2"] > 200 and counts["#ffffff"] > width * height // 4, counts
    write_docs_screenshot(png)


def test_hostile_article_runs_nothing_in_chromium(tmp_path: Path) -> None:
    result = hostile_result()
    # The fragment alone, as a notebook shows it: no Content-Security-Policy to fall back on.
    bare = tmp_path / "fragment.html"
    bare.write_text(
        f"<!DOCTYPE html><html><head><title>report</title></head><body>"
        f"{to_html_fragment(result)}</body></html>",
        encoding="utf-8",
    )
    page = tmp_path / "page.html"
    page.write_text(to_html_page([result], title="report"), encoding="utf-8")
    # A control with the same payloads unescaped, to prove this browser would have run them.
    control = tmp_path / "control.html"
    control.write_text(
        f"<!DOCTYPE html><html><head><title>report</title></head><body>"
        f"{HOSTILE_SCRIPT}{HOSTILE_IMG}</body></html>",
        encoding="utf-8",
    )
    runs = [dump_dom(p, tmp_path) for p in (bare, page, control)]
    bare_dom, page_dom, control_dom = (finish(run) for run in runs)

    control_doc = parse(control_dom)
    assert control_doc.title == "pwned"
    assert any("data-pwned" in attrs for tag, attrs in control_doc.tags if tag == "body")

    for dom in (bare_dom, page_dom):
        doc = parse(dom)
        assert doc.title == "report"
        assert not any("data-pwned" in attrs for _, attrs in doc.tags)
        tags = {tag for tag, _ in doc.tags}
        assert not tags & {"script", "img", "svg", "iframe", "object"}, tags
        assert sum(tag == "style" for tag, _ in doc.tags) == 1
        assert not any(name.startswith("on") for _, attrs in doc.tags for name in attrs)
        text = "".join(doc.text)
        for hostile in (HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_STYLE, HOSTILE_SVG):
            assert hostile in text
        marks = highlighted(dom)
        for claim in result.claims:
            assert marks[claim.id] == claim.evidence.quote
