"""Tests for nnlib.data: scalers, one_hot, train_test_split, minibatches."""

import numpy as np
import pytest
from sklearn import preprocessing

import nnlib as nl


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return rng.normal(loc=[1.0, -3.0, 10.0], scale=[0.5, 2.0, 7.0], size=(50, 3))


# ---------------------------------------------------------------- StandardScaler


def test_standard_scaler_learns_mean_and_std(X):
    sc = nl.StandardScaler().fit(X)
    np.testing.assert_allclose(sc.mean_, X.mean(axis=0))
    np.testing.assert_allclose(sc.scale_, X.std(axis=0))
    assert sc.n_features_ == 3


def test_standard_scaler_output_has_zero_mean_unit_std(X):
    Z = nl.StandardScaler().fit_transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-12)


def test_standard_scaler_matches_sklearn(X):
    ours = nl.StandardScaler().fit(X[:30])
    ref = preprocessing.StandardScaler().fit(X[:30])
    np.testing.assert_allclose(
        ours.transform(X[30:]), ref.transform(X[30:]), rtol=1e-12, atol=1e-12
    )


def test_standard_scaler_fit_transform_equals_fit_then_transform(X):
    np.testing.assert_array_equal(
        nl.StandardScaler().fit_transform(X), nl.StandardScaler().fit(X).transform(X)
    )


def test_standard_scaler_inverse_round_trip(X):
    sc = nl.StandardScaler().fit(X)
    np.testing.assert_allclose(
        sc.inverse_transform(sc.transform(X)), X, rtol=1e-12, atol=1e-12
    )


def test_standard_scaler_constant_column_maps_to_zero():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    sc = nl.StandardScaler().fit(X)
    assert sc.scale_[1] == 1.0
    Z = sc.transform(X)
    np.testing.assert_array_equal(Z[:, 1], 0.0)
    assert np.isfinite(Z).all()


def test_standard_scaler_hand_example():
    X = np.array([[0.0], [2.0], [4.0]])  # mean 2, population std sqrt(8/3)
    Z = nl.StandardScaler().fit_transform(X)
    np.testing.assert_allclose(Z[:, 0], np.array([-2.0, 0.0, 2.0]) / np.sqrt(8 / 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standard_scaler_keeps_dtype(X, dtype):
    Xd = X.astype(dtype)
    sc = nl.StandardScaler().fit(Xd)
    Z = sc.transform(Xd)
    assert Z.dtype == dtype
    assert sc.inverse_transform(Z).dtype == dtype


def test_standard_scaler_fitted_on_float64_transforms_float32_as_float32(X):
    sc = nl.StandardScaler().fit(X)
    assert sc.transform(X.astype(np.float32)).dtype == np.float32


def test_standard_scaler_not_fitted_raises(X):
    with pytest.raises(
        nl.NotFittedError, match=r"StandardScaler.transform: not fitted yet; call fit"
    ):
        nl.StandardScaler().transform(X)
    with pytest.raises(
        ValueError, match="not fitted"
    ):  # NotFittedError is a ValueError
        nl.StandardScaler().inverse_transform(X)


def test_standard_scaler_rejects_wrong_number_of_features(X):
    sc = nl.StandardScaler().fit(X)
    with pytest.raises(
        ValueError,
        match=r"StandardScaler.transform: expected X with 3 features \(as in fit\), got 2",
    ):
        sc.transform(X[:, :2])


def test_standard_scaler_rejects_nan_and_int(X):
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(
        ValueError, match=r"StandardScaler.fit: X contains 1 NaN or inf"
    ):
        nl.StandardScaler().fit(bad)
    with pytest.raises(
        TypeError,
        match=r"StandardScaler.fit: X must have dtype float32 or float64, got int64",
    ):
        nl.StandardScaler().fit(np.ones((3, 2), dtype=np.int64))


# ---------------------------------------------------------------- MinMaxScaler


def test_minmax_scaler_default_range(X):
    Z = nl.MinMaxScaler().fit_transform(X)
    np.testing.assert_allclose(Z.min(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(Z.max(axis=0), 1)


def test_minmax_scaler_hand_example():
    X = np.array([[0.0, 10.0], [5.0, 20.0], [10.0, 30.0]])
    Z = nl.MinMaxScaler(feature_range=(-1.0, 1.0)).fit_transform(X)
    np.testing.assert_allclose(Z, [[-1, -1], [0, 0], [1, 1]])


def test_minmax_scaler_matches_sklearn(X):
    ours = nl.MinMaxScaler((-2.0, 3.0)).fit(X[:30])
    ref = preprocessing.MinMaxScaler((-2.0, 3.0)).fit(X[:30])
    np.testing.assert_allclose(
        ours.transform(X[30:]), ref.transform(X[30:]), rtol=1e-12, atol=1e-12
    )


def test_minmax_scaler_inverse_round_trip(X):
    sc = nl.MinMaxScaler((-1.0, 1.0)).fit(X)
    np.testing.assert_allclose(
        sc.inverse_transform(sc.transform(X)), X, rtol=1e-12, atol=1e-12
    )


def test_minmax_scaler_constant_column_maps_to_low_end():
    X = np.array([[1.0, 7.0], [3.0, 7.0]])
    Z = nl.MinMaxScaler((2.0, 4.0)).fit_transform(X)
    np.testing.assert_array_equal(Z[:, 1], 2.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_minmax_scaler_keeps_dtype(X, dtype):
    sc = nl.MinMaxScaler((-1.0, 1.0)).fit(X.astype(dtype))
    Z = sc.transform(X.astype(dtype))
    assert Z.dtype == dtype
    assert sc.inverse_transform(Z).dtype == dtype


def test_minmax_scaler_errors(X):
    with pytest.raises(
        ValueError,
        match=r"MinMaxScaler: feature_range must satisfy low < high, got \(1, 0\)",
    ):
        nl.MinMaxScaler((1, 0))
    with pytest.raises(
        nl.NotFittedError, match=r"MinMaxScaler.transform: not fitted yet"
    ):
        nl.MinMaxScaler().transform(X)
    with pytest.raises(
        ValueError, match=r"MinMaxScaler.inverse_transform: expected X with 3 features"
    ):
        nl.MinMaxScaler().fit(X).inverse_transform(X[:, :1])


# ---------------------------------------------------------------- one_hot


def test_one_hot_hand_example():
    out = nl.one_hot(np.array([2, 0, 1, 2]))
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert out.dtype == np.float64


def test_one_hot_num_classes_and_dtype():
    out = nl.one_hot(np.array([1, 0]), num_classes=4, dtype=np.float32)
    assert out.shape == (2, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.argmax(axis=1), [1, 0])
    np.testing.assert_array_equal(out.sum(axis=1), 1)


def test_one_hot_errors():
    with pytest.raises(
        ValueError, match=r"one_hot: class labels must be in \[0, 3\), got 3"
    ):
        nl.one_hot(np.array([0, 3]), num_classes=3)
    with pytest.raises(ValueError, match=r"one_hot: class labels must be >= 0, got -1"):
        nl.one_hot(np.array([0, -1]))
    with pytest.raises(
        TypeError, match=r"one_hot: y must hold integer class labels, got dtype float64"
    ):
        nl.one_hot(np.array([0.0, 1.0]))
    with pytest.raises(
        ValueError, match=r"one_hot: num_classes must be a positive integer, got 0"
    ):
        nl.one_hot(np.array([], dtype=np.int64), num_classes=0)


# ---------------------------------------------------------------- train_test_split


def test_train_test_split_partitions_and_keeps_pairs():
    X = np.arange(100, dtype=np.float64).reshape(50, 2)
    y = np.arange(50)
    X_tr, X_te, y_tr, y_te = nl.train_test_split(X, y, test_size=0.2, seed=3)
    assert len(X_te) == 10 and len(X_tr) == 40
    # Every sample lands in exactly one part, and each row stays with its own label.
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_te])), y)
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)
    np.testing.assert_array_equal(X_te[:, 0], 2 * y_te)
    assert not np.array_equal(y_tr, np.sort(y_tr))  # shuffled


def test_train_test_split_sizes():
    X, y = np.zeros((10, 1)), np.arange(10)
    assert len(nl.train_test_split(X, y, test_size=0.25)[1]) == 3  # ceil(2.5)
    assert len(nl.train_test_split(X, y, test_size=4)[1]) == 4


def test_train_test_split_is_seeded():
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20)
    a = nl.train_test_split(X, y, seed=1)
    b = nl.train_test_split(X, y, seed=1)
    c = nl.train_test_split(X, y, seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])


def test_train_test_split_stratify_keeps_class_shares():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.zeros((100, 1))
    _, _, y_tr, y_te = nl.train_test_split(X, y, test_size=0.2, stratify=True)
    np.testing.assert_array_equal(np.bincount(y_te), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_tr), [48, 24, 8])


def test_train_test_split_errors():
    X, y = np.zeros((10, 2)), np.arange(10)
    with pytest.raises(
        ValueError,
        match=r"train_test_split: test_size as a fraction must be in \(0, 1\), got 1.5",
    ):
        nl.train_test_split(X, y, test_size=1.5)
    with pytest.raises(
        ValueError,
        match=r"train_test_split: test_size must be in \[1, 9\] samples, got 10",
    ):
        nl.train_test_split(X, y, test_size=10)
    with pytest.raises(
        ValueError,
        match=r"train_test_split: X and y must have the same number of samples, got 10 and 9",
    ):
        nl.train_test_split(X, y[:9])
    with pytest.raises(
        TypeError,
        match=r"train_test_split: test_size must be a float fraction or an int count",
    ):
        nl.train_test_split(X, y, test_size="20%")


# ---------------------------------------------------------------- minibatches


def test_minibatches_cover_every_sample_once():
    X = np.arange(23, dtype=np.float64).reshape(23, 1)
    y = np.arange(23)
    batches = list(nl.minibatches(X, y, batch_size=5, rng=0))
    assert [len(xb) for xb, _ in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), y)
    assert not np.array_equal(seen, y)  # shuffled
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], yb)


def test_minibatches_without_shuffle_are_ordered_views():
    X = np.arange(10, dtype=np.float64).reshape(5, 2)
    batches = list(nl.minibatches(X, None, batch_size=2, shuffle=False))
    np.testing.assert_array_equal(np.vstack([xb for xb, _ in batches]), X)
    assert all(yb is None for _, yb in batches)
    assert np.shares_memory(batches[0][0], X)


def test_minibatches_are_seeded():
    X, y = np.zeros((30, 1)), np.arange(30)
    order = lambda r: np.concatenate([yb for _, yb in nl.minibatches(X, y, 7, rng=r)])
    np.testing.assert_array_equal(order(4), order(np.random.default_rng(4)))
    assert not np.array_equal(order(4), order(5))


def test_minibatches_errors():
    X, y = np.zeros((4, 1)), np.arange(4)
    with pytest.raises(
        ValueError, match=r"minibatches: batch_size must be a positive integer, got 0"
    ):
        list(nl.minibatches(X, y, 0))
    with pytest.raises(
        TypeError, match=r"minibatches: batch_size must be a positive integer, got 2.5"
    ):
        list(nl.minibatches(X, y, 2.5))
    with pytest.raises(
        ValueError,
        match=r"minibatches: X and y must have the same number of samples, got 4 and 3",
    ):
        list(nl.minibatches(X, y[:3], 2))


# ---- train_val_test_split ----------------------------------------------------------------------


def test_train_val_test_split_sizes_and_disjoint_cover():
    X = np.arange(100, dtype=np.float64).reshape(50, 2)
    y = np.arange(50) % 3
    X_tr, X_va, X_te, y_tr, y_va, y_te = nl.train_val_test_split(
        X, y, val_size=0.2, test_size=0.3, seed=4
    )
    assert (len(X_tr), len(X_va), len(X_te)) == (25, 10, 15)
    rows = np.concatenate([X_tr[:, 0], X_va[:, 0], X_te[:, 0]])
    assert sorted(rows.tolist()) == X[:, 0].tolist()  # every sample exactly once
    for Xp, yp in ((X_tr, y_tr), (X_va, y_va), (X_te, y_te)):
        np.testing.assert_array_equal(
            yp, (Xp[:, 0] // 2).astype(int) % 3
        )  # rows keep their labels
    assert X_tr.dtype == X.dtype


def test_train_val_test_split_test_part_matches_train_test_split():
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    y = np.arange(40) % 2
    _, _, X_te, _, _, y_te = nl.train_val_test_split(
        X, y, val_size=8, test_size=10, seed=7
    )
    _, X_te2, _, y_te2 = nl.train_test_split(X, y, test_size=10, seed=7)
    np.testing.assert_array_equal(X_te, X_te2)
    np.testing.assert_array_equal(y_te, y_te2)
    assert X_te.dtype == np.float32


def test_train_val_test_split_stratified_keeps_class_shares():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.zeros((100, 1))
    _, _, _, y_tr, y_va, y_te = nl.train_val_test_split(
        X, y, val_size=0.2, test_size=0.2, seed=1, stratify=True
    )
    np.testing.assert_array_equal(np.bincount(y_te), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_va), [12, 6, 2])
    np.testing.assert_array_equal(np.bincount(y_tr), [36, 18, 6])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"val_size": 0.5, "test_size": 0.5}, "leave none for training"),
        ({"val_size": 0.0}, "val_size as a fraction must be in"),
        ({"test_size": 30}, r"test_size must be in \[1, 9\]"),
        ({"val_size": "0.2"}, "val_size must be a float fraction or an int count"),
        ({"seed": -1}, "train_val_test_split: rng must be a non-negative integer"),
        ({"rng": -1}, "train_val_test_split: rng must be a non-negative integer"),
    ],
)
def test_train_val_test_split_rejects_bad_sizes(kwargs, match):
    X, y = np.zeros((10, 2)), np.zeros(10, dtype=int)
    with pytest.raises((ValueError, TypeError), match=match):
        nl.train_val_test_split(X, y, **kwargs)


# --------------------------------------------------------------------------------------------
# kfold_indices (chapter 8: out-of-fold predictions)


@pytest.mark.parametrize("n, k", [(10, 2), (17, 5), (1797, 5), (6, 6)])
def test_kfold_partitions_the_samples(n, k):
    folds = nl.kfold_indices(np.zeros(n), n_splits=k, seed=3)
    assert len(folds) == k
    vals = np.concatenate([v for _, v in folds])
    np.testing.assert_array_equal(np.sort(vals), np.arange(n))  # each sample once
    sizes = [len(v) for _, v in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == n
        assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)


def test_kfold_stratified_keeps_class_shares():
    y = np.repeat(np.arange(4), [30, 11, 52, 7])
    for _, val in nl.kfold_indices(y, n_splits=5, seed=0, stratify=True):
        counts = np.bincount(y[val], minlength=4)
        assert np.all(np.abs(counts - np.bincount(y) / 5) <= 1)


def test_kfold_is_seeded_and_shuffles():
    y = np.zeros(40)
    a = nl.kfold_indices(y, 4, seed=1)
    b = nl.kfold_indices(y, 4, seed=1)
    c = nl.kfold_indices(y, 4, seed=2)
    assert all(np.array_equal(u[1], v[1]) for u, v in zip(a, b))
    assert not all(np.array_equal(u[1], v[1]) for u, v in zip(a, c))
    assert not np.array_equal(a[0][1], np.arange(10))  # not the first 10 rows


def test_kfold_errors():
    with pytest.raises(ValueError, match=r"kfold_indices.*n_splits.*\[2, 5\]"):
        nl.kfold_indices(np.zeros(5), n_splits=6)
    with pytest.raises(ValueError, match="kfold_indices.*n_splits"):
        nl.kfold_indices(np.zeros(5), n_splits=1)
    with pytest.raises(TypeError, match="kfold_indices.*integer"):
        nl.kfold_indices(np.zeros(5), n_splits=2, stratify=True)
    with pytest.raises(TypeError, match="kfold_indices.*numpy array"):
        nl.kfold_indices([0, 1, 2], n_splits=2)


def test_rng_is_the_one_name_and_seed_still_works():
    """rng (a Generator or an int seed) is the name; seed=, its old name, gives the same split."""
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20) % 2
    new = nl.train_test_split(X, y, rng=3)
    old = nl.train_test_split(X, y, seed=3)
    positional = nl.train_test_split(X, y, 0.2, 3)
    for a, b, c in zip(new, old, positional):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    with pytest.raises(TypeError, match="train_test_split: pass rng or seed"):
        nl.train_test_split(X, y, rng=1, seed=1)
    # A Generator works for every splitter, including the two-step train_val_test_split.
    parts = nl.train_val_test_split(X, y, rng=np.random.default_rng(0))
    assert sum(len(p) for p in parts[:3]) == 20
    folds = nl.kfold_indices(y, 4, rng=np.random.default_rng(0))
    assert sorted(np.concatenate([v for _, v in folds]).tolist()) == list(range(20))
    assert (
        nl.kfold_indices(y, 4, seed=5)[0][1].tolist()
        == nl.kfold_indices(y, 4, rng=5)[0][1].tolist()
    )
    acc = lambda t, p: float(np.mean(t == p))
    assert nl.bootstrap_ci(acc, y, y[::-1], n_boot=50, seed=2) == nl.bootstrap_ci(
        acc, y, y[::-1], n_boot=50, rng=2
    )
