"""Step 8, keeping a model: ``save`` / ``load`` as a plain ``.npz`` file, never pickle.

The file holds one array per parameter (``"0.W"``, ``"0.b"``, ...) and a JSON description of
the architecture. Loading rebuilds the layers only from a fixed table of known classes and
reads arrays with ``allow_pickle=False``, so a model file sent by someone else cannot run code.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import FLOAT_DTYPES
from .fast import FastDense
from .layers import (
    Dense,
    Identity,
    Layer,
    LeakyReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

FORMAT = "nnlib-model"
VERSION = 1
_META_KEY = "__nnlib__"
#: Limits on what ``load`` accepts, so a hand-crafted file cannot make it build millions of
#: layers or recurse without end. Real nnlib models are far below them.
MAX_ARCHITECTURE_CHARS = 1_000_000
MAX_LAYERS = 10_000
MAX_DEPTH = 50

#: Layer classes ``load`` may build. Add your own with ``register_layer``.
#: ``FastDense`` (nnlib/fast.py) is saved under its own name and loads back as a
#: ``FastDense``: a model keeps the speed it was built with. (``FastTanh`` is ``Tanh``.)
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Dense,
        FastDense,
        Identity,
        ReLU,
        LeakyReLU,
        Sigmoid,
        Tanh,
        Softmax,
        Sequential,
    )
}


def register_layer(cls: type[Layer]) -> type[Layer]:
    """Allow ``save``/``load`` to handle a custom layer class (usable as a decorator).

    The class must rebuild itself from ``cls(**layer.get_config())`` and keep its arrays in
    ``params``.
    """
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(f"register_layer: expected a Layer subclass, got {cls!r}")
    LAYER_TYPES[cls.__name__] = cls
    return cls


def _describe(layer: Layer) -> dict[str, Any]:
    name = type(layer).__name__
    if LAYER_TYPES.get(name) is not type(layer):
        raise TypeError(
            f"save: cannot save layer {layer!r}; register its class with nnlib.register_layer"
        )
    if isinstance(layer, Sequential):
        return {"type": name, "layers": [_describe(sub) for sub in layer.layers]}
    return {"type": name, "config": layer.get_config()}


def save(model: Layer, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` (architecture and parameters) to ``path`` (``.npz`` is appended if missing).

    The file is written next to its destination and renamed into place, so an interrupted
    save never leaves a half-written model behind. Returns the path written.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"save: model must be a Layer, got {type(model).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"save: path must be a str or pathlib.Path, got {type(path).__name__}"
        )
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"save: directory {str(path.parent)!r} does not exist; create it first"
        )
    meta = {"format": FORMAT, "version": VERSION, "architecture": _describe(model)}
    arrays = {key: np.ascontiguousarray(value) for key, value in model.params.items()}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates the file readable by its owner only; a model file is meant to be
        # shared (a student's model sent to a teacher), so give it ordinary permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class ModelFileError(ValueError):
    """The file is not a valid nnlib model."""


def _build(
    spec: object, where: str, budget: int, counter: list[int], depth: int = 0
) -> Layer:
    """Rebuild one layer from its description; ``budget`` is how many values the file stores."""
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise ModelFileError(f"{where}: malformed layer description {spec!r:.80}")
    counter[0] += 1
    if counter[0] > MAX_LAYERS or depth > MAX_DEPTH:
        raise ModelFileError(
            f"{where}: the architecture is too large (more than {MAX_LAYERS} layers or nested "
            f"deeper than {MAX_DEPTH} levels); refusing to build it"
        )
    cls = LAYER_TYPES.get(spec["type"])
    if cls is None:
        raise ModelFileError(f"{where}: unknown layer type {spec['type']!r:.40}")
    if cls is Sequential:
        layers = spec.get("layers")
        if not isinstance(layers, list):
            raise ModelFileError(f"{where}: Sequential without a list of layers")
        return Sequential(
            *(_build(sub, where, budget, counter, depth + 1) for sub in layers)
        )
    config = spec.get("config", {})
    if not isinstance(config, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float, str, bool))
        for k, v in config.items()
    ):
        raise ModelFileError(f"{where}: malformed config for {spec['type']}")
    if cls in (Dense, FastDense):
        n_in, n_out = config.get("in_features"), config.get("out_features")
        # Checked before allocating: a forged Dense(10**6 -> 10**6) must not ask for terabytes.
        if isinstance(n_in, int) and isinstance(n_out, int) and n_in * n_out > budget:
            raise ModelFileError(
                f"{where}: the architecture declares Dense({n_in} -> {n_out}) but the file stores "
                f"only {budget} parameter values"
            )
        # Zeros: the real values come from the file; no need to draw random ones.
        config = {**config, "init": "zeros"}
    try:
        return cls(**config)
    except (TypeError, ValueError) as e:
        raise ModelFileError(
            f"{where}: cannot rebuild {spec['type']} from {config}: {e}"
        ) from None


def _read_headers(
    data: np.lib.npyio.NpzFile, where: str
) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
    """Dtype and shape of every array in the file, read from the .npy headers alone.

    Nothing is loaded yet, so an object array, a wrong dtype or an absurd size is rejected
    before any data is read.
    """
    headers = {}
    for member in data.zip.namelist():
        if not member.endswith(".npy"):
            raise ModelFileError(
                f"{where}: unexpected entry {member!r:.60} in the model file"
            )
        with data.zip.open(member) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        if dtype.hasobject:
            raise ModelFileError(
                f"{where}: entry {member!r:.60} is an object array; model files never need pickle"
            )
        headers[member[:-4]] = (dtype, tuple(shape))
    return headers


def load(path: str | os.PathLike[str]) -> Layer:
    """Rebuild a model written by ``save``. Raises ``ModelFileError`` for any invalid file."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"load: path must be a str or pathlib.Path, got {type(path).__name__}"
        )
    where = f"load({str(path)!r})"
    try:
        # The file is opened here, not by np.load: np.load leaves its own handle open when
        # the file is not a valid archive (a ResourceWarning on every truncated file).
        with open(path, "rb") as file:
            data = np.load(file, allow_pickle=False)
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ModelFileError(
                    f"{where}: not an .npz model file (it holds a single array)"
                )
            with data:
                headers = _read_headers(data, where)
                if _META_KEY not in headers:
                    raise ModelFileError(
                        f"{where}: no nnlib architecture record; was it written by nnlib.save?"
                    )
                meta_dtype, meta_shape = headers.pop(_META_KEY)
                if meta_dtype.kind != "U" or meta_shape != ():
                    raise ModelFileError(
                        f"{where}: the architecture record is not a string"
                    )
                if meta_dtype.itemsize // 4 > MAX_ARCHITECTURE_CHARS:
                    raise ModelFileError(
                        f"{where}: the architecture record is too long ({meta_dtype.itemsize // 4} characters, "
                        f"limit {MAX_ARCHITECTURE_CHARS})"
                    )
                for key, (dtype, _) in headers.items():
                    if dtype not in FLOAT_DTYPES:
                        raise ModelFileError(
                            f"{where}: parameter {key!r:.40} has dtype {dtype}, expected float32 or float64"
                        )
                meta = json.loads(str(data[_META_KEY]))
                if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                    raise ModelFileError(f"{where}: not an nnlib model file")
                if type(meta.get("version")) is not int or meta["version"] != VERSION:
                    raise ModelFileError(
                        f"{where}: unsupported format version {meta.get('version')!r:.40}"
                    )
                budget = sum(int(np.prod(shape)) for _, shape in headers.values())
                model = _build(meta.get("architecture"), where, budget, [0])
                expected = model.params
                stored = set(data.files) - {_META_KEY}
                if stored != set(expected):
                    raise ModelFileError(
                        f"{where}: parameters {sorted(stored)} do not match the architecture's {sorted(expected)}"
                    )
                for key, target in expected.items():
                    array = data[key]
                    if (
                        array.dtype not in FLOAT_DTYPES
                        or array.dtype != target.dtype
                        or array.shape != target.shape
                    ):
                        raise ModelFileError(
                            f"{where}: parameter {key} has {array.dtype} {array.shape}, "
                            f"expected {target.dtype} {target.shape}"
                        )
                    target[...] = array
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise
    except (
        OSError,
        ValueError,
        KeyError,
        EOFError,
        zipfile.BadZipFile,
        json.JSONDecodeError,
        RecursionError,
        MemoryError,
    ) as e:
        # ValueError includes numpy's refusal to unpickle an object array.
        raise ModelFileError(
            f"{where}: not a valid nnlib model file ({type(e).__name__}: {e})"
        ) from None
    return model
