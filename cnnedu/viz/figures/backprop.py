"""Figures for backpropagation through a convolution (matplotlib) and the pictures its
widgets show (RGB arrays for :mod:`cnnedu.viz.render`, no matplotlib in the update path).

Colour code shared by the figures and the widgets: each weight ``w[u, v]`` has its own
colour (:func:`weight_colour`); an input cell read through ``w[u, v]``, and an output cell
that reached the chosen input through ``w[u, v]``, get that colour. The chosen cell is
black, framed in dark red; padding is light grey.

>>> pics = gradflow_pictures("output", 0, 0, (4, 4), (3, 3))
>>> sorted(pics), pics["input"].dtype.name
(['input', 'kernel', 'output', 'text'], 'uint8')
>>> curve_rgb([1.0, 0.1, 0.01]).shape
(160, 260, 3)
"""
from __future__ import annotations

import numpy as np

from cnnedu.topics.gradflow import geometry, input_reach, input_grad_terms, output_window
from cnnedu.viz.plotting import plt, show_array, style

__all__ = ["weight_colour", "grid_picture", "gradflow_pictures", "curve_rgb", "plot_gradflow",
           "plot_full_correlation", "plot_1d_gradients", "plot_gradcheck_sweep",
           "plot_step_sweep", "plot_kernel_learning"]

WHITE = np.array([255, 255, 255], np.uint8)
PAD = np.array([225, 225, 225], np.uint8)
CHOSEN = np.array([20, 20, 20], np.uint8)
GRID = np.array([150, 150, 150], np.uint8)
FRAME = np.array([176, 0, 32], np.uint8)
ORANGE = np.array([255, 140, 0], np.uint8)


def _palette() -> np.ndarray:
    import matplotlib

    cols = np.concatenate([matplotlib.colormaps["tab20"](np.arange(0, 20, 2)),
                           matplotlib.colormaps["tab20"](np.arange(1, 20, 2)),
                           matplotlib.colormaps["tab20b"](np.arange(20))])[:, :3]
    return np.round(cols * 255).astype(np.uint8)


_PALETTE = None


def weight_colour(index: int) -> np.ndarray:
    """RGB uint8 colour of weight number ``index`` (``u * kw + v``), 40 before repeating."""
    global _PALETTE
    if _PALETTE is None:
        _PALETTE = _palette()
    return _PALETTE[int(index) % len(_PALETTE)]


def grid_picture(colours: np.ndarray, cell: int = 24, outline=None) -> np.ndarray:
    """Enlarge an (H, W, 3) uint8 colour array to ``cell``-pixel squares with grey grid
    lines; ``outline`` (row, col) draws a thick dark-red frame around one cell."""
    colours = np.asarray(colours, dtype=np.uint8)
    H, W = colours.shape[:2]
    img = np.repeat(np.repeat(colours, cell, axis=0), cell, axis=1)
    img[::cell, :] = GRID
    img[:, ::cell] = GRID
    img = np.concatenate([img, np.tile(GRID, (1, W * cell, 1))], axis=0)
    img = np.concatenate([img, np.tile(GRID, (H * cell + 1, 1, 1))], axis=1)
    if outline is not None:
        r, c = outline
        t = max(2, cell // 8)
        r0, c0 = r * cell, c * cell
        img[r0:r0 + cell + 1, c0:c0 + t] = FRAME
        img[r0:r0 + cell + 1, c0 + cell + 1 - t:c0 + cell + 1] = FRAME
        img[r0:r0 + t, c0:c0 + cell + 1] = FRAME
        img[r0 + cell + 1 - t:r0 + cell + 1, c0:c0 + cell + 1] = FRAME
    return img


def gradflow_pictures(mode: str, r, c, in_hw, k_hw, *, stride=1, padding=0, dilation=1,
                      cell: int = 24) -> dict:
    """The three pictures of the gradient-flow explorer and a line of text.

    Parameters
    ----------
    mode : {"output", "input"}
        ``"output"``: ``(r, c)`` is an output cell; colour the input cells it read (by the
        weight that read them) and every weight. ``"input"``: ``(r, c)`` is an input cell;
        colour every output cell it reached, and the weights that carried it.

    Returns
    -------
    dict with ``"input"`` (the padded input, padding grey), ``"kernel"``, ``"output"``:
    RGB uint8 arrays, and ``"text"``: the sum this picture stands for.
    """
    if mode not in ("output", "input"):
        raise ValueError(f"gradflow_pictures: mode must be 'output' or 'input'; got {mode!r}")
    g = geometry(in_hw, k_hw, stride=stride, padding=padding, dilation=dilation,
                 func="gradflow_pictures")
    (Hp, Wp), (kh, kw), (ph, pw) = g.padded_hw, g.k_hw, g.padding
    inp = np.tile(PAD, (Hp, Wp, 1))
    inp[ph:ph + g.in_hw[0], pw:pw + g.in_hw[1]] = WHITE
    ker = np.tile(WHITE, (kh, kw, 1))
    out = np.tile(WHITE, (*g.out_hw, 1))
    kw_args = {"stride": g.stride, "padding": g.padding, "dilation": g.dilation}
    if mode == "output":
        wmap = output_window(r, c, g.in_hw, g.k_hw, **kw_args)
        for (a, b), idx in np.ndenumerate(wmap):
            if idx >= 0:
                inp[a, b] = weight_colour(idx)
        for u in range(kh):
            for v in range(kw):
                ker[u, v] = weight_colour(u * kw + v)
        out[r, c] = CHOSEN
        n_pad = int(np.sum(wmap >= 0) - np.sum(wmap[ph:ph + g.in_hw[0], pw:pw + g.in_hw[1]] >= 0))
        text = (f"y[{r},{c}] = sum of {kh * kw} products x_pad[.]*w[u,v]"
                + (f"; {n_pad} of them read padding zeros" if n_pad else "")
                + f". Its gradient dY[{r},{c}] flows back to exactly these cells and weights.")
        return {"input": grid_picture(inp, cell), "kernel": grid_picture(ker, cell),
                "output": grid_picture(out, cell, outline=(r, c)), "text": text}
    terms = input_reach(r, c, g.in_hw, g.k_hw, **kw_args)
    inp[r + ph, c + pw] = CHOSEN
    for i, j, u, v in terms:
        out[i, j] = weight_colour(u * kw + v)
        ker[u, v] = weight_colour(u * kw + v)
    return {"input": grid_picture(inp, cell, outline=(r + ph, c + pw)),
            "kernel": grid_picture(ker, cell), "output": grid_picture(out, cell),
            "text": input_grad_terms(r, c, g.in_hw, g.k_hw, **kw_args)}


def curve_rgb(values, width: int = 260, height: int = 160, *, log: bool = True,
              marker=None) -> np.ndarray:
    """A line plot as an RGB uint8 array (for a live widget): ``values`` against their
    index, on a log scale by default; non-finite values are left out. A dotted grey line
    marks each power of ten. ``marker`` (an index) draws an orange dot there.

    Vectorised (no loop over points), so thousands of values cost about a millisecond.
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    img = np.tile(WHITE, (height, width, 1))
    img[-1, :] = GRID
    img[:, 0] = GRID
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = np.isfinite(v) & ((v > 0) if log else True)
        y = np.log10(np.where(ok, v, 1.0)) if log else np.where(ok, v, 0.0)
    if ok.sum() == 0:
        return img
    idx = np.flatnonzero(ok)
    lo, hi = float(y[ok].min()), float(y[ok].max())
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
    m = 6
    to_row = lambda val: m + (hi - val) / (hi - lo) * (height - 2 * m)  # noqa: E731
    to_col = lambda i: m + i / max(1, v.size - 1) * (width - 2 * m)  # noqa: E731
    if log:
        for p in range(int(np.ceil(lo)), int(np.floor(hi)) + 1):
            img[int(round(to_row(p))), 1::3] = (200, 200, 200)
    blue = np.array([31, 119, 180], np.uint8)
    cols = np.arange(int(round(to_col(idx[0]))), int(round(to_col(idx[-1]))) + 1)
    xs = (cols - m) / (width - 2 * m) * max(1, v.size - 1)
    rows = to_row(np.interp(xs, idx, y[idx]))
    r0 = np.minimum(rows, np.concatenate([rows[1:], rows[-1:]]))
    r1 = np.maximum(rows, np.concatenate([rows[1:], rows[-1:]]))
    rr = np.arange(height)[:, None]
    mask = (rr >= np.floor(r0) - 0.5) & (rr <= np.ceil(r1) + 0.5)
    sub = img[:, cols]
    sub[mask] = blue
    img[:, cols] = sub
    if marker is not None and 0 <= marker < v.size and ok[marker]:
        r, c = int(round(to_row(y[marker]))), int(round(to_col(marker)))
        img[max(0, r - 3):r + 4, max(0, c - 3):c + 4] = ORANGE
    return img


# ---------------------------------------------------------------------------------------
# matplotlib figures for the notebook
# ---------------------------------------------------------------------------------------

def plot_gradflow(pictures: list[dict], titles: list[str]):
    """Rows of (input, kernel, output) pictures from :func:`gradflow_pictures`."""
    with style():
        fig, axes = plt.subplots(len(pictures), 3, figsize=(10, 3.3 * len(pictures)),
                                 squeeze=False, gridspec_kw={"width_ratios": [1.4, 0.8, 1]})
        for row, (pics, title) in enumerate(zip(pictures, titles)):
            for ax, key, name in zip(axes[row], ("input", "kernel", "output"),
                                     ("input x (grey: padding)", "kernel w", "output y")):
                ax.imshow(pics[key], interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title(f"{title}: {name}" if key == "input" else name)
    return fig


def _frame(ax, r, c, h, w, colour, ls="-"):
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, ec=colour, lw=3, ls=ls))


def plot_full_correlation(steps: dict, positions, colours=("#ff8c00", "#2ca02c")):
    """Padded dY with the rotated kernel at ``positions`` (rows, cols in the full output),
    the rotated kernel, and the resulting gradient with those cells framed."""
    padded, rotated, full = steps["padded"], steps["rotated"], steps["full"]
    kh, kw = rotated.shape
    with style():
        fig, axes = plt.subplots(1, 3, figsize=(13, 4.6),
                                 gridspec_kw={"width_ratios": [1.3, 0.6, 1.1]})
        show_array(axes[0], padded, title="dY, zero-padded by k-1 on each side",
                   signed=True, fontsize=9)
        show_array(axes[1], rotated, title="rot180(W)", signed=True)
        show_array(axes[2], full, title="dX = full correlation", signed=True, fontsize=9)
        for (r, c), col, ls in zip(positions, colours, ("-", "--")):
            _frame(axes[0], r, c, kh, kw, col, ls)
            _frame(axes[2], r, c, 1, 1, col, ls)
    return fig


def plot_1d_gradients(x, w, dy, dx, dw):
    """The 1-D example: forward arrays and the two gradients, annotated."""
    y = np.array([np.dot(x[i:i + len(w)], w) for i in range(len(x) - len(w) + 1)])
    pad = np.concatenate([np.zeros(len(w) - 1), dy, np.zeros(len(w) - 1)])
    rows = [[("x", x), ("w", w), ("y = x corr w (valid)", y)],
            [("dY, zero-padded", pad), ("w flipped", np.asarray(w)[::-1]),
             ("dX = dY conv w (full)", dx)],
            [("x", x), ("dY (used as a kernel)", dy), ("dW = x corr dY (valid)", dw)]]
    with style():
        fig, axes = plt.subplots(3, 3, figsize=(11, 4.8),
                                 gridspec_kw={"width_ratios": [1.3, 0.9, 1]})
        for ax_row, row in zip(axes, rows):
            for ax, (title, a) in zip(ax_row, row):
                show_array(ax, np.atleast_2d(a), title=title, signed=True, colorbar=False)
    return fig


def plot_gradcheck_sweep(sweep, threshold: float = 1e-7):
    """Bars: whole-array relative error per case and gradient; dots: worst single entry."""
    labels = [c.label() for c, _ in sweep]
    names = ("dx", "dw", "db")
    with style():
        fig, ax = plt.subplots(figsize=(10, 4.2))
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
                           fontsize=8)
        ax.set_ylabel("relative error")
        ax.set_title("conv2d_backward vs float64 central differences (h = 1e-6)")
        ax.legend(fontsize=9, ncol=5, loc="upper left")
    return fig


def plot_step_sweep(hs, err64, err32, threshold: float = 1e-7):
    """Relative error of finite-difference gradients against the step h, float64 vs float32."""
    with style():
        fig, ax = plt.subplots(figsize=(7.5, 4.2))
        ax.loglog(hs, err64, "o-", label="float64")
        ax.loglog(hs, err32, "s-", label="float32")
        ax.axhline(threshold, color="#b00020", ls="--", label=f"{threshold:.0e}")
        ax.axvline(1e-6, color="grey", ls=":", label="h = 1e-6 (our default)")
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
        fig = plt.figure(figsize=(1.9 * (n + 1), 5.0))
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
