"""Decision-boundary playground, in the spirit of TensorFlow Playground, inside Jupyter.

Pick a data set, its noise, the hidden layers, activation, optimizer, learning rate and batch
size; Train / Step / Reset. The view shows the class-probability map over the plane with
the training (circles) and validation (triangles) points, and the train/validation loss per
epoch. (The held-out part is validation data: it is watched while choices are made; the
attribute names ``X_test``/``test_fraction`` are kept for compatibility.)

Speed: training is ``nl.fit`` in chunks (``Trainer``), full-batch by default; the map is one
forward pass over the grid; redrawing changes the data of existing artists (``set_data``,
``set_offsets``) and re-renders one small PNG. See ``benchmarks/bench_playground.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import nnlib as nl

from ._render import (
    PIXEL_RATIO,
    Blitter,
    new_figure,
    nice_ceiling,
    png_css_width,
    sharp_layout,
)
from ._training import (
    ACTIVATIONS,
    CONTROL_WIDTH,
    OPTIMIZERS,
    Trainer,
    build_optimizer,
    network_controls,
    parse_hidden,
    stuck_message,
    train_buttons,
)
from .curves import finite_or_nan
from .grid import grid_bounds, grid_proba, proba_to_rgb

#: The data sets of the playground, by name.
DATASETS = {
    "moons": nl.datasets.make_moons,
    "circles": nl.datasets.make_circles,
    "spirals": nl.datasets.make_spirals,
    "xor": nl.datasets.make_xor,
    "blobs": nl.datasets.make_blobs,
}
#: Batch-size choices; ``None`` is the full batch (one step per epoch). The dropdown stores it as
#: 0, because a dropdown whose value is None shows no selection.
BATCH_SIZES: tuple[tuple[str, int | None], ...] = (
    ("full", None),
    ("8", 8),
    ("16", 16),
    ("32", 32),
    ("64", 64),
)
_FULL = 0


class Playground:
    """Train a small MLP on a 2-D data set and watch its decision boundary form.

    ``pg = Playground(); pg.show()`` in a notebook; ``pg.train(200)`` does from code what the
    Train button does. The defaults are the 2-16-16-2 ReLU network trained full-batch by Adam.
    """

    def __init__(
        self,
        dataset: str = "moons",
        noise: float = 0.2,
        n_samples: int = 300,
        hidden: str | Sequence[int] = "16, 16",
        activation: str = "relu",
        optimizer: str = "adam",
        lr: float = 0.03,
        batch_size: int | None = None,
        epochs: int = 200,
        resolution: int = 64,
        seed: int = 0,
        test_fraction: float = 0.3,
        redraws_per_train: int = 10,
    ) -> None:
        import ipywidgets as w

        if dataset not in DATASETS:
            raise ValueError(
                f"Playground: unknown dataset {dataset!r}; choose one of {list(DATASETS)}"
            )
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"Playground: unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}"
            )
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"Playground: unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}"
            )
        if batch_size not in dict(BATCH_SIZES).values():
            raise ValueError(
                f"Playground: batch_size must be one of {[b for _, b in BATCH_SIZES]}, got {batch_size}"
            )
        if not 0 < test_fraction < 1:
            raise ValueError(
                f"Playground: test_fraction must be in (0, 1), got {test_fraction}"
            )
        hidden_text = (
            hidden if isinstance(hidden, str) else ", ".join(str(h) for h in hidden)
        )
        parse_hidden(hidden_text)
        self.resolution = resolution
        self.test_fraction = test_fraction
        self.redraws_per_train = max(1, int(redraws_per_train))

        # Room for the longest description ("epochs / Train") and for each readout.
        style = {"description_width": "105px"}
        net = network_controls(
            hidden_text, activation, optimizer, lr, epochs, max_epochs=2000, style=style
        )
        self.controls = {
            "dataset": w.Dropdown(
                options=list(DATASETS),
                value=dataset,
                description="data set",
                style=style,
            ),
            "noise": w.FloatSlider(
                value=noise,
                min=0.0,
                max=1.0,
                step=0.05,
                description="noise",
                style=style,
            ),
            "n_samples": w.IntSlider(
                value=n_samples,
                min=20,
                max=1000,
                step=20,
                description="samples",
                style=style,
            ),
            **{k: net[k] for k in ("hidden", "activation", "optimizer", "lr")},
            "batch_size": w.Dropdown(
                options=[(label, b or _FULL) for label, b in BATCH_SIZES],
                value=batch_size or _FULL,
                description="batch size",
                style=style,
            ),
            "epochs": net["epochs"],
            "seed": w.BoundedIntText(
                value=seed, min=0, max=10**6, description="seed", style=style
            ),
        }
        for control in self.controls.values():
            control.layout.width = CONTROL_WIDTH
        self.train_button, self.step_button, self.reset_button = train_buttons()
        self.status = w.HTML()
        self.train_button.on_click(self._safely(lambda: self.train()))
        self.step_button.on_click(self._safely(lambda: self.train(1)))
        self.reset_button.on_click(self._safely(self.reset))
        for name in ("dataset", "noise", "n_samples", "seed"):
            self.controls[name].observe(self._safely(self.new_data), names="value")
        for name in ("hidden", "activation"):
            self.controls[name].observe(self._safely(self.reset), names="value")
        for name in ("optimizer", "lr", "batch_size"):
            self.controls[name].observe(
                self._safely(self._new_optimizer), names="value"
            )

        self._build_figure()
        self.image = w.Image(format="png")
        self._box = None
        self._x_end = 0
        self.new_data()

    def _safely(self, action):
        """A widget callback running ``action()``; an error becomes a message in the view.

        A callback's exception would only reach the browser's log, and the panel would look
        frozen: the reader should see what went wrong where they are looking.
        """

        def callback(_change=None) -> None:
            try:
                action()
            except Exception as err:  # noqa: BLE001 - the UI boundary: report, never raise
                self._show_message(f"{type(err).__name__}: {err}")

        return callback

    # ---- state -------------------------------------------------------------------------
    def new_data(self) -> None:
        """Draw a new data set from the controls, then reset the network."""
        c = self.controls
        make = DATASETS[c["dataset"].value]
        # float32 throughout: numpy's float64 tanh is about four times slower, and a picture of
        # a decision boundary needs no more than float32's seven digits.
        X, y = make(
            c["n_samples"].value,
            noise=c["noise"].value,
            rng=c["seed"].value,
            dtype=np.float32,
        )
        stratify = np.bincount(y).min() >= 2
        X_train, X_test, y_train, y_test = nl.train_test_split(
            X, y, test_size=self.test_fraction, rng=c["seed"].value, stratify=stratify
        )
        self.X_train, self.X_test, self.y_train, self.y_test = (
            X_train,
            X_test,
            y_train,
            y_test,
        )
        self.n_classes = int(y.max()) + 1
        # The network sees standardized inputs; the plot stays in data coordinates.
        self.scaler = nl.StandardScaler().fit(X_train)
        self.Z_train, self.Z_test = (
            self.scaler.transform(X_train),
            self.scaler.transform(X_test),
        )
        self.bounds = grid_bounds(X)
        self._set_points()
        self.reset()

    def reset(self) -> None:
        """New weights for the network the controls describe; the loss curve starts over."""
        c = self.controls
        try:
            hidden = parse_hidden(c["hidden"].value)
        except ValueError as err:
            self._show_message(str(err))
            return
        self.model = nl.build_mlp(
            [2, *hidden, self.n_classes],
            c["activation"].value,
            rng=c["seed"].value,
            dtype=np.float32,
        )
        self.trainer = Trainer(
            self.model,
            nl.CrossEntropyLoss(),
            self._optimizer(),
            self.Z_train,
            self.y_train,
            self.Z_test,
            self.y_test,
            batch_size=self._batch_size(),
            rng=c["seed"].value,
        )
        # Sized for one Train click from the start, so that click only blits.
        self._x_end = c["epochs"].value
        sizes = "-".join(str(s) for s in (2, *hidden, self.n_classes))
        self.redraw(status=f"New {sizes} network. Press Train.")

    def _optimizer(self) -> nl.Optimizer:
        return build_optimizer(
            self.controls["optimizer"].value, self.model, self.controls["lr"].value
        )

    def _new_optimizer(self) -> None:
        # Changing the optimizer keeps the weights learned so far, as in TF Playground.
        self.trainer.optimizer = self._optimizer()
        self.trainer.batch_size = self._batch_size()

    def _batch_size(self) -> int | None:
        return self.controls["batch_size"].value or None

    def train(self, epochs: int | None = None, redraws: int | None = None) -> None:
        """Train ``epochs`` epochs (default: the slider), redrawing ``redraws`` times on the way.

        A diverging run stops early and the view says so; it never raises.
        """
        epochs = self.controls["epochs"].value if epochs is None else int(epochs)
        redraws = self.redraws_per_train if redraws is None else max(1, int(redraws))
        if self.trainer.diverged:
            self._show_message(self.trainer.diverged)
            return
        # The loss axes are sized for the whole click up front: one full draw, then blits.
        self._x_end = self.trainer.epoch + epochs
        chunk = max(1, -(-epochs // redraws))
        left = epochs
        while left > 0:
            done = self.trainer.run(min(chunk, left))
            left -= chunk
            self.redraw()
            if done == 0 or self.trainer.diverged:
                break

    # ---- drawing -----------------------------------------------------------------------
    def _build_figure(self) -> None:
        # 605 x 274 CSS pixels (8.4 x 3.8 inches at 72 dpi) fit the book's text column; rendered
        # at PIXEL_RATIO times that, so the browser scales it down (sharp), never up (blurred).
        self.figure = fig = new_figure(8.4, 3.8, dpi=72 * PIXEL_RATIO)
        self.ax_map, self.ax_loss = fig.subplots(
            1, 2, gridspec_kw={"width_ratios": [1, 1.15]}
        )
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.9, wspace=0.25)
        r = self.resolution
        self.map_image = self.ax_map.imshow(
            np.ones((r, r, 3)), origin="lower", interpolation="bilinear", aspect="auto"
        )
        self.train_points = self.ax_map.scatter(
            [], [], s=18, edgecolors="white", linewidths=0.6, label="train"
        )
        self.test_points = self.ax_map.scatter(
            [],
            [],
            s=22,
            marker="^",
            edgecolors="black",
            linewidths=0.6,
            label="validation",
        )
        self.ax_map.set_xlabel("x₁")
        self.ax_map.set_ylabel("x₂")
        self.map_title = self.ax_map.set_title("")
        (self.train_line,) = self.ax_loss.plot([], [], color="C0", label="train loss")
        (self.test_line,) = self.ax_loss.plot(
            [], [], color="C1", linestyle="--", label="validation loss"
        )
        self.ax_loss.set_xlabel("epoch")
        self.ax_loss.set_ylabel("cross-entropy loss")
        self.ax_loss.set_title("Loss")
        self.ax_loss.grid(alpha=0.3)
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.message = fig.text(
            0.5,
            0.5,
            "",
            ha="center",
            va="center",
            color="darkred",
            fontsize=11,
            wrap=True,
            bbox={"facecolor": "white", "alpha": 0.92, "edgecolor": "darkred"},
        )
        self.message.set_visible(False)
        # Everything that changes while training; the rest is drawn once as the background.
        self.blitter = Blitter(
            fig,
            [
                self.map_image,
                self.train_points,
                self.test_points,
                self.map_title,
                self.train_line,
                self.test_line,
                self.message,
            ],
        )

    def _set_points(self) -> None:
        from .grid import CLASS_COLORS

        self.map_image.set_extent(self.bounds)
        self.ax_map.set_xlim(self.bounds[:2])
        self.ax_map.set_ylim(self.bounds[2:])
        self.train_points.set_offsets(self.X_train)
        self.train_points.set_facecolors(CLASS_COLORS[self.y_train])
        self.test_points.set_offsets(self.X_test)
        self.test_points.set_facecolors(CLASS_COLORS[self.y_test])
        self.blitter.invalidate()

    def redraw(self, status: str | None = None) -> None:
        """Update the map, the curves and the message from the current model, then re-render."""
        t = self.trainer
        proba = grid_proba(
            self.model, self.bounds, self.resolution, transform=self.scaler.transform
        )
        self.map_image.set_data(proba_to_rgb(proba))
        epochs = np.arange(1, t.epoch + 1)
        train, test = finite_or_nan(t.losses), finite_or_nan(t.test_losses)
        self.train_line.set_data(epochs, train)
        self.test_line.set_data(epochs, test)
        finite = np.concatenate([train[np.isfinite(train)], test[np.isfinite(test)]])
        self._set_loss_limits(t.epoch, float(finite.max()) if finite.size else 0.0)
        if t.epoch:
            with np.errstate(all="ignore"):
                out = self.model(self.Z_test)
            acc = (
                f"{nl.accuracy(self.y_test, out.argmax(axis=1)):.0%}"
                if np.isfinite(out).all()
                else "n/a"
            )
            self.map_title.set_text(
                f"epoch {t.epoch}: train loss {t.losses[-1]:.3f}, val acc {acc}"
            )
        else:
            self.map_title.set_text("epoch 0 (untrained)")
        if t.diverged:
            self._show_message(t.diverged)
            return
        # Exploded, then stuck (e.g. lr 10 with ReLU): finite, so not "diverged", but the
        # reader sees a flat line and must be told why.
        stuck = stuck_message(t)
        if stuck:
            self._show_message(stuck)
            return
        self.message.set_visible(False)
        self._render()
        self.status.value = status if status is not None else self.map_title.get_text()

    def _set_loss_limits(self, epochs: int, top: float) -> None:
        # Limits move in 1-2-5 steps, so the axes (and the background) rarely change and most
        # redraws only blit the curves.
        xlim = (0, nice_ceiling(max(epochs, self._x_end, 10)))
        ylim = (0, nice_ceiling(top * 1.05) if top > 0 else 1.0)
        if xlim != self.ax_loss.get_xlim() or ylim != self.ax_loss.get_ylim():
            self.ax_loss.set_xlim(xlim)
            self.ax_loss.set_ylim(ylim)
            self.blitter.invalidate()

    def _show_message(self, text: str) -> None:
        self.message.set_text(text)
        self.message.set_visible(True)
        self.status.value = f'<span style="color:darkred">{text}</span>'
        self._render()

    def _render(self) -> None:
        self.image.value = self.blitter.png()

    def png(self) -> bytes:
        """The current view as PNG bytes."""
        return bytes(self.image.value)

    # ---- the static book -----------------------------------------------------------------
    def animate(self, epochs: int | None = None, frames: int = 30):
        """Reset, train ``epochs`` epochs with the current controls and return the run as an
        HTML animation (``to_jshtml``) to scrub through without a kernel."""
        from .animate import animate_playground

        return animate_playground(self, epochs=epochs, frames=frames)

    @property
    def widget(self):
        """The whole panel: controls and buttons above the view."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            # Controls in two columns above the view: the book's text column is ~700 px wide,
            # too narrow for controls beside a 672 px image.
            column = w.Layout(width="325px")
            data = w.VBox(
                [c["dataset"], c["noise"], c["n_samples"], c["seed"], c["epochs"]],
                layout=column,
            )
            net = w.VBox(
                [
                    c["hidden"],
                    c["activation"],
                    c["optimizer"],
                    c["lr"],
                    c["batch_size"],
                ],
                layout=column,
            )
            self.image.layout = sharp_layout(png_css_width(self.image.value))
            self._box = w.VBox(
                [
                    w.HBox([data, net], layout=w.Layout(flex_flow="row wrap")),
                    w.HBox([self.train_button, self.step_button, self.reset_button]),
                    self.status,
                    self.image,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the panel in the notebook."""
        from IPython.display import display

        display(self.widget)
