"""Run every benchmark workload in one process and print one table.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run_all.py            # full (minutes)
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run_all.py --quick    # seconds, smoke report

nnlib, PyTorch (CPU, optional: reported as n/a when not installed) and scikit-learn's
MLPClassifier train the same networks from the same initial weights; see README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run from anywhere

import bench_digits  # noqa: E402
import bench_interactive  # noqa: E402
import bench_mnist  # noqa: E402
from _common import (  # noqa: E402
    limit_threads,
    machine_description,
    print_report,
    square_gemm_rate,
    warn_about_environment,
)

WORKLOADS = {
    "mnist": bench_mnist,
    "digits": bench_digits,
    "interactive": bench_interactive,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and one run each: a smoke report in seconds, targets not evaluated",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs per library (median; >= 3)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="cap BLAS/OpenMP threads of every library (default: library defaults)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=sorted(WORKLOADS), help="run only these workloads"
    )
    args = parser.parse_args()
    warn_about_environment()
    limit_threads(args.threads)
    print(f"machine: {machine_description()}")
    if not args.quick:
        print(f"float32 GEMM 1024^3 (numpy): {square_gemm_rate():.1f} GFLOP/s")
    t0 = time.perf_counter()
    reports = []
    for name in args.only or WORKLOADS:
        module = WORKLOADS[name]
        repeats = (
            1 if args.quick else max(args.repeats, 5 if name == "interactive" else 3)
        )
        print(f"running {name} ({repeats} run(s) per library) ...", flush=True)
        reports.append(module.run(quick=args.quick, repeats=repeats))
    print()
    print_report(reports)
    print(f"\ntotal wall time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
