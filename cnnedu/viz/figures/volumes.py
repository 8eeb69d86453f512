"""A convolutional layer drawn as volumes: the input ``(C, H, W)``, the ``F`` filters of
``(C, kh, kw)`` and the output ``(F, H_out, W_out)``, with their shapes written on them
(the picture CS231n draws, here from the shapes themselves).

Boxes are drawn in an oblique projection and are not to scale (a 256x256 map and a 5x5
window could not both be seen); the labels carry the true numbers, and ``H_out``, ``W_out``
come from :func:`cnnedu.nn.conv.output_size`.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = conv_layer_volumes(3, 32, 32, 8, 5, 5, padding=2)
>>> "(8, 32, 32)" in " ".join(t.get_text() for t in fig.axes[0].texts)
True
>>> plt.close(fig)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon

from cnnedu._validate import integer
from cnnedu.nn.conv import output_size
from cnnedu.viz.plotting import style

__all__ = ["conv_layer_volumes", "box_faces"]

_DX, _DY = 0.55, 0.35          # the depth axis, drawn up and to the right
_INPUT, _FILTER, _OUTPUT = "#9ecae1", "#fdae6b", "#a1d99b"


def box_faces(x, y, width, height, depth):
    """The three visible faces (front, top, side) of a box whose front face has its
    lower-left corner at ``(x, y)``; ``depth`` runs along the oblique axis.

    Returns
    -------
    list of ndarray, shape (4, 2)
        Corner points of the front, top and right-side faces.

    >>> [f.shape for f in box_faces(0, 0, 2, 1, 1)]
    [(4, 2), (4, 2), (4, 2)]
    """
    dx, dy = depth * _DX, depth * _DY
    front = np.array([[x, y], [x + width, y], [x + width, y + height], [x, y + height]])
    top = np.array([[x, y + height], [x + width, y + height],
                    [x + width + dx, y + height + dy], [x + dx, y + height + dy]])
    side = np.array([[x + width, y], [x + width + dx, y + dy],
                     [x + width + dx, y + height + dy], [x + width, y + height]])
    return [front, top, side]


def _box(ax, x, y, width, height, depth, color, alpha=1.0, lw=1.2):
    for face, shade in zip(box_faces(x, y, width, height, depth), (1.0, 0.85, 0.7)):
        rgb = np.array(plt.matplotlib.colors.to_rgb(color)) * shade
        ax.add_patch(Polygon(face, closed=True, facecolor=rgb, edgecolor="black",
                             linewidth=lw, alpha=alpha))


def _depth(n: int) -> float:
    """Drawn depth for ``n`` channels: grows with n, but slowly (not to scale)."""
    return 0.5 + 0.6 * np.log2(1 + n)


def conv_layer_volumes(C, H, W, F, kh, kw, *, stride=1, padding=0):
    """Draw one conv layer as volumes: input ``(C, H, W)``, ``F`` filters ``(C, kh, kw)``
    and output ``(F, H_out, W_out)``, with one window and the output value it makes.

    Parameters
    ----------
    C, H, W : int
        Input channels, rows and columns.
    F, kh, kw : int
        Number of filters and their rows and columns.
    stride, padding : int
        As in :func:`cnnedu.nn.conv.conv2d`;
        ``H_out = (H + 2*padding - kh) // stride + 1``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    C, H, W, F, kh, kw = (integer(v, name, "conv_layer_volumes", minimum=1) for v, name in
                          zip((C, H, W, F, kh, kw), ("C", "H", "W", "F", "kh", "kw")))
    H_out = output_size(H, kh, stride=stride, padding=padding)
    W_out = output_size(W, kw, stride=stride, padding=padding)
    with style(**{"figure.constrained_layout.use": False}):
        fig, ax = plt.subplots(figsize=(7.2, 4.3))     # at most about 580 px wide
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.88)
        # input volume: front face H x W (drawn 4 x 4), depth C
        ix, iy, side, dc = 0.0, 0.0, 4.0, _depth(C)
        _box(ax, ix, iy, side, side, dc, _INPUT)
        wsize = 1.1                                   # one window: kh x kw x C
        wx, wy = ix + 0.5, iy + side - 0.5 - wsize
        _box(ax, wx, wy, wsize, wsize, dc, _FILTER, alpha=0.9, lw=1.5)
        ax.text(ix + side / 2 + dc * _DX / 2, iy - 0.3,
                f"input x[n]: (C, H, W)\n= ({C}, {H}, {W})",
                ha="center", va="top", fontsize=11, fontweight="bold")
        ax.text(ix - 0.15, iy + side / 2, f"H = {H}", rotation=90, ha="right",
                va="center", fontsize=10)
        ax.text(ix + side / 2, iy + 0.15, f"W = {W}", ha="center", va="bottom", fontsize=10)
        ax.text(ix + side + dc * _DX + 0.15, iy + side / 2 + dc * _DY, f"C = {C}",
                ha="left", va="center", fontsize=10)
        ax.text(wx + wsize / 2, wy - 0.1, f"window\n({C}, {kh}, {kw})", ha="center",
                va="top", fontsize=9)
        # the filters: a column of small boxes (C, kh, kw); a few drawn
        fx, fsz, gap = 7.6, 0.8, 1.55
        shown = min(F, 3)
        tops = [0.35 + k * gap for k in range(shown)][::-1]
        for y0 in tops:
            _box(ax, fx, y0, fsz, fsz, dc, _FILTER)
        top_mid = tops[0] + fsz / 2
        ax.text(fx + (fsz + dc * _DX) / 2, tops[0] + fsz + dc * _DY + 0.2,
                f"F = {F} filters w: (F, C, kh, kw)\n= ({F}, {C}, {kh}, {kw})\n"
                f"bias b: ({F},)", ha="center", va="bottom", fontsize=10,
                fontweight="bold")
        if F > shown:
            ax.text(fx + (fsz + dc * _DX) / 2, 0.2, f"... {F} in all", ha="center",
                    va="top", fontsize=9)
        # output volume: H_out x W_out, depth F
        ox, oy, df = 13.9, 0.0, _depth(F)
        oside = side * min(1.0, max(0.35, H_out / H))
        _box(ax, ox, oy, oside, oside, df, _OUTPUT)
        cell = 0.28
        cx, cy = ox + 0.5, oy + oside - 0.5 - cell
        ax.add_patch(Polygon(box_faces(cx, cy, cell, cell, 0)[0], closed=True,
                             facecolor="#d62728", edgecolor="black"))
        ax.text(ox + (oside + df * _DX) / 2, oy - 0.3,
                f"output y[n]: (F, H_out, W_out)\n= ({F}, {H_out}, {W_out})",
                ha="center", va="top", fontsize=11, fontweight="bold")
        ax.text(ox + (oside + df * _DX) / 2, oy - 1.75,
                f"H_out = (H + 2*padding - kh) // stride + 1\n= ({H} + 2*{padding} - {kh})"
                f" // {stride} + 1 = {H_out}", ha="center", va="top", fontsize=9)
        ax.text(ox + oside + df * _DX + 0.15, oy + oside / 2 + df * _DY,
                f"F = {F}\n(one map\nper filter)", ha="left", va="center", fontsize=10)
        ax.text(ox + oside / 2, oy + 0.15, f"W_out = {W_out}", ha="center", va="bottom",
                fontsize=10)
        ax.text(ox - 0.15, oy + oside / 2, f"H_out = {H_out}", rotation=90, ha="right",
                va="center", fontsize=10)
        # the window, through one filter, to one number of one map
        ax.annotate("", xy=(fx - 0.1, top_mid),
                    xytext=(wx + wsize + dc * _DX + 0.05, wy + wsize / 2 + dc * _DY / 2),
                    arrowprops=dict(arrowstyle="->", color="black", lw=1.5))
        ax.annotate("", xy=(cx - 0.05, cy + cell / 2),
                    xytext=(fx + fsz + dc * _DX + 0.1, top_mid),
                    arrowprops=dict(arrowstyle="->", color="#d62728", lw=1.5))
        ax.text((fx + fsz + dc * _DX + ox) / 2 - 0.3, top_mid - 0.6,
                f"window . filter\n+ bias = one\nnumber ({C}*{kh}*{kw}\n= {C * kh * kw} "
                "products)", ha="center", va="top", fontsize=9, color="#d62728")
        ax.set_xlim(-1.7, 23.2)
        ax.set_ylim(-3.0, 7.4)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title("a convolutional layer as volumes\n(not to scale; the labels are the "
                     "true shapes)", fontsize=11, fontweight="bold")
    return fig
