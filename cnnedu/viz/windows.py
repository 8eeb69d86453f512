"""The windows of a conv layer drawn on its padded input, as an RGB array (for the shape
calculator and notebook 02's figures).

The sizes come from :mod:`cnnedu.topics.shapes`; this module only draws.
"""
from __future__ import annotations

import numpy as np

from cnnedu._validate import integer
from cnnedu.topics.shapes import output_size, padding_amounts
from cnnedu.viz.render import upscale

__all__ = ["WINDOW_COLORS", "draw_windows", "draw_no_window", "plot_windows"]

_INPUT = np.array((255, 255, 255), np.uint8)
_PAD = np.array((200, 200, 200), np.uint8)
_UNCOVERED = np.array((255, 205, 205), np.uint8)
_UNCOVERED_PAD = np.array((215, 160, 160), np.uint8)
_GRID = np.array((150, 150, 150), np.uint8)
_TAP = np.array((255, 226, 140), np.uint8)


def _cell_colours(size, kernel, before, P, out, stride, dilation) -> np.ndarray:
    """The colour of every cell of the padded input, (P, P, 3) uint8: input white, padding
    grey, cells no window reaches (dropped by the floor) pink, the first window's taps
    yellow (none when ``out`` is 0: no window fits)."""
    grid = np.empty((P, P, 3), np.uint8)
    grid[:] = _PAD
    grid[before:before + size, before:before + size] = _INPUT
    reach = (out - 1) * stride + dilation * (kernel - 1) + 1 if out else 0
    unreached = np.zeros((P, P), bool)
    unreached[reach:, :] = True
    unreached[:, reach:] = True
    is_input = np.zeros((P, P), bool)
    is_input[before:before + size, before:before + size] = True
    grid[unreached & is_input] = _UNCOVERED
    grid[unreached & ~is_input] = _UNCOVERED_PAD
    if out:
        taps = np.arange(kernel) * dilation
        grid[np.ix_(taps, taps)] = _TAP
    return grid


#: Outline colours of successive windows (RGB), cycled.
WINDOW_COLORS = np.array([
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (23, 190, 207), (188, 189, 34)], dtype=np.uint8)


def draw_windows(size, kernel, *, stride=1, padding=0, dilation=1,
                 cell: int | None = None, target: int = 380) -> np.ndarray:
    """Draw the windows of a square ``size x size`` input as an RGB picture.

    The padded input is a grid of cells: input cells white, padding cells grey, cells no
    window reaches (dropped by the floor) pink (darker pink for padding). The windows of the first output row
    (``i = 0``, every ``j``) are outlined in successive colours, each a little inset so
    neighbours stay distinguishable; the taps of the first window are filled yellow (with
    dilation they are spread out); the last window (bottom right) is outlined in black.

    Parameters
    ----------
    size, kernel, stride, padding, dilation
        As in :func:`output_size` (``padding`` an integer, a pair or a mode).
    cell : int, optional
        Pixels per cell; by default chosen so the picture is about ``target`` pixels.

    Returns
    -------
    ndarray, shape (P*cell + 1, P*cell + 1, 3), dtype uint8
        ``P`` is the padded length ``size + p_before + p_after``.

    Raises
    ------
    ValueError
        For impossible settings (as :func:`output_size`).

    Examples
    --------
    >>> rgb = draw_windows(5, 3, padding=1, cell=10)
    >>> rgb.shape, rgb.dtype.name
    ((71, 71, 3), 'uint8')
    >>> [[int(v) for v in rgb[r, r]] for r in (65, 35, 15)]  # padding, input, a tap
    [[200, 200, 200], [255, 255, 255], [255, 226, 140]]
    """
    out = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    before, after = padding_amounts(kernel, padding, dilation=dilation, stride=stride,
                                    func="draw_windows")
    P = size + before + after
    if cell is None:
        cell = max(4, min(40, -(-target // P)))   # at least ``target`` pixels wide
    cell = integer(cell, "cell", "draw_windows", minimum=2, expected=">= 2")
    # cell colours on the padded grid (P, P, 3), then enlarge
    grid = _cell_colours(size, kernel, before, P, out, stride, dilation)
    rgb = np.empty((P * cell + 1, P * cell + 1, 3), np.uint8)
    rgb[:P * cell, :P * cell] = upscale(grid, cell)
    rgb[-1, :] = _GRID
    rgb[:, -1] = _GRID
    rgb[::cell, :] = _GRID
    rgb[:, ::cell] = _GRID
    span = dilation * (kernel - 1) + 1
    thick = 2 if cell >= 8 else 1
    for j in range(out):
        inset = (j % 3) * thick if cell >= 10 else 0
        _outline(rgb, 0, j * stride * cell, span * cell, WINDOW_COLORS[j % len(WINDOW_COLORS)],
                 inset, thick)
    last = (out - 1) * stride * cell
    _outline(rgb, last, last, span * cell, np.array((0, 0, 0), np.uint8), 0, thick)
    return rgb


def _outline(rgb, top, left, length, color, inset, thick) -> None:
    """Draw a square outline of side ``length`` pixels at (top, left), inset by ``inset``."""
    t, l = top + inset, left + inset
    b, r = top + length - inset, left + length - inset
    b, r = min(b, rgb.shape[0] - 1), min(r, rgb.shape[1] - 1)
    if b - t < 2 * thick or r - l < 2 * thick:
        return
    rgb[t:t + thick, l:r + 1] = color
    rgb[b - thick + 1:b + 1, l:r + 1] = color
    rgb[t:b + 1, l:l + thick] = color
    rgb[t:b + 1, r - thick + 1:r + 1] = color


def draw_no_window(size, kernel, *, padding=0, dilation=1, cell: int | None = None,
                   target: int = 380) -> np.ndarray:
    """The padded input when **no** window fits (the kernel spans more than it): every
    cell pink (never reached), no taps and no windows drawn.

    ``padding`` that cannot be resolved (``"same"`` with a stride) is drawn as no padding.

    >>> draw_no_window(3, 5, cell=10).shape
    (31, 31, 3)
    """
    try:
        before, after = padding_amounts(kernel, padding, dilation=dilation,
                                        func="draw_no_window")
    except ValueError:
        before = after = 0
    P = size + before + after
    if cell is None:
        cell = max(4, min(40, -(-target // P)))
    cell = integer(cell, "cell", "draw_no_window", minimum=2, expected=">= 2")
    grid = np.empty((P, P, 3), np.uint8)
    grid[:] = _UNCOVERED_PAD
    grid[before:before + size, before:before + size] = _UNCOVERED
    rgb = np.empty((P * cell + 1, P * cell + 1, 3), np.uint8)
    rgb[:P * cell, :P * cell] = upscale(grid, cell)
    rgb[-1, :] = _GRID
    rgb[:, -1] = _GRID
    rgb[::cell, :] = _GRID
    rgb[:, ::cell] = _GRID
    return rgb


def plot_windows(ax, size, kernel, *, stride=1, padding=0, dilation=1) -> int:
    """Draw the windows of a ``size x size`` input with vector lines on a matplotlib axes.

    The same picture as :func:`draw_windows` (padding grey, unreached cells pink, the taps of
    the first window yellow, the windows of the first output row outlined in successive
    colours, the last window in black, dashed) but as patches, so every grid line and
    outline stays sharp at any size. One cell is one unit; the axes are turned off.

    Returns
    -------
    int
        The output size ``H_out`` (0 when no window fits: then every cell is pink).
    """
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Rectangle

    try:
        out = output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    except ValueError:
        out = 0
    try:
        before, after = padding_amounts(kernel, padding, dilation=dilation, stride=stride,
                                        func="plot_windows")
    except ValueError:
        before = after = 0
    P = size + before + after
    grid = _cell_colours(size, kernel, before, P, out, stride, dilation)  # one P x P image
    ax.imshow(grid, extent=(0, P, P, 0), interpolation="nearest")
    # grid lines as vectors, on top of the cells
    t = np.arange(P + 1)
    segments = [((0, v), (P, v)) for v in t] + [((v, 0), (v, P)) for v in t]
    ax.add_collection(LineCollection(segments, colors=[_GRID / 255], linewidths=0.8))
    span = dilation * (kernel - 1) + 1
    for j in range(out):
        inset = 0.08 + 0.1 * (j % 3)
        ax.add_patch(Rectangle((j * stride + inset, inset), span - 2 * inset, span - 2 * inset,
                               fill=False, lw=2.2,
                               edgecolor=WINDOW_COLORS[j % len(WINDOW_COLORS)] / 255))
    if out:
        last = (out - 1) * stride
        ax.add_patch(Rectangle((last + 0.04, last + 0.04), span - 0.08, span - 0.08,
                               fill=False, lw=2.2, ls="--", edgecolor="black"))
    ax.set_xlim(-0.05, P + 0.05)
    ax.set_ylim(P + 0.05, -0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    return out
