"""Pure grid evaluation: a model's class probabilities over a 2-D box, and their colours.

A decision-boundary plot is one forward pass over every point of a ``resolution`` x
``resolution`` grid; the probabilities become an RGB image where each class has its colour and
the colour fades to white where the model is unsure.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nnlib as nl

from ._training import model_dtype

#: Class colours (RGB in [0, 1]): blue, orange, green, red, purple, brown, pink, grey, olive, cyan.
CLASS_COLORS = np.array(
    [
        [0.122, 0.467, 0.706],
        [1.000, 0.498, 0.055],
        [0.173, 0.627, 0.173],
        [0.839, 0.153, 0.157],
        [0.580, 0.404, 0.741],
        [0.549, 0.337, 0.294],
        [0.890, 0.467, 0.761],
        [0.498, 0.498, 0.498],
        [0.737, 0.741, 0.133],
        [0.090, 0.745, 0.812],
    ]
)
#: Colour of grid cells whose probabilities are not finite (a diverged model).
INVALID_COLOR = np.array([0.8, 0.8, 0.8])

Bounds = tuple[float, float, float, float]


def grid_bounds(X: np.ndarray, margin: float = 0.15) -> Bounds:
    """Box ``(x_min, x_max, y_min, y_max)`` around the 2-D points ``X`` (n, 2), padded by
    ``margin`` times each side's span (at least 0.1) so no point sits on the edge."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            f"grid_bounds: X must have shape (n, 2) with n >= 1, got {X.shape}"
        )
    if not np.isfinite(X).all():
        raise ValueError("grid_bounds: X contains NaN or inf")
    if margin < 0:
        raise ValueError(f"grid_bounds: margin must be >= 0, got {margin}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(margin * (hi - lo), 0.1)
    return (
        float(lo[0] - pad[0]),
        float(hi[0] + pad[0]),
        float(lo[1] - pad[1]),
        float(hi[1] + pad[1]),
    )


def make_grid(
    bounds: Bounds, resolution: int = 100, dtype: type = np.float64
) -> np.ndarray:
    """Centres of a ``resolution`` x ``resolution`` grid of cells over ``bounds``, as points
    (resolution**2, 2), row by row from the bottom: row ``i`` has ``y`` fixed and ``x`` rising.

    Reshaped to (resolution, resolution, ...) this is the layout of ``imshow(origin="lower",
    extent=bounds)``, so cell centres and drawn pixels coincide.
    """
    x0, x1, y0, y1 = bounds
    if not (x1 > x0 and y1 > y0):
        raise ValueError(
            f"make_grid: bounds must be (x_min, x_max, y_min, y_max) with min < max, got {bounds}"
        )
    if (
        isinstance(resolution, bool)
        or not isinstance(resolution, int | np.integer)
        or resolution < 2
    ):
        raise ValueError(
            f"make_grid: resolution must be an int >= 2, got {resolution!r}"
        )
    dx, dy = (x1 - x0) / resolution, (y1 - y0) / resolution
    xs = np.linspace(x0 + dx / 2, x1 - dx / 2, resolution)
    ys = np.linspace(y0 + dy / 2, y1 - dy / 2, resolution)
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()]).astype(dtype, copy=False)


def grid_proba(
    model: nl.Layer,
    bounds: Bounds,
    resolution: int = 100,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Class probabilities of ``model`` at every grid cell: (resolution, resolution, k).

    One forward pass over all cells. ``transform`` maps grid points to the model's inputs
    (e.g. a fitted ``StandardScaler().transform``) so the plot stays in data coordinates.
    A diverged model gives NaN probabilities rather than an error.
    """
    points = make_grid(bounds, resolution, dtype=model_dtype(model))
    if transform is not None:
        points = transform(points)
    # Weights that have overflowed are shown (as INVALID_COLOR), not reported again here.
    with np.errstate(all="ignore"):
        if not np.isfinite(points).all():
            raise ValueError("grid_proba: the transform produced NaN or inf inputs")
        proba = nl.predict_proba(model, points)
    return proba.reshape(resolution, resolution, -1)


def proba_to_rgb(
    proba: np.ndarray, colors: np.ndarray | None = None, max_strength: float = 0.65
) -> np.ndarray:
    """RGB image (..., 3) from probabilities (..., k): the probability-weighted class colour,
    faded towards white as the prediction approaches uniform (1/k for every class). Even a
    certain prediction is a pastel (``max_strength``) so points of the class colours stand out.

    Cells with any non-finite probability get ``INVALID_COLOR``.
    """
    proba = np.asarray(proba)
    k = proba.shape[-1]
    colors = CLASS_COLORS if colors is None else np.asarray(colors, dtype=np.float64)
    if k < 2:
        raise ValueError(
            f"proba_to_rgb: need probabilities of at least 2 classes, got {k}"
        )
    if len(colors) < k:
        raise ValueError(f"proba_to_rgb: {k} classes but only {len(colors)} colours")
    valid = np.isfinite(proba).all(axis=-1)
    p = np.where(valid[..., None], proba, 1.0 / k).astype(np.float64)
    mixed = p @ colors[:k]
    # Confidence 0 at the uniform prediction, 1 when one class has all the probability.
    confidence = (p.max(axis=-1, keepdims=True) - 1.0 / k) / (1.0 - 1.0 / k)
    confidence = 0.1 + (max_strength - 0.1) * np.clip(confidence, 0.0, 1.0)
    rgb = 1.0 - confidence * (1.0 - mixed)
    rgb[~valid] = INVALID_COLOR
    # float32 probabilities may sum to 1 + 1e-7; keep the image inside matplotlib's [0, 1].
    return np.clip(rgb, 0.0, 1.0, out=rgb)
