#!/usr/bin/env bash
# One entry point for readers and maintainers. Every command first sets up what the series needs
# (graphviz's `dot`, a .venv with requirements.txt) and skips what is already done:
#   ./run.sh lab      open the series in JupyterLab
#   ./run.sh test     run the tests (pytest: nbval over every notebook); extra arguments go to pytest
#   ./run.sh stamp    copy the shared cells of tools/shared_cells.py into every notebook (then record)
#   ./run.sh record   re-execute every notebook top to bottom on the CPU, then re-export images/ and the error index
#   ./run.sh html     build the book into site/: every notebook with its saved outputs (book/conf.py, index.md)
#   ./run.sh bench    time the test suite against its floor (tools/benchmark.py says what each is)
#   ./run.sh compat 2.9.1   run every notebook as Colab's Run all would, on another PyTorch (tools/compat.py)
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
    .venv/bin/python -m pip install --disable-pip-version-check --quiet -r requirements.txt
    echo "$wanted" > .venv/requirements.sha256
  fi
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
  PIP_CONFIG_FILE=/dev/null "$COMPAT_VENV/bin/python" -m pip install --quiet "torch==$version" ipykernel \
    $(grep -E '^(torchviz|graphviz|numpy|setuptools|nbconvert)==' requirements.txt)
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
    .venv/bin/python tools/error_index.py
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
    exec .venv/bin/python tools/benchmark.py
    ;;
  *)
    say "usage: ./run.sh lab | test [pytest arguments] | stamp | record [notebooks] | html | bench | compat TORCH_VERSION"
    exit 2
    ;;
esac
