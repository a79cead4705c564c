"""Smoke test of the benchmarks (benchmarks/): the quick report runs and has every row.

The benchmarks are run by hand for their numbers (see benchmarks/README.md); this only keeps
the scripts working as nnlib changes. PyTorch is optional: without it its rows say n/a.
"""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnlib as nl

ROOT = Path(__file__).resolve().parent.parent


# Runs run_all.py as if PyTorch were not installed, whether or not it is.
WITHOUT_TORCH = """
import runpy, sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch hidden by the test")
sys.meta_path.insert(0, NoTorch())
sys.argv = ["benchmarks/run_all.py", "--quick"]
runpy.run_path("benchmarks/run_all.py", run_name="__main__")
"""


def _run(*args: str) -> str:
    """Run ``python *args`` from the repository root; its stdout, after checking it succeeded."""
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    "torch_hidden", [False, True], ids=["as installed", "without torch"]
)
def test_run_all_quick_prints_every_workload_and_library(torch_hidden):
    command = (
        ["-c", WITHOUT_TORCH] if torch_hidden else ["benchmarks/run_all.py", "--quick"]
    )
    out = _run(*command)
    for workload in ("1 mnist", "2 digits", "3 interactive"):
        for lib in ("nnlib", "pytorch", "sklearn"):
            assert re.search(rf"^\| {workload} \| {lib} \|", out, re.M), (
                f"no row for {workload}/{lib}:\n{out}"
            )
        # nnlib's row carries a time, an accuracy and a GEMM fraction measured around its runs.
        row = re.search(
            rf"^\| {workload} \| nnlib \| ([0-9.]+) \|.*\| (0\.\d+|1\.0+) \|.*\| (\d+)% \|$",
            out,
            re.M,
        )
        assert row, f"incomplete nnlib row for {workload}:\n{out}"
        assert float(row.group(1)) > 0
    # Workload 1 also times the numpy floor (nnlib's arithmetic without the library), which
    # must reach nnlib's accuracy: it computes the same weights.
    assert re.search(r"^\| 1 mnist \| numpy floor \| [0-9.]+ \|", out, re.M), out
    assert re.search(
        r"nnlib takes [0-9.]+x the time of the numpy floor.*accuracy: yes", out
    )
    assert "around the" in out  # per-run GEMM measurements were taken
    assert (
        out.count("not evaluated (--quick)") == 4
    )  # targets are not judged on tiny sizes
    if torch_hidden:
        assert "torch n/a" in out and re.search(
            r"^\| 1 mnist \| pytorch \| n/a \|", out, re.M
        )


BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def mlp_module():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import _mlp
        import bench_mnist

        yield _mlp, bench_mnist
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.parametrize("momentum", [0.9, 0.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_floor_computes_nnlibs_weights_bit_for_bit(mlp_module, momentum, dtype):
    # The floor is only a fair floor if it does nnlib's arithmetic: the same weights after
    # two epochs whose last batch is short (300 = 4 x 64 + 44), the shuffle drawn alike.
    _mlp, bench_mnist = mlp_module
    X, y, _, _ = bench_mnist.teacher_data(300, 1)
    X = X.astype(dtype)
    spec = _mlp.MLPSpec(
        sizes=(784, 32, 16, 10),
        activation="relu",
        optimizer="sgd",
        lr=0.05,
        momentum=momentum,
        batch_size=64,
        epochs=2,
        dtype=dtype,
    )
    start = _mlp.initial_weights(spec)
    model, opt, loss = _mlp.nnlib_setup(spec, start)
    nl.fit(
        model, loss, opt, X, y, epochs=2, batch_size=64, rng=spec.seed, progress=False
    )
    floor = _mlp.floor_train(spec, start, X, y)
    dense = [layer for layer in model if isinstance(layer, nl.Dense)]
    for layer, (W, b), (W0, _) in zip(dense, floor, start, strict=True):
        assert W.dtype == dtype
        assert not np.array_equal(W, W0)  # it trained
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)


def test_numpy_floor_refuses_what_it_does_not_implement(mlp_module):
    _mlp, _ = mlp_module
    spec = _mlp.MLPSpec(
        sizes=(4, 3, 2),
        activation="tanh",
        optimizer="sgd",
        lr=0.1,
        batch_size=2,
        epochs=1,
    )
    with pytest.raises(ValueError, match="floor_train: ReLU networks with SGD only"):
        _mlp.floor_train(
            spec, _mlp.initial_weights(spec), np.zeros((4, 4)), np.zeros(4)
        )


def test_playground_js_benchmark_quick_report():
    # The live playground's frame benchmark runs in headless Chromium, like tests/test_book.py.
    pytest.importorskip(
        "selenium", reason="pip install selenium (see requirements.txt)"
    )
    out = _run("benchmarks/bench_playground_js.py", "--quick")
    assert re.search(r"Train frame .*: median [0-9.]+ ms", out), out
    for label in ("2-16-16-2, full batch", "6 x 256 units, batch 8"):
        assert re.search(rf"Train for 1 s, {label}: \d+ frames/s", out), out
    assert "one 60 Hz frame" in out and "not evaluated (--quick)" in out
