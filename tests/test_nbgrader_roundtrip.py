"""The real nbgrader round trip, run exactly as teachers.md tells a teacher to.

Every command block of teachers.md marked ``% test: <name>`` runs here with bash, unchanged,
in a temporary directory: a course directory of its own, all eight assignments generated,
simulated learners collected from a folder (and, for one assignment, from an LMS zip),
checked, autograded by nbgrader (one ``autograde`` call per assignment for all learners),
exported to grades.csv, and graded again by tools/grade_assignment.py, which must agree.

The learners: an untouched notebook (0 points), the reference solutions (full marks), one
plausible wrong answer per assignment (it loses exactly the points of its exercise), and for
chapter 5 a helper function in the learner's own cell (full marks), a deleted test cell
(that cell's points lost) and an answer cell copied in JupyterLab (full marks once
check_submissions repairs it, and no other learner's grading stops).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"
RELEASE = ROOT / "assignments" / "release"
ASSIGNMENTS = sorted(
    p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").exists()
)
ZIP_ASSIGNMENT = "ch08_prediction"  # collected from an LMS export instead of a folder


def _blocks() -> dict[str, str]:
    text = (ROOT / "teachers.md").read_text()
    return dict(re.findall(r"^% test: (\S+)\n```bash\n(.*?)^```", text, re.S | re.M))


BLOCKS = _blocks()

# One plausible mistake per assignment: (answer cell, the learner's code, the test cell it fails).
WRONG = {
    "ch01_data": (
        "standardize",
        """\
def standardize(X_train, X_test):
    # Each set scaled with its own statistics: the test set leaks into its scaling.
    def scale(X):
        std = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(std > 0, std, 1).astype(X.dtype)
    return scale(X_train), scale(X_test)""",
        "standardize_tests",
    ),
    "ch02_init": (
        "he_normal",
        """\
def he_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    rng = np.random.default_rng() if rng is None else rng
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out)).astype(dtype)""",
        "he_normal_tests",
    ),
    "ch03_forward": (
        "forward",
        """\
def forward(x, W1, b1, W2, b2):
    return relu(relu(x @ W1 + b1) @ W2 + b2)""",
        "forward_tests",
    ),
    "ch04_loss": (
        "mse",
        """\
def mse(pred, target):
    return float(np.sum((pred - target) ** 2))  # the 1/n is missing""",
        "mse_tests",
    ),
    "ch05_backprop": (
        "dense_backward",
        """\
def dense_backward(grad_out, x, W):
    return grad_out @ W.T, grad_out.T @ x, grad_out.sum(axis=0)  # dW transposed""",
        "dense_backward_tests",
    ),
    "ch06_update": (
        "momentum",
        """\
class Momentum(nl.Optimizer):
    def __init__(self, params, lr: float, momentum: float = 0.9):
        super().__init__(params, lr)
        self.momentum = momentum
        self.velocity = [None] * len(self.params)

    def step(self):
        for i, p in enumerate(self.params):
            if self.velocity[i] is None:
                self.velocity[i] = p.grad.copy()
            else:
                self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.value += self.lr * self.velocity[i]  # sign error: climbs the loss""",
        "momentum_tests",
    ),
    # Passes the visible test (the loss falls); the hidden test against nl.fit catches it.
    "ch07_training": (
        "train_loop",
        """\
def train(model, loss, optimizer, X, y, epochs, batch_size, seed=0):
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        values = []
        for Xb, yb in nl.minibatches(X, y, batch_size, shuffle=True, rng=rng):
            values.append(loss(model(Xb), yb))
            model.backward(loss.backward())
            optimizer.step()
        history.append(float(np.mean(values)))  # the smaller last batch weighs as much
    return history""",
        "train_loop_tests",
    ),
    "ch08_prediction": (
        "confusion",
        """\
def confusion_matrix(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (y_pred, y_true), 1)  # rows and columns swapped
    return cm""",
        "confusion_tests",
    ),
}


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _points(name: str) -> dict[str, float]:
    nb = nbformat.read(SOURCE / name / f"{name}.ipynb", 4)
    return {
        _meta(c)["grade_id"]: float(_meta(c)["points"])
        for c in nb.cells
        if _meta(c).get("grade")
    }


def _index(nb, grade_id: str) -> int:
    return next(
        i for i, c in enumerate(nb.cells) if _meta(c).get("grade_id") == grade_id
    )


def _learners(name: str) -> dict[str, tuple[nbformat.NotebookNode, float]]:
    """Simulated submissions of one assignment, each with the score it must get."""
    source = nbformat.read(SOURCE / name / f"{name}.ipynb", 4)
    answers = {
        _meta(c)["grade_id"]: c.source for c in source.cells if _meta(c).get("solution")
    }
    released = RELEASE / name / f"{name}.ipynb"
    points = _points(name)
    full = sum(points.values())

    def solved():
        nb = nbformat.read(released, 4)
        for cell in nb.cells:
            if _meta(cell).get("solution"):
                cell.source = answers[_meta(cell)["grade_id"]]
        return nb

    learners = {
        "untouched": (nbformat.read(released, 4), 0.0),
        "reference": (solved(), full),
    }
    answer_id, code, failing = WRONG[name]
    wrong = solved()
    wrong.cells[_index(wrong, answer_id)].source = code
    learners["wrong"] = (wrong, full - points[failing])
    if name == "ch05_backprop":
        helper = solved()
        i = _index(helper, "relu_backward")
        helper.cells.insert(
            i, nbformat.v4.new_code_cell("def positive(x):\n    return x > 0")
        )
        helper.cells[
            i + 1
        ].source = "def relu_backward(grad_out, x):\n    return grad_out * positive(x)"
        learners["helper"] = (helper, full)
        deleted = solved()
        del deleted.cells[_index(deleted, "dense_backward_tests")]
        learners["deleted"] = (deleted, full - points["dense_backward_tests"])
        # Copied in JupyterLab (the copy gets a new cell id, keeps the nbgrader metadata);
        # the learner then wrote the answer in the copy and left the stub above it.
        copied = nbformat.read(released, 4)
        for cell in copied.cells:
            if _meta(cell).get("solution"):
                cell.source = answers[_meta(cell)["grade_id"]]
        i = _index(copied, "dense_backward")
        copy = nbformat.from_dict(copied.cells[i])
        copy["id"] = "c0p1ed00"
        copied.cells[i].source = nbformat.read(released, 4).cells[i].source
        copied.cells.insert(i + 1, copy)
        learners["copied"] = (copied, full)
    return learners


def _bash(block: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=cwd,
        text=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "NNBOOK": str(ROOT), **env},
    )
    assert result.returncode == 0, (
        f"teachers.md block failed:\n{block}\n{result.stdout}\n{result.stderr[-3000:]}"
    )
    return result


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("teacher")
    # One folder per learner with all their notebooks, as a teacher's downloads look.
    inbox, expected = tmp / "inbox", {}
    for name in ASSIGNMENTS:
        for student, (nb, score) in _learners(name).items():
            path = inbox / student / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)
            expected[student, name] = score
    # grade_assignment.py needs no course directory: it grades the same inboxes in a thread
    # of its own while the nbgrader commands run (the machine has two cores).
    with ThreadPoolExecutor(1) as pool:
        tool_run = pool.submit(_bash, BLOCKS["grade-folder"], tmp, INBOX=str(inbox))
        _bash(BLOCKS["course"], tmp)
        course = tmp / "nnbook-course"
        checks = {}
        for name in ASSIGNMENTS:
            env = {"A": name, "INBOX": str(inbox)}
            if name == ZIP_ASSIGNMENT:
                export = tmp / f"{name}-export.zip"
                with zipfile.ZipFile(export, "w") as z:
                    for k, path in enumerate(sorted(inbox.glob(f"*/{name}.ipynb"))):
                        z.write(
                            path,
                            f"{path.parent.name}_{1000 + k}_{2000 + k}_{name}.ipynb",
                        )
                _bash(BLOCKS["collect-zip"], course, EXPORT=str(export), **env)
            else:
                _bash(BLOCKS["collect-folder"], course, **env)
            checks[name] = _bash(BLOCKS["grade"], course, **env).stdout
        _bash(BLOCKS["scores"], course, A="ch05_backprop")
        tool_run.result()
    with (course / "grades.csv").open() as f:
        # nbgrader export lists every learner for every assignment, with 0 where there is no
        # submission; only the submissions are compared (each one is checked to be autograded).
        nbgrader_scores = {
            (r["student_id"], r["assignment"]): float(r["score"])
            for r in csv.DictReader(f)
            if (course / "autograded" / r["student_id"] / r["assignment"]).exists()
        }
    tool_scores, tool_rows = {}, {}
    with (tmp / "grades-folder.csv").open() as f:
        for row in csv.DictReader(f):
            key = (row["student"], row["assignment"])
            tool_scores[key] = tool_scores.get(key, 0.0) + float(row["points"])
            tool_rows[key + (row["cell"],)] = row
    return {
        "tmp": tmp,
        "course": course,
        "expected": expected,
        "checks": checks,
        "nbgrader": nbgrader_scores,
        "tool": tool_scores,
        "rows": tool_rows,
    }


def test_teachers_guide_has_every_block_the_round_trip_runs():
    assert set(BLOCKS) == {
        "course",
        "collect-folder",
        "collect-zip",
        "grade",
        "scores",
        "grade-folder",
    }


def test_the_course_directory_generates_exactly_the_committed_student_versions(
    roundtrip,
):
    for name in ASSIGNMENTS:
        generated = roundtrip["course"] / "release" / name / f"{name}.ipynb"
        assert (
            generated.read_bytes() == (RELEASE / name / f"{name}.ipynb").read_bytes()
        ), name


def test_nbgrader_gives_every_simulated_learner_the_expected_score(roundtrip):
    # Every learner of every assignment is graded: a copied cell stopped nobody's grading.
    assert set(roundtrip["nbgrader"]) == set(roundtrip["expected"])
    wrong = {
        k: v for k, v in roundtrip["nbgrader"].items() if v != roundtrip["expected"][k]
    }
    assert not wrong, {k: (v, roundtrip["expected"][k]) for k, v in wrong.items()}


def test_grade_assignment_agrees_with_nbgrader_on_every_learner(roundtrip):
    assert roundtrip["tool"] == roundtrip["nbgrader"]


def test_copied_and_deleted_cells_are_named_before_grading(roundtrip):
    out = roundtrip["checks"]["ch05_backprop"]
    assert re.search(
        r"submitted/copied/ch05_backprop/ch05_backprop\.ipynb: the answer cell 'dense_backward' "
        r"appears 2 times \(cells \d+ and \d+, counting from 1\), probably copied in JupyterLab: "
        r"repaired",
        out,
    ), out
    assert (
        "submitted/deleted/ch05_backprop/ch05_backprop.ipynb: the test cell 'dense_backward_tests' "
        "(3 points) was deleted: nbgrader scores it 0 and flags it for manual grading"
    ) in out, out
    assert "checked 6 notebook(s): 2 problem(s)" in out
    for name in ASSIGNMENTS:
        if name != "ch05_backprop":
            assert "0 problem(s)" in roundtrip["checks"][name], roundtrip["checks"][
                name
            ]


def test_feedback_is_actionable_and_free_of_paths(roundtrip):
    rows = roundtrip["rows"]
    dw = rows["wrong", "ch05_backprop", "dense_backward_tests"]["feedback"]
    assert "the second of 3 return values, dW" in dw and "transposed" in dw, dw
    assert (
        "not implemented yet"
        in rows["untouched", "ch05_backprop", "relu_backward_tests"]["feedback"]
    )
    assert rows["deleted", "ch05_backprop", "dense_backward_tests"]["points"] == "0.0"
    mse = rows["wrong", "ch04_loss", "mse_tests"]["feedback"]
    assert (
        mse.startswith("AssertionError: mse for shape (4, 1) is")
        and "the value is 4 times the expected value, "
        "and 4 is the number of elements: did you forget to divide by it?"
        in mse
    ), mse
    epochs = rows["wrong", "ch07_training", "train_loop_tests"]["feedback"]
    assert epochs.startswith(
        "CheckFailed: train (the mean loss of each epoch, weighted by batch size) "
        "compared with nl.fit: element [0] is"
    ), epochs
    course = roundtrip["course"]
    pages = sorted((course / "feedback").glob("*/ch05_backprop/ch05_backprop.html"))
    assert len(pages) == 6
    graded = sorted((course / "autograded").glob("*/*/*.ipynb"))
    assert len(graded) == len(roundtrip["expected"])
    for path in pages + graded:
        text = path.read_text()
        assert str(ROOT) not in text and "site-packages" not in text, path
        assert "nnlib/check.py" not in text, path


def test_no_gradebook_is_left_in_the_repository(roundtrip):
    left = [
        p
        for d in (ROOT, ROOT / "tools", ROOT / "tests")
        for p in d.glob("gradebook.db")
    ]
    assert not left + list((ROOT / "assignments").rglob("gradebook.db"))
    assert (roundtrip["course"] / "gradebook.db").exists()
