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
from .layers import Dense, Identity, Layer, LeakyReLU, ReLU, Sequential, Sigmoid, Softmax, Tanh

FORMAT = "nnlib-model"
VERSION = 1
_META_KEY = "__nnlib__"

#: Layer classes ``load`` may build. Add your own with ``register_layer``.
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls for cls in (Dense, Identity, ReLU, LeakyReLU, Sigmoid, Tanh, Softmax, Sequential)
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
        raise TypeError(f"save: cannot save layer {layer!r}; register its class with nnlib.register_layer")
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
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {"format": FORMAT, "version": VERSION, "architecture": _describe(model)}
    arrays = {key: np.ascontiguousarray(value) for key, value in model.params.items()}
    arrays[_META_KEY] = np.array(json.dumps(meta))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class ModelFileError(ValueError):
    """The file is not a valid nnlib model."""


def _build(spec: object, where: str) -> Layer:
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        raise ModelFileError(f"{where}: malformed layer description {spec!r:.80}")
    cls = LAYER_TYPES.get(spec["type"])
    if cls is None:
        raise ModelFileError(f"{where}: unknown layer type {spec['type']!r:.40}")
    if cls is Sequential:
        layers = spec.get("layers")
        if not isinstance(layers, list):
            raise ModelFileError(f"{where}: Sequential without a list of layers")
        return Sequential(*(_build(sub, where) for sub in layers))
    config = spec.get("config", {})
    if not isinstance(config, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float, str, bool)) for k, v in config.items()
    ):
        raise ModelFileError(f"{where}: malformed config for {spec['type']}")
    if cls is Dense:
        # Zeros: the real values come from the file; no need to draw random ones.
        config = {**config, "init": "zeros"}
    try:
        return cls(**config)
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"{where}: cannot rebuild {spec['type']} from {config}: {e}") from None


def load(path: str | os.PathLike[str]) -> Layer:
    """Rebuild a model written by ``save``. Raises ``ModelFileError`` for any invalid file."""
    where = f"load({str(path)!r})"
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ModelFileError(f"{where}: not an .npz model file")
            if _META_KEY not in data.files:
                raise ModelFileError(f"{where}: no nnlib architecture record; was it written by nnlib.save?")
            raw = data[_META_KEY]
            if raw.dtype.kind != "U" or raw.ndim != 0:
                raise ModelFileError(f"{where}: the architecture record is not a string")
            meta = json.loads(str(raw))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ModelFileError(f"{where}: not an nnlib model file")
            if meta.get("version") != VERSION:
                raise ModelFileError(f"{where}: unsupported format version {meta.get('version')!r}")
            model = _build(meta.get("architecture"), where)
            expected = model.params
            stored = set(data.files) - {_META_KEY}
            if stored != set(expected):
                raise ModelFileError(
                    f"{where}: parameters {sorted(stored)} do not match the architecture's {sorted(expected)}"
                )
            for key, target in expected.items():
                array = data[key]
                if array.dtype not in FLOAT_DTYPES or array.dtype != target.dtype or array.shape != target.shape:
                    raise ModelFileError(
                        f"{where}: parameter {key} has {array.dtype} {array.shape}, "
                        f"expected {target.dtype} {target.shape}"
                    )
                target[...] = array
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError, RecursionError) as e:
        # ValueError includes numpy's refusal to unpickle an object array.
        raise ModelFileError(f"{where}: not a valid nnlib model file ({type(e).__name__}: {e})") from None
    return model
