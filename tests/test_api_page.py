"""The book's API reference (api.md) documents every public name of nnlib and nnlib.viz."""

import inspect
import re
from pathlib import Path

import nnlib
import nnlib.viz

API = Path(__file__).resolve().parent.parent / "api.md"


def _documented() -> set[str]:
    """Names given to an autodoc directive in api.md, e.g. ``Dense`` or ``nnlib.datasets``."""
    text = API.read_text()
    return set(
        re.findall(
            r"^\.\. auto(?:class|function|exception|module):: (\S+)$", text, re.M
        )
    )


def test_api_page_documents_all_of_nnlib():
    names = _documented()
    modules = {n for n in nnlib.__all__ if inspect.ismodule(getattr(nnlib, n))}
    missing = [
        n for n in nnlib.__all__ if (f"nnlib.{n}" if n in modules else n) not in names
    ]
    assert not missing, (
        f"api.md does not document these names of nnlib.__all__: {missing}"
    )


def test_api_page_documents_the_viz_classes():
    classes = [n for n in nnlib.viz.__all__ if inspect.isclass(getattr(nnlib.viz, n))]
    missing = [n for n in classes if n not in _documented()]
    assert not missing, f"api.md does not document these nnlib.viz classes: {missing}"
