"""Ruff over the notebooks' code cells and every Python file, with the project's ruff.toml."""
import subprocess
import sys

from saved_notebooks import ROOT


def test_ruff_is_clean():
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, f"ruff: fix these (`ruff check --fix` does some):\n{lint.stdout}{lint.stderr}"
