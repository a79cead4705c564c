"""Fast paths of the softmax, the cross-entropy and the dense layer, proven equal (chapters 3-5).

The layers, losses and functions a learner reads (``nnlib/layers.py``, ``nnlib/losses.py``,
``nnlib/functional.py``) are the chapters' formulas as chapters 3, 4 and 5 write them. The
versions here compute the same numbers with fewer or cheaper numpy calls; each says why it
exists, and ``tests/test_fast.py`` checks it against the readable version in float32 and
float64. Opt in by building the network from these classes, e.g.
``Sequential(FastDense(2, 16), Tanh(), FastDense(16, 2))`` trained with
``FastCrossEntropyLoss()``.

Why each exists. Measured with timeit on this 2-core machine (best of 9 repeats, readable and
fast interleaved, one BLAS thread, other jobs running, so +-30 %), readable -> fast in
microseconds, float32 / float64:

``row_max``, ``row_sum``, and with them ``fast_softmax``, ``fast_log_softmax``
    numpy reduces along a short last axis row by row, paying a call's overhead for every
    row: for 1000 x 2 logits ``z.max(axis=1)`` takes 50 / 52 and ``z.sum(axis=1)`` 22 / 42.
    A running ``np.maximum`` over the few columns (k - 1 whole-column calls) takes 3 / 6, the
    BLAS product ``z @ 1`` 5 / 8. Softmax 82 -> 24 / 193 -> 64 and log-softmax
    90 -> 40 / 216 -> 93 at 1000 x 2; at 40000 x 2 (a 200 x 200 prediction grid) softmax
    3665 -> 616 / 4254 -> 1681, log-softmax 3607 -> 625 / 8074 -> 3016. At 128 x 10 there
    is no reliable difference (20-45 each way): ``row_max`` then uses numpy's own reduction.
``FastCrossEntropyLoss``
    the readable loss takes one exp in ``log_softmax`` for the loss and another in
    ``softmax`` for the gradient, and builds a one-hot matrix (checking the labels again).
    This one takes a single exp in ``forward``, reduces with ``row_max``/``row_sum``, keeps
    the softmax for ``backward`` and subtracts 1 at the targets in place. Forward + backward:
    290 -> 81 / 355 -> 80 at 1000 x 2, 6899 -> 1886 / 20996 -> 5238 at 40000 x 2,
    257 -> 128 / 143 -> 86 at 128 x 10.
``FastDense``
    ``db = grad_out.sum(axis=0)`` is numpy's column reduction, slow for a narrow layer; the
    product ``1^T grad_out`` runs through BLAS: 33 -> 3.5 / 26 -> 3.6 at 1000 x 16,
    7.7 -> 2.8 / 15.5 -> 8.4 at 128 x 256. The vector of ones is kept for the next batch of
    the same size (allocating it each time cost about as much as the product).

Together, one Adam step (fused) of the 2-16-16-2 tanh network on 1000 x 2 moons:
695 -> 463 us in float32 (0.67x), 3086 -> 2618 us in float64 (0.85x).

Dropped, because they gained well under 10 % of a step (so no fast path is kept for them):

* ``Tanh``'s backward built in one scratch array instead of ``grad_out * (1 - y * y)``:
  10.3 -> 9.2 / 27.5 -> 25.2 at 1000 x 16, about 1 us of the 463 us step above per layer.
  ``FastTanh`` is therefore ``Tanh`` itself, a name kept so code written for the fast
  classes reads naturally and keeps working if a fast tanh is ever worth adding.
* ``Dense.forward`` as ``out = x @ W; out += b`` instead of ``x @ W + b``: 763 vs 785 /
  1743 vs 1738 at 128 x 784 @ 784 x 256, 30.0 vs 30.1 at 1000 x 16 @ 16 x 16 (no gain).

How equal (``tests/test_fast.py`` asserts each bound, float32 and float64, for 1 to 1000
classes, batches of 1 to 1000 and logits up to +-1e4). A sum of m terms in BLAS's order and
in numpy's are each within (m - 1) u of the exact sum of the terms' absolute values (u half an
ulp of 1), so they differ by at most ``SUM_ULPS_PER_TERM * m`` ulps of that sum, with
``SUM_ULPS_PER_TERM = 2``:

* ``row_max`` is ``z.max(axis=1, keepdims=True)`` bit for bit (a maximum is exact in any
  order). ``row_sum`` is within ``2 k`` ulps of ``z.sum(axis=1)`` for k columns of positive
  terms; for k <= 3 the two add in the same order and agree bit for bit.
* ``fast_softmax``: within ``2 k`` ulps of each probability (the row sum's relative error
  carried through one division; measured at most ``k / 2``).
* ``fast_log_softmax``: ``log S`` (1 <= S <= k) is off by the row sum's relative error, in
  absolute terms: within ``2 k * spacing(1) + 2 * spacing(value)``.
* ``FastCrossEntropyLoss``: the loss within ``2 k * spacing(1) + (2 log2(n k) + 4)`` ulps of
  the loss (each term's log-softmax bound, then two sums of n positive terms); the gradient
  within ``(2 k * spacing(P) + spacing(P - Y)) / n + spacing(grad)``.
* ``FastDense``: forward, ``dW`` and ``dx`` are the same operations, equal bit for bit;
  ``db`` within ``2 n`` ulps of ``sum(|grad_out|, axis=0)`` over the n rows of the batch.

At the benchmarks' 2 classes the softmax, log-softmax and the cross-entropy's gradient are
therefore equal to the readable ones bit for bit; the loss value can differ in its final
average (numpy 1.26 rounds ``.mean()`` and ``sum() / n`` differently), within the bound above,
and ``db`` by rounding.

When not to use them: they are never wrong, but they gain nothing for short batches with many
classes (128 x 10 for the softmax alone), and the readable classes are the ones the chapters
explain and a learner should read, step through and change.

Saving: ``nnlib.save`` writes a ``FastDense`` as ``"FastDense"`` and ``nnlib.load`` gives back
a ``FastDense`` (it is in ``nnlib.saving.LAYER_TYPES``), so a loaded model has the speed it was
saved with; a plain ``Dense`` loads as a plain ``Dense``. ``FastTanh`` saves as ``Tanh``.
A loss is not part of a saved model.
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from .layers import Dense, Tanh
from .losses import CrossEntropyLoss

__all__ = [
    "SUM_ULPS_PER_TERM",
    "row_max",
    "row_sum",
    "fast_softmax",
    "fast_log_softmax",
    "FastDense",
    "FastTanh",
    "FastCrossEntropyLoss",
]

#: The stated error bound of a sum in BLAS's order against numpy's, in ulps per term added:
#: a sum of m terms is within SUM_ULPS_PER_TERM * m ulps (of the sum of their absolute values).
SUM_ULPS_PER_TERM = 2


def row_max(z: np.ndarray) -> np.ndarray:
    """The largest entry of each row of ``z`` (n, k), as a column (n, 1); = ``z.max(axis=1)``."""
    # numpy reduces along a short last axis row by row: z.max(axis=1) takes ~50 us for
    # 1000 x 2 logits. A running elementwise maximum over the few columns a classifier has
    # does the same in k - 1 vectorized calls, ten times faster. Each call costs ~1 us, so
    # for a short batch with many classes (128 x 10) the row-by-row reduction still wins.
    n, k = z.shape
    if k > 16 or n < 32 * k:
        return z.max(axis=1, keepdims=True)
    m = z[:, 0].copy()
    for j in range(1, k):
        np.maximum(m, z[:, j], out=m)
    return m[:, None]


def row_sum(z: np.ndarray) -> np.ndarray:
    """The sum of each row of ``z`` (n, k), as a column (n, 1); ``z.sum(axis=1)`` within ulps."""
    # z @ 1 sums the rows through BLAS: several times faster than z.sum(axis=1) when k is small.
    return (z @ np.ones(z.shape[1], dtype=z.dtype))[:, None]


def fast_softmax(z: np.ndarray) -> np.ndarray:
    """``functional.softmax`` of logits ``z`` (n, k) -> (n, k), reduced with row_max/row_sum."""
    z = F._logits_2d(z, "fast_softmax")
    e = np.exp(z - row_max(z))
    # In place: the exponentials are ours, so no second (n, k) array is needed.
    e /= row_sum(e)
    return e


def fast_log_softmax(z: np.ndarray) -> np.ndarray:
    """``functional.log_softmax`` of logits ``z`` (n, k) -> (n, k), reduced with row_max/row_sum."""
    z = F._logits_2d(z, "fast_log_softmax")
    shifted = z - row_max(z)
    return shifted - np.log(row_sum(np.exp(shifted)))


class FastDense(Dense):
    """``Dense`` whose bias gradient is the BLAS product ``1^T grad_out``; same constructor.

    Forward, ``dW`` and ``dx`` are ``Dense``'s own code; only ``db`` is computed differently
    (within the bound in this module's docstring of ``grad_out.sum(axis=0)``).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._ones: np.ndarray | None = None  # the vector of ones for db = 1^T grad_out

    def backward_params(self, grad_out: np.ndarray) -> None:
        """dW = x^T @ grad_out (in, out); db = 1^T grad_out (out,)."""
        grad_out = self._check_backward(grad_out)
        np.matmul(self._x.T, grad_out, out=self.grads["W"])
        # BLAS sums the columns several times faster than np.sum(axis=0) for narrow layers.
        # The ones are kept for the next batch of the same size: allocating them each time
        # cost about as much as the product itself.
        ones = self._ones
        if ones is None or len(ones) != len(grad_out) or ones.dtype != grad_out.dtype:
            ones = self._ones = np.ones(len(grad_out), dtype=grad_out.dtype)
        np.matmul(ones, grad_out, out=self.grads["b"])

    def __repr__(self) -> str:
        return f"FastDense({self.in_features} -> {self.out_features})"


#: ``Tanh`` itself: its one-scratch-array backward saved about 1 us of a ~460 us step, too
#: little to keep a second version for (see the module docstring).
FastTanh = Tanh


class FastCrossEntropyLoss(CrossEntropyLoss):
    """``CrossEntropyLoss`` with one exp for the loss and the gradient; same results.

    ``forward`` computes ``log P = (z - max) - log(sum(exp(z - max)))`` itself and keeps
    ``P = exp(z - max) / sum`` for ``backward``, which then only subtracts the targets.
    """

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """pred (logits) (n, k), target (n,) labels or (n, k) probabilities -> float."""
        logits, target = self._check_inputs(pred, target)
        n = len(logits)
        shifted = logits - row_max(logits)
        e = np.exp(shifted)
        sum_e = row_sum(e)
        log_sum_e = np.log(sum_e)
        if target.ndim == 1:
            # Only the target class's log-probability is needed, not the whole (n, k) log p;
            # -(shifted - log_sum_e) is exactly log_sum_e - shifted. (sum / n rather than
            # .mean(): the same number, without mean's ~6 us of Python.)
            loss = (log_sum_e[:, 0] - shifted[np.arange(n), target]).sum() / n
        else:
            loss = -(target * (shifted - log_sum_e)).sum() / n
        e /= sum_e  # now softmax(z), kept for backward instead of recomputing the exp
        self._cache = (e, target)
        return float(loss)

    def backward(self) -> np.ndarray:
        """(softmax(z) - y) / n, (n, k), from the softmax kept by ``forward``."""
        self._need_forward()
        p, target = self._cache
        n = len(p)
        # A new array each call (backward may be called twice). p - 1 at the targets and
        # then / n: the same operations as the readable (P - one_hot) / n, so the same bits.
        if target.ndim == 1:
            grad = p.copy()
            grad[np.arange(n), target] -= 1
        else:
            grad = p - target
        grad /= n
        return grad
