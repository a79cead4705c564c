"""The loop a teacher relies on: source notebooks pass, the committed student versions are
nbgrader's own output (locked, with checksums) and fail helpfully, a pasted solution passes,
hidden tests never reach students, and submissions with copied or deleted cells are named.

The full nbgrader round trip (generate, collect, autograde simulated learners) is in
tests/test_nbgrader_roundtrip.py."""

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
check_tool = _load_tool("check_submissions")


def _released(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(RELEASE / path.parent.name / path.name, as_version=4)


def _run(
    nb: nbformat.NotebookNode, allow_errors: bool = False
) -> nbformat.NotebookNode:
    # Each cell runs even after an earlier one failed, as when a student runs all cells.
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(ROOT)}},
    ).execute()
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
    student = _released(path)
    nb = _run(student, allow_errors=True)
    first_solution = next(
        i for i, c in enumerate(nb.cells) if _nbgrader(c).get("solution")
    )
    for cell in nb.cells[:first_solution]:
        assert not _errors(cell), "the set-up cells must run cleanly for students"
    for cell in nb.cells:
        if _nbgrader(cell).get("grade"):
            errors = _errors(cell)
            assert errors, (
                f"{_nbgrader(cell)['grade_id']}: an empty exercise must fail its tests"
            )
            message = errors[0]["evalue"]
            assert errors[0]["ename"] in {"CheckFailed", "NameError", "AssertionError"}
            # The feedback says what to do, not just that something is wrong.
            assert "not implemented yet" in message or "is not defined" in message, (
                message
            )
            # ... and shows no traceback through the teacher's files.
            assert str(ROOT) not in "".join(errors[0]["traceback"])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_student_versions_are_locked_by_nbgrader(path):
    student = _released(path)
    for cell in student.cells:
        meta = _nbgrader(cell)
        # nbgrader's checksum lets `nbgrader validate` and `autograde` spot edited cells.
        assert meta.get("checksum") and meta.get("cell_type") == cell.cell_type, meta
        assert cell.metadata.get("deletable") is False, (
            f"{meta['grade_id']} can be deleted in JupyterLab"
        )
        if meta.get("locked") or meta.get("grade"):
            assert cell.metadata.get("editable") is False, (
                f"{meta['grade_id']} can be edited in JupyterLab"
            )
        if meta.get("solution"):
            assert cell.metadata.get("editable", True) is True
            assert cell.source.rstrip().endswith("raise NotImplementedError()")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.parent.name)
def test_first_cell_says_how_to_check_your_work_alone(path):
    intro = _released(path).cells[0]
    assert intro.cell_type == "markdown"
    assert "Restart Kernel and Run All Cells" in intro.source
    assert f"nbgrader validate {path.name}" in intro.source


def test_pasting_the_solution_into_the_student_version_passes():
    # One notebook with several kinds of exercise (functions and classes) is enough here:
    # the source notebooks themselves show every solution passes.
    path = SOURCE / "ch05_backprop" / "ch05_backprop.ipynb"
    source = nbformat.read(path, as_version=4)
    student = _released(path)
    solutions = {
        _nbgrader(c)["grade_id"]: c.source
        for c in source.cells
        if _nbgrader(c).get("solution")
    }
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
        assert all(
            not c.get("outputs") for c in released.cells if c.cell_type == "code"
        )
    assert hidden_blocks >= 8, (
        "every assignment should keep some tests for grading only"
    )


def test_released_notebooks_are_what_nbgrader_generates(tmp_path):
    # tools/release_assignments.py runs nbgrader generate_assignment; byte for byte, so the
    # checksums and locks in the committed notebooks are nbgrader's.
    written = release_tool.release(SOURCE, tmp_path)
    assert len(written) == len(SOURCES)
    for path in written:
        committed = RELEASE / path.parent.name / path.name
        assert committed.exists(), (
            f"run `python tools/release_assignments.py`: {committed} is missing"
        )
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed} is stale: run `python tools/release_assignments.py`"
        )
    left = [
        p
        for d in (ROOT, ROOT / "tools", ROOT / "tests")
        for p in d.glob("gradebook.db")
    ]
    left += list((ROOT / "assignments").rglob("gradebook.db"))
    assert not left, "nbgrader's gradebook must stay out of the repository"


def _with_solutions(path: Path) -> nbformat.NotebookNode:
    source = nbformat.read(path, 4)
    solutions = {
        _nbgrader(c)["grade_id"]: c.source
        for c in source.cells
        if _nbgrader(c).get("solution")
    }
    student = _released(path)
    for cell in student.cells:
        if _nbgrader(cell).get("solution"):
            cell.source = solutions[_nbgrader(cell)["grade_id"]]
    return student


def test_check_submissions_names_copied_and_deleted_cells_and_repairs_copies(tmp_path):
    path = SOURCE / "ch05_backprop" / "ch05_backprop.ipynb"
    nb = _with_solutions(path)
    i = next(
        k
        for k, c in enumerate(nb.cells)
        if _nbgrader(c).get("grade_id") == "dense_backward"
    )
    copy = nbformat.from_dict(nb.cells[i])
    copy["id"] = "copied01"
    nb.cells.insert(i + 1, copy)
    nb.cells = [
        c for c in nb.cells if _nbgrader(c).get("grade_id") != "elu_layer_tests"
    ]
    submitted = tmp_path / "ch05_backprop.ipynb"
    nbformat.write(nb, submitted)

    problems = check_tool.check(submitted, path)
    messages = [p.message for p in problems]
    assert messages == [
        f"the answer cell 'dense_backward' appears 2 times (cells {i + 1} and {i + 2}, counting from 1), "
        "probably copied in JupyterLab: run with --fix to grade the last copy",
        "the test cell 'elu_layer_tests' (3 points) was deleted: nbgrader scores it 0 and flags it for "
        "manual grading",
    ]
    assert [p.fixable for p in problems] == [True, False]
    assert nbformat.read(submitted, 4) == nb, (
        "without --fix the submission is left alone"
    )

    check_tool.check(submitted, path, fix=True)
    fixed = nbformat.read(submitted, 4)
    assert [c.source for c in fixed.cells] == [c.source for c in nb.cells], (
        "no cell is lost"
    )
    assert (
        "nbgrader" not in fixed.cells[i].metadata
        and _nbgrader(fixed.cells[i + 1])["grade_id"] == "dense_backward"
    )
    assert [p.message for p in check_tool.check(submitted, path)] == messages[1:]
    assert check_tool.main([str(submitted)]) == 0


def test_check_submissions_accepts_a_clean_submission_with_a_helper_cell(tmp_path):
    path = SOURCE / "ch06_update" / "ch06_update.ipynb"
    nb = _with_solutions(path)
    nb.cells.insert(3, nbformat.v4.new_code_cell("def helper():\n    return 1"))
    submitted = tmp_path / "ch06_update.ipynb"
    nbformat.write(nb, submitted)
    assert check_tool.check(submitted, path) == []
