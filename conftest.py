"""pytest set-up for nbval: refuse to run without graphviz, and say which device the notebooks use."""
import os
import shutil

import pytest


def pytest_configure(config):
    # Every notebook draws its autograd graph; without `dot` those cells print a notice instead,
    # which would let a broken graph pass unnoticed.
    if shutil.which("dot") is None:
        pytest.exit("graphviz's `dot` program is missing: install the graphviz package "
                    "(Debian/Ubuntu: sudo apt-get install graphviz), or run ./run.sh test, which does.",
                    returncode=4)


def pytest_report_header(config):
    import torch

    device = os.environ.get("TORCH_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu")
    return f"notebooks run on: {device} (torch {torch.__version__}; set TORCH_DEVICE=cpu or cuda to choose)"
