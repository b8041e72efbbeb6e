"""Layers point one way (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# import-linter's command, run by this interpreter from the repository root, so that it checks
# this tree's package whichever environment runs the tests (a `lint-imports` found on PATH may
# belong to another interpreter, and import another copy of the package).
LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def test_import_contracts_are_kept() -> None:
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"], cwd=root, capture_output=True, text=True
    )
    assert "No module named 'importlinter'" not in run.stderr, "import-linter is in the test extra"
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_tests_mirror_the_packages() -> None:
    root = Path(__file__).resolve().parent.parent
    packages = {p.parent.name for p in (root / "summarizer").glob("*/__init__.py")}
    folders = {
        p.name for p in (root / "tests").iterdir() if p.is_dir() and any(p.glob("test_*.py"))
    }
    assert packages == folders
