"""The PyTorch page (beyond/pytorch.ipynb) without PyTorch, and its stored reference losses.

nbval runs the notebooks of beyond/ as they are, with PyTorch if it is installed (CI installs
torch==2.13.0, see .ci/run). PyTorch stays optional for learners, so these tests run the
page's code as a script in a subprocess, once with torch hidden by an import blocker and once
as installed, next to a copy of its reference file: the page must pass with the committed
file and fail with a stale one. To rewrite the file after changing the page, run the page
with PyTorch installed and NNBOOK_WRITE_TORCH_REFERENCE=1 set.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "beyond" / "pytorch.ipynb"
REFERENCE = ROOT / "beyond" / "pytorch_losses.json"
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None

HIDE_TORCH = """
import sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch hidden by the test")
sys.meta_path.insert(0, NoTorch())
"""


def run_page(
    folder: Path, hide_torch: bool, reference: str
) -> subprocess.CompletedProcess:
    """Run the page's code cells in order, in ``folder`` next to ``reference`` (its JSON)."""
    cells = json.loads(PAGE.read_text())["cells"]
    code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    (folder / "pytorch_losses.json").write_text(reference)
    script = folder / "page.py"
    script.write_text((HIDE_TORCH if hide_torch else "") + code)
    env = {k: v for k, v in os.environ.items() if k != "NNBOOK_WRITE_TORCH_REFERENCE"}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    "hide_torch", [True, False], ids=["without torch", "as installed"]
)
def test_pytorch_page_passes_with_the_committed_reference(tmp_path, hide_torch):
    proc = run_page(tmp_path, hide_torch, REFERENCE.read_text())
    assert proc.returncode == 0, proc.stderr[-3000:]
    if hide_torch or not TORCH_INSTALLED:
        assert "PyTorch is not installed" in proc.stdout
        assert "PyTorch losses from the stored run of PyTorch 2.13.0" in proc.stdout
    else:
        assert "PyTorch losses from a fresh run of PyTorch" in proc.stdout
    assert "all 360 step losses agree" in proc.stdout
    # The page only reads the file unless asked to rewrite it.
    assert (tmp_path / "pytorch_losses.json").read_text() == REFERENCE.read_text()


@pytest.mark.parametrize(
    "hide_torch", [True, False], ids=["without torch", "as installed"]
)
def test_pytorch_page_fails_with_a_stale_reference(tmp_path, hide_torch):
    stale = json.loads(REFERENCE.read_text())
    stale["step_losses"][200] *= 1 + 1e-7  # one step's loss off in the 8th digit
    proc = run_page(tmp_path, hide_torch, json.dumps(stale))
    assert proc.returncode != 0
    assert "AssertionError" in proc.stderr
    if TORCH_INSTALLED and not hide_torch:
        assert (
            "pytorch_losses.json is stale" in proc.stderr
        )  # caught against a fresh run


def test_reference_file_is_the_pinned_torch_run_ci_installs():
    reference = json.loads(REFERENCE.read_text())
    assert reference["torch_version"].split("+")[0] == "2.13.0"
    assert reference["dtype"] == "float64"
    assert (
        len(reference["step_losses"]) == 30 * 12 and len(reference["val_losses"]) == 30
    )
    ci = (ROOT / ".ci" / "run").read_text()
    pin = ci.index("torch==2.13.0")
    assert pin < ci.index("python -m pytest")  # installed before the tests run
