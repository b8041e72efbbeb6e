"""The command line: clear messages and exit codes, never a traceback, never half a file."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pages import STORY_SENTENCE, PageServer
from scripted import ScriptedServer, claim, models_reply, one_claim, tool_reply

from summarizer.cli.commands import EXIT_USAGE, main
from summarizer.llm import backends


@pytest.fixture
def no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_BASE_URL", "SUMMARIZER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(backends, "local_model", lambda configured: None)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run([str(tmp_path / "nope.txt")], capsys)
    assert status == EXIT_USAGE and not out
    assert err.startswith("summarizer: error: Cannot read") and "Traceback" not in err


def test_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Déjà vu in Zürich.".encode("latin-1"))
    status, _, err = run([str(path)], capsys)
    assert status == EXIT_USAGE and "not UTF-8" in err


@pytest.mark.parametrize("content", ["", "   \n\t  "])
def test_empty_article(tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.txt"
    path.write_text(content)
    status, _, err = run([str(path)], capsys)
    assert status == EXIT_USAGE and "empty" in err


def test_empty_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    status, _, err = run(["-"], capsys)
    assert status == EXIT_USAGE and "empty" in err


@pytest.mark.usefixtures("no_backend")
def test_no_backend_says_what_to_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.txt"
    path.write_text("The mayor said the bridge will reopen on Monday.")
    out_file = tmp_path / "out.json"
    status, _, err = run([str(path), "-o", str(out_file)], capsys)
    assert status == EXIT_USAGE
    assert "OPENAI_API_KEY" in err and "summarizer[local]" in err
    assert not out_file.exists(), "nothing is written when the run fails"
    assert not list(tmp_path.glob(".out.json*")), "no temporary file is left behind"


def test_module_entry_point_help() -> None:
    run_ = subprocess.run(
        [sys.executable, "-m", "summarizer", "--help"], capture_output=True, text=True
    )
    assert run_.returncode == 0
    for flag in ("--format", "--model", "--base-url"):
        assert flag in run_.stdout


def _scripted_env(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUMMARIZER_BASE_URL", base_url)
    monkeypatch.setenv("SUMMARIZER_MODEL", "scripted")


def _reply() -> Any:
    quote = "The mayor said the bridge will reopen on Monday after repairs."
    return tool_reply(
        "Extraction",
        {
            "claims": [claim(quote)],
            "headline": "",
            "summary": [{"text": "The bridge will reopen on Monday.", "claim_ids": ["c1"]}],
            "key_points": [],
        },
    )  # fmt: skip


def test_html_report_for_several_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for name in ("a.txt", "b.txt"):
        path = tmp_path / name
        path.write_text("The mayor said the bridge will reopen on Monday after repairs.\n")
        paths.append(str(path))
    out = tmp_path / "report.html"
    with ScriptedServer([_reply(), _reply()]) as server:
        _scripted_env(monkeypatch, server.base_url)
        status = main([*paths, "--format", "html", "-o", str(out)])
    assert status == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<section") == 2
    assert "<nav" in page and "bridge will reopen" in page


def test_rich_and_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("The mayor said the bridge will reopen on Monday after repairs.\n")
    with ScriptedServer([_reply(), _reply(), _reply()]) as server:
        _scripted_env(monkeypatch, server.base_url)
        assert main([str(path), "--format", "rich"]) == 0
        rich_out = capsys.readouterr().out
        assert main([str(path), str(path), "--format", "json"]) == 0
        lines = capsys.readouterr().out.splitlines()
    assert "Claims by source" in rich_out and "bridge will reopen" in rich_out
    assert len(lines) == 2 and all(json.loads(line)["claims"] for line in lines)


def test_base_url_without_model_uses_the_servers_only_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("The mayor said the bridge will reopen on Monday after repairs.\n")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_API_KEY", "SUMMARIZER_MODEL"):
        monkeypatch.delenv(var, raising=False)
    with ScriptedServer([models_reply("only-one"), _reply()]) as server:
        status, out, err = run(
            [str(path), "--base-url", server.base_url, "--format", "json"], capsys
        )
    assert status == 0, err
    meta = json.loads(out)["meta"]
    assert (meta["model"], meta["model_source"]) == ("only-one", "server")
    with ScriptedServer([models_reply("a-model", "b-model")]) as server:
        status, out, err = run([str(path), "--base-url", server.base_url], capsys)
    assert status == EXIT_USAGE and not out
    assert "a-model, b-model" in err and "--model" in err and "Traceback" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert re.fullmatch(r"summarizer \d+\.\d+\S*\n", capsys.readouterr().out)


COMMANDS = ["batch", "batch prepare", "batch collect", "batch execute", "eval"]


def test_help_names_every_command() -> None:
    run_ = subprocess.run(
        [sys.executable, "-m", "summarizer", "--help"], capture_output=True, text=True
    )
    assert run_.returncode == 0
    listed = re.findall(r"^  summarizer ((?:batch|eval)(?: \w+)?) ", run_.stdout, re.M)
    assert listed == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_its_own_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command.split(), "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith(f"usage: summarizer {command} ") and "--verbose" in out


def test_url_is_fetched_and_summarized(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = tool_reply("Extraction", one_claim(STORY_SENTENCE, summary="The terminal opens."))
    with PageServer() as pages, ScriptedServer([reply]) as server:
        _scripted_env(monkeypatch, server.base_url)
        status = main([pages.url("/moved"), "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    result = json.loads(out)
    assert result["meta"]["fetched"]["url"] == pages.url("/story.html")
    assert result["meta"]["fetched"]["status"] == 200
    assert [c["evidence"]["quote"] for c in result["claims"]] == [STORY_SENTENCE]


def test_url_errors_are_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with PageServer() as pages, ScriptedServer([]) as server:
        _scripted_env(monkeypatch, server.base_url)
        missing = main([pages.url("/missing")])
        missing_err = capsys.readouterr().err
        other = main(["ftp://127.0.0.1/story.html"])
        other_err = capsys.readouterr().err
    assert missing == EXIT_USAGE and "HTTP 404" in missing_err and "Traceback" not in missing_err
    assert other == EXIT_USAGE and "only http:// and https://" in other_err
