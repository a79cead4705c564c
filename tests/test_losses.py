"""Tests for nnlib.losses: values on hand examples, gradients against finite differences, errors."""

import numpy as np
import pytest
from sklearn.metrics import log_loss

import nnlib as nl

rng = np.random.default_rng


def _cases():
    """(name, loss, pred, target) for every loss and target form, in float64."""
    r = rng(0)
    logits = r.normal(scale=2.0, size=(5, 4))
    probs = r.uniform(0.05, 0.95, size=(5, 1))
    soft = r.dirichlet(np.ones(4), size=5)
    return [
        ("mse-2d", nl.MSELoss(), r.normal(size=(5, 3)), r.normal(size=(5, 3))),
        ("mse-1d", nl.MSELoss(), r.normal(size=5), r.normal(size=5)),
        (
            "mse-column-vs-1d-target",
            nl.MSELoss(),
            r.normal(size=(5, 1)),
            r.normal(size=5),
        ),
        (
            "bce-hard",
            nl.BCELoss(),
            probs.copy(),
            r.integers(0, 2, size=(5, 1)).astype(float),
        ),
        ("bce-soft", nl.BCELoss(), probs.copy(), r.uniform(size=(5, 1))),
        (
            "bce-1d-int-target",
            nl.BCELoss(),
            probs[:, 0].copy(),
            np.array([0, 1, 1, 0, 1]),
        ),
        (
            "bce-logits-hard",
            nl.BCEWithLogitsLoss(),
            r.normal(scale=3, size=(5, 1)),
            np.array([0, 1, 1, 0, 1]),
        ),
        (
            "bce-logits-soft",
            nl.BCEWithLogitsLoss(),
            r.normal(scale=3, size=(5, 2)),
            r.uniform(size=(5, 2)),
        ),
        ("ce-labels", nl.CrossEntropyLoss(), logits.copy(), np.array([0, 3, 1, 1, 2])),
        ("ce-probabilities", nl.CrossEntropyLoss(), logits.copy(), soft),
    ]


CASES = {c[0]: c[1:] for c in _cases()}


@pytest.mark.parametrize("case", CASES)
def test_loss_gradient_matches_finite_differences(case):
    loss, pred, target = CASES[case]
    loss(pred, target)
    analytic = loss.backward()
    assert analytic.shape == pred.shape
    numeric = nl.numerical_grad(lambda: loss(pred, target), pred)
    assert nl.relative_error(analytic, numeric) < 1e-7


@pytest.mark.parametrize(
    "make_loss, out, target",
    [
        (nl.MSELoss, 3, rng(1).normal(size=(8, 3))),
        (nl.CrossEntropyLoss, 3, rng(1).integers(0, 3, size=8)),
        (nl.BCEWithLogitsLoss, 1, rng(1).integers(0, 2, size=8)),
    ],
)
def test_loss_in_network_passes_gradcheck(make_loss, out, target):
    model = nl.Sequential(nl.Dense(4, 6, rng=0), nl.Tanh(), nl.Dense(6, out, rng=1))
    X = rng(2).normal(size=(8, 4))
    assert nl.gradcheck(model, make_loss(), X, target) < 1e-6


def test_bce_loss_after_sigmoid_passes_gradcheck():
    model = nl.Sequential(
        nl.Dense(4, 6, rng=0), nl.Tanh(), nl.Dense(6, 1, rng=1), nl.Sigmoid()
    )
    X, y = rng(2).normal(size=(8, 4)), rng(3).integers(0, 2, size=8)
    assert nl.gradcheck(model, nl.BCELoss(), X, y) < 1e-6


# ---------------------------------------------------------------- values


def test_mse_averages_over_all_elements():
    loss = nl.MSELoss()
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[0.0, 2.0], [3.0, 6.0]])
    assert (
        loss(pred, target) == 1.25
    )  # (1 + 0 + 0 + 4) / 4, like torch's reduction="mean"
    np.testing.assert_array_equal(loss.backward(), [[0.5, 0.0], [0.0, -1.0]])


def test_mse_column_output_with_1d_target_does_not_broadcast():
    loss = nl.MSELoss()
    assert loss(
        np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 5.0])
    ) == pytest.approx(4 / 3)
    assert loss.backward().shape == (3, 1)


def test_bce_hand_values_and_clamp():
    loss = nl.BCELoss()
    assert loss(np.array([0.9, 0.2]), np.array([1.0, 0.0])) == pytest.approx(
        -(np.log(0.9) + np.log(0.8)) / 2
    )
    # PyTorch clamps log at -100: a certain, wrong prediction costs 100, not inf.
    assert loss(np.array([0.0, 1.0]), np.array([1.0, 1.0])) == pytest.approx(50.0)
    assert np.isfinite(loss.backward()).all()
    assert loss(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0


def test_bce_matches_sklearn_log_loss():
    p = rng(4).uniform(0.01, 0.99, size=20)
    y = rng(5).integers(0, 2, size=20)
    assert nl.BCELoss()(p, y) == pytest.approx(log_loss(y, p), rel=1e-12)


def test_bce_with_logits_equals_bce_of_sigmoid():
    z = rng(6).normal(scale=3, size=(10, 1))
    y = rng(7).integers(0, 2, size=(10, 1)).astype(float)
    a, b = nl.BCEWithLogitsLoss(), nl.BCELoss()
    assert a(z, y) == pytest.approx(b(nl.functional.sigmoid(z), y), rel=1e-12)
    # Chain rule: dL/dz = dL/dp * p (1 - p).
    p = nl.functional.sigmoid(z)
    np.testing.assert_allclose(a.backward(), b.backward() * p * (1 - p), rtol=1e-9)


def test_bce_with_logits_is_exact_for_huge_logits():
    loss = nl.BCEWithLogitsLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss(
            np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0.0, 1.0, 1.0, 0.0])
        )
    assert value == pytest.approx(500.0)  # (1000 + 1000 + 0 + 0) / 4
    np.testing.assert_allclose(loss.backward(), [0.25, -0.25, 0.0, 0.0])


def test_cross_entropy_hand_values():
    loss = nl.CrossEntropyLoss()
    logits = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    value = loss(logits, np.array([2, 0]))
    first = np.log(np.exp(1) + np.exp(2) + np.exp(3)) - 3
    assert value == pytest.approx((first + np.log(3)) / 2, rel=1e-14)
    s = np.exp(logits[0]) / np.exp(logits[0]).sum()
    np.testing.assert_allclose(
        loss.backward(), [(s - [0, 0, 1]) / 2, [-1 / 3, 1 / 6, 1 / 6]]
    )


def test_cross_entropy_matches_sklearn_log_loss():
    logits = rng(8).normal(scale=2, size=(30, 4))
    y = rng(9).integers(0, 4, size=30)
    probs = nl.functional.softmax(logits)
    assert nl.CrossEntropyLoss()(logits, y) == pytest.approx(
        log_loss(y, probs, labels=range(4)), rel=1e-10
    )


def test_cross_entropy_one_hot_targets_equal_label_targets():
    logits = rng(10).normal(size=(6, 3))
    y = np.array([0, 2, 1, 1, 0, 2])
    a, b = nl.CrossEntropyLoss(), nl.CrossEntropyLoss()
    assert a(logits, y) == pytest.approx(b(logits, nl.one_hot(y, 3)), rel=1e-15)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-15)


def test_cross_entropy_is_exact_for_huge_logits():
    loss = nl.CrossEntropyLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss(np.array([[1000.0, 0.0, -1000.0]]), np.array([2]))
    assert value == 2000.0
    np.testing.assert_allclose(loss.backward(), [[1.0, 0.0, -1.0]])


# ---------------------------------------------------------------- dtypes and labels


@pytest.mark.parametrize("case", CASES)
def test_loss_keeps_float32(case):
    loss, pred, target = CASES[case]
    pred32 = pred.astype(np.float32)
    value = loss(pred32, target)
    assert isinstance(value, float)
    assert loss.backward().dtype == np.float32


def test_predicted_labels_and_classification_flag():
    assert not nl.MSELoss.is_classification
    assert nl.CrossEntropyLoss.is_classification and nl.BCELoss.is_classification
    np.testing.assert_array_equal(
        nl.CrossEntropyLoss().predicted_labels(np.array([[0.1, 2.0], [3.0, -1.0]])),
        [1, 0],
    )
    np.testing.assert_array_equal(
        nl.BCELoss().predicted_labels(np.array([[0.7], [0.3]])), [1, 0]
    )
    np.testing.assert_array_equal(
        nl.BCEWithLogitsLoss().predicted_labels(np.array([0.2, -0.1])), [1, 0]
    )
    with pytest.raises(TypeError, match="MSELoss is not a classification loss"):
        nl.MSELoss().predicted_labels(np.zeros((2, 1)))


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "make_loss", [nl.MSELoss, nl.BCELoss, nl.BCEWithLogitsLoss, nl.CrossEntropyLoss]
)
def test_backward_before_forward_raises(make_loss):
    with pytest.raises(
        RuntimeError,
        match=rf"{make_loss.__name__}.backward called before the loss was computed",
    ):
        make_loss().backward()


def test_cross_entropy_rejects_bad_labels():
    logits = np.zeros((2, 3))
    with pytest.raises(
        ValueError, match=r"CrossEntropyLoss: class labels must be in \[0, 3\), got 3"
    ):
        nl.CrossEntropyLoss()(logits, np.array([0, 3]))
    with pytest.raises(
        ValueError, match=r"CrossEntropyLoss: class labels must be >= 0, got -1"
    ):
        nl.CrossEntropyLoss()(logits, np.array([-1, 0]))
    with pytest.raises(
        ValueError, match=r"CrossEntropyLoss: target has 3 labels for 2 rows of logits"
    ):
        nl.CrossEntropyLoss()(logits, np.array([0, 1, 2]))
    with pytest.raises(
        TypeError,
        match=r"CrossEntropyLoss: target must hold integer class labels, got dtype float64",
    ):
        nl.CrossEntropyLoss()(logits, np.array([0.0, 1.0]))


def test_shape_mismatch_is_reported_not_broadcast():
    with pytest.raises(
        ValueError,
        match=r"MSELoss: target must have the shape of pred \(4, 2\), got \(4,\)",
    ):
        nl.MSELoss()(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(
        ValueError,
        match=r"CrossEntropyLoss: target must have the shape of pred \(2, 3\), got \(2, 2\)",
    ):
        nl.CrossEntropyLoss()(np.zeros((2, 3)), np.zeros((2, 2)))


def test_binary_losses_reject_invalid_values():
    with pytest.raises(
        ValueError,
        match=r"BCELoss: pred must be probabilities in \[0, 1\]; .*use BCEWithLogitsLoss",
    ):
        nl.BCELoss()(np.array([0.5, 1.5]), np.array([0.0, 1.0]))
    with pytest.raises(
        ValueError,
        match=r"BCEWithLogitsLoss: targets must be in \[0, 1\], got values in \[0.0, 2.0\]",
    ):
        nl.BCEWithLogitsLoss()(np.array([0.5, 1.5]), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match=r"MSELoss: target contains NaN or inf"):
        nl.MSELoss()(np.zeros(2), np.array([0.0, np.nan]))
    with pytest.raises(
        TypeError, match=r"MSELoss: pred must have dtype float32 or float64, got int64"
    ):
        nl.MSELoss()(np.zeros(2, dtype=np.int64), np.zeros(2))


# ---------------------------------------------------------------- the Loss base class


def test_custom_loss_subclass_works_with_gradcheck():
    class L1Loss(nl.Loss):
        def forward(self, pred, target):
            self._cache = np.sign(pred - target) / pred.size
            return float(np.mean(np.abs(pred - target)))

        def backward(self):
            self._need_forward()
            return self._cache

    model = nl.Sequential(nl.Dense(3, 4, rng=0), nl.Tanh(), nl.Dense(4, 2, rng=1))
    X, target = rng(0).normal(size=(5, 3)), rng(1).normal(size=(5, 2))
    assert nl.gradcheck(model, L1Loss(), X, target) < 1e-6
    assert repr(L1Loss()) == "L1Loss()"
    with pytest.raises(
        RuntimeError, match=r"L1Loss.backward called before the loss was computed"
    ):
        L1Loss().backward()


def test_loss_base_class_must_be_implemented():
    with pytest.raises(NotImplementedError, match=r"Loss must implement forward"):
        nl.Loss()(np.zeros(2), np.zeros(2))
    with pytest.raises(NotImplementedError, match=r"Loss must implement backward"):
        nl.Loss().backward()


# ---------------------------------------------------------------- nnlib.functional, the stable pieces


def test_functional_values():
    F = nl.functional
    z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 5.0]])
    lse = np.log(np.exp(z).sum(axis=1))
    np.testing.assert_allclose(F.logsumexp(z, axis=1), lse, rtol=1e-15)
    np.testing.assert_allclose(
        F.logsumexp(z, axis=1, keepdims=True), lse[:, None], rtol=1e-15
    )
    np.testing.assert_allclose(
        F.logsumexp(z, axis=0), np.log(np.exp(z).sum(axis=0)), rtol=1e-15
    )
    np.testing.assert_allclose(
        F.softmax(z), np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-14
    )
    np.testing.assert_allclose(F.log_softmax(z), np.log(F.softmax(z)), rtol=1e-12)
    x = np.array([-3.0, 0.0, 0.5])
    np.testing.assert_allclose(F.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


def test_functional_is_stable_and_keeps_dtype():
    F = nl.functional
    z = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert F.logsumexp(z, axis=1)[0] == 1000.0
        np.testing.assert_array_equal(F.softmax(z), [[1.0, 0.0, 0.0]])
        np.testing.assert_array_equal(F.log_softmax(z), [[0.0, -1000.0, -2000.0]])
        np.testing.assert_array_equal(
            F.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0]
        )
    z32 = z.astype(np.float32)
    assert (
        F.softmax(z32).dtype
        == F.log_softmax(z32).dtype
        == F.sigmoid(z32).dtype
        == np.float32
    )
    assert F.logsumexp(z32, axis=1).dtype == np.float32
