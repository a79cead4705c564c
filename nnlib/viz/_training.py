"""What the widgets share to train: their controls, and ``Trainer``, ``nl.fit`` in pieces.

A click runs a few hundred epochs in chunks and redraws between them, and a diverging run
must end with a message in the view, not an exception in the notebook. ``Trainer`` is that
use of ``nl.fit``: each chunk continues the same ``History`` and the same shuffle
``Generator`` (``history=``, ``rng=``), and ``on_divergence="stop"`` turns the error into
``history.diverged``. The network itself is ``nl.build_mlp``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import nnlib as nl
from nnlib import models as nl_models
from nnlib._validation import as_rng, seed_is_old_rng

#: Activation layers a widget can choose by name (those of ``nl.build_mlp``).
ACTIVATIONS: dict[str, type[nl.Layer]] = nl_models.ACTIVATIONS
#: Optimizer names: "momentum" is SGD with momentum 0.9.
OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
#: The learning rates a slider offers: 1, 2, 3 and 5 times each power of ten from 1e-4 to 10.
#: (A log slider in steps of 10^0.25 would show and use 0.03162 where the code says 0.03.)
LEARNING_RATES: tuple[float, ...] = (
    *(float(f"{m}e{e}") for e in range(-4, 1) for m in (1, 2, 3, 5)),
    10.0,
)


def learning_rate_slider(value: float, **kwargs):
    """An ``ipywidgets.SelectionSlider`` over ``LEARNING_RATES`` (and ``value``, if it is not one
    of them) set to ``value``: its readout is the rate the optimizer gets, e.g. ``0.03``.

    Keyword arguments (``description``, ``style``, ``layout``) go to the slider.
    """
    import ipywidgets as w

    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(
            f"learning_rate_slider: the learning rate must be a finite number > 0, got {value}"
        )
    rates = sorted({*LEARNING_RATES, value})
    return w.SelectionSlider(
        options=[(f"{r:g}", r) for r in rates], value=value, **kwargs
    )


#: The width of every control of a training panel: two columns fit the book's text column.
CONTROL_WIDTH = "320px"


def network_controls(
    hidden: str | Sequence[int],
    activation: str,
    optimizer: str,
    lr: float,
    epochs: int,
    max_epochs: int,
    style: dict[str, str],
) -> dict[str, object]:
    """The controls of the network and its training that ``Playground`` and ``NetworkExplorer``
    share, by the ``controls`` key each widget gives them.

    ``"hidden"``: a Text of the hidden-layer sizes (``hidden``, a string such as ``"16, 16"`` or
    a sequence of ints), read by ``parse_hidden`` when it is committed (Enter or leaving the
    field), not at every keystroke; ``"activation"``: a Dropdown of ``sorted(ACTIVATIONS)``;
    ``"optimizer"``: a Dropdown of ``OPTIMIZERS``; ``"lr"``: ``learning_rate_slider(lr)``;
    ``"epochs"``: the IntSlider 1 to ``max_epochs`` of the epochs one Train click runs. Each gets
    ``style`` (a description width long enough for "epochs / Train") and ``CONTROL_WIDTH``. The
    caller adds its own controls and observers; nothing here is observed.
    """
    import ipywidgets as w

    hidden_text = (
        hidden if isinstance(hidden, str) else ", ".join(str(h) for h in hidden)
    )
    controls = {
        "hidden": w.Text(
            value=hidden_text,
            description="hidden layers",
            placeholder="e.g. 16, 16",
            continuous_update=False,
            style=style,
        ),
        "activation": w.Dropdown(
            options=sorted(ACTIVATIONS),
            value=activation,
            description="activation",
            style=style,
        ),
        "optimizer": w.Dropdown(
            options=list(OPTIMIZERS),
            value=optimizer,
            description="optimizer",
            style=style,
        ),
        "lr": learning_rate_slider(lr, description="learning rate", style=style),
        "epochs": w.IntSlider(
            value=epochs,
            min=1,
            max=max_epochs,
            step=1,
            description="epochs / Train",
            style=style,
        ),
    }
    for control in controls.values():
        control.layout.width = CONTROL_WIDTH
    return controls


def train_buttons():
    """The buttons ``(train, step, reset)`` of a training panel: Train (the epochs of the
    slider), Step (one epoch) and Reset (the initial weights of the seed again), with their
    icons and tooltips. The caller connects them (``on_click``) and may size them."""
    import ipywidgets as w

    train = w.Button(description="Train", button_style="primary", icon="play")
    step = w.Button(description="Step", icon="step-forward", tooltip="one epoch")
    reset = w.Button(
        description="Reset",
        icon="refresh",
        tooltip="start again from the initial weights of this seed",
    )
    return train, step, reset


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
        raise ValueError(
            f"hidden layers: every layer needs 1 to 256 units, got {list(sizes)}"
        )
    if len(sizes) > 6:
        raise ValueError(f"hidden layers: at most 6 hidden layers, got {len(sizes)}")
    return sizes


def build_mlp(
    n_in: int,
    hidden: Sequence[int],
    n_out: int,
    activation: str = "relu",
    seed: int = 0,
    dtype: type = np.float64,
) -> nl.Sequential:
    """``nl.build_mlp([n_in, *hidden, n_out], activation, rng=seed, dtype=dtype)``: the widgets'
    older spelling, kept working. Raw logits (batch, n_out); He init for ReLU-like hidden
    layers, Xavier for the others and for the last layer (the pairing chapter 2 explains).
    """
    return nl.build_mlp([n_in, *hidden, n_out], activation, rng=seed, dtype=dtype)


def build_optimizer(
    name: str, model: nl.Layer, lr: float, momentum: float | None = None
) -> nl.Optimizer:
    """An optimizer by name for ``model``'s parameters: ``"sgd"`` (with ``momentum``, default
    0), ``"momentum"`` (SGD with ``momentum``, default 0.9) or ``"adam"`` (fused, which steps
    the same numbers with fewer numpy calls; ``momentum`` does not apply)."""
    if name in ("sgd", "momentum"):
        default = 0.0 if name == "sgd" else 0.9
        return nl.SGD(
            model.parameters(),
            lr=lr,
            momentum=default if momentum is None else momentum,
        )
    if name == "adam":
        if momentum is not None:
            raise ValueError(
                f"build_optimizer: momentum does not apply to adam, got momentum={momentum}"
            )
        return nl.Adam(model.parameters(), lr=lr, fused=True)
    raise ValueError(
        f"build_optimizer: unknown optimizer {name!r}; choose one of {list(OPTIMIZERS)}"
    )


def stuck_message(
    trainer: Trainer, flat_epochs: int = 10, factor: float = 10.0
) -> str | None:
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
    if not (
        losses[peak] > factor * max(losses[0], 1e-3)
        and peak < len(losses) - flat_epochs
        and np.ptp(last) < 1e-4
    ):
        return None
    lr = getattr(trainer.optimizer, "lr", float("nan"))
    text = (
        f"The loss exploded (to {losses[peak]:.3g} at epoch {peak + 1}) and is now stuck at "
        f"{losses[-1]:.3f}"
    )
    dead = (
        nl.dead_relu_fraction(trainer.model, trainer.X)
        if isinstance(trainer.model, nl.Sequential)
        else []
    )
    if dead and max(dead) > 0:
        layer = int(np.argmax(dead))
        share = "all" if dead[layer] == 1.0 else f"{dead[layer]:.0%} of"
        text += (
            f": {share} the ReLU units of hidden layer {layer + 1} are dead (0 on every "
            f"training point), so no gradient flows through them and the weights below them "
            f"no longer move"
        )
    return (
        f"{text}. The steps were too large for learning rate {lr:g}; lower it and press "
        f"Reset."
    )


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
    """``nl.fit`` run a chunk of epochs at a time, for a widget: it records losses and stops
    cleanly when training diverges.

    ``losses``/``test_losses`` hold one value per epoch (the latter when test data is given).
    ``diverged`` is None while training is healthy, else the message to show; a diverged
    trainer does no more steps. ``optimizer`` and ``batch_size`` (None: the full batch) may be
    changed between runs; the weights, the history and the shuffle stream go on.
    """

    @seed_is_old_rng
    def __init__(
        self,
        model: nl.Layer,
        loss: nl.Loss,
        optimizer: nl.Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        batch_size: int | None = None,
        rng: np.random.Generator | int | None = 0,
    ) -> None:
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.X, self.y, self.X_test, self.y_test = X, y, X_test, y_test
        self.batch_size = batch_size
        # One Generator for every chunk: the batches come in the order one long run would draw.
        self.rng = as_rng(rng, "Trainer")
        self.history = nl.History()
        self.test_losses: list[float] = []

    @property
    def losses(self) -> list[float]:
        """Training loss of every epoch (the history's)."""
        return self.history.loss

    @property
    def epoch(self) -> int:
        """Epochs completed."""
        return self.history.epochs

    @property
    def diverged(self) -> str | None:
        """None while training is healthy, else the message to show: what fit found and where
        (its first sentence), with the advice that applies in a widget."""
        message = self.history.diverged
        if message is None:
            return None
        # fit's own advice goes on to "standardize the inputs, or use a smaller init", which the
        # playground has already done or has no control for.
        what, found, _ = message.removeprefix("fit: training diverged, ").partition(
            ". The updates grew too large"
        )
        if not found:
            return message
        lr = getattr(self.optimizer, "lr", float("nan"))
        return (
            f"Training diverged: {what}. The steps are too large for learning rate {lr:g}; lower it and "
            f"press Reset."
        )

    def _test_loss(self, epoch: int, history: nl.History) -> None:
        # A fit callback, not fit's validation_data: the held-out loss is only drawn here, while
        # fit would also stop the run when it overflows, an epoch before the training loss
        # does; the live page (nnlib.js) stops where the training loss does, and so do we.
        out = self.model(self.X_test)
        # Losses reject non-finite outputs with a ValueError; for the curve it is an infinite loss.
        self.test_losses.append(
            float(self.loss(out, self.y_test))
            if np.isfinite(out).all()
            else float("inf")
        )

    def run(self, epochs: int) -> int:
        """Train up to ``epochs`` epochs; return how many ran (fewer if the loss diverged)."""
        if epochs <= 0 or self.diverged is not None:
            return 0
        before = self.epoch
        n = len(self.X)
        # A diverging run overflows on purpose (learning rate 10): it is reported through
        # ``diverged``, so numpy's warnings would only repeat it as noise.
        with np.errstate(all="ignore"):
            nl.fit(
                self.model,
                self.loss,
                self.optimizer,
                self.X,
                self.y,
                epochs,
                batch_size=n if self.batch_size is None else self.batch_size,
                rng=self.rng,
                callbacks=[self._test_loss] if self.X_test is not None else (),
                progress=False,
                history=self.history,
                on_divergence="stop",
                # Only NaN and inf stop a widget: a loss that explodes and then sits still
                # (dead ReLU units) is a lesson to watch, which stuck_message explains.
                max_loss_growth=None,
            )
        return self.epoch - before
