"""Tests for nnlib.saving: save/load round-trips exactly, and never needs pickle."""

import zipfile

import numpy as np
import pytest

import nnlib as nl


def every_layer_model(dtype=np.float64):
    return nl.Sequential(
        nl.Dense(3, 8, rng=0, dtype=dtype),
        nl.LeakyReLU(0.2),
        nl.Sequential(
            nl.Dense(8, 6, init="xavier_uniform", rng=1, dtype=dtype), nl.Tanh()
        ),
        nl.Dense(6, 5, rng=2, dtype=dtype),
        nl.Sigmoid(),
        nl.Identity(),
        nl.ReLU(),
        nl.Dense(5, 4, rng=3, dtype=dtype),
        nl.Softmax(),
    )


def assert_same_architecture(a, b):
    assert type(a) is type(b)
    assert a.get_config() == b.get_config()
    if isinstance(a, nl.Sequential):
        assert len(a) == len(b)
        for sa, sb in zip(a, b):
            assert_same_architecture(sa, sb)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_exact(tmp_path, dtype):
    model = every_layer_model(dtype)
    for i, v in enumerate(model.params.values()):
        v += np.asarray(
            0.01 * (i + 1), dtype=dtype
        )  # non-zero biases, non-initial weights
    path = nl.save(model, tmp_path / "model.npz")
    loaded = nl.load(path)
    assert_same_architecture(model, loaded)
    assert list(loaded.params) == list(model.params)
    for key, value in model.params.items():
        got = loaded.params[key]
        assert got.dtype == dtype and got.shape == value.shape
        assert got.tobytes() == value.tobytes(), key  # bit for bit
    X = np.random.default_rng(0).normal(size=(7, 3)).astype(dtype)
    np.testing.assert_array_equal(loaded(X), model(X))
    assert loaded[1].alpha == 0.2


def test_trained_model_predicts_identically_after_reload(tmp_path):
    X, y = nl.datasets.make_moons(200, noise=0.1, seed=0)
    model = nl.Sequential(nl.Dense(2, 16, rng=0), nl.ReLU(), nl.Dense(16, 2, rng=1))
    nl.fit(
        model,
        nl.CrossEntropyLoss(),
        nl.Adam(model.parameters(), lr=0.01),
        X,
        y,
        epochs=5,
        progress=False,
    )
    loaded = nl.load(nl.save(model, tmp_path / "moons"))
    np.testing.assert_array_equal(
        nl.predict_proba(loaded, X), nl.predict_proba(model, X)
    )
    # The loaded model is independent of the original: training one leaves the other alone.
    before = loaded.params["0.W"].copy()
    model.params["0.W"] += 1.0
    np.testing.assert_array_equal(loaded.params["0.W"], before)


def test_npz_suffix_is_added_and_path_returned(tmp_path):
    path = nl.save(nl.Sequential(nl.Dense(2, 2, rng=0)), tmp_path / "net")
    assert path == tmp_path / "net.npz" and path.exists()
    assert isinstance(nl.load(str(path)), nl.Sequential)


def test_file_contains_only_plain_arrays(tmp_path):
    path = nl.save(every_layer_model(), tmp_path / "m.npz")
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())
    with np.load(
        path, allow_pickle=False
    ) as data:  # would raise if anything needed pickle
        assert all(data[k].dtype != object for k in data.files)
    # The write goes through a temporary file that must not be left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_save_overwrites_an_existing_file(tmp_path):
    a, b = nl.Dense(2, 2, rng=0), nl.Dense(2, 2, rng=1)
    path = nl.save(a, tmp_path / "m.npz")
    nl.save(b, path)
    np.testing.assert_array_equal(nl.load(path).W, b.W)


def test_bare_layer_round_trip(tmp_path):
    layer = nl.Dense(4, 3, rng=5, dtype=np.float32)
    loaded = nl.load(nl.save(layer, tmp_path / "dense.npz"))
    assert isinstance(loaded, nl.Dense) and repr(loaded) == "Dense(4 -> 3)"
    assert loaded.W.tobytes() == layer.W.tobytes() and loaded.dtype == np.float32


def test_custom_layer_needs_registration(tmp_path, monkeypatch):
    # A private copy of the table, so the registration does not leak into other tests.
    monkeypatch.setattr(nl.saving, "LAYER_TYPES", dict(nl.saving.LAYER_TYPES))

    class Scale(nl.Layer):
        def __init__(self, size=2):
            super().__init__()
            self.size = size
            self.params = {"s": np.ones(size)}
            self.grads = {"s": np.zeros(size)}

        def forward(self, x):
            return x * self.params["s"]

        def get_config(self):
            return {"size": self.size}

    model = nl.Sequential(nl.Dense(2, 3, rng=0), Scale(3))
    model[1].params["s"][...] = [1.5, -2.0, 0.25]
    with pytest.raises(
        TypeError,
        match=r"save: cannot save layer Scale\(\); register its class with nnlib.register_layer",
    ):
        nl.save(model, tmp_path / "m.npz")
    assert nl.register_layer(Scale) is Scale
    loaded = nl.load(nl.save(model, tmp_path / "m.npz"))
    assert isinstance(loaded[1], Scale) and loaded[1].size == 3
    np.testing.assert_array_equal(loaded[1].params["s"], [1.5, -2.0, 0.25])


def test_register_layer_rejects_non_layers():
    with pytest.raises(
        TypeError, match=r"register_layer: expected a Layer subclass, got <class 'int'>"
    ):
        nl.register_layer(int)


def test_save_and_load_errors(tmp_path):
    with pytest.raises(TypeError, match=r"save: model must be a Layer, got dict"):
        nl.save({"W": np.zeros(2)}, tmp_path / "m.npz")
    with pytest.raises(FileNotFoundError):
        nl.load(tmp_path / "missing.npz")
    plain = tmp_path / "plain.npz"
    np.savez(plain, W=np.zeros((2, 2)))
    with pytest.raises(
        nl.ModelFileError,
        match=r"no nnlib architecture record; was it written by nnlib.save\?",
    ):
        nl.load(plain)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"definitely not a zip file")
    with pytest.raises(nl.ModelFileError, match=r"not a valid nnlib model file"):
        nl.load(garbage)
    assert issubclass(nl.ModelFileError, ValueError)


def test_saved_file_has_ordinary_permissions(tmp_path):
    # The temporary file behind the atomic write is private; the final file must not be.
    import os
    import stat

    umask = os.umask(0o022)
    try:
        path = nl.save(nl.Sequential(nl.Dense(2, 2, rng=0)), tmp_path / "m.npz")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("keep", [10, 30, 100, 0.5])
def test_load_of_a_truncated_file_closes_it(tmp_path, keep):
    # np.load used to keep its handle open when the archive was unreadable (ResourceWarning).
    import gc
    import warnings

    path = tmp_path / "m.npz"
    nl.save(nl.Sequential(nl.Dense(2, 3, rng=0)), path)
    data = path.read_bytes()
    path.write_bytes(data[: int(keep * len(data)) if isinstance(keep, float) else keep])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(nl.ModelFileError, match="not a valid nnlib model file"):
            nl.load(path)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
