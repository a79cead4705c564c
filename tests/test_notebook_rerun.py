"""Every chapter gives the same results when re-run: twice in one kernel, and after a restart.

A learner runs cells again, or restarts and runs all; neither may change what the chapter
shows. For each ``chapters/*.ipynb`` (whatever chapters exist) the notebook is executed twice
in one kernel and then once in a second, fresh kernel. The text outputs of every
code cell (``text/plain`` results and printed ``stdout``) must agree between the three runs,
after masking what legitimately varies: memory addresses and timings. Images and stderr
(progress bars, warnings) are not compared.

The last tests run the comparison on tiny hand-made notebooks, to show it catches an
unseeded random number and state carried over between runs.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
CELL_TIMEOUT = 180  # seconds per cell; chapters train small networks, far below this

MASKS = [
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0x?"),  # object reprs: <Foo at 0x7f3a...>
    (re.compile(r"^(CPU times|Wall time):.*$", re.MULTILINE), r"\1: ?"),  # %time
    (
        re.compile(r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s|sec|secs|seconds|min)\b(?![\w(])"),
        "? s",
    ),
    (re.compile(r"\b\d+(\.\d+)?\s?(it/s|s/it)\b"), "? it/s"),
    (re.compile(r"\b\d+(\.\d+)?\s?[x×](?!\w)"), "?x"),  # speed-ups: "ratio 2494x"
]
#: A table column whose header says it holds a time ("time (s)", "ms / epoch", "speed-up").
TIME_HEADER = re.compile(
    r"\b(time|times|seconds?|secs?|ms|µs|us|ns|speed|speed-?up|runtime)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def mask_time_columns(text: str) -> str:
    """Mask the numbers that sit under a time-like column header, until the next blank line.

    Tables printed with f-string widths align each value under its header, so a value whose
    characters overlap the header's characters belongs to that column.
    """
    lines, columns = text.split("\n"), []
    for i, line in enumerate(lines):
        if not line.strip():
            columns = []
            continue
        cells = list(
            re.finditer(r"\S+(?: \S+)*", line)
        )  # cells are separated by 2+ spaces
        if not NUMBER.search(line) and any(
            TIME_HEADER.search(c.group()) for c in cells
        ):
            columns = [c.span() for c in cells if TIME_HEADER.search(c.group())]
            continue
        for m in reversed(list(NUMBER.finditer(line))):
            if any(m.start() < end and m.end() > start for start, end in columns):
                line = line[: m.start()] + "?" + line[m.end() :]
        lines[i] = line
    return "\n".join(lines)


def normalise(text: str) -> str:
    text = mask_time_columns(text)
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    # A masked number of another width shifts the padding of an aligned table.
    return re.sub(r"[ \t]+", " ", text)


def cell_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, list[str]]]:
    """(cell index, masked text outputs) for every code cell."""
    result = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        texts = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stdout":
                texts.append("stdout: " + normalise(out.text))
            elif (
                out.output_type in ("execute_result", "display_data")
                and "text/plain" in out.data
            ):
                texts.append(f"{out.output_type}: " + normalise(out.data["text/plain"]))
            elif out.output_type == "error":
                texts.append(f"error: {out.ename}: {normalise(out.evalue)}")
        # Consecutive stdout chunks are split wherever the kernel flushed; join them.
        joined: list[str] = []
        for t in texts:
            if (
                joined
                and t.startswith("stdout: ")
                and joined[-1].startswith("stdout: ")
            ):
                joined[-1] += t[len("stdout: ") :]
            else:
                joined.append(t)
        result.append((index, joined))
    return result


async def run_in_one_kernel(
    nb: nbformat.NotebookNode, cwd: Path, runs: int
) -> list[nbformat.NotebookNode]:
    """Execute ``nb`` ``runs`` times in a single fresh kernel; return the executed copies."""
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    done = []
    async with client.async_setup_kernel():
        for _ in range(runs):
            executed = copy.deepcopy(nb)
            client.nb = executed  # display updates look cells up in client.nb
            for index, cell in enumerate(executed.cells):
                if cell.cell_type == "code":
                    await client.async_execute_cell(cell, index)
            done.append(executed)
    return done


def run_three_times(
    nb: nbformat.NotebookNode, cwd: Path
) -> list[nbformat.NotebookNode]:
    """Runs 1 and 2 share a kernel; run 3 has its own, started after the first one has stopped.

    One after the other, not concurrently: two kernels starting at once from one client can race
    for their ports, and a kernel that dies that way leaves the client waiting for a reply.
    """
    return asyncio.run(run_in_one_kernel(nb, cwd, 2)) + asyncio.run(
        run_in_one_kernel(nb, cwd, 1)
    )


def differences(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> list[str]:
    out = []
    for (index, first), (_, second) in zip(cell_outputs(a), cell_outputs(b)):
        if first != second:
            source = a.cells[index].source.strip().splitlines()[:2]
            out.append(
                f"cell {index} ({' | '.join(source)[:80]}):\n    {first}\n != {second}"
            )
    return out


@pytest.fixture(autouse=True)
def kernel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernels import this checkout's nnlib, even where it is not pip-installed.
    monkeypatch.setenv(
        "PYTHONPATH",
        os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )


def test_there_are_chapters_to_check() -> None:
    assert CHAPTERS, "no chapters/*.ipynb found: the course has no chapters?"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_gives_the_same_results_when_rerun(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    first, rerun, restarted = run_three_times(nb, path.parent)
    assert any(texts for _, texts in cell_outputs(first)), (
        f"{path.name} printed nothing to compare"
    )
    problems = differences(first, rerun)
    assert not problems, (
        f"{path.name} changes when run twice in the same kernel:\n"
        + "\n".join(problems)
    )
    problems = differences(first, restarted)
    assert not problems, f"{path.name} changes after a kernel restart:\n" + "\n".join(
        problems
    )


# --------------------------------------------------------------------------------------------
# The comparison itself catches what it should


def test_masks_hide_timings_but_not_results() -> None:
    header = (
        f"{'':16}{'test accuracy':>15}{'epochs':>8}{'time (s)':>10}{'ms / epoch':>12}\n"
    )
    run1 = header + f"{'nnlib':16}{0.9778:>15.4f}{89:>8}{2.30:>10.2f}{25.8:>12.1f}\n"
    run2 = header + f"{'nnlib':16}{0.9778:>15.4f}{89:>8}{12.15:>10.2f}{124.2:>12.1f}\n"
    other = header + f"{'nnlib':16}{0.9781:>15.4f}{89:>8}{2.30:>10.2f}{25.8:>12.1f}\n"
    assert normalise(run1) == normalise(run2)
    assert normalise(run1) != normalise(other), "a changed accuracy was masked"
    line = "2410 parameters: backprop {} ms, finite differences {} ms (4820 forward passes), ratio {}x"
    assert normalise(line.format(0.53, 1250, 2494)) == normalise(
        line.format(0.61, 1180, 2363)
    )
    assert "4820 forward passes" in normalise(line.format(0.53, 1250, 2494))
    assert normalise("<nnlib.layers.ReLU object at 0x7f3a2b1c0d90>") == normalise(
        "<nnlib.layers.ReLU object at 0x7f00aa11bb22>"
    )
    assert normalise("loss 0.25 after 3 epochs") != normalise(
        "loss 0.26 after 3 epochs"
    )


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("A test notebook.")] + [
        nbformat.v4.new_code_cell(s) for s in sources
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def test_a_seeded_notebook_with_addresses_and_timings_passes(tmp_path: Path) -> None:
    nb = notebook(
        "import time, numpy as np\nrng = np.random.default_rng(0)\nrng.normal(size=3)",
        "class Thing: pass\nprint(Thing())",  # <Thing object at 0x...>
        "start = time.perf_counter()\nprint(f'took {time.perf_counter() - start:.6f} s')",
        "%time sum(range(1000))",
    )
    first, rerun, restarted = run_three_times(nb, tmp_path)
    assert differences(first, rerun) == [] and differences(first, restarted) == []
    assert "array([ 0.12573022, -0.13210486, 0.64042265])" in str(
        cell_outputs(first)[0]
    )


def test_an_unseeded_random_number_is_caught(tmp_path: Path) -> None:
    nb = notebook("import numpy as np\nprint(np.random.default_rng().integers(10**12))")
    first, rerun, restarted = run_three_times(nb, tmp_path)
    assert differences(first, rerun) and differences(first, restarted)


def test_state_carried_over_between_runs_is_caught(tmp_path: Path) -> None:
    # The classic: a cell that appends to a list defined in an earlier run.
    nb = notebook(
        "history = globals().get('history', [])\nhistory.append(1)\nlen(history)"
    )
    first, rerun, restarted = run_three_times(nb, tmp_path)
    assert differences(first, rerun), "running twice in one kernel was not detected"
    assert differences(first, restarted) == []
