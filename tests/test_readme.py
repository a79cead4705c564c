"""The README's examples are code a learner copies first: they must run and be right."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import nnlib as nl

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.fixture
def readme_namespace(tmp_path, monkeypatch):
    """Run every python block of the README in one namespace, in a scratch directory."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in _python_blocks():
        # The usage example trains with a progress bar; keep test output quiet.
        exec(
            compile(
                block.replace(
                    "validation_data=(X_val, y_val))",
                    "validation_data=(X_val, y_val), progress=False)",
                ),
                str(README),
                "exec",
            ),
            namespace,
        )
    return namespace


def test_readme_has_the_examples():
    blocks = _python_blocks()
    assert len(blocks) >= 3
    assert any("class ELU" in b for b in blocks)
    assert any("class SignSGD" in b for b in blocks)


def test_usage_example_trains_and_saves(readme_namespace, tmp_path):
    ns = readme_namespace
    assert nl.accuracy(ns["y_test"], nl.predict(ns["model"], ns["X_test"])) >= 0.97
    reloaded = nl.load(tmp_path / "moons.npz")
    np.testing.assert_array_equal(reloaded(ns["X_test"]), ns["model"](ns["X_test"]))


def test_readme_elu_passes_gradcheck(readme_namespace):
    ELU = readme_namespace["ELU"]
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(3, 5, rng=0), ELU(alpha=0.7), nl.Dense(5, 2, rng=1))
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=6)
    assert nl.gradcheck(model, nl.CrossEntropyLoss(), X, y) < 1e-6


def test_readme_signsgd_steps_by_sign(readme_namespace):
    SignSGD = readme_namespace["SignSGD"]
    layer = nl.Dense(2, 2, init="zeros")
    layer.grads["W"][...] = [[0.5, -2.0], [0.0, 3.0]]
    SignSGD(layer.parameters(), lr=0.1).step()
    np.testing.assert_allclose(layer.W, [[-0.1, 0.1], [0.0, -0.1]])
    layer.W[...] = 0.0  # the same update on all parameters at once
    SignSGD(layer.parameters(), lr=0.1, fused=True).step()
    np.testing.assert_allclose(layer.W, [[-0.1, 0.1], [0.0, -0.1]])
