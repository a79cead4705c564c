"""Make the student versions of the graded assignments with nbgrader itself, offline.

    python tools/release_assignments.py            # assignments/source -> assignments/release

Runs ``nbgrader generate_assignment`` (the pinned nbgrader from requirements.txt, in-process,
no Jupyter server, no network) for every assignment in ``assignments/source/`` inside a
temporary course directory, and copies the student notebooks it writes to
``assignments/release/<name>/<name>.ipynb``. nbgrader replaces the code between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` by ``raise NotImplementedError()``, removes
``### BEGIN HIDDEN TESTS`` blocks, clears outputs, and locks the cells: checksums in the
nbgrader metadata, and ``deletable: false`` / ``editable: false`` for JupyterLab. The
temporary gradebook is thrown away with the course directory, so nothing is left in the
repository but the notebooks.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbgrader_course import ROOT, SOURCE, Course  # noqa: E402

RELEASE = ROOT / "assignments" / "release"


def release(source_dir: Path = SOURCE, release_dir: Path = RELEASE) -> list[Path]:
    """Generate every assignment's student version with nbgrader; return the paths written."""
    names = sorted(
        p.name for p in Path(source_dir).iterdir() if list(p.glob("*.ipynb"))
    )
    if not names:
        raise FileNotFoundError(f"no notebooks found in {source_dir}/<assignment>/")
    written = []
    with tempfile.TemporaryDirectory(prefix="nnbook-release-") as tmp:
        course = Course(Path(tmp), source_dir, names)
        for name in names:
            course.generate(name)
            target = Path(release_dir) / name
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            for notebook in sorted((course.root / "release" / name).glob("*.ipynb")):
                shutil.copyfile(notebook, target / notebook.name)
                written.append(target / notebook.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--release", type=Path, default=RELEASE)
    args = parser.parse_args(argv)
    for path in release(args.source, args.release):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
