"""Benchmark: the online book's live playground (JavaScript) in headless Chromium, per frame.

While Train runs, every animation frame the page trains up to 5 epochs (stopping early once
10 ms have passed; ``EPOCHS_PER_FRAME``, ``FRAME_BUDGET_MS`` in playground.js) and redraws
the map, the points, the loss curves and the network. Target: that frame's work, for the
2-16-16-2 network on 1000 points (700 training, 300 validation, full batch), fits in one
60 Hz frame, <= 16.7 ms (median over 50 frames after 10 of warm-up). Also reported: one epoch
and one redraw on their own, the frames and epochs per second of a 3-second Train run, and for
a network of six 256-unit layers trained on batches of 8 (where the map is drawn on fewer
frames), the longest gap between frames.

The page is the playground's own files (tools/offline_js/playground/) and one embed, served
on 127.0.0.1; Chromium is Debian's, driven by selenium with the browser test's helpers
(tests/test_book.py), so ``bash tools/install_chromium.sh`` first on a new machine.

    python benchmarks/bench_playground_js.py [--frames 50] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_book  # noqa: E402  (the browser test's Site, open_browser, close_browser)

PLAYGROUND = ROOT / "tools" / "offline_js" / "playground"
FRAME_MS = 1000 / 60
PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>playground benchmark</title>
<link rel="stylesheet" href="playground.css"></head>
<body>
<div class="nnbook-playground" id="pg" data-setup="samples=1000"></div>
<script src="nnlib.js"></script><script src="playground.js"></script>
</body></html>
"""

#: One frame of a Train run (what ``play()`` calls each frame), timed ``frames`` times after
#: ``warm`` frames; then an epoch and a redraw on their own. Returns times in ms.
MEASURE_FRAMES = """
const [frames, warm] = arguments;
const pg = document.querySelector('.nnbook-playground').nnbookPlayground;
const frame = [], epoch = [], redraw = [];
for (let i = 0; i < warm + frames; i++) {
  const t0 = performance.now(); pg.step(5, 10); const t1 = performance.now();
  if (i >= warm) { frame.push(t1 - t0); }
}
for (let i = 0; i < warm + frames; i++) {
  const t0 = performance.now(); pg.trainer.run(1); const t1 = performance.now();
  pg.redraw(true); const t2 = performance.now();
  if (i >= warm) { epoch.push(t1 - t0); redraw.push(t2 - t1); }
}
return {frame, epoch, redraw, sizes: pg.model.denseLayers().map(d => d.outFeatures),
        rows: pg.trainer.X.rows, valRows: pg.trainer.XVal.rows, diverged: pg.trainer.diverged};
"""

#: Press Train for ``seconds`` and record the gaps between animation frames.
PLAY = """
const done = arguments[arguments.length - 1], seconds = arguments[0];
const pg = document.querySelector('.nnbook-playground').nnbookPlayground;
const epochs0 = pg.trainer.epoch || 0, steps0 = pg.trainer.steps;
pg.play();
const gaps = []; let last = performance.now(); const end = last + 1000 * seconds;
function tick(t) {
  gaps.push(t - last); last = t;
  if (t < end) { requestAnimationFrame(tick); }
  else { pg.pause(); done({gaps, epochs: (pg.trainer.epoch || 0) - epochs0, steps: pg.trainer.steps - steps0}); }
}
requestAnimationFrame(tick);
"""

SET_CONTROL = (
    "const s = document.querySelector('.nnbook-playground').nnbookPlayground"
    ".controls[arguments[0]].input; s.value = arguments[1];"
    " s.dispatchEvent(new Event('change'));"
)


def _page(folder: Path) -> Path:
    for name in ("nnlib.js", "playground.js", "playground.css"):
        shutil.copy(PLAYGROUND / name, folder / name)
    (folder / "index.html").write_text(PAGE)
    return folder


def _open(driver, url: str) -> None:
    driver.get(url)
    test_book.WebDriverWait(driver, 30).until(
        lambda d: d.execute_script(
            "const h = document.querySelector('.nnbook-playground');"
            "return !!(h && h.nnbookPlayground);"
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50, help="timed frames (median)")
    parser.add_argument(
        "--quick", action="store_true", help="5 frames, 1-second runs (smoke test)"
    )
    args = parser.parse_args()
    frames, warm, seconds = (5, 2, 1.0) if args.quick else (args.frames, 10, 3.0)

    with tempfile.TemporaryDirectory(prefix="nnbook-pg-bench-") as tmp:
        site = test_book.Site(_page(Path(tmp)))
        driver = test_book.open_browser()
        try:
            print(
                f"browser: {driver.capabilities.get('browserVersion', '?')} (headless)"
            )
            _open(driver, site.url + "index.html")
            m = driver.execute_script(MEASURE_FRAMES, frames, warm)
            if m["sizes"] != [16, 16, 2] or m["rows"] + m["valRows"] != 1000:
                raise SystemExit(f"unexpected default setup: {m}")
            if m["diverged"]:
                raise SystemExit(f"the default run diverged: {m['diverged']}")
            default_play = driver.execute_async_script(PLAY, seconds)
            driver.execute_script(SET_CONTROL, "hidden", "256, 256, 256, 256, 256, 256")
            driver.execute_script(SET_CONTROL, "batch", "8")
            big_play = driver.execute_async_script(PLAY, seconds)
        finally:
            test_book.close_browser(driver)
            site.close()

    def summary(xs: list[float]) -> str:
        ordered = sorted(xs)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return (
            f"median {statistics.median(xs):.2f} ms, min {min(xs):.2f}, p95 {p95:.2f}, "
            f"max {max(xs):.2f}"
        )

    print(
        f"2-16-16-2, {m['rows']} training + {m['valRows']} validation points, full batch, "
        f"{frames} frames after {warm} of warm-up:"
    )
    print(
        f"  Train frame (up to 5 epochs, 10 ms budget, + redraw): {summary(m['frame'])}"
    )
    print(
        f"  one epoch (step + validation loss):                   {summary(m['epoch'])}"
    )
    print(
        f"  one redraw (64 x 64 map, points, curves, network):    {summary(m['redraw'])}"
    )
    for label, run in (
        ("2-16-16-2, full batch", default_play),
        ("6 x 256 units, batch 8", big_play),
    ):
        gaps = run["gaps"][1:]  # the first gap is the wait for the first frame
        print(
            f"  Train for {seconds:g} s, {label}: {len(gaps) / seconds:.0f} frames/s, "
            f"{run['epochs'] / seconds:.1f} epochs/s, {run['steps'] / seconds:.0f} steps/s, "
            f"longest gap between frames {max(gaps):.0f} ms"
        )
    median = statistics.median(m["frame"])
    verdict = (
        "not evaluated (--quick)"
        if args.quick
        else ("HOLDS" if median <= FRAME_MS else "MISSED")
    )
    print(
        f"target: a Train frame of the 2-16-16-2 network <= {FRAME_MS:.1f} ms (one 60 Hz "
        f"frame), median {median:.2f} ms: {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
