#!/usr/bin/env bash
# Maintainers' tool: refresh the JavaScript the book ships in tools/vendor_js/ so the built site
# works offline: require.js, the Jupyter widgets HTML manager (renders the widget state embedded
# in the executed notebooks) and MathJax 3. The files are committed, so building the book needs
# Python only; run this (it needs npm and the npm registry) only to change a version below, then
# commit tools/vendor_js/. The packages come by exact version (`npm pack`: just the package
# tarball, no dependency tree, no install scripts), with their licence texts.
# tools/sphinx_offline_assets.py (a local Sphinx extension named in _config.yml) serves
# tools/vendor_js/ as static files (the built site's _static/require.min.js,
# _static/html-manager/, _static/mathjax/) and points Sphinx at these copies instead of a CDN.
# Not under _static/: Jupyter Book would add every .js file found there (all of MathJax's) to
# every page.
#
#     bash tools/fetch_js_assets.sh          # idempotent: skips what is already there
set -euo pipefail

REQUIREJS_VERSION=2.3.7
HTML_MANAGER_VERSION=1.0.15   # @jupyter-widgets/html-manager for ipywidgets 8 (widget protocol 2)
MATHJAX_VERSION=3.2.2

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="${NNBOOK_VENDOR_DIR:-$ROOT/tools/vendor_js}"
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

# Keep the hand-written LICENSES.md; replace everything the packages provide.
rm -rf "$VENDOR/html-manager" "$VENDOR/mathjax" "$VENDOR/licenses" "$VENDOR/require.min.js"
mkdir -p "$VENDOR/html-manager" "$VENDOR/mathjax"
cp requirejs/require.js "$VENDOR/require.min.js"
# embed-amd.js (which defines libembed-amd itself) and the icon fonts its CSS refers to; not the
# non-AMD embed.js, the separate libembed-amd.js or source maps, which the pages never load.
find jupyter-widgets-html-manager/dist -maxdepth 1 -type f ! -name '*.map' ! -name '*.js' \
    ! -name '*.LICENSE.txt' -exec cp {} "$VENDOR/html-manager/" \;
cp jupyter-widgets-html-manager/dist/embed-amd.js "$VENDOR/html-manager/"
# Licences: MathJax ships its Apache-2.0 text; the HTML manager's package ships the notices of
# what its bundle contains (its own BSD-3-Clause text is in LICENSES.md); require.js carries its
# MIT notice in the file's header.
mkdir -p "$VENDOR/licenses"
cp mathjax/LICENSE "$VENDOR/licenses/mathjax-LICENSE.txt"
cp jupyter-widgets-html-manager/dist/embed.js.LICENSE.txt "$VENDOR/licenses/html-manager-bundled-notices.txt"
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
