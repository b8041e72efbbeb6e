"""The built wheel carries the prompt templates: install it into a fresh virtual environment
and render the prompts from there, away from the source tree."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from summarizer.prompts import prompt_version

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import summarizer, sys
from summarizer.prompts import prompts_dir, prompt_version, render
assert sys.prefix in summarizer.__file__, summarizer.__file__
assert str(prompts_dir()).startswith(sys.prefix), prompts_dir()
render("extract_user", article="x", title_line="", max_claims=1, claim_fields="")
render("combine_user", title_line="", claims="c1 (a): b")
render("reask_item", id="c1", text="t", reason="r", passages="p")
print(prompt_version())
"""


@pytest.mark.slow
def test_wheel_ships_prompts(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("summarizer-*.whl")
    env_dir = tmp_path / "venv"
    # Dependencies come from this interpreter; the package itself only from the wheel.
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    run = subprocess.run(
        [python, "-c", CHECK], cwd=tmp_path, check=True, capture_output=True, text=True
    )
    assert run.stdout.strip() == prompt_version()
