"""The pictures of notebook 05's widgets, as RGB uint8 arrays for :mod:`cnnedu.viz.render`
(no matplotlib in the update path): the gradient-flow grids and a loss curve with axis
numbers drawn in a tiny bitmap font.

Colour code shared by the figures and the widgets: each weight ``w[u, v]`` has its own
colour (:func:`weight_colour`, colour-blind safe); an input cell read through ``w[u, v]``,
and an output cell that reached the chosen input through ``w[u, v]``, get that colour. The
chosen cell is black, framed in dark red; padding is light grey.

The public face is :mod:`cnnedu.viz.figures.backprop`, which re-exports every name.

>>> pics = gradflow_pictures("output", 0, 0, (4, 4), (3, 3))
>>> sorted(pics), pics["input"].dtype.name
(['input', 'kernel', 'output', 'padding', 'text'], 'uint8')
>>> curve_rgb([1.0, 0.1, 0.01]).shape, curve_rgb([1.0, 0.1], axes=True).shape
((160, 260, 3), (160, 260, 3))
"""
from __future__ import annotations

import numpy as np

from cnnedu.topics.gradflow import geometry, input_reach, input_grad_terms, output_window

__all__ = ["weight_colour", "grid_picture", "gradflow_pictures", "curve_rgb", "draw_text",
           "text_width", "WHITE", "PAD", "CHOSEN", "GRID", "FRAME", "ORANGE"]

WHITE = np.array([255, 255, 255], np.uint8)
PAD = np.array([225, 225, 225], np.uint8)
CHOSEN = np.array([20, 20, 20], np.uint8)
GRID = np.array([150, 150, 150], np.uint8)
FRAME = np.array([176, 0, 32], np.uint8)
ORANGE = np.array([255, 140, 0], np.uint8)


#: Colour-blind-safe weight colours: Paul Tol's "muted" scheme (9), then his "light"
#: scheme without its grey (8); https://personal.sron.nl/~pault/ (both designed to stay
#: distinct under the common colour-vision deficiencies).
_TOL = ["#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99",
        "#999933", "#AA4499",
        "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33",
        "#AAAA00"]


def _palette() -> np.ndarray:
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in _TOL], dtype=np.uint8)


_PALETTE = None


def weight_colour(index: int) -> np.ndarray:
    """RGB uint8 colour of weight number ``index`` (``u * kw + v``), 17 before repeating
    (a 3x3 kernel's nine weights get the nine colours of Tol's muted scheme)."""
    global _PALETTE
    if _PALETTE is None:
        _PALETTE = _palette()
    return _PALETTE[int(index) % len(_PALETTE)]


def grid_picture(colours: np.ndarray, cell: int = 24, outline=None) -> np.ndarray:
    """Enlarge an (H, W, 3) uint8 colour array to ``cell``-pixel squares with grey grid
    lines; ``outline`` (row, col) draws a thick dark-red frame around one cell."""
    colours = np.asarray(colours, dtype=np.uint8)
    H, W = colours.shape[:2]
    img = np.repeat(np.repeat(colours, cell, axis=0), cell, axis=1)
    img[::cell, :] = GRID
    img[:, ::cell] = GRID
    img = np.concatenate([img, np.tile(GRID, (1, W * cell, 1))], axis=0)
    img = np.concatenate([img, np.tile(GRID, (H * cell + 1, 1, 1))], axis=1)
    if outline is not None:
        r, c = outline
        t = max(2, cell // 8)
        r0, c0 = r * cell, c * cell
        img[r0:r0 + cell + 1, c0:c0 + t] = FRAME
        img[r0:r0 + cell + 1, c0 + cell + 1 - t:c0 + cell + 1] = FRAME
        img[r0:r0 + t, c0:c0 + cell + 1] = FRAME
        img[r0 + cell + 1 - t:r0 + cell + 1, c0:c0 + cell + 1] = FRAME
    return img


def gradflow_pictures(mode: str, r, c, in_hw, k_hw, *, stride=1, padding=0, dilation=1,
                      cell: int = 24) -> dict:
    """The three pictures of the gradient-flow explorer and a line of text.

    Parameters
    ----------
    mode : {"output", "input"}
        ``"output"``: ``(r, c)`` is an output cell; colour the input cells it read (by the
        weight that read them) and every weight. ``"input"``: ``(r, c)`` is an input cell;
        colour every output cell it reached, and the weights that carried it.

    Returns
    -------
    dict with ``"input"`` (the padded input, padding grey), ``"kernel"``, ``"output"``:
    RGB uint8 arrays, ``"text"``: the sum this picture stands for, and ``"padding"``:
    whether there is any.
    """
    if mode not in ("output", "input"):
        raise ValueError(f"gradflow_pictures: mode must be 'output' or 'input'; got {mode!r}")
    g = geometry(in_hw, k_hw, stride=stride, padding=padding, dilation=dilation,
                 func="gradflow_pictures")
    (Hp, Wp), (kh, kw), (ph, pw) = g.padded_hw, g.k_hw, g.padding
    inp = np.tile(PAD, (Hp, Wp, 1))
    inp[ph:ph + g.in_hw[0], pw:pw + g.in_hw[1]] = WHITE
    ker = np.tile(WHITE, (kh, kw, 1))
    out = np.tile(WHITE, (*g.out_hw, 1))
    kw_args = {"stride": g.stride, "padding": g.padding, "dilation": g.dilation}
    if mode == "output":
        wmap = output_window(r, c, g.in_hw, g.k_hw, **kw_args)
        for (a, b), idx in np.ndenumerate(wmap):
            if idx >= 0:
                inp[a, b] = weight_colour(idx)
        for u in range(kh):
            for v in range(kw):
                ker[u, v] = weight_colour(u * kw + v)
        out[r, c] = CHOSEN
        n_pad = int(np.sum(wmap >= 0) - np.sum(wmap[ph:ph + g.in_hw[0], pw:pw + g.in_hw[1]] >= 0))
        what = ("one product x_pad[.]*w[0,0]" if kh * kw == 1
                else f"sum of {kh * kw} products x_pad[.]*w[u,v]")
        text = (f"y[{r},{c}] = {what}"
                + (f"; {n_pad} of them read padding zeros" if n_pad else "")
                + f". Its gradient dY[{r},{c}] flows back to exactly these cells and weights."
                + (f" ({kh * kw} weights, {len(_TOL)} colours: some repeat.)"
                   if kh * kw > len(_TOL) else ""))
        return {"input": grid_picture(inp, cell), "kernel": grid_picture(ker, cell),
                "output": grid_picture(out, cell, outline=(r, c)), "text": text,
                "padding": bool(ph or pw)}
    terms = input_reach(r, c, g.in_hw, g.k_hw, **kw_args)
    inp[r + ph, c + pw] = CHOSEN
    for i, j, u, v in terms:
        out[i, j] = weight_colour(u * kw + v)
        ker[u, v] = weight_colour(u * kw + v)
    return {"input": grid_picture(inp, cell, outline=(r + ph, c + pw)),
            "kernel": grid_picture(ker, cell), "output": grid_picture(out, cell),
            "text": input_grad_terms(r, c, g.in_hw, g.k_hw, **kw_args),
            "padding": bool(ph or pw)}


# 3x5 bitmap digits for the axis numbers of live plots (no matplotlib in the update path)
_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001001001001", "8": "111101111101111",
    "9": "111101111001111", ".": "000000000000010", "-": "000000111000000",
    "+": "000010111010000", "e": "000011111100011", " ": "000000000000000",
}
_INK = np.array([60, 60, 60], np.uint8)


def text_width(text: str, scale: int = 2) -> int:
    """Width in pixels of ``text`` drawn by :func:`draw_text`."""
    return max(0, len(text) * 4 * scale - scale)


def draw_text(img: np.ndarray, text: str, row: int, col: int, scale: int = 2) -> None:
    """Draw digits, ``.``, ``-``, ``+``, ``e`` and spaces into ``img`` (in place), top-left
    corner at ``(row, col)``; characters are 3x5 cells enlarged ``scale`` times. Parts that
    fall outside the image are clipped."""
    H, W = img.shape[:2]
    for k, ch in enumerate(text):
        bits = np.array([int(b) for b in _GLYPHS.get(ch, _GLYPHS[" "])], bool).reshape(5, 3)
        glyph = np.repeat(np.repeat(bits, scale, axis=0), scale, axis=1)
        r0, c0 = row, col + k * 4 * scale
        rs, cs = slice(max(r0, 0), min(r0 + 5 * scale, H)), slice(max(c0, 0), min(c0 + 3 * scale, W))
        if rs.stop <= rs.start or cs.stop <= cs.start:
            continue
        sub = glyph[rs.start - r0:rs.stop - r0, cs.start - c0:cs.stop - c0]
        img[rs, cs][sub] = _INK


def _power_label(p: int) -> str:
    return "1" if p == 0 else f"1e{p}"


def _short_label(v: float) -> str:
    """At most four characters: ``5.5``, ``0.45``, ``12``, ``4e-5``."""
    if 0.1 <= abs(v) < 100:
        return f"{v:.2g}"
    if v == 0:
        return "0"
    m, e = f"{v:.0e}".split("e")
    return f"{m}e{int(e)}"


def curve_rgb(values, width: int = 260, height: int = 160, *, log: bool = True,
              marker=None, axes: bool = False, y_range=None, x_max=None) -> np.ndarray:
    """A line plot as an RGB uint8 array (for a live widget): ``values`` against their
    index, on a log scale by default; non-finite values are left out. A dotted grey line
    marks each power of ten. ``marker`` (an index) draws an orange dot there. With
    ``axes``, the powers of ten are labelled at the left and the first and last index
    below (the plot area shrinks to make room).

    ``y_range=(lo, hi)`` fixes the vertical scale (a diverging run climbs to the top instead
    of being rescaled into a falling-looking curve); values outside are drawn on the edge.
    ``x_max`` fixes the last index of the horizontal axis (default: the last value's).

    Vectorised (no loop over points), so thousands of values cost about a millisecond.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    if not axes:
        return _curve(v, width, height, log, marker, y_range, x_max)[0]
    left, bottom, scale = 34, 16, 2
    img = np.tile(WHITE, (height, width, 1))
    plot, ticks = _curve(v, width - left, height - bottom, log, marker, y_range, x_max)
    img[:height - bottom, left:] = plot
    for row, label in ticks[::max(1, (len(ticks) + 5) // 6)]:   # at most about 6 labels
        draw_text(img, label, row - 5 * scale // 2, left - 3 - text_width(label, scale), scale)
        img[row, left - 3:left] = GRID
    if v.size:
        top = height - bottom + 4
        draw_text(img, "0", top, left + 6 - scale, scale)
    n_last = v.size - 1 if x_max is None else int(x_max)
    if n_last > 0:
        last = str(n_last)
        draw_text(img, last, top, min(width - text_width(last, scale) - 1,
                                      width - 6 - text_width(last, scale) // 2), scale)
    return img


def _curve(v, width, height, log, marker, y_range=None, x_max=None):
    """The plot itself, and ``[(row, label)]`` for the axis: the power-of-ten lines drawn,
    or, when fewer than two fall in the range, the top and bottom values."""
    img = np.tile(WHITE, (height, width, 1))
    img[-1, :] = GRID
    img[:, 0] = GRID
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = np.isfinite(v) & ((v > 0) if log else True)
        y = np.log10(np.where(ok, v, 1.0)) if log else np.where(ok, v, 0.0)
    if ok.sum() == 0:
        return img, []
    idx = np.flatnonzero(ok)
    if y_range is not None:  # a fixed scale: what falls outside is drawn on the edge
        lo, hi = (float(np.log10(t)) if log else float(t) for t in y_range)
        y = np.clip(y, lo, hi)
    else:
        lo, hi = float(y[ok].min()), float(y[ok].max())
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    m = 6
    n_x = max(1, v.size - 1 if x_max is None else int(x_max))
    to_row = lambda val: m + (hi - val) / (hi - lo) * (height - 2 * m)  # noqa: E731
    to_col = lambda i: m + i / n_x * (width - 2 * m)  # noqa: E731
    ticks = []
    if log:
        for p in range(int(np.ceil(lo)), int(np.floor(hi)) + 1):
            row = int(round(to_row(p)))
            img[row, 1::3] = (200, 200, 200)
            ticks.append((row, _power_label(p)))
    if len(ticks) < 2:
        y_lo, y_hi = float(y[ok].min()), float(y[ok].max())
        vals = (10 ** y_hi, 10 ** y_lo) if log else (y_hi, y_lo)
        ends = [(int(round(to_row(y_hi))), _short_label(vals[0]))]
        if y_hi - y_lo > 1e-12:
            ends.append((int(round(to_row(y_lo))), _short_label(vals[1])))
        ticks = ends
    blue = np.array([31, 119, 180], np.uint8)
    cols = np.arange(int(round(to_col(idx[0]))), int(round(to_col(idx[-1]))) + 1)
    xs = (cols - m) / (width - 2 * m) * n_x
    rows = to_row(np.interp(xs, idx, y[idx]))
    r0 = np.minimum(rows, np.concatenate([rows[1:], rows[-1:]]))
    r1 = np.maximum(rows, np.concatenate([rows[1:], rows[-1:]]))
    rr = np.arange(height)[:, None]
    mask = (rr >= np.floor(r0) - 0.5) & (rr <= np.ceil(r1) + 0.5)
    sub = img[:, cols]
    sub[mask] = blue
    img[:, cols] = sub
    if marker is not None and 0 <= marker < v.size and ok[marker]:
        r, c = int(round(to_row(y[marker]))), int(round(to_col(marker)))
        img[max(0, r - 3):r + 4, max(0, c - 3):c + 4] = ORANGE
    return img, ticks
