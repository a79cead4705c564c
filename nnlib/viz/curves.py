"""Live loss and accuracy curves: a ``fit`` callback that redraws one figure in place.

    curves = viz.LiveCurves()
    history = curves.fit(model, loss, optimizer, X, y, epochs=50, validation_data=(X_val, y_val))

or pass it yourself: ``nl.fit(..., callbacks=[curves])``. In a notebook the figure is shown
once and then replaced in place (a display handle), so the executed notebook keeps only the
final curves: that is what the static book shows.
"""

from __future__ import annotations

import time

import numpy as np

import nnlib as nl

from ._render import figure_png, in_notebook, new_figure, png_css_width

_SERIES = {"loss": ("loss", "val_loss"), "accuracy": ("accuracy", "val_accuracy")}


def finite_or_nan(values: list[float]) -> np.ndarray:
    """The values as a float array with inf replaced by NaN, which a line simply skips."""
    a = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(a), a, np.nan)


class LiveCurves:
    """Training and validation curves of a ``History``, updated after every epoch.

    ``metrics`` chooses the panels (``"loss"``, ``"accuracy"``); panels whose data never
    arrives (accuracy for a regression loss) stay empty. ``min_interval`` (seconds) limits how
    often the image is re-sent while training; the last epoch is always drawn.
    """

    def __init__(
        self,
        metrics: tuple[str, ...] = ("loss", "accuracy"),
        title: str = "",
        min_interval: float = 0.2,
        display: bool | None = None,
    ) -> None:
        unknown = [m for m in metrics if m not in _SERIES]
        if unknown or not metrics:
            raise ValueError(
                f"LiveCurves: metrics must be among {list(_SERIES)}, got {list(metrics)}"
            )
        self.metrics = tuple(metrics)
        self.min_interval = float(min_interval)
        self.display = in_notebook() if display is None else display
        self.figure = fig = new_figure(4.2 * len(metrics), 3.2)
        axes = fig.subplots(1, len(metrics), squeeze=False)[0]
        self.axes = dict(zip(self.metrics, axes))
        self.lines = {}
        for metric, ax in self.axes.items():
            train_key, val_key = _SERIES[metric]
            (self.lines[train_key],) = ax.plot([], [], color="C0", label="train")
            (self.lines[val_key],) = ax.plot(
                [], [], color="C1", linestyle="--", label="validation"
            )
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.set_title(metric)
            ax.grid(alpha=0.3)
        if title:
            fig.suptitle(title)
        self.message = fig.text(
            0.5,
            0.5,
            "",
            ha="center",
            va="center",
            color="darkred",
            wrap=True,
            bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "darkred"},
        )
        self.message.set_visible(False)
        fig.subplots_adjust(
            left=0.1, right=0.97, bottom=0.16, top=0.85 if title else 0.9, wspace=0.3
        )
        self.history: nl.History | None = None
        self._handle = None
        self._last_draw = -np.inf

    def __call__(self, epoch: int, history: nl.History) -> None:
        """``fit`` callback: record the history and redraw (throttled by ``min_interval``)."""
        self.history = history
        self._set_data(history)
        now = time.perf_counter()
        if now - self._last_draw >= self.min_interval or epoch == 1:
            self._last_draw = now
            self.refresh()

    def _set_data(self, history: nl.History) -> None:
        for metric, ax in self.axes.items():
            shown = False
            for key in _SERIES[metric]:
                values = getattr(history, key)
                self.lines[key].set_data(
                    np.arange(1, len(values) + 1), finite_or_nan(values)
                )
                shown |= bool(values)
            if shown:
                ax.relim()
                ax.autoscale_view()
                handles = [
                    line
                    for key in _SERIES[metric]
                    if getattr(history, key)
                    for line in [self.lines[key]]
                ]
                ax.legend(handles=handles, loc="best", fontsize=8)

    def show_message(self, text: str) -> None:
        """Write ``text`` over the curves (e.g. why training stopped) and redraw."""
        self.message.set_text(text)
        self.message.set_visible(bool(text))
        self.refresh()

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        return figure_png(self.figure)

    def refresh(self) -> None:
        """Re-render the figure into the notebook output (shown on first use)."""
        if not self.display:
            return
        from IPython.display import Image, display

        png = self.png()
        # Rendered at 2x, shown at its CSS size.
        image = Image(png, width=png_css_width(png))
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)

    def fit(
        self,
        model: nl.Layer,
        loss: nl.Loss,
        optimizer: nl.Optimizer,
        X: np.ndarray,
        y: np.ndarray,
        epochs: int,
        **kwargs,
    ) -> nl.History:
        """``nl.fit`` with these curves as a callback; a diverging run ends with a message on the
        figure instead of a traceback, and the epochs before it are returned as the History.

        Keyword arguments go to ``nl.fit`` (``progress`` defaults to False here).
        """
        kwargs.setdefault("progress", False)
        kwargs["callbacks"] = [*kwargs.get("callbacks", ()), self]
        # fit's own way to stop on divergence and say why (History.diverged), which is also
        # what a caller who passes on_divergence="stop" gets.
        kwargs.setdefault("on_divergence", "stop")
        self.message.set_visible(False)
        try:
            # A diverging run overflows before fit sees the non-finite loss; the message is the
            # report, the overflow warnings are noise.
            with np.errstate(over="ignore", invalid="ignore"):
                history = nl.fit(model, loss, optimizer, X, y, epochs, **kwargs)
        except FloatingPointError as err:  # on_divergence="raise", passed explicitly
            history = self.history if self.history is not None else nl.History()
            self._set_data(history)
            self.show_message(f"Stopped: {err}")
            return history
        if history.diverged is not None:
            self.history = history
            self._set_data(history)
            self.show_message(f"Stopped: {history.diverged}")
            return history
        self.history = history
        self._set_data(history)
        self.refresh()
        return history
