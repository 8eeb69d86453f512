"""Figures for "filters as templates": one sliding step, correlation vs convolution, the
template match, a bank of hand-made filters, and a still of the filter explorer.

Each function draws with :mod:`cnnedu.viz.plotting` inside its ``style()`` and returns the
figure (the notebook calls ``plt.show()``). Images are grey; signed arrays (kernels,
responses) use the diverging colormap centred on 0 with a colorbar; small arrays are
annotated with their values.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> fig = sliding_step(np.arange(25.0).reshape(5, 5), np.eye(3), 1, 2)
>>> [ax.get_title() for ax in fig.axes[:2]]
['image, window at\\nrows 1..3, cols 2..4', 'kernel (3x3)']
>>> plt.close(fig)
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from cnnedu.topics import kernels as _kernels
from cnnedu.nn.conv import correlate2d
from cnnedu.topics.filter_response import (TILE_LABELS, FilterResponse, activation_label,
                                           map_caption)
from cnnedu.viz.plotting import fmt_value, show_array, style
from cnnedu.viz.render import SIGNED_CMAP, symmetric_limit
from cnnedu.topics.templates import Match, window_product

__all__ = ["sliding_step", "correlation_vs_convolution", "template_match", "filter_bank",
           "tiles", "explorer_still"]

HIGHLIGHT = "#ff9900"


def _box(ax, top, left, h, w, color=HIGHLIGHT, lw=3.0, ls="-", label=None):
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), w, h, fill=False, edgecolor=color,
                           linewidth=lw, linestyle=ls, label=label))


def sliding_step(image, kernel, i: int, j: int):
    """One step of the sliding dot product, cell by cell.

    Four panels: the image with the window at output position ``(i, j)`` outlined, the
    kernel, the elementwise products (window times kernel) with their sum, and the output
    map with only that one cell filled in.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    step = window_product(image, kernel, i, j)
    kh, kw = kernel.shape
    out_shape = (image.shape[0] - kh + 1, image.shape[1] - kw + 1)
    with style():
        # two rows, at most about 580 px wide (a 1024 px page with the file browser open),
        # so the numbers stay at least about 9 px tall
        fig, axes = plt.subplots(2, 2, figsize=(7.2, 5.6))
        axes = axes.ravel()
        show_array(axes[0], image, title=f"image, window at\nrows {i}..{i + kh - 1}, "
                   f"cols {j}..{j + kw - 1}", signed=False, colorbar=False, fontsize=9)
        _box(axes[0], i, j, kh, kw)
        show_array(axes[1], kernel, title=f"kernel ({kh}x{kw})", signed=True)
        show_array(axes[2], step.products, title=f"window x kernel\nsum = "
                   f"{fmt_value(step.total)}", signed=True)
        _box(axes[2], 0, 0, kh, kw)
        # the output map with one cell computed so far
        ax = axes[3]
        blank = np.ma.masked_all(out_shape)
        blank[i, j] = step.total
        lim = max(abs(step.total), 1e-12)
        im = ax.imshow(blank, cmap=SIGNED_CMAP, vmin=-lim, vmax=lim)
        ax.set_facecolor("white")
        for r in range(out_shape[0]):
            for c in range(out_shape[1]):
                _box(ax, r, c, 1, 1, color="0.8", lw=0.8)
        _box(ax, i, j, 1, 1)
        ax.text(j, i, fmt_value(step.total), ha="center", va="center", fontsize=11,
                color="white", fontweight="bold")
        ax.set_xlim(-0.5, out_shape[1] - 0.5)
        ax.set_ylim(out_shape[0] - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"lands in output[{i}, {j}]\n(output shape {out_shape})")
        fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def correlation_vs_convolution(image, kernel):
    """Cross-correlation and convolution of the same image with the same kernel, with the
    kernel and its 180-degree rotation (what convolution really slides)."""
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    corr = correlate2d(image, kernel)
    conv = correlate2d(image, kernel[::-1, ::-1])
    with style():
        # two rows (the inputs, then the outputs), at most about 580 px wide
        fig, axes = plt.subplots(2, 3, figsize=(7.2, 5.0))
        show_array(axes[0, 0], image, title="image", signed=False, colorbar=False)
        show_array(axes[0, 1], kernel, title="kernel", signed=True, colorbar=False)
        show_array(axes[0, 2], kernel[::-1, ::-1], title="kernel rotated 180°", signed=True,
                   colorbar=False)
        lim = symmetric_limit(np.concatenate([corr.ravel(), conv.ravel()]))
        show_array(axes[1, 0], corr, title="cross-correlation\n(slides the kernel)",
                   signed=True, vmax=lim, colorbar=False)
        show_array(axes[1, 1], conv, title="convolution\n(slides the rotated kernel)",
                   signed=True, vmax=lim)
        axes[1, 2].axis("off")
    return fig


def template_match(image, box, raw, ncc_map, raw_best: Match, ncc_best: Match):
    """The image with the patch's true place and both best matches, and the two score maps.

    ``box`` is ``(top, left, height, width)`` of the patch the template was cut from.
    """
    image = np.asarray(image, dtype=float)
    top, left, h, w = box
    with style():
        # 2x2 (the legend in the free slot), at most about 580 px wide
        fig, grid = plt.subplots(2, 2, figsize=(7.2, 7.0))
        axes = [grid[0, 0], grid[0, 1], grid[1, 0]]
        grid[1, 1].axis("off")
        show_array(axes[0], image, title="image: where is the patch?", signed=False,
                   colorbar=False)
        _box(axes[0], top, left, h, w, color="#00cc44", lw=3, label="true place")
        _box(axes[0], raw_best.row, raw_best.col, h, w, color=HIGHLIGHT, lw=3, ls="--",
             label="best raw dot product")
        # drawn 3 pixels inside its window, so it stays visible on top of the true place
        axes[0].add_patch(Rectangle((ncc_best.col + 2.5, ncc_best.row + 2.5), w - 6, h - 6,
                                    fill=False, edgecolor="#3377ff", linewidth=2.5,
                                    label="best NCC (drawn just inside)"))
        handles, labels = axes[0].get_legend_handles_labels()
        grid[1, 1].legend(handles, labels, loc="center", fontsize=10)
        # a map that is never negative (a dark-to-bright photo against a positive patch)
        # is drawn grey, as an image; NCC is signed, in [-1, 1]
        for ax, m, best, name, digits in ((axes[1], raw, raw_best, "raw dot product", 0),
                                          (axes[2], ncc_map, ncc_best, "zero-mean NCC", 3)):
            m = np.asarray(m, dtype=float)
            show_array(ax, m, title=f"{name}\nbest {best.value:.{digits}f} at "
                       f"({best.row}, {best.col})", signed=bool(np.nanmin(m) < 0),
                       colorbar=True)
            ax.plot([best.col], [best.row], marker="o", markersize=14,
                    markerfacecolor="none", markeredgecolor="black", markeredgewidth=2)
            ax.plot([left], [top], marker="+", markersize=18, color="#00cc44",
                    markeredgewidth=3)
    return fig


def _denominator(kernel, largest: int = 64):
    """The smallest whole d <= ``largest`` with ``kernel * d`` whole (None if there is
    none): 9 for box blur, 16 for the Gaussian."""
    for d in range(1, largest + 1):
        if np.allclose(kernel * d, np.round(kernel * d), rtol=0, atol=1e-9):
            return d
    return None


def filter_bank(image, names, size: int = 3, image_title: str = "input image"):
    """The input image, hand-made filters (top row, annotated, all on one colour scale)
    and their responses on ``image`` (bottom row).

    A zero-sum kernel (a template of change) gives a signed response, drawn in the
    diverging map centred on 0; a kernel whose weights sum to 1 (blur, sharpen) gives
    an image-like response, drawn grey. Each response has its own colorbar.

    Use an image of at most about 160x160 pixels (or a crop): thin edges in a larger one
    vanish when the panel is drawn smaller than the image."""
    image = np.asarray(image, dtype=float)
    n = len(names)
    kerns = [_kernels.get(name, size) for name in names]
    lim = max(float(np.abs(k).max()) for k in kerns)
    # a fixed layout: constrained layout costs seconds with this many colorbars
    with style(**{"figure.constrained_layout.use": False}):
        # slots of (kernel above its response), 4 to a row, the input in the first slot:
        # at most about 580 px wide, so the kernel numbers stay at least about 9 px tall
        cols = 4
        slot_rows = -(-(n + 1) // cols)
        fig, grid = plt.subplots(2 * slot_rows, cols, figsize=(7.2, 3.6 * slot_rows),
                                 gridspec_kw={"height_ratios": [0.75, 1] * slot_rows})
        fig.subplots_adjust(left=0.05, right=0.93, bottom=0.02,
                            top=1 - 0.65 / (3.6 * slot_rows), wspace=0.5, hspace=0.35)
        slots = [(grid[2 * (s // cols), s % cols], grid[2 * (s // cols) + 1, s % cols])
                 for s in range(slot_rows * cols)]
        for top, bottom in slots[n + 1:]:
            top.axis("off")
            bottom.axis("off")
        axes = np.array([[top for top, _ in slots], [bottom for _, bottom in slots]])
        show_array(axes[1, 0], image, title=image_title, signed=False, annotate=False,
                   colorbar=False)
        axes[0, 0].axis("off")
        for k, (name, kern) in enumerate(zip(names, kerns), start=1):
            integer = bool(np.all(kern == np.round(kern)))
            # a blur's weights (1/9, 1/16, ...) are written as whole numbers over a common
            # denominator, so the numbers fit their cells at a legible size
            denom = _denominator(kern) if not integer and size == 3 else None
            title = _kernels.title(name) + (f" (÷ {denom})" if denom else "")
            im_k = show_array(axes[0, k], kern, title=title, signed=True, vmax=lim,
                              colorbar=False, annotate=denom is None,
                              fontsize=(11 if integer else 8.5) if size == 3 else 8)
            if denom:
                for (r, c), v in np.ndenumerate(np.round(kern * denom).astype(int)):
                    axes[0, k].text(c, r, str(v), ha="center", va="center", fontsize=11)
            resp = correlate2d(image, kern)
            zero_sum = abs(float(kern.sum())) < 1e-9
            im = show_array(axes[1, k], resp, signed=zero_sum, annotate=False,
                            colorbar=False, title="response (signed)" if zero_sum
                            else "response (grey)")
            fig.colorbar(im, ax=axes[1, k], fraction=0.05, pad=0.03)
        cax = axes[0, 0].inset_axes([0.7, 0.02, 0.1, 0.96])
        fig.colorbar(im_k, cax=cax)
        cax.yaxis.set_ticks_position("left")
        cax.yaxis.set_label_position("left")
        cax.set_ylabel(f"kernel weights:\none scale, ±{lim:g}", fontsize=10)
    return fig


def tiles(tile_images: dict, title: str = "", kernel=None):
    """Small pictures side by side, each titled with its name (grey, one scale 0..1); with
    ``kernel``, a second row with each tile's response and its largest value."""
    names = list(tile_images)
    n = len(names)
    per = 1 if kernel is None else 2              # rows of axes for one row of tiles
    cols = min(n, 5)                               # at most about 580 px wide
    tile_rows = -(-n // cols)
    rows = per * tile_rows
    with style(**{"figure.constrained_layout.use": False}):
        fig, axes = plt.subplots(rows, cols, figsize=(7.2, 1.75 * rows + 0.5),
                                 squeeze=False)
        fig.subplots_adjust(left=0.01, right=0.92, bottom=0.02,
                            top=1 - 0.5 / (1.75 * rows + 0.5), wspace=0.2, hspace=0.5)
        for ax in axes.ravel()[:]:
            ax.axis("off")
        resp = ({m: correlate2d(tile_images[m], kernel) for m in names}
                if kernel is not None else {})
        lim = max((symmetric_limit(r) for r in resp.values()), default=1.0)
        for k, name in enumerate(names):
            r, c = per * (k // cols), k % cols
            axes[r, c].axis("on")
            show_array(axes[r, c], tile_images[name], title=TILE_LABELS.get(name, name),
                       signed=False, annotate=False, vmin=0.0, vmax=1.0, fontsize=8)
            axes[r, c].title.set_fontsize(10)
            if kernel is not None:
                axes[r + 1, c].axis("on")
                show_array(axes[r + 1, c], resp[name], signed=True, vmax=lim,
                           annotate=False, colorbar=False,
                           title=f"max {round(float(resp[name].max()), 2) + 0.0:.2f}")
                axes[r + 1, c].title.set_fontsize(10)
        if kernel is not None:                    # one colour bar: every response, one scale
            top = axes[1, cols - 1].get_position()
            bottom = axes[rows - 1, cols - 1].get_position()
            cax = fig.add_axes([top.x1 + 0.015, bottom.y0, 0.015, top.y1 - bottom.y0])
            fig.colorbar(axes[1, cols - 1].images[0], cax=cax)
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def explorer_still(image, kernel, result: FilterResponse, *, activation: str,
                   bias: float, title: str = ""):
    """The four panels of the filter explorer, drawn once with matplotlib (for the saved
    notebook): input, kernel (annotated), raw response, response after bias and activation.
    """
    with style():
        # 2x2, at most about 580 px wide, so every text stays at least about 9 px tall
        fig, axes = plt.subplots(2, 2, figsize=(7.2, 6.6))
        axes = axes.ravel()
        show_array(axes[0], image, title="input image", signed=False, colorbar=False)
        show_array(axes[1], kernel, title="kernel", signed=True, colorbar=False)
        show_array(axes[2], result.raw, title="raw response: image ⋆ kernel\n"
                   + map_caption(result.raw), signed=True, annotate=False)
        show_array(axes[3], result.activated, title=activation_label(activation, bias) + "\n"
                   + map_caption(result.activated, activation), signed=True,
                   annotate=False)
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig
