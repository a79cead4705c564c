"""Workload 3, interactive: what the playground widget does per update.

make_moons with 1,000 points, a 2-16-16-2 tanh network, 200 full-batch Adam steps (the
playground's default optimizer, lr 0.03), then class predictions on a 200 x 200 grid. The
whole thing is timed, prediction included. float32, like the other workloads and the playground
widget; ``--float64`` measures nnlib's default dtype (numpy's float64 tanh is several times slower).
Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_interactive.py``.
"""

from __future__ import annotations

import functools
import sys

import numpy as np
from _common import WorkloadReport, main_for, mlp_forward_flops, mlp_train_flops, nl
from _mlp import MLPSpec, compare

TARGET_SECONDS = 0.150


def moons_data(
    n: int, resolution: int, seed: int = 0, dtype: type = np.float32
) -> tuple[np.ndarray, ...]:
    """Standardized moons (train, plus 1,000 fresh test points) and the grid to predict on."""
    X, y = nl.datasets.make_moons(n, noise=0.2, seed=seed, dtype=dtype)
    X_test, y_test = nl.datasets.make_moons(1000, noise=0.2, seed=seed + 1, dtype=dtype)
    scaler = nl.StandardScaler().fit(X)
    X, X_test = scaler.transform(X), scaler.transform(X_test)
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(dtype)
    return X, y, X_test, y_test, grid


def run(
    quick: bool = False, repeats: int = 5, dtype: type = np.float32
) -> WorkloadReport:
    n, steps, resolution = (1000, 20, 50) if quick else (1000, 200, 200)
    spec = MLPSpec(
        sizes=(2, 16, 16, 2),
        activation="tanh",
        optimizer="adam",
        lr=0.03,
        batch_size=n,
        epochs=steps,
        dtype=dtype,
    )
    X, y, X_test, y_test, grid = moons_data(n, resolution, dtype=dtype)
    results = compare(spec, X, y, X_test, y_test, repeats, timed_predict=grid)
    rep = WorkloadReport(
        name="3 interactive",
        samples=n * steps,
        description=(
            f"make_moons {n} points, 2-16-16-2 tanh, {steps} full-batch Adam(0.03) steps + "
            f"predicting a {resolution}x{resolution} grid, {np.dtype(dtype)}; accuracy on 1000 new points"
        ),
        flops=mlp_train_flops(spec.sizes, n * steps)
        + mlp_forward_flops(spec.sizes, len(grid)),
        results=results,
        quick=quick,
        dtype=str(np.dtype(dtype)),
    )
    rep.targets.append(
        (
            f"nnlib <= {TARGET_SECONDS * 1000:.0f} ms",
            results["nnlib"].median <= TARGET_SECONDS,
        )
    )
    return rep


if __name__ == "__main__":
    if "--float64" in sys.argv:
        sys.argv.remove("--float64")
        main_for(functools.partial(run, dtype=np.float64), __doc__, repeats=5)
    else:
        main_for(run, __doc__, repeats=5)
