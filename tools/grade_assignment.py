"""Grade submitted assignment notebooks offline, with the hidden tests restored.

    python tools/grade_assignment.py submissions/alice/ch05_backprop.ipynb [more.ipynb ...]

Each submission's solution cells (matched by nbgrader ``grade_id``) are put into a copy of the
source notebook, which still holds the hidden tests; the notebook is executed and every graded
test cell that runs without an error earns its points. Prints a table per submission.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"


@dataclass
class CellGrade:
    grade_id: str
    points: float
    earned: float
    feedback: str


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def source_for(submission: nbformat.NotebookNode, name: str, source_dir: Path = SOURCE) -> Path:
    """Find the source notebook of a submission: by file name, else by shared grade ids."""
    by_name = source_dir / Path(name).stem / f"{Path(name).stem}.ipynb"
    if by_name.exists():
        return by_name
    ids = {_nbgrader(c).get("grade_id") for c in submission.cells} - {None}
    for path in sorted(source_dir.glob("*/*.ipynb")):
        source_ids = {_nbgrader(c).get("grade_id") for c in nbformat.read(path, 4).cells}
        if ids and ids <= source_ids:
            return path
    raise FileNotFoundError(f"no source assignment matches {name}")


def merge(source: nbformat.NotebookNode, submission: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The source notebook with the learner's solution cells in place of the reference ones."""
    answers = {_nbgrader(c)["grade_id"]: c.source for c in submission.cells if _nbgrader(c).get("solution")}
    merged = nbformat.from_dict(source)
    for cell in merged.cells:
        meta = _nbgrader(cell)
        if meta.get("solution"):
            # A deleted answer cell counts as not attempted, never as the reference solution.
            cell.source = answers.get(meta["grade_id"], "raise NotImplementedError()")
    return merged


def grade(submission_path: Path, source_dir: Path = SOURCE, timeout: int = 300) -> list[CellGrade]:
    """Execute one submission with the hidden tests and return a grade per test cell."""
    submission = nbformat.read(submission_path, 4)
    source = nbformat.read(source_for(submission, submission_path.name, source_dir), 4)
    nb = merge(source, submission)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    grades = []
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if not meta.get("grade"):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        feedback = f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else "passed"
        grades.append(CellGrade(meta["grade_id"], float(meta.get("points", 0)),
                                0.0 if errors else float(meta.get("points", 0)), feedback))
    return grades


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="print the grades as JSON")
    args = parser.parse_args(argv)
    report = {}
    for path in args.submissions:
        grades = grade(path)
        report[str(path)] = [g.__dict__ for g in grades]
        if not args.json:
            total, possible = sum(g.earned for g in grades), sum(g.points for g in grades)
            print(f"{path}: {total:g} / {possible:g} points")
            for g in grades:
                print(f"  {g.grade_id:<24} {g.earned:g}/{g.points:g}  {g.feedback[:100]}")
    if args.json:
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
