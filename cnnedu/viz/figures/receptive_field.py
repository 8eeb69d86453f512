"""The receptive field drawn: which input pixels one output of layer 1, 2, 3 sees.

Each panel is :func:`cnnedu.topics.receptive_field.paths_to_output` for the first ``l``
layers of a stack (grey: how many paths lead from each input pixel to the one output), with
the square of side :func:`~cnnedu.topics.receptive_field.receptive_field` outlined in red
where the paths begin: the formula and the count agree when the outline fits the grey
patch exactly.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = show_receptive_fields({"3x3, stride 1": [(3, 1)] * 2}, size=9)
>>> len(fig.axes)
4
>>> plt.close(fig)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from cnnedu.topics.receptive_field import paths_to_output, receptive_field
from cnnedu.viz.plotting import show_array, style

__all__ = ["show_receptive_fields"]


def show_receptive_fields(stacks: dict, *, size: int = 19, panel: float = 2.7):
    """One row per stack (``name -> [(k, s) or (k, s, d), ...]``), one panel per depth."""
    depth = max(len(v) for v in stacks.values())
    with style():
        fig, axes = plt.subplots(len(stacks), depth, squeeze=False,
                                 figsize=(panel * 1.22 * depth, panel * len(stacks) + 0.6))
        for row, (name, layers) in zip(axes, stacks.items()):
            for l, ax in enumerate(row, start=1):
                if l > len(layers):
                    ax.axis("off")
                    continue
                m = paths_to_output(layers[:l], size)
                r = receptive_field(layers[:l])
                show_array(ax, m, title=f"{name}\nlayer {l}: r = {r}", signed=False,
                           annotate=False, colorbar=True, vmin=0)
                rows, cols = np.nonzero(m.sum(axis=1))[0], np.nonzero(m.sum(axis=0))[0]
                ax.add_patch(Rectangle((cols[0] - 0.5, rows[0] - 0.5), r, r, fill=False,
                                       edgecolor="red", lw=1.8))
                ax.set_xticks([])
                ax.set_yticks([])
    return fig
