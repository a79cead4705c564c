"""Step 7, the training loop: epochs of mini-batches of forward, loss, backward, step.

``fit`` is that loop with the bookkeeping a real run needs: per-epoch history, validation,
early stopping, a progress bar, callbacks, and a clear stop when training diverges.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ._validation import (
    as_rng,
    check_float_array,
    check_non_negative_float,
    check_positive_int,
    check_same_length,
)
from .data import minibatches
from .layers import Layer, Sequential
from .losses import Loss
from .optim import Optimizer


@dataclass
class History:
    """Per-epoch record of a ``fit`` run; accuracies are filled for classification losses."""

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    #: Epoch (1-based) with the best monitored loss, and whether early stopping ended the run.
    best_epoch: int | None = None
    stopped_early: bool = False
    #: A callback may set this to True to end training after the current epoch.
    stop_training: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return len(self.loss)


def _check_targets(y: object, n: int, where: str) -> np.ndarray:
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{where}: y must be a numpy array, got {type(y).__name__}")
    if y.ndim == 0:
        raise ValueError(f"{where}: y must have one entry per sample (1-D labels or 2-D targets), got a 0-D array")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: y must hold numbers (integer labels or float targets), got dtype {y.dtype}")
    if y.dtype.kind in "fc" and not np.isfinite(y).all():
        raise ValueError(f"{where}: y contains NaN or inf")
    if len(y) != n:
        raise ValueError(f"{where}: X and y must have the same number of samples, got {n} and {len(y)}")
    return y


def _diverged(what: str, optimizer: Optimizer) -> FloatingPointError:
    lr = getattr(optimizer, "lr", None)
    suggestion = f"try a smaller learning rate (lr={lr:g} now, e.g. lr={lr / 10:g})" if lr else \
        "try a smaller learning rate"
    return FloatingPointError(
        f"fit: training diverged, {what}. The updates grew too large: "
        f"{suggestion}, standardize the inputs, or use a smaller init."
    )


def _checked_loss(model: Layer, loss: Loss, X: np.ndarray, y: np.ndarray, optimizer: Optimizer,
                  where: str) -> tuple[np.ndarray, float]:
    """Forward pass and loss; the divergence error if either is NaN or inf.

    ``X`` must already have been checked for NaN/inf (``fit`` checks X and X_val once).
    """
    out = model._forward_checked_input(X) if isinstance(model, Sequential) else model(X)
    # Checked before the loss, which would reject a non-finite output with a less useful error.
    if not np.isfinite(out).all():
        raise _diverged(f"the network's output became NaN or inf {where}", optimizer)
    value = loss(out, y)
    if not np.isfinite(value):
        raise _diverged(f"the loss became {value} {where}", optimizer)
    return out, value


def fit(
    model: Layer,
    loss: Loss,
    optimizer: Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    batch_size: int = 32,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    shuffle: bool = True,
    seed: int = 0,
    tol: float | None = None,
    patience: int | None = None,
    callbacks: Iterable[Callable[[int, History], object]] = (),
    progress: bool = True,
    batch_callbacks: Iterable[Callable[[int, int, float], object]] = (),
) -> History:
    """Train ``model`` on ``X`` (n, d) and targets ``y`` for ``epochs`` passes; return the History.

    Each epoch shuffles (seeded by ``seed``; skipped when one batch holds every sample, where
    order does not matter), then for every mini-batch runs forward, the loss, backward and
    ``optimizer.step()``. ``history.loss``/``accuracy`` are averages over the epoch's batches;
    ``val_loss``/``val_accuracy`` are computed on ``validation_data`` after it.

    Early stopping: with ``patience`` (and/or ``tol``), training stops once the monitored loss
    (validation loss if given, else training loss) has not improved by more than ``tol``
    (default 0) for ``patience`` (default 1) epochs in a row.

    ``callbacks`` are called as ``cb(epoch, history)`` after every epoch (epoch is 1-based).
    ``batch_callbacks`` are called as ``cb(epoch, batch, loss)`` after every optimizer step
    (both 1-based; ``loss`` is that batch's loss, computed before the step), for per-step
    diagnostics such as ``nnlib.diagnostics.TrainingMonitor`` (chapter 7).
    Raises ``FloatingPointError`` (with advice) if the output, the loss or the parameters become
    NaN or inf, or if a batch loss explodes to over 1000 times the first batch's (and over 1000).
    """
    if not isinstance(model, Layer):
        raise TypeError(f"fit: model must be a Layer such as Sequential(...), got {type(model).__name__}")
    if not isinstance(loss, Loss):
        raise TypeError(f"fit: loss must be a Loss such as CrossEntropyLoss(), got {type(loss).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an Optimizer such as SGD(...), got {type(optimizer).__name__}")
    X = check_float_array(X, "fit")
    y = _check_targets(y, len(X), "fit")
    epochs = check_positive_int(epochs, "fit", "epochs")
    batch_size = check_positive_int(batch_size, "fit", "batch_size")
    if validation_data is not None:
        if not (isinstance(validation_data, tuple) and len(validation_data) == 2):
            raise TypeError("fit: validation_data must be a tuple (X_val, y_val)")
        X_val = check_float_array(validation_data[0], "fit", name="X_val")
        y_val = _check_targets(validation_data[1], len(X_val), "fit (validation_data)")
        check_same_length(X_val, y_val, "fit (validation_data)")
    if patience is not None:
        patience = check_positive_int(patience, "fit", "patience")
    if tol is not None:
        tol = check_non_negative_float(tol, "fit", "tol")
    early_stopping = patience is not None or tol is not None
    patience = patience or 1
    tol = tol or 0.0
    if not isinstance(callbacks, Iterable):
        raise TypeError(f"fit: callbacks must be a list of functions cb(epoch, history), got {callbacks!r}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(f"fit: every callback must be callable as cb(epoch, history), got {cb!r}")
    if not isinstance(batch_callbacks, Iterable):
        raise TypeError("fit: batch_callbacks must be a list of functions cb(epoch, batch, loss), "
                        f"got {batch_callbacks!r}")
    batch_callbacks = list(batch_callbacks)
    for cb in batch_callbacks:
        if not callable(cb):
            raise TypeError(f"fit: every batch callback must be callable as cb(epoch, batch, loss), got {cb!r}")

    # Only a Sequential knows how to skip the input gradient of its first layer.
    backward = (lambda g: model.backward(g, input_grad=False)) if isinstance(model, Sequential) \
        else model.backward_params
    rng = as_rng(seed, "fit", "seed")
    history = History()
    best, bad_epochs = np.inf, 0
    first_loss = None

    epoch_iter: Iterable[int] = range(1, epochs + 1)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(epoch_iter, total=epochs, desc="fit", unit="epoch")
        epoch_iter = bar

    try:
        for epoch in epoch_iter:
            total_loss, total_correct = 0.0, 0
            # One batch holding every sample (full-batch training, as in the playground): its
            # loss and gradient do not depend on the order of the rows, so shuffling would
            # only copy X every epoch.
            batches = minibatches(X, y, batch_size, shuffle=shuffle and batch_size < len(X), rng=rng)
            # errstate: an overflow during a diverging run (in the forward pass, the loss or the
            # update) should surface as our message, not as a RuntimeWarning that scrolls past.
            # NaN/inf left by the update reaches the next forward pass. Entered once per epoch
            # rather than per batch: it costs ~5 us each time, a few % of a small step.
            with np.errstate(over="ignore", invalid="ignore"):
                for batch, (Xb, yb) in enumerate(batches):
                    out, value = _checked_loss(model, loss, Xb, yb, optimizer,
                                               f"at epoch {epoch}, batch {batch + 1}")
                    # Stable losses stay finite even when training has blown up (cross-entropy
                    # of logits of 1e40 is merely large), so NaN alone would miss the most
                    # common divergence. A batch loss 1000 times the first one (and over 1000)
                    # does not happen in a healthy run.
                    if first_loss is None:
                        first_loss = value
                    elif value > 1e3 * max(first_loss, 1.0):
                        raise _diverged(f"the loss exploded to {value:.3g} at epoch {epoch}, batch {batch + 1} "
                                        f"(from {first_loss:.3g} on the first batch)", optimizer)
                    backward(loss.backward())
                    optimizer.step()
                    for cb in batch_callbacks:
                        cb(epoch, batch + 1, value)
                    total_loss += value * len(Xb)
                    if loss.is_classification:
                        total_correct += int(np.count_nonzero(loss.predicted_labels(out) == _labels(yb)))
            history.loss.append(total_loss / len(X))
            if loss.is_classification:
                history.accuracy.append(total_correct / len(X))
            monitored = history.loss[-1]
            if validation_data is not None:
                with np.errstate(over="ignore", invalid="ignore"):
                    out, val = _checked_loss(model, loss, X_val, y_val, optimizer,
                                             f"on the validation data after epoch {epoch}")
                history.val_loss.append(val)
                if loss.is_classification:
                    history.val_accuracy.append(float(np.mean(loss.predicted_labels(out) == _labels(y_val))))
                monitored = val
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}", refresh=False)

            if monitored < best - tol:
                best, bad_epochs = monitored, 0
                history.best_epoch = epoch
            else:
                bad_epochs += 1
            for cb in callbacks:
                cb(epoch, history)
            if early_stopping and bad_epochs >= patience:
                history.stopped_early = True
                break
            if history.stop_training:
                break
    finally:
        if bar is not None:
            bar.close()
    # An update that overflowed shows up as NaN/inf output in the next forward pass, which the
    # loop catches; only the very last update has no next pass, so it is checked here, once,
    # instead of scanning every parameter after every epoch.
    if not all(np.isfinite(p.value).all() for p in getattr(optimizer, "params", ())):
        raise _diverged(f"the parameters became NaN or inf in the last update of epoch {history.epochs}",
                        optimizer)
    return history


def _labels(y: np.ndarray) -> np.ndarray:
    """Integer labels from targets given as labels (n,), one-hot (n, k) or 0/1 columns (n, 1)."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(len(y)).astype(np.int64) if y.dtype.kind == "f" else y.reshape(len(y))
