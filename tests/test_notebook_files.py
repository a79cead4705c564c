"""The book's notebooks as files: stored without outputs, code that fits the page, links that resolve.

Every notebook of the book (chapters, solutions, the pages beyond the library) is checked:
- no outputs or execution counts are committed (every build and nbval run executes afresh);
- every code line fits the online book's code column (88 characters: wider lines scroll
  sideways at the default width); the graded assignments are held to the same width, both
  their sources (``assignments/source``) and the student versions nbgrader generates from
  them (``assignments/release``);
- each chapter has a solutions page and each solutions page a chapter, and every exercise label
  ``(chNN-exK)=`` has a matching ``(chNN-solK)=`` and the other way round, so the one-click links
  between an exercise and its solution cannot point at nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK_FOLDERS = ("chapters", "solutions", "beyond")
NOTEBOOKS = sorted(
    p for folder in BOOK_FOLDERS for p in (ROOT / folder).glob("*.ipynb")
)
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
#: The graded assignments, ``assignments/<source|release>/<name>/<name>.ipynb``.
ASSIGNMENT_FOLDERS = ("source", "release")
ASSIGNMENTS = sorted(
    p
    for folder in ASSIGNMENT_FOLDERS
    for p in (ROOT / "assignments" / folder).glob("*/*.ipynb")
)
#: The widest code line the book's column shows without a sideways scroll bar.
MAX_CODE_LINE = 88


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


def _markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_there_are_notebooks() -> None:
    assert len(CHAPTERS) == 8, [p.name for p in CHAPTERS]
    for folder in ASSIGNMENT_FOLDERS:
        found = [p for p in ASSIGNMENTS if p.parts[-3] == folder]
        assert len(found) == 8, (folder, [p.name for p in found])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs; clear them before committing"
    )


@pytest.mark.parametrize(
    "path", NOTEBOOKS + ASSIGNMENTS, ids=_ids(NOTEBOOKS + ASSIGNMENTS)
)
def test_code_fits_the_page_column(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    wide = [
        (i, line)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for line in c.source.splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not wide, (
        f"{path.relative_to(ROOT)}: {len(wide)} code lines are wider than "
        f"{MAX_CODE_LINE} characters, e.g. "
        f"cell {wide[0][0]}: {wide[0][1]!r}"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=_ids(CHAPTERS))
def test_every_exercise_links_to_a_solution_and_back(chapter: Path) -> None:
    solutions = ROOT / "solutions" / chapter.name
    assert solutions.is_file(), (
        f"{chapter.name} has no solutions page {solutions.relative_to(ROOT)}"
    )
    number = chapter.name[:2]
    exercises = set(re.findall(rf"^\(ch{number}-ex(\d+)\)=", _markdown(chapter), re.M))
    answers = set(re.findall(rf"^\(ch{number}-sol(\d+)\)=", _markdown(solutions), re.M))
    assert exercises, f"{chapter.name}: no exercise labels (ch{number}-exK)= found"
    assert exercises == answers, (
        f"{chapter.name}: exercises {sorted(exercises - answers)} have no solution, "
        f"solutions {sorted(answers - exercises)} have no exercise"
    )
    chapter_md, solutions_md = _markdown(chapter), _markdown(solutions)
    for k in sorted(exercises):
        assert (
            f"(ch{number}-sol{k})" in chapter_md or f"<ch{number}-sol{k}>" in chapter_md
        ), f"{chapter.name}: exercise {k} does not link to its solution"
        assert (
            f"(ch{number}-ex{k})" in solutions_md
            or f"<ch{number}-ex{k}>" in solutions_md
        ), f"{solutions.name}: solution {k} does not link back"
