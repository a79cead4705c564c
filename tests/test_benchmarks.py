"""Smoke test of the benchmarks (benchmarks/): the quick report runs and has every row.

The benchmarks are run by hand for their numbers (see benchmarks/README.md); this only keeps
the scripts working as nnlib changes. PyTorch is optional: without it its rows say n/a.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "torch_hidden", [False, True], ids=["as installed", "without torch"]
)
def test_run_all_quick_prints_every_workload_and_library(torch_hidden):
    command = (
        ["-c", WITHOUT_TORCH] if torch_hidden else ["benchmarks/run_all.py", "--quick"]
    )
    proc = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
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
    assert "around the" in out  # per-run GEMM measurements were taken
    assert (
        out.count("not evaluated (--quick)") == 4
    )  # targets are not judged on tiny sizes
    if torch_hidden:
        assert "torch n/a" in out and re.search(
            r"^\| 1 mnist \| pytorch \| n/a \|", out, re.M
        )
