"""The same MLP classifier trained three ways: nnlib, PyTorch (CPU) and scikit-learn.

Each ``prepare_*`` function builds the model and optimizer from the *same* initial weights
(outside the timed region) and returns a ``train()`` closure that runs the whole training and
returns a ``predict(X) -> labels`` function. Only ``train()`` is timed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from _common import LIBS, LibResult, gemm_rate, load_torch, nl, time_runs

from nnlib.fast import FastCrossEntropyLoss, row_max, row_sum

Predictor = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class MLPSpec:
    """Architecture and training recipe shared by all three libraries."""

    sizes: tuple[int, ...]  # (in, hidden..., classes)
    activation: str  # "relu" or "tanh"
    optimizer: str  # "sgd" (with momentum) or "adam"
    lr: float
    batch_size: int
    epochs: int
    momentum: float = 0.0
    dtype: type = np.float32
    seed: int = 0


def initial_weights(spec: MLPSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """One (W (in, out), b (out,)) pair per layer, drawn once by ``nl.build_mlp``."""
    # One init for every layer (the output layer too), so that the recipe is easy to state for
    # all three libraries.
    init = "he_normal" if spec.activation == "relu" else "xavier_uniform"
    model = nl.build_mlp(
        spec.sizes, spec.activation, init=init, rng=spec.seed, dtype=spec.dtype
    )
    return [(d.W.copy(), d.b.copy()) for d in model if isinstance(d, nl.Dense)]


# ---------------------------------------------------------------------------- nnlib


def nnlib_setup(
    spec: MLPSpec, weights
) -> tuple[nl.Sequential, nl.Optimizer, FastCrossEntropyLoss]:
    """nnlib's model (from ``weights``), optimizer and loss for ``spec``, ready for ``nl.fit``."""
    # nnlib's fast paths (nnlib/fast.py: the same network and loss, tested equal, with fewer
    # numpy calls per step), as a user after speed would train.
    model = nl.build_mlp(
        spec.sizes, spec.activation, init="zeros", dtype=spec.dtype, fast=True
    )
    for dense, (W, b) in zip(
        [d for d in model if isinstance(d, nl.Dense)], weights, strict=True
    ):
        dense.W, dense.b = W, b  # copies into the layer's arrays
    # SGD with the spec's momentum, or Adam on the fused path (nnlib/fused.py), which saves
    # most of a step's numpy calls on the small Adam networks (the widgets' choice too).
    if spec.optimizer == "sgd":
        opt = nl.SGD(model.parameters(), lr=spec.lr, momentum=spec.momentum)
    else:
        opt = nl.Adam(model.parameters(), lr=spec.lr, fused=True)
    return model, opt, FastCrossEntropyLoss()


def prepare_nnlib(
    spec: MLPSpec, weights, X: np.ndarray, y: np.ndarray
) -> Callable[[], Predictor]:
    model, opt, loss = nnlib_setup(spec, weights)

    def train() -> Predictor:
        nl.fit(
            model,
            loss,
            opt,
            X,
            y,
            epochs=spec.epochs,
            batch_size=spec.batch_size,
            rng=spec.seed,
            progress=False,
        )
        return lambda Xq: nl.predict(model, Xq)

    return train


# ---------------------------------------------------------------------------- numpy floor


def floor_train(
    spec: MLPSpec, weights, X: np.ndarray, y: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """nnlib's training of ``spec`` in the fewest numpy calls; returns the trained (W, b) pairs.

    The floor under nnlib's time: the arithmetic of ``nl.fit`` with nnlib's fast layers, loss
    and ``SGD`` (the same operations on the same values, in the same order per element, so the
    same weights bit for bit, which ``tests/test_benchmarks.py`` checks), without anything a
    library adds around it: no checks, no loss value or accuracy for a history, no divergence
    test, every array allocated once and reused (``out=``, in place). What nnlib takes beyond
    this is its overhead; what this takes beyond the GEMMs is numpy's single-threaded
    elementwise work (bias, ReLU, softmax, the momentum update) and the batch gather.
    ReLU networks trained with SGD only (workload 1).
    """
    if spec.activation != "relu" or spec.optimizer != "sgd":
        raise ValueError(
            f"floor_train: ReLU networks with SGD only, got {spec.activation!r} and "
            f"{spec.optimizer!r}"
        )
    Ws = [W.copy() for W, _ in weights]
    bs = [b.copy() for _, b in weights]
    params = [p for pair in zip(Ws, bs) for p in pair]
    n, B, last = len(X), spec.batch_size, len(Ws) - 1
    dtype = spec.dtype
    # Every buffer once: activations, their gradients, the parameter gradients, the
    # velocities and one scratch per parameter for lr * v.
    hs = [np.empty((B, W.shape[1]), dtype) for W in Ws]
    grads_in = [np.empty((B, W.shape[0]), dtype) for W in Ws]
    dparams = [np.empty_like(p) for p in params]
    velocity: list[np.ndarray | None] = [None] * len(params)
    scratch = [np.empty_like(p) for p in params]
    ones_b = np.ones(B, dtype)
    rng = np.random.default_rng(spec.seed)  # the stream nl.fit(rng=seed) shuffles with
    for _ in range(spec.epochs):
        order = rng.permutation(n)
        for start in range(0, n, B):
            idx = order[start : start + B]
            nb = len(idx)
            xb, yb = X.take(idx, axis=0), y.take(idx, axis=0)
            # Forward: h = x @ W + b, ReLU in place on all but the last layer.
            a = xb
            for i, (W, b) in enumerate(zip(Ws, bs)):
                h = hs[i][:nb]
                np.matmul(a, W, out=h)
                h += b
                if i < last:
                    np.maximum(h, 0, out=h)
                a = h
            # Softmax cross-entropy's gradient (P - Y) / n, as FastCrossEntropyLoss has it.
            z = a
            z -= row_max(z)
            np.exp(z, out=z)
            z /= row_sum(z)
            z[np.arange(nb), yb] -= 1
            z /= nb
            # Backward: dW = x^T g, db = 1^T g; g @ W^T times the ReLU mask (h > 0 where the
            # pre-activation was > 0) for the layer below; no input gradient for layer 0.
            g = z
            for i in range(last, -1, -1):
                x_in = hs[i - 1][:nb] if i else xb
                np.matmul(x_in.T, g, out=dparams[2 * i])
                np.matmul(ones_b[:nb], g, out=dparams[2 * i + 1])
                if i:
                    g_below = grads_in[i][:nb]
                    np.matmul(g, Ws[i].T, out=g_below)
                    np.multiply(g_below, x_in > 0, out=g_below)
                    g = g_below
            # SGD with momentum, as SGD._update: v = g first, then v = m v + g; w -= lr v.
            for j, (w, dw) in enumerate(zip(params, dparams)):
                v = velocity[j]
                if spec.momentum:
                    if v is None:
                        v = velocity[j] = dw.copy()
                    else:
                        v *= spec.momentum
                        v += dw
                else:
                    v = dw
                np.multiply(v, spec.lr, out=scratch[j])
                w -= scratch[j]
    return list(zip(Ws, bs))


def prepare_floor(
    spec: MLPSpec, weights, X: np.ndarray, y: np.ndarray
) -> Callable[[], Predictor]:
    # nnlib's network, only to predict with the floor's weights: built here and filled in
    # by the predictor, so that neither is part of the timed training.
    model, _, _ = nnlib_setup(spec, weights)
    dense = [d for d in model if isinstance(d, nl.Dense)]

    def train() -> Predictor:
        trained = floor_train(spec, weights, X, y)

        def predict(Xq: np.ndarray) -> np.ndarray:
            for layer, (W, b) in zip(dense, trained, strict=True):
                layer.W, layer.b = W, b
            return nl.predict(model, Xq)

        return predict

    return train


# ---------------------------------------------------------------------------- PyTorch


def prepare_torch(
    spec: MLPSpec, weights, X: np.ndarray, y: np.ndarray
) -> Callable[[], Predictor]:
    torch = load_torch()
    nn = torch.nn
    layers: list = []
    for j, (W, b) in enumerate(weights):
        lin = nn.Linear(
            W.shape[0],
            W.shape[1],
            dtype=torch.float32 if spec.dtype == np.float32 else torch.float64,
        )
        with torch.no_grad():
            # torch stores Linear weights as (out, in): the transpose of nnlib's W.
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if j < len(weights) - 1:
            layers.append(nn.ReLU() if spec.activation == "relu" else nn.Tanh())
    model = nn.Sequential(*layers)
    if spec.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=spec.lr, momentum=spec.momentum)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=spec.lr)
    loss_fn = nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(spec.seed)

    def train() -> Predictor:
        n, bs = len(Xt), spec.batch_size
        for _ in range(spec.epochs):
            order = torch.randperm(n, generator=gen)
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                opt.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                opt.step()

        def predict(Xq: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                return model(torch.from_numpy(Xq)).argmax(dim=1).numpy()

        return predict

    return train


# ---------------------------------------------------------------------------- scikit-learn


def prepare_sklearn(
    spec: MLPSpec, weights, X: np.ndarray, y: np.ndarray
) -> Callable[[], Predictor]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=spec.sizes[1:-1],
        activation=spec.activation,
        solver=spec.optimizer,
        alpha=0.0,
        batch_size=spec.batch_size,
        learning_rate="constant",
        learning_rate_init=spec.lr,
        momentum=spec.momentum,
        nesterovs_momentum=False,
        shuffle=True,
        random_state=spec.seed,
        max_iter=1,
        # No early stop: every library runs exactly spec.epochs epochs.
        tol=0.0,
        n_iter_no_change=spec.epochs + 1,
        # warm_start keeps the weights we put in coefs_ below instead of drawing new ones.
        warm_start=True,
    )
    # scikit-learn has no way to pass initial weights, so fit one epoch on a slice that holds
    # every class (sets up shapes and classes_), then overwrite the weights with ours.
    first = np.concatenate([np.flatnonzero(y == c)[:2] for c in np.unique(y)])
    with warnings.catch_warnings():
        # One epoch on a few rows: it "does not converge" and clips batch_size, as intended.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        clf.fit(X[first], y[first])
    coefs = [W.copy() for W, _ in weights]
    intercepts = [b.copy() for _, b in weights]
    if len(clf.classes_) == 2:
        # Binary: scikit-learn uses one logistic output; sigmoid(z1 - z0) equals softmax(z)[1],
        # so the difference of the two output columns gives the very same initial network.
        coefs[-1] = coefs[-1][:, 1:] - coefs[-1][:, :1]
        intercepts[-1] = intercepts[-1][1:] - intercepts[-1][:1]
    clf.coefs_, clf.intercepts_ = coefs, intercepts
    clf.set_params(max_iter=spec.epochs)

    def train() -> Predictor:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        return clf.predict

    return train


def _then_predict(
    train: Callable[[], Predictor], X_pred: np.ndarray
) -> Callable[[], Predictor]:
    def train_and_predict() -> Predictor:
        predictor = train()
        predictor(X_pred)
        return predictor

    return train_and_predict


PREPARE = {
    "nnlib": prepare_nnlib,
    "pytorch": prepare_torch,
    "sklearn": prepare_sklearn,
    "numpy floor": prepare_floor,
}


def compare(
    spec: MLPSpec,
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    repeats: int,
    libs: tuple[str, ...] = LIBS,
    timed_predict: np.ndarray | None = None,
    measure_gemm: bool = True,
) -> dict[str, LibResult]:
    """Train every library ``repeats`` times from the same initial weights; time each training.

    Runs are interleaved (nnlib, torch, sklearn, nnlib, ...) so that a burst of load from
    elsewhere on a shared machine hits all libraries alike. Accuracy is on the test set after
    the last run (every run of a library is the same computation). With ``timed_predict``,
    predicting labels for those inputs is part of the timed work (the widget's grid).
    With ``measure_gemm``, the GEMM rate at the spec's shapes is measured for ~0.1 s just before
    and after every run (untimed); the mean of the two goes to ``gemm_rates``, so each run is
    judged against its own moment.
    """
    weights = initial_weights(spec)

    def gemm_probe() -> float:
        return gemm_rate(
            spec.sizes, spec.batch_size, dtype=spec.dtype, min_time=0.1, repeats=3
        )

    results = {lib: LibResult(lib) for lib in libs}
    if "pytorch" in results and load_torch() is None:
        results["pytorch"] = LibResult(
            "pytorch", available=False, note="torch not installed"
        )
    predictors: dict[str, Predictor] = {}
    for _ in range(repeats):
        for lib, res in results.items():
            if not res.available:
                continue
            train = PREPARE[lib](spec, weights, X, y)
            if timed_predict is not None:
                train = _then_predict(train, timed_predict)
            before = gemm_probe() if measure_gemm else None
            times, predictors[lib] = time_runs(train, 1)
            res.times += times
            # PyTorch's OpenMP threads keep spinning briefly after its last parallel region;
            # a short pause keeps them from stealing the cores of what runs next.
            time.sleep(0.2)
            if measure_gemm:
                res.gemm_rates.append((before + gemm_probe()) / 2)
    for lib, predict in predictors.items():
        results[lib].accuracy = float(np.mean(predict(X_test) == y_test))
    return results
