"""Tests of nnlib.viz.loss_explorer (chapter 4's Try it): the curves by value, the widget by its controls."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnlib as nl  # noqa: E402
from nnlib import viz  # noqa: E402
from nnlib.viz.loss_explorer import logit_losses  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
Z = np.linspace(-8, 8, 33)


@pytest.mark.parametrize("y", [0, 1])
def test_losses_equal_nnlibs_losses_sample_by_sample(y):
    curves = logit_losses(Z, y)
    for i, z in enumerate(Z):
        zi, yi = np.array([z]), np.array([float(y)])
        assert np.isclose(curves["ce"][i], nl.BCEWithLogitsLoss()(zi, yi))
        p = nl.functional.sigmoid(zi)
        assert np.isclose(curves["mse"][i], nl.MSELoss()(p, yi))
        assert np.isclose(curves["p"][i], p[0])


@pytest.mark.parametrize("y", [0, 1])
@pytest.mark.parametrize("name", ["mse", "ce"])
def test_gradients_match_finite_differences(y, name):
    z = Z.copy()
    # The samples are independent, so the gradient of the sum is each sample's derivative.
    numerical = nl.numerical_grad(lambda: logit_losses(z, y)[name].sum(), z)
    np.testing.assert_allclose(logit_losses(Z, y)[name + "_grad"], numerical, atol=1e-7)


def test_cross_entropy_gradient_is_p_minus_y_and_mse_vanishes_when_confidently_wrong():
    c = logit_losses(np.array([-10.0, -8.0, 0.0]), 1)
    np.testing.assert_allclose(c["ce_grad"], c["p"] - 1)
    # confidently wrong (z = -8, y = 1): cross-entropy pushes with almost full force, MSE barely
    assert c["ce_grad"][1] < -0.99 and abs(c["mse_grad"][1]) < 1e-3
    assert abs(c["mse_grad"][0]) < abs(c["mse_grad"][1]) < abs(c["mse_grad"][2])
    # the mirror image for y = 0
    m = logit_losses(np.array([8.0]), 0)
    assert m["ce_grad"][0] > 0.99 and abs(m["mse_grad"][0]) < 1e-3


def test_cross_entropy_is_finite_and_linear_far_out_mse_is_bounded():
    c = logit_losses(np.array([-1000.0, 1000.0]), 1)
    assert np.all(np.isfinite(c["ce"]))
    np.testing.assert_allclose(c["ce"], [1000.0, 0.0])
    assert np.all(c["mse"] <= 1.0) and np.isclose(c["mse"][0], 1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    c = logit_losses(Z.astype(dtype), 1)
    assert all(v.dtype == dtype for v in c.values())


def test_integer_logits_become_float64():
    c = logit_losses(np.array([-2, 0, 2]), 0)
    assert c["ce"].dtype == np.float64
    np.testing.assert_allclose(
        c["p"], nl.functional.sigmoid(np.array([-2.0, 0.0, 2.0]))
    )


@pytest.mark.parametrize(
    "z, y, error",
    [
        (np.array([[0.0]]), 1, TypeError),
        (np.array(["a"]), 1, TypeError),
        (np.array([0.0]), 2, ValueError),
        (np.array([0.0]), 0.5, ValueError),
    ],
)
def test_bad_input_names_the_function(z, y, error):
    with pytest.raises(error, match="logit_losses"):
        logit_losses(z, y)


def test_explorer_follows_its_controls():
    ex = viz.LogitExplorer(z=-6.0, y=1)
    assert ex.image.value[:8] == PNG_MAGIC
    v = ex.values()
    assert v["ce_grad"] < -0.99 and abs(v["mse_grad"]) < 0.01
    first = ex.image.value
    ex.controls["y"].value = 0  # now z = -6 is confidently right
    v = ex.values()
    assert v["ce"] < 0.01 and abs(v["ce_grad"]) < 0.01
    assert ex.image.value != first
    ex.controls["log"].value = True
    assert ex.ax_grad.get_yscale() == "log"
    # the marked points sit on the curves at the slider's z
    ex.controls["z"].value = 2.5
    x, yv = ex.grad_points["ce"].get_data()
    assert x[0] == 2.5 and np.isclose(
        yv[0], abs(logit_losses(np.array([2.5]), 0)["ce_grad"][0])
    )


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="LogitExplorer"):
        viz.LogitExplorer(y=3)
    with pytest.raises(ValueError, match="LogitExplorer"):
        viz.LogitExplorer(z_range=(2.0, 1.0))


@pytest.mark.parametrize("z, y", [(-9.5, 1), (9.5, 0), (0.0, 1)])
def test_marked_points_stay_inside_the_loss_axes(z, y):
    ex = viz.LogitExplorer(z=z, y=y)
    bottom, top = ex.ax_loss.get_ylim()
    for k in ("mse", "ce"):
        _, (value,) = ex.loss_points[k].get_data()
        assert bottom <= value <= top
