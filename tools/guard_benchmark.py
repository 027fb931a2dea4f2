"""What saved_tensor_guard() costs: one training step timed plain, under the guard and under anomaly mode, in one run.

    .venv/bin/python tools/guard_benchmark.py [--rounds 15] [--steps 10] [--device cpu] [--threads 1]

A benchmark, not a test: it prints figures, and fails only if the guard raises on the clean step. The guard is the one
notebooks/13_saved_tensor_guard.ipynb defines: this script runs that notebook cell's source, so there is one copy.

The step: an MLP 256-512-512-10 with BatchNorm1d and Dropout in training mode, a batch of 128, cross-entropy,
backward, and torch.optim.SGD with momentum. Each mode runs `--steps` steps in turn, for `--rounds` rounds, so that
a busy machine slows every mode alike. On the CPU a step's time is the process's CPU time (one thread by default),
which other processes on a shared machine barely move; on a GPU it is wall time. A mode's time is the median over
rounds of its mean step time; its ratio is the median over rounds of its time over plain's in the same round.

Memory is counted in bytes, not measured from the process: what the step's saved tensors hold (each storage once,
read by pass-through saved-tensor hooks), against what the guard's snapshots hold (compare="values": a copy of each
saved tensor; compare="checksum": 16 bytes each).
"""
import argparse
import contextlib
import json
import os
import pathlib
import platform
import statistics
import time
import warnings

import torch
import torch.nn.functional as F
from torch import nn

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "13_saved_tensor_guard.ipynb"


def load_guard():
    """saved_tensor_guard and SavedTensorChanged, from the notebook's one cell that defines them."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    (source,) = [source for source in sources if "class saved_tensor_guard" in source]
    namespace = {"__name__": "saved_tensor_guard_cell"}
    exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    return namespace["saved_tensor_guard"], namespace["SavedTensorChanged"]


def make_step(device):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(256, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(512, 10)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(128, 256, generator=generator).to(device)
    labels = torch.randint(0, 10, (128,), generator=generator).to(device)

    def step(context):
        optimizer.zero_grad()
        with context:
            loss = F.cross_entropy(model(inputs), labels)
            loss.backward()
        optimizer.step()

    return step


def saved_bytes(step):
    """Bytes and count of the tensors one step saves for backward, each storage counted once."""
    storages = {}

    def pack(t):
        storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    step(torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t))
    return sum(storages.values()), len(storages)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch's CPU threads (1: steadier on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    saved_tensor_guard, _ = load_guard()
    device = torch.device(args.device)
    step = make_step(device)
    modes = {
        "plain": contextlib.nullcontext,
        'saved_tensor_guard(compare="values")': saved_tensor_guard,
        'saved_tensor_guard(compare="checksum")': lambda: saved_tensor_guard(compare="checksum"),
        "detect_anomaly(check_nan=True)": lambda: torch.autograd.detect_anomaly(check_nan=True),
        "detect_anomaly(check_nan=False)": lambda: torch.autograd.detect_anomaly(check_nan=False),
    }
    # CPU time of this process on the CPU (other processes on a shared machine barely move it), wall time on a GPU
    clock = time.process_time if device.type == "cpu" else time.perf_counter
    times = {mode: [] for mode in modes}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # anomaly mode warns, on each entry, that it is slow
        for context in modes.values():  # warm-up
            for _ in range(3):
                step(context())
        for _ in range(args.rounds):
            for mode, context in modes.items():
                if device.type == "cuda":
                    torch.cuda.synchronize()
                start = clock()
                for _ in range(args.steps):
                    step(context())
                if device.type == "cuda":
                    torch.cuda.synchronize()
                times[mode].append((clock() - start) / args.steps)
    ratios = {mode: statistics.median(t / p for t, p in zip(seconds, times["plain"], strict=True))
              for mode, seconds in times.items()}
    print(f"one training step: MLP 256-512-512-10 with BatchNorm1d and Dropout, batch 128, SGD with momentum, "
          f"on {device}")
    print(f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; median of {args.rounds} rounds of {args.steps} steps per mode")
    print(f"{'mode':<40}{'ms per step':>12}{'ratio to plain':>16}")
    for mode, seconds in times.items():
        print(f"{mode:<40}{statistics.median(seconds) * 1000:>12.2f}{ratios[mode]:>16.2f}")
    print(f"(ms: the median over rounds of {'CPU' if clock is time.process_time else 'wall'} time per step; ratio: the "
          f"median over rounds of the mode's time over plain's in the same round)")
    total, count = saved_bytes(step)
    snapshots = {}
    for compare in ("values", "checksum"):
        guard = saved_tensor_guard(compare=compare)
        step(guard)
        snapshots[compare] = (guard.snapshot_bytes, guard.saved, guard.skipped)
    print(f"memory per step: the saved tensors hold {total:,} bytes ({count} storages)")
    for compare, (size, saved, skipped) in snapshots.items():
        print(f'  snapshots, compare="{compare}": {size:,} bytes ({saved} tensors checked, {skipped} running '
              f"statistics skipped), {size / total:.4f} times the saved tensors")


if __name__ == "__main__":
    main()
