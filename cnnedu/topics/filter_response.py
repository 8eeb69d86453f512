"""The plain functions behind the live filter explorer (:mod:`cnnedu.widgets.filter_explorer`).

One filter, one image: the raw response is the cross-correlation of the image with the
kernel ("valid": the kernel stays inside the image); then the bias is added and the
activation applied, as in one channel of a convolutional layer:

.. math::

    raw = image \\star kernel, \\qquad out = f(raw + b)

Everything the widget shows is computed here and tested without a browser: parsing what a
learner typed into the kernel's cells, resizing a kernel between 3x3 and 5x5, the images to
pick from, the response, and the pictures (RGB arrays) and captions of each panel.

>>> import numpy as np
>>> kernel, problems = parse_kernel([["0", "1", "0"], ["1", "-4", "1"], ["0", "1", "0"]])
>>> float(kernel.sum()), problems
(0.0, [])
>>> parse_kernel([["1", "x", "1"], ["0", "0", "0"], ["-1", "", "-1"]])[1]
["kernel[0, 1] = 'x': not a number", 'kernel[2, 1] is empty']
>>> res = filter_response(np.ones((5, 5)), kernel, bias=1.0, activation="relu")
>>> res.raw.shape, float(res.activated.max())
((3, 3), 1.0)
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from cnnedu.nn import activations
from cnnedu._validate import as_float_array, check_choice, check_ndim, describe
from cnnedu.nn.conv import correlate2d

__all__ = ["IMAGE_NAMES", "ACTIVATIONS", "KERNEL_LIMIT", "BIAS_LIMIT", "shapes_image",
           "TILE_NAMES", "TILE_LABELS", "diagonal_edge_tiles",
           "load_image", "parse_cell", "parse_kernel", "kernel_texts", "resize_kernel",
           "FilterResponse", "filter_response", "map_caption", "colour_limit", "scale_caption",
           "activation_label"]

#: The images the explorer offers: the shipped photographs (in grey) and a synthetic one.
IMAGE_NAMES = ("camera", "astronaut", "chelsea", "brick", "shapes")
#: The activations the explorer offers (a subset of :data:`cnnedu.nn.activations.NAMES`).
ACTIVATIONS = ("identity", "relu", "leaky_relu", "sigmoid", "tanh")
#: Largest absolute value accepted in a kernel cell and for the bias.
KERNEL_LIMIT = 1e6
BIAS_LIMIT = 1e6


def shapes_image(size: int = 256) -> np.ndarray:
    """A synthetic grey test picture, ``(size, size)`` in [0, 1]: a bright square, a dark
    disk, a thin bright horizontal and a thin bright vertical line, on mid-grey.

    Clean edges of known orientation: Sobel x lights up the square's left and right sides,
    Sobel y its top and bottom.

    >>> img = shapes_image(64)
    >>> img.shape, float(img.min()), float(img.max())
    ((64, 64), 0.0, 1.0)
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"shapes_image: size must be an integer >= 16; got {size!r}")
    n = int(size)
    img = np.full((n, n), 0.45)
    s = n / 256.0
    r0, r1, c0, c1 = (int(round(v * s)) for v in (40, 120, 30, 110))
    img[r0:r1, c0:c1] = 0.9                                         # bright square
    yy, xx = np.mgrid[0:n, 0:n]
    img[(yy - 80 * s) ** 2 + (xx - 190 * s) ** 2 <= (38 * s) ** 2] = 0.0  # dark disk
    w = max(1, int(round(3 * s)))
    row = int(round(185 * s))
    img[row:row + w, int(round(20 * s)):int(round(236 * s))] = 1.0  # horizontal line
    col = int(round(185 * s))
    img[int(round(150 * s)):int(round(240 * s)), col:col + w] = 1.0  # vertical line
    return img


#: The patterns of :func:`diagonal_edge_tiles`, target first.
TILE_NAMES = ("target", "opposite", "diagonal_135", "diagonal_135_opposite", "vertical",
              "vertical_opposite", "horizontal", "horizontal_opposite", "line", "flat")
#: Short display names of the tiles.
TILE_LABELS = {"target": "TARGET: 45°", "opposite": "45° reversed", "diagonal_135": "135°",
               "diagonal_135_opposite": "135° reversed", "vertical": "vertical",
               "vertical_opposite": "vert. reversed", "horizontal": "horizontal",
               "horizontal_opposite": "horiz. reversed", "line": "45° line", "flat": "flat"}


def diagonal_edge_tiles(held_out: bool = False) -> dict:
    """Small pictures of simple patterns, one per name in :data:`TILE_NAMES`, for
    designing a 45-degree edge detector.

    ``"target"`` is a 45-degree edge, dark above-left and bright below-right (bright where
    ``row + col >= s``); the others are the same edge with the other polarity, the other
    diagonal (135 degrees), vertical and horizontal edges (both polarities), a thin
    diagonal line and a bright flat tile. Every step has the same contrast, so a kernel
    wins on the target only by its pattern. ``held_out=True`` gives other sizes, edge
    positions and brightness levels (the pictures a check scores a kernel on).

    Returns
    -------
    dict of name -> ndarray, shape (n, n)
        ``n`` is 12 (9 when held out); values in [0, 1].

    >>> t = diagonal_edge_tiles()
    >>> list(t) == list(TILE_NAMES), t["target"].shape, float(t["target"][0, 0])
    (True, (12, 12), 0.2)
    """
    n, contrast, shift = (9, 0.5, 2) if held_out else (12, 0.6, 0)
    lows = (np.linspace(0.1, 0.4, len(TILE_NAMES)) if held_out
            else np.full(len(TILE_NAMES), 0.2))
    r, c = np.mgrid[0:n, 0:n]
    s = n - 1 + shift                                 # the edge: row + col = s
    masks = {
        "target": r + c >= s,
        "opposite": r + c < s,
        "diagonal_135": c - r >= 1 - shift,
        "diagonal_135_opposite": c - r < 1 - shift,
        "vertical": c >= n // 2 + shift // 2,
        "vertical_opposite": c < n // 2 + shift // 2,
        "horizontal": r >= n // 2 - shift // 2,
        "horizontal_opposite": r < n // 2 - shift // 2,
        "line": r + c == s,
        "flat": np.ones((n, n), dtype=bool),
    }
    return {name: lows[i] + contrast * masks[name].astype(float)
            for i, name in enumerate(TILE_NAMES)}


@lru_cache(maxsize=8)
def _cached(name: str) -> np.ndarray:
    if name == "shapes":
        img = shapes_image(256)
    else:
        from cnnedu.data import load_grey_image

        img = load_grey_image(name, size=256)
    img = np.ascontiguousarray(img, dtype=np.float64)
    img.setflags(write=False)
    return img


def load_image(name: str) -> np.ndarray:
    """One of :data:`IMAGE_NAMES` as a grey ``(256, 256)`` float64 array in [0, 1]
    (read-only; loaded once)."""
    check_choice(name, list(IMAGE_NAMES), "name", "explorer.load_image")
    return _cached(name)


def parse_cell(text, limit: float = KERNEL_LIMIT):
    """Parse one typed kernel value: ``(value, "")`` or ``(None, reason)``.

    A typographic minus (U+2212, as pasted from a formatted page) counts as ``-``.

    >>> parse_cell(" -0.5 "), parse_cell("1/9")[0] is None, parse_cell("nan")
    ((-0.5, ''), True, (None, 'not a finite number'))
    >>> parse_cell("\u22122")
    (-2.0, '')
    """
    s = str(text).strip().replace("\u2212", "-")
    if not s:
        return None, "empty"
    try:
        v = float(s)
    except ValueError:
        return None, "not a number"
    if not math.isfinite(v):
        return None, "not a finite number"
    if abs(v) > limit:
        return None, f"too large (the limit is ±{limit:g})"
    return v, ""


def parse_kernel(texts, limit: float = KERNEL_LIMIT):
    """Parse a square grid of typed values into a kernel.

    Parameters
    ----------
    texts : sequence of sequences of str, shape (k, k)
        What is typed in each cell, row by row.

    Returns
    -------
    kernel : ndarray, shape (k, k), or None
        None when any cell is bad.
    problems : list of str
        One line per bad cell, naming it as ``kernel[row, col]`` (counting from 0) and
        quoting what was typed.
    """
    rows = [list(r) for r in texts]
    k = len(rows)
    if k == 0 or any(len(r) != k for r in rows):
        raise ValueError(f"parse_kernel: texts must be a square grid (k rows of k cells); "
                         f"got rows of lengths {[len(r) for r in rows]}")
    kernel = np.zeros((k, k))
    problems = []
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            v, why = parse_cell(text, limit)
            if v is None:
                shown = str(text).strip()
                problems.append(f"kernel[{i}, {j}] is empty" if why == "empty"
                                else f"kernel[{i}, {j}] = {shown[:20]!r}: {why}")
            else:
                kernel[i, j] = v
    return (None if problems else kernel), problems


def kernel_texts(kernel) -> list[list[str]]:
    """The text to show in each cell of the kernel editor (short, exact for presets).

    >>> kernel_texts(np.array([[1 / 9, -2.0], [0.5, 1e7]]))
    [['0.1111', '-2'], ['0.5', '1e+07']]
    """
    k = as_float_array(kernel, "kernel", "kernel_texts")
    check_ndim(k, 2, "kernel", "kernel_texts", "(kh, kw)")
    out = []
    for row in k:
        cells = []
        for v in row:
            v = float(v)
            if math.isfinite(v) and v == int(v) and abs(v) < 1e6:
                cells.append(str(int(v)))
            else:
                cells.append(f"{v:.4g}")
        out.append(cells)
    return out


def resize_kernel(kernel, size: int) -> np.ndarray:
    """Embed a smaller kernel in the centre of a ``(size, size)`` zero kernel, or crop the
    centre of a larger one (so 3x3 -> 5x5 -> 3x3 gives the kernel back).

    >>> resize_kernel(np.ones((3, 3)), 5).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    k = as_float_array(kernel, "kernel", "resize_kernel")
    if k.ndim != 2 or k.shape[0] != k.shape[1] or k.shape[0] % 2 == 0:
        raise ValueError(f"resize_kernel: kernel must be square with an odd side (k, k); got "
                         f"{describe(k)}")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1 \
            or size % 2 == 0:
        raise ValueError(f"resize_kernel: size must be an odd integer >= 1; got {size!r}")
    n = k.shape[0]
    if size >= n:
        out = np.zeros((size, size))
        o = (size - n) // 2
        out[o:o + n, o:o + n] = k
        return out
    o = (n - size) // 2
    return k[o:o + size, o:o + size].copy()


class FilterResponse(NamedTuple):
    """What one filter does to one image (see :func:`filter_response`)."""

    raw: np.ndarray        #: image ⋆ kernel, shape (H - kh + 1, W - kw + 1)
    activated: np.ndarray  #: activation(raw + bias), same shape
    notes: list            #: warnings worth showing (e.g. an overflow), usually empty


def filter_response(image, kernel, bias: float = 0.0, activation: str = "identity",
                    mode: str = "valid") -> FilterResponse:
    r"""The response of one filter: raw, and after the bias and the activation.

    Parameters
    ----------
    image : ndarray, shape (H, W)
    kernel : ndarray, shape (kh, kw)
        Finite values.
    bias : float
        Added to every position of the raw response (one bias per filter).
    activation : str
        One of :data:`cnnedu.nn.activations.NAMES`.
    mode : {"valid", "same", "full"}
        As in :func:`cnnedu.nn.conv.correlate2d`.

    Returns
    -------
    FilterResponse
        ``raw = correlate2d(image, kernel, mode)`` and
        ``activated = activation(raw + bias)``, both float64; ``notes`` lists problems
        such as an overflow (the values are then not all finite).

    .. math::

        raw[i, j] = \sum_{u, v} image[i + u, j + v] \, kernel[u, v], \qquad
        activated = f(raw + b)

    >>> r = filter_response(np.eye(4), np.eye(2), bias=-1.5, activation="relu")
    >>> r.raw
    array([[2., 0., 0.],
           [0., 2., 0.],
           [0., 0., 2.]])
    >>> r.activated.diagonal()
    array([0.5, 0.5, 0.5])
    """
    func = "filter_response"
    image = as_float_array(image, "image", func).astype(np.float64, copy=False)
    kernel = as_float_array(kernel, "kernel", func).astype(np.float64, copy=False)
    check_ndim(image, 2, "image", func, "(H, W)")
    check_ndim(kernel, 2, "kernel", func, "(kh, kw)")
    if not np.all(np.isfinite(kernel)):
        raise ValueError(f"{func}: kernel must hold finite numbers; got NaN or inf")
    if not np.all(np.isfinite(image)):
        raise ValueError(f"{func}: image must hold finite numbers; got NaN or inf")
    if isinstance(bias, (bool, np.bool_)) or not isinstance(bias, (int, float, np.number)) \
            or np.ndim(bias) != 0:
        raise TypeError(f"{func}: bias must be one real number (one bias per filter); got "
                        f"{describe(bias)}")
    if not math.isfinite(float(bias)):
        raise ValueError(f"{func}: bias must be a finite number; got {bias!r}")
    check_choice(activation, list(activations.NAMES), "activation", func)
    with np.errstate(all="ignore"):
        raw = correlate2d(image, kernel, mode=mode)
        activated = activations.get(activation).forward(raw + float(bias))
    notes = []
    if not (np.all(np.isfinite(raw)) and np.all(np.isfinite(activated))):
        notes.append("the response overflowed (numbers beyond float64): those pixels are "
                     "magenta; use smaller kernel values")
    return FilterResponse(raw, activated, notes)


def map_caption(a, activation: str | None = None) -> str:
    """A one-line summary of a map for a panel caption: its range, and for ReLU the share
    set to zero.

    >>> map_caption(np.array([[-1.0, 0.0], [2.0, 3.0]]), "relu")
    'from -1 to 3; 50% zeroed'
    >>> map_caption(np.zeros((2, 2)))
    'all 0'
    """
    a = np.asarray(a, dtype=np.float64)
    fin = a[np.isfinite(a)]
    if fin.size == 0:
        return "no finite values"
    lo, hi = float(fin.min()), float(fin.max())
    text = f"all {lo:.4g}" if lo == hi else f"from {lo:.4g} to {hi:.4g}"
    if activation == "relu":
        text += f"; {100.0 * np.mean(a <= 0):.0f}% zeroed"
    return text


def colour_limit(a) -> float:
    """``max |a|`` over the finite values (0 if there are none): the limit of a signed
    panel's diverging colours.

    >>> colour_limit(np.array([[-3.0, 1.0], [np.inf, np.nan]]))
    3.0
    """
    a = np.asarray(a, dtype=np.float64)
    fin = a[np.isfinite(a)]
    return float(np.abs(fin).max()) if fin.size else 0.0


def scale_caption(a) -> str:
    """The colour scale a live panel uses for ``a``: the diverging map runs from
    ``-max|a|`` (blue) to ``+max|a|`` (red) over the finite values, so it rescales with
    every new map; the caption says so.

    >>> scale_caption(np.array([[-1.0, 0.5], [2.0, np.nan]]))
    'colours ±2 (rescaled to this map)'
    >>> scale_caption(np.zeros((2, 2)))
    'colours: all white (0)'
    """
    m = colour_limit(a)
    if m == 0.0:
        return "colours: all white (0)"
    return f"colours ±{m:.2g} (rescaled to this map)"


def activation_label(activation: str, bias: float) -> str:
    """What the activated panel shows, as a formula.

    >>> activation_label("relu", -0.5), activation_label("identity", 0.0)
    ('relu(response - 0.5)', 'identity(response + 0)')
    """
    sign = "-" if bias < 0 else "+"
    return f"{activation}(response {sign} {abs(bias):g})"
