#!/usr/bin/env bash
# The second test environment: nnlib, its unit tests and every notebook (chapters, solutions,
# beyond) against the lowest supported versions (requirements-lowest.txt), in a fresh venv.
# The book build, the browser, nbgrader and benchmark tests (marked slow) run in the main
# environment only. .ci/run calls this after the main test run.
#
#     bash tools/test_lowest_versions.sh          # venv in $NNBOOK_LOWEST_VENV or a temp folder
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${NNBOOK_LOWEST_VENV:-$(mktemp -d)/venv-lowest}"
python -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements-lowest.txt"
# nnlib itself without its dependencies: they are pinned above.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
"$VENV/bin/python" -c "import numpy, matplotlib, sklearn; print('lowest versions: numpy', numpy.__version__, \
'matplotlib', matplotlib.__version__, 'scikit-learn', sklearn.__version__)"
cd "$ROOT"
"$VENV/bin/python" -m pytest -m "not slow" -q
