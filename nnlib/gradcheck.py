"""Step 5, backpropagation checked: compare analytic gradients with finite differences.

The central difference ``(L(w + eps) - L(w - eps)) / (2 eps)`` has error O(eps^2), so in
float64 it agrees with a correct backward pass to about 1e-8 or better. Use float64 models:
in float32 rounding error swamps the difference.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ._validation import FLOAT_DTYPES, check_finite_input, check_positive_float
from .layers import Layer
from .losses import Loss


def numerical_grad(
    f: Callable[[], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``x`` is perturbed in place, one element at a time, and restored; ``f`` must read it.
    Returns an array shaped like ``x``. ``eps`` is the step that chapter 5 and the notation
    page call delta: ``(f(x + delta e_i) - f(x - delta e_i)) / (2 delta)`` for each entry i.
    """
    if not callable(f):
        raise TypeError(
            f"numerical_grad: f must be callable as f() -> float, got {type(f).__name__}"
        )
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"numerical_grad: x must be a numpy array (the parameter itself), got {type(x).__name__}"
        )
    if x.dtype not in FLOAT_DTYPES:
        # x + eps would be rounded back to x in an integer array: every difference would be 0.
        raise TypeError(
            f"numerical_grad: x must be a float array to be perturbed, got {x.dtype}"
        )
    eps = check_positive_float(eps, "numerical_grad", "eps")
    probe = f()
    if isinstance(probe, np.ndarray) and probe.ndim == 0:
        probe = probe[()]
    if isinstance(probe, bool) or not isinstance(probe, numbers.Real):
        raise TypeError(
            f"numerical_grad: f must return a scalar (such as a loss value), got {type(probe).__name__}"
            + (f" of shape {probe.shape}" if isinstance(probe, np.ndarray) else "")
        )
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)  # a view: writing to it changes x
    if not np.shares_memory(flat, x):
        raise ValueError(
            "numerical_grad: x must be contiguous so it can be perturbed in place"
        )
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = f()
        flat[i] = original - eps
        f_minus = f()
        flat[i] = original
        grad.reshape(-1)[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)``; 0 when both are 0. ``a`` and ``b`` have the same shape."""
    a, b = np.asarray(a), np.asarray(b)
    for name, arr in (("a", a), ("b", b)):
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"relative_error: {name} must be a numeric array, got dtype {arr.dtype}"
            )
        if not np.isfinite(arr).all():
            raise ValueError(f"relative_error: {name} contains NaN or inf")
    if a.shape != b.shape:
        raise ValueError(
            f"relative_error: a and b must have the same shape, got {a.shape} and {b.shape}"
        )
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradcheck(
    model: Layer, loss: Loss, X: np.ndarray, y: np.ndarray, eps: float = 1e-6
) -> float:
    """Max relative error between backprop and finite-difference gradients of all parameters.

    ``X`` (n, d) and ``y`` (targets as ``loss`` takes them, e.g. (n,) labels) are one batch.

    For each parameter array the error is ``||analytic - numeric|| / (||analytic|| + ||numeric||)``;
    the largest over all arrays is returned. Below 1e-6 (float64) means backward is right.
    """
    if not isinstance(model, Layer):
        raise TypeError(
            f"gradcheck: model must be a Layer (e.g. Sequential), got {type(model).__name__}"
        )
    if not isinstance(loss, Loss):
        raise TypeError(f"gradcheck: loss must be a Loss, got {type(loss).__name__}")
    params = model.parameters()
    if not params:
        raise ValueError(f"gradcheck: {model!r} has no parameters to check")
    eps = check_positive_float(eps, "gradcheck", "eps")
    check_finite_input(X, "gradcheck", "X")

    loss(model(X), y)
    model.backward(loss.backward())
    analytic = [p.grad.copy() for p in params]

    def objective() -> float:
        return loss(model(X), y)

    worst = 0.0
    for p, a in zip(params, analytic):
        numeric = numerical_grad(objective, p.value, eps)
        worst = max(worst, relative_error(a, numeric))
    return worst
