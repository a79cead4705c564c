"""nnlib.viz: the interactive and visual side of the course (matplotlib + ipywidgets).

Not imported by ``import nnlib`` (the core is numpy-only); use ``from nnlib import viz``.

Widgets (each ``.show()`` in a notebook; each keeps a PNG of its view in the widget state, so
an executed notebook shows its last state without a kernel):

- ``Playground``: decision-boundary playground (data set, layers, optimizer, Train/Step/Reset).
- ``NetworkExplorer`` / ``NetworkView``: the network's weights as a graph, heat maps,
  histograms and, for images, per-unit weight images.
- ``LiveCurves``: a ``fit`` callback drawing train/validation loss and accuracy in place.
- ``ActivationExplorer`` and ``GradientDescentExplorer``: an activation and its derivative;
  optimizers' paths on a 2-D loss surface.
- ``BackpropStepper``: the forward and backward pass of a small graph, one node per step
  (``filmstrip`` draws several steps for the static book).
- ``LogitExplorer``: MSE and cross-entropy of one sigmoid output and their gradients against
  its logit (chapter 4).
- ``ScalingExplorer``: the loss valley and gradient-descent path of a linear model, raw vs
  standardized inputs (chapter 1).

For the static book, ``animate_training`` / ``Playground.animate`` return a training run as
an HTML animation to scrub through. Pure helpers (``grid_proba``, ``network_layout``,
``descent_path``...) are plain numpy and unit-tested.
"""

from .animate import animate_training, frame_schedule
from .backprop_stepper import (
    BackpropStepper,
    backprop_frames,
    backward_grads,
    filmstrip,
)
from .curves import LiveCurves
from .explorers import (
    SURFACES,
    ActivationExplorer,
    GradientDescentExplorer,
    Surface,
    activation_curve,
    descent_path,
)
from .grid import CLASS_COLORS, grid_bounds, grid_proba, make_grid, proba_to_rgb
from .loss_explorer import LogitExplorer, logit_losses
from .network import (
    NetworkExplorer,
    NetworkView,
    edge_segments,
    edge_style,
    layer_sizes,
    network_layout,
)
from .playground import DATASETS, Playground
from .scaling import (
    ScalingExplorer,
    least_squares_hessian,
    least_squares_path,
    sensor_units,
)

__all__ = [
    "Playground",
    "DATASETS",
    "NetworkView",
    "NetworkExplorer",
    "network_layout",
    "edge_segments",
    "edge_style",
    "layer_sizes",
    "LiveCurves",
    "ActivationExplorer",
    "GradientDescentExplorer",
    "activation_curve",
    "descent_path",
    "Surface",
    "SURFACES",
    "animate_training",
    "frame_schedule",
    "BackpropStepper",
    "backprop_frames",
    "backward_grads",
    "filmstrip",
    "LogitExplorer",
    "logit_losses",
    "ScalingExplorer",
    "sensor_units",
    "least_squares_hessian",
    "least_squares_path",
    "grid_bounds",
    "make_grid",
    "grid_proba",
    "proba_to_rgb",
    "CLASS_COLORS",
]
