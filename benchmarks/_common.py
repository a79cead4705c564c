"""Shared helpers for the benchmarks: timing, GEMM throughput, FLOP counts and the table.

Not part of nnlib and not a test. PyTorch is optional: ``load_torch()`` returns ``None`` when
it is not installed, and every script then reports it as ``n/a``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# Let `python benchmarks/bench_x.py` import nnlib from the repository without installing it.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Imported here, after the path is set, for the bench scripts (`from _common import nl`).
import nnlib as nl  # noqa: E402, F401

LIBS = ("nnlib", "pytorch", "sklearn")
#: Variables that pin OpenBLAS to another kernel / cache size and slow numpy down.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def load_torch() -> Any | None:
    """Return the ``torch`` module, or ``None`` if it is not installed (it is optional)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


# ---------------------------------------------------------------------------- environment


def blas_description() -> str:
    """Which BLAS numpy calls, with its kernel and thread count (via threadpoolctl if present)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    numpy_dir = Path(np.__file__).parent.parent
    for info in threadpool_info():
        # Several BLAS copies can be loaded (numpy's, scipy's, torch's MKL); report numpy's.
        if (
            info.get("user_api") == "blas"
            and str(numpy_dir) in info.get("filepath", "")
            and "numpy" in info.get("filepath", "")
        ):
            return (
                f"{info.get('internal_api')} {info.get('version')}, kernel "
                f"{info.get('architecture')}, {info.get('num_threads')} threads"
            )
    return "not found by threadpoolctl"


def machine_description() -> str:
    """One line describing the CPU, core count and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    torch = load_torch()
    import sklearn

    parts = [
        f"{cpu}, {os.cpu_count()} cores",
        f"Python {platform.python_version()}",
        f"numpy {np.__version__} ({blas_description()})",
        f"scikit-learn {sklearn.__version__}",
        f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
        if torch
        else "torch n/a",
    ]
    return "; ".join(parts)


def warn_about_environment() -> None:
    """Say so when OpenBLAS is pinned by environment variables: the numbers would be off."""
    pinned = [v for v in OPENBLAS_VARS if v in os.environ]
    if pinned:
        warnings.warn(
            f"{', '.join(pinned)} set: numpy's OpenBLAS may use a slower kernel. For benchmark "
            f"numbers run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run_all.py",
            stacklevel=2,
        )


_thread_limit: Any = None


def limit_threads(n: int | None) -> None:
    """Cap BLAS and OpenMP threads (numpy, scikit-learn, PyTorch) at ``n``; None leaves defaults.

    On a machine shared with other jobs a multi-threaded BLAS call waits for its slowest
    thread, so small matrix products can become many times slower; one thread per process
    then gives steadier (and there, faster) numbers. The cap applies to all libraries alike.
    """
    global _thread_limit
    if n is None:
        return
    from threadpoolctl import threadpool_limits

    _thread_limit = threadpool_limits(
        limits=n
    )  # kept alive: the limit lasts while it exists
    torch = load_torch()
    if torch is not None:
        torch.set_num_threads(n)


# ---------------------------------------------------------------------------- timing


def time_runs(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Call ``fn()`` ``repeats`` times; return the wall times (s) and the last result."""
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def mlp_train_flops(sizes: Sequence[int], n_samples: int) -> float:
    """Matrix-product FLOPs that training an MLP with layer ``sizes`` on ``n_samples`` needs.

    Per sample and Dense layer (in -> out): forward x @ W and dW = x^T g cost 2*in*out each,
    the input gradient g @ W^T another 2*in*out, except for the first layer, whose input
    gradient nobody needs. Elementwise work (activations, softmax, updates) is not counted.
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    per_sample = sum(4 * i * o for i, o in pairs) + sum(2 * i * o for i, o in pairs[1:])
    return float(per_sample) * n_samples


def mlp_forward_flops(sizes: Sequence[int], n_samples: int) -> float:
    """Matrix-product FLOPs of one forward pass (prediction) over ``n_samples`` inputs."""
    return float(sum(2 * i * o for i, o in zip(sizes[:-1], sizes[1:]))) * n_samples


def gemm_rate(
    sizes: Sequence[int],
    batch: int,
    dtype: type = np.float32,
    min_time: float = 0.3,
    repeats: int = 5,
) -> float:
    """Measured GFLOP/s of numpy's GEMM on exactly the products of one MLP training step.

    Runs the forward products (batch, in) @ (in, out), the weight gradients (in, batch) @
    (batch, out) and the input gradients (batch, out) @ (out, in) (not for the first layer)
    into preallocated outputs, and returns the best of ``repeats`` timings: the ceiling a
    training step at these shapes could reach on this machine.
    """
    rng = np.random.default_rng(0)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    ops = []
    for j, (i, o) in enumerate(pairs):
        x = rng.standard_normal((batch, i)).astype(dtype)
        w = rng.standard_normal((i, o)).astype(dtype)
        g = rng.standard_normal((batch, o)).astype(dtype)
        ops.append((x, w, np.empty((batch, o), dtype)))
        ops.append((x.T, g, np.empty((i, o), dtype)))
        if j > 0:
            ops.append((g, w.T, np.empty((batch, i), dtype)))
    flops = mlp_train_flops(sizes, batch)

    def one_step() -> None:
        for a, b, out in ops:
            np.matmul(a, b, out=out)

    one_step()
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < min_time / repeats or n < 3:
        one_step()
        n += 1
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            one_step()
        best = min(best, (time.perf_counter() - t0) / n)
    return flops / best / 1e9


def square_gemm_rate(
    n: int = 1024, dtype: type = np.float32, repeats: int = 5
) -> float:
    """GFLOP/s of one large square float32 GEMM, for reference (the BLAS's best case)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    out = np.empty((n, n), dtype)
    np.matmul(a, b, out=out)
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


# ---------------------------------------------------------------------------- results


@dataclass
class LibResult:
    """The measurements of one library on one workload."""

    lib: str
    times: list[float] = field(default_factory=list)
    #: GEMM rate (GFLOP/s) measured just before and after each run (their mean), in the
    #: order of ``times``: this machine's speed drifts by up to 2x within minutes (it is a
    #: shared VM), so each run is compared with the GEMM rate of its own moment.
    gemm_rates: list[float] = field(default_factory=list)
    accuracy: float | None = None
    available: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


@dataclass
class WorkloadReport:
    """Everything a workload measured, plus what is needed to print its rows and targets."""

    name: str
    description: str
    samples: int  # samples processed per run (n_train * epochs, etc.)
    flops: float  # matrix-product FLOPs per run (training only)
    results: dict[str, LibResult]
    dtype: str = "float32"
    targets: list[tuple[str, bool | None]] = field(default_factory=list)
    #: Measured facts printed after the targets (not judged).
    notes: list[str] = field(default_factory=list)
    quick: bool = False

    @property
    def gemm_rates(self) -> list[float]:
        """The GEMM rates (GFLOP/s) measured around every run of every library."""
        return [x for r in self.results.values() for x in r.gemm_rates]

    @property
    def gemm_gflops(self) -> float | None:
        """The median GEMM rate at this workload's shapes, or None if none was measured."""
        rates = self.gemm_rates
        return statistics.median(rates) if rates else None

    def gemm_fraction(self, lib: str) -> float | None:
        """Achieved matrix-product FLOP rate of ``lib`` as a fraction of the measured GEMM rate:
        the median over its runs of each run's FLOP rate divided by the GEMM rate around it."""
        r = self.results.get(lib)
        if (
            r is None
            or not r.available
            or not r.times
            or not r.gemm_rates
            or not self.flops
        ):
            return None
        return statistics.median(
            self.flops / t / 1e9 / rate for t, rate in zip(r.times, r.gemm_rates)
        )

    def ratio(self, lib: str) -> float | None:
        """nnlib's median time divided by ``lib``'s (< 1 means nnlib is faster)."""
        other = self.results.get(lib)
        if other is None or not other.available or not other.times:
            return None
        return self.results["nnlib"].median / other.median


def _fmt(x: float | None, spec: str, na: str = "n/a") -> str:
    return (
        na
        if x is None or (isinstance(x, float) and not np.isfinite(x))
        else format(x, spec)
    )


def format_table(reports: Sequence[WorkloadReport]) -> str:
    """A Markdown table: one row per workload and library, then the target checks."""
    header = (
        "| workload | library | median s | best s | samples/s | accuracy | nnlib/torch | "
        "nnlib/sklearn | GFLOP/s | of GEMM |"
    )
    lines = [header, "|---" * 10 + "|"]
    for rep in reports:
        for lib, r in rep.results.items():
            if not r.available:
                lines.append(
                    f"| {rep.name} | {lib} | n/a | n/a | n/a | n/a |  |  |  |  |"
                )
                continue
            med = r.median
            gflops = rep.flops / med / 1e9 if rep.flops and med > 0 else None
            frac = rep.gemm_fraction(lib)
            is_nn = lib == "nnlib"
            lines.append(
                f"| {rep.name} | {lib} | {med:.3f} | {min(r.times):.3f} | {rep.samples / med:,.0f} | "
                f"{_fmt(r.accuracy, '.4f')} | "
                f"{_fmt(rep.ratio('pytorch'), '.2f') if is_nn else ''} | "
                f"{_fmt(rep.ratio('sklearn'), '.2f') if is_nn else ''} | "
                f"{_fmt(gflops, '.1f')} | {_fmt(frac, '.0%')} |"
            )
    out = [
        "\n".join(lines),
        "",
        "median/best of the timed runs; samples/s, ratios and GFLOP/s use the median; 'of GEMM' is the",
        "median over runs of each run's GFLOP/s divided by the GEMM rate measured around that run.",
        "all runs (s): "
        + "; ".join(
            f"{rep.name.split()[0]}/{lib} " + " ".join(f"{t:.3f}" for t in r.times)
            for rep in reports
            for lib, r in rep.results.items()
            if r.available
        ),
        "",
    ]
    for rep in reports:
        rates = rep.gemm_rates
        gemm = (
            f"median {rep.gemm_gflops:.1f} GFLOP/s, {min(rates):.1f}-{max(rates):.1f} around the "
            f"{len(rates)} runs"
            if rates
            else "not measured"
        )
        out.append(
            f"{rep.name}: {rep.description}; {rep.dtype} GEMM at these shapes: {gemm}"
        )
        for text, ok in rep.targets:
            verdict = (
                "not evaluated (--quick)"
                if rep.quick
                else ("n/a" if ok is None else ("HOLDS" if ok else "MISSED"))
            )
            out.append(f"  target {text}: {verdict}")
        for text in rep.notes:
            out.append(f"  {text}")
    return "\n".join(out)


def print_report(reports: Sequence[WorkloadReport]) -> None:
    print(format_table(reports))


def main_for(run: Callable[..., WorkloadReport], doc: str, repeats: int = 3) -> None:
    """Command line of a single-workload script: ``--quick``, ``--repeats N``, ``--threads N``."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, one run (smoke test)"
    )
    parser.add_argument(
        "--repeats", type=int, default=repeats, help="timed runs per library (median)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="cap BLAS/OpenMP threads of every library (default: library defaults)",
    )
    args = parser.parse_args()
    warn_about_environment()
    limit_threads(args.threads)
    print(f"machine: {machine_description()}")
    print_report([run(args.quick, 1 if args.quick else args.repeats)])
