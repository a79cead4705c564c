"""A throwaway nbgrader course directory, driven in-process: used by the assignment tools.

nbgrader does the work (student versions, checksums, cell locks, autograding); this module
only sets up a temporary course directory with the project's ``tools/nbgrader_config.py``,
runs nbgrader's own apps in it, and reads the scores back from its gradebook.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"
CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


class NbgraderError(RuntimeError):
    """nbgrader reported a failure; the message holds the end of its log."""


@dataclass
class CellScore:
    grade_id: str
    points: float
    earned: float
    feedback: str = "passed"


@dataclass
class Submission:
    student: str
    assignment: str
    cells: list[CellScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def earned(self) -> float:
        return sum(c.earned for c in self.cells)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.cells)


class Course:
    """An nbgrader course directory at ``root`` holding copies of ``source`` assignments."""

    def __init__(
        self, root: Path, source: Path = SOURCE, assignments: list[str] | None = None
    ):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        self.root = Path(root)
        names = assignments or sorted(
            p.name for p in Path(source).iterdir() if list(p.glob("*.ipynb"))
        )
        for name in names:
            shutil.copytree(
                Path(source) / name, self.root / "source" / name, dirs_exist_ok=True
            )
        shutil.copy(CONFIG, self.root / "nbgrader_config.py")
        config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
        config.merge(Config({"CourseDirectory": {"root": str(self.root)}}))
        self.coursedir = CourseDirectory(config=config)
        self.api = NbGraderAPI(coursedir=self.coursedir, config=config)
        self.assignments = names

    def _run(self, what: str, result: dict) -> None:
        if not result.get("success"):
            log = (result.get("log") or "") + (result.get("error") or "")
            raise NbgraderError(
                f"nbgrader {what} failed:\n" + "\n".join(log.splitlines()[-15:])
            )

    def generate(self, name: str) -> Path:
        """``nbgrader generate_assignment name``; returns the student notebook's path."""
        self._run(
            f"generate_assignment {name}",
            self.api.generate_assignment(name, force=True, create=True),
        )
        return self.root / "release" / name / f"{name}.ipynb"

    def autograde(self, name: str, student: str = "*") -> None:
        """``nbgrader autograde name`` for one student or, with ``"*"``, all of them."""
        self._run(
            f"autograde {name}",
            self.api.autograde(name, student, force=True, create=True),
        )

    def scores(self, name: str) -> dict[str, Submission]:
        """Points per student and graded cell from the gradebook, with the first line of each failure."""
        import nbformat
        from nbgrader.api import Gradebook

        order = [
            c.metadata.get("nbgrader", {}).get("grade_id")
            for path in sorted((self.root / "source" / name).glob("*.ipynb"))
            for c in nbformat.read(path, 4).cells
        ]
        out: dict[str, Submission] = {}
        with Gradebook(self.coursedir.db_url) as gb:
            for sub in gb.assignment_submissions(name):
                result = Submission(sub.student_id, name)
                for notebook in sub.notebooks:
                    graded = (
                        self.root
                        / "autograded"
                        / sub.student_id
                        / name
                        / f"{notebook.name}.ipynb"
                    )
                    feedback = (
                        _feedback(nbformat.read(graded, 4)) if graded.exists() else {}
                    )
                    for grade in notebook.grades:
                        # A grade cell the student deleted has no score: nbgrader counts 0
                        # and flags it for manual grading.
                        earned = float(grade.score or 0)
                        text = feedback.get(
                            grade.cell.name, "test cell deleted from the submission"
                        )
                        result.cells.append(
                            CellScore(
                                grade.cell.name,
                                float(grade.max_score),
                                earned,
                                text if earned < grade.max_score else "passed",
                            )
                        )
                result.cells.sort(key=lambda c: order.index(c.grade_id))
                out[sub.student_id] = result
        return out


def _feedback(nb) -> dict[str, str]:
    """grade_id -> ``"CheckFailed: ..."``, the first line of the error each graded cell raised."""
    found = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if errors:
                lines = [
                    line.strip()
                    for line in errors[0]["evalue"].splitlines()
                    if line.strip()
                ]
                found[meta["grade_id"]] = (
                    f"{errors[0]['ename']}: {lines[0]}" if lines else errors[0]["ename"]
                )
    return found
