"""Make the student versions of the graded assignments, the way nbgrader does, offline.

    python tools/release_assignments.py            # assignments/source -> assignments/release

For every notebook in ``assignments/source/<name>/``, code between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` becomes ``raise NotImplementedError()``, blocks between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are removed, outputs are cleared, and the
notebook is written to ``assignments/release/<name>/``. The cells keep their nbgrader metadata,
so a teacher can also collect and autograde them with nbgrader itself.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"
RELEASE = ROOT / "assignments" / "release"

_SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)", re.S | re.M)
_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n.*?^[ \t]*### END HIDDEN TESTS[^\n]*(\n|$)", re.S | re.M)
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def strip_solutions(source: str) -> str:
    """Replace each solution region by an indented ``raise NotImplementedError()`` stub."""
    def stub(match: re.Match[str]) -> str:
        indent = match.group(1)
        return "".join(f"{indent}{line}\n" for line in STUB.splitlines())
    return _SOLUTION.sub(stub, source).rstrip("\n")


def strip_hidden_tests(source: str) -> str:
    """Remove every hidden-test region."""
    return _HIDDEN.sub("", source).rstrip("\n")


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of a source notebook as students receive it."""
    nb = nbformat.from_dict(nb)  # a deep copy: the source stays as it was
    for cell in nb.cells:
        if "BEGIN SOLUTION" in cell.source or "BEGIN HIDDEN TESTS" in cell.source:
            if cell.cell_type != "code":
                raise ValueError(f"solution/hidden markers are only supported in code cells: {cell.source[:60]!r}")
            cell.source = strip_hidden_tests(strip_solutions(cell.source))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def release(source_dir: Path = SOURCE, release_dir: Path = RELEASE) -> list[Path]:
    """Write the student version of every source notebook; return the paths written."""
    written = []
    for path in sorted(source_dir.glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out = release_dir / path.parent.name / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nb), out)
        written.append(out)
    if not written:
        raise FileNotFoundError(f"no notebooks found in {source_dir}/<assignment>/")
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
