"""The live playground of the online book: the embed for a page, and its static fallback image.

In the online book there is no kernel, so the ipywidgets ``Playground`` cannot train. There the
playground runs in the reader's browser instead: ``tools/offline_js/playground/nnlib.js`` is
the network of the Playground (chapters 3-7: ``Dense``, the activations, ``CrossEntropyLoss``,
``SGD``, ``Adam``, and numpy's ``default_rng``) in plain JavaScript, checked against nnlib by
``tests/test_playground_js.py``: for the same settings and seed the page trains what
``train_setup`` trains here, in float64. ``playground.js`` draws the controls, the probability
map, the loss curves and the network.

A page embeds one with a markdown cell written by ``embed``::

    from nnlib.viz import live
    print(live.embed("playground-ch07", "../tools/offline_js/playground/fallback/moons.png"))

The cell is an HTML ``<div class="nnbook-playground" data-setup="...">`` around a markdown
image: the book's Sphinx extension (``tools/sphinx_offline_assets.py``) loads the scripts on
pages that have one, the script replaces the image by the live playground, and where
JavaScript is off (or in Jupyter, which shows markdown but runs no page scripts) the image
stays. ``save_fallback`` draws that image with nnlib; ``python -m nnlib.viz.live`` redraws the
images of ``EMBEDS``.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import numpy as np

import nnlib as nl

from ._training import ACTIVATIONS, OPTIMIZERS, Trainer, build_optimizer, parse_hidden
from .grid import CLASS_COLORS, grid_bounds, grid_proba, proba_to_rgb
from .playground import BATCH_SIZES, DATASETS

#: The settings of the live playground and their defaults (those of ``viz.Playground``).
DEFAULTS: dict[str, object] = {
    "dataset": "moons",
    "noise": 0.2,
    "samples": 300,
    "hidden": "16, 16",
    "activation": "relu",
    "optimizer": "adam",
    "lr": 0.03,
    "batch": 0,
    "seed": 0,
}
#: Share of the points the playground holds out as validation data (``viz.Playground``'s 0.3).
VALIDATION_FRACTION = 0.3
#: Where the fallback images live, relative to the book's root.
FALLBACK_DIR = Path("tools") / "offline_js" / "playground" / "fallback"
#: The fallback images of the book's embeds: name -> settings (``FALLBACK_DIR/<name>.png``,
#: drawn by ``python -m nnlib.viz.live``).
EMBEDS: dict[str, dict[str, object]] = {
    "moons": {},
    "xor-linear": {"dataset": "xor", "hidden": "", "samples": 1000},
}


def check_setup(**setup: object) -> dict[str, object]:
    """The full settings (defaults filled in) after checking every value as the page does.

    ValueError names the setting, the allowed values and the value given.
    """
    unknown = sorted(set(setup) - set(DEFAULTS))
    if unknown:
        raise ValueError(
            f"live.check_setup: unknown settings {unknown}; choose from {list(DEFAULTS)}"
        )
    s = {**DEFAULTS, **setup}
    if s["dataset"] not in DATASETS:
        raise ValueError(
            f"live.check_setup: dataset must be one of {list(DATASETS)}, got {s['dataset']!r}"
        )
    if s["activation"] not in ACTIVATIONS:
        raise ValueError(
            f"live.check_setup: activation must be one of {sorted(ACTIVATIONS)}, got {s['activation']!r}"
        )
    if s["optimizer"] not in OPTIMIZERS:
        raise ValueError(
            f"live.check_setup: optimizer must be one of {list(OPTIMIZERS)}, got {s['optimizer']!r}"
        )
    if not isinstance(s["hidden"], str):
        raise TypeError(
            f"live.check_setup: hidden must be a string such as '16, 16', got {s['hidden']!r}"
        )
    parse_hidden(s["hidden"])
    if not 0 <= float(s["noise"]) <= 1:
        raise ValueError(f"live.check_setup: noise must be in [0, 1], got {s['noise']}")
    if not (isinstance(s["samples"], int) and 20 <= s["samples"] <= 1000):
        raise ValueError(
            f"live.check_setup: samples must be an int in [20, 1000], got {s['samples']!r}"
        )
    if not 0 < float(s["lr"]) <= 10:
        raise ValueError(f"live.check_setup: lr must be in (0, 10], got {s['lr']}")
    batches = [b or 0 for _, b in BATCH_SIZES]
    if s["batch"] not in batches:
        raise ValueError(
            f"live.check_setup: batch must be one of {batches} (0: full batch), got {s['batch']!r}"
        )
    if not (isinstance(s["seed"], int) and s["seed"] >= 0):
        raise ValueError(
            f"live.check_setup: seed must be an int >= 0, got {s['seed']!r}"
        )
    return s


def setup_query(**setup: object) -> str:
    """The settings that differ from the defaults as ``dataset=xor&hidden=8`` (the page's format)."""
    s = check_setup(**setup)
    return "&".join(
        f"{k}={quote(str(v), safe=',')}" for k, v in s.items() if k in setup
    )


def embed(id: str, image: str, alt: str | None = None, **setup: object) -> str:
    """Markdown for one cell: the live playground ``id`` with ``setup``, over the fallback ``image``.

    ``image`` is the fallback's path relative to the page (e.g. ``../tools/...png`` from
    ``chapters/``). Jupyter and a browser without JavaScript show the image and a note.
    """
    if not id or not all(c.isalnum() or c in "-_" for c in id):
        raise ValueError(
            f"live.embed: id must be letters, digits, '-' or '_', got {id!r}"
        )
    query = setup_query(**setup)
    alt = (
        alt
        or f"The playground trained on {check_setup(**setup)['dataset']} (static picture)"
    )
    return (
        f'<div class="nnbook-playground" id="{id}" data-setup="{html.escape(query)}">\n\n'
        f"![{alt}]({image})\n\n"
        "*A static picture drawn by nnlib. In the online book the live playground trains here, in "
        "your browser; in Jupyter, use `viz.Playground` in a code cell.*\n\n"
        "</div>\n"
    )


def train_setup(
    epochs: int = 200, **setup: object
) -> tuple[Trainer, dict[str, object]]:
    """Train the setup's network with nnlib as the page does (float64, validation split 0.3)."""
    s = check_setup(**setup)
    X, y = DATASETS[s["dataset"]](s["samples"], noise=float(s["noise"]), rng=s["seed"])
    X_train, X_val, y_train, y_val = nl.train_test_split(
        X, y, test_size=VALIDATION_FRACTION, rng=s["seed"], stratify=True
    )
    scaler = nl.StandardScaler().fit(X_train)
    model = nl.build_mlp(
        [2, *parse_hidden(s["hidden"]), int(y.max()) + 1],
        s["activation"],
        rng=s["seed"],
    )
    trainer = Trainer(
        model,
        nl.CrossEntropyLoss(),
        build_optimizer(s["optimizer"], model, float(s["lr"])),
        scaler.transform(X_train),
        y_train,
        scaler.transform(X_val),
        y_val,
        batch_size=s["batch"] or None,
        rng=s["seed"],
    )
    trainer.run(epochs)
    return trainer, {
        "X": X,
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "scaler": scaler,
    }


def save_fallback(path: str | Path, epochs: int = 200, **setup: object) -> Path:
    """Draw the setup after ``epochs`` epochs of nnlib training as a PNG at ``path``: the
    probability map with training (circles) and validation (triangles) points, and the losses."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    trainer, d = train_setup(epochs, **setup)
    bounds = grid_bounds(d["X"])
    fig = Figure(figsize=(8.4, 3.6), dpi=72)
    ax_map, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.15, top=0.89, wspace=0.25)
    proba = grid_proba(trainer.model, bounds, 64, transform=d["scaler"].transform)
    ax_map.imshow(
        proba_to_rgb(proba),
        origin="lower",
        extent=bounds,
        aspect="auto",
        interpolation="bilinear",
    )
    ax_map.scatter(
        *d["X_train"].T,
        c=CLASS_COLORS[d["y_train"]],
        s=16,
        edgecolors="white",
        linewidths=0.5,
        label="training",
    )
    ax_map.scatter(
        *d["X_val"].T,
        c=CLASS_COLORS[d["y_val"]],
        s=20,
        marker="^",
        edgecolors="black",
        linewidths=0.5,
        label="validation",
    )
    ax_map.set(xlabel="x₁", ylabel="x₂", xlim=bounds[:2], ylim=bounds[2:])
    markers = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color="0.45",
            markeredgecolor="white",
            label="training",
        ),
        Line2D(
            [],
            [],
            marker="^",
            linestyle="",
            color="0.45",
            markeredgecolor="black",
            label="validation",
        ),
    ]
    ax_map.legend(handles=markers, loc="lower left", fontsize=7, framealpha=0.8)
    val_acc = nl.accuracy(d["y_val"], trainer.model(trainer.X_test).argmax(axis=1))
    ax_map.set_title(
        f"epoch {trainer.epoch}: validation accuracy {val_acc:.0%}", fontsize=10
    )
    epochs_axis = np.arange(1, trainer.epoch + 1)
    ax_loss.plot(epochs_axis, trainer.losses, color="C0", label="train")
    ax_loss.plot(
        epochs_axis, trainer.test_losses, color="C1", linestyle="--", label="validation"
    )
    top = max(max(trainer.losses), max(trainer.test_losses))
    ax_loss.set(
        xlabel="epoch", ylabel="cross-entropy loss", ylim=(0, 1.05 * top), title="Loss"
    )
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(loc="upper right", fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})
    return path


def main(root: str | Path = ".") -> list[Path]:
    """Redraw the fallback image of every embed in ``EMBEDS`` under ``root``."""
    return [
        save_fallback(Path(root) / FALLBACK_DIR / f"{name}.png", **setup)
        for name, setup in EMBEDS.items()
    ]


if __name__ == "__main__":
    for written in main():
        print(f"wrote {written}")
