"""Recorded cassettes never hold secrets: no auth headers, keys, cookies or organization ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

CASSETTES = sorted((Path(__file__).resolve().parent.parent / "cassettes").glob("*.yaml"))

KEY_LIKE = [
    re.compile(r"sk-[A-Za-z0-9_-]{16,}"),
    re.compile(r"[Bb]earer\s+[A-Za-z0-9._-]{8,}"),
    re.compile(r"api[-_]?key['\"]?\s*[:=]\s*['\"]?[A-Za-z0-9_-]{8,}", re.IGNORECASE),
]
FORBIDDEN_HEADERS = {
    "authorization",
    "api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
}


def test_there_are_cassettes_to_scan() -> None:
    assert len(CASSETTES) >= 4


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.name)
def test_no_secret_in_cassette(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in KEY_LIKE:
        assert not pattern.search(text), f"{path.name} matches {pattern.pattern}"
    for interaction in yaml.safe_load(text)["interactions"]:
        for part in ("request", "response"):
            headers = {h.lower() for h in interaction[part].get("headers", {})}
            assert not headers & FORBIDDEN_HEADERS, f"{path.name} {part}: {headers}"


def test_the_scanner_catches_a_planted_key(tmp_path: Path) -> None:
    planted = "headers:\n  authorization: Bearer sk-proj-abcdefghijklmnopqrstuvwx\n"
    assert any(p.search(planted) for p in KEY_LIKE)
