"""Workload 2, digits: scikit-learn's 8x8 digits, MLP 64-128-64-10 ReLU, Adam 1e-3, batch 64.

1,797 images, 80/20 stratified split, standardized on the training part, float32.
Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_digits.py``.
"""

from __future__ import annotations

import numpy as np
from _common import WorkloadReport, main_for, mlp_train_flops, nl
from _mlp import MLPSpec, compare


def digits_data(seed: int = 0) -> tuple[np.ndarray, ...]:
    """Standardized float32 train/test split of the digits (the test part is 360 images)."""
    X, y = nl.datasets.load_digits()
    X_train, X_test, y_train, y_test = nl.train_test_split(
        X, y, test_size=0.2, seed=seed, stratify=True
    )
    scaler = nl.StandardScaler().fit(X_train)
    return (
        scaler.transform(X_train).astype(np.float32),
        y_train,
        scaler.transform(X_test).astype(np.float32),
        y_test,
    )


def run(quick: bool = False, repeats: int = 3) -> WorkloadReport:
    epochs = 2 if quick else 50
    spec = MLPSpec(
        sizes=(64, 128, 64, 10),
        activation="relu",
        optimizer="adam",
        lr=1e-3,
        batch_size=64,
        epochs=epochs,
        dtype=np.float32,
    )
    X, y, X_test, y_test = digits_data()
    results = compare(spec, X, y, X_test, y_test, repeats)
    samples = len(X) * epochs
    rep = WorkloadReport(
        name="2 digits",
        samples=samples,
        description=(
            f"{len(X)} train / {len(X_test)} test digits, 64-128-64-10 ReLU, Adam(1e-3), "
            f"batch 64, {epochs} epochs, float32"
        ),
        flops=mlp_train_flops(spec.sizes, samples),
        results=results,
        quick=quick,
    )
    nn, sk = results["nnlib"], results["sklearn"]
    rep.targets.append(
        (
            "accuracy >= scikit-learn's, in less time",
            nn.accuracy >= sk.accuracy and nn.median < sk.median,
        )
    )
    return rep


if __name__ == "__main__":
    main_for(run, __doc__)
