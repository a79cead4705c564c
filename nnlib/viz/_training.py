"""Small training engine shared by the widgets: build an MLP, step it, and survive divergence.

The widgets train with nnlib directly (model, loss, optimizer) rather than through ``fit``: a
click runs a few hundred epochs in chunks and redraws between them, and a diverging run must
end with a message in the view, not an exception in the notebook.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import nnlib as nl

#: Activation layers a widget can choose by name.
ACTIVATIONS: dict[str, type[nl.Layer]] = {
    "relu": nl.ReLU,
    "leaky_relu": nl.LeakyReLU,
    "tanh": nl.Tanh,
    "sigmoid": nl.Sigmoid,
    "identity": nl.Identity,
}
#: Optimizer names: "momentum" is SGD with momentum 0.9.
OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
#: The learning rates a slider offers: 1, 2, 3 and 5 times each power of ten from 1e-4 to 10.
#: (A log slider in steps of 10^0.25 would show and use 0.03162 where the code says 0.03.)
LEARNING_RATES: tuple[float, ...] = (*(float(f"{m}e{e}") for e in range(-4, 1) for m in (1, 2, 3, 5)), 10.0)


def learning_rate_slider(value: float, **kwargs):
    """An ``ipywidgets.SelectionSlider`` over ``LEARNING_RATES`` (and ``value``, if it is not one
    of them) set to ``value``: its readout is the rate the optimizer gets, e.g. ``0.03``.

    Keyword arguments (``description``, ``style``, ``layout``) go to the slider.
    """
    import ipywidgets as w

    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"learning_rate_slider: the learning rate must be a finite number > 0, got {value}")
    rates = sorted({*LEARNING_RATES, value})
    return w.SelectionSlider(options=[(f"{r:g}", r) for r in rates], value=value, **kwargs)


def parse_hidden(text: str | Sequence[int]) -> tuple[int, ...]:
    """Hidden-layer sizes from ``"16, 16"`` (or a sequence of ints); ``""`` means no hidden layer."""
    if isinstance(text, str):
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
        try:
            sizes = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(
                f"hidden layers: expected comma-separated unit counts such as '16, 16', got {text!r}"
            ) from None
    else:
        sizes = tuple(int(s) for s in text)
    bad = [s for s in sizes if s < 1 or s > 256]
    if bad:
        raise ValueError(f"hidden layers: every layer needs 1 to 256 units, got {list(sizes)}")
    if len(sizes) > 6:
        raise ValueError(f"hidden layers: at most 6 hidden layers, got {len(sizes)}")
    return sizes


def build_mlp(n_in: int, hidden: Sequence[int], n_out: int, activation: str = "relu",
              seed: int = 0, dtype: type = np.float64) -> nl.Sequential:
    """``Dense(n_in, h1), act, ..., Dense(h_last, n_out)``: a network of raw logits (batch, n_out).

    ReLU-like layers get He init, the others Xavier (the pairing chapter 2 explains).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"build_mlp: unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    init = "he_normal" if activation in ("relu", "leaky_relu") else "xavier_normal"
    rng = np.random.default_rng(seed)
    sizes = [n_in, *hidden, n_out]
    layers: list[nl.Layer] = []
    for i in range(len(sizes) - 1):
        last = i == len(sizes) - 2
        layers.append(nl.Dense(sizes[i], sizes[i + 1], init="xavier_normal" if last else init,
                               rng=rng, dtype=dtype))
        if not last:
            layers.append(ACTIVATIONS[activation]())
    return nl.Sequential(*layers)


def build_optimizer(name: str, model: nl.Layer, lr: float) -> nl.Optimizer:
    """An optimizer by name (``"sgd"``, ``"momentum"``, ``"adam"``) for ``model``'s parameters."""
    if name == "sgd":
        return nl.SGD(model.parameters(), lr=lr)
    if name == "momentum":
        return nl.SGD(model.parameters(), lr=lr, momentum=0.9)
    if name == "adam":
        return nl.Adam(model.parameters(), lr=lr, fused=True)
    raise ValueError(f"build_optimizer: unknown optimizer {name!r}; choose one of {list(OPTIMIZERS)}")


def stuck_message(trainer: "Trainer", flat_epochs: int = 10, factor: float = 10.0) -> str | None:
    """Why a run whose loss exploded and then stopped moving learns nothing, or None.

    The case of a learning rate like 10 on a ReLU network: the loss jumps to ~1e7, every unit
    of a hidden layer ends up dead (0 on every training point, so no gradient gets through) and
    the loss then sits at a constant such as ln 2, finite, so ``diverged`` stays None. It is
    reported when the loss once exceeded ``factor`` times its first value and has changed by
    less than 1e-4 over the last ``flat_epochs`` epochs. Reads the trainer; changes nothing.
    """
    losses = np.asarray(trainer.losses, dtype=np.float64)
    if len(losses) < flat_epochs + 2 or not np.isfinite(losses).all():
        return None
    peak = int(np.argmax(losses))
    last = losses[-flat_epochs:]
    if not (losses[peak] > factor * max(losses[0], 1e-3) and peak < len(losses) - flat_epochs
            and np.ptp(last) < 1e-4):
        return None
    lr = getattr(trainer.optimizer, "lr", float("nan"))
    text = (f"The loss exploded (to {losses[peak]:.3g} at epoch {peak + 1}) and is now stuck at "
            f"{losses[-1]:.3f}")
    dead = nl.dead_relu_fraction(trainer.model, trainer.X) if isinstance(trainer.model, nl.Sequential) else []
    if dead and max(dead) > 0:
        layer = int(np.argmax(dead))
        share = "all" if dead[layer] == 1.0 else f"{dead[layer]:.0%} of"
        text += (f": {share} the ReLU units of hidden layer {layer + 1} are dead (0 on every "
                 f"training point), so no gradient flows through them and the weights below them "
                 f"no longer move")
    return (f"{text}. The steps were too large for learning rate {lr:g}; lower it and press "
            f"Reset.")


def dense_layers(model: nl.Layer) -> list[nl.Dense]:
    """The ``Dense`` layers of a model, first to last."""
    if isinstance(model, nl.Dense):
        return [model]
    if isinstance(model, nl.Sequential):
        return [d for layer in model.layers for d in dense_layers(layer)]
    return []


def model_dtype(model: nl.Layer) -> np.dtype:
    """The dtype a model's inputs must have (that of its first ``Dense``; float64 if none)."""
    dense = dense_layers(model)
    return dense[0].dtype if dense else np.dtype(np.float64)


class Trainer:
    """Epochs of mini-batch training that record losses and stop cleanly when the loss diverges.

    ``losses``/``test_losses`` hold one value per epoch (the latter when test data is given). ``diverged`` is None
    while training is healthy, else the message to show; a diverged trainer does no more steps.
    """

    def __init__(self, model: nl.Layer, loss: nl.Loss, optimizer: nl.Optimizer,
                 X: np.ndarray, y: np.ndarray, X_test: np.ndarray | None = None,
                 y_test: np.ndarray | None = None, batch_size: int | None = None, seed: int = 0) -> None:
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.X, self.y, self.X_test, self.y_test = X, y, X_test, y_test
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.losses: list[float] = []
        self.test_losses: list[float] = []
        self.diverged: str | None = None
        self._backward = ((lambda g: model.backward(g, input_grad=False)) if isinstance(model, nl.Sequential)
                          else model.backward_params)

    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return len(self.losses)

    def _loss(self, Xb: np.ndarray, yb: np.ndarray) -> float:
        out = self.model(Xb)
        # Losses reject non-finite outputs with a ValueError; for a widget that is simply
        # a diverged run, reported as an infinite loss.
        if not np.isfinite(out).all():
            return float("inf")
        return self.loss(out, yb)

    def _step(self, Xb: np.ndarray, yb: np.ndarray) -> float:
        value = self._loss(Xb, yb)
        if np.isfinite(value):
            self._backward(self.loss.backward())
            self.optimizer.step()
        return value

    def run(self, epochs: int) -> int:
        """Train up to ``epochs`` epochs; return how many ran (fewer if the loss diverged)."""
        done = 0
        # A diverging run overflows on purpose (learning rate 10): it is reported through
        # ``diverged``, so numpy's warnings would only repeat it as noise.
        with np.errstate(all="ignore"):
            for _ in range(epochs):
                if self.diverged is not None:
                    break
                n = len(self.X)
                if self.batch_size is None or self.batch_size >= n:
                    value = self._step(self.X, self.y)
                    total = value
                else:
                    total = 0.0
                    for Xb, yb in nl.minibatches(self.X, self.y, self.batch_size, rng=self.rng):
                        value = self._step(Xb, yb)
                        total += value * len(Xb)
                        if not np.isfinite(value):
                            break
                    total /= n
                self.losses.append(float(total))
                if self.X_test is not None:
                    self.test_losses.append(float(self._loss(self.X_test, self.y_test)))
                done += 1
                if not np.isfinite(total):
                    lr = getattr(self.optimizer, "lr", float("nan"))
                    self.diverged = (
                        f"Training diverged at epoch {self.epoch}: the loss became {total}. "
                        f"The steps are too large for learning rate {lr:g}; lower it and press Reset."
                    )
        return done
