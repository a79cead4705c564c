"""Step 7, training diagnostics: the checks to run before and while a network trains (chapter 7).

The checks of Karpathy's "makemore" lectures and of CS231n's "babysitting the learning
process", as functions of a model and a batch:

- ``init_loss_check``: the loss of the untrained network against the loss of uniform
  predictions, ln K for K classes (a much higher value means the output layer starts too large);
- ``activation_stats``: per activation layer, the mean and standard deviation of its output,
  the fraction of saturated tanh/sigmoid outputs and the fraction of dead ReLU units;
- ``dead_relu_fraction``: only the last of these, one number per ReLU layer;
- ``update_ratios``: per weight matrix, ||W_after - W_before|| / ||W_before|| for one step
  (about 1e-3 is CS231n's rule of thumb, a rough guide rather than a law);
- ``TrainingMonitor``: a per-step callback for ``fit(..., batch_callbacks=[monitor])`` that
  records the loss of every step, the update ratios of every step and, on a fixed probe batch,
  the activation statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from ._validation import check_float_array, check_positive_int
from .layers import Activation, Layer, ReLU, Sequential, Sigmoid, Tanh
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Loss


class InitLossCheck(NamedTuple):
    """The loss of an untrained network (``loss``) and that of uniform predictions (``expected``)."""

    loss: float
    expected: float


def init_loss_check(
    model: Layer, loss: Loss, X: np.ndarray, y: np.ndarray
) -> InitLossCheck:
    """Loss of ``model`` on ``X`` (n, d), ``y`` before training, and the loss it should be near.

    A classifier that knows nothing should predict every class with probability 1/K, whose
    cross-entropy is ``ln K`` whatever the labels (K = the model's number of outputs). For
    ``BCEWithLogitsLoss``/``BCELoss`` the uniform prediction is 1/2 and its loss is ``ln 2``.
    A loss well above ``expected`` means the untrained network is confidently wrong: its
    output layer starts with too large weights. Returns ``InitLossCheck(loss, expected)``.
    """
    where = "init_loss_check"
    if not isinstance(model, Layer):
        raise TypeError(
            f"{where}: model must be a Layer such as Sequential(...), got {type(model).__name__}"
        )
    if not isinstance(loss, (CrossEntropyLoss, BCEWithLogitsLoss, BCELoss)):
        raise TypeError(
            f"{where}: loss must be CrossEntropyLoss, BCEWithLogitsLoss or BCELoss "
            f"(a loss with a uniform prediction), got {type(loss).__name__}"
        )
    X = check_float_array(X, where)
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{where}: y must be a numpy array, got {type(y).__name__}")
    if len(y) != len(X):
        raise ValueError(
            f"{where}: X and y must have the same number of samples, got {len(X)} and {len(y)}"
        )
    out = model(X)
    value = float(loss(out, y))
    if isinstance(loss, CrossEntropyLoss):
        expected = float(np.log(out.shape[1]))
    else:
        expected = float(np.log(2.0))
    return InitLossCheck(value, expected)


def _layer_outputs(model: Sequential, X: np.ndarray, where: str) -> list[np.ndarray]:
    """The output of every layer of ``model`` for the input ``X``: a list of len(model) arrays."""
    if not isinstance(model, Sequential):
        raise TypeError(
            f"{where}: model must be a Sequential (its layers are inspected one by one), "
            f"got {type(model).__name__}"
        )
    X = check_float_array(X, where)
    outputs = []
    a = X
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in model.layers:
            a = layer(a)
            outputs.append(a)
    return outputs


def activation_stats(
    model: Sequential, X: np.ndarray, saturation: float = 0.97
) -> list[dict]:
    """Statistics of every activation layer's output for the batch ``X`` (n, d).

    Returns one dict per ``ReLU``, ``LeakyReLU``, ``Tanh`` or ``Sigmoid`` layer (any
    ``Activation``), in order, with keys:

    - ``"layer"``: the layer's index in ``model``; ``"name"``: its class name;
    - ``"mean"``, ``"std"``: mean and standard deviation of all n x h outputs;
    - ``"saturated"``: for Tanh the fraction of outputs with ``|a| > saturation``, for Sigmoid
      with ``|2a - 1| > saturation`` (where the derivative is nearly 0); ``None`` otherwise;
    - ``"dead"``: for ReLU the fraction of units whose output is 0 for every row of ``X``
      (no gradient reaches their weights from this batch); ``None`` otherwise.
    """
    where = "activation_stats"
    if (
        isinstance(saturation, bool)
        or not isinstance(saturation, (int, float))
        or not 0.0 < float(saturation) < 1.0
    ):
        raise ValueError(
            f"{where}: saturation must be a number in (0, 1), got {saturation!r}"
        )
    outputs = _layer_outputs(model, X, where)
    stats = []
    for i, (layer, a) in enumerate(zip(model.layers, outputs)):
        if not isinstance(layer, Activation):
            continue
        a64 = a.astype(np.float64, copy=False)
        saturated = None
        if isinstance(layer, Tanh):
            saturated = float(np.mean(np.abs(a64) > saturation))
        elif isinstance(layer, Sigmoid):
            saturated = float(np.mean(np.abs(2.0 * a64 - 1.0) > saturation))
        dead = (
            float(np.mean(np.all(a64 == 0.0, axis=0)))
            if isinstance(layer, ReLU)
            else None
        )
        stats.append(
            {
                "layer": i,
                "name": type(layer).__name__,
                "mean": float(a64.mean()),
                "std": float(a64.std()),
                "saturated": saturated,
                "dead": dead,
            }
        )
    return stats


def dead_relu_fraction(model: Sequential, X: np.ndarray) -> list[float]:
    """For every ``ReLU`` layer of ``model``, the fraction of its units that are 0 on all of ``X``.

    ``X`` is (n, d). A unit is dead on ``X`` when its pre-activation is <= 0 for every row: its
    output and its gradient are then 0 for the whole batch, so its incoming weights never move.
    Use a large batch (e.g. the whole training set): a unit silent on 5 rows may be alive.
    """
    return [s["dead"] for s in activation_stats(model, X) if s["dead"] is not None]


def _is_weight(name: object) -> bool:
    """Is ``name`` (``"0.W"``, ``"W"``, ``"2.b"``...) the name of a weight matrix?"""
    return str(name).split(".")[-1] == "W"


def _norm(a: np.ndarray) -> float:
    """Frobenius norm computed in float64 (a float32 sum of squares could overflow)."""
    return float(np.sqrt(np.sum(np.square(a, dtype=np.float64))))


def update_ratios(
    before: Mapping[str, np.ndarray],
    after: Mapping[str, np.ndarray],
    weights_only: bool = True,
) -> dict[str, float]:
    """``||after[k] - before[k]|| / ||before[k]||`` (Frobenius norms) for every parameter ``k``.

    ``before`` and ``after`` map parameter names to arrays of equal shapes, e.g. copies of
    ``model.params`` taken around one ``optimizer.step()``; the difference is that step's
    update, ``-eta * g`` for plain SGD. With ``weights_only`` (the default) only names whose
    last part is ``W`` (``"0.W"``, ``"W"``) are used: biases start at 0, so their ratio is
    undefined at first. A ratio with ``||before|| = 0`` is ``inf`` (or 0 if nothing moved).
    """
    where = "update_ratios"
    for name, m in (("before", before), ("after", after)):
        if not isinstance(m, Mapping):
            raise TypeError(
                f"{where}: {name} must map parameter names to arrays (like model.params), "
                f"got {type(m).__name__}"
            )
    if set(before) != set(after):
        raise ValueError(
            f"{where}: before and after must have the same parameter names, got "
            f"{sorted(before)} and {sorted(after)}"
        )
    ratios = {}
    for k in before:
        if weights_only and not _is_weight(k):
            continue
        b, a = before[k], after[k]
        if not (isinstance(b, np.ndarray) and isinstance(a, np.ndarray)):
            raise TypeError(
                f"{where}: parameter {k!r} must be a numpy array in before and after, got "
                f"{type(b).__name__} and {type(a).__name__}"
            )
        if b.shape != a.shape:
            raise ValueError(
                f"{where}: parameter {k!r} has shape {b.shape} before and {a.shape} after"
            )
        step = _norm(a.astype(np.float64) - b.astype(np.float64))
        size = _norm(b)
        ratios[k] = step / size if size > 0 else (0.0 if step == 0 else float("inf"))
    return ratios


class TrainingMonitor:
    """Per-step diagnostics, recorded by ``fit(..., batch_callbacks=[monitor])``.

    ``monitor = TrainingMonitor(model, X_probe)`` right before ``fit`` (it copies the weights
    as they are then). After every optimizer step ``fit`` calls ``monitor(epoch, batch, loss)``
    and the monitor appends:

    - ``step_loss``: the batch loss of that step (computed before the step), one float per step;
    - ``ratios[name]``: the update ratio ``||W_t - W_{t-1}|| / ||W_{t-1}||`` of every weight
      matrix (see ``update_ratios``), one float per step;
    - every ``every`` steps, if ``X_probe`` (n, d) is given: ``activation_stats(model,
      X_probe)`` to ``stats``, and the step number to ``stats_steps``.

    ``steps`` counts the steps seen. ``ratio_array(name)`` is ``ratios[name]`` as an array.
    """

    def __init__(
        self, model: Sequential, X_probe: np.ndarray | None = None, every: int = 1
    ) -> None:
        where = "TrainingMonitor"
        if not isinstance(model, Sequential):
            raise TypeError(
                f"{where}: model must be a Sequential, got {type(model).__name__}"
            )
        if X_probe is not None:
            X_probe = check_float_array(X_probe, where, name="X_probe")
        self.model = model
        self.X_probe = X_probe
        self.every = check_positive_int(every, where, "every")
        self.step_loss: list[float] = []
        self.stats: list[list[dict]] = []
        self.stats_steps: list[int] = []
        self._previous = {k: v.copy() for k, v in model.params.items() if _is_weight(k)}
        self.ratios: dict[str, list[float]] = {k: [] for k in self._previous}
        if X_probe is not None:
            self.stats.append(activation_stats(model, X_probe))
            self.stats_steps.append(0)

    @property
    def steps(self) -> int:
        """Number of optimizer steps recorded."""
        return len(self.step_loss)

    def __call__(self, epoch: int, batch: int, loss: float) -> None:
        """Record one step: ``fit`` calls this after ``optimizer.step()`` of every batch."""
        self.step_loss.append(float(loss))
        current = {k: self.model.params[k] for k in self._previous}
        for k, r in update_ratios(self._previous, current).items():
            self.ratios[k].append(r)
        for k, v in current.items():
            np.copyto(self._previous[k], v)
        if self.X_probe is not None and self.steps % self.every == 0:
            self.stats.append(activation_stats(self.model, self.X_probe))
            self.stats_steps.append(self.steps)

    def ratio_array(self, name: str) -> np.ndarray:
        """The update ratios of weight ``name`` (e.g. ``"0.W"``), one per step: shape (steps,)."""
        if name not in self.ratios:
            raise ValueError(
                f"TrainingMonitor.ratio_array: no weight named {name!r}; "
                f"choose one of {sorted(self.ratios)}"
            )
        return np.array(self.ratios[name])
