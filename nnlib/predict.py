"""Step 8, prediction: turn a trained network's outputs into probabilities and labels."""
from __future__ import annotations

import numpy as np

from . import functional as F
from ._validation import check_float_array
from .layers import Layer, Sequential, Sigmoid, Softmax


def _last_layer(model: Layer) -> Layer:
    while isinstance(model, Sequential) and model.layers:
        model = model.layers[-1]
    return model


def _model_output(model: Layer, X: np.ndarray, where: str) -> np.ndarray:
    """Check the arguments and return the model's output for ``X`` as (n, k)."""
    if not isinstance(model, Layer):
        raise TypeError(f"{where}: model must be a Layer such as Sequential(...), got {model!r:.60}")
    X = check_float_array(X, where)
    out = model(X)
    return out.reshape(-1, 1) if out.ndim == 1 else out


def _probabilities(model: Layer, out: np.ndarray) -> np.ndarray:
    last = _last_layer(model)
    if out.shape[1] == 1:
        p = out[:, 0] if isinstance(last, Sigmoid) else F.sigmoid(out[:, 0])
        return np.column_stack([1 - p, p])
    return out if isinstance(last, Softmax) else F.softmax(out)


def predict_proba(model: Layer, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, k) for inputs ``X`` (n, d).

    A model ending in raw logits (n, k) gets a softmax; one ending in ``Softmax`` is used as
    is. A binary model with one output column gets ``[1 - p, p]`` (n, 2), where ``p`` is the
    output itself after a ``Sigmoid`` and ``sigmoid(output)`` for a logit.
    """
    return _probabilities(model, _model_output(model, X, "predict_proba"))


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
