"""Fast pictures of maps and kernels for the live filter explorer: palette PNGs.

Drawing only; the maps themselves come from :mod:`cnnedu.topics.filter_response`.
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import as_float_array, check_ndim, describe
from cnnedu.viz.render import GRID, SIGNED_CMAP, encode_indexed, palette_indices, to_png

__all__ = ["map_png", "kernel_png"]


def map_png(a, *, signed: bool = False, vmin: float | None = None,
            vmax: float | None = None, cmap: str | None = None) -> bytes:
    """A 2-D map as an 8-bit palette PNG (one byte per pixel, stored uncompressed): a
    256x256 panel costs about 1 ms, where an RGB PNG costs several.

    Colours as :func:`cnnedu.viz.render.colorize`: grey from ``vmin`` to ``vmax`` (default the
    finite min and max), or with ``signed`` a diverging colormap centred on 0 with limits
    ``±max|a|`` (or ``±vmax``); NaN and inf are magenta.

    >>> from cnnedu.viz.render import png_to_array
    >>> rgb = png_to_array(map_png(np.array([[-1.0, 0.0, 1.0, np.nan]]), signed=True))
    >>> rgb.shape[:2], rgb[0, 1, :3].tolist(), rgb[0, 3, :3].tolist()  # 0 is white-ish
    ((1, 4), [247, 246, 246], [255, 0, 255])
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"map_png: a must have shape (H, W), not empty; got {describe(a)}")
    return to_png(a, signed=signed, vmin=vmin, vmax=vmax, cmap=cmap)


def kernel_png(kernel, cell: int = 30) -> bytes:
    """The kernel as the filter sees it, as a palette PNG: each weight a ``cell``-pixel
    square in the diverging colormap centred on 0 (red positive, blue negative), with grey
    grid lines between the cells; shape ``(k * cell + 1, k * cell + 1)``.

    >>> from cnnedu.viz.render import png_to_array
    >>> png_to_array(kernel_png(np.eye(3), cell=8)).shape[:2]
    (25, 25)
    """
    k = as_float_array(kernel, "kernel", "kernel_png")
    check_ndim(k, 2, "kernel", "kernel_png", "(kh, kw)")
    if isinstance(cell, bool) or not isinstance(cell, (int, np.integer)) or cell < 2:
        raise ValueError(f"kernel_png: cell must be an integer >= 2; got {cell!r}")
    small = palette_indices(k.astype(np.float64), signed=True)
    kh, kw = k.shape
    idx = np.full((kh * cell + 1, kw * cell + 1), GRID, dtype=np.uint8)
    idx[:-1, :-1] = np.repeat(np.repeat(small, cell, axis=0), cell, axis=1)
    idx[::cell, :] = GRID
    idx[:, ::cell] = GRID
    return encode_indexed(idx, SIGNED_CMAP)
