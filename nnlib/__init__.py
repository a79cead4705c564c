"""nnlib: a small, numpy-only neural-network library, built step by step in the nnbook course.

    import nnlib as nl
    X, y = nl.datasets.make_moons(500, noise=0.1)
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.ReLU(), nl.Dense(16, 2, rng=1))
    # or, the same kind of network from its sizes: nl.build_mlp([2, 16, 2], "relu", rng=0)
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.Adam(model.parameters(), lr=0.01),
                     X, y, epochs=50, progress=False)
    nl.accuracy(y, nl.predict(model, X))

One module per step of the course: ``data``/``datasets`` (1), ``init`` (2), ``layers`` (3 and 5)
and ``models`` (3), ``losses`` (4), ``gradcheck`` (5), ``optim`` (6), ``train``/``diagnostics``
(7), ``predict``/``metrics``/``saving`` (8).
"""

from . import datasets, fast, functional, init
from .data import (
    MinMaxScaler,
    NotFittedError,
    StandardScaler,
    kfold_indices,
    minibatches,
    one_hot,
    train_test_split,
    train_val_test_split,
)
from .diagnostics import (
    TrainingMonitor,
    activation_stats,
    dead_relu_fraction,
    init_loss_check,
    update_ratios,
)
from .gradcheck import gradcheck, numerical_grad, relative_error
from .layers import (
    Activation,
    Dense,
    Identity,
    Layer,
    LeakyReLU,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from .metrics import (
    accuracy,
    bootstrap_ci,
    calibration_curve,
    confusion_matrix,
    expected_calibration_error,
    precision_recall,
)
from .models import build_mlp
from .optim import SGD, Adam, Optimizer
from .predict import fit_temperature, predict, predict_proba
from .saving import ModelFileError, load, register_layer, save
from .train import History, fit

__version__ = "0.1.0"

__all__ = [
    "datasets",
    "fast",
    "functional",
    "init",
    "StandardScaler",
    "MinMaxScaler",
    "NotFittedError",
    "one_hot",
    "train_test_split",
    "train_val_test_split",
    "minibatches",
    "kfold_indices",
    "Layer",
    "Activation",
    "Parameter",
    "Dense",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "Identity",
    "Sequential",
    "build_mlp",
    "Loss",
    "MSELoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "gradcheck",
    "numerical_grad",
    "relative_error",
    "Optimizer",
    "SGD",
    "Adam",
    "fit",
    "History",
    "init_loss_check",
    "activation_stats",
    "dead_relu_fraction",
    "update_ratios",
    "TrainingMonitor",
    "predict_proba",
    "predict",
    "accuracy",
    "confusion_matrix",
    "calibration_curve",
    "precision_recall",
    "expected_calibration_error",
    "bootstrap_ci",
    "fit_temperature",
    "save",
    "load",
    "register_layer",
    "ModelFileError",
]
