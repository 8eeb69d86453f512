"""Figures for activations and the linear collapse (notebook 04), in the series style.

Each function draws one figure and returns it; the caller ends the cell with ``plt.show()``.

Legible on a projector: JupyterLab at 1024 px with the file browser open gives a figure
about :data:`PAGE_PX` pixels; a wider figure is shrunk to fit. Every text of these
figures stays at least about 9 px tall there (:func:`smallest_text_px`): figures are at
most about 800 px wide with 11 pt text, or narrower where they use smaller text.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = plot_activation_curves(["relu", "tanh"])
>>> [ax.get_title() for ax in fig.axes]
['relu', 'tanh']
>>> plt.close(fig)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from cnnedu.nn import activations as _activations
from cnnedu.viz.plotting import show_array, style

__all__ = ["PAGE_PX", "smallest_text_px", "plot_activation_curves", "plot_maps", "plot_dense_collapse", "plot_losses",
           "plot_depth_profiles", "plot_dead_relus", "plot_relu_kinks", "plot_learning_order"]

PAGE_PX = 580
"""Width in pixels of a notebook figure in JupyterLab at 1024x768 with the file browser open."""


def smallest_text_px(fig, page_px: float = PAGE_PX) -> tuple[float, str]:
    """Height in pixels (font size) of the smallest visible text of ``fig`` when the figure
    is shown ``page_px`` wide at most (shrunk, never enlarged), and that text.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = plot_dense_collapse(np.arange(3.0), np.arange(3.0), np.arange(3.0))
    >>> round(smallest_text_px(fig)[0], 1)
    12.2
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    scale = min(1.0, page_px / (fig.get_figwidth() * fig.dpi))
    sizes = [(t.get_fontsize() * fig.dpi / 72 * scale, t.get_text()) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes) if sizes else (float("inf"), "")


COLORS = {"identity": "#555555", "relu": "#d62728", "leaky_relu": "#ff7f0e",
          "sigmoid": "#1f77b4", "tanh": "#2ca02c", "gelu": "#9467bd"}
#: line styles that keep curves visible where they coincide (relu under leaky_relu)
LINES = {"relu": {"lw": 5, "alpha": 0.45}, "leaky_relu": {"lw": 1.5, "ls": "--", "marker": "s"}}


def _clip_log_axis(ax, curves, factor: float = 5.0):
    """Keep a log axis readable: cap it at ``factor`` x the largest starting value and
    mark, at the top edge, where a curve went above it and how far (instead of letting one
    spike squash the rest)."""
    top = factor * max(float(c[0]) for c in curves.values())
    colours = {line.get_label(): line.get_color() for line in ax.get_lines()}
    over = [(n, float(np.max(c)), int(np.argmax(c))) for n, c in curves.items()
            if np.max(c) > top]
    if not over:
        return
    ax.set_ylim(top=top)
    for j, (name, v, k) in enumerate(over):
        ax.plot([k], [top], marker="^", ms=8, color=colours.get(name, "k"), clip_on=False)
        ax.annotate(f"{name} spikes to {v:.3g} at step {k}", (k, top),
                    xytext=(8, -13 - 13 * j), textcoords="offset points", fontsize=9,
                    color=colours.get(name, "k"),
                    bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})


def plot_activation_curves(names, x=None, *, ncols: int = 3):
    """Each activation (solid) with its derivative (dashed), one panel per name, at most
    ``ncols`` panels per row."""
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=float)
    ncols = min(ncols, len(names))
    nrows = -(-len(names) // ncols)
    with style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.6 * nrows), squeeze=False,
                                 sharey=True)
        for ax in axes.flat[len(names):]:
            ax.axis("off")
        for ax, name in zip(axes.flat, names):
            act = _activations.get(name)
            ax.axhline(0, color="0.8", lw=0.8)
            ax.axvline(0, color="0.8", lw=0.8)
            ax.plot(x, act.forward(x), color=COLORS.get(name, "k"), lw=2, label="f(x)")
            ax.plot(x, act.grad(x), color=COLORS.get(name, "k"), lw=1.5, ls="--", label="f'(x)")
            ax.set_title(name)
            ax.set_xlabel("x (pre-activation)")
            ax.set_ylim(-1.5, 4.0)
        axes[0, 0].legend(loc="upper left")
    return fig


def plot_maps(maps, titles, *, signed=None, suptitle: str = "", ncols: int | None = None,
              size: float = 2.9, annotate: bool | None = None, colorbar: bool | None = None,
              limit: float | None = None, cmap: str | None = None, fontsize: float = 12):
    """A row (or grid) of 2-D maps, each with its own colour scale (and colorbar if signed).

    ``limit`` puts every signed panel on the same scale, -limit to +limit; ``annotate``,
    ``colorbar`` and ``cmap`` (for the unsigned panels, e.g. "viridis" for sizes of errors,
    where grey would make small values look like 0) go to
    :func:`cnnedu.viz.plotting.show_array`; ``fontsize`` is the annotated numbers' size (12 pt
    stays about 9 px tall on a projector when three panels of 3.3 inches shrink to fit).
    """
    n = len(maps)
    ncols = ncols or n
    nrows = -(-n // ncols)
    signed = [signed] * n if signed is None or isinstance(signed, bool) else list(signed)
    with style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 0.95),
                                 squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= n:
                ax.axis("off")
                continue
            show_array(ax, maps[k], title=titles[k], signed=signed[k], annotate=annotate,
                       colorbar=colorbar, vmax=limit if signed[k] else None,
                       cmap=None if signed[k] else cmap, fontsize=fontsize)
        if suptitle:
            fig.suptitle(suptitle, fontweight="bold")
    return fig


def plot_dense_collapse(x0, two_nodes, collapsed, *, label: str = ""):
    """Output of two stacked dense nodes against their input, and the single node M x + B."""
    with style():
        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        ax.plot(x0, two_nodes, color="#d62728", lw=5, alpha=0.45, label="two nodes, one after the other")
        ax.plot(x0, collapsed, color="k", lw=1.5, ls="--", label="one node: M x0 + B")
        ax.set_xlabel("x0")
        ax.set_ylabel("x2")
        ax.set_title(label or "two linear nodes are one linear node")
        ax.legend()
    return fig


def plot_losses(curves: dict, *, floor: float | None = None, title: str = "",
                floor_label: str = "best single kernel (least squares)"):
    """Training losses (log scale), one line per run, with an optional horizontal floor."""
    with style():
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        for (name, losses), color in zip(curves.items(), ["#555555", "#d62728", "#ff7f0e",
                                                           "#1f77b4"]):
            ax.plot(np.arange(len(losses)), losses, color=color, lw=2, label=name)
        if floor is not None:
            ax.axhline(floor, color="k", ls="--", lw=1.2, label=floor_label)
        ax.set_yscale("log")
        _clip_log_axis(ax, curves)
        ax.set_xlabel("training step")
        ax.set_ylabel("mean squared error")
        ax.set_title(title)
        ax.legend(loc="lower left")
    return fig


def plot_depth_profiles(groups: dict):
    """Weight-gradient size per layer (log scale), one panel per group of profiles."""
    with style():
        fig, axes = plt.subplots(1, len(groups), figsize=(4.8 * len(groups), 3.8),
                                 squeeze=False, sharey=True)
        for ax, (title, profiles) in zip(axes[0], groups.items()):
            for p in profiles:
                layers = np.arange(1, len(p.grad_rms) + 1)
                kw = {"marker": "o", "ms": 4, "lw": 2, **LINES.get(p.activation, {})}
                ax.plot(layers, p.grad_rms, color=COLORS.get(p.activation, "k"),
                        label=p.activation, **kw)
            ax.set_yscale("log")
            ax.set_xlabel("layer (1 = first, nearest the input)")
            ax.set_title(title)
            ax.set_xticks(layers)
        axes[0, 0].set_ylabel("RMS of dL/dw at the layer")
        axes[0, 0].legend(loc="lower right", handlelength=2.5, labelspacing=0.3)
    return fig


def plot_dead_relus(runs: dict):
    """Loss (left, log scale) and fraction of dead hidden filters (right) during training."""
    with style():
        fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.8, 6.4), sharex=True)
        # thick translucent solid lines under thin dashed ones: both show where they coincide
        styles = [{"lw": 5, "alpha": 0.45}, {"lw": 1.6, "ls": "--"}]
        colors = ["#d62728", "#d62728", "#ff7f0e", "#ff7f0e"]
        for (name, r), st, c in zip(runs.items(), styles * 4, colors * 2):
            a1.plot(r.losses, color=c, label=name, **st)
            a2.plot(r.dead, color=c, label=name, **st)
        a1.set_yscale("log")
        _clip_log_axis(a1, {n: r.losses for n, r in runs.items()})
        a1.legend(fontsize=9, loc="lower left")
        a1.set_ylabel("mean squared error")
        a1.set_title("loss")
        a2.set_xlabel("training step")
        a2.set_ylabel("fraction of hidden filters")
        a2.set_ylim(-0.05, 1.05)
        a2.set_title("filters never positive on the batch (lines as above)")
    return fig


def plot_relu_kinks(net, *, title: str = ""):
    """A 1-D ReLU network (:func:`cnnedu.topics.nonlinear.relu_net_1d`): its output (left)
    and its slope (right), with a dotted line at every kink."""
    with style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.6, 3.3))
        for ax in (a1, a2):
            for k in net.kinks:
                ax.axvline(k, color="0.6", lw=0.9, ls=":")
            ax.axhline(0, color="0.85", lw=0.8)
            ax.set_xlabel("input x")
        a1.plot(net.x, net.y, color="#d62728", lw=2)
        a1.set_ylabel("y(x)")
        a1.set_title(title or f"output: {net.pieces} straight pieces")
        a2.plot(net.x, net.slope, color="#1f77b4", lw=2, drawstyle="steps-mid")
        a2.set_ylabel("dy/dx")
        a2.set_title(f"slope: constant between the {len(net.kinks)} kinks (dotted)")
    return fig


def plot_learning_order(runs: dict):
    """Fraction of each mode of the target learned against the step, one panel per run
    (:func:`cnnedu.topics.nonlinear.train_deep_linear`), and the losses (right)."""
    shades = ["#08306b", "#2171b5", "#6baed6", "#9ecae1"]
    with style():
        fig, axes = plt.subplots(1, len(runs) + 1, figsize=(3.3 * (len(runs) + 1), 3.4),
                                 squeeze=False)
        for ax, (name, r) in zip(axes[0], runs.items()):
            for i, s in enumerate(r.strengths):
                ax.plot(r.modes[:, i], color=shades[i % len(shades)], lw=2,
                        label=f"{s:g}")
            ax.axhline(0.5, color="0.7", lw=0.8, ls=":")
            ax.set_ylim(-0.1, 1.15)
            ax.set_xlabel("gradient step")
            ax.set_title(name)
        axes[0, 0].set_ylabel("fraction of the mode learned")
        axes[0, 0].legend(loc="lower right", handlelength=1.2, title="mode strength")
        loss_ax = axes[0, -1]
        for (name, r), c in zip(runs.items(), ["#555555", "#d62728", "#ff7f0e"]):
            loss_ax.plot(r.losses, color=c, lw=2, label=name)
        loss_ax.set_yscale("log")
        loss_ax.set_ylim(bottom=1e-8)       # below this it is rounding
        loss_ax.set_xlabel("gradient step")
        loss_ax.set_ylabel("loss")
        loss_ax.set_title("loss: smooth, or in steps")
        loss_ax.legend(handlelength=1.2)
    return fig
