"""The loop a teacher relies on: source notebooks pass, student versions fail helpfully,
a pasted solution passes, and hidden tests never reach students."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"
RELEASE = ROOT / "assignments" / "release"
SOURCES = sorted(SOURCE.glob("*/*.ipynb"))


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


release_tool = _load_tool("release_assignments")


def _run(nb: nbformat.NotebookNode, allow_errors: bool = False) -> nbformat.NotebookNode:
    # Each cell runs even after an earlier one failed, as when a student runs all cells.
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _errors(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def test_every_chapter_has_an_assignment():
    assert len(SOURCES) == 8
    for path in SOURCES:
        nb = nbformat.read(path, as_version=4)
        graded = [c for c in nb.cells if _nbgrader(c).get("grade")]
        solutions = [c for c in nb.cells if _nbgrader(c).get("solution")]
        assert len(graded) >= 2 and len(solutions) == len(graded), path.name
        assert all(_nbgrader(c).get("points", 0) > 0 for c in graded)
        ids = [_nbgrader(c)["grade_id"] for c in nb.cells]
        assert len(ids) == len(set(ids)), f"{path.name}: grade ids must be unique"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_source_notebook_passes_its_own_tests(path):
    nb = _run(nbformat.read(path, as_version=4))
    for cell in nb.cells:
        assert not _errors(cell), f"{path.name}: {cell.source[:80]!r} failed"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_student_version_fails_with_helpful_feedback(path):
    student = release_tool.student_version(nbformat.read(path, as_version=4))
    text = nbformat.writes(student)
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    nb = _run(student, allow_errors=True)
    first_solution = next(i for i, c in enumerate(nb.cells) if _nbgrader(c).get("solution"))
    for cell in nb.cells[:first_solution]:
        assert not _errors(cell), "the set-up cells must run cleanly for students"
    for cell in nb.cells:
        if _nbgrader(cell).get("grade"):
            errors = _errors(cell)
            assert errors, f"{_nbgrader(cell)['grade_id']}: an empty exercise must fail its tests"
            message = errors[0]["evalue"]
            assert errors[0]["ename"] in {"CheckFailed", "NameError", "AssertionError"}
            # The feedback says what to do, not just that something is wrong.
            assert "not implemented yet" in message or "is not defined" in message, message


def test_pasting_the_solution_into_the_student_version_passes(tmp_path):
    # One notebook with several kinds of exercise (functions and classes) is enough here:
    # the source notebooks themselves show every solution passes.
    path = SOURCE / "ch05_backprop" / "ch05_backprop.ipynb"
    source = nbformat.read(path, as_version=4)
    student = release_tool.student_version(source)
    solutions = {_nbgrader(c)["grade_id"]: c.source for c in source.cells if _nbgrader(c).get("solution")}
    for cell in student.cells:
        if _nbgrader(cell).get("solution"):
            assert "raise NotImplementedError()" in cell.source
            cell.source = solutions[_nbgrader(cell)["grade_id"]]
    nb = _run(student)
    assert all(not _errors(c) for c in nb.cells)


def test_hidden_tests_are_absent_from_the_released_notebooks():
    hidden_blocks = 0
    for path in SOURCES:
        hidden_blocks += path.read_text().count("### BEGIN HIDDEN TESTS")
        released_text = (RELEASE / path.parent.name / path.name).read_text()
        assert "HIDDEN TESTS" not in released_text
        assert "BEGIN SOLUTION" not in released_text
        released = nbformat.reads(released_text, 4)
        assert all(not c.get("outputs") for c in released.cells if c.cell_type == "code")
    assert hidden_blocks >= 8, "every assignment should keep some tests for grading only"


def test_released_notebooks_are_up_to_date(tmp_path):
    written = release_tool.release(SOURCE, tmp_path)
    assert len(written) == len(SOURCES)
    for path in written:
        committed = RELEASE / path.parent.name / path.name
        assert committed.exists(), f"run `python tools/release_assignments.py`: {committed} is missing"
        assert nbformat.read(path, 4) == nbformat.read(committed, 4), \
            f"{committed} is stale: run `python tools/release_assignments.py`"


def test_strip_solutions_keeps_indentation():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert release_tool.strip_solutions(src) == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    src = "a = 1\n### BEGIN HIDDEN TESTS\nassert secret\n### END HIDDEN TESTS\nb = 2"
    assert release_tool.strip_hidden_tests(src) == "a = 1\nb = 2"


def test_grading_a_submission_restores_hidden_tests_and_counts_points(tmp_path):
    grader = _load_tool("grade_assignment")
    source_path = SOURCE / "ch06_update" / "ch06_update.ipynb"
    source = nbformat.read(source_path, 4)
    student = release_tool.student_version(source)
    # The learner solved only the schedule, and wrongly: it passes the visible checks
    # (halving every 10 epochs) but ignores `every`, which only the hidden tests try.
    for cell in student.cells:
        if _nbgrader(cell).get("grade_id") == "schedule":
            cell.source = ("def step_decay(lr0, epoch, drop=0.5, every=10):\n"
                           "    return lr0 * drop ** (epoch // 10)")
    submitted = tmp_path / "ch06_update.ipynb"
    nbformat.write(student, submitted)
    grades = {g.grade_id: g for g in grader.grade(submitted)}
    assert set(grades) == {"momentum_tests", "adam_tests", "schedule_tests"}
    assert all(g.earned == 0 for g in grades.values())
    assert "not implemented yet" in grades["adam_tests"].feedback
    assert grades["schedule_tests"].feedback.startswith("AssertionError")

    full = grader.grade(source_path)
    assert sum(g.earned for g in full) == sum(g.points for g in full) == 9
