"""Figures without pyplot: every view owns a ``Figure`` on an Agg canvas and renders it to PNG.

pyplot would register each figure with the notebook backend, which then shows it a second
time at the end of the cell; a bare ``Figure`` is drawn only where we put its pixels (an
``ipywidgets.Image`` or a display handle), and the PNG bytes are what the executed notebook
stores, so the static book shows the last state of every view.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Pixels per inch of every rendered view, in CSS pixels (the size a browser lays it out at).
DPI = 80
#: Image pixels per CSS pixel of a widget's PNG. A browser shows a bigger PNG scaled down
#: (sharp, also on high-DPI screens); one shown scaled up, to fill its box, looks blurred.
PIXEL_RATIO = 2


def new_figure(width: float, height: float, dpi: int = DPI) -> Figure:
    """A ``Figure`` of ``width`` x ``height`` inches with its own Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=dpi, layout=None)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: Figure, pixel_ratio: float = PIXEL_RATIO) -> bytes:
    """Draw ``fig`` and return it as PNG bytes, ``pixel_ratio`` image pixels per figure pixel.

    At the default ratio 2 a figure of 8 x 3 inches at 80 dpi (640 x 240 CSS pixels) becomes
    a 1280 x 480 PNG: shown at 640 px, or stretched to a column up to twice that, it stays
    sharp. Compression level 1: the encoder is then several times faster than the default 6
    for images a few percent larger, which matters when a view is redrawn during training.
    """
    buf = io.BytesIO()
    fig.savefig(
        buf, format="png", dpi=fig.dpi * pixel_ratio, pil_kwargs={"compress_level": 1}
    )
    return buf.getvalue()


def png_css_width(png: bytes, pixel_ratio: float = PIXEL_RATIO) -> int:
    """The width in CSS pixels at which ``png`` (rendered ``pixel_ratio`` pixels per CSS pixel)
    shows sharp: its pixel width (read from the PNG header) divided by ``pixel_ratio``."""
    png = bytes(png)
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"png_css_width: expected PNG bytes, got {png[:8]!r}")
    return round(int.from_bytes(png[16:20], "big") / pixel_ratio)


def sharp_layout(css_width: int, **kwargs):
    """An ``ipywidgets.Layout`` for an ``Image`` that shows a PNG at ``css_width`` CSS pixels
    (narrower if its box is), never stretched wider: a flex box would otherwise stretch the
    image to the width of the output area and the browser would upscale its pixels.

    No margin (unless ``margin=`` is given): an image narrowed to 100% of a column narrower than
    ``css_width`` would, with the widgets' default 2 px on each side, overflow its box by 4 px
    and give the whole panel a sideways scroll bar."""
    import ipywidgets as w

    kwargs.setdefault("margin", "0")
    return w.Layout(
        width=f"{int(css_width)}px", max_width="100%", height="auto", **kwargs
    )


def in_notebook() -> bool:
    """True inside an IPython kernel, where ``display`` shows rich output."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def nice_ceiling(value: float) -> float:
    """The smallest number of the form 1, 2 or 5 times a power of ten that is >= ``value`` (> 0)."""
    if not value > 0 or not np.isfinite(value):
        raise ValueError(
            f"nice_ceiling: value must be a finite number > 0, got {value}"
        )
    power = 10.0 ** np.floor(np.log10(value))
    for m in (1, 2, 5, 10):
        # The tolerance absorbs the rounding of power * m (e.g. 3 * 0.1 is 0.30000000000000004).
        if m * power >= value * (1 - 1e-12):
            return float(m * power)
    return float(10 * power)


def rgba_png(rgba, compress_level: int = 1) -> bytes:
    """PNG bytes (RGB) of an (h, w, 4) uint8 RGBA buffer such as ``canvas.buffer_rgba()``.

    The figures are opaque, so the alpha channel is dropped: a quarter less to compress.
    """
    from PIL import Image

    buf = io.BytesIO()
    rgb = np.ascontiguousarray(np.asarray(rgba)[..., :3])
    Image.fromarray(rgb, "RGB").save(buf, format="png", compress_level=compress_level)
    return buf.getvalue()


class Blitter:
    """Re-render a figure in which only a few artists change, the way animations blit.

    The figure without its ``artists`` is drawn once and kept as a background; each ``png()``
    restores that background and draws just the changing artists over it. Axis limits, tick
    labels and other static parts change rarely: call ``invalidate()`` after changing them.
    """

    def __init__(self, fig: Figure, artists: list) -> None:
        self.figure = fig
        self.artists = list(artists)
        self._background = None

    def invalidate(self) -> None:
        """Make the next ``png()`` redraw the whole figure."""
        self._background = None

    def png(self) -> bytes:
        """The figure as PNG bytes, with the changing artists in their current state."""
        return rgba_png(self.rgba())

    def rgba(self) -> np.ndarray:
        """The figure as an (h, w, 4) uint8 array (a copy), changing artists in their current state."""
        canvas = self.figure.canvas
        if self._background is None:
            # "animated" artists are left out of a normal draw; set only while drawing the
            # background, so savefig of the same figure still shows everything.
            for a in self.artists:
                a.set_animated(True)
            try:
                canvas.draw()
            finally:
                for a in self.artists:
                    a.set_animated(False)
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for a in self.artists:
            if a.get_visible():
                self.figure.draw_artist(a)
        return np.array(canvas.buffer_rgba())
