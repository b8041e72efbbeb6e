"""The built wheel carries the prompt templates: install it into a folder of its own and render
the prompts from there, away from the source tree.

The wheel goes in with ``pip install --target`` and is run with that folder first on the path,
so the check works the same under a virtual environment, a conda environment or a bare
interpreter: its dependencies are this interpreter's, whatever that is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.pipeline.templates import prompt_version

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import sys
from pathlib import Path
installed = Path(sys.argv[1]).resolve()
import summarizer
from summarizer.pipeline.templates import prompts_dir, prompt_version, render
assert Path(summarizer.__file__).resolve().is_relative_to(installed), summarizer.__file__
assert Path(prompts_dir()).resolve() == installed / "summarizer" / "prompts", prompts_dir()
render("extract_user", article="x", title_line="", max_claims=1, claim_fields="")
render("combine_user", title_line="", claims="c1 (a): b")
render("system")
render("reask_item", id="c1", text="t", reason="r", sentences="[S1] p")
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
    # The package only from the wheel; its dependencies stay this interpreter's own.
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q"]
        + ["--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    path = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))
    env = os.environ | {"PYTHONPATH": path}
    run = subprocess.run(
        [sys.executable, "-c", CHECK, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == prompt_version()
