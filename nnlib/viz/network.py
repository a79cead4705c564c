"""The network as a picture: nodes and weighted edges, weight heat maps and histograms.

``network_layout`` and ``edge_style`` are pure functions (positions and styles as arrays);
``NetworkView`` draws them once and, during training, only changes the line widths, colours
and image data of the artists it made.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import nnlib as nl

from .._validation import check_float_array, check_labels, check_same_length
from ._render import (
    DPI,
    PIXEL_RATIO,
    Blitter,
    new_figure,
    nice_ceiling,
    png_css_width,
    sharp_layout,
)
from ._training import dense_layers

#: Edge colours for positive and negative weights (RGB), the colours of the grid's classes 0/1.
POSITIVE_COLOR = (0.122, 0.467, 0.706)
NEGATIVE_COLOR = (1.000, 0.498, 0.055)


def layer_sizes(model: nl.Layer) -> list[int]:
    """Units per layer of the network drawing: inputs, then each ``Dense`` layer's outputs."""
    dense = dense_layers(model)
    if not dense:
        raise ValueError(
            f"layer_sizes: {type(model).__name__} has no Dense layer to draw"
        )
    return [dense[0].in_features, *(d.out_features for d in dense)]


def network_layout(
    sizes: Sequence[int], width: float = 1.0, height: float = 1.0, spread: int = 16
) -> list[np.ndarray]:
    """Node positions of a layered drawing: one (n_i, 2) array of (x, y) per layer.

    Layers sit at evenly spaced x from 0 to ``width``, each centred on ``height / 2`` with
    unit 0 at the top, as a matrix row is. Layers of up to ``spread`` units share one vertical
    spacing (so a 2-16-16-2 net looks like one); a bigger layer is squeezed to fit ``height``.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"network_layout: need at least 2 layers of >= 1 unit, got {sizes}"
        )
    reference = min(max(sizes), spread)
    step = height / (reference - 1) if reference > 1 else 0.0
    xs = np.linspace(0.0, width, len(sizes))
    layout = []
    for x, n in zip(xs, sizes):
        layer_step = min(step, height / (n - 1)) if n > 1 else 0.0
        ys = height / 2 + layer_step * ((n - 1) / 2 - np.arange(n))
        layout.append(np.column_stack([np.full(n, x), ys]))
    return layout


def edge_segments(layout: Sequence[np.ndarray]) -> np.ndarray:
    """Line segments (E, 2, 2) joining every node of layer l to every node of layer l + 1.

    Ordered like ``W.ravel()`` of each layer in turn (row = input unit, column = output unit),
    so ``edge_style`` of the concatenated raveled weights lines up with them.
    """
    segments = []
    for a, b in zip(layout[:-1], layout[1:]):
        start = np.repeat(a, len(b), axis=0)
        end = np.tile(b, (len(a), 1))
        segments.append(np.stack([start, end], axis=1))
    return np.concatenate(segments, axis=0)


def edge_style(
    weights: Sequence[np.ndarray], max_width: float = 4.0, min_width: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Widths (E,) and RGBA colours (E, 4) of the edges for a list of weight matrices.

    Width and opacity grow with ``|w|`` relative to the largest weight of *its own* layer, so
    every layer stays readable; the hue says the sign. Non-finite weights draw as thin grey.
    """
    widths, colors = [], []
    for W in weights:
        w = np.asarray(W, dtype=np.float64).ravel()
        finite = np.isfinite(w)
        scale = np.abs(w[finite]).max() if finite.any() else 0.0
        mag = (
            np.where(finite, np.abs(w) / scale, 0.0) if scale > 0 else np.zeros_like(w)
        )
        widths.append(min_width + (max_width - min_width) * mag)
        rgba = np.empty((len(w), 4))
        rgba[:, :3] = np.where((w >= 0)[:, None], POSITIVE_COLOR, NEGATIVE_COLOR)
        rgba[:, 3] = 0.15 + 0.85 * mag
        rgba[~finite] = (0.6, 0.6, 0.6, 0.5)
        widths[-1][~finite] = min_width
        colors.append(rgba)
    return np.concatenate(widths), np.concatenate(colors)


def _symmetric_limit(W: np.ndarray) -> float:
    finite = np.abs(W[np.isfinite(W)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


class NetworkView:
    """The weights of ``model`` drawn three ways, redrawn in place by ``update()``.

    With ``image_shape`` (e.g. ``(8, 8)`` for digits), first: the first layer's weights into
    each of its first ``n_filters`` units, as images. Then the network graph (edge width =
    ``|w|``, colour = sign) and, per ``Dense`` layer, its weight matrix as a heat map (rows =
    inputs, columns = outputs) and a histogram of its weights.

    ``dpi`` CSS pixels per inch and ``pixel_ratio`` image pixels per CSS pixel: ratio 2
    renders for the widget (shown half-size, sharp); ``show()``, ``image()`` and ``widget``
    display the image at its CSS size either way.
    Use it as a ``fit`` callback to watch the weights change: ``callbacks=[view]``.
    """

    def __init__(
        self,
        model: nl.Layer,
        image_shape: tuple[int, int] | None = None,
        n_filters: int = 8,
        bins: int = 30,
        max_graph_units: int = 64,
        pixel_ratio: int = 1,
        dpi: int = DPI,
    ) -> None:
        self.model = model
        self.dense = dense_layers(model)
        sizes = layer_sizes(model)
        if image_shape is not None and int(np.prod(image_shape)) != sizes[0]:
            raise ValueError(
                f"NetworkView: image_shape {image_shape} has {int(np.prod(image_shape))} pixels but the "
                f"first Dense layer has {sizes[0]} inputs"
            )
        self.image_shape = image_shape
        self.bins = bins
        self.draw_graph = max(sizes) <= max_graph_units
        self.n_filters = min(n_filters, sizes[1]) if image_shape is not None else 0
        n_layers = len(self.dense)
        self.pixel_ratio = int(pixel_ratio)
        # Row heights in inches: the filters (first, nearest the controls) need less.
        heights = [1.2] * (self.n_filters > 0) + [2.2] * (2 + int(self.draw_graph))
        # Inches above the grid: the title (and the filters' caption).
        top = 0.8 if self.n_filters else 0.65
        total = sum(heights) + top + 0.3
        self.figure = fig = new_figure(
            max(6.0, 2.4 * n_layers), total, dpi=dpi * self.pixel_ratio
        )
        outer = fig.add_gridspec(
            len(heights),
            1,
            height_ratios=heights,
            hspace=0.6,
            left=0.08,
            right=0.97,
            top=1 - top / total,
            bottom=0.3 / total + 0.05,
        )
        row = 0
        self.filters = []
        if self.n_filters:
            filter_row = outer[row, 0].subgridspec(1, self.n_filters, wspace=0.15)
            for j in range(self.n_filters):
                ax = fig.add_subplot(filter_row[0, j])
                w = self.dense[0].W[:, j].reshape(image_shape)
                lim = _symmetric_limit(w)
                self.filters.append(
                    ax.imshow(w, cmap="coolwarm_r", vmin=-lim, vmax=lim)
                )
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_xlabel(f"unit {j}", fontsize=8)
            fig.text(
                0.5,
                filter_row[0, 0].get_position(fig).y1 + 0.01,
                "First-layer weights into each "
                "hidden unit, as images (blue > 0, red < 0)",
                ha="center",
                va="bottom",
                fontsize=9,
            )
            row += 1
        self.edges = None
        if self.draw_graph:
            from matplotlib.collections import LineCollection

            ax = fig.add_subplot(outer[row, 0])
            self.layout = network_layout(sizes, width=float(len(sizes) - 1), height=1.0)
            self.edges = LineCollection(edge_segments(self.layout), zorder=1)
            ax.add_collection(self.edges)
            nodes = np.concatenate(self.layout)
            ax.scatter(
                nodes[:, 0],
                nodes[:, 1],
                s=max(8, 120 / np.sqrt(max(sizes))),
                c="white",
                edgecolors="black",
                linewidths=0.8,
                zorder=2,
            )
            ax.set_xlim(-0.3, len(sizes) - 0.7)
            ax.set_ylim(-0.12, 1.12)
            ax.set_xticks(
                range(len(sizes)),
                ["input", *[f"hidden {i}" for i in range(1, len(sizes) - 1)], "output"],
            )
            ax.set_yticks([])
            ax.set_title("Network: edge width = |weight|, blue > 0, orange < 0")
            row += 1
        from matplotlib.ticker import MaxNLocator

        self.heatmaps, self.hists, self.hist_axes = [], [], []
        maps_row = outer[row, 0].subgridspec(1, n_layers, wspace=0.45)
        hist_row = outer[row + 1, 0].subgridspec(1, n_layers, wspace=0.45)
        for i, layer in enumerate(self.dense):
            ax = fig.add_subplot(maps_row[0, i])
            W = layer.W
            lim = _symmetric_limit(W)
            im = ax.imshow(
                W,
                cmap="coolwarm_r",
                vmin=-lim,
                vmax=lim,
                aspect="auto",
                interpolation="nearest",
            )
            ax.set_title(f"W{i + 1} ({W.shape[0]} x {W.shape[1]})", fontsize=9)
            ax.set_xlabel("output unit", fontsize=8)
            ax.set_ylabel("input unit", fontsize=8)
            ax.tick_params(labelsize=7)
            for axis in (ax.xaxis, ax.yaxis):  # unit numbers: 0, 1, ..., never 0.5
                axis.set_major_locator(MaxNLocator(integer=True))
            self.heatmaps.append(im)
            hax = fig.add_subplot(hist_row[0, i])
            counts, edges = self._histogram(W)
            self.hists.append(hax.stairs(counts, edges, fill=True, color="0.4"))
            hax.set_title(f"W{i + 1} histogram", fontsize=9)
            hax.set_xlabel("weight", fontsize=8)
            hax.tick_params(labelsize=7)
            self.hist_axes.append(hax)
        self.title = fig.suptitle("", fontsize=10)
        self.message = fig.text(
            0.5,
            0.5,
            "",
            ha="center",
            va="center",
            color="darkred",
            fontsize=11,
            wrap=True,
            bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "darkred"},
        )
        self.message.set_visible(False)
        # Only these change during training; axes, ticks and labels are redrawn only when a
        # histogram's range moves.
        dynamic = (
            ([self.edges] if self.edges is not None else [])
            + self.heatmaps
            + self.hists
            + self.filters
        )
        self.blitter = Blitter(fig, [*dynamic, self.title, self.message])
        self._image = None
        self._handle = None
        self.update()

    def _histogram(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = W[np.isfinite(W)]
        lim = float(np.abs(w).max()) if w.size else 1.0
        # A 1-2-5 range: the axes (drawn in the background) change only now and then.
        lim = nice_ceiling(lim) if lim > 0 else 1.0
        return np.histogram(w, bins=self.bins, range=(-lim, lim))

    def update(self, title: str | None = None, message: str | None = None) -> None:
        """Redraw every artist from the model's current weights (and refresh the shown image)."""
        if self.edges is not None:
            widths, colors = edge_style([d.W for d in self.dense])
            self.edges.set_linewidths(widths)
            self.edges.set_color(colors)
        for layer, im, stairs, hax in zip(
            self.dense, self.heatmaps, self.hists, self.hist_axes
        ):
            lim = _symmetric_limit(layer.W)
            im.set_data(layer.W)
            im.set_clim(-lim, lim)
            counts, edges = self._histogram(layer.W)
            stairs.set_data(counts, edges)
            xlim, ylim = (
                (edges[0], edges[-1]),
                (0, nice_ceiling(max(1, counts.max()) * 1.1)),
            )
            if xlim != hax.get_xlim() or ylim != hax.get_ylim():
                hax.set_xlim(xlim)
                hax.set_ylim(ylim)
                self.blitter.invalidate()
        for j, im in enumerate(self.filters):
            w = self.dense[0].W[:, j].reshape(self.image_shape)
            lim = _symmetric_limit(w)
            im.set_data(w)
            im.set_clim(-lim, lim)
        if title is not None:
            self.title.set_text(title)
        self.message.set_visible(bool(message))
        self.message.set_text(message or "")
        self._refresh()

    def __call__(self, epoch: int, history: nl.History) -> None:
        """``fit`` callback: redraw with the epoch and loss in the title."""
        self.update(title=f"epoch {epoch}, loss {history.loss[-1]:.4f}")

    def png(self) -> bytes:
        """The current drawing as PNG bytes."""
        return self.blitter.png()

    def image(self):
        """The current drawing as an ``IPython.display.Image`` shown at its CSS size."""
        from IPython.display import Image

        png = self.png()
        return Image(png, width=png_css_width(png, self.pixel_ratio))

    @property
    def widget(self):
        """An ``ipywidgets.Image`` that always shows the current drawing, at its CSS size."""
        if self._image is None:
            import ipywidgets as w

            png = self.png()
            self._image = w.Image(
                value=png,
                format="png",
                layout=sharp_layout(png_css_width(png, self.pixel_ratio)),
            )
        return self._image

    def _refresh(self) -> None:
        if self._image is not None:
            self._image.value = self.png()
            self._image.layout.width = (
                f"{png_css_width(self._image.value, self.pixel_ratio)}px"
            )
        elif self._handle is not None:
            self._handle.update(self.image())

    def show(self) -> None:
        """Display the drawing in the notebook; later updates replace it in place."""
        from IPython.display import display

        if self._image is not None:
            display(self._image)
        else:
            self._handle = display(self.image(), display_id=True)


class NetworkExplorer:
    """A control panel that trains a small MLP on ``X``, ``y`` and shows its ``NetworkView``.

    Controls: hidden layers, activation, optimizer, learning rate, epochs per click; buttons
    Train (redraws after every epoch), Step (one epoch) and Reset (back to the seed's initial
    weights). For digits pass ``image_shape=(8, 8)`` to see the first layer's weights as images.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        hidden: str | Sequence[int] = "16",
        activation: str = "relu",
        optimizer: str = "adam",
        lr: float = 0.01,
        epochs: int = 10,
        batch_size: int = 32,
        image_shape: tuple[int, int] | None = None,
        seed: int = 0,
    ) -> None:
        import ipywidgets as w

        from ._training import (
            CONTROL_WIDTH,
            network_controls,
            parse_hidden,
            train_buttons,
        )

        self.X = check_float_array(X, "NetworkExplorer")
        self.y = check_labels(y, "NetworkExplorer")
        check_same_length(self.X, self.y, "NetworkExplorer")
        self.n_classes = int(np.max(y)) + 1
        self.image_shape = image_shape
        self.seed = seed
        parse_hidden(hidden)  # fail early, in the caller's terms
        style = {"description_width": "95px"}
        net = network_controls(
            hidden, activation, optimizer, lr, epochs, max_epochs=100, style=style
        )
        self.controls = {
            **net,
            "batch_size": w.IntSlider(
                value=batch_size,
                min=1,
                max=len(X),
                description="batch size",
                style=style,
            ),
        }
        for control in self.controls.values():
            control.layout.width = CONTROL_WIDTH
        self.train_button, self.step_button, self.reset_button = train_buttons()
        for button in (self.train_button, self.step_button, self.reset_button):
            button.layout.width = "100px"
        self.status = w.HTML()
        self.train_button.on_click(lambda _: self.train())
        self.step_button.on_click(lambda _: self.train(1))
        self.reset_button.on_click(lambda _: self.reset())
        for name in ("hidden", "activation"):
            self.controls[name].observe(lambda _: self.reset(), names="value")
        for name in ("optimizer", "lr", "batch_size"):
            self.controls[name].observe(lambda _: self._new_optimizer(), names="value")
        self._box = None
        self.reset()

    def reset(self) -> None:
        """Build a fresh network from the controls and redraw."""
        from ._training import Trainer, parse_hidden

        try:
            hidden = parse_hidden(self.controls["hidden"].value)
        except ValueError as err:
            self._say(str(err), error=True)
            return
        c = self.controls
        self.model = nl.build_mlp(
            [self.X.shape[1], *hidden, self.n_classes],
            c["activation"].value,
            rng=self.seed,
            dtype=self.X.dtype,
        )
        self.trainer = Trainer(
            self.model,
            nl.CrossEntropyLoss(),
            self._optimizer(),
            self.X,
            self.y,
            batch_size=c["batch_size"].value,
            rng=self.seed,
        )
        # The panel keeps showing the same Image widget; only the figure behind it is new.
        old_image = (
            self.view._image if getattr(self, "view", None) is not None else None
        )
        # 100 dpi: a 6-inch drawing is 600 CSS pixels wide, about the book's text column.
        self.view = NetworkView(
            self.model, image_shape=self.image_shape, pixel_ratio=PIXEL_RATIO, dpi=100
        )
        self.view._image = old_image
        self.view.update(title="epoch 0")
        self._say("New weights. Press Train.")

    def _optimizer(self) -> nl.Optimizer:
        from ._training import build_optimizer

        return build_optimizer(
            self.controls["optimizer"].value, self.model, self.controls["lr"].value
        )

    def _new_optimizer(self) -> None:
        self.trainer.optimizer = self._optimizer()
        self.trainer.batch_size = self.controls["batch_size"].value

    def train(self, epochs: int | None = None, redraws: int = 10) -> None:
        """Train ``epochs`` epochs (default: the slider), redrawing up to ``redraws`` times."""
        epochs = self.controls["epochs"].value if epochs is None else int(epochs)
        t = self.trainer
        chunk = max(1, -(-epochs // max(1, redraws)))
        left = epochs
        while left > 0 and not t.diverged:
            t.run(min(chunk, left))
            left -= chunk
            if t.epoch:
                self.view.update(
                    title=f"epoch {t.epoch}, loss {t.losses[-1]:.4f}",
                    message=t.diverged,
                )
        from ._training import stuck_message

        problem = t.diverged or stuck_message(t)
        if problem:
            self.view.update(message=problem)
            self._say(problem, error=True)
        else:
            self._say(f"epoch {t.epoch}, loss {t.losses[-1]:.4f}")

    def _say(self, text: str, error: bool = False) -> None:
        color = "darkred" if error else "black"
        self.status.value = f'<span style="color:{color}">{text}</span>'

    @property
    def widget(self):
        """The whole panel as one ipywidgets box: the controls in two columns and the buttons
        directly above the drawing, whose first row is the filters (with ``image_shape``), so a
        click on Train and what it changes are seen together."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            column = w.Layout(width="325px")
            self._box = w.VBox(
                [
                    w.HBox(
                        [
                            w.VBox(
                                [c["hidden"], c["activation"], c["optimizer"]],
                                layout=column,
                            ),
                            w.VBox(
                                [c["lr"], c["epochs"], c["batch_size"]], layout=column
                            ),
                        ],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    w.HBox([self.train_button, self.step_button, self.reset_button]),
                    self.status,
                    self.view.widget,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the panel."""
        from IPython.display import display

        display(self.widget)
