"""Why scale the inputs (chapter 1): the loss valley of a linear model, raw vs standardized.

A linear model without bias, ``z = X @ w`` with two weights ``w = (w1, w2)``, fitted by the
mean squared error ``L(w) = mean((X @ w - t) ** 2)``, has a quadratic loss whose contours are
ellipses. Their shape is set by the Hessian ``H = 2 / n * X.T @ X`` alone: a feature with a
large offset or a large scale makes them long and thin, and gradient descent zigzags across
the valley while it crawls along it. Standardized features give a nearly round bowl.

The pure helpers (``sensor_units``, ``least_squares_hessian``, ``least_squares_path``,
``steps_to_reach``) are plain numpy and unit-tested; ``ScalingExplorer`` draws the raw and the
standardized problem side by side, with sliders for the offset, the scale and the step size.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_float_array
from ._render import figure_png, new_figure, png_css_width, sharp_layout


def sensor_units(X: np.ndarray, offset: float, scale: float) -> np.ndarray:
    """``X`` (n, 2) with its second column reported in other units: ``offset + scale * x2``.

    Chapter 1's moons use ``offset=300, scale=30``. The dtype of ``X`` is kept.
    """
    X = check_float_array(X, "sensor_units")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"sensor_units: X must have shape (n, 2), got {X.shape}")
    if not (np.isfinite(offset) and np.isfinite(scale)) or scale == 0:
        raise ValueError(
            f"sensor_units: offset must be finite and scale finite and non-zero, "
            f"got offset={offset}, scale={scale}"
        )
    out = X.copy()
    out[:, 1] = offset + scale * X[:, 1]
    return out


def least_squares_hessian(X: np.ndarray) -> np.ndarray:
    """The Hessian ``2 / n * X.T @ X`` (d, d) of ``L(w) = mean((X @ w - t) ** 2)``, X (n, d).

    It does not depend on ``w`` or on the targets: the loss is exactly quadratic.
    """
    X = check_float_array(X, "least_squares_hessian")
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(
            f"least_squares_hessian: X must have shape (n, d) with n >= 1, got {X.shape}"
        )
    return 2.0 / len(X) * X.T @ X


def least_squares_path(
    X: np.ndarray, t: np.ndarray, lr: float, steps: int, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient descent ``w <- w - lr * 2 / n * X.T @ (X @ w - t)`` on the mean squared error.

    X (n, d), t (n,); returns the visited weights (steps + 1, d), starting at ``start``
    (default: zeros), and the loss at each (steps + 1,). A path that leaves every finite
    value stops early, so ``len(path) <= steps`` tells that it diverged.
    """
    X = check_float_array(X, "least_squares_path")
    t = np.asarray(t)
    if X.ndim != 2 or t.shape != (len(X),):
        raise ValueError(
            f"least_squares_path: need X (n, d) and t (n,), got {X.shape} and {t.shape}"
        )
    if not (lr > 0 and np.isfinite(lr)):
        raise ValueError(
            f"least_squares_path: lr must be a finite number > 0, got {lr}"
        )
    if int(steps) < 0:
        raise ValueError(f"least_squares_path: steps must be >= 0, got {steps}")
    t = t.astype(X.dtype)
    w = (
        np.zeros(X.shape[1], dtype=X.dtype)
        if start is None
        else np.array(start, dtype=X.dtype)
    )
    if w.shape != (X.shape[1],):
        raise ValueError(
            f"least_squares_path: start must have shape ({X.shape[1]},), got {w.shape}"
        )
    path = [w.copy()]
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            w = w - lr * (2.0 / len(X)) * (X.T @ (X @ w - t))
            if not np.all(np.isfinite(w)):
                break
            path.append(w.copy())
        path_arr = np.array(path)
        losses = np.mean((path_arr @ X.T - t) ** 2, axis=1)
    return path_arr, losses


def steps_to_reach(losses: np.ndarray, best: float, tol: float) -> int | None:
    """The first step at which ``losses - best <= tol``, or None if the path never gets there."""
    hits = np.flatnonzero(np.asarray(losses) - best <= tol)
    return int(hits[0]) if hits.size else None


class ScalingExplorer:
    """The loss valley and the gradient-descent path, raw features (left) vs standardized (right).

    ``X`` (n, 2) are features in natural units and ``t`` (n,) regression targets (e.g. labels
    as -1 / +1). The left panel uses ``sensor_units(X, offset, scale)``, the right one the
    same features standardized. Both run gradient descent from ``w = 0`` with the step
    ``lr_fraction * 2 / lambda_max`` of their own Hessian, the largest safe step times a
    fraction, so the comparison is fair. Controls: offset, scale, fraction, steps.
    """

    def __init__(
        self,
        X: np.ndarray,
        t: np.ndarray,
        offset: float = 4.0,
        scale: float = 4.0,
        lr_fraction: float = 0.9,
        steps: int = 50,
        tol: float = 1e-4,
    ) -> None:
        import ipywidgets as w

        self.X = check_float_array(X, "ScalingExplorer")
        if self.X.ndim != 2 or self.X.shape[1] != 2:
            raise ValueError(
                f"ScalingExplorer: X must have shape (n, 2), got {self.X.shape}"
            )
        self.t = np.asarray(t, dtype=np.float64)
        if self.t.shape != (len(self.X),):
            raise ValueError(
                f"ScalingExplorer: t must have shape ({len(self.X)},), got {self.t.shape}"
            )
        self.tol = tol
        self.controls = {
            "offset": w.FloatSlider(
                value=offset, min=0.0, max=300.0, step=0.5, description="offset"
            ),
            "scale": w.FloatLogSlider(
                value=scale,
                base=10,
                min=0,
                max=1.5,
                step=0.05,
                description="scale",
                readout_format=".3g",
            ),
            "lr_fraction": w.FloatSlider(
                value=lr_fraction, min=0.05, max=1.05, step=0.05, description="η·λmax/2"
            ),
            "steps": w.IntSlider(value=steps, min=1, max=500, description="steps"),
        }
        self.figure = new_figure(10.0, 4.6)
        self.axes = self.figure.subplots(1, 2)
        self.figure.subplots_adjust(
            left=0.07, right=0.98, bottom=0.12, top=0.84, wspace=0.25
        )
        self.image = w.Image(format="png")
        for c in self.controls.values():
            c.observe(lambda _: self.update(), names="value")
        self._box = None
        self.update()

    def problems(self) -> dict[str, np.ndarray]:
        """The two feature matrices shown, each (n, 2): ``"raw"`` and ``"standardized"``."""
        c = self.controls
        raw = sensor_units(self.X, c["offset"].value, c["scale"].value)
        std = (raw - raw.mean(axis=0)) / raw.std(axis=0)
        return {"raw": raw, "standardized": std}

    def update(self) -> None:
        """Recompute both paths for the controls' values and redraw."""
        c = self.controls
        self.results = {}
        for ax, (name, A) in zip(self.axes, self.problems().items()):
            H = least_squares_hessian(A)
            eig = np.linalg.eigvalsh(H)
            lr = c["lr_fraction"].value * 2.0 / eig[-1]
            path, losses = least_squares_path(A, self.t, lr, c["steps"].value)
            w_best = np.linalg.lstsq(A, self.t, rcond=None)[0]
            best = float(np.mean((A @ w_best - self.t) ** 2))
            hit = steps_to_reach(losses, best, self.tol)
            self.results[name] = {
                "kappa": eig[-1] / eig[0],
                "lr": lr,
                "path": path,
                "losses": losses,
                "best": best,
                "steps_to_tol": hit,
            }
            self._draw(ax, name, A, path, w_best, best, eig[-1] / eig[0], hit)
        self.figure.suptitle(
            f"Gradient descent from w = 0, step η = {c['lr_fraction'].value:.2f} × 2/λmax "
            f"of each problem, {c['steps'].value} steps. Left: x2 → "
            f"{c['offset'].value:g} + {c['scale'].value:.3g}·x2",
            fontsize=10,
        )
        self.image.value = figure_png(self.figure)

    def _draw(self, ax, name, A, path, w_best, best, kappa, hit) -> None:
        ax.clear()
        # A window around the minimum and the start, equal on both axes so shapes are true.
        pts = np.vstack([path[:1], w_best[None, :]])
        centre = w_best
        half = 1.15 * np.abs(pts - centre).max() + 1e-12
        g1, g2 = np.meshgrid(
            np.linspace(centre[0] - half, centre[0] + half, 201),
            np.linspace(centre[1] - half, centre[1] + half, 201),
        )
        W = np.stack([g1.ravel(), g2.ravel()], axis=1)
        L = np.mean((W @ A.T - self.t) ** 2, axis=1).reshape(g1.shape) - best
        top = max(float(L.max()), 1e-12)
        levels = np.geomspace(top * 1e-4, top, 12)
        ax.contour(
            g1, g2, np.maximum(L, 0), levels=levels, cmap="viridis", linewidths=0.9
        )
        inside = np.all(np.abs(path - centre) <= half, axis=1)
        ax.plot(path[:, 0], path[:, 1], "-o", color="C3", markersize=2.5, linewidth=1.0)
        ax.plot(*path[0], "s", color="black", markersize=7, label="start w = 0")
        ax.plot(
            *w_best,
            "*",
            color="gold",
            markeredgecolor="black",
            markersize=14,
            label="minimum",
        )
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
        ax.set_aspect("equal")
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        reached = (
            f"within {self.tol:g} of the minimum after {hit} steps"
            if hit is not None
            else f"not within {self.tol:g} of the minimum after {len(path) - 1} steps"
        )
        if not inside.all():
            reached += " (path leaves the window)"
        ax.set_title(f"{name}: κ = {kappa:.3g}\n{reached}", fontsize=9)
        ax.legend(loc="upper right", fontsize=7)

    def png(self) -> bytes:
        """The current drawing as PNG bytes."""
        return figure_png(self.figure)

    @property
    def widget(self):
        """Controls above the two panels, as one ipywidgets box."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            # At its CSS size (the PNG has PIXEL_RATIO pixels per CSS pixel), never stretched
            # to the output's width, which would upscale and blur it.
            self.image.layout = sharp_layout(png_css_width(self.image.value))
            self._box = w.VBox(
                [
                    w.HBox(
                        [
                            w.VBox([c["offset"], c["scale"]]),
                            w.VBox([c["lr_fraction"], c["steps"]]),
                        ],
                        layout=w.Layout(flex_flow="row wrap"),
                    ),
                    self.image,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the explorer."""
        from IPython.display import display

        display(self.widget)
