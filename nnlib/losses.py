"""Step 4, loss: how wrong a batch of predictions is, and dLoss/dprediction.

``loss(pred, target)`` returns a Python float averaged like PyTorch's default
``reduction="mean"``; ``loss.backward()`` returns the gradient for the last call, shaped like
``pred``. To add a loss, subclass ``Loss`` and write ``forward`` and ``backward``.

Each loss is chapter 4's formula and its gradient in the chapter's notation (for
cross-entropy, ``-mean(log P[i, y_i])`` with ``log P`` the stable log-softmax, and the
gradient ``(P - Y) / n`` of chapters 4 and 5). The fast path, ``FastCrossEntropyLoss``
(one ``exp`` serving both the loss and its gradient), lives apart in ``nnlib/fast.py``,
tested to give the same numbers.
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from ._validation import check_float_array, check_labels
from .data import one_hot


class Loss:
    """Base class: ``forward(pred, target) -> float`` and ``backward() -> dL/dpred``."""

    #: Classification losses let ``fit`` report accuracy as well as the loss.
    is_classification = False

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """Mean loss of predictions ``pred`` (n, ...) against ``target``, a float."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement forward(pred, target)"
        )

    def backward(self) -> np.ndarray:
        """dLoss/dpred for the last ``forward`` call, same shape as ``pred``."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        return self.forward(pred, target)

    def predicted_labels(self, pred: np.ndarray) -> np.ndarray:
        """Class labels (n,) that the outputs ``pred`` stand for (classification losses only)."""
        raise TypeError(f"{type(self).__name__} is not a classification loss")

    def _need_forward(self) -> None:
        if getattr(self, "_cache", None) is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward called before the loss was computed"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _check_pred(
    pred: object, where: str, name: str = "pred", ndim: int | tuple[int, ...] = (1, 2)
) -> np.ndarray:
    pred = check_float_array(pred, where, name=name, ndim=ndim, finite=False)
    if not np.isfinite(pred).all():
        raise ValueError(
            f"{where}: {name} contains NaN or inf; the network's output is not finite "
            f"(during training this usually means the learning rate is too large)"
        )
    return pred


def _target_like(pred: np.ndarray, target: object, where: str) -> np.ndarray:
    """Return ``target`` as an array of ``pred``'s shape and dtype, or raise."""
    if not isinstance(target, np.ndarray):
        raise TypeError(
            f"{where}: target must be a numpy array, got {type(target).__name__}"
        )
    if target.dtype.kind not in "fiub":
        raise TypeError(f"{where}: target must be numeric, got dtype {target.dtype}")
    # A (n,) target for a (n, 1) output is what a learner naturally writes; reshape it
    # explicitly rather than let broadcasting turn it into an (n, n) matrix.
    if (
        target.shape != pred.shape
        and pred.ndim == 2
        and pred.shape[1] == 1
        and target.shape == pred.shape[:1]
    ):
        target = target.reshape(-1, 1)
    if target.shape != pred.shape:
        raise ValueError(
            f"{where}: target must have the shape of pred {pred.shape}, got {target.shape}"
        )
    target = target.astype(pred.dtype, copy=False)
    if not np.isfinite(target).all():
        raise ValueError(f"{where}: target contains NaN or inf")
    return target


class MSELoss(Loss):
    """Mean squared error over all elements: ``mean((pred - target)^2)``, like ``torch.nn.MSELoss``."""

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """pred, target: (n,) or (n, d) -> float."""
        pred = _check_pred(pred, "MSELoss")
        target = _target_like(pred, target, "MSELoss")
        diff = pred - target
        self._cache = diff
        return float(np.mean(diff * diff))

    def backward(self) -> np.ndarray:
        """2 (pred - target) / N, with N the number of elements; shape of ``pred``."""
        self._need_forward()
        diff = self._cache
        return diff * (2 / diff.size)


def _check_binary(target: np.ndarray, where: str) -> None:
    if ((target < 0) | (target > 1)).any():
        raise ValueError(
            f"{where}: targets must be in [0, 1], got values in [{target.min()}, {target.max()}]"
        )


def _binary_labels(pred: np.ndarray, threshold: float) -> np.ndarray:
    return (pred.reshape(len(pred), -1)[:, 0] > threshold).astype(np.int64)


class BCELoss(Loss):
    """Binary cross-entropy on probabilities ``p`` in [0, 1] (e.g. after ``Sigmoid``).

    ``-mean(y log p + (1 - y) log(1 - p))``; like PyTorch the logs are clamped at -100 so a
    confident mistake gives a large finite loss, not inf.
    """

    is_classification = True

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """pred (probabilities), target (0/1 or in [0, 1]): (n,) or (n, 1) -> float."""
        pred = _check_pred(pred, "BCELoss")
        target = _target_like(pred, target, "BCELoss")
        if ((pred < 0) | (pred > 1)).any():
            raise ValueError(
                "BCELoss: pred must be probabilities in [0, 1]; for raw scores (logits) use BCEWithLogitsLoss"
            )
        _check_binary(target, "BCELoss")
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(pred), -100)
            log_1mp = np.maximum(np.log1p(-pred), -100)
        self._cache = (pred, target)
        return float(-np.mean(target * log_p + (1 - target) * log_1mp))

    def backward(self) -> np.ndarray:
        """(p - y) / (p (1 - p)) / N, the denominator kept away from 0 as PyTorch does.

        N is the number of elements; the result has ``pred``'s shape, (n,) or (n, 1).
        """
        self._need_forward()
        p, y = self._cache
        denom = np.maximum(p * (1 - p), 1e-12)
        return (p - y) / denom / p.size

    def predicted_labels(self, pred: np.ndarray) -> np.ndarray:
        return _binary_labels(pred, 0.5)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits ``z`` (raw scores): sigmoid and BCE fused stably.

    Per element ``max(z, 0) - z y + log(1 + exp(-|z|))``, which equals
    ``-(y log s(z) + (1 - y) log(1 - s(z)))`` but never overflows.
    """

    is_classification = True

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """pred (logits), target (0/1 or in [0, 1]): (n,) or (n, 1) -> float."""
        z = _check_pred(pred, "BCEWithLogitsLoss")
        target = _target_like(z, target, "BCEWithLogitsLoss")
        _check_binary(target, "BCEWithLogitsLoss")
        self._cache = (z, target)
        return float(
            np.mean(np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z))))
        )

    def backward(self) -> np.ndarray:
        """(sigmoid(z) - y) / N, N the number of elements; ``pred``'s shape, (n,) or (n, 1)."""
        self._need_forward()
        z, y = self._cache
        return (F.sigmoid(z) - y) / z.size

    def predicted_labels(self, pred: np.ndarray) -> np.ndarray:
        return _binary_labels(pred, 0.0)


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits (n, k), averaged over the batch, like PyTorch's.

    ``target`` is either integer labels (n,) in ``[0, k)`` or class probabilities (n, k),
    e.g. one-hot rows. The softmax is inside the loss: give it raw scores, not probabilities.
    """

    is_classification = True

    def _check_inputs(
        self, pred: np.ndarray, target: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Logits (n, k) and target, labels (n,) or probabilities (n, k), checked."""
        where = type(self).__name__  # FastCrossEntropyLoss reports its own name
        logits = _check_pred(pred, where, name="pred (logits)", ndim=2)
        n, k = logits.shape
        if not isinstance(target, np.ndarray):
            raise TypeError(
                f"{where}: target must be a numpy array, got {type(target).__name__}"
            )
        if target.ndim == 1:
            check_labels(target, where, n_classes=k, name="target")
            if len(target) != n:
                raise ValueError(
                    f"{where}: target has {len(target)} labels for {n} rows of logits"
                )
        else:
            target = _target_like(logits, target, where)
        return logits, target

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """pred (logits) Z (n, k), target (n,) labels or (n, k) probabilities -> float.

        ``-mean(log P[i, y_i])`` for labels, ``-sum(Y * log P) / n`` for probabilities,
        with ``log P = log_softmax(Z)``, exact for logits of any size.
        """
        Z, target = self._check_inputs(pred, target)
        n = len(Z)
        log_P = F.log_softmax(Z)  # (n, k)
        if target.ndim == 1:
            loss = -log_P[np.arange(n), target].mean()  # pick log P[i, y_i] in each row
        else:
            loss = -(target * log_P).sum() / n
        self._cache = (Z, target)
        return float(loss)

    def backward(self) -> np.ndarray:
        """(softmax(Z) - Y) / n, (n, k): the softmax and log cancel into this simple form.

        ``Y`` is the one-hot encoding of label targets, or the probability targets as given.
        A new array each call, so calling ``backward`` twice gives the same result twice.
        """
        self._need_forward()
        Z, target = self._cache
        n, k = Z.shape
        P = F.softmax(Z)  # (n, k)
        Y = one_hot(target, k, dtype=P.dtype) if target.ndim == 1 else target
        return (P - Y) / n

    def predicted_labels(self, pred: np.ndarray) -> np.ndarray:
        return pred.argmax(axis=1)
