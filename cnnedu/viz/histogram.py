"""Histograms drawn straight into RGB arrays (bars), for live widgets.

A matplotlib histogram costs about 100 ms to redraw; :func:`histogram_rgb` fills a small
uint8 image with bars in well under a millisecond, and :func:`cnnedu.viz.render.to_png` encodes
it. Several series share one set of bins and one height scale, drawn as translucent bars
over white, with a thin black line at 0 when 0 is in range.

>>> import numpy as np
>>> rgb = histogram_rgb([np.array([0.0, 0.1, 0.9])], value_range=(0.0, 1.0), bins=2,
...                     size=(10, 20))
>>> rgb.shape, rgb.dtype.name
((10, 20, 3), 'uint8')
>>> counts, edges = histogram_counts([np.array([0.0, 0.1, 0.9])], bins=2, value_range=(0, 1))
>>> counts.tolist(), edges.tolist()
([[2, 1]], [0.0, 0.5, 1.0])

:func:`axis_labels_html` writes the numbers of the value axis under such an image (the
image itself has no text: a live widget puts the labels beside it as HTML).
"""
from __future__ import annotations

import html
import numbers

import numpy as np

from cnnedu._validate import as_float_array, describe

__all__ = ["histogram_counts", "histogram_rgb", "axis_labels_html", "SERIES_COLORS"]

SERIES_COLORS = ((90, 90, 90), (230, 120, 20), (40, 110, 200))
"""Bar colours of the first, second and third series: grey, orange, blue."""


def _series(values, func):
    if isinstance(values, np.ndarray) or not isinstance(values, (list, tuple)):
        values = [values]
    if not values:
        raise ValueError(f"{func}: values must hold at least one array; got an empty list")
    return [as_float_array(v, f"values[{i}]", func).ravel() for i, v in enumerate(values)]


def histogram_counts(values, *, bins: int = 48, value_range=None):
    """Counts of each series in shared bins.

    Parameters
    ----------
    values : ndarray or list of ndarray
        Any shapes (flattened); non-finite values are left out.
    bins : int
    value_range : (lo, hi), optional
        Default: the finite minimum and maximum over all series (widened by 0.5 each way
        when they are equal).

    Returns
    -------
    counts : ndarray of int, shape (n_series, bins)
    edges : ndarray, shape (bins + 1,)
    """
    func = "histogram_counts"
    series = _series(values, func)
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, numbers.Integral) or bins < 1:
        raise ValueError(f"{func}: bins must be a positive integer; got {describe(bins)}")
    finite = [s[np.isfinite(s)] for s in series]
    if value_range is None:
        allv = np.concatenate(finite) if finite else np.array([])
        lo, hi = (float(allv.min()), float(allv.max())) if allv.size else (0.0, 1.0)
    else:
        try:
            lo, hi = (float(v) for v in value_range)
        except (TypeError, ValueError):
            raise ValueError(f"{func}: value_range must be a (lo, hi) pair of numbers; got "
                             f"{value_range!r}") from None
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi < lo:
            raise ValueError(f"{func}: value_range must be finite with lo <= hi; got {value_range!r}")
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    counts = np.stack([np.histogram(s, bins=edges)[0] for s in finite])
    return counts, edges


def histogram_rgb(values, *, bins: int = 48, value_range=None, size=(120, 240),
                  colors=SERIES_COLORS, alpha: float = 0.6, log: bool = False) -> np.ndarray:
    """Draw the histograms of one or more series as bars into an RGB image.

    Parameters
    ----------
    values, bins, value_range
        As in :func:`histogram_counts`.
    size : (height, width)
        In pixels, each at least 8.
    colors : sequence of (r, g, b)
        One per series (cycled).
    alpha : float in (0, 1]
        Opacity of each series' bars over what is below.
    log : bool
        Bar heights proportional to ``log(1 + count)`` instead of the count: a tall spike
        (most of a feature map near 0) then no longer flattens the tails to nothing.

    Returns
    -------
    rgb : ndarray of uint8, shape (height, width, 3)
        White background; bar heights are counts scaled to the tallest bar of all series;
        a one-pixel black line marks 0 when it lies inside the range.
    """
    func = "histogram_rgb"
    counts, edges = histogram_counts(values, bins=bins, value_range=value_range)
    try:
        h, w = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: size must be a (height, width) pair; got {size!r}") from None
    if h < 8 or w < 8:
        raise ValueError(f"{func}: size must be at least (8, 8); got {size!r}")
    if not 0 < alpha <= 1:
        raise ValueError(f"{func}: alpha must be in (0, 1]; got {alpha!r}")
    img = np.full((h, w, 3), 255.0)
    if log:
        counts = np.log1p(counts)
    top = counts.max()
    # the column range of each bin
    cols = np.clip(((edges - edges[0]) / (edges[-1] - edges[0]) * w).round().astype(int), 0, w)
    rows = np.arange(h)[:, None]
    col_bin = np.searchsorted(cols[1:], np.arange(w), side="right")  # bin of each column
    col_bin = np.minimum(col_bin, counts.shape[1] - 1)
    for k, c in enumerate(counts):
        height = np.zeros(w) if top == 0 else np.ceil(c[col_bin] / top * (h - 2))
        mask = rows >= (h - height)[None, :]
        colour = np.array(colors[k % len(colors)], dtype=float)
        img[mask] = (1 - alpha) * img[mask] + alpha * colour
    if edges[0] < 0 < edges[-1]:
        x0 = int(round(-edges[0] / (edges[-1] - edges[0]) * (w - 1)))
        img[:, x0] = 0
    return img.round().astype(np.uint8)


def axis_labels_html(lo: float, hi: float, width: int, *, fmt: str = ".2f") -> str:
    """The value axis of a histogram image ``width`` pixels wide spanning ``lo`` to ``hi``:
    ``lo`` at the left edge, ``hi`` at the right edge, and ``0`` where the image's black
    line is (when 0 is inside and not crowded against an end), as an HTML row.

    Positions follow :func:`histogram_rgb`: 0 sits at ``-lo / (hi - lo)`` of the width.

    >>> "1.00" in axis_labels_html(0.0, 1.0, 200), "left:50.0%" in axis_labels_html(-1, 1, 200)
    (True, True)
    >>> axis_labels_html(2.0, 1.0, 200)
    Traceback (most recent call last):
    ...
    ValueError: axis_labels_html: lo and hi must be finite with lo <= hi; got lo=2.0, hi=1.0
    """
    func = "axis_labels_html"
    try:
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: lo and hi must be numbers; got {lo!r}, {hi!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi < lo:
        raise ValueError(f"{func}: lo and hi must be finite with lo <= hi; got lo={lo!r}, hi={hi!r}")
    if isinstance(width, (bool, np.bool_)) or not isinstance(width, numbers.Integral) or width < 1:
        raise ValueError(f"{func}: width must be a positive integer; got {describe(width)}")

    def num(v):
        text = format(v, fmt)
        return "0" if float(text) == 0 else text      # never "-0.00"

    span = (f"<span style='position:absolute;{{}}'>{{}}</span>")
    parts = [span.format("left:0", html.escape(num(lo))),
             span.format("right:0", html.escape(num(hi)))]
    if lo < 0 < hi:
        at = -lo / (hi - lo)
        if 0.15 < at < 0.85:
            parts.append(span.format(f"left:{100 * at:.1f}%;transform:translateX(-50%)", "0"))
    return (f"<div class='cnnedu-axis' style='position:relative;width:{width}px;max-width:100%;"
            f"height:1.4em'>{''.join(parts)}</div>")
