"""Figures of a training run: curves, filters before and after, snapshots, the gradient chain.

Matplotlib figures for notebook 06 (all in :func:`cnnedu.viz.plotting.style`), and
:func:`filter_mosaic`, the filters as one array for the live widget's PNG panel.

>>> filter_mosaic(np.ones((16, 1, 3, 3)), ncols=8).shape
(7, 31)
"""
from __future__ import annotations

import numpy as np

from cnnedu.viz.plotting import plt, show_array, style
from cnnedu.viz.render import symmetric_limit

__all__ = ["filter_mosaic", "live_curve_rgb", "plot_curves", "plot_gradient_chain", "plot_filters_before_after",
           "plot_snapshots", "plot_feature_maps", "plot_init_comparison"]


def filter_mosaic(w, ncols: int = 8, pad: int = 1) -> np.ndarray:
    """Filters ``(F, C, k, k)`` (first channel) tiled in a grid, separated by NaN gaps.

    Returns an array of shape ``(rows*(k+pad)-pad, ncols*(k+pad)-pad)``; the gaps are NaN
    (drawn in a neutral colour by :func:`cnnedu.viz.render.colorize`, which marks non-finite
    values; the widget replaces them by 0, the centre of the diverging scale).
    """
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 4:
        raise ValueError(f"filter_mosaic: w must have shape (F, C, kh, kw); got shape {w.shape}")
    F, _, kh, kw = w.shape
    ncols = max(1, min(int(ncols), F))
    nrows = -(-F // ncols)
    out = np.full((nrows * (kh + pad) - pad, ncols * (kw + pad) - pad), np.nan)
    for f in range(F):
        r, c = divmod(f, ncols)
        out[r * (kh + pad):r * (kh + pad) + kh, c * (kw + pad):c * (kw + pad) + kw] = w[f, 0]
    return out


def live_curve_rgb(values, *, x_max: int, lo: float, hi: float, log: bool = False,
                   grid=(), width: int = 300, height: int = 170) -> np.ndarray:
    """A line plot on **fixed** axes as an RGB uint8 array ``(height, width, 3)``, for a
    live widget: ``values[i]`` at x = ``i + 1`` from 0 to ``x_max``, y from ``lo`` to
    ``hi`` (log scale with ``log``); values outside are drawn at the edge, non-finite
    ones left out. ``grid`` values get a dotted grey line.

    Fixed axes keep a flat curve flat: accuracy going from 10.0% to 10.3% stays at the
    bottom instead of filling the panel.

    >>> img = live_curve_rgb([0.1, 0.5, 0.9], x_max=10, lo=0, hi=1, grid=(0.5,))
    >>> img.shape, img.dtype.name
    ((170, 300, 3), 'uint8')
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    img = np.full((height, width, 3), 255, np.uint8)
    m = 4

    def to_y(val):
        val = np.asarray(val, dtype=np.float64)
        if log:
            val = np.log10(np.maximum(val, lo))
            a, b = np.log10(lo), np.log10(hi)
        else:
            a, b = lo, hi
        frac = np.clip((val - a) / (b - a), 0, 1)
        return m + (1 - frac) * (height - 1 - 2 * m)

    for g in grid:
        img[int(round(float(to_y(g)))), 1::3] = (190, 190, 190)
    img[-1, :] = img[:, 0] = (120, 120, 120)
    ok = np.isfinite(v)
    if not ok.any():
        return img
    xs = m + (np.arange(1, v.size + 1) / max(1, int(x_max))) * (width - 1 - 2 * m)
    ys = to_y(np.where(ok, v, lo if not log else hi))
    cols = np.arange(int(np.floor(xs[ok][0])), int(np.ceil(xs[ok][-1])) + 1)
    cols = cols[(cols >= 0) & (cols < width)]
    rows = np.interp(cols, xs[ok], ys[ok]) if ok.sum() > 1 else np.full(cols.shape, ys[ok][0])
    nxt = np.concatenate([rows[1:], rows[-1:]])
    r0, r1 = np.minimum(rows, nxt), np.maximum(rows, nxt)
    rr = np.arange(height)[:, None]
    mask = (rr >= np.floor(r0) - 0.5) & (rr <= np.ceil(r1) + 0.5)
    sub = img[:, cols]
    sub[mask] = (31, 119, 180)
    img[:, cols] = sub
    return img


def plot_curves(history, title: str = ""):
    """Loss (left) and accuracy (right) per epoch, training and test."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    with style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.4))
        a1.plot(epochs, history["loss"], "o-", label="training")
        if "test_loss" in history:
            a1.plot(epochs, history["test_loss"], "s--", label="test")
        a1.set_xlabel("epoch")
        a1.set_ylabel("mean cross-entropy")
        a1.set_yscale("log")
        a1.set_title("loss per epoch (log scale)")
        a1.legend()
        a2.plot(epochs, np.array(history["accuracy"]) * 100, "o-", label="training")
        if "test_accuracy" in history:
            a2.plot(epochs, np.array(history["test_accuracy"]) * 100, "s--", label="test")
        a2.axhline(97, color="grey", lw=0.8, ls=":")
        a2.text(epochs[-1], 97, "97%", va="bottom", ha="right", color="grey")
        a2.set_xlabel("epoch")
        a2.set_ylabel("accuracy (%)")
        a2.set_title("accuracy per epoch")
        a2.legend(loc="lower right")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_gradient_chain(levels, sample: int = 0, filt: int = 0):
    """The gradient at each level for one batch: norms as bars, and three of them as pictures."""
    with style():
        fig = plt.figure(figsize=(12, 3.6))
        gs = fig.add_gridspec(1, 4, width_ratios=[1.6, 1, 1, 1.15])
        ax = fig.add_subplot(gs[0])
        names = [lv.name for lv in levels]
        norms = [lv.norm for lv in levels]
        ax.barh(names[::-1], norms[::-1], color="#4c72b0")
        ax.set_xscale("log")
        ax.set_xlabel("norm of the gradient")
        ax.set_title("loss -> scores -> ... -> filters")
        for y, v in enumerate(norms[::-1]):
            ax.text(v, y, f" {v:.3g}", va="center", fontsize=9)
        ax.set_xlim(min(norms) / 2, max(norms) * 20)
        by = {lv.name: lv.grad for lv in levels}
        F = by["filter weights"].shape[0]
        D = by["features"].shape[1]
        hw = int(round(np.sqrt(D / F)))
        feat = by["features"][sample].reshape(F, hw, hw)[filt]
        show_array(fig.add_subplot(gs[1]), feat, signed=True, annotate=False, colorbar=False,
                   title=f"dL/d features\nsample {sample}, filter {filt}")
        show_array(fig.add_subplot(gs[2]), by["feature maps"][sample, filt], signed=True,
                   annotate=False, colorbar=False,
                   title=f"dL/d feature map\nsample {sample}, filter {filt}")
        show_array(fig.add_subplot(gs[3]), by["filter weights"][filt, 0], signed=True,
                   fontsize=8, title=f"dL/d w, filter {filt}\n(whole batch)")
    return fig


# Figures with dozens of small panels: matplotlib's constrained layout costs seconds there
# (about 2 s for 32 panels on a 2-core machine), so they are laid out by fixed spacing.
_MANY_PANELS = {"figure.constrained_layout.use": False}


def plot_filters_before_after(before, after, ncols: int = 8):
    """Each filter before (top rows) and after (bottom rows) training, one colour scale per set."""
    F = before.shape[0]
    nrows = -(-F // ncols)
    with style(**_MANY_PANELS):
        fig, axes = plt.subplots(2 * nrows, ncols, figsize=(1.25 * ncols + 1.2, 1.45 * 2 * nrows))
        fig.subplots_adjust(left=0.02, right=0.86, bottom=0.03, top=0.93, wspace=0.15,
                            hspace=0.45)
        for block, (w, name) in enumerate(((before, "before"), (after, "after"))):
            lim = symmetric_limit(w)
            for f in range(nrows * ncols):
                ax = axes[block * nrows + f // ncols, f % ncols]
                if f >= F:
                    ax.axis("off")
                    continue
                im = show_array(ax, w[f, 0], signed=True, vmax=lim, annotate=False,
                                colorbar=False, title=f"{name} #{f}")
            rows = axes[block * nrows:(block + 1) * nrows, :]
            top, bottom = rows[0, -1].get_position().y1, rows[-1, -1].get_position().y0
            cax = fig.add_axes((0.88, bottom, 0.015, top - bottom))
            fig.colorbar(im, cax=cax, label=f"{name}: weight")
    return fig


def plot_snapshots(snapshots: dict, filters=(0, 1, 2, 3), label: str = "epoch"):
    """Some filters (rows) at several moments of training (columns), one shared colour scale."""
    keys = sorted(snapshots)
    lim = max(symmetric_limit(snapshots[k][list(filters)]) for k in keys)
    with style(**_MANY_PANELS):
        fig, axes = plt.subplots(len(filters), len(keys),
                                 figsize=(1.35 * len(keys) + 1.4, 1.35 * len(filters) + 0.4),
                                 squeeze=False)
        fig.subplots_adjust(left=0.06, right=0.88, bottom=0.03, top=0.9, wspace=0.15,
                            hspace=0.15)
        for r, f in enumerate(filters):
            for c, k in enumerate(keys):
                im = show_array(axes[r, c], snapshots[k][f, 0], signed=True, vmax=lim,
                                annotate=False, colorbar=False,
                                title=f"{label} {k}" if r == 0 else "")
            axes[r, 0].set_ylabel(f"filter {f}")
        fig.colorbar(im, cax=fig.add_axes((0.9, 0.1, 0.015, 0.75)), label="weight")
    return fig


def plot_feature_maps(image, w, maps, ncols: int = 8, title: str = ""):
    """The input image, then each filter above its feature map (after ReLU)."""
    F = w.shape[0]
    ncols = min(ncols, F)
    nrows = -(-F // ncols)
    lim = symmetric_limit(w)
    with style(**_MANY_PANELS):
        fig = plt.figure(figsize=(1.3 * ncols + 2.4, 2.6 * nrows + 0.5))
        gs = fig.add_gridspec(2 * nrows, ncols + 1, width_ratios=[1.8] + [1] * ncols,
                              left=0.02, right=0.98, bottom=0.02, top=0.86, wspace=0.15,
                              hspace=0.45)
        show_array(fig.add_subplot(gs[:, 0]), image, signed=False, annotate=False,
                   title="test image")
        top = float(maps.max()) or 1.0
        for f in range(F):
            r, c = divmod(f, ncols)
            show_array(fig.add_subplot(gs[2 * r, c + 1]), w[f, 0], signed=True, vmax=lim,
                       annotate=False, colorbar=False, title=f"filter {f}")
            show_array(fig.add_subplot(gs[2 * r + 1, c + 1]), maps[f], signed=False, vmin=0,
                       vmax=top, annotate=False, colorbar=False, title=f"map {f}")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_init_comparison(runs: dict, labels: dict | None = None):
    """Test loss and test accuracy per epoch for several initializers, on one figure."""
    labels = labels or {}
    with style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
        styles = ["o-", "s-", "^-", "d-", "v-", "x-"]
        for i, (name, hist) in enumerate(runs.items()):
            ep = np.arange(1, len(hist["test_loss"]) + 1)
            lab = labels.get(name, name)
            a1.plot(ep, hist["test_loss"], styles[i % len(styles)], label=lab, ms=4)
            a2.plot(ep, np.array(hist["test_accuracy"]) * 100, styles[i % len(styles)],
                    label=lab, ms=4)
        a1.set_yscale("log")
        a1.set_title("test loss (log scale)")
        a1.set_xlabel("epoch")
        a1.set_ylabel("mean cross-entropy")
        a2.set_title("test accuracy")
        a2.set_xlabel("epoch")
        a2.set_ylabel("accuracy (%)")
        a2.legend(loc="lower right")
    return fig
