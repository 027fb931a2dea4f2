"""pytest set-up: refuse to run without graphviz, make the notebooks' checks strict, say which device they use,
and size the parallel run."""
import functools
import importlib.metadata
import os
import shutil

import pytest

# Each notebook is executed once. The Chinese notebooks carry the English notebooks' code and saved outputs
# (tools/stamp_zh.py): the English run is their evidence, and tests/test_translation.py checks that the two agree.
collect_ignore_glob = ["notebooks/zh/*"]
# tests/test_exercises.py executes 12 once, compares its saved outputs as nbval would, then checks the answers in
# the same kernel: nbval would only run it a second time.
collect_ignore = ["notebooks/12_exercises.ipynb"]


def pytest_configure(config):
    # A notebook's check() prints ✗ and goes on for a reader; in the kernels the tests start, it raises.
    os.environ["SERIES_STRICT"] = "1"
    # The lessons' tensors hold a few numbers: one thread each computes them as fast, and the kernels running in
    # parallel do not spin idle OpenMP threads against each other (on 2 cores, the suite took 36 s instead of 43).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # Every notebook draws its autograd graph; without `dot` those cells print a notice instead,
    # which would let a broken graph pass unnoticed.
    if shutil.which("dot") is None:
        pytest.exit("graphviz's `dot` program is missing: install the graphviz package "
                    "(Debian/Ubuntu: sudo apt-get install graphviz), or run ./run.sh test, which does.",
                    returncode=4)


def pytest_report_header(config):
    # Read without importing torch, which would cost this process 2 s before the workers start.
    version = importlib.metadata.version("torch")
    device = os.environ.get("TORCH_DEVICE") or "cuda where PyTorch sees a GPU, else cpu"
    return [f"notebooks run on: {device} (torch {version}; set TORCH_DEVICE=cpu or cuda to choose; "
            "each notebook's set-up cell prints the device it uses)",
            "browser test screenshots: test-artifacts/screenshots/"]


def pytest_xdist_auto_num_workers(config):
    # `-n auto` (pytest.ini): a single file (one notebook, whose cells share a kernel, or one test module) stays whole
    # in one worker anyway, so run it here and skip their start. Otherwise one worker more than the cores: a worker
    # mostly waits for its notebook's kernel, a process of its own, and one more worker keeps the cores busy
    # (measured on 2 cores, longest file first: 2 and 3 workers within the machine's noise, 30.6-36.0 s).
    files = {arg.split("::")[0] for arg in config.args}
    if len(files) == 1 and os.path.isfile(files.pop()):
        return 0
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(config, items):
    # Longest first, so that no long file starts last while the other workers sit idle: the modules that execute a
    # notebook (the exercises, the memory picture), then the notebooks from most code cells to fewest, then the rest.
    @functools.cache
    def cost(path):
        if path.name in ("test_exercises.py", "test_memory_picture.py"):
            return 0, 0, path.name
        if path.suffix == ".ipynb":
            return 1, -path.read_text(encoding="utf-8").count('"cell_type": "code"'), path.name
        return 2, 0, path.name
    items.sort(key=lambda item: cost(item.path))  # a stable sort: each file's tests keep their order
