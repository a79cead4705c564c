#!/usr/bin/env bash
# Bring the JavaScript the book needs into _vendor/ so the built site works offline:
# require.js, the Jupyter widgets HTML manager (renders the widget state embedded in the
# executed notebooks) and MathJax 3. They come from the npm registry by exact version
# (`npm pack`: just the package tarball, no dependency tree, no install scripts). The output is
# gitignored. tools/sphinx_offline_assets.py (a local Sphinx extension named in _config.yml)
# runs this script when the files are missing, serves _vendor/ as static files (the built
# site's _static/require.min.js, _static/html-manager/, _static/mathjax/) and points Sphinx at
# these copies instead of a CDN. Not under _static/: Jupyter Book would add every .js file
# found there (all of MathJax's) to every page.
#
#     bash tools/fetch_js_assets.sh          # idempotent: skips what is already there
set -euo pipefail

REQUIREJS_VERSION=2.3.7
HTML_MANAGER_VERSION=1.0.15   # @jupyter-widgets/html-manager for ipywidgets 8 (widget protocol 2)
MATHJAX_VERSION=3.2.2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="${NNBOOK_VENDOR_DIR:-$ROOT/_vendor}"
STAMP="$VENDOR/.versions"
WANT="requirejs@$REQUIREJS_VERSION html-manager@$HTML_MANAGER_VERSION mathjax@$MATHJAX_VERSION"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
   && [ -f "$VENDOR/require.min.js" ] && [ -f "$VENDOR/html-manager/embed-amd.js" ] \
   && [ -f "$VENDOR/mathjax/tex-chtml.js" ]; then
    exit 0
fi
command -v npm >/dev/null || { echo "fetch_js_assets.sh: npm is needed (apt-get install npm)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "requirejs@$REQUIREJS_VERSION" "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" \
    "mathjax@$MATHJAX_VERSION" >/dev/null
for pkg in requirejs jupyter-widgets-html-manager mathjax; do
    mkdir -p "$pkg"
    tar -xzf "$pkg"-*.tgz -C "$pkg" --strip-components=1
done

rm -rf "$VENDOR"
mkdir -p "$VENDOR/html-manager" "$VENDOR/mathjax"
cp requirejs/require.js "$VENDOR/require.min.js"
# The scripts and the icon fonts their CSS refers to (no source maps).
find jupyter-widgets-html-manager/dist -maxdepth 1 -type f ! -name '*.map' -exec cp {} "$VENDOR/html-manager/" \;
# MathJax's es5 build: the combined tex-chtml component plus what it loads on demand (CHTML
# fonts, TeX extensions, the menu and its accessibility parts), resolved relative to
# tex-chtml.js itself. The other combined builds (svg, mml, full) are not used.
cp mathjax/es5/tex-chtml.js "$VENDOR/mathjax/"
cp -r mathjax/es5/input mathjax/es5/ui mathjax/es5/a11y mathjax/es5/sre "$VENDOR/mathjax/"
mkdir -p "$VENDOR/mathjax/output"
cp -r mathjax/es5/output/chtml mathjax/es5/output/chtml.js "$VENDOR/mathjax/output/"
for f in require.min.js html-manager/embed-amd.js mathjax/tex-chtml.js; do
    [ -s "$VENDOR/$f" ] || { echo "fetch_js_assets.sh: $f missing after unpacking" >&2; exit 1; }
done
echo "$WANT" > "$STAMP"
echo "fetch_js_assets.sh: $WANT -> $VENDOR ($(du -sh "$VENDOR" | cut -f1))"
