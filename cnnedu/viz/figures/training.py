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

__all__ = ["filter_mosaic", "live_curve_rgb", "plot_curves", "plot_seed_spread",
           "plot_gradient_chain", "plot_filters_before_after", "plot_top_patches", "plot_filter_bank",
           "plot_snapshots", "plot_feature_maps", "plot_init_comparison"]

#: every figure is drawn 7.25 in (580 px at the style's 80 dpi) wide: the width a notebook
#: figure gets in JupyterLab at 1024 px with the file browser open, so it is never shrunk
#: and 9 pt text stays 10 px tall on a projector
FIG_W = 7.25
LEGEND_PT = 10


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
    """Loss (left) and accuracy (right) per epoch: training (a running average over each
    epoch), training scored at the end of each epoch (``"train_accuracy"``, if present)
    and validation."""
    epochs = np.arange(1, len(history["loss"]) + 1)
    with style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(FIG_W, 3.4))
        a1.plot(epochs, history["loss"], "o-", label="training (running average)")
        if "val_loss" in history:
            a1.plot(epochs, history["val_loss"], "s--", label="validation")
        a1.set_xlabel("epoch")
        a1.set_ylabel("mean cross-entropy")
        a1.set_yscale("log")
        a1.set_title("loss per epoch (log scale)")
        a1.legend(fontsize=LEGEND_PT)
        a2.plot(epochs, np.array(history["accuracy"]) * 100, "o-",
                label="training (running average)")
        if "train_accuracy" in history:
            a2.plot(epochs, np.array(history["train_accuracy"]) * 100, "^:",
                    label="training (end of epoch)")
        if "val_accuracy" in history:
            a2.plot(epochs, np.array(history["val_accuracy"]) * 100, "s--", label="validation")
        a2.set_xlabel("epoch")
        a2.set_ylabel("accuracy (%)")
        a2.set_title("accuracy per epoch")
        a2.legend(loc="lower right", fontsize=LEGEND_PT)
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_seed_spread(curves: dict, title: str = ""):
    """Validation accuracy per epoch over seeds: for each entry ``label -> (S, epochs)``
    array, the mean as a line and the range (min to max over the seeds) as a band."""
    with style():
        fig, ax = plt.subplots(figsize=(FIG_W, 3.6))
        for (label, a), marker in zip(curves.items(), "osd^"):
            a = np.asarray(a) * 100
            ep = np.arange(1, a.shape[1] + 1)
            line, = ax.plot(ep, a.mean(axis=0), marker + "-", ms=4,
                            label=f"{label}: mean of {a.shape[0]} seeds")
            ax.fill_between(ep, a.min(axis=0), a.max(axis=0), color=line.get_color(), alpha=0.2,
                            label=f"{label}: min to max")
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy (%)")
        ax.set_title(title or "validation accuracy over seeds")
        ax.legend(loc="lower right", fontsize=LEGEND_PT)
    return fig


def plot_gradient_chain(levels, sample: int = 0, filt: int = 0):
    """The gradient at each level for one batch: RMS per entry as bars, and three of them as
    pictures (diverging maps centred on 0, each with its colorbar)."""
    with style():
        fig = plt.figure(figsize=(FIG_W, 6.0))
        top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.1])
        ax = top.subplots()
        names = [f"{lv.name} {lv.shape}" for lv in levels]
        rms = [lv.rms for lv in levels]
        ax.barh(names[::-1], rms[::-1], color="#4c72b0")
        ax.set_xscale("log")
        ax.set_xlabel("RMS per entry of the gradient")
        ax.set_title("loss -> scores -> ... -> filters")
        for y, v in enumerate(rms[::-1]):
            ax.text(v, y, f" {v:.2g}", va="center", fontsize=10)
        ax.set_xlim(min(rms) / 2, max(rms) * 20)
        by = {lv.name: lv.grad for lv in levels}
        F = by["filter weights"].shape[0]
        D = by["features"].shape[1]
        hw = int(round(np.sqrt(D / F)))
        feat = by["features"][sample].reshape(F, hw, hw)[filt]
        for col, (a, what, fs) in enumerate((
                (feat, f"features\n(image {sample})", None),
                (by["feature maps"][sample, filt], f"map\n(image {sample})", None),
                (by["filter weights"][filt, 0], "weights\n(whole batch)", 10))):
            ax_g = bottom.add_subplot(1, 3, col + 1)
            im = show_array(ax_g, a * 1e3, signed=True, fontsize=fs, annotate=fs is not None,
                            colorbar=False, title=what)
            bottom.colorbar(im, ax=ax_g, fraction=0.1, pad=0.04)
        bottom.suptitle(f"1000 x dL/d(...) for filter {filt}, each on its own scale",
                        fontsize=11)
    return fig


# Figures with dozens of small panels: matplotlib's constrained layout costs seconds there
# (about 2 s for 32 panels on a 2-core machine), so they are laid out by fixed spacing.
_MANY_PANELS = {"figure.constrained_layout.use": False}


def plot_filters_before_after(before, after, ncols: int = 8):
    """Each filter before (top rows) and after (bottom rows) training, **each on its own
    symmetric colour scale**, written in its title (``±0.52``): a weak filter's pattern is
    visible, and its title says how weak it is."""
    F = before.shape[0]
    nrows = -(-F // ncols)
    with style(**_MANY_PANELS):
        fig, axes = plt.subplots(2 * nrows, ncols, figsize=(FIG_W, 1.35 * 2 * nrows + 0.5))
        fig.subplots_adjust(left=0.07, right=0.99, bottom=0.02, top=0.86, wspace=0.15,
                            hspace=0.6)
        for block, (w, name) in enumerate(((before, "before"), (after, "after"))):
            for f in range(nrows * ncols):
                ax = axes[block * nrows + f // ncols, f % ncols]
                if f >= F:
                    ax.axis("off")
                    continue
                lim = symmetric_limit(w[f, 0])
                show_array(ax, w[f, 0], signed=True, vmax=lim, annotate=False, colorbar=False,
                           title=f"#{f}\n±{lim:.2f}")
                if f % ncols == 0:
                    ax.set_ylabel(name)
        fig.suptitle("each panel on its own scale: deep red +s, white 0,\ndeep blue -s, "
                     "with s = the ± value in its title", fontsize=11, y=0.995)
    return fig


def plot_snapshots(snapshots: dict, filters=(0, 1, 2, 3), titles=None):
    """Some filters (rows) at several moments of training (columns), one shared colour
    scale. ``snapshots``: column key -> weights ``(F, C, k, k)``; ``titles``: column key ->
    title (default the key)."""
    keys = list(snapshots)
    titles = titles or {k: str(k) for k in keys}
    lim = max(symmetric_limit(snapshots[k][list(filters)]) for k in keys)
    with style(**_MANY_PANELS):
        fig, axes = plt.subplots(len(filters), len(keys),
                                 figsize=(FIG_W, 0.95 * len(filters) + 0.9),
                                 squeeze=False)
        fig.subplots_adjust(left=0.08, right=0.86, bottom=0.03, top=0.84, wspace=0.15,
                            hspace=0.15)
        for r, f in enumerate(filters):
            for c, k in enumerate(keys):
                im = show_array(axes[r, c], snapshots[k][f, 0], signed=True, vmax=lim,
                                annotate=False, colorbar=False,
                                title=titles[k] if r == 0 else "")
            axes[r, 0].set_ylabel(f"filter {f}")
        for ax in axes[0]:
            ax.title.set_fontsize(10)
            ax.title.set_fontweight("normal")
        fig.colorbar(im, cax=fig.add_axes((0.88, 0.1, 0.02, 0.72)), label="weight")
    return fig


def plot_feature_maps(image, w, maps, ncols: int = 8, title: str = "",
                      image_title: str = "input image"):
    """The input image, then each filter above its feature map (after ReLU). Filters share
    one diverging scale, maps one grey scale from 0; both have a colorbar."""
    F = w.shape[0]
    ncols = min(ncols, F)
    nrows = -(-F // ncols)
    lim = symmetric_limit(w)
    with style(**_MANY_PANELS):
        fig = plt.figure(figsize=(FIG_W, 1.55 * nrows + 1.0))
        gs = fig.add_gridspec(2 * nrows, ncols + 1, width_ratios=[2.4] + [1] * ncols,
                              left=0.01, right=0.84, bottom=0.02, top=0.8, wspace=0.12,
                              hspace=0.5)
        show_array(fig.add_subplot(gs[:, 0]), image, signed=False, annotate=False,
                   title=image_title)
        top = float(maps.max()) or 1.0
        for f in range(F):
            r, c = divmod(f, ncols)
            im_w = show_array(fig.add_subplot(gs[2 * r, c + 1]), w[f, 0], signed=True, vmax=lim,
                              annotate=False, colorbar=False, title=f"#{f}")
            im_m = show_array(fig.add_subplot(gs[2 * r + 1, c + 1]), maps[f], signed=False, vmin=0, vmax=top, annotate=False,
                              colorbar=False)
        fig.colorbar(im_w, cax=fig.add_axes((0.86, 0.45, 0.02, 0.33)), label="filter")
        fig.colorbar(im_m, cax=fig.add_axes((0.86, 0.04, 0.02, 0.33)), label="map (ReLU)")
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_top_patches(w, patches: dict, responses: dict, title: str = ""):
    """For each filter (one row): the filter (diverging, own scale), then the input patches
    that excite it most (grey, 0 to 1, the input's scale), each titled with its response.

    ``patches``: filter index -> ``(n, C, k, k)``; ``responses``: filter index -> ``(n,)``.
    """
    rows = list(patches)
    n = max(len(p) for p in patches.values())
    with style(**_MANY_PANELS):
        fig, axes = plt.subplots(len(rows), n + 1, figsize=(FIG_W, 1.3 * len(rows) + 0.7),
                                 squeeze=False)
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.03, top=0.84, wspace=0.2, hspace=0.6)
        for r, f in enumerate(rows):
            lim = symmetric_limit(w[f, 0])
            show_array(axes[r, 0], w[f, 0], signed=True, vmax=lim, annotate=False,
                       colorbar=False, title=f"filter {f}\n±{lim:.2f}")
            for c in range(n):
                ax = axes[r, c + 1]
                if c >= len(patches[f]):
                    ax.axis("off")
                    continue
                show_array(ax, patches[f][c, 0], signed=False, vmin=0, vmax=1, annotate=False,
                           colorbar=False, title=f"{responses[f][c]:.1f}")
        fig.suptitle(title or "each filter (left, own scale) and the training patches that "
                     "excite it most,\neach titled with its response (grey: 0 black to 1 white)",
                     fontsize=11)
    return fig


def plot_init_comparison(runs: dict, labels: dict | None = None):
    """Validation loss and accuracy per epoch for several initializers, on one figure."""
    labels = labels or {}
    with style():
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(FIG_W, 3.6))
        styles = ["o-", "s-", "^-", "d-", "v-", "x-"]
        for i, (name, hist) in enumerate(runs.items()):
            ep = np.arange(1, len(hist["val_loss"]) + 1)
            lab = labels.get(name, name)
            a1.plot(ep, hist["val_loss"], styles[i % len(styles)], label=lab, ms=4)
            a2.plot(ep, np.array(hist["val_accuracy"]) * 100, styles[i % len(styles)],
                    label=lab, ms=4)
        a1.set_yscale("log")
        a1.set_title("validation loss (log scale)")
        a1.set_xlabel("epoch")
        a1.set_ylabel("mean cross-entropy")
        a2.set_title("validation accuracy")
        a2.set_xlabel("epoch")
        a2.set_ylabel("accuracy (%)")
        a2.legend(loc="lower right", fontsize=LEGEND_PT)
    return fig


def plot_filter_bank(before, after, title: str = "", rows=("start", "learned")):
    """Two rows of filters (by default at the start and after training), both on the
    scale of the second row, with the colorbar right beside the panels; ``rows`` names
    the rows in the panel titles."""
    F = before.shape[0]
    lim = symmetric_limit(after)
    with style(**_MANY_PANELS):
        fig, axes = plt.subplots(2, F, figsize=(FIG_W, 2.7), squeeze=False)
        fig.subplots_adjust(left=0.06, right=0.88, bottom=0.03, top=0.76, wspace=0.12, hspace=0.4)
        for row, (w, name) in enumerate(((before, rows[0]), (after, rows[1]))):
            for f in range(F):
                im = show_array(axes[row, f], w[f, 0], signed=True, vmax=lim, annotate=False,
                                colorbar=False, title=f"#{f}")
            axes[row, 0].set_ylabel(name)
        x1 = axes[0, -1].get_position().x1
        fig.colorbar(im, cax=fig.add_axes((x1 + 0.015, 0.05, 0.02, 0.7)), label="weight")
        if title:
            fig.suptitle(title, fontsize=11)
    return fig
