"""The logit explorer of chapter 4: MSE and cross-entropy of one sigmoid output, side by side.

One sample, one logit ``z``, a probability ``p = sigmoid(z)`` and a target ``y`` in {0, 1}.
The two losses of the chapter judge ``p``:

- squared error on the probability, ``(p - y)^2``, whose gradient with respect to the logit,
  ``2 (p - y) p (1 - p)``, carries the sigmoid's derivative and vanishes when ``p`` is
  confidently wrong;
- binary cross-entropy, ``-[y log p + (1 - y) log(1 - p)]``, whose gradient is ``p - y``.

``logit_losses`` computes the four curves (plain numpy, the stable logit form for the
cross-entropy; the tests check them against ``nl.MSELoss``, ``nl.BCEWithLogitsLoss`` and finite
differences); ``LogitExplorer`` draws them with a slider for ``z``.
"""

from __future__ import annotations

import numpy as np

from ._render import figure_png, new_figure, png_css_width, sharp_layout


def logit_losses(z: np.ndarray, y: float) -> dict[str, np.ndarray]:
    """Per-sample losses of one sigmoid output and their gradients with respect to the logit.

    ``z`` (n,) are logits, each one sample; ``y`` is the target, 0 or 1. Returns a dict of
    arrays of shape (n,), in ``z``'s float dtype: ``"p"`` = sigmoid(z), ``"mse"`` =
    (p - y)^2, ``"mse_grad"`` = d mse / dz = 2 (p - y) p (1 - p), ``"ce"`` = the binary
    cross-entropy (computed from the logit, so it stays finite for any z) and ``"ce_grad"`` =
    d ce / dz = p - y.
    """
    z = np.asarray(z)
    if z.dtype.kind not in "iuf" or z.ndim != 1:
        raise TypeError(
            f"logit_losses: z must be a 1-D array of real numbers, got dtype "
            f"{z.dtype} with shape {z.shape}"
        )
    if y not in (0, 1):
        raise ValueError(f"logit_losses: y must be 0 or 1, got {y!r}")
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    y = z.dtype.type(y)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))  # sigmoid(z)
    ce = np.maximum(z, 0) - z * y + np.log1p(e)
    return {
        "p": p,
        "mse": (p - y) ** 2,
        "mse_grad": 2 * (p - y) * p * (1 - p),
        "ce": ce,
        "ce_grad": p - y,
    }


class LogitExplorer:
    """MSE and cross-entropy of one sigmoid output against its logit, with a point to slide.

    The left panel shows both losses against the logit ``z``; the right one their gradients
    dL/dz (or their sizes on a log scale), which is what the backward pass starts from. The
    titles give the values at the current ``z``. Confidently wrong predictions (``z`` far on the
    wrong side for the target) are where MSE's gradient vanishes and cross-entropy's does not.
    """

    def __init__(
        self,
        z: float = -4.0,
        y: int = 1,
        z_range: tuple[float, float] = (-10.0, 10.0),
        log_scale: bool = False,
        n_points: int = 401,
    ) -> None:
        import ipywidgets as w

        if y not in (0, 1):
            raise ValueError(f"LogitExplorer: y must be 0 or 1, got {y!r}")
        lo, hi = z_range
        if not hi > lo:
            raise ValueError(
                f"LogitExplorer: z_range must be (low, high) with low < high, got {z_range}"
            )
        self.zs = np.linspace(lo, hi, n_points)
        self.controls = {
            "z": w.FloatSlider(
                value=float(np.clip(z, lo, hi)),
                min=lo,
                max=hi,
                step=0.1,
                description="logit z",
            ),
            "y": w.ToggleButtons(
                options=[("target y = 0", 0), ("target y = 1", 1)], value=y
            ),
            "log": w.Checkbox(value=log_scale, description="log scale for |dL/dz|"),
        }
        self.figure = fig = new_figure(8.6, 3.3)
        self.ax_loss, self.ax_grad = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.86, wspace=0.28)
        styles = {"mse": dict(color="C0"), "ce": dict(color="C1", linestyle="--")}
        names = {"mse": "MSE $(p - y)^2$", "ce": "cross-entropy"}
        self.loss_lines = {
            k: self.ax_loss.plot([], [], label=names[k], **s)[0]
            for k, s in styles.items()
        }
        self.grad_lines = {
            k: self.ax_grad.plot([], [], label=names[k], **s)[0]
            for k, s in styles.items()
        }
        self.loss_points = {
            k: self.ax_loss.plot([], [], "o", color=s["color"])[0]
            for k, s in styles.items()
        }
        self.grad_points = {
            k: self.ax_grad.plot([], [], "o", color=s["color"])[0]
            for k, s in styles.items()
        }
        for ax in (self.ax_loss, self.ax_grad):
            ax.set_xlabel("logit z")
            ax.grid(alpha=0.3)
            ax.set_xlim(lo, hi)
        self.ax_loss.set_ylabel("loss of the sample")
        self.ax_loss.legend(loc="best", fontsize=8)
        self.image = w.Image(format="png")
        for c in self.controls.values():
            c.observe(lambda _: self.update(), names="value")
        self._box = None
        self.update()

    def values(self) -> dict[str, float]:
        """The losses and gradients at the current ``z`` and ``y`` (floats)."""
        curves = logit_losses(
            np.array([self.controls["z"].value]), self.controls["y"].value
        )
        return {k: float(v[0]) for k, v in curves.items()}

    def update(self) -> None:
        """Redraw for the controls' current values."""
        y = self.controls["y"].value
        z0 = float(self.controls["z"].value)
        log = self.controls["log"].value
        curves = logit_losses(self.zs, y)
        now = self.values()
        top = 1.1 * max(4.0, now["ce"], now["mse"])  # keep both points in view
        for k in ("mse", "ce"):
            g, g0 = curves[k + "_grad"], now[k + "_grad"]
            if log:
                g, g0 = np.abs(g), abs(g0)
            self.loss_lines[k].set_data(self.zs, curves[k])
            self.loss_points[k].set_data([z0], [now[k]])
            self.grad_lines[k].set_data(self.zs, g)
            self.grad_points[k].set_data([z0], [g0])
        self.ax_loss.set_ylim(-0.05 * top, top)
        self.ax_grad.set_yscale("log" if log else "linear")
        if log:
            self.ax_grad.set_ylim(1e-5, 2.0)
            self.ax_grad.set_ylabel("|dL/dz| (log scale)")
        else:
            self.ax_grad.set_ylim(-1.1, 1.1)
            self.ax_grad.set_ylabel("dL/dz")
        self.ax_loss.set_title(
            f"p = {now['p']:.3g}, y = {y}: MSE {now['mse']:.3f}, CE {now['ce']:.3f}",
            fontsize=10,
        )
        self.ax_grad.set_title(
            f"dL/dz at z = {z0:.1f}: MSE {now['mse_grad']:.3g}, "
            f"CE {now['ce_grad']:.3g}",
            fontsize=10,
        )
        self.image.value = figure_png(self.figure)

    @property
    def widget(self):
        """Controls above the figure, as one ipywidgets box."""
        if self._box is None:
            import ipywidgets as w

            c = self.controls
            # At its CSS size (the PNG has PIXEL_RATIO pixels per CSS pixel), never stretched
            # to the output's width, which would upscale and blur it.
            self.image.layout = sharp_layout(png_css_width(self.image.value))
            self._box = w.VBox(
                [
                    w.HBox([c["y"], c["log"]], layout=w.Layout(flex_flow="row wrap")),
                    c["z"],
                    self.image,
                ]
            )
        return self._box

    def show(self) -> None:
        """Display the explorer."""
        from IPython.display import display

        display(self.widget)
