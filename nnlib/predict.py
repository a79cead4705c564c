"""Step 8, prediction: turn a trained network's outputs into probabilities and labels."""

from __future__ import annotations

import numpy as np

from . import functional as F
from ._validation import (
    check_float_array,
    check_labels,
    check_positive_float,
    check_positive_int,
)
from .layers import Layer, Sequential, Sigmoid, Softmax


def _last_layer(model: Layer) -> Layer:
    while isinstance(model, Sequential) and model.layers:
        model = model.layers[-1]
    return model


def _model_output(model: Layer, X: np.ndarray, where: str) -> np.ndarray:
    """Check the arguments and return the model's output for ``X`` as (n, k)."""
    if not isinstance(model, Layer):
        raise TypeError(
            f"{where}: model must be a Layer such as Sequential(...), got {model!r:.60}"
        )
    X = check_float_array(X, where)
    out = model(X)
    return out.reshape(-1, 1) if out.ndim == 1 else out


def _probabilities(model: Layer, out: np.ndarray) -> np.ndarray:
    last = _last_layer(model)
    if out.shape[1] == 1:
        p = out[:, 0] if isinstance(last, Sigmoid) else F.sigmoid(out[:, 0])
        return np.column_stack([1 - p, p])
    return out if isinstance(last, Softmax) else F.softmax(out)


def predict_proba(model: Layer, X: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Class probabilities (n, k) for inputs ``X`` (n, d).

    A model ending in raw logits (n, k) gets a softmax; one ending in ``Softmax`` is used as
    is. A binary model with one output column gets ``[1 - p, p]`` (n, 2), where ``p`` is the
    output itself after a ``Sigmoid`` and ``sigmoid(output)`` for a logit.

    ``temperature`` T > 0 divides the logits first, ``softmax(Z / T)`` (chapter 8's
    temperature scaling; fit T on validation data with ``fit_temperature``). It needs a model
    that ends in logits, and never changes which class is the most probable.
    """
    where = "predict_proba"
    temperature = check_positive_float(temperature, where, "temperature")
    out = _model_output(model, X, where)
    if temperature != 1.0:
        last = _last_layer(model)
        if isinstance(last, (Softmax, Sigmoid)):
            raise ValueError(
                f"{where}: temperature={temperature} divides logits, but the model ends in "
                f"{type(last).__name__}; drop that last layer"
            )
        out = out / out.dtype.type(temperature)
    return _probabilities(model, out)


def _nll_slope(Z: np.ndarray, y: np.ndarray, beta: float) -> float:
    """d/dbeta of the mean cross-entropy of softmax(beta * Z): mean(E_p[Z] - Z[y])."""
    P = F.softmax(beta * Z)
    return float(np.mean(np.sum(P * Z, axis=1) - Z[np.arange(len(y)), y]))


def fit_temperature(
    logits: np.ndarray,
    y: np.ndarray,
    bounds: tuple[float, float] = (0.01, 100.0),
    iterations: int = 60,
) -> float:
    """The temperature T that minimises the mean cross-entropy of ``softmax(logits / T)``.

    ``logits`` (n, k) are a trained model's outputs on **validation** data (``model(X_val)``),
    ``y`` (n,) their labels; one column (n, 1) is read as a binary logit, as in
    ``predict_proba``. With ``beta = 1 / T`` the loss is convex in beta (a log-sum-exp of
    linear functions minus a linear one), so its slope ``mean(E_p[Z] - Z[y])`` increases with
    beta and bisection on log(beta) finds the single minimum. T is searched in ``bounds``;
    if the minimum lies outside (e.g. every sample right with a margin, where the loss keeps
    falling as T -> 0), the nearer bound is returned. Returns a Python float.
    """
    where = "fit_temperature"
    Z = check_float_array(logits, where, name="logits")
    if Z.shape[1] == 1:
        # softmax([0, z]) = [1 - sigmoid(z), sigmoid(z)]
        Z = np.column_stack([np.zeros_like(Z), Z])
    check_labels(y, where, n_classes=Z.shape[1], name="y")
    if len(y) != len(Z):
        raise ValueError(f"{where}: y has {len(y)} labels for {len(Z)} rows of logits")
    if not (isinstance(bounds, tuple) and len(bounds) == 2):
        raise TypeError(
            f"{where}: bounds must be a tuple (T_min, T_max), got {bounds!r}"
        )
    t_min = check_positive_float(bounds[0], where, "bounds[0]")
    t_max = check_positive_float(bounds[1], where, "bounds[1]")
    if not t_min < t_max:
        raise ValueError(f"{where}: bounds must satisfy T_min < T_max, got {bounds}")
    iterations = check_positive_int(iterations, where, "iterations")
    Z = Z.astype(np.float64)
    lo, hi = np.log(1 / t_max), np.log(1 / t_min)  # log(beta), beta = 1 / T
    if _nll_slope(Z, y, np.exp(lo)) >= 0:
        return t_max
    if _nll_slope(Z, y, np.exp(hi)) <= 0:
        return t_min
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if _nll_slope(Z, y, np.exp(mid)) < 0:
            lo = mid  # the loss still falls: the minimum has a larger beta
        else:
            hi = mid
    return float(1 / np.exp((lo + hi) / 2))


def predict(model: Layer, X: np.ndarray) -> np.ndarray:
    """Predicted class labels (n,) for inputs ``X`` (n, d): the most probable class.

    For a regression network, call ``model(X)`` for its raw outputs instead.
    """
    out = _model_output(model, X, "predict")
    if out.shape[1] > 1:
        # softmax keeps the order within each row, so the largest output is the most probable
        # class whether the model ends in logits or in Softmax: no probabilities needed.
        return out.argmax(axis=1)
    return _probabilities(model, out).argmax(axis=1)
