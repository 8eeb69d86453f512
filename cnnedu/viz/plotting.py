"""Figures in one consistent style, applied in a context (nothing global on import).

- :func:`style` is a context manager with the series' rcParams.
- :func:`show_array` draws one array on an axis: grey for images, a diverging colormap
  centred on 0 with a colorbar for signed arrays, values annotated on small arrays.
- :func:`show_grid` draws many maps (feature maps, filters) in a grid.

>>> import numpy as np
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> with style():
...     fig, ax = plt.subplots()
...     im = show_array(ax, np.array([[1.0, -2.0], [0.5, 0.0]]), title="a kernel", signed=True)
>>> [t.get_text() for t in ax.texts]
['1', '-2', '0.5', '0']
>>> plt.close(fig)
"""
from __future__ import annotations

from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np

from cnnedu.viz.render import GREY_CMAP, SIGNED_CMAP, symmetric_limit

__all__ = ["style", "STYLE", "show_array", "show_grid", "fmt_value", "plt"]

STYLE = {
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "figure.figsize": (8, 4),
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "image.interpolation": "nearest",
    "legend.frameon": False,
    "figure.constrained_layout.use": True,
}


@contextmanager
def style(**overrides):
    """The series' figure style, for the figures made inside the ``with`` block."""
    with plt.rc_context({**STYLE, **overrides}):
        yield


def fmt_value(v: float) -> str:
    """Short text for an annotated cell: ``1``, ``-0.25``, ``0.333``, ``1.2e+03``."""
    if not np.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e4:
        return str(int(v))
    return f"{v:.3g}"


def show_array(ax, a, *, title: str = "", signed: bool | None = None,
               annotate: bool | None = None, colorbar: bool | None = None,
               vmin: float | None = None, vmax: float | None = None,
               cmap: str | None = None, fontsize: float | None = None):
    """Draw a 2-D array on ``ax`` and return the image.

    Parameters
    ----------
    a : array_like, shape (H, W)
    signed : bool, optional
        Diverging colormap centred on 0 with a colorbar. Default: True when ``a`` has
        negative values.
    annotate : bool, optional
        Write each value in its cell. Default: True for arrays up to 12x12.
    colorbar : bool, optional
        Default: True for signed arrays.
    """
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"show_array: a must have shape (H, W); got an array of shape {a.shape}")
    if signed is None:
        signed = bool(np.nanmin(a) < 0) if a.size else False
    if annotate is None:
        annotate = max(a.shape) <= 12
    if colorbar is None:
        colorbar = signed
    if signed:
        lim = symmetric_limit(a) if vmax is None else vmax
        vmin, vmax = -lim, lim
    im = ax.imshow(a, cmap=cmap or (SIGNED_CMAP if signed else GREY_CMAP), vmin=vmin, vmax=vmax)
    if title:
        ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    if annotate:
        lo, hi = im.get_clim()
        size = fontsize or (10 if max(a.shape) <= 6 else 8)
        for (i, j), v in np.ndenumerate(a):
            t = (v - lo) / (hi - lo) if hi > lo else 0.5
            dark = (abs(t - 0.5) > 0.3) if signed else (t < 0.5)
            ax.text(j, i, fmt_value(v), ha="center", va="center", fontsize=size,
                    color="white" if dark else "black")
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)
    return im


def show_grid(maps, *, titles=None, ncols: int = 5, signed: bool | None = None,
              suptitle: str = "", size: float = 1.8, annotate: bool = False,
              colorbar: bool = False, shared_scale: bool = True):
    """Draw a stack of 2-D maps, shape (K, H, W), in a grid; return the figure.

    With ``shared_scale`` (the default) all maps share one colour scale (symmetric for
    signed maps) so their strengths compare, with one optional colorbar for the whole
    grid. Without it, each map gets its own scale (grey, or diverging if it is signed),
    which shows the pattern of weak maps next to strong ones.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"show_grid: maps must have shape (K, H, W); got {maps.shape}")
    k = maps.shape[0]
    if titles is not None and len(titles) != k:
        raise ValueError(f"show_grid: need one title per map ({k}); got {len(titles)}")
    nrows = -(-k // ncols)
    with style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4),
                                 squeeze=False)
        im = None
        for idx, ax in enumerate(axes.flat):
            if idx >= k:
                ax.axis("off")
                continue
            title = titles[idx] if titles is not None else ""
            if not shared_scale:
                im = show_array(ax, maps[idx], title=title, signed=signed, annotate=annotate,
                                colorbar=False)
                continue
            grid_signed = bool(np.nanmin(maps) < 0) if signed is None else signed
            if grid_signed:
                im = show_array(ax, maps[idx], title=title, signed=True, annotate=annotate,
                                colorbar=False, vmax=symmetric_limit(maps))
            else:
                im = show_array(ax, maps[idx], title=title, signed=False, annotate=annotate,
                                colorbar=False, vmin=float(np.nanmin(maps)),
                                vmax=float(np.nanmax(maps)))
        if colorbar and shared_scale and im is not None:
            fig.colorbar(im, ax=axes, shrink=0.6)
        if suptitle:
            fig.suptitle(suptitle, fontweight="bold")
    return fig
