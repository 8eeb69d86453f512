"""Figures of the depth study beyond one draw: the spread over seeds, a zoom on the scaled
starts, and per-layer activation histograms (CS231n's classic tanh figure).

>>> import numpy as np
>>> fig = plot_seed_spread({"a": np.ones((3, 5)), "b": np.full((3, 5), 0.1)})
>>> len(fig.axes)
1
"""
from __future__ import annotations

import numpy as np

from cnnedu.viz.plotting import plt, style

__all__ = ["plot_seed_spread", "plot_depth_zoom", "plot_layer_histograms"]


def plot_seed_spread(curves: dict, *, title: str = "", ax=None):
    """Median over seeds (line) and the range from the smallest to the largest (band).

    ``curves`` is ``{label: array of shape (seeds, depth)}`` (see
    :func:`cnnedu.topics.depth_spread.seed_curves`); log scale.
    """
    cmap = plt.get_cmap("tab10")
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(7.2, 4.4))
        fig = ax.figure
        for i, (label, c) in enumerate(curves.items()):
            c = np.asarray(c, dtype=float)
            xs = np.arange(1, c.shape[1] + 1)
            color = cmap(i % 10)
            ax.fill_between(xs, c.min(axis=0), c.max(axis=0), color=color, alpha=0.18, lw=0)
            ax.plot(xs, np.median(c, axis=0), "o-", ms=3, color=color,
                    label=f"{label}: median of {c.shape[0]} seeds (band: min to max)")
        ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
        ax.set_yscale("log")
        ax.set_xlabel("layer")
        ax.set_ylabel("activation std (log scale)")
        ax.set_title(title or "spread over seeds")
        ax.grid(True, which="major", axis="y", color="0.92")
        ax.set_xticks([1] + list(range(5, c.shape[1] + 1, 5)))
        lo = min(float(np.min(c)) for c in curves.values())
        ax.set_ylim(bottom=lo / 20)                      # room for the legend
        ax.legend(fontsize=10, loc="lower left")
    return fig


def plot_depth_zoom(profiles: dict, *, activation: str = "relu", title: str = ""):
    """Forward and backward std of a few starts, one above the other (legible at about
    580 px), on a log axis fitted to them (so a gap of 1e3 is not squashed by 1e40).

    ``profiles`` is ``{label: {activation: DepthProfile}}`` as for
    :func:`cnnedu.viz.figures.init.plot_depth_study`.
    """
    cmap = plt.get_cmap("tab10")
    styles = ["-", "--", "-.", ":"]
    with style():
        fig, axes = plt.subplots(2, 1, figsize=(7.2, 6.6), sharex=True, layout="constrained")
        for ax, attr, what in ((axes[0], "forward_std", "activations (forward)"),
                               (axes[1], "backward_std", "gradients (backward)")):
            for i, (label, by_act) in enumerate(profiles.items()):
                ys = getattr(by_act[activation], attr)
                ax.plot(np.arange(1, len(ys) + 1), ys, styles[i % 4], marker="o", ms=3,
                        color=cmap(i % 10), label=label)
            ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
            ax.set_yscale("log")
            ax.set_ylabel("std (log scale)")
            ax.set_title(f"{activation}: std of the {what}")
            ax.grid(True, which="major", axis="y", color="0.92")
            ax.set_xticks([1] + list(range(5, len(ys) + 1, 5)))
        axes[1].set_xlabel("layer")
        axes[0].legend(fontsize=10, loc="lower left")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_layer_histograms(rows: dict, layers, *, value_range=(-1.0, 1.0), bins: int = 41):
    """One row per start, one panel per layer: the histogram of that layer's activations,
    all on the same x-axis (``value_range``), titled with the std.

    ``rows`` is ``{label: DepthProfile}`` run with ``keep_all=True``.
    """
    layers = list(layers)
    with style():
        fig, axes = plt.subplots(len(rows), len(layers),
                                 figsize=(min(1.8 * len(layers), 7.2), 1.9 * len(rows) + 0.4),
                                 squeeze=False, sharex=True, layout="constrained")
        for i, (label, p) in enumerate(rows.items()):
            for j, layer in enumerate(layers):
                ax = axes[i, j]
                h = np.ravel(p.layer_arrays(layer)[0])
                ax.hist(np.clip(h, *value_range), bins=bins, range=value_range,
                        color="tab:blue")
                ax.set_yticks([])
                ax.set_title(f"layer {layer}: std {h.std():.2g}", fontsize=10)
                ax.set_xticks([-1, 0, 1] if tuple(value_range) == (-1.0, 1.0) else ax.get_xticks())
                if j == 0:
                    ax.set_ylabel(label, fontsize=10, fontweight="bold")
            for ax in axes[-1]:
                ax.set_xlabel("activation", fontsize=10)
    return fig
