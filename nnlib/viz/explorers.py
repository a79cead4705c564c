"""Two explorers: an activation function with its derivative, and gradient descent on a 2-D surface.

Both compute with nnlib itself: the activation explorer runs the layer's ``forward`` and
``backward``, and the descent explorer steps a two-number "model" with ``nl.SGD``/``nl.Adam``,
so what the learner sees is exactly what the library does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import LogNorm

import nnlib as nl

from ._render import figure_png, new_figure, png_css_width, sharp_layout
from ._training import ACTIVATIONS, build_optimizer, learning_rate_slider


def activation_curve(name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``f(x)`` and ``f'(x)`` of the activation ``name`` at the points ``x`` (n,), from the
    layer's own ``forward`` and ``backward`` (the derivative is backward of a gradient of ones)."""
    if name not in ACTIVATIONS:
        raise ValueError(
            f"activation_curve: unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        )
    layer = ACTIVATIONS[name]()
    x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    f = layer.forward(x)
    df = layer.backward(np.ones_like(x))
    return f.ravel(), df.ravel()


class ActivationExplorer:
    """An activation and its derivative over an input range, with a point to slide along.

    The left panel shows ``f`` and its tangent at ``x``; the right one ``f'``, which is the
    factor backpropagation multiplies the incoming gradient by at that input.
    """

    def __init__(
        self,
        activation: str = "sigmoid",
        x: float = 1.0,
        x_range: tuple[float, float] = (-6.0, 6.0),
        n_points: int = 400,
    ) -> None:
        import ipywidgets as w

        if activation not in ACTIVATIONS:
            raise ValueError(
                f"ActivationExplorer: unknown activation {activation!r}; "
                f"choose one of {sorted(ACTIVATIONS)}"
            )
        self.n_points = n_points
        # Up to |x| = 20 the curves still change (sigmoid'(20) = 2e-9); a narrower span keeps
        # the two handles of the default range (-6, 6) apart. Wide enough for both readouts.
        style = {"description_width": "85px"}
        self.controls = {
            "activation": w.Dropdown(
                options=sorted(ACTIVATIONS),
                value=activation,
                description="activation",
                style=style,
                layout=w.Layout(width="260px"),
            ),
            "range": w.FloatRangeSlider(
                value=x_range,
                min=-20.0,
                max=20.0,
                step=0.5,
                description="input range",
                readout_format=".1f",
                style=style,
                layout=w.Layout(width="420px"),
            ),
            "x": w.FloatSlider(
                value=x,
                min=-20.0,
                max=20.0,
                step=0.05,
                description="x",
                style=style,
                layout=w.Layout(width="420px"),
            ),
        }
        self.figure = fig = new_figure(8.4, 3.2)
        self.ax_f, self.ax_df = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.86, wspace=0.25)
        (self.f_line,) = self.ax_f.plot([], [], color="C0")
        (self.tangent,) = self.ax_f.plot(
            [], [], color="C3", linestyle="--", linewidth=1, label="tangent"
        )
        (self.f_point,) = self.ax_f.plot([], [], "o", color="C3")
        (self.df_line,) = self.ax_df.plot([], [], color="C2")
        (self.df_point,) = self.ax_df.plot([], [], "o", color="C3")
        for ax, label in ((self.ax_f, "f(x)"), (self.ax_df, "f'(x)")):
            ax.set_xlabel("x")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            ax.axhline(0, color="0.6", linewidth=0.8)
        self.image = w.Image(format="png")
        for c in self.controls.values():
            c.observe(lambda _: self.update(), names="value")
        self._box = None
        self.update()

    def update(self) -> None:
        """Recompute the curves for the controls' values and redraw."""
        c = self.controls
        lo, hi = c["range"].value
        if hi <= lo:
            hi = lo + 1.0
        x0 = float(np.clip(c["x"].value, lo, hi))
        xs = np.linspace(lo, hi, self.n_points)
        f, df = activation_curve(c["activation"].value, xs)
        (f0,), (d0,) = (
            a for a in activation_curve(c["activation"].value, np.array([x0]))
        )
        self.f_line.set_data(xs, f)
        self.df_line.set_data(xs, df)
        self.f_point.set_data([x0], [f0])
        self.df_point.set_data([x0], [d0])
        half = (hi - lo) / 8
        self.tangent.set_data([x0 - half, x0 + half], [f0 - d0 * half, f0 + d0 * half])
        for ax, ys in ((self.ax_f, f), (self.ax_df, df)):
            ax.set_xlim(lo, hi)
            pad = 0.08 * max(ys.max() - ys.min(), 1e-3)
            ax.set_ylim(ys.min() - pad, ys.max() + pad)
        name = c["activation"].value
        self.ax_f.set_title(f"{name}: f({x0:.2f}) = {f0:.4g}")
        self.ax_df.set_title(f"derivative: f'({x0:.2f}) = {d0:.4g}")
        self.image.value = figure_png(self.figure)

    @property
    def widget(self):
        """Controls above the figure, as one ipywidgets box."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            self.image.layout = sharp_layout(png_css_width(self.image.value))
            self._box = w.VBox(
                [
                    w.HBox(
                        [c["activation"], c["range"]],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    c["x"],
                    self.image,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the explorer."""
        from IPython.display import display

        display(self.widget)


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface: ``f`` and ``grad`` take points (..., 2); ``bounds`` is the plotted box."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    bounds: tuple[float, float, float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]


def _bowl(w):
    return 0.5 * (w[..., 0] ** 2 + 10.0 * w[..., 1] ** 2)


def _bowl_grad(w):
    return np.stack([w[..., 0], 10.0 * w[..., 1]], axis=-1)


def _rosenbrock(w):
    x, y = w[..., 0], w[..., 1]
    return (1 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _rosenbrock_grad(w):
    x, y = w[..., 0], w[..., 1]
    return np.stack(
        [-2 * (1 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)], axis=-1
    )


def _himmelblau(w):
    x, y = w[..., 0], w[..., 1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def _himmelblau_grad(w):
    x, y = w[..., 0], w[..., 1]
    a, b = x * x + y - 11, x + y * y - 7
    return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b], axis=-1)


#: The surfaces the explorer offers: a narrow bowl (zig-zag, where momentum helps), Rosenbrock's
#: curved valley, and Himmelblau's four minima (where you end up depends on where you start).
SURFACES: dict[str, Surface] = {
    "narrow bowl": Surface(
        "narrow bowl",
        _bowl,
        _bowl_grad,
        (-3.0, 3.0, -2.0, 2.0),
        (-2.5, 1.5),
        ((0.0, 0.0),),
    ),
    "rosenbrock": Surface(
        "rosenbrock",
        _rosenbrock,
        _rosenbrock_grad,
        (-2.0, 2.0, -1.0, 3.0),
        (-1.5, 2.5),
        ((1.0, 1.0),),
    ),
    "himmelblau": Surface(
        "himmelblau",
        _himmelblau,
        _himmelblau_grad,
        (-5.0, 5.0, -5.0, 5.0),
        (0.0, -0.5),
        (
            (3.0, 2.0),
            (-2.805118, 3.131312),
            (-3.779310, -3.283186),
            (3.584428, -1.848126),
        ),
    ),
}


class _Point(nl.Layer):
    """A "model" that is just the point ``w`` (2,), so nnlib's optimizers can move it."""

    def __init__(self, start: tuple[float, float]) -> None:
        super().__init__()
        self.params = {"w": np.array(start, dtype=np.float64)}
        self.grads = {"w": np.zeros(2)}


def descent_path(
    surface: Surface | str,
    optimizer: str = "sgd",
    lr: float = 0.05,
    momentum: float = 0.0,
    steps: int = 100,
    start: tuple[float, float] | None = None,
    limit: float = 1e6,
) -> tuple[np.ndarray, np.ndarray]:
    """The points (m, 2) that ``optimizer`` (``"sgd"`` with ``momentum``, or ``"adam"``) visits
    in ``steps`` steps on ``surface`` from ``start``, and the loss at each (m,).

    ``m = steps + 1`` unless the path diverges (a coordinate beyond ``limit`` or not finite):
    it then ends at the first such point, which the caller can detect with ``m <= steps``.
    """
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(
                f"descent_path: unknown surface {surface!r}; choose one of {list(SURFACES)}"
            )
        surface = SURFACES[surface]
    if optimizer not in ("sgd", "adam"):
        raise ValueError(
            f"descent_path: optimizer must be 'sgd' or 'adam', got {optimizer!r}"
        )
    point = _Point(surface.start if start is None else start)
    # The widgets' optimizers (Adam fused: the same steps, bit for bit, on this one vector).
    opt = build_optimizer(
        optimizer, point, lr, momentum=momentum if optimizer == "sgd" else None
    )
    w = point.params["w"]
    path = [w.copy()]
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            point.grads["w"][...] = surface.grad(w)
            opt.step()
            path.append(w.copy())
            if not np.all(np.isfinite(w)) or np.abs(w).max() > limit:
                break
        path_arr = np.array(path)
        return path_arr, surface.f(path_arr)


class GradientDescentExplorer:
    """Gradient descent on a 2-D loss surface: the path drawn on the contour plot.

    Controls: the surface, the optimizer (SGD with a momentum slider, or Adam), the learning
    rate, the number of steps and the start point. A path that diverges is drawn up to where
    it left and the view says so.
    """

    #: The default rate: 0.9 * 2 / lambda_max on the narrow bowl (lambda_max = 10), where the
    #: steep coordinate is multiplied by 1 - 1.8 = -0.8 per step: the zigzag is visible. (At
    #: 0.1 = 1 / lambda_max that coordinate is solved in one step and no zigzag shows.)
    DEFAULT_LR = 0.18

    def __init__(
        self,
        surface: str = "narrow bowl",
        optimizer: str = "sgd",
        lr: float = DEFAULT_LR,
        momentum: float = 0.0,
        steps: int = 50,
        start: tuple[float, float] | None = None,
    ) -> None:
        import ipywidgets as w

        if surface not in SURFACES:
            raise ValueError(
                f"GradientDescentExplorer: unknown surface {surface!r}; choose one of {list(SURFACES)}"
            )
        s = SURFACES[surface]
        start = s.start if start is None else start
        style = {"description_width": "95px"}
        self.controls = {
            "surface": w.Dropdown(
                options=list(SURFACES),
                value=surface,
                description="surface",
                style=style,
            ),
            "optimizer": w.Dropdown(
                options=["sgd", "adam"],
                value=optimizer,
                description="optimizer",
                style=style,
            ),
            "lr": learning_rate_slider(lr, description="learning rate", style=style),
            "momentum": w.FloatSlider(
                value=momentum,
                min=0.0,
                max=0.99,
                step=0.01,
                description="momentum",
                style=style,
            ),
            "steps": w.IntSlider(
                value=steps, min=1, max=1000, description="steps", style=style
            ),
            "start_x": w.FloatSlider(
                value=start[0],
                min=-5.0,
                max=5.0,
                step=0.1,
                description="start x",
                style=style,
            ),
            "start_y": w.FloatSlider(
                value=start[1],
                min=-5.0,
                max=5.0,
                step=0.1,
                description="start y",
                style=style,
            ),
        }
        for control in self.controls.values():
            control.layout.width = "320px"
        self.figure = fig = new_figure(6.4, 4.6)
        self.ax = fig.add_subplot()
        fig.subplots_adjust(left=0.1, right=0.97, bottom=0.11, top=0.9)
        (self.path_line,) = self.ax.plot(
            [], [], "-o", color="C3", markersize=3, linewidth=1.2, zorder=3
        )
        (self.start_point,) = self.ax.plot(
            [], [], "s", color="black", markersize=7, zorder=4
        )
        (self.minima,) = self.ax.plot(
            [], [], "*", color="gold", markeredgecolor="black", markersize=14, zorder=4
        )
        self.ax.set_xlabel("$w_1$")
        self.ax.set_ylabel("$w_2$")
        self.message = self.ax.text(
            0.5,
            0.06,
            "",
            transform=self.ax.transAxes,
            ha="center",
            color="darkred",
            fontsize=10,
            wrap=True,
            zorder=5,
            bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "darkred"},
        )
        self._contour = None
        self._surface_name = None
        self.image = w.Image(format="png")
        self.status = w.HTML()
        self.controls["surface"].observe(self._surface_changed, names="value")
        for name, c in self.controls.items():
            if name != "surface":
                c.observe(lambda _: self.update(), names="value")
        self._box = None
        self.path = np.empty((0, 2))
        self.update()

    def _surface_changed(self, change) -> None:
        s = SURFACES[change["new"]]
        # Move the start without one redraw per slider: update once at the end.
        self._hold = True
        self.controls["start_x"].value, self.controls["start_y"].value = s.start
        self._hold = False
        self.update()

    def _draw_surface(self, s: Surface) -> None:
        if self._contour is not None:
            self._contour.remove()
        x0, x1, y0, y1 = s.bounds
        xx, yy = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        zz = s.f(np.stack([xx, yy], axis=-1))
        # Log-spaced levels: these surfaces span several orders of magnitude.
        levels = np.geomspace(max(zz.min(), 1e-3), zz.max(), 25)
        self._contour = self.ax.contourf(
            xx,
            yy,
            np.maximum(zz, levels[0]),
            levels=levels,
            cmap="viridis_r",
            norm=LogNorm(),
            zorder=1,
        )
        self.minima.set_data([m[0] for m in s.minima], [m[1] for m in s.minima])
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self._surface_name = s.name

    def update(self) -> None:
        """Recompute the path for the controls' values and redraw."""
        if getattr(self, "_hold", False):
            return
        c = self.controls
        s = SURFACES[c["surface"].value]
        if s.name != self._surface_name:
            self._draw_surface(s)
        c["momentum"].disabled = c["optimizer"].value == "adam"
        start = (c["start_x"].value, c["start_y"].value)
        self.path, values = descent_path(
            s,
            c["optimizer"].value,
            c["lr"].value,
            c["momentum"].value,
            c["steps"].value,
            start,
        )
        self.path_line.set_data(self.path[:, 0], self.path[:, 1])
        self.start_point.set_data([start[0]], [start[1]])
        steps = len(self.path) - 1
        self.diverged = steps < c["steps"].value
        if self.diverged:
            x, y = self.path[-1]
            text = (
                f"Diverged after {steps} steps: the point flew off to ({x:.3g}, {y:.3g}). "
                f"Lower the learning rate (now {c['lr'].value:.3g})."
            )
        else:
            text = ""
        self.message.set_text(text)
        self.message.set_visible(self.diverged)
        label = (
            "Adam"
            if c["optimizer"].value == "adam"
            else f"SGD momentum={c['momentum'].value:g}"
        )
        final = values[-1] if np.isfinite(values[-1]) else float("inf")
        self.ax.set_title(
            f"{s.name}: {label}, lr={c['lr'].value:.3g}; loss after {steps} steps = {final:.4g}",
            fontsize=10,
        )
        self.status.value = f'<span style="color:darkred">{text}</span>' if text else ""
        self.image.value = figure_png(self.figure)

    @property
    def widget(self):
        """Controls in two columns above the contour plot."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            column = w.Layout(width="325px")
            self.image.layout = sharp_layout(png_css_width(self.image.value))
            self._box = w.VBox(
                [
                    w.HBox(
                        [
                            w.VBox(
                                [c["surface"], c["optimizer"], c["lr"], c["momentum"]],
                                layout=column,
                            ),
                            w.VBox(
                                [c["steps"], c["start_x"], c["start_y"]], layout=column
                            ),
                        ],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    self.status,
                    self.image,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the explorer."""
        from IPython.display import display

        display(self.widget)
