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

from nnlib.fast import FastCrossEntropyLoss
from nnlib.viz._training import build_optimizer

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


def prepare_nnlib(
    spec: MLPSpec, weights, X: np.ndarray, y: np.ndarray
) -> Callable[[], Predictor]:
    # nnlib's fast paths (nnlib/fast.py: the same network and loss, tested equal, with fewer
    # numpy calls per step), as a user after speed would train.
    model = nl.build_mlp(
        spec.sizes, spec.activation, init="zeros", dtype=spec.dtype, fast=True
    )
    for dense, (W, b) in zip(
        [d for d in model if isinstance(d, nl.Dense)], weights, strict=True
    ):
        dense.W, dense.b = W, b  # copies into the layer's arrays
    # The widgets' optimizers by name: "sgd" with the spec's momentum, or Adam on the fused path
    # (nnlib/fused.py), which saves most of a step's numpy calls on the small Adam networks.
    opt = build_optimizer(
        spec.optimizer,
        model,
        spec.lr,
        momentum=spec.momentum if spec.optimizer == "sgd" else None,
    )
    loss = FastCrossEntropyLoss()

    def train() -> Predictor:
        nl.fit(
            model,
            loss,
            opt,
            X,
            y,
            epochs=spec.epochs,
            batch_size=spec.batch_size,
            seed=spec.seed,
            progress=False,
        )
        return lambda Xq: nl.predict(model, Xq)

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


PREPARE = {"nnlib": prepare_nnlib, "pytorch": prepare_torch, "sklearn": prepare_sklearn}


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
