"""Grade a folder of submitted notebooks with nbgrader, without a course directory or database.

    python tools/grade_assignment.py submissions/*/ch05_backprop.ipynb [--json | --csv grades.csv]

For teachers who do not keep an nbgrader course: the learner is the folder a notebook sits
in (``submissions/alice/ch05_backprop.ipynb`` is alice) and the assignment is found from the
file name or, failing that, from the notebook's grade ids. Everything else is nbgrader's own
autograding (the same pinned nbgrader, so the same scores as ``nbgrader autograde``): this tool
builds a temporary course directory from ``assignments/source``, runs
``tools/check_submissions.py --fix`` on the copies (so one learner's copied cell cannot stop
everyone's grading), ``nbgrader generate_assignment`` and ``nbgrader autograde``, reads the
points from the temporary gradebook, and throws the directory away. It prints the points of
every test cell with the first line of its feedback, and every problem found in a submission.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_submissions import _short, check  # noqa: E402
from nbgrader_course import SOURCE, Course, Submission  # noqa: E402


def _grade_ids(nb) -> set[str]:
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}


def assignment_of(path: Path, source_dir: Path = SOURCE) -> str:
    """The assignment a submission belongs to: by file name, else by shared grade ids."""
    if (source_dir / path.stem / f"{path.stem}.ipynb").exists():
        return path.stem
    ids = _grade_ids(nbformat.read(path, 4))
    for source in sorted(source_dir.glob("*/*.ipynb")):
        if ids and ids <= _grade_ids(nbformat.read(source, 4)):
            return source.parent.name
    raise FileNotFoundError(
        f"no assignment in {_short(source_dir)} matches {_short(path)}"
    )


def _student_ids(paths: list[Path]) -> dict[Path, str]:
    """The folder name of each submission; the file stem where folders repeat (a flat export)."""
    folders = [p.resolve().parent.name for p in paths]
    ids = {
        path: folder if folders.count(folder) == 1 else path.stem
        for path, folder in zip(paths, folders)
    }
    if len(set(ids.values())) != len(paths):
        raise ValueError(
            "cannot tell the learners apart: put each notebook in a folder named after its learner"
        )
    return ids


def grade_many(paths: list[Path], source_dir: Path = SOURCE) -> dict[Path, Submission]:
    """Autograde each submission with nbgrader; return its cells' points, feedback and problems."""
    paths = [Path(p) for p in paths]
    results: dict[Path, Submission] = {}
    by_assignment: dict[str, list[Path]] = {}
    for path in paths:
        try:
            by_assignment.setdefault(assignment_of(path, source_dir), []).append(path)
        except Exception as e:  # noqa: BLE001 - one unreadable file must not stop the others
            results[path] = Submission(
                path.resolve().parent.name, "?", problems=[f"not graded: {e}"]
            )
    students = {
        p: s for group in by_assignment.values() for p, s in _student_ids(group).items()
    }
    with tempfile.TemporaryDirectory(prefix="nnbook-grade-") as tmp:
        course = Course(Path(tmp), source_dir, sorted(by_assignment))
        for name, group in sorted(by_assignment.items()):
            course.generate(name)
            problems = {}
            for path in group:
                copy = (
                    course.root / "submitted" / students[path] / name / f"{name}.ipynb"
                )
                copy.parent.mkdir(parents=True)
                shutil.copyfile(path, copy)
                problems[path] = [
                    p.message
                    for p in check(
                        copy, course.root / "source" / name / f"{name}.ipynb", fix=True
                    )
                ]
            course.autograde(name)
            scores = course.scores(name)
            for path in group:
                result = scores.get(students[path], Submission(students[path], name))
                result.problems = problems[path] + result.problems
                results[path] = result
    return {p: results[p] for p in paths}


def grade(path: Path, source_dir: Path = SOURCE) -> Submission:
    """Autograde one submission (see :func:`grade_many`)."""
    return grade_many([path], source_dir)[Path(path)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="+", type=Path)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the grades as JSON")
    output.add_argument(
        "--csv", type=Path, help="write one row per learner and test cell to this file"
    )
    args = parser.parse_args(argv)
    report = grade_many(args.submissions)
    if args.json:
        print(
            json.dumps(
                {
                    _short(p): {
                        "student": s.student,
                        "assignment": s.assignment,
                        "score": s.earned,
                        "max_score": s.points,
                        "cells": [c.__dict__ for c in s.cells],
                        "problems": s.problems,
                    }
                    for p, s in report.items()
                },
                indent=2,
            )
        )
        return 0
    if args.csv:
        with args.csv.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(
                ["student", "assignment", "cell", "points", "max_points", "feedback"]
            )
            for s in report.values():
                for c in s.cells:
                    writer.writerow(
                        [
                            s.student,
                            s.assignment,
                            c.grade_id,
                            c.earned,
                            c.points,
                            c.feedback,
                        ]
                    )
    for path, s in report.items():
        print(f"{s.student} ({_short(path)}): {s.earned:g} / {s.points:g} points")
        for c in s.cells:
            print(f"  {c.grade_id:<24} {c.earned:g}/{c.points:g}  {c.feedback[:160]}")
        for problem in s.problems:
            print(f"  ! {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
