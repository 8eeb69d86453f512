"""Figures for backpropagation through a convolution (matplotlib), and the face of the
pictures its widgets show (:mod:`cnnedu.viz.figures.backprop_pictures`, re-exported here:
``weight_colour``, ``grid_picture``, ``gradflow_pictures``, ``curve_rgb``).

>>> pics = gradflow_pictures("output", 0, 0, (4, 4), (3, 3))
>>> sorted(pics), pics["input"].dtype.name
(['input', 'kernel', 'output', 'padding', 'text'], 'uint8')
>>> curve_rgb([1.0, 0.1, 0.01]).shape
(160, 260, 3)
"""
from __future__ import annotations

import numpy as np

from cnnedu.nn.conv import rot180
from cnnedu.viz.figures.backprop_pictures import (curve_rgb, gradflow_pictures, grid_picture,
                                                  weight_colour)
from cnnedu.viz.plotting import plt, show_array, style
from cnnedu.viz.render import SIGNED_CMAP

__all__ = ["weight_colour", "grid_picture", "gradflow_pictures", "curve_rgb", "plot_gradflow",
           "plot_full_correlation", "plot_1d_gradients", "plot_channel_swap",
           "plot_max_pool_backward", "plot_im2col_product", "plot_gradcheck_sweep", "plot_step_sweep",
           "plot_kernel_learning"]

# ---------------------------------------------------------------------------------------
# matplotlib figures for the notebook
# ---------------------------------------------------------------------------------------

def plot_gradflow(pictures: list[dict], titles: list[str]):
    """Rows of (input, kernel, output) pictures from :func:`gradflow_pictures`."""
    with style():
        fig, axes = plt.subplots(len(pictures), 3, figsize=(7.2, 2.5 * len(pictures)),
                                 squeeze=False, gridspec_kw={"width_ratios": [1.4, 0.8, 1]})
        for row, (pics, title) in enumerate(zip(pictures, titles)):
            inp = "input x (grey: padding)" if pics.get("padding") else "input x"
            for ax, key, name in zip(axes[row], ("input", "kernel", "output"),
                                     (inp, "kernel w", "output y")):
                ax.imshow(pics[key], interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title(f"{title}: {name}" if key == "input" else name)
    return fig


def _frame(ax, r, c, h, w, colour, ls="-"):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, ec=colour, lw=3, ls=ls,
                           zorder=3))


def _zero_kinds(steps: dict):
    """Masks of the padded dY: ``(padding, dilation)`` zeros (True where that kind is)."""
    padded, dilated = steps["padded"], steps["dilated"]
    kh, kw = steps["rotated"].shape
    sh, sw = steps.get("stride", (1, 1))
    inner = np.zeros(padded.shape, bool)
    inner[kh - 1:kh - 1 + dilated.shape[0], kw - 1:kw - 1 + dilated.shape[1]] = True
    grid = np.zeros(padded.shape, bool)
    grid[kh - 1:kh - 1 + dilated.shape[0]:sh, kw - 1:kw - 1 + dilated.shape[1]:sw] = True
    return ~inner, inner & ~grid


def plot_full_correlation(steps: dict, positions, colours=("#ff8c00", "#2ca02c")):
    """Padded dY with the rotated kernel at ``positions`` (rows, cols in the full output),
    the rotated kernel, and the resulting gradient with those cells framed. Padding zeros
    are grey; zeros put in by the dilation (stride > 1) are hatched."""
    from matplotlib.patches import Patch, Rectangle

    padded, rotated, full = steps["padded"], steps["rotated"], steps["full"]
    kh, kw = rotated.shape
    pad_mask, dil_mask = _zero_kinds(steps)
    with style():
        fig, grid = plt.subplots(2, 2, figsize=(7.2, 7.4),
                                 gridspec_kw={"width_ratios": [1.5, 1], "height_ratios": [1.3, 1]})
        axes = [grid[0, 0], grid[0, 1], grid[1, 0]]
        grid[1, 1].axis("off")
        sh, sw = steps.get("stride", (1, 1))
        title = ("dY dilated (stride {}),\nzero-padded by k-1".format(sh if sh == sw else (sh, sw))
                 if dil_mask.any() else "dY, zero-padded\nby k-1 on each side")
        show_array(axes[0], padded, title=title, signed=True, fontsize=9)
        for (r, c), m in np.ndenumerate(pad_mask):
            if m:
                axes[0].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fc="#c8c8c8",
                                            ec="none", zorder=1.5))
        for (r, c), m in np.ndenumerate(dil_mask):
            if m:
                axes[0].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                            hatch="///", ec="#5a5a5a", lw=0, zorder=1.5))
        handles = [Patch(fc="#c8c8c8", label="padding zeros")]
        if dil_mask.any():
            handles.append(Patch(fill=False, hatch="///", ec="#5a5a5a",
                                 label="dilation zeros (skipped outputs)"))
        grid[1, 1].legend(handles=handles, loc="center", fontsize=10, frameon=False,
                          title="in the padded dY", title_fontsize=10)
        show_array(axes[1], rotated, title="rot180(W)", signed=True)
        show_array(axes[2], full, title="dX = full correlation", signed=True, fontsize=9)
        for (r, c), col, ls in zip(positions, colours, ("-", "--")):
            _frame(axes[0], r, c, kh, kw, col, ls)
            _frame(axes[2], r, c, 1, 1, col, ls)
    return fig


def plot_1d_gradients(x, w, dy, dx, dw, b=0.0):
    """The 1-D example: forward arrays (``y = x corr w + b``) and the two gradients,
    annotated."""
    y = np.array([np.dot(x[i:i + len(w)], w) for i in range(len(x) - len(w) + 1)]) + b
    pad = np.concatenate([np.zeros(len(w) - 1), dy, np.zeros(len(w) - 1)])
    rows = [[("x", x), ("w", w), (f"y = x corr w + b,\nb = {b:g} (valid)", y)],
            [("dY, zero-padded", pad), ("w flipped", np.asarray(w)[::-1]),
             ("dX = dY conv w\n(full)", dx)],
            [("x", x), ("dY (as a kernel)", dy), ("dW = x corr dY\n(valid)", dw)]]
    with style():
        fig, axes = plt.subplots(3, 3, figsize=(7.2, 5.0),
                                 gridspec_kw={"width_ratios": [1.3, 0.9, 1]})
        for ax_row, row in zip(axes, rows):
            for ax, (title, a) in zip(ax_row, row):
                show_array(ax, np.atleast_2d(a), title=title, signed=True, colorbar=False)
    return fig


def _mosaic(blocks, nrows: int, ncols: int):
    """Blocks (each (kh, kw)) in a grid with one blank (NaN) row/column between them."""
    kh, kw = np.asarray(blocks[0]).shape
    m = np.full((nrows * (kh + 1) - 1, ncols * (kw + 1) - 1), np.nan)
    for k, blk in enumerate(blocks):
        r, c = divmod(k, ncols)
        m[r * (kh + 1):r * (kh + 1) + kh, c * (kw + 1):c * (kw + 1) + kw] = blk
    return m


def _draw_mosaic(ax, m, labels, kshape, ncols, lim, title):
    import matplotlib

    cmap = matplotlib.colormaps[SIGNED_CMAP].with_extremes(bad="white")
    im = ax.imshow(m, cmap=cmap, vmin=-lim, vmax=lim)
    for (i, j), v in np.ndenumerate(m):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(v) > 0.6 * lim else "black")
    kh, kw = kshape
    for k, lab in enumerate(labels):
        r, c = divmod(k, ncols)
        ax.text(c * (kw + 1) + (kw - 1) / 2, r * (kh + 1) - 0.62, lab, ha="center",
                va="bottom", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title, pad=16, fontsize=10)
    return im


def plot_channel_swap(w):
    """The forward weights ``w`` (F, C, kh, kw) as a grid, row f and column c, beside the
    weights of the backward conv, ``rot180(w).swapaxes(0, 1)``: row c, column f, each
    kernel rotated. Same cell size, same colour scale, values to one decimal."""
    w = np.asarray(w, dtype=float)
    F, C, kh, kw = w.shape
    lim = float(np.max(np.abs(w))) or 1.0
    fwd = _mosaic([w[f, c] for f in range(F) for c in range(C)], F, C)
    back = _mosaic([rot180(w[f, c]) for c in range(C) for f in range(F)], C, F)
    with style():
        cell = 0.33
        fig, axes = plt.subplots(1, 2, figsize=(cell * (fwd.shape[1] + back.shape[1]) + 1.4,
                                                cell * max(fwd.shape[0], back.shape[0]) + 1.4),
                                 gridspec_kw={"width_ratios": [fwd.shape[1], back.shape[1]]})
        _draw_mosaic(axes[0], fwd, [f"w[{f},{c}]" for f in range(F) for c in range(C)],
                     (kh, kw), C, lim, f"forward w\nrow f, column c\n(F={F} rows, C={C} cols)")
        im = _draw_mosaic(axes[1], back, [f"rot180 w[{f},{c}]" for c in range(C)
                                          for f in range(F)], (kh, kw), F, lim,
                          f"backward weights\nrow c, column f\n(C={C} rows, F={F} cols)")
        fig.colorbar(im, ax=axes, shrink=0.6, label="weight", pad=0.01)
    return fig


def plot_max_pool_backward(x, dy, dx, win, size, stride, frames=((0, 0), (0, 1))):
    """One channel of max pooling backward: ``x`` with the windows of the outputs in
    ``frames`` outlined and every winner (first maximum) circled, ``dy``, and ``dx``.

    ``win``: ``(H_out, W_out, 2)`` winner positions (:func:`cnnedu.topics.pool_backward.winners`).
    """
    from matplotlib.patches import Circle

    colours = ("#ff8c00", "#2ca02c", "#9467bd")
    with style():
        fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.7),
                                 gridspec_kw={"width_ratios": [x.shape[1], dy.shape[1],
                                                               x.shape[1]]})
        show_array(axes[0], x, title=f"x: {size}x{size} windows,\nstride {stride}; "
                                     "circled:\nwinners", signed=False, colorbar=False)
        for (r, c) in {tuple(p) for p in win.reshape(-1, 2).tolist()}:
            axes[0].add_patch(Circle((c, r), 0.36, fill=False, ec="#b00020", lw=2))
        for (i, j), col, ls in zip(frames, colours, ("-", "--", ":")):
            _frame(axes[0], i * stride, j * stride, size, size, col, ls)
            _frame(axes[1], i, j, 1, 1, col, ls)
        lim = float(max(np.max(np.abs(dy)), np.max(np.abs(dx)))) or 1.0
        show_array(axes[1], dy, title="dY\n(one per window)", signed=True, vmax=lim,
                   fontsize=9)
        show_array(axes[2], dx, title="dX: each dY at\nits winner, summed", signed=True,
                   vmax=lim, fontsize=9)
    return fig


def plot_im2col_product(dy_mat, cols, cell: float = 0.065):
    """The weight gradient as one matrix product, drawn to scale (every entry a square of
    ``cell`` inches): ``dW_mat (F, C*kh*kw) = dY_mat (F, L) @ cols.T (L, C*kh*kw)``,
    ``L = N*H_out*W_out``; each panel has its own colour bar below it."""
    dy_mat, cols = np.asarray(dy_mat, float), np.asarray(cols, float)
    F, L = dy_mat.shape
    K = cols.shape[0]
    panels = [(dy_mat, f"dY_mat (F={F} x L={L})\nL = N*H_out*W_out"),
              (cols.T, f"cols.T: L={L}\nx C*kh*kw={K}"),
              (dy_mat @ cols.T, f"dW_mat = dY_mat\n@ cols.T ({F} x {K})")]
    gap, top, bar = 0.55, 0.75, 0.55
    width = sum(a.shape[1] for a, _ in panels) * cell + gap * 4
    height = top + max(a.shape[0] for a, _ in panels) * cell + bar + 0.6
    with style():
        fig = plt.figure(figsize=(width, height), layout="none")
        x0 = gap
        for a, title in panels:
            w_in, h_in = a.shape[1] * cell, a.shape[0] * cell
            ax = fig.add_axes([x0 / width, 1 - (top + h_in) / height, w_in / width,
                               h_in / height])
            im = show_array(ax, a, title=title, signed=True, annotate=False, colorbar=False)
            ax.set_title(title, fontsize=10)
            cax = fig.add_axes([x0 / width, 1 - (top + h_in + bar) / height, w_in / width,
                                0.12 / height])
            cb = fig.colorbar(im, cax=cax, orientation="horizontal")
            cb.locator = plt.MaxNLocator(3)
            cb.update_ticks()
            cb.ax.tick_params(labelsize=9)
            x0 += w_in + gap
    return fig


def plot_gradcheck_sweep(sweep, threshold: float = 1e-7, h: float = 1e-6):
    """Bars: whole-array relative error per case and gradient; dots: worst single entry."""
    labels = [c.label() for c, _ in sweep]
    names = ("dx", "dw", "db")
    with style():
        fig, ax = plt.subplots(figsize=(7.2, 4.6))
        pos = np.arange(len(sweep))
        for k, name in enumerate(names):
            norm = [e[name].norm for _, e in sweep]
            entry = [e[name].entry for _, e in sweep]
            ax.bar(pos + (k - 1) * 0.27, norm, width=0.27, label=f"{name}: whole array")
            ax.plot(pos + (k - 1) * 0.27, entry, "k.", ms=7,
                    label="worst single entry" if k == 0 else None)
        ax.axhline(threshold, color="#b00020", ls="--", label=f"{threshold:.0e}: good below")
        ax.set_yscale("log")
        ax.set_ylim(1e-13, 1e-1)
        ax.set_xticks(pos)
        ax.set_xticklabels([lb.replace(", ", ",").replace(" ", "\n") for lb in labels],
                           fontsize=9)
        ax.set_ylabel("relative error")
        ax.set_title(f"conv2d_backward vs float64 central\ndifferences (h = {h:.0e})")
        ax.legend(fontsize=9, ncol=3, loc="upper left")
    return fig


def plot_step_sweep(hs, err64, err32, threshold: float = 1e-7, default_h: float = 1e-6):
    """Relative error of finite-difference gradients against the step h, float64 vs float32."""
    with style():
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        ax.loglog(hs, err64, "o-", label="float64")
        ax.loglog(hs, err32, "s-", label="float32")
        ax.axhline(threshold, color="#b00020", ls="--", label=f"{threshold:.0e}")
        ax.axvline(default_h, color="grey", ls=":", label=f"h = {default_h:.0e} (gradcheck's default)")
        ax.set_xlabel("step h")
        ax.set_ylabel("relative error of the estimate")
        ax.set_title("Finite differences: rounding (small h) vs truncation (large h)")
        ax.legend(fontsize=9)
    return fig


def plot_kernel_learning(kernels, losses, hidden, show_steps):
    """The kernel at some steps, the hidden kernel, and the loss curve (log scale)."""
    lim = float(np.max(np.abs(hidden)))
    n = len(show_steps)
    with style():
        fig = plt.figure(figsize=(min(7.2, 1.45 * (n + 1)), 4.8))
        gs = fig.add_gridspec(2, n + 1, height_ratios=[1, 1.2])
        for k, s in enumerate(show_steps):
            ax = fig.add_subplot(gs[0, k])
            show_array(ax, np.round(kernels[s], 2), title=f"step {s}", signed=True,
                       colorbar=False, vmax=lim, fontsize=9)
        ax = fig.add_subplot(gs[0, n])
        show_array(ax, np.round(hidden, 2), title="hidden kernel", signed=True, colorbar=False,
                   vmax=lim, fontsize=9)
        ax = fig.add_subplot(gs[1, :])
        ax.semilogy(np.arange(len(losses)), losses, "-", color="#1f77b4")
        ax.semilogy(list(show_steps), [losses[s] for s in show_steps], "o", color="#ff8c00",
                    label="steps shown above")
        ax.set_xlabel("gradient step")
        ax.set_ylabel("loss (mean squared error / 2)")
        ax.set_title("Loss of the learned kernel")
        ax.legend()
    return fig
