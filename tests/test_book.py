"""The built book, opened in a real browser: no console errors, figures load, math and widgets render.

Builds the book with ``jupyter-book build --all -W -n --keep-going`` (in place, like the site is
built) and opens every page of ``_toc.yml`` in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, installed by ``tools/install_chromium.sh``; selenium drives them, and
nothing is downloaded). The site is served from 127.0.0.1 and must not request anything from
another origin: require.js, the widgets' HTML manager and MathJax come from its own
``_static/``. Screenshots go to ``_build/screenshots/``.

A second test builds a small throwaway book whose one notebook uses ``nnlib.viz`` (a widget, a
``to_jshtml`` animation, live curves, math), so widget rendering is checked even before the
chapters use the widgets; on the real book, pages whose notebooks use ``nnlib.viz`` are
checked for rendered widgets too.

Slow (it executes every chapter): run with ``pytest tests/test_book.py``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
BUILD_TIMEOUT = 1800
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: jupyter-book run by this interpreter, not whichever `jupyter-book` PATH finds first: the
#: tests pass with `venv/bin/python -m pytest` in a venv that is not activated.
JUPYTER_BOOK = (
    sys.executable,
    "-c",
    "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
)

selenium = pytest.importorskip(
    "selenium", reason="pip install selenium (see requirements.txt)"
)
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from nnlib.viz._render import PIXEL_RATIO  # noqa: E402

#: What counts as a control of an ipywidgets panel (tools/offline_js/nnbook_offline.js uses the
#: same list to find the panels that get a note).
CONTROLS = "input, select, button, textarea, .widget-slider, .widget-play"
#: nnlib.viz's images in a page: those of the widgets, and the static images of the views
#: (``IPython.display.Image`` with a width, e.g. ``NetworkView.image()``, ``LiveCurves``, which
#: myst-nb writes as ``style="width: ...px"``).
VIZ_IMAGES = (
    ".jupyter-widgets img, img.widget-image, .cell_output img[width], "
    '.cell_output img[style*="width"]'
)


# ---- set-up ------------------------------------------------------------------------------------


def _chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installing Debian's packages if they are missing."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        subprocess.run(
            ["bash", str(ROOT / "tools" / "install_chromium.sh")], check=True
        )
    return shutil.which("chromium"), shutil.which("chromedriver")


def build(book: Path) -> Path:
    """``jupyter-book build --all -W -n --keep-going``; fail with the build's own output on error.

    ``--all``: every page is rebuilt, so no page is left over from an earlier build.
    """
    # npm and node are not needed to build the book: shims that fail loudly come first on PATH,
    # so a build step that called them would fail this test.
    with tempfile.TemporaryDirectory(prefix="no-npm-") as folder:
        shims = Path(folder)
        for tool in ("npm", "npx", "node"):
            (shims / tool).write_text(
                f"#!/bin/sh\necho 'the book build called {tool}' >&2\nexit 97\n"
            )
            (shims / tool).chmod(0o755)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT), os.environ.get("PYTHONPATH", "")]
            ),
            "PATH": os.pathsep.join([str(shims), os.environ.get("PATH", "")]),
        }
        # The kernels must use the notebook's inline backend, or plt.show() would output nothing.
        env.pop("MPLBACKEND", None)
        proc = subprocess.run(
            [*JUPYTER_BOOK, "build", "--all", str(book), "-W", "-n", "--keep-going"],
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            env=env,
        )
    if proc.returncode != 0:
        pytest.fail(
            f"jupyter-book build of {book} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
        )
    return book / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        # Browsers ask for /favicon.ico on their own; the book has none. Answer with nothing
        # rather than a 404 that would be logged as a console error.
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return None
        return super().send_head()


class Site:
    """A static file server for a built site on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, html: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(html))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def open_browser() -> webdriver.Chrome:
    chromium, chromedriver = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="nnbook-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        options=options, service=Service(executable_path=chromedriver)
    )
    driver.set_page_load_timeout(60)
    driver._nnbook_profile = profile
    return driver


def close_browser(driver: webdriver.Chrome) -> None:
    driver.quit()
    shutil.rmtree(driver._nnbook_profile, ignore_errors=True)


# ---- what a page must show ---------------------------------------------------------------------------


def check_page(
    driver: webdriver.Chrome,
    site: Site,
    page: str,
    expect_widgets: bool,
    shot: Path,
    how_to_run: str | None = "intro.html#running-it-yourself",
) -> dict:
    """Open ``page`` and assert: it loads, no console errors, every image loads, nothing comes
    from another origin, math is typeset by the local MathJax, widgets render where the
    page embeds widget state, images are sharp, and every control panel has the kernel note
    above it, linking to ``how_to_run`` (relative to the site; None: no link). Saves a
    full-page screenshot to ``shot``; returns what it saw."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(site.url + page)
    wait = WebDriverWait(driver, 40)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    js = driver.execute_script

    n_math = js("return document.querySelectorAll('.math, div.math, span.math').length")
    if n_math:
        wait.until(
            lambda d: d.execute_script(
                "return window.MathJax && MathJax.startup && MathJax.startup.promise && "
                "document.querySelectorAll('mjx-container').length > 0"
            )
        )
        driver.execute_async_script(
            "const done = arguments[0]; MathJax.startup.promise.then(() => done(true));"
        )
    n_mjx = js("return document.querySelectorAll('mjx-container').length")
    raw_tex = js(
        "return Array.from(document.querySelectorAll('span.math, div.math'))"
        ".filter(e => !e.querySelector('mjx-container')).length"
    )

    n_views = js(
        f"return document.querySelectorAll('script[type=\"{WIDGET_VIEW}\"]').length"
    )
    if n_views:
        wait.until(
            lambda d: d.execute_script(
                "return document.querySelectorAll('.jupyter-widgets .widget-image, .jupyter-widgets img, "
                ".widget-image').length > 0 || document.querySelectorAll('.jupyter-widgets-error-widget').length > 0"
            )
        )
        # Every view drawn (the manager fills one .widget-subarea per view), then the page's
        # script has added its notes above the control panels.
        try:
            wait.until(
                lambda d: d.execute_script(
                    "const areas = document.querySelectorAll('.widget-subarea');"
                    f"return areas.length >= {n_views} && Array.from(areas).every(a => a.children.length) &&"
                    f"  Array.from(areas).filter(a => a.querySelector({json.dumps(CONTROLS)}))"
                    "    .every(a => a.hasAttribute('data-nnbook-noted'));"
                )
            )
        except TimeoutException:
            pass  # the assertions below say what is missing
    widgets = js(
        "return document.querySelectorAll('.jupyter-widgets.widget-container, .jupyter-widgets "
        ".widget-inline-hbox, .jupyter-widgets .widget-image, .widget-image').length"
    )
    widget_errors = js(
        "return document.querySelectorAll('.jupyter-widgets-error-widget').length"
    )

    broken = js(
        "return Array.from(document.querySelectorAll('img')).filter(i => !(i.complete && "
        "i.naturalWidth > 0)).map(i => i.src.slice(0, 120))"
    )
    images = js(
        "return document.querySelectorAll('article img, main img, .bd-article img').length"
    )
    external = js(
        "return performance.getEntriesByType('resource').map(r => r.name)"
        f".filter(n => !n.startsWith('{site.url}') && !n.startsWith('data:'))"
    )
    scripts = js("return Array.from(document.scripts).map(s => s.src).filter(s => s)")
    # At the default width (1280 px) no code (a cell's input or a code block of the text) may
    # need a sideways scroll bar; a printed output, such as a wide table, may.
    wide_code = js(
        "return Array.from(document.querySelectorAll('div.cell_input pre, div.highlight pre'))"
        ".filter(p => !p.closest('.cell_output') && p.scrollWidth > p.clientWidth + 1)"
        ".map(p => p.textContent.slice(0, 80))"
    )
    # Nor may a widget panel need one (an image as wide as the column, plus its margins, would).
    wide_widgets = js(
        "return Array.from(document.querySelectorAll('.widget-subarea, "
        ".widget-subarea .jupyter-widgets'))"
        ".filter(e => e.scrollWidth > e.clientWidth + 1)"
        ".map(e => [e.className.slice(0, 60), e.scrollWidth, e.clientWidth])"
    )
    # No image may be shown wider than its pixels (the browser would blur it). nnlib.viz's
    # images (the widgets' and the views' static images, which carry a width) are rendered at
    # PIXEL_RATIO pixels per CSS pixel and must be shown at most at that CSS width: sharp on a
    # high-DPI screen too, not stretched to the column.
    upscaled = js(
        "return Array.from(document.querySelectorAll('article img, main img'))"
        ".filter(i => i.offsetWidth > 0 && i.naturalWidth + 1 < i.getBoundingClientRect().width)"
        ".map(i => [i.naturalWidth, Math.round(i.getBoundingClientRect().width)])"
    )
    viz_images = js(
        f"return Array.from(document.querySelectorAll({json.dumps(VIZ_IMAGES)}))"
        ".filter(i => i.offsetWidth > 0)"
        ".map(i => [i.naturalWidth, i.getBoundingClientRect().width])"
    )
    not_sharp = [
        (w, round(shown)) for w, shown in viz_images if shown > w / PIXEL_RATIO + 1
    ]
    # Above every ipywidgets control panel, directly, the page script's note that the controls
    # need a kernel (with a link to how to run the notebooks); nowhere else, and never in the
    # in-page playground, which runs in the browser.
    notes = js(
        "const notes = Array.from(document.querySelectorAll('.nnbook-kernel-note'));"
        f"const panels = Array.from(document.querySelectorAll('.widget-subarea'))"
        f"  .filter(a => a.querySelector({json.dumps(CONTROLS)}));"
        "const link = n => { const a = n.querySelector('a'); return a ? a.href : null; };"
        "return {"
        "  panels: panels.length, notes: notes.length,"
        "  unnoted: panels.filter(p => {"
        "    const n = p.previousElementSibling;"
        "    return !(n && n.classList.contains('nnbook-kernel-note') && n.offsetHeight > 0 &&"
        "             n.getBoundingClientRect().bottom <= p.getBoundingClientRect().top + 1);"
        "  }).map(p => p.textContent.slice(0, 60)),"
        "  stray: notes.filter(n => !panels.includes(n.nextElementSibling) ||"
        "    n.closest('.nnbook-playground')).length,"
        "  links: Array.from(new Set(notes.map(link))),"
        "  text: notes.length ? notes[0].textContent : null,"
        "  playgrounds: document.querySelectorAll('.nnbook-playground').length,"
        "};"
    )
    search_fields = js(
        "return Array.from(document.querySelectorAll('.search-button-field'))"
        ".filter(b => b.offsetParent !== null).length"
    )
    favicon = js(
        "const l = document.querySelector('link[rel=icon]'); return l ? l.href : null"
    )

    height = min(js("return document.documentElement.scrollHeight"), 12000)
    driver.set_window_size(1280, max(height, 900))
    shot.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(shot))
    driver.set_window_size(1280, 900)
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]

    where = f"page {page}"
    assert not errors, f"{where}: console errors: {errors}"
    assert not broken, f"{where}: images that did not load: {broken}"
    assert not external, (
        f"{where}: requests to other origins (the site must work offline): {external}"
    )
    assert not wide_code, (
        f"{where}: {len(wide_code)} code cells scroll sideways, e.g. {wide_code[0]!r}"
    )
    assert not wide_widgets, (
        f"{where}: widgets that scroll sideways ([class, scroll, shown] px): {wide_widgets}"
    )
    assert not upscaled, f"{where}: images upscaled ([natural, shown] px): {upscaled}"
    assert not not_sharp, (
        f"{where}: nnlib.viz images shown wider than their pixels / "
        f"{PIXEL_RATIO} ([natural, shown] px): {not_sharp}"
    )
    assert not notes["unnoted"], (
        f"{where}: control panels without the kernel note above: {notes['unnoted']}"
    )
    assert notes["notes"] == notes["panels"] and not notes["stray"], (
        f"{where}: kernel notes: {notes}"
    )
    if notes["notes"]:
        assert "need a running Python kernel" in notes["text"], notes["text"]
        assert notes["links"] == [site.url + how_to_run if how_to_run else None], notes[
            "links"
        ]
    assert search_fields == 1, (
        f"{where}: {search_fields} search boxes visible, expected 1"
    )
    assert favicon and favicon.startswith(site.url), (
        f"{where}: no local favicon ({favicon})"
    )
    if n_math:
        assert n_mjx > 0 and raw_tex == 0, (
            f"{where}: {raw_tex} of {n_math} math elements were not typeset"
        )
        mathjax = [s for s in scripts if "tex-chtml" in s]
        assert mathjax and all(s.startswith(site.url) for s in mathjax), (
            f"{where}: MathJax not local: {scripts}"
        )
    if expect_widgets:
        assert n_views > 0, (
            f"{where}: the notebook uses nnlib.viz but the page embeds no widget view"
        )
    if n_views:
        assert widget_errors == 0, f"{where}: {widget_errors} widgets failed to render"
        assert widgets > 0, (
            f"{where}: {n_views} widget views embedded but none rendered"
        )
    return {
        "math": n_mjx,
        "widgets": widgets,
        "views": n_views,
        "images": images,
        "viz_images": len(viz_images),
        "panels": notes["panels"],
        "playgrounds": notes["playgrounds"],
    }


# ---- the real book ------------------------------------------------------------------------------------


def toc_pages(book: Path) -> list[tuple[str, Path]]:
    """(html page, source file) for the root and every chapter of ``_toc.yml``."""
    import yaml

    toc = yaml.safe_load((book / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    files += [c["file"] for c in toc.get("chapters", [])]
    pages = []
    for f in files:
        source = next(
            (
                book / f"{f}{ext}"
                for ext in (".ipynb", ".md")
                if (book / f"{f}{ext}").exists()
            ),
            None,
        )
        pages.append((f"{f}.html", source))
    return pages


#: The nnlib.viz classes that are ipywidgets control panels. (NetworkView and LiveCurves are
#: plain figures updated in place: they show as images, not as widgets.)
CONTROL_PANELS = re.compile(
    r"\bviz\.(Playground|NetworkExplorer|ActivationExplorer|GradientDescentExplorer|ScalingExplorer|"
    r"LogitExplorer|BackpropStepper)\("
)


def uses_viz(source: Path | None) -> bool:
    """Does this notebook display an ``nnlib.viz`` control panel (an ipywidgets widget)?"""
    if source is None or source.suffix != ".ipynb":
        return False
    cells = json.loads(source.read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return bool(CONTROL_PANELS.search(code))


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = open_browser()
    yield driver
    close_browser(driver)


def test_book_pages_render_offline(browser):
    html = build(ROOT)
    site = Site(html)
    try:
        seen = {}
        for page, source in toc_pages(ROOT):
            assert (html / page).is_file(), f"{page} was not built"
            shot = SCREENSHOTS / (
                page.replace("/", "__").removesuffix(".html") + ".png"
            )
            seen[page] = check_page(browser, site, page, uses_viz(source), shot)
    finally:
        site.close()
    assert any(s["math"] for s in seen.values()), (
        f"no page of the book shows typeset math: {seen}"
    )
    # The explorers of chapters 1, 4, 5 and 8 were checked for sharp images (in check_page) ...
    for chapter in (
        "01_data_preparation",
        "04_loss",
        "05_backpropagation",
        "08_prediction",
    ):
        page = seen[f"chapters/{chapter}.html"]
        assert page["viz_images"] and page["panels"], (
            f"{chapter}: no nnlib.viz image or panel: {page}"
        )
    # ... a page has both control panels (with notes) and an in-page playground (without), and
    # the notes' link leads to a section that exists.
    assert any(s["panels"] and s["playgrounds"] for s in seen.values()), seen
    assert 'id="running-it-yourself"' in (html / "intro.html").read_text()
    assert any(s["images"] for s in seen.values()), (
        f"no page of the book shows a figure: {seen}"
    )
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (html / "_static" / "html-manager" / "embed-amd.js").is_file()


# ---- a throwaway book that uses every kind of output -------------------------------------------------

DEMO_CELLS = [
    (
        "markdown",
        "# Widgets demo\n\nA softmax: $\\sigma(z)_i = e^{z_i} / \\sum_j e^{z_j}$, and\n\n"
        "$$\\frac{\\partial L}{\\partial W} = X^\\top \\delta.$$",
    ),
    (
        "code",
        "import matplotlib.pyplot as plt\nimport numpy as np\nimport nnlib as nl\nfrom nnlib import viz",
    ),
    ("code", "pg = viz.Playground(n_samples=200, epochs=100)\npg.train()\npg.show()"),
    ("code", "pg.animate(epochs=60, frames=6)"),
    (
        "code",
        "X, y = nl.datasets.make_moons(200, noise=0.2)\n"
        "model = nl.Sequential(nl.Dense(2, 8, rng=0), nl.Tanh(), nl.Dense(8, 2, rng=1))\n"
        "curves = viz.LiveCurves()\n"
        "opt = nl.Adam(model.parameters(), lr=0.02)\n"
        "history = curves.fit(model, nl.CrossEntropyLoss(), opt, X, y,\n"
        "                     epochs=20, validation_data=(X, y))",
    ),
    ("code", "viz.GradientDescentExplorer().show()"),
    (
        "code",
        "fig, ax = plt.subplots(figsize=(4, 3))\nax.plot(np.linspace(-3, 3), np.tanh(np.linspace(-3, 3)))\n"
        "ax.set_title('tanh')\nplt.show()",
    ),
]


def _demo_book(where: Path) -> Path:
    import nbformat

    book = where / "demo_book"
    book.mkdir(parents=True)
    # The copy includes tools/vendor_js/, the JavaScript the site serves.
    shutil.copytree(
        ROOT / "tools", book / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "assets", book / "assets")
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    (book / "_toc.yml").write_text("format: jb-book\nroot: demo\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(src)
        if kind == "markdown"
        else nbformat.v4.new_code_cell(src)
        for kind, src in DEMO_CELLS
    ]
    nbformat.write(nb, book / "demo.ipynb")
    return book


def test_demo_book_renders_widgets_animation_and_math(browser, tmp_path):
    book = _demo_book(tmp_path)
    html = build(book)
    page = (html / "demo.html").read_text()
    assert "application/vnd.jupyter.widget-state+json" in page, (
        "the executed notebook embeds no widget state"
    )
    assert (
        "_static/require.min.js" in page and "_static/html-manager/embed-amd.js" in page
    )
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page
    site = Site(html)
    try:
        # The demo book has no introduction to link to: the notes come without a link.
        seen = check_page(
            browser,
            site,
            "demo.html",
            True,
            SCREENSHOTS / "demo_widgets.png",
            how_to_run=None,
        )
        # The to_jshtml player: its slider scrubs through the epochs without a kernel.
        frames = browser.execute_script(
            "const s = document.querySelector('input[type=range].anim-slider, .animation input[type=range]');"
            "if (!s) return null; s.value = s.max; s.dispatchEvent(new Event('input'));"
            "return [Number(s.max), document.querySelector('.animation img, img[id^=_anim_img]').src.length];"
        )
    finally:
        site.close()
    assert seen["widgets"] > 0 and seen["math"] >= 2
    assert seen["panels"] == 2, (
        seen
    )  # the playground's and the explorer's, each with its note
    assert frames is not None and frames[0] >= 5 and frames[1] > 1000, frames
