#!/usr/bin/env bash
# One entry point for readers and maintainers. Every command first sets up what the series needs
# (graphviz's `dot`, a .venv with requirements.txt, whose torch is the CPU build on Linux x86_64 without an NVIDIA GPU)
# and skips what is already done:
#   ./run.sh lab      open the series in JupyterLab
#   ./run.sh test     run the tests (pytest: nbval over every notebook); extra arguments go to pytest
#   ./run.sh stamp    copy the shared cells of tools/shared_cells.py into every notebook (then record)
#   ./run.sh record   re-execute every notebook top to bottom on the CPU, then re-export images/ and stamp notebooks/zh/
#   ./run.sh html     build the book into site/: every notebook with its saved outputs (book/conf.py, index.md)
#   ./run.sh bench    time the test suite against its floor (tools/benchmark.py says what each is)
#   ./run.sh bench guard   time a training step with saved_tensor_guard() against plain and anomaly mode
#   ./run.sh compat 2.9.1   run every notebook as Colab's Run all would, on another PyTorch (tools/compat.py)
#   ./run.sh torch-build   say which PyTorch build set-up would install, and why; installs nothing
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '%s\n' "$*" >&2; }

as_root() {  # run an apt-get command as root, or return 1 where that is not possible
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else return 1; fi
}

apt_install() {
  command -v apt-get >/dev/null || return 1
  say "Installing $* with apt-get..."
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_dot() {
  command -v dot >/dev/null && return 0
  apt_install graphviz || true
  command -v dot >/dev/null && return 0
  say "Graphviz's dot program is missing and could not be installed here: install the package 'graphviz'"
  say "(Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz), then run this again."
  return 1
}

ensure_venv() {
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "This series needs Python 3.11 or newer as '$python' (Debian 12 and Ubuntu 24.04 have it);"
    say "set PYTHON=/path/to/python3.11-or-newer to use another one."
    exit 1
  fi
  choose_torch
  local installed
  installed=$(cat .venv/torch-from 2>/dev/null || true)
  if [ -n "$installed" ] && [ "$installed" != "$torch_from" ]; then
    # pip would keep the torch installed, as 2.13.0 and 2.13.0+cpu both satisfy torch==2.13.0, and leave nvidia-* behind.
    say "PyTorch: .venv has torch from the $installed choice, and this run chooses $torch_from: making .venv afresh."
    rm -rf .venv
  fi
  if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    rm -rf .venv
    if ! "$python" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv || { say "Could not create .venv: install the package 'python3-venv' and run this again."; exit 1; }
      "$python" -m venv .venv
    fi
  fi
  local wanted
  wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ "$(cat .venv/requirements.sha256 2>/dev/null)" != "$wanted" ]; then
    say "Installing requirements.txt into .venv..."
    install_requirements
    echo "$wanted" > .venv/requirements.sha256
    echo "$torch_from" > .venv/torch-from
  fi
}

# Which PyTorch build to install. PyPI's torch for Linux x86_64 is the CUDA build (3-4 GB of downloads);
# PyTorch's CPU index has the 190 MB CPU build, which every lesson needs. Only tests set TORCH_CPU_INDEX,
# NVIDIA_PROC and TORCH_INDEX_TIMEOUT, to stand for the CPU index, /proc/driver/nvidia and how long to wait for it.
cpu_index=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}
index_timeout=${TORCH_INDEX_TIMEOUT:-5}

choose_torch() {  # set torch_from (cpu: PyTorch's CPU index; pypi: pip's default index) and torch_why; no network
  local machine nvidia_proc=${NVIDIA_PROC:-/proc/driver/nvidia}
  machine="$(uname -s) $(uname -m)"
  torch_from=pypi
  case "${TORCH_BUILD:-auto}" in
    cpu) torch_from=cpu; torch_why="TORCH_BUILD=cpu" ;;
    pypi) torch_why="TORCH_BUILD=pypi" ;;
    cuda)
      if [ "$machine" = "Linux x86_64" ]; then torch_why="TORCH_BUILD=cuda, and PyPI's torch for Linux x86_64 is the CUDA build"
      else torch_why="TORCH_BUILD=cuda, but PyPI's torch for $machine has no CUDA (see https://pytorch.org/get-started/locally/)"; fi ;;
    auto)
      if [ "$machine" != "Linux x86_64" ]; then torch_why="on $machine this script leaves the choice to pip (it takes the CPU index only on Linux x86_64)"
      elif command -v nvidia-smi >/dev/null; then torch_why="an NVIDIA GPU is here (nvidia-smi is on PATH)"
      elif [ -e "$nvidia_proc" ]; then torch_why="an NVIDIA GPU is here ($nvidia_proc exists)"
      else torch_from=cpu; torch_why="this is Linux x86_64 with no NVIDIA GPU (no nvidia-smi, no /proc/driver/nvidia)"; fi
      case "$torch_from $machine" in
        "cpu "*) torch_why+="; TORCH_BUILD=cuda for the CUDA build instead" ;;
        "pypi Linux x86_64") torch_why+="; TORCH_BUILD=cpu for the 190 MB CPU build instead" ;;
      esac ;;
    *) say "TORCH_BUILD=$TORCH_BUILD: use cpu, cuda (PyPI's CUDA build, Linux x86_64), pypi (PyPI's build) or auto."
       exit 2 ;;
  esac
}

probe() {  # succeed if URL $1 answers within $index_timeout seconds; otherwise print why not, and fail
  "${PYTHON:-python3}" -c '
import sys, threading, urllib.request
seconds = float(sys.argv[2])
answer = []
def get():
    try:
        urllib.request.urlopen(sys.argv[1], timeout=seconds).close()
        answer.append(None)
    except Exception as error:
        answer.append(str(getattr(error, "reason", error)))
thread = threading.Thread(target=get, daemon=True)  # in a thread, so that a hanging DNS lookup is cut off too
thread.start()
thread.join(seconds)
sys.exit(answer[0] if answer else f"no answer within {sys.argv[2]} s")' "$1" "$index_timeout" 2>&1
}

pip_install() {  # pip install into .venv, or with dry=1 only say the command
  if [ -n "${dry:-}" ]; then say "would run: pip install $*"
  else .venv/bin/python -m pip install --disable-pip-version-check --quiet "$@"; fi
}

install_requirements() {  # the torch that choose_torch chose first, then requirements.txt, which finds it there
  if [ "$torch_from" = cpu ]; then
    say "PyTorch: the CPU build, from $cpu_index, because $torch_why."
    local why_not
    if why_not=$(probe "$cpu_index/torch/"); then
      pip_install --index-url "$cpu_index" "$(grep -m1 '^torch==' requirements.txt || echo torch)"
    else
      say "PyTorch's CPU index cannot be reached ($why_not): falling back to pip's default index (PyPI's torch for Linux x86_64 is the CUDA build)."
    fi
  else
    say "PyTorch: PyPI's build, because $torch_why."
  fi
  pip_install -r requirements.txt
  [ -n "${dry:-}" ] || say "Installed torch $(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("torch"))')."
}

compat_python() {  # $COMPAT_PYTHON, else Python 3.12 (Colab's) where one runs here, else python3
  local candidate
  for candidate in ${COMPAT_PYTHON:-} python3.12 "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3.12; do
    "$candidate" -c "" 2>/dev/null && { echo "$candidate"; return; }
  done
  echo python3
}

compat_venv() {  # a cached venv, outside the repository, with PyTorch $1 and what the notebooks import
  local version=$1 python
  python=$(compat_python)
  COMPAT_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/detach-series/torch-$version-$("$python" -c 'import sys; print(f"py{sys.version_info[0]}.{sys.version_info[1]}")')"
  [ -x "$COMPAT_VENV/bin/python" ] && "$COMPAT_VENV/bin/python" -c "import torch, torchviz, nbclient, ipykernel" 2>/dev/null \
    && return 0
  say "Building $COMPAT_VENV (PyPI's torch $version: on Linux a CUDA build of several GB)..."
  rm -rf "$COMPAT_VENV"
  "$python" -m venv "$COMPAT_VENV"
  # PIP_CONFIG_FILE=/dev/null: a machine-wide pip configuration may cap torch's version; this call ignores it.
  # setuptools unpinned: torchviz needs it on Python 3.12 (distutils), and some releases (2.11, 2.12) cap its version.
  PIP_CONFIG_FILE=/dev/null "$COMPAT_VENV/bin/python" -m pip install --quiet "torch==$version" ipykernel setuptools \
    $(grep -E '^(torchviz|graphviz|numpy|nbconvert)==' requirements.txt)
}

command=${1:-}
shift || true
case "$command" in
  lab)
    ensure_dot || say "Carrying on: the notebooks run without it, but draw no graphs."
    ensure_venv
    as_root_flag=(); [ "$(id -u)" != 0 ] || as_root_flag=(--allow-root)  # JupyterLab refuses root without it
    exec .venv/bin/jupyter lab "${as_root_flag[@]}" notebooks/01_plain_backward.ipynb "$@"
    ;;
  test)
    ensure_dot
    ensure_venv
    exec .venv/bin/python -m pytest "$@"
    ;;
  record)
    ensure_dot
    ensure_venv
    [ $# -gt 0 ] || set -- notebooks/[0-9]*.ipynb
    TORCH_DEVICE=cpu SERIES_STRICT=1 .venv/bin/jupyter nbconvert --to notebook --execute --inplace \
      --NotebookClient.record_timing=False "$@"
    .venv/bin/python tools/export_graphs.py
    .venv/bin/python tools/stamp_zh.py  # the Chinese notebooks take the new code and outputs
    ;;
  stamp)
    ensure_venv
    exec .venv/bin/python tools/stamp.py "$@"
    ;;
  html)
    ensure_venv
    # Sphinx, MyST-NB and sphinx-book-theme, offline; -W: a warning (a missing notebook, a dead link) stops it.
    rm -rf site jupyter_execute
    .venv/bin/python -m sphinx -b html -c book -W --keep-going -q . site || {
      rm -rf site jupyter_execute
      say "The book was not built: each warning above names a file and what to fix there."
      exit 1
    }
    rm -rf site/.doctrees jupyter_execute  # Sphinx's cache, and the graphs MyST-NB extracted on the way
    say "The book is in site/: open site/index.html, or publish it with ghp-import (see the README)."
    ;;
  compat)
    [ $# -gt 0 ] || { say "usage: ./run.sh compat TORCH_VERSION [notebooks]"; exit 2; }
    ensure_dot
    compat_venv "$1"
    shift
    exec "$COMPAT_VENV/bin/python" tools/compat.py "$@"
    ;;
  bench)
    ensure_dot
    ensure_venv
    [ "${1:-}" != guard ] || { shift; exec .venv/bin/python tools/guard_benchmark.py "$@"; }
    exec .venv/bin/python tools/benchmark.py
    ;;
  torch-build)
    dry=1
    choose_torch
    install_requirements
    ;;
  *)
    say "usage: ./run.sh lab | test [pytest arguments] | stamp | record [notebooks] | html | bench [guard] | compat TORCH_VERSION | torch-build"
    exit 2
    ;;
esac
