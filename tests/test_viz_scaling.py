"""Chapter 1's scaling explorer: the pure helpers behind the loss-valley picture."""

import numpy as np
import pytest

import nnlib as nl
from nnlib.viz import scaling


def moons():
    X, y = nl.datasets.make_moons(400, noise=0.15, seed=0)
    return X, 2.0 * y - 1


def test_sensor_units_changes_only_the_second_column_and_keeps_dtype():
    X, _ = moons()
    for dtype in (np.float32, np.float64):
        Xd = X.astype(dtype)
        out = scaling.sensor_units(Xd, 300.0, 30.0)
        assert out.dtype == dtype
        np.testing.assert_array_equal(out[:, 0], Xd[:, 0])
        np.testing.assert_allclose(
            out[:, 1], 300 + 30 * Xd[:, 1].astype(np.float64), rtol=1e-6
        )
        assert out is not Xd and np.array_equal(Xd, X.astype(dtype))  # input untouched


def test_hessian_is_the_second_derivative_of_the_mse():
    X, t = moons()
    A = scaling.sensor_units(X, 4.0, 4.0)
    H = scaling.least_squares_hessian(A)
    loss = lambda w: np.mean((A @ w - t) ** 2)
    w0, delta = np.array([0.3, -0.2]), 1e-3
    H_num = np.empty((2, 2))
    for a in range(2):
        for b in range(2):
            ea, eb = np.eye(2)[a] * delta, np.eye(2)[b] * delta
            H_num[a, b] = (
                loss(w0 + ea + eb)
                - loss(w0 + ea - eb)
                - loss(w0 - ea + eb)
                + loss(w0 - ea - eb)
            ) / (4 * delta**2)
    np.testing.assert_allclose(H, H_num, rtol=1e-6)


def test_offset_and_scale_raise_the_condition_number_and_standardizing_lowers_it():
    X, _ = moons()
    kappa = lambda A: np.divide(
        *np.linalg.eigvalsh(scaling.least_squares_hessian(A))[::-1]
    )
    k_std = kappa((X - X.mean(0)) / X.std(0))
    # Standardized features: kappa = (1 + |r|) / (1 - |r|) for correlation r.
    r = abs(np.corrcoef(X.T)[0, 1])
    np.testing.assert_allclose(k_std, (1 + r) / (1 - r), rtol=1e-10)
    ks = [kappa(scaling.sensor_units(X, o, s)) for o, s in [(0, 1), (4, 4), (300, 30)]]
    assert k_std < ks[0] < ks[1] < ks[2] and ks[2] > 1e5


def test_path_is_gradient_descent_and_converges_exactly_on_uncorrelated_unit_features():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(50, 2)))
    A = Q * np.sqrt(50)  # columns orthogonal, mean square 1: H = 2 I
    t = rng.normal(size=50)
    np.testing.assert_allclose(
        scaling.least_squares_hessian(A), 2 * np.eye(2), atol=1e-12
    )
    path, losses = scaling.least_squares_path(A, t, lr=0.5, steps=3)  # lr = 1 / lambda
    w_best = np.linalg.lstsq(A, t, rcond=None)[0]
    np.testing.assert_allclose(path[1], w_best, atol=1e-12)  # one step, a round bowl
    assert path.shape == (4, 2) and losses.shape == (4,)
    np.testing.assert_allclose(losses[0], np.mean(t**2))


def test_below_the_stability_limit_the_loss_falls_and_above_it_the_path_diverges():
    X, t = moons()
    A = scaling.sensor_units(X, 4.0, 4.0)
    lam = np.linalg.eigvalsh(scaling.least_squares_hessian(A))[-1]
    _, losses = scaling.least_squares_path(A, t, lr=1.9 / lam, steps=200)
    assert np.all(np.diff(losses) <= 1e-12)
    path, losses = scaling.least_squares_path(A, t, lr=2.2 / lam, steps=5000)
    assert len(path) <= 5000 or losses[-1] > 1e100


def test_steps_to_reach_and_the_raw_valley_is_slower():
    X, t = moons()
    out = {}
    for name, A in {
        "raw": scaling.sensor_units(X, 4.0, 4.0),
        "std": (X - X.mean(0)) / X.std(0),
    }.items():
        lam = np.linalg.eigvalsh(scaling.least_squares_hessian(A))[-1]
        _, losses = scaling.least_squares_path(A, t, lr=0.9 * 2 / lam, steps=2000)
        best = np.mean((A @ np.linalg.lstsq(A, t, rcond=None)[0] - t) ** 2)
        out[name] = scaling.steps_to_reach(losses, best, 1e-4)
    assert (
        out["std"] is not None
        and out["raw"] is not None
        and out["raw"] > 3 * out["std"]
    )
    assert scaling.steps_to_reach(np.array([3.0, 2.0, 1.0]), 1.0, 0.5) == 2
    assert scaling.steps_to_reach(np.array([3.0, 2.0]), 1.0, 0.5) is None


def test_bad_input_is_refused_with_the_function_name():
    X, t = moons()
    with pytest.raises(ValueError, match="sensor_units"):
        scaling.sensor_units(X, 1.0, 0.0)
    with pytest.raises(ValueError, match="sensor_units"):
        scaling.sensor_units(np.zeros((3, 3)), 1.0, 1.0)
    with pytest.raises(TypeError, match="least_squares_hessian"):
        scaling.least_squares_hessian(np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match="least_squares_path"):
        scaling.least_squares_path(X, t, lr=-1.0, steps=3)
    with pytest.raises(ValueError, match="least_squares_path"):
        scaling.least_squares_path(X, t[:5], lr=0.1, steps=3)


def test_explorer_draws_both_panels_and_reacts_to_its_controls():
    pytest.importorskip("ipywidgets")
    X, t = moons()
    ex = scaling.ScalingExplorer(X, t, offset=4.0, scale=4.0, lr_fraction=0.9, steps=50)
    assert ex.png()[:8] == b"\x89PNG\r\n\x1a\n" and ex.image.value[:4] == b"\x89PNG"
    k_before = ex.results["raw"]["kappa"]
    ex.controls["scale"].value = 10.0
    assert ex.results["raw"]["kappa"] > k_before
    np.testing.assert_allclose(
        ex.results["standardized"]["kappa"], ex.results["standardized"]["kappa"]
    )
    assert len(ex.results["raw"]["path"]) == 51
