"""Training runs as JavaScript animations for the static book (``Animation.to_jshtml``).

A widget needs a kernel to train; a reader of the online book has none. So a chapter also
records one run into frames (the probability map and the loss after every few epochs) and
embeds them as an HTML player with a slider to scrub through the epochs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

import nnlib as nl

from .._validation import check_float_array, seed_is_old_rng
from ._render import Blitter, new_figure
from ._training import Trainer
from .curves import finite_or_nan
from .grid import CLASS_COLORS, Bounds, grid_bounds, grid_proba, proba_to_rgb


@dataclass
class Recording:
    """Frames of one training run: ``maps[i]`` (r, r, 3) is the map after ``frame_epochs[i]`` epochs."""

    frame_epochs: np.ndarray
    maps: np.ndarray
    losses: np.ndarray
    test_losses: np.ndarray
    bounds: Bounds
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    message: str | None = None


def frame_schedule(epochs: int, frames: int) -> np.ndarray:
    """Epoch counts at which to take ``frames`` snapshots of an ``epochs``-epoch run: the first
    is 0 (untrained), the last is ``epochs``, roughly evenly spaced and never repeated."""
    if epochs < 1 or frames < 2:
        raise ValueError(
            f"frame_schedule: need epochs >= 1 and frames >= 2, got {epochs} and {frames}"
        )
    return np.unique(
        np.linspace(0, epochs, min(frames, epochs + 1)).round().astype(int)
    )


def record(
    trainer: Trainer,
    bounds: Bounds,
    epochs: int,
    frames: int = 30,
    resolution: int = 60,
    transform=None,
    X_plot: np.ndarray | None = None,
    X_test_plot: np.ndarray | None = None,
) -> Recording:
    """Train ``trainer`` for ``epochs`` epochs, snapshotting the probability map ``frames`` times.

    ``X_plot``/``X_test_plot`` are the points in plot coordinates (default: the trainer's
    inputs); ``transform`` maps plot coordinates to the model's inputs.
    """
    schedule = frame_schedule(epochs, frames)
    maps, taken = [], []
    for target in schedule:
        trainer.run(int(target) - trainer.epoch)
        maps.append(
            proba_to_rgb(
                grid_proba(trainer.model, bounds, resolution, transform=transform)
            )
        )
        taken.append(trainer.epoch)
        if trainer.diverged:
            break
    return Recording(
        frame_epochs=np.array(taken),
        maps=np.stack(maps),
        losses=finite_or_nan(trainer.losses),
        test_losses=finite_or_nan(trainer.test_losses),
        bounds=bounds,
        X=trainer.X if X_plot is None else X_plot,
        y=trainer.y,
        X_test=X_test_plot if X_test_plot is not None else trainer.X_test,
        y_test=trainer.y_test,
        message=trainer.diverged,
    )


def render_frames(rec: Recording, title: str = "") -> np.ndarray:
    """The frames of a recording as RGBA images (F, h, w, 4): the map with the points, and the
    loss so far. The axes are drawn once; each frame only blits the artists that change."""
    fig = new_figure(8.0, 3.6, dpi=72)
    ax_map, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.86, wspace=0.25)
    image = ax_map.imshow(
        rec.maps[0],
        origin="lower",
        extent=rec.bounds,
        interpolation="bilinear",
        aspect="auto",
    )
    points = [
        ax_map.scatter(
            rec.X[:, 0],
            rec.X[:, 1],
            s=14,
            c=CLASS_COLORS[rec.y],
            edgecolors="white",
            linewidths=0.5,
        )
    ]
    if rec.X_test is not None:
        points.append(
            ax_map.scatter(
                rec.X_test[:, 0],
                rec.X_test[:, 1],
                s=18,
                marker="^",
                c=CLASS_COLORS[rec.y_test],
                edgecolors="black",
                linewidths=0.5,
            )
        )
    ax_map.set_xlabel("x₁")
    ax_map.set_ylabel("x₂")
    map_title = ax_map.set_title("")
    (train_line,) = ax_loss.plot([], [], color="C0", label="train loss")
    (test_line,) = ax_loss.plot(
        [], [], color="C1", linestyle="--", label="validation loss"
    )
    last = int(rec.frame_epochs[-1])
    finite = np.concatenate(
        [
            rec.losses[np.isfinite(rec.losses)],
            rec.test_losses[np.isfinite(rec.test_losses)],
        ]
    )
    ax_loss.set_xlim(0, max(last, 1))
    ax_loss.set_ylim(
        0, float(finite.max()) * 1.05 if finite.size and finite.max() > 0 else 1.0
    )
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy loss")
    ax_loss.set_title("Loss")
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title)
        fig.subplots_adjust(top=0.8)
    message = fig.text(
        0.5,
        0.5,
        rec.message or "",
        ha="center",
        va="center",
        color="darkred",
        wrap=True,
        bbox={"facecolor": "white", "alpha": 0.9, "edgecolor": "darkred"},
        visible=False,
    )

    # The points are static but lie over the map, so they are redrawn after it in every frame.
    blitter = Blitter(fig, [image, *points, train_line, test_line, map_title, message])
    frames = []
    for i, e in enumerate(rec.frame_epochs):
        e = int(e)
        image.set_data(rec.maps[i])
        epochs = np.arange(1, e + 1)
        train_line.set_data(epochs, rec.losses[:e])
        test_line.set_data(epochs[: len(rec.test_losses)], rec.test_losses[:e])
        loss_text = f", loss {rec.losses[e - 1]:.3f}" if e else " (untrained)"
        map_title.set_text(f"epoch {e}{loss_text}")
        message.set_visible(bool(rec.message) and i == len(rec.frame_epochs) - 1)
        frames.append(blitter.rgba())
    return np.stack(frames)


def animation(rec: Recording, interval: int = 150, title: str = ""):
    """A matplotlib ``FuncAnimation`` that plays the recording's frames (see ``render_frames``).

    The frames are pre-rendered pixels shown 1:1 by a bare ``imshow``, so ``to_jshtml`` only
    has to encode them; drawing every frame's axes and text again would cost ~10x more.
    """
    from matplotlib.animation import FuncAnimation

    frames = render_frames(rec, title)
    h, w = frames.shape[1:3]
    fig = new_figure(w / 72, h / 72, dpi=72)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    shown = ax.imshow(frames[0], interpolation="none")

    def draw(i: int):
        shown.set_data(frames[i])
        return (shown,)

    return FuncAnimation(fig, draw, frames=len(frames), interval=interval, blit=False)


def to_html(anim) -> object:
    """The animation as an ``IPython.display.HTML`` player (frames embedded, loops once).

    matplotlib's player links Font Awesome 4 from a CDN for its button icons; the link is
    dropped so the page loads nothing from elsewhere (the book's theme provides the icons).
    """
    from IPython.display import HTML

    html = re.sub(
        r'<link[^>]*href="https?://[^"]*font-awesome[^"]*"[^>]*>',
        "",
        anim.to_jshtml(default_mode="once"),
    )
    return HTML(html)


@seed_is_old_rng
def animate_training(
    model: nl.Layer,
    loss: nl.Loss,
    optimizer: nl.Optimizer,
    X: np.ndarray,
    y: np.ndarray,
    epochs: int,
    frames: int = 30,
    batch_size: int | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    resolution: int = 60,
    rng: np.random.Generator | int | None = 0,
    title: str = "",
):
    """Train a 2-input classifier on ``X`` (n, 2), ``y`` and return the run as an HTML animation.

    ``batch_size=None`` trains full-batch. A diverging run ends the animation with its message.
    ``rng`` (a ``Generator`` or an int seed; ``seed=`` is its old name) shuffles the batches.
    """
    X = check_float_array(X, "animate_training")
    if X.shape[1] != 2:
        raise ValueError(
            f"animate_training: X must have 2 features to draw a map, got {X.shape[1]}"
        )
    X_test, y_test = validation_data if validation_data is not None else (None, None)
    trainer = Trainer(
        model, loss, optimizer, X, y, X_test, y_test, batch_size=batch_size, rng=rng
    )
    points = X if X_test is None else np.vstack([X, X_test])
    rec = record(trainer, grid_bounds(points), epochs, frames, resolution)
    return to_html(animation(rec, title=title))


def animate_playground(pg, epochs: int | None = None, frames: int = 30):
    """Reset a ``Playground``, train it ``epochs`` epochs (default: its slider) while recording,
    and return the HTML animation; the playground's own view ends at the trained state."""
    epochs = pg.controls["epochs"].value if epochs is None else int(epochs)
    pg.reset()
    rec = record(
        pg.trainer,
        pg.bounds,
        epochs,
        frames,
        resolution=min(pg.resolution, 60),
        transform=pg.scaler.transform,
        X_plot=pg.X_train,
        X_test_plot=pg.X_test,
    )
    pg.redraw()
    c = pg.controls
    hidden = "-".join(
        str(s)
        for s in (
            2,
            *[d.out_features for d in pg.model.layers if isinstance(d, nl.Dense)],
        )
    )
    title = f"{c['dataset'].value}, {hidden} {c['activation'].value}, {c['optimizer'].value} lr={c['lr'].value:g}"
    return to_html(animation(rec, title=title))
