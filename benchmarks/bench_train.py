"""Time one epoch-based training run of nnlib against scikit-learn's MLPClassifier.

Same data (the digits, standardized), same architecture, same initial weights, same
optimizer settings; prints both times, their ratio and both test accuracies. A quick check,
not a test: ``python benchmarks/bench_train.py --epochs 30 --hidden 64 32``.
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import limit_threads, machine_description, warn_about_environment
from _mlp import MLPSpec, compare
from bench_digits import digits_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[64], help="hidden layer sizes"
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs per library (median)"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="cap BLAS/OpenMP threads"
    )
    args = parser.parse_args()
    warn_about_environment()
    limit_threads(args.threads)

    X, y, X_test, y_test = digits_data()
    dtype = np.dtype(args.dtype).type
    X, X_test = X.astype(dtype), X_test.astype(dtype)
    spec = MLPSpec(
        sizes=(64, *args.hidden, 10),
        activation="relu",
        optimizer=args.optimizer,
        lr=args.lr,
        momentum=0.9 if args.optimizer == "sgd" else 0.0,
        batch_size=args.batch_size,
        epochs=args.epochs,
        dtype=dtype,
    )
    res = compare(
        spec,
        X,
        y,
        X_test,
        y_test,
        args.repeats,
        libs=("nnlib", "sklearn"),
        measure_gemm=False,
    )  # only times and accuracies are printed
    nn, sk = res["nnlib"], res["sklearn"]
    print(f"machine: {machine_description()}")
    print(
        f"digits {len(X)} train / {len(X_test)} test, MLP {'-'.join(map(str, spec.sizes))} ReLU, "
        f"{args.optimizer}(lr={args.lr}), batch {args.batch_size}, {args.epochs} epochs, {args.dtype}, "
        f"median of {args.repeats}"
    )
    print(f"nnlib   {nn.median:7.3f} s   test accuracy {nn.accuracy:.4f}")
    print(f"sklearn {sk.median:7.3f} s   test accuracy {sk.accuracy:.4f}")
    print(
        f"ratio nnlib/sklearn {nn.median / sk.median:.2f} ({'nnlib' if nn.median < sk.median else 'sklearn'} faster)"
    )


if __name__ == "__main__":
    main()
