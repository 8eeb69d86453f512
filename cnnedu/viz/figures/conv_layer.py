"""Figures of a conv layer's forward pass (notebook 02), in the series style.

- :func:`show_maps`: many feature maps in a grid, each on its own colour scale (so weak
  and strong maps are both legible), with a title per map.
- :func:`show_decomposition`: one filter's forward pass channel by channel (the static
  twin of the channel explorer): the three slices and the bias above, each slice's
  response, the sum and the feature map below.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = show_maps(np.zeros((3, 4, 4)), ["a", "b", "c"], ncols=2)
>>> len(fig.axes)
4
>>> plt.close(fig)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from cnnedu.viz.plotting import show_array, show_grid, style

__all__ = ["show_maps", "show_decomposition"]


def show_maps(maps, titles, *, ncols: int = 5, size: float = 1.9, suptitle: str = "",
              colorbars: bool = False):
    """Draw maps (K, H, W) in a grid, each on its own scale (grey, or diverging if signed).

    With ``colorbars`` each map gets its own colorbar (use it for signed maps, whose
    scales differ).
    """
    if not colorbars:
        return show_grid(maps, titles=titles, ncols=ncols, size=size, suptitle=suptitle,
                         shared_scale=False)
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3 or len(titles) != maps.shape[0]:
        raise ValueError(f"show_maps: maps must have shape (K, H, W) with one title each; "
                         f"got maps of shape {maps.shape} and {len(titles)} titles")
    k = maps.shape[0]
    nrows = -(-k // ncols)
    with style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(size * 1.25 * ncols, size * nrows + 0.5),
                                 squeeze=False)
        for idx, ax in enumerate(axes.flat):
            if idx < k:
                show_array(ax, maps[idx], title=titles[idx], colorbar=True)
            else:
                ax.axis("off")
        if suptitle:
            fig.suptitle(suptitle, fontweight="bold")
    return fig


def show_decomposition(d, *, name: str = "", channel_names=("red", "green", "blue")):
    """Draw a :class:`cnnedu.topics.channels.ChannelDecomposition` (3 input channels).

    Top row: the slices ``w[f, c]`` (annotated, one shared diverging scale). Middle row:
    each slice's response (one diverging scale shared with the sum, so their sizes
    compare). Bottom row: the bias (annotated, on the scale of the sum it is added to, so
    its size compares with it), the sum, and the activated feature map.
    """
    C = d.slices.shape[0]
    if C != len(channel_names):
        raise ValueError(f"show_decomposition: expected {len(channel_names)} channels; "
                         f"got slices of shape {d.slices.shape}")
    wlim = float(np.abs(d.slices).max()) or 1.0
    rlim = float(max(np.abs(d.responses).max(), np.abs(d.total).max())) or 1.0
    with style():
        # three rows of three panels, about 600 px wide: annotated weights stay legible
        # when the notebook is shown at 1024 px (figures shrink to about 580 px there)
        ncols = max(C, 3)
        fig, axes = plt.subplots(3, ncols, figsize=(2.45 * ncols, 7.6), squeeze=False)
        for ax in list(axes[0, C:]) + list(axes[1, C:]) + list(axes[2, 3:]):
            ax.axis("off")
        for c in range(C):
            show_array(axes[0, c], d.slices[c], title=f"slice w[f, {c}] ({channel_names[c]})",
                       signed=True, vmax=wlim, colorbar=c == C - 1, fontsize=11)
            show_array(axes[1, c], d.responses[c], title=f"{channel_names[c]} response",
                       signed=True, vmax=rlim, colorbar=c == C - 1)
        show_array(axes[2, 0], np.array([[d.bias]]), title="bias b[f]\n(scale of the sum)",
                   signed=True, vmax=rlim, colorbar=False, annotate=True, fontsize=11)
        show_array(axes[2, 1], d.total, title="sum of the responses", signed=True, vmax=rlim,
                   colorbar=False)
        show_array(axes[2, 2], d.activated, title=f"{d.activation}(sum + bias)\n(its own scale)",
                   signed=True)
        if name:
            fig.suptitle(f"{name}: feature map = {d.activation}(sum + b[f])", fontweight="bold")
    return fig
