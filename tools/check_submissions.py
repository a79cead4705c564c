"""Check collected submissions before ``nbgrader autograde``; repair copied answer cells.

    python tools/check_submissions.py ch05_backprop          # in a course directory
    python tools/check_submissions.py ch05_backprop --fix    # ... and repair what can be repaired
    python tools/check_submissions.py path/to/a.ipynb ...    # any notebooks, against the repo's sources

Learners working in JupyterLab can copy a cell (the copy keeps the nbgrader metadata) or
delete one. nbgrader 0.9.6 handles both badly: a copied answer or test cell makes
``nbgrader autograde`` stop the whole run, for every student after that one, with a message
about an "old version of the nbgrader metadata format"; a deleted test cell silently scores 0.
This tool names each such cell per student. With ``--fix`` it repairs a copied cell the way
nbgrader's own DeduplicateIds step means to: the last copy stays the graded cell and the
earlier copies become ordinary cells of the learner (they still run, so the notebook computes
exactly what the learner saw). A deleted test cell cannot be repaired: nbgrader scores it 0
and flags it for manual grading, and the message says so.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"


@dataclass
class Problem:
    path: Path
    grade_id: str
    message: str
    fixable: bool

    def __str__(self) -> str:
        return f"{_short(self.path)}: {self.message}"


def _short(path: Path) -> str:
    path = Path(path).resolve()
    for base in (Path.cwd(), ROOT):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    # Never print a long absolute path: student/assignment/file is what identifies a submission.
    return str(Path(*path.parts[-3:]))


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {}) or {}


def _kind(meta: dict) -> str:
    if meta.get("solution"):
        return "answer cell"
    if meta.get("grade"):
        return "test cell"
    return "locked cell"


def check(submission_path: Path, source_path: Path, fix: bool = False) -> list[Problem]:
    """The problems nbgrader would trip over in one submission; with ``fix``, repair copies in place."""
    try:
        nb = nbformat.read(submission_path, 4)
    except Exception as e:  # noqa: BLE001 - an unreadable file is a problem to report, not a crash
        return [
            Problem(
                submission_path,
                "",
                f"cannot be read as a notebook ({type(e).__name__}: {e})",
                False,
            )
        ]
    source = nbformat.read(source_path, 4)
    problems = []
    positions: dict[str, list[int]] = {}
    for i, cell in enumerate(nb.cells):
        grade_id = _meta(cell).get("grade_id")
        if grade_id:
            positions.setdefault(grade_id, []).append(i)
    for grade_id, where in positions.items():
        if len(where) > 1:
            kind = _kind(_meta(nb.cells[where[-1]]))
            cells = ", ".join(str(i + 1) for i in where[:-1]) + f" and {where[-1] + 1}"
            action = (
                "repaired: the last copy is graded, the earlier ones now run as ordinary cells"
                if fix
                else "run with --fix to grade the last copy"
            )
            problems.append(
                Problem(
                    submission_path,
                    grade_id,
                    f"the {kind} '{grade_id}' appears {len(where)} times (cells {cells}, "
                    f"counting from 1), probably copied in JupyterLab: {action}",
                    True,
                )
            )
            if fix:
                for i in where[:-1]:
                    del nb.cells[i].metadata["nbgrader"]
                    for key in ("deletable", "editable"):
                        nb.cells[i].metadata.pop(key, None)
    for cell in source.cells:
        meta = _meta(cell)
        if (meta.get("grade") or meta.get("solution")) and meta[
            "grade_id"
        ] not in positions:
            points = f" ({meta.get('points', 0):g} points)" if meta.get("grade") else ""
            consequence = (
                "nbgrader scores it 0 and flags it for manual grading"
                if meta.get("grade")
                else "its tests will fail"
            )
            problems.append(
                Problem(
                    submission_path,
                    meta["grade_id"],
                    f"the {_kind(meta)} '{meta['grade_id']}'{points} was deleted: {consequence}",
                    False,
                )
            )
    if fix and any(p.fixable for p in problems):
        nbformat.write(nb, submission_path)
    return problems


def source_notebook(name: str, course: Path | None = None) -> Path:
    """The source of notebook ``name``: the course directory's copy if there is one, else the repo's."""
    for base in ([course / "source"] if course else []) + [SOURCE]:
        matches = sorted(base.glob(f"*/{Path(name).stem}.ipynb"))
        if matches:
            return matches[0]
    raise FileNotFoundError(f"no source notebook named {Path(name).stem}.ipynb")


def check_course(
    assignment: str, course: Path = Path("."), fix: bool = False
) -> list[Problem]:
    """Check every ``submitted/<student>/<assignment>/*.ipynb`` of an nbgrader course directory."""
    problems = []
    for path in sorted((course / "submitted").glob(f"*/{assignment}/*.ipynb")):
        problems += check(path, source_notebook(path.name, course), fix)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "targets",
        nargs="+",
        help="an assignment name (in a course directory) or notebooks",
    )
    parser.add_argument(
        "--fix", action="store_true", help="repair copied cells in place"
    )
    args = parser.parse_args(argv)
    problems, checked = [], 0
    for target in args.targets:
        if target.endswith(".ipynb"):
            problems += check(Path(target), source_notebook(target), args.fix)
            checked += 1
        else:
            found = check_course(target, Path("."), args.fix)
            checked += len(list(Path("submitted").glob(f"*/{target}/*.ipynb")))
            problems += found
    for problem in problems:
        print(problem)
    unfixed = [p for p in problems if p.fixable and not args.fix]
    print(
        f"checked {checked} notebook(s): {len(problems)} problem(s)"
        + (
            f", {len(unfixed)} to repair with --fix before autograding"
            if unfixed
            else ""
        )
    )
    return 1 if unfixed else 0


if __name__ == "__main__":
    sys.exit(main())
