"""Arrays to PNG bytes, fast, for live widgets.

Re-rendering a matplotlib figure costs about 100 ms; colour-mapping an array and encoding
it as PNG costs about a millisecond for a 256x256 panel. Widgets write these bytes into an
``ipywidgets.Image``. This module does the colour mapping; Pillow (a dependency of
matplotlib) encodes and decodes the PNG files.

Signed arrays (kernels, gradients, responses) use a diverging colormap centred on 0;
images use grey.

>>> import numpy as np
>>> png = to_png(np.arange(12.0).reshape(3, 4))
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> rgb = colorize(np.array([[-1.0, 0.0, 1.0]]), signed=True)
>>> rgb.shape, rgb.dtype.name
((1, 3, 3), 'uint8')
>>> [int(v) for v in rgb[0, 1]]  # 0 maps to the colormap's white centre
[246, 247, 247]

Both kinds of PNG decode back to exactly the colours they were given (palette PNGs
as RGBA; NaN in magenta):

>>> a = np.array([[-2.0, 0.0, 1.0], [np.nan, 2.0, -1.0]])
>>> back = png_to_array(to_png(a, signed=True))
>>> lut = np.frombuffer(_palette(SIGNED_CMAP), dtype=np.uint8).reshape(256, 3)
>>> back.shape, bool((back[..., :3] == lut[palette_indices(a, signed=True)]).all())
((2, 3, 4), True)
>>> [int(v) for v in back[1, 0]]
[255, 0, 255, 255]
>>> back = png_to_array(to_png(rgb))
>>> back.shape, bool((back == rgb).all())
((1, 3, 3), True)
"""
from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image

__all__ = ["colorize", "to_png", "png_to_array", "upscale", "symmetric_limit",
           "palette_indices", "encode_indexed", "LEVELS", "GRID", "MAGENTA"]

SIGNED_CMAP = "RdBu_r"
GREY_CMAP = "gray"


@lru_cache(maxsize=16)
def _lut(cmap: str) -> np.ndarray:
    """A (256, 3) uint8 lookup table for a matplotlib colormap (computed once)."""
    import matplotlib

    colors = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, 256))[:, :3]
    return np.round(colors * 255).astype(np.uint8)


def symmetric_limit(a: np.ndarray) -> float:
    """The largest finite absolute value of ``a`` (1.0 when there is none), for a colour
    scale centred on 0."""
    finite = np.abs(a[np.isfinite(a)])
    m = float(finite.max()) if finite.size else 0.0
    return m if m > 0 else 1.0


def colorize(a, *, signed: bool = False, vmin: float | None = None,
             vmax: float | None = None, cmap: str | None = None) -> np.ndarray:
    """Map a 2-D array to RGB uint8, shape (H, W, 3).

    Parameters
    ----------
    a : ndarray, shape (H, W)
    signed : bool
        Diverging colormap centred on 0 (limits ``±max|a|`` unless given).
    vmin, vmax : float, optional
        Colour limits; by default the array's finite min and max.
    cmap : str, optional
        A matplotlib colormap name (default: grey, or red-blue when ``signed``).

    Non-finite values (NaN, inf) are drawn in magenta so they are visible, never hidden.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"colorize: a must have shape (H, W); got an array of shape {a.shape}")
    finite = np.isfinite(a)
    if signed:
        lim = symmetric_limit(a) if vmax is None else float(vmax)
        lo, hi = -lim, lim
    else:
        vals = a[finite]
        lo = float(vals.min()) if vmin is None and vals.size else (vmin if vmin is not None else 0.0)
        hi = float(vals.max()) if vmax is None and vals.size else (vmax if vmax is not None else 1.0)
    span = hi - lo if hi > lo else 1.0
    idx = np.clip((np.where(finite, a, lo) - lo) * (255.0 / span), 0, 255).astype(np.uint8)
    rgb = _lut(cmap or (SIGNED_CMAP if signed else GREY_CMAP))[idx]
    if not finite.all():
        rgb[~finite] = (255, 0, 255)
    return rgb


def upscale(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement, so small arrays show crisp cells."""
    if factor <= 1:
        return rgb
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1)


# Palette PNGs: one byte per pixel. Colour levels 0..252 of the colormap (when signed, the
# centre level 126 is exactly 0), then three fixed colours.
LEVELS = 253           # colormap levels 0..252
GRID = 253             # palette index of grey grid lines
MAGENTA = 255          # palette index for NaN and inf


@lru_cache(maxsize=16)
def _palette(cmap: str) -> bytes:
    import matplotlib

    colors = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, LEVELS))[:, :3]
    rgb = np.round(colors * 255).astype(np.uint8)
    return rgb.tobytes() + bytes((150, 150, 150, 0, 0, 0, 255, 0, 255))


def palette_indices(a: np.ndarray, *, signed: bool = False, vmin: float | None = None,
                    vmax: float | None = None) -> np.ndarray:
    """Map a 2-D float array to palette indices (uint8, shape (H, W)).

    Limits as :func:`colorize`: ``vmin``..``vmax`` (default: the finite min and max), or
    ``±max|a|`` (or ``±vmax``) when ``signed``; NaN and inf get :data:`MAGENTA`.
    """
    finite = np.isfinite(a)
    all_finite = bool(finite.all())
    if signed:
        lim = symmetric_limit(a) if vmax is None else float(vmax)
        lo, hi = -lim, lim
    else:
        vals = a if all_finite else a[finite]
        lo = float(vmin) if vmin is not None else (float(vals.min()) if vals.size else 0.0)
        hi = float(vmax) if vmax is not None else (float(vals.max()) if vals.size else 1.0)
    span = hi - lo if hi > lo else 1.0
    with np.errstate(all="ignore"):
        scaled = (a - lo) * ((LEVELS - 1) / span) + 0.5
        np.clip(scaled, 0, LEVELS - 1, out=scaled)
        idx = scaled.astype(np.uint8)
    if not all_finite:
        idx[~finite] = MAGENTA
    return idx


def encode_indexed(idx: np.ndarray, cmap: str) -> bytes:
    """Encode palette indices (uint8, (H, W)) as a PNG with ``cmap``'s palette.

    Stored without compression (zlib level 0): for a 256x256 panel, compressing costs more
    time in the kernel than sending the extra bytes to the browser saves.
    """
    image = Image.fromarray(np.ascontiguousarray(idx, dtype=np.uint8))   # mode "L"
    image.putpalette(_palette(cmap))                                      # now mode "P"
    return _save(image, compress_level=0)


def _save(image: Image.Image, *, compress_level: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=compress_level)
    return out.getvalue()


def _factor(min_size: int, shape) -> int:
    """The whole enlargement factor that brings ``max(shape)`` nearest to ``min_size``."""
    return max(1, round(min_size / max(shape)))


def to_png(a, *, signed: bool = False, min_size: int = 0, **kwargs) -> bytes:
    """Encode an array as PNG bytes.

    ``a`` is either RGB uint8 (H, W, 3), encoded as RGB, or a 2-D array, colour-mapped as
    by :func:`colorize` (``signed``, ``vmin``, ``vmax``, ``cmap`` in ``kwargs``) and
    encoded as a palette PNG (one byte per pixel: about 1 ms for 256x256). ``min_size``
    enlarges small arrays by the whole factor that brings their longer side nearest to
    it, so a 3x3 kernel shows crisp cells while a 128x128 map for a 150-pixel panel is
    sent as it is (the browser scales it; panels render pixelated).
    """
    a = np.asarray(a)
    if a.ndim == 2:
        a = np.asarray(a, dtype=np.float64)
        cmap = kwargs.pop("cmap", None) or (SIGNED_CMAP if signed else GREY_CMAP)
        idx = palette_indices(a, signed=signed, **kwargs)
        if min_size:
            idx = upscale(idx, _factor(min_size, idx.shape))
        return encode_indexed(idx, cmap)
    rgb = a if (a.ndim == 3 and a.dtype == np.uint8) else colorize(a, signed=signed, **kwargs)
    if min_size:
        rgb = upscale(rgb, _factor(min_size, rgb.shape[:2]))
    return _save(Image.fromarray(np.ascontiguousarray(rgb)), compress_level=1)


def png_to_array(png: bytes) -> np.ndarray:
    """Decode PNG bytes to a uint8 array, shape (H, W, 3) for RGB, else (H, W, 4) (RGBA;
    palette PNGs too). For tests."""
    with Image.open(io.BytesIO(png)) as image:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        return np.asarray(image, dtype=np.uint8).copy()
