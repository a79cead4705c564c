"""Workload 1, MNIST-sized: 60,000 x 784 float32, MLP 784-256-128-10 ReLU, SGD momentum 0.9.

The data are synthetic but learnable (see ``teacher_data``), so no download is needed and
the shapes, hence the cost, match MNIST.
Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_mnist.py``.
"""

from __future__ import annotations

import numpy as np
from _common import LIBS, WorkloadReport, main_for, mlp_train_flops
from _mlp import MLPSpec, compare

FULL = dict(n_train=60_000, n_test=10_000, epochs=3)
QUICK = dict(n_train=2_000, n_test=1_000, epochs=1)


def teacher_data(n_train: int, n_test: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Learnable MNIST-shaped data: float32 X (n, 784), labels y (n,) in [0, 10).

    Like images, the inputs lie near a low-dimensional manifold: a 32-dimensional latent
    z ~ N(0, I) is mapped to 784 "pixels" by a fixed random map, tanh(z A), plus noise. The
    label is decided by a fixed random linear "teacher" on z: argmax(z B).
    """
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    z = rng.standard_normal((n, 32), dtype=np.float32)
    A = rng.standard_normal((32, 784), dtype=np.float32) * np.float32(1 / np.sqrt(32))
    B = rng.standard_normal((32, 10), dtype=np.float32)
    X = np.tanh(z @ A) + np.float32(0.3) * rng.standard_normal(
        (n, 784), dtype=np.float32
    )
    y = (z @ B).argmax(axis=1).astype(np.int64)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def run(quick: bool = False, repeats: int = 3) -> WorkloadReport:
    size = QUICK if quick else FULL
    spec = MLPSpec(
        sizes=(784, 256, 128, 10),
        activation="relu",
        optimizer="sgd",
        lr=0.01,
        momentum=0.9,
        batch_size=128,
        epochs=size["epochs"],
        dtype=np.float32,
    )
    X, y, X_test, y_test = teacher_data(size["n_train"], size["n_test"])
    # "numpy floor": nnlib's own arithmetic without the library around it (_mlp.floor_train),
    # to show how much of nnlib's time is the library and how much is numpy.
    results = compare(spec, X, y, X_test, y_test, repeats, libs=(*LIBS, "numpy floor"))
    samples = size["n_train"] * size["epochs"]
    rep = WorkloadReport(
        name="1 mnist",
        samples=samples,
        description=(
            f"{size['n_train']} x 784 float32, 784-256-128-10 ReLU, SGD(0.01, momentum 0.9), "
            f"batch 128, {size['epochs']} epochs; test accuracy on {size['n_test']}"
        ),
        flops=mlp_train_flops(spec.sizes, samples),
        results=results,
        quick=quick,
    )
    nn = results["nnlib"]
    others = [
        r for lib, r in results.items() if lib in ("pytorch", "sklearn") and r.available
    ]
    if others:
        fastest = min(r.median for r in others)
        best_acc = max(r.accuracy for r in others)
        # "Equal accuracy": within one percentage point of the best of the others.
        rep.targets.append(
            (
                f"time <= 0.8 x fastest other ({0.8 * fastest:.3f} s) at equal accuracy",
                nn.median <= 0.8 * fastest and nn.accuracy >= best_acc - 0.01,
            )
        )
    frac = rep.gemm_fraction("nnlib")
    rep.targets.append(
        (f">= 60% of measured GEMM throughput (got {frac:.0%})", frac >= 0.6)
    )
    floor = results["numpy floor"]
    rep.notes.append(
        f"nnlib takes {nn.median / floor.median:.2f}x the time of the numpy floor, the same "
        f"arithmetic with nothing around it, which reaches "
        f"{rep.gemm_fraction('numpy floor'):.0%} of the GEMM rate; the same accuracy: "
        f"{'yes' if floor.accuracy == nn.accuracy else 'NO'}"
    )
    return rep


if __name__ == "__main__":
    main_for(run, __doc__)
