"""Sphinx extension: serve the book's JavaScript from the site itself, so it works offline.

The executed notebooks embed their widgets' state; rendering it needs require.js and the
Jupyter widgets HTML manager, and the math needs MathJax. By default myst-nb and Sphinx load
all three from CDNs. ``_config.yml`` points them at local paths instead (``mathjax_path``,
``nb_ipywidgets_js``); this extension makes those paths exist: it adds ``tools/vendor_js/``
(the three packages, committed with their licences, so a build needs Python only; maintainers
refresh them with ``tools/fetch_js_assets.sh``) to ``html_static_path`` (so
``_static/mathjax/tex-chtml.js`` etc. in the site).

It is added here rather than in ``_config.yml``'s ``html_static_path`` because Jupyter Book
adds every ``.js`` file under a static path to every page once a ``_static/`` folder exists.

It also adds the book's own ``tools/offline_js/nnbook_offline.js`` and ``nnbook.css`` to every
page, and a ``<meta name="nnbook-how-to-run">`` with the link (relative to the page) to the
section on running the notebooks (``nnbook_how_to_run``, default
``intro#running-it-yourself``), which the note above every widget control panel points to.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "tools" / "vendor_js"
#: Tracked helper script (assets path and a MathJax 2 shim for the widgets), see its comments.
OWN_JS = ROOT / "tools" / "offline_js"
#: Files the configuration refers to, relative to tools/vendor_js/ (and to _static/ in the site).
REQUIRED = ("require.min.js", "html-manager/embed-amd.js", "mathjax/tex-chtml.js")


def ensure_assets() -> Path:
    """The folder of the vendored JavaScript; a one-line error if any required file is missing."""
    missing = [f for f in REQUIRED if not (VENDOR / f).is_file()]
    if missing:
        raise ExtensionError(
            f"sphinx_offline_assets: {missing} missing from {VENDOR}; they are part of the repository "
            f"(restore them with `git checkout -- tools/vendor_js`, or refresh them with "
            f"`bash tools/fetch_js_assets.sh`, which needs npm)"
        )
    return VENDOR


def _config_inited(app: Sphinx, config: Config) -> None:
    if not (OWN_JS / "nnbook_offline.js").is_file():
        raise ExtensionError(
            f"sphinx_offline_assets: {OWN_JS / 'nnbook_offline.js'} is missing"
        )
    for folder in (str(ensure_assets()), str(OWN_JS)):
        if folder not in config.html_static_path:
            config.html_static_path = [*config.html_static_path, folder]
    local = [config.mathjax_path, *getattr(config, "nb_ipywidgets_js", {})]
    remote = [p for p in local if p and "://" in p]
    if remote:
        raise ExtensionError(
            f"sphinx_offline_assets: these scripts still come from the network: {remote}; set them to the "
            f"local copies (mathjax_path: mathjax/tex-chtml.js, nb_ipywidgets_js: require.min.js and "
            f"html-manager/embed-amd.js) in _config.yml"
        )


def _dedupe_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    # Jupyter Book 1.0.4 registers sphinx-thebe's and sphinx-togglebutton's inline scripts
    # twice; the second `const THEBE_JS_URL` is a SyntaxError in the console of every page.
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # Same file and attributes (inline copies differ only in filename None vs "").
        key = (
            getattr(script, "filename", script) or "",
            tuple(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"][:] = unique


#: The live playground (tools/offline_js/playground/, see nnlib/viz/live.py): loaded only on the
#: pages that embed one, a ``<div class="nnbook-playground">``.
PLAYGROUND_JS = ("playground/nnlib.js", "playground/playground.js")
PLAYGROUND_CSS = "playground/playground.css"


def _playground_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    if 'class="nnbook-playground"' in context.get("body", ""):
        for js in PLAYGROUND_JS:
            app.add_js_file(js)
        app.add_css_file(PLAYGROUND_CSS)


def _how_to_run(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    # Where the book says how to run the notebooks, relative to this page: nnbook_offline.js
    # links to it from the note above every widget control panel. Left out when the book has
    # no such page (then the note has no link).
    doc, _, anchor = app.config.nnbook_how_to_run.partition("#")
    if doc in app.env.found_docs and "pathto" in context:
        page = context["pathto"](doc)
        page = (
            "" if page == "#" and anchor else page
        )  # pathto() gives "#" for this very page
        href = page + (f"#{anchor}" if anchor else "")
        tag = f'<meta name="nnbook-how-to-run" content="{html.escape(href)}" />\n'
        context["metatags"] = context.get("metatags", "") + tag


def setup(app: Sphinx) -> dict[str, object]:
    #: The document (and section anchor) that tells how to run the notebooks in Jupyter.
    app.add_config_value("nnbook_how_to_run", "intro#running-it-yourself", "html")
    # Priority 900: after myst-nb and sphinx.ext.mathjax have registered their settings.
    app.connect("config-inited", _config_inited, priority=900)
    # Before the widgets' HTML manager (priority 500), not deferred: see nnbook_offline.js.
    app.add_js_file("nnbook_offline.js", priority=400)
    app.add_css_file("nnbook.css")
    # Early: an html-page-context handler that returns a template name ends the chain.
    app.connect("html-page-context", _dedupe_scripts, priority=1)
    app.connect("html-page-context", _playground_assets)
    app.connect("html-page-context", _how_to_run)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
