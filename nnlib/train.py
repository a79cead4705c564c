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
    check_positive_float,
    check_positive_int,
    check_same_length,
    seed_is_old_rng,
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
    #: With ``fit(..., on_divergence="stop")``: None while training is healthy, else the message
    #: ``fit`` would have raised (the run then ends, and cannot be continued).
    diverged: str | None = None
    #: The loss of the run's first mini-batch: the divergence rule compares later batches with it.
    first_batch_loss: float | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs completed."""
        return len(self.loss)


def _check_targets(y: object, n: int, where: str) -> np.ndarray:
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{where}: y must be a numpy array, got {type(y).__name__}")
    if y.ndim == 0:
        raise ValueError(
            f"{where}: y must have one entry per sample (1-D labels or 2-D targets), got a 0-D array"
        )
    if y.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: y must hold numbers (integer labels or float targets), got dtype {y.dtype}"
        )
    if y.dtype.kind in "fc" and not np.isfinite(y).all():
        raise ValueError(f"{where}: y contains NaN or inf")
    if len(y) != n:
        raise ValueError(
            f"{where}: X and y must have the same number of samples, got {n} and {len(y)}"
        )
    return y


class _DivergedError(FloatingPointError):
    """Raised inside ``fit`` where it detects divergence; ``loss`` is what the batch scored
    (inf when the output itself was NaN or inf), so that ``on_divergence="stop"`` can record it.

    Private: ``fit`` catches it and raises a plain ``FloatingPointError`` or records the
    message; catching only this class leaves a FloatingPointError of a callback alone."""

    def __init__(self, message: str, loss: float = float("nan")) -> None:
        super().__init__(message)
        self.loss = loss


def _diverged(
    what: str, optimizer: Optimizer, loss: float = float("nan")
) -> _DivergedError:
    lr = getattr(optimizer, "lr", None)
    suggestion = (
        f"try a smaller learning rate (lr={lr:g} now, e.g. lr={lr / 10:g})"
        if lr
        else "try a smaller learning rate"
    )
    return _DivergedError(
        f"fit: training diverged, {what}. The updates grew too large: "
        f"{suggestion}, standardize the inputs, or use a smaller init.",
        loss,
    )


def _checked_loss(
    model: Layer,
    loss: Loss,
    X: np.ndarray,
    y: np.ndarray,
    optimizer: Optimizer,
    where: str,
) -> tuple[np.ndarray, float]:
    """Forward pass and loss; the divergence error if either is NaN or inf.

    ``X`` must already have been checked for NaN/inf (``fit`` checks X and X_val once).
    """
    out = model._forward_checked_input(X) if isinstance(model, Sequential) else model(X)
    # Checked before the loss, which would reject a non-finite output with a less useful error.
    if not np.isfinite(out).all():
        raise _diverged(
            f"the network's output became NaN or inf {where}", optimizer, float("inf")
        )
    value = loss(out, y)
    if not np.isfinite(value):
        raise _diverged(f"the loss became {value} {where}", optimizer, value)
    return out, value


@seed_is_old_rng
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
    rng: np.random.Generator | int | None = 0,
    tol: float | None = None,
    patience: int | None = None,
    callbacks: Iterable[Callable[[int, History], object]] = (),
    progress: bool = True,
    batch_callbacks: Iterable[Callable[[int, int, float], object]] = (),
    history: History | None = None,
    on_divergence: str = "raise",
    max_loss_growth: float | None = 1e3,
) -> History:
    """Train ``model`` on ``X`` (n, d) and targets ``y`` for ``epochs`` passes; return the History.

    Each epoch shuffles (drawing from ``rng``, a ``Generator`` or an int seed, whose old name
    ``seed=`` still works; skipped when one batch holds every sample, where order does not
    matter), then for every mini-batch runs forward, the loss, backward and
    ``optimizer.step()``. ``history.loss``/``accuracy`` are averages
    over the epoch's batches; ``val_loss``/``val_accuracy`` are computed on
    ``validation_data`` after it.

    Early stopping: with ``patience`` (and/or ``tol``), training stops once the monitored loss
    (validation loss if given, else training loss) has not improved by more than ``tol``
    (default 0) for ``patience`` (default 1) epochs in a row.

    ``callbacks`` are called as ``cb(epoch, history)`` after every epoch (epoch is 1-based).
    ``batch_callbacks`` are called as ``cb(epoch, batch, loss)`` after every optimizer step
    (both 1-based; ``loss`` is that batch's loss, computed before the step), for per-step
    diagnostics such as ``nnlib.diagnostics.TrainingMonitor`` (chapter 7).

    Training in pieces (a widget redraws between them): pass the ``History`` of the earlier
    calls as ``history`` and the same ``Generator`` as ``rng``. The new epochs are appended to
    that history (which is returned) and numbered on from it; early stopping and the
    divergence rule carry on too, and the batches come in the order one long call would draw.

    Divergence: the output, the loss or the parameters becoming NaN or inf, or a batch loss
    over ``max_loss_growth`` times the first batch's (and over ``max_loss_growth``; None turns
    this rule off, leaving only NaN and inf). With ``on_divergence="raise"`` (the default)
    ``fit`` raises ``FloatingPointError`` with advice. With ``"stop"`` it returns instead:
    ``history.diverged`` holds that message, and the epoch it happened in is the last one of
    the history (its loss the mean over its batches up to the one that diverged, inf when the
    output did; the values it did not reach are NaN), passed to the callbacks like the others.
    """
    if not isinstance(model, Layer):
        raise TypeError(
            f"fit: model must be a Layer such as Sequential(...), got {type(model).__name__}"
        )
    if not isinstance(loss, Loss):
        raise TypeError(
            f"fit: loss must be a Loss such as CrossEntropyLoss(), got {type(loss).__name__}"
        )
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an Optimizer such as SGD(...), got {type(optimizer).__name__}"
        )
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
        raise TypeError(
            f"fit: callbacks must be a list of functions cb(epoch, history), got {callbacks!r}"
        )
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            raise TypeError(
                f"fit: every callback must be callable as cb(epoch, history), got {cb!r}"
            )
    if not isinstance(batch_callbacks, Iterable):
        raise TypeError(
            "fit: batch_callbacks must be a list of functions cb(epoch, batch, loss), "
            f"got {batch_callbacks!r}"
        )
    batch_callbacks = list(batch_callbacks)
    for cb in batch_callbacks:
        if not callable(cb):
            raise TypeError(
                f"fit: every batch callback must be callable as cb(epoch, batch, loss), got {cb!r}"
            )
    if on_divergence not in ("raise", "stop"):
        raise ValueError(
            f"fit: on_divergence must be 'raise' or 'stop', got {on_divergence!r}"
        )
    if max_loss_growth is not None:
        max_loss_growth = check_positive_float(
            max_loss_growth, "fit", "max_loss_growth"
        )
        if max_loss_growth <= 1:
            raise ValueError(
                f"fit: max_loss_growth must be > 1 (or None), got {max_loss_growth:g}"
            )
    history = _continued(history, validation_data is not None)

    # Only a Sequential knows how to skip the input gradient of its first layer.
    backward = (
        (lambda g: model.backward(g, input_grad=False))
        if isinstance(model, Sequential)
        else model.backward_params
    )
    rng = as_rng(rng, "fit")
    # Early stopping goes on from the history's best epoch (none yet in a new run).
    monitored_so_far = history.val_loss if validation_data is not None else history.loss
    best = monitored_so_far[history.best_epoch - 1] if history.best_epoch else np.inf
    bad_epochs = history.epochs - (history.best_epoch or 0)
    first_epoch = history.epochs + 1

    epoch_iter: Iterable[int] = range(first_epoch, first_epoch + epochs)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(epoch_iter, total=epochs, desc="fit", unit="epoch")
        epoch_iter = bar

    try:
        for epoch in epoch_iter:
            total_loss, total_correct, seen = 0.0, 0, 0
            # One batch holding every sample (full-batch training, as in the playground): its
            # loss and gradient do not depend on the order of the rows, so it is X itself:
            # shuffling would only copy X every epoch (and draw from rng).
            batches = (
                ((X, y),)
                if batch_size >= len(X)
                else minibatches(X, y, batch_size, shuffle=shuffle, rng=rng)
            )
            try:
                # errstate: an overflow during a diverging run (in the forward pass, the loss or
                # the update) should surface as our message, not as a RuntimeWarning that
                # scrolls past. NaN/inf left by the update reaches the next forward pass.
                # Entered once per epoch rather than per batch: it costs ~5 us each time, a few
                # % of a small step.
                with np.errstate(over="ignore", invalid="ignore"):
                    for batch, (Xb, yb) in enumerate(batches):
                        out, value = _checked_loss(
                            model,
                            loss,
                            Xb,
                            yb,
                            optimizer,
                            f"at epoch {epoch}, batch {batch + 1}",
                        )
                        # Stable losses stay finite even when training has blown up (cross-
                        # entropy of logits of 1e40 is merely large), so NaN alone would miss the
                        # most common divergence. A batch loss 1000 times the first one (and
                        # over 1000) does not happen in a healthy run.
                        if history.first_batch_loss is None:
                            history.first_batch_loss = value
                        elif (
                            max_loss_growth is not None
                            and value
                            > max_loss_growth * max(history.first_batch_loss, 1.0)
                        ):
                            raise _diverged(
                                f"the loss exploded to {value:.3g} at epoch {epoch}, batch {batch + 1} "
                                f"(from {history.first_batch_loss:.3g} on the first batch)",
                                optimizer,
                                value,
                            )
                        backward(loss.backward())
                        optimizer.step()
                        for cb in batch_callbacks:
                            cb(epoch, batch + 1, value)
                        total_loss += value * len(Xb)
                        seen += len(Xb)
                        if loss.is_classification:
                            total_correct += int(
                                np.count_nonzero(
                                    loss.predicted_labels(out) == _labels(yb)
                                )
                            )
            except _DivergedError as err:
                if on_divergence == "raise":
                    raise FloatingPointError(str(err)) from None
                # The epoch ends at the batch that diverged; its loss counts in the mean.
                history.diverged = str(err)
                history.loss.append(
                    float((total_loss + err.loss * len(Xb)) / (seen + len(Xb)))
                )
                _append_unmeasured(
                    history, loss.is_classification, validation_data is not None
                )
                _call_all(callbacks, epoch, history)
                break
            history.loss.append(total_loss / len(X))
            if loss.is_classification:
                history.accuracy.append(total_correct / len(X))
            monitored = history.loss[-1]
            if validation_data is not None:
                try:
                    with np.errstate(over="ignore", invalid="ignore"):
                        out, val = _checked_loss(
                            model,
                            loss,
                            X_val,
                            y_val,
                            optimizer,
                            f"on the validation data after epoch {epoch}",
                        )
                except _DivergedError as err:
                    if on_divergence == "raise":
                        raise FloatingPointError(str(err)) from None
                    history.diverged = str(err)
                    history.val_loss.append(err.loss)
                    if loss.is_classification:
                        history.val_accuracy.append(float("nan"))
                    _call_all(callbacks, epoch, history)
                    break
                history.val_loss.append(val)
                if loss.is_classification:
                    history.val_accuracy.append(
                        float(np.mean(loss.predicted_labels(out) == _labels(y_val)))
                    )
                monitored = val
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4f}", refresh=False)

            if monitored < best - tol:
                best, bad_epochs = monitored, 0
                history.best_epoch = epoch
            else:
                bad_epochs += 1
            _call_all(callbacks, epoch, history)
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
    if history.diverged is None and not all(
        np.isfinite(p.value).all() for p in getattr(optimizer, "params", ())
    ):
        message = str(
            _diverged(
                f"the parameters became NaN or inf in the last update of epoch {history.epochs}",
                optimizer,
            )
        )
        if on_divergence == "raise":
            raise FloatingPointError(message)
        history.diverged = message
    return history


def _continued(history: History | None, has_validation: bool) -> History:
    """The History to append to: a new one, or ``history`` checked to be continuable."""
    if history is None:
        return History()
    if not isinstance(history, History):
        raise TypeError(
            f"fit: history must be the History of an earlier fit call (or None), "
            f"got {type(history).__name__}"
        )
    if history.diverged is not None:
        raise ValueError(
            f"fit: cannot continue a run that diverged (history.diverged: {history.diverged!r}); "
            f"build a new model and start again"
        )
    n_val = len(history.val_loss)
    if n_val != (history.epochs if has_validation else 0):
        raise ValueError(
            f"fit: history has validation losses for {n_val} of its {history.epochs} epochs; "
            f"continue it with validation_data given {'always' if n_val else 'never'}, as before"
        )
    # A callback's request or early stopping ended the earlier call, not the run.
    history.stop_training = history.stopped_early = False
    return history


def _append_unmeasured(
    history: History, classification: bool, has_validation: bool
) -> None:
    """NaN for the values an epoch that diverged never reached."""
    if classification:
        history.accuracy.append(float("nan"))
    if has_validation:
        history.val_loss.append(float("nan"))
        if classification:
            history.val_accuracy.append(float("nan"))


def _call_all(
    callbacks: list[Callable[[int, History], object]], epoch: int, history: History
) -> None:
    for cb in callbacks:
        cb(epoch, history)


def _labels(y: np.ndarray) -> np.ndarray:
    """Integer labels from targets given as labels (n,), one-hot (n, k) or 0/1 columns (n, 1)."""
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return (
        y.reshape(len(y)).astype(np.int64) if y.dtype.kind == "f" else y.reshape(len(y))
    )
