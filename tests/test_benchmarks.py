"""Smoke test of the benchmarks (benchmarks/): the quick report runs and has every row.

The benchmarks are run by hand for their numbers (see benchmarks/README.md); this only keeps
the scripts working as nnlib changes. PyTorch is optional: without it its rows say n/a.
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_run_all_quick_prints_every_workload_and_library():
    proc = subprocess.run([sys.executable, "benchmarks/run_all.py", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for workload in ("1 mnist", "2 digits", "3 interactive"):
        for lib in ("nnlib", "pytorch", "sklearn"):
            assert re.search(rf"^\| {workload} \| {lib} \|", out, re.M), f"no row for {workload}/{lib}:\n{out}"
        # nnlib's row carries a time, an accuracy and a GEMM fraction measured around its runs.
        row = re.search(rf"^\| {workload} \| nnlib \| ([0-9.]+) \|.*\| (0\.\d+|1\.0+) \|.*\| (\d+)% \|$", out, re.M)
        assert row, f"incomplete nnlib row for {workload}:\n{out}"
        assert float(row.group(1)) > 0
    assert "around the" in out  # per-run GEMM measurements were taken
    assert out.count("not evaluated (--quick)") == 4  # targets are not judged on tiny sizes
