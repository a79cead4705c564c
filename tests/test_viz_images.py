"""Widget images shown sharp, and the backprop filmstrip's labels clear of each other.

The views render their PNGs at ``PIXEL_RATIO`` image pixels per CSS pixel; an ``Image`` widget
laid out at that CSS width (``sharp_layout``) is shown scaled down, never stretched to the
output's width (which blurs it). tests/test_book.py checks the same in the built pages.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

import nnlib as nl  # noqa: E402
from nnlib import viz  # noqa: E402
from nnlib.viz import backprop_stepper as bs  # noqa: E402
from nnlib.viz._render import DPI, PIXEL_RATIO, png_css_width  # noqa: E402


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _explorers():
    X, y = nl.datasets.make_moons(100, noise=0.15, seed=0)
    return {
        "LogitExplorer": (viz.LogitExplorer(z=-6.0, y=1, log_scale=True), "y", 0),
        "BackpropStepper": (viz.BackpropStepper(step=15), "step", 3),
        "ScalingExplorer": (viz.ScalingExplorer(X, 2.0 * y - 1), "offset", 100.0),
    }


@pytest.mark.parametrize(
    "name", ["LogitExplorer", "BackpropStepper", "ScalingExplorer"]
)
def test_explorer_image_is_laid_out_at_its_css_width(name):
    explorer, control, new_value = _explorers()[name]
    box = explorer.widget
    assert explorer.image in box.children
    png = explorer.image.value
    width, height = _png_size(png)
    css = round(explorer.figure.get_figwidth() * DPI)
    # Rendered at PIXEL_RATIO pixels per CSS pixel of the figure ...
    assert width == PIXEL_RATIO * css
    assert height == round(PIXEL_RATIO * explorer.figure.get_figheight() * DPI)
    assert png_css_width(png) == css
    # ... and shown at that CSS width (narrower if the column is), never stretched wider.
    layout = explorer.image.layout
    assert layout.width == f"{css}px"
    assert layout.max_width == "100%" and layout.height == "auto"
    # A redraw keeps the size, so the layout stays right while the controls move.
    explorer.controls[control].value = new_value
    assert explorer.image.value != png
    assert _png_size(explorer.image.value) == (width, height)
    assert explorer.image.layout.width == f"{css}px"


def test_network_explorer_static_image_has_its_css_width():
    # Chapter 8 shows the explorer's state before training with view.image(): an
    # IPython Image whose width attribute is the PNG's CSS width, not the column's.
    X = np.random.default_rng(0).random((40, 64))  # 40 "images" of 8 x 8 pixels
    explorer = viz.NetworkExplorer(
        X, np.arange(40) % 10, hidden="4", image_shape=(8, 8), epochs=1
    )
    image = explorer.view.image()
    width, _ = _png_size(image.data)
    assert int(image.width) == png_css_width(image.data) == round(width / PIXEL_RATIO)


# ---- the filmstrip's labels ---------------------------------------------------------------------


def _text_boxes(ax) -> dict[str, Bbox]:
    """Pixel extents of the frame's named texts (with their box, if any), as last drawn."""
    renderer = ax.figure.canvas.get_renderer()
    out = {}
    for t in ax.texts:
        if not t.get_gid():
            continue
        extent = t.get_window_extent(renderer)
        if t.get_bbox_patch() is not None:
            extent = Bbox.union(
                [extent, t.get_bbox_patch().get_window_extent(renderer)]
            )
        out[t.get_gid()] = extent
    return out


def _clashes(ax, gap: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of texts closer than ``gap`` pixels, and texts (partly) outside the axes, as
    drawn by the last ``canvas.draw()`` (the figure's final layout)."""
    boxes = _text_boxes(ax)
    area = ax.get_window_extent()
    bad = []
    for (g1, b1), (g2, b2) in itertools.combinations(boxes.items(), 2):
        grown = Bbox.from_extents(b1.x0 - gap, b1.y0 - gap, b1.x1 + gap, b1.y1 + gap)
        if grown.overlaps(b2):
            bad.append((g1, g2))
    bad += [
        (g, "outside the axes")
        for g, b in boxes.items()
        if not (
            area.x0 <= b.x0 and b.x1 <= area.x1 and area.y0 <= b.y0 and b.y1 <= area.y1
        )
    ]
    return bad


def test_clash_check_finds_overlapping_labels():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "z1 = w1·x", gid="node:a", bbox=dict(boxstyle="round"))
    ax.text(0.52, 0.5, "×0.9", gid="edge:a->b")
    ax.text(0.1, 0.1, "far away", gid="value:a")
    fig.canvas.draw()
    assert _clashes(ax) == [("node:a", "edge:a->b")]
    plt.close(fig)


def _inputs(x: float, y: float, slow: bool = False):
    inputs = {**bs.SMALL_NETWORK_INPUTS, "x": x, "y": y}
    return pytest.param(
        inputs, id=f"x={x},y={y}", marks=[pytest.mark.slow] if slow else []
    )


#: The chapter's inputs, the ends of the stepper's sliders (the widest numbers), a small x.
#: Drawing every frame takes seconds: the quick loop checks the first only.
INPUTS = [
    _inputs(0.8, 0.5),
    _inputs(-2.0, 1.0, slow=True),
    _inputs(2.0, -1.0, slow=True),
    _inputs(0.1, -0.3, slow=True),
]


@pytest.mark.parametrize("inputs", INPUTS)
def test_every_filmstrip_frame_has_its_labels_clear(inputs):
    graph = bs.small_network_graph()
    n = len(bs.backprop_frames(graph, inputs))
    fig = bs.filmstrip(inputs=inputs, frames=list(range(n)), ncols=3)
    try:
        fig.canvas.draw()
        for i, ax in enumerate(fig.axes[:n]):
            texts = {t.get_gid() for t in ax.texts}
            assert {f"node:{node.name}" for node in graph} <= texts
            if i > n // 2:  # backward steps label the edges they use
                assert any(g and g.startswith("edge:") for g in texts), i
            assert _clashes(ax) == [], f"step {i}: {_clashes(ax)}"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("inputs", [INPUTS[0], INPUTS[2]])
def test_every_stepper_frame_has_its_labels_clear(inputs):
    stepper = viz.BackpropStepper(x=inputs["x"], y=inputs["y"])
    fig = stepper.figure
    for step in range(len(stepper.frames)):
        stepper.controls["step"].value = step
        # Measured as in the widget's PNG, at PIXEL_RATIO times the figure's dpi.
        fig.set_dpi(DPI * PIXEL_RATIO)
        fig.canvas.draw()
        clashes = _clashes(stepper.ax, gap=PIXEL_RATIO)
        fig.set_dpi(DPI)
        assert clashes == [], f"step {step}: {clashes}"


def test_default_filmstrip_is_the_four_frames_of_the_chapter():
    fig = bs.filmstrip()
    try:
        fig.canvas.draw()
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title().split(" (")[0] for ax in axes] == [
            "step 8 of 16",
            "step 9 of 16",
            "step 15 of 16",
            "step 16 of 16",
        ]
        for ax in axes:
            assert _clashes(ax) == []
    finally:
        plt.close(fig)


def test_sharp_layout_has_no_margin_that_would_overflow_a_narrow_column():
    from nnlib.viz._render import sharp_layout

    layout = sharp_layout(688)
    assert (layout.width, layout.max_width, layout.height, layout.margin) == (
        "688px",
        "100%",
        "auto",
        "0",
    )
    assert sharp_layout(688, margin="4px").margin == "4px"
