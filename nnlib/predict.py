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


def predict_proba(model: Layer, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n, k) for inputs ``X`` (n, d).

    A model ending in raw logits (n, k) gets a softmax; one ending in ``Softmax`` is used as
    is. A binary model with one output column gets ``[1 - p, p]`` (n, 2), where ``p`` is the
    output itself after a ``Sigmoid`` and ``sigmoid(output)`` for a logit.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"predict_proba: model must be a Layer such as Sequential(...), got {model!r:.60}")
    X = check_float_array(X, "predict_proba")
    out = model(X)
    if out.ndim == 1:
        out = out.reshape(-1, 1)
    last = _last_layer(model)
    if out.shape[1] == 1:
        p = out[:, 0] if isinstance(last, Sigmoid) else F.sigmoid(out[:, 0])
        return np.column_stack([1 - p, p])
    return out if isinstance(last, Softmax) else F.softmax(out)


def predict(model: Layer, X: np.ndarray) -> np.ndarray:
    """Predicted class labels (n,) for inputs ``X`` (n, d): the most probable class.

    For a regression network, call ``model(X)`` for its raw outputs instead.
    """
    return predict_proba(model, X).argmax(axis=1)
