"""./run.sh torch-build: which PyTorch build set-up picks, and its fallback, with a fake GPU and fake indexes.

Each test runs run.sh's own choosing code on a copy of run.sh, with PATH holding only a few tools and a fake
`uname` (and `nvidia-smi` where a GPU is to be seen), and the CPU index served from this machine or not at all.
torch-build only says what it would install: no network, no GPU and no install, which each test checks.
"""
import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest
from saved_notebooks import ROOT

BASH = shutil.which("bash")
TORCH_PIN = re.search(r"^torch==\S+", (ROOT / "requirements.txt").read_text(), re.M).group(0)


def served_index(tmp_path):
    """A CPU index that answers: tmp_path/whl/cpu/torch/ served on localhost."""
    (tmp_path / "served" / "whl" / "cpu" / "torch").mkdir(parents=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp_path / "served")
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # serve_forever polls for shutdown every 0.5 s by default: 0.05 s ends each test's server without that wait
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/whl/cpu"


@pytest.fixture
def index_up(tmp_path):
    server, url = served_index(tmp_path)
    yield url
    server.shutdown()


@pytest.fixture
def index_down():
    """A CPU index that refuses the connection: a localhost port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/whl/cpu"


@pytest.fixture
def index_silent():
    """A CPU index that accepts the connection and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/whl/cpu"


def choose(tmp_path, index, system="Linux x86_64", gpu=None, torch_build=None, index_timeout=None):
    """Run `run.sh torch-build` in a copy of the repository's set-up files; return (exit code, what it said).

    gpu: None, "nvidia-smi" (a fake one on PATH) or "proc" (a stand-in for /proc/driver/nvidia).
    """
    repo, tools = tmp_path / "repo", tmp_path / "bin"
    repo.mkdir()
    tools.mkdir()
    for name in ("run.sh", "requirements.txt"):
        shutil.copy(ROOT / name, repo / name)
    for tool in ("dirname", "grep"):
        (tools / tool).symlink_to(shutil.which(tool))
    kernel, machine = system.split()
    fakes = {"uname": f'case "$1" in -s) echo {kernel};; -m) echo {machine};; *) exit 1;; esac'}
    if gpu == "nvidia-smi":
        fakes["nvidia-smi"] = "echo 'NVIDIA-SMI (fake)'"
    for name, body in fakes.items():
        (tools / name).write_text(f"#!/bin/sh\n{body}\n")
        (tools / name).chmod(0o755)
    proc = tmp_path / "proc-driver-nvidia"
    if gpu == "proc":
        proc.mkdir()
    env = {"PATH": str(tools), "PYTHON": sys.executable, "TORCH_CPU_INDEX": index, "NVIDIA_PROC": str(proc)}
    if torch_build is not None:
        env["TORCH_BUILD"] = torch_build
    if index_timeout is not None:  # run.sh waits 5 s for the CPU index unless told otherwise
        env["TORCH_INDEX_TIMEOUT"] = index_timeout
    run = subprocess.run([BASH, "run.sh", "torch-build"], cwd=repo, env=env, capture_output=True, text=True,
                         timeout=60)
    assert sorted(p.name for p in repo.iterdir()) == ["requirements.txt", "run.sh"], "torch-build made files"
    return run.returncode, run.stdout + run.stderr


def pip_commands(said):
    return [line.removeprefix("would run: pip install ") for line in said.splitlines()
            if line.startswith("would run: ")]


def test_no_gpu_and_index_up_installs_torch_from_the_cpu_index(tmp_path, index_up):
    code, said = choose(tmp_path, index_up)
    assert code == 0, said
    assert "PyTorch: the CPU build" in said and "no nvidia-smi, no /proc/driver/nvidia" in said, said
    assert "cannot be reached" not in said, said
    assert pip_commands(said) == [f"--index-url {index_up} {TORCH_PIN}", "-r requirements.txt"], said


def test_no_gpu_and_index_down_falls_back_to_the_default_index_once(tmp_path, index_down):
    code, said = choose(tmp_path, index_down)
    assert code == 0, said
    assert "PyTorch: the CPU build" in said, said
    assert said.count("cannot be reached") == 1 and "falling back to pip's default index" in said, said
    assert pip_commands(said) == ["-r requirements.txt"], said


def test_an_index_that_never_answers_is_given_up_in_time(tmp_path, index_silent):
    # The same code path as run.sh's 5 s, with a limit of 0.5 s so that the suite does not wait.
    start = time.monotonic()
    code, said = choose(tmp_path, index_silent, index_timeout="0.5")
    assert code == 0, said
    assert "no answer within 0.5 s" in said or "timed out" in said, said
    assert pip_commands(said) == ["-r requirements.txt"], said
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("gpu", ["nvidia-smi", "proc"])
def test_gpu_present_installs_from_pypi_without_probing(tmp_path, index_down, gpu):
    code, said = choose(tmp_path, index_down, gpu=gpu)
    assert code == 0, said
    assert "PyTorch: PyPI's build, because an NVIDIA GPU is here" in said, said
    assert "TORCH_BUILD=cpu for the 190 MB CPU build" in said, said
    assert "cannot be reached" not in said, "probed the CPU index although a GPU is here"
    assert pip_commands(said) == ["-r requirements.txt"], said


@pytest.mark.parametrize("system", ["Darwin arm64", "Linux aarch64"])
def test_elsewhere_than_linux_x86_64_installs_from_pypi(tmp_path, index_down, system):
    code, said = choose(tmp_path, index_down, system=system)
    assert code == 0, said
    assert f"PyTorch: PyPI's build, because on {system}" in said and "cannot be reached" not in said, said
    assert pip_commands(said) == ["-r requirements.txt"], said


@pytest.mark.parametrize("gpu", [None, "nvidia-smi"])
def test_torch_build_cpu_takes_the_cpu_index_even_with_a_gpu(tmp_path, index_up, gpu):
    code, said = choose(tmp_path, index_up, gpu=gpu, torch_build="cpu")
    assert code == 0, said
    assert "PyTorch: the CPU build" in said and "because TORCH_BUILD=cpu" in said, said
    assert pip_commands(said) == [f"--index-url {index_up} {TORCH_PIN}", "-r requirements.txt"], said


def test_torch_build_cpu_still_falls_back(tmp_path, index_down):
    code, said = choose(tmp_path, index_down, torch_build="cpu")
    assert code == 0, said
    assert said.count("cannot be reached") == 1 and pip_commands(said) == ["-r requirements.txt"], said


@pytest.mark.parametrize("torch_build, reason", [
    ("cuda", "because TORCH_BUILD=cuda, and PyPI's torch for Linux x86_64 is the CUDA build"),
    ("pypi", "because TORCH_BUILD=pypi"),
])
def test_torch_build_cuda_and_pypi_install_from_pypi_without_a_gpu(tmp_path, index_up, torch_build, reason):
    code, said = choose(tmp_path, index_up, torch_build=torch_build)
    assert code == 0, said
    assert f"PyTorch: PyPI's build, {reason}." in said, said
    assert pip_commands(said) == ["-r requirements.txt"], said


def test_torch_build_cuda_says_when_pypi_has_no_cuda(tmp_path, index_down):
    code, said = choose(tmp_path, index_down, system="Darwin arm64", torch_build="cuda")
    assert code == 0 and "PyPI's torch for Darwin arm64 has no CUDA" in said, said


def test_torch_build_auto_is_the_default(tmp_path, index_down):
    code, said = choose(tmp_path, index_down, gpu="nvidia-smi", torch_build="auto")
    assert code == 0 and "because an NVIDIA GPU is here (nvidia-smi is on PATH)" in said, said


def test_an_unknown_torch_build_stops_with_the_choices(tmp_path, index_up):
    code, said = choose(tmp_path, index_up, torch_build="rocm")
    assert code == 2, said
    assert "TORCH_BUILD=rocm: use cpu, cuda" in said and not pip_commands(said), said


def test_binder_pins_the_cpu_build_of_the_same_torch():
    binder = (ROOT / "binder" / "requirements.txt").read_text()
    assert re.search(r"^--extra-index-url https://download\.pytorch\.org/whl/cpu$", binder, re.M), binder
    assert re.search(rf"^{re.escape(TORCH_PIN)}\+cpu$", binder, re.M), f"binder/ should pin {TORCH_PIN}+cpu"
    assert re.search(r"^-r \.\./requirements\.txt$", binder, re.M), binder
    assert os.path.exists(ROOT / "binder" / "apt.txt") and os.path.exists(ROOT / "binder" / "runtime.txt")
