"""Model files: exact round trips, atomic saves, and hostile files that must be refused.

Teachers load ``.npz`` files that students send them. ``nnlib.load`` must never unpickle, must
reject anything malformed with a ``ModelFileError`` that says what is wrong, and must not run
code or allocate absurd amounts of memory while doing so. The pickle payloads below create a
marker file when unpickled; each test checks the marker is still absent afterwards.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnlib as nl
from nnlib import saving

META = "__nnlib__"


# --------------------------------------------------------------------------------------------
# Helpers


def every_layer_model(dtype: type) -> nl.Sequential:
    """A model using every built-in layer type, including a nested Sequential."""
    rng = np.random.default_rng(0)
    return nl.Sequential(
        nl.Dense(4, 6, rng=rng, dtype=dtype),
        nl.LeakyReLU(0.2),
        nl.Sequential(nl.Dense(6, 5, rng=rng, dtype=dtype), nl.Tanh()),
        nl.Dense(5, 5, rng=rng, dtype=dtype),
        nl.Sigmoid(),
        nl.Identity(),
        nl.ReLU(),
        nl.Dense(5, 3, rng=rng, dtype=dtype),
        nl.Softmax(),
    )


def architecture(model: nl.Layer) -> object:
    """A comparable description: types, configs and parameter shapes/dtypes."""
    if isinstance(model, nl.Sequential):
        return ("Sequential", [architecture(layer) for layer in model.layers])
    shapes = {k: (v.shape, str(v.dtype)) for k, v in model.params.items()}
    return (type(model).__name__, model.get_config(), shapes)


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(array), allow_pickle=True)
    return buf.getvalue()


def write_npz(
    path: Path, entries: dict[str, object], raw: dict[str, bytes] | None = None
) -> Path:
    """Write a hand-made .npz: arrays (object arrays pickled, as numpy would) plus raw members."""
    with zipfile.ZipFile(path, "w") as zf:
        for key, value in entries.items():
            zf.writestr(key + ".npy", npy_bytes(np.asanyarray(value)))
        for name, data in (raw or {}).items():
            zf.writestr(name, data)
    return path


def meta(arch: object, **overrides: object) -> np.ndarray:
    record = {"format": "nnlib-model", "version": 1, "architecture": arch, **overrides}
    return np.array(json.dumps(record))


def dense_arch(n_in: int = 2, n_out: int = 3, dtype: str = "float64") -> dict:
    return {
        "type": "Sequential",
        "layers": [
            {
                "type": "Dense",
                "config": {"in_features": n_in, "out_features": n_out, "dtype": dtype},
            }
        ],
    }


def valid_entries(**changes: object) -> dict[str, object]:
    """The entries of a valid file for ``Sequential(Dense(2, 3))``, with some replaced/removed."""
    entries: dict[str, object] = {
        META: meta(dense_arch()),
        "0.W": np.ones((2, 3)),
        "0.b": np.zeros(3),
    }
    for key, value in changes.items():
        key = key.replace("__", ".") if key != "META" else META
        if value is None:
            entries.pop(key)
        else:
            entries[key] = value
    return entries


class Payload:
    """Unpickling this creates ``path``: proof that code ran."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple:
        return (open, (self.path, "w"))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    path = tmp_path / "PWNED"
    yield path
    assert not path.exists(), "loading the file executed code"


def assert_refused(path: Path, *fragments: str) -> nl.ModelFileError:
    with pytest.raises(nl.ModelFileError) as info:
        nl.load(path)
    message = str(info.value)
    assert message.startswith("load("), message
    for fragment in fragments:
        assert fragment in message, f"{message!r} does not mention {fragment!r}"
    return info.value


# --------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_preserves_architecture_dtype_and_bits(
    tmp_path: Path, dtype: type
) -> None:
    model = every_layer_model(dtype)
    # Values that a lossy format would change: -0.0, a subnormal, the extremes.
    W = model[0].W
    info = np.finfo(dtype)
    W[0, :4] = [-0.0, info.smallest_subnormal, info.max, info.tiny]
    model[0].b[:] = np.random.default_rng(1).normal(size=6).astype(dtype)
    path = nl.save(model, tmp_path / "model")
    assert path == tmp_path / "model.npz" and path.is_file()
    loaded = nl.load(path)

    assert architecture(loaded) == architecture(model)
    assert repr(loaded) == repr(model)
    assert list(loaded.params) == list(model.params)
    for key, value in model.params.items():
        restored = loaded.params[key]
        assert restored.dtype == value.dtype == dtype
        assert restored.tobytes() == value.tobytes(), f"{key} changed bits"
    assert loaded[1].alpha == 0.2
    X = np.random.default_rng(2).normal(size=(5, 4)).astype(dtype)
    model[0].W[0, :4] = 0  # keep the forward pass finite; compare against a fresh copy
    loaded[0].W[0, :4] = 0
    assert np.array_equal(model(X), loaded(X))


def test_round_trip_of_a_registered_custom_layer(tmp_path: Path) -> None:
    @nl.register_layer
    class Scale(nl.Layer):
        def __init__(self, factor: float = 1.0) -> None:
            super().__init__()
            self.factor = factor
            self.params = {"s": np.full(2, factor)}
            self.grads = {"s": np.zeros(2)}

        def forward(self, x: np.ndarray) -> np.ndarray:
            return x * self.params["s"]

        def get_config(self) -> dict:
            return {"factor": self.factor}

    try:
        model = nl.Sequential(nl.Dense(2, 2, rng=0), Scale(3.0))
        model[1].params["s"][:] = [0.5, -2.0]
        loaded = nl.load(nl.save(model, tmp_path / "m.npz"))
        assert isinstance(loaded[1], Scale) and loaded[1].factor == 3.0
        assert loaded[1].params["s"].tolist() == [0.5, -2.0]
    finally:
        saving.LAYER_TYPES.pop("Scale", None)


def test_load_never_allows_pickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_load = np.load

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("allow_pickle"))
        return real_load(*args, **kwargs)

    path = nl.save(every_layer_model(np.float64), tmp_path / "m.npz")
    monkeypatch.setattr(np, "load", spy)
    nl.load(path)
    assert calls == [False]


# --------------------------------------------------------------------------------------------
# Pickle payloads: nothing may execute


def test_payload_really_executes_when_unpickled(tmp_path: Path) -> None:
    # Guards the tests below: if unpickling did not create the marker, they would prove nothing.
    marker = tmp_path / "sanity"
    pickle.loads(pickle.dumps(Payload(marker))).close()
    assert marker.exists()


def test_a_raw_pickle_file_is_refused(tmp_path: Path, marker: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps({"0.W": Payload(marker)}))
    assert_refused(path, "not a valid nnlib model file")


@pytest.mark.parametrize("key", ["0.W", META])
def test_an_object_array_with_a_pickle_payload_is_refused(
    tmp_path: Path, marker: Path, key: str
) -> None:
    payload = np.empty((), dtype=object)
    payload[()] = Payload(marker)
    entries = valid_entries()
    entries[key] = payload
    assert_refused(write_npz(tmp_path / "model.npz", entries), "object array")


def test_a_pickle_disguised_as_an_npy_member_is_refused(
    tmp_path: Path, marker: Path
) -> None:
    entries = valid_entries(**{"0__W": None})
    path = write_npz(
        tmp_path / "model.npz", entries, raw={"0.W.npy": pickle.dumps(Payload(marker))}
    )
    assert_refused(path)


def test_a_single_pickled_npy_file_is_refused(tmp_path: Path, marker: Path) -> None:
    payload = np.empty(1, dtype=object)
    payload[0] = Payload(marker)
    path = tmp_path / "model.npy"
    path.write_bytes(npy_bytes(payload))
    assert_refused(path)


@pytest.mark.parametrize(
    "value",
    [np.array([1.0, 2.0], dtype=object), np.array([{"a": 1}], dtype=object)],
    ids=["floats-as-objects", "dict"],
)
def test_object_arrays_without_payload_are_refused(
    tmp_path: Path, value: np.ndarray
) -> None:
    assert_refused(
        write_npz(tmp_path / "m.npz", valid_entries(**{"0__b": value})), "object array"
    )


# --------------------------------------------------------------------------------------------
# Broken files


@pytest.fixture
def saved(tmp_path: Path) -> bytes:
    return nl.save(every_layer_model(np.float64), tmp_path / "good.npz").read_bytes()


@pytest.mark.parametrize("keep", [0, 1, 10, 100, 0.25, 0.5, 0.9, -22, -1])
def test_truncated_files_are_refused(tmp_path: Path, saved: bytes, keep: float) -> None:
    n = (
        int(len(saved) * keep)
        if isinstance(keep, float)
        else keep % len(saved)
        if keep < 0
        else keep
    )
    path = tmp_path / "cut.npz"
    path.write_bytes(saved[:n])
    assert_refused(path, "cut.npz")


@pytest.mark.parametrize("where", [0.02, 0.1, 0.3, 0.5, 0.7, 0.95])
def test_corrupted_bytes_are_refused(
    tmp_path: Path, saved: bytes, where: float
) -> None:
    data = bytearray(saved)
    i = int(len(data) * where)
    data[i : i + 8] = bytes(b ^ 0xFF for b in data[i : i + 8])
    path = tmp_path / "bad.npz"
    path.write_bytes(bytes(data))
    assert_refused(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello, not a model",
        os.urandom(64) if False else bytes(range(256)),
        b"PK\x03\x04" + b"\x00" * 40,
    ],
    ids=["empty", "text", "binary", "zip-magic-only"],
)
def test_files_that_are_not_models_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    assert_refused(path)


def test_a_plain_npy_array_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "weights.npy"
    np.save(path, np.ones((2, 3)))
    assert_refused(path, "not an .npz model file")


def test_an_npz_of_someone_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, W=np.ones((2, 3)))
    assert_refused(path, "no nnlib architecture record")


BAD_ENTRIES = {
    # wrong keys
    "missing-weight": (valid_entries(**{"0__W": None}), "Dense(2 -> 3)"),
    "extra-array": ({**valid_entries(), "1.W": np.ones((3, 3))}, "do not match"),
    "renamed-key": (
        {**valid_entries(**{"0__W": None}), "0.weight": np.ones((2, 3))},
        "do not match",
    ),
    # wrong shapes
    "transposed-W": (
        valid_entries(**{"0__W": np.ones((3, 2))}),
        "expected float64 (2, 3)",
    ),
    "bias-2d": (valid_entries(**{"0__b": np.zeros((1, 3))}), "expected float64 (3,)"),
    "scalar-W": (valid_entries(**{"0__W": np.float64(1.0)}), "Dense(2 -> 3)"),
    # wrong dtypes
    "float32-for-float64": (
        valid_entries(**{"0__W": np.ones((2, 3), np.float32)}),
        "expected float64 (2, 3)",
    ),
    "int-weights": (
        valid_entries(**{"0__W": np.ones((2, 3), np.int64)}),
        "expected float32 or float64",
    ),
    "complex-weights": (
        valid_entries(**{"0__W": np.ones((2, 3), complex)}),
        "expected float32 or float64",
    ),
    "bytes-weights": (
        valid_entries(**{"0__W": np.array([b"ab"] * 6).reshape(2, 3)}),
        "expected float32 or float64",
    ),
    "structured": (
        valid_entries(**{"0__b": np.zeros(3, dtype=[("a", "f8")])}),
        "expected float32 or float64",
    ),
    # the architecture record
    "meta-missing": (valid_entries(META=None), "no nnlib architecture record"),
    "meta-int": (valid_entries(META=np.array(3)), "not a string"),
    "meta-array-of-strings": (
        valid_entries(META=np.array(["{}", "{}"])),
        "not a string",
    ),
    "meta-bad-json": (
        valid_entries(META=np.array("{not json")),
        "not a valid nnlib model file",
    ),
    "meta-json-list": (
        valid_entries(META=np.array("[1, 2]")),
        "not an nnlib model file",
    ),
    "meta-wrong-format": (
        valid_entries(META=np.array(json.dumps({"format": "keras", "version": 1}))),
        "not an nnlib model file",
    ),
    "meta-wrong-version": (
        valid_entries(META=meta(dense_arch(), version=99)),
        "unsupported format version",
    ),
    "meta-version-true": (
        valid_entries(META=meta(dense_arch(), version=True)),
        "unsupported format version",
    ),
    "unknown-layer": (
        valid_entries(
            META=meta({"type": "os.system", "config": {"command": "rm -rf /"}})
        ),
        "unknown layer type",
    ),
    "layer-not-dict": (
        valid_entries(META=meta(["Dense"])),
        "malformed layer description",
    ),
    "sequential-no-list": (
        valid_entries(META=meta({"type": "Sequential", "layers": "Dense"})),
        "Sequential without a list",
    ),
    "config-nested": (
        valid_entries(
            META=meta(
                {
                    "type": "Sequential",
                    "layers": [
                        {
                            "type": "Dense",
                            "config": {
                                "in_features": {"__class__": "x"},
                                "out_features": 3,
                            },
                        }
                    ],
                }
            )
        ),
        "malformed config",
    ),
    "config-unknown-arg": (
        valid_entries(
            META=meta(
                {
                    "type": "Sequential",
                    "layers": [{"type": "ReLU", "config": {"inplace": True}}],
                }
            )
        ),
        "cannot rebuild ReLU",
    ),
    "config-negative": (
        valid_entries(META=meta(dense_arch(-2, 3))),
        "cannot rebuild Dense",
    ),
    "config-object-dtype": (
        valid_entries(META=meta(dense_arch(dtype="object"))),
        "cannot rebuild Dense",
    ),
    "config-bad-alpha": (
        valid_entries(
            META=meta(
                {
                    "type": "Sequential",
                    "layers": [{"type": "LeakyReLU", "config": {"alpha": "evil"}}],
                }
            )
        ),
        "cannot rebuild LeakyReLU",
    ),
    "config-huge-int": (
        valid_entries(
            META=np.array(
                '{"format": "nnlib-model", "version": 1, "architecture": '
                '{"type": "Dense", "config": {"in_features": 1'
                + "0" * 5000
                + ', "out_features": 1}}}'
            )
        ),
        "not a valid nnlib model file",
    ),
}


@pytest.mark.parametrize(
    "entries, fragment", list(BAD_ENTRIES.values()), ids=list(BAD_ENTRIES)
)
def test_malformed_contents_are_refused(
    tmp_path: Path, entries: dict, fragment: str
) -> None:
    assert_refused(write_npz(tmp_path / "m.npz", entries), fragment)


def test_a_non_npy_member_is_refused(tmp_path: Path) -> None:
    path = write_npz(
        tmp_path / "m.npz", valid_entries(), raw={"run_me.py": b"import os"}
    )
    assert_refused(path, "unexpected entry")


# --------------------------------------------------------------------------------------------
# Huge or deeply nested architectures: refused quickly, without building them


def nested(depth: int) -> dict:
    arch: dict = {"type": "ReLU"}
    for _ in range(depth):
        arch = {"type": "Sequential", "layers": [arch]}
    return arch


HOSTILE = {
    "nested-60": lambda: meta(nested(60)),
    "nested-100000": lambda: np.array(
        '{"format": "nnlib-model", "version": 1, "architecture": '
        + '{"type": "Sequential", "layers": [' * 100_000
        + "]}" * 100_000
        + "}"
    ),
    "json-depth-100000": lambda: np.array("[" * 100_000 + "]" * 100_000),
    "20000-layers": lambda: meta(
        {"type": "Sequential", "layers": [{"type": "ReLU"}] * 20_000}
    ),
    "dense-10^6-squared": lambda: meta(dense_arch(10**6, 10**6)),
    "dense-10^12-squared": lambda: meta(dense_arch(10**12, 10**12)),
    "padded-2e6-chars": lambda: np.array(
        json.dumps(
            {"format": "nnlib-model", "version": 1, "architecture": dense_arch()}
        )
        + " " * 2_000_000
    ),
}


@pytest.mark.parametrize("make_meta", list(HOSTILE.values()), ids=list(HOSTILE))
def test_huge_or_deep_architectures_are_refused_quickly(
    tmp_path: Path, make_meta
) -> None:
    path = write_npz(tmp_path / "m.npz", valid_entries(META=make_meta()))
    start = time.perf_counter()
    assert_refused(path)
    assert time.perf_counter() - start < 10


def test_forged_huge_dense_allocates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The size check must happen before Dense asks numpy for the weight matrix.
    path = write_npz(
        tmp_path / "m.npz", valid_entries(META=meta(dense_arch(50_000, 50_000)))
    )
    sizes = []
    real_zeros = np.zeros
    monkeypatch.setattr(
        np,
        "zeros",
        lambda shape, *a, **k: sizes.append(shape) or real_zeros(shape, *a, **k),
    )
    assert_refused(path, "Dense(50000 -> 50000)", "only 9 parameter values")
    assert all(np.prod(s) < 1000 for s in sizes), sizes


# --------------------------------------------------------------------------------------------
# Saving is atomic


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.parametrize(
    "error",
    [OSError("disk full"), KeyboardInterrupt()],
    ids=["OSError", "KeyboardInterrupt"],
)
def test_failed_save_keeps_the_old_file_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    old_model = every_layer_model(np.float64)
    path = nl.save(old_model, tmp_path / "model.npz")
    before = path.read_bytes()

    def half_write(file: object, *args: object, **kwargs: object) -> None:
        file.write(
            b"PK\x03\x04 half a zip"
        )  # some bytes reach the disk, then the failure
        raise error

    monkeypatch.setattr(np, "savez", half_write)
    new_model = every_layer_model(np.float32)
    with pytest.raises(type(error)):
        nl.save(new_model, path)
    assert path.read_bytes() == before, "the old model was damaged"
    assert listing(tmp_path) == ["model.npz"], "a temporary file was left behind"
    monkeypatch.undo()
    assert architecture(nl.load(path)) == architecture(old_model)


def test_failed_first_save_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        nl.save(every_layer_model(np.float64), tmp_path / "new.npz")
    assert listing(tmp_path) == []


def test_save_replaces_an_existing_file_completely(tmp_path: Path) -> None:
    path = nl.save(every_layer_model(np.float64), tmp_path / "m.npz")
    small = nl.Sequential(nl.Dense(2, 1, rng=0))
    nl.save(small, path)
    assert architecture(nl.load(path)) == architecture(small)
    assert listing(tmp_path) == ["m.npz"]
