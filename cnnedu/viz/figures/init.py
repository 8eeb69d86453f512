"""Figures for initialization: the depth study, draws of initializers, filters after training,
and fast RGB plots (drawn with numpy, no matplotlib per update) for the variance meter.

Matplotlib figures (for notebooks) use :func:`cnnedu.viz.plotting.style`; the ``*_rgb`` functions
return ``(H, W, 3)`` uint8 arrays for :class:`cnnedu.widgets._base.ImagePanel`.

>>> import numpy as np
>>> rgb = std_plot_rgb([(np.logspace(0, -3, 10), "forward"), (np.ones(10), "backward")])
>>> rgb.shape, rgb.dtype.name
((300, 520, 3), 'uint8')
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from cnnedu.viz.plotting import plt, show_array, style

__all__ = ["COLORS", "plot_depth_study", "plot_draws", "plot_training_runs",
           "plot_truncation", "std_plot_rgb", "histogram_rgb", "log_range"]

COLORS = {"forward": (31, 119, 180), "backward": (230, 120, 20), "grid": (225, 225, 225),
          "axis": (90, 90, 90), "one": (150, 150, 150), "marker": (200, 40, 40)}

# the depth study: label -> (line style, colour)
_STYLES = ["-", "--", "-.", ":"]


# ---------------------------------------------------------------------- notebook figures

def _merge_labels(ends, span: float):
    """Group (log10 value, name, colour) whose values lie within 6% of the axis span."""
    groups = []
    for item in sorted(ends):
        if groups and item[0] - groups[-1][-1][0] < 0.06 * span:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def plot_depth_study(profiles: dict, *, title: str = ""):
    """One log-scale figure: one panel per activation and direction (forward, backward),
    stacked in one column so that it stays legible on a projector (about 580 px wide).

    Parameters
    ----------
    profiles : dict
        ``{label: {activation: DepthProfile}}``, the same activations for every label.

    Curves whose end value is below 1e-2 or above 1e2 are labelled "vanishes" /
    "explodes" (forward: at layer ``depth``, named; backward: at layer 1, where the
    gradient arrives). Labels of curves ending close together are merged.
    """
    labels = list(profiles)
    acts = list(next(iter(profiles.values())))
    cmap = plt.get_cmap("tab10")
    with style():
        fig, axes = plt.subplots(2 * len(acts), 1, figsize=(7.2, 2.55 * 2 * len(acts) + 1.3),
                                 squeeze=False, layout="constrained")
        for j, act in enumerate(acts):
            for row, attr, what in ((0, "forward_std", "activations (forward)"),
                                    (1, "backward_std", "gradients (backward)")):
                ax = axes[2 * j + row, 0]
                ends = []
                depth = 1
                for i, lab in enumerate(labels):
                    ys = getattr(profiles[lab][act], attr)
                    depth = len(ys)
                    xs = np.arange(1, depth + 1)
                    color = cmap(i % 10)
                    ax.plot(xs, ys, _STYLES[i % 4], marker="o", ms=3, lw=1.6, color=color,
                            label=lab)
                    end = ys[-1] if row == 0 else ys[0]
                    if np.isfinite(end) and end > 0 and (end < 1e-2 or end > 1e2):
                        name = lab.split(" (")[0].replace("normal, ", "").replace(" default", "")
                        ends.append((math.log10(end), name, color))
                ax.set_yscale("log")
                lo, hi = (math.log10(v) for v in ax.get_ylim())
                for group in _merge_labels(ends, hi - lo):
                    y = 10 ** np.mean([g[0] for g in group])
                    word = "vanish" if group[0][0] < 0 else "explode"
                    word = {"vanish": "vanishes", "explode": "explodes"}[word] if len(group) == 1 else word
                    color = group[0][2] if len(group) == 1 else "0.25"
                    if row == 0:
                        text = ", ".join(g[1] for g in group) + f": {word}"
                        ax.annotate(text, (depth, y), xytext=(5, 0), textcoords="offset points",
                                    va="center", fontsize=10, color=color)
                    else:
                        ax.annotate(word, (1, y), xytext=(-5, 0), textcoords="offset points",
                                    ha="right", va="center", fontsize=10, color=color)
                ax.axhline(1.0, color="0.6", lw=0.8, zorder=0)
                ax.set_title(f"{act}: std of the {what}")
                ax.set_ylabel("std (log scale)")
                ax.grid(True, which="major", axis="y", color="0.92")
                ticks = [1] + list(range(5, depth + 1, 5))
                ax.set_xticks(ticks)
                ax.set_xlabel("layer")
                if row == 1:
                    ax.set_xlim(-3.5, depth + 0.5)
                else:
                    ax.set_xlim(0.5, depth + 14)
        handles, labs = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labs, loc="outside lower center", ncol=2, fontsize=10)
        if title:
            fig.suptitle(title, fontweight="bold")
    return fig


def plot_draws(draws: dict, *, bins: int = 161, ncols: int = 2, reference: str | None = None):
    """Histograms of initializer draws, one panel each, all on one shared x-axis (so the
    spreads compare at a glance), titled with the measured std.

    ``draws`` is ``{title: array}``. With ``reference`` (a key of ``draws``), each title
    also says how many times narrower than that draw it is.
    """
    n = len(draws)
    nrows = -(-n // ncols)
    lim = max(float(np.abs(np.ravel(a)).max()) for a in draws.values()) or 1.0
    ref_std = float(np.std(draws[reference])) if reference else None
    with style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 1.75 * nrows + 0.4),
                                 squeeze=False, sharex=True, layout="constrained")
        for ax, (name, a) in zip(axes.flat, draws.items()):
            a = np.ravel(a)
            if np.ptp(a) == 0:
                ax.axvline(a[0], lw=3, color="tab:blue")
            else:
                ax.hist(a, bins=bins, range=(-lim, lim), color="tab:blue")
            std = float(a.std())
            extra = ""
            if ref_std and name != reference and std > 0:
                extra = f" ({ref_std / std:.0f}x narrower)" if ref_std / std >= 1.5 else ""
            ax.set_title(f"{name}\nstd {std:.3g}{extra}", fontsize=10)
            ax.set_yticks([])
            ax.set_xlim(-lim, lim)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        for ax in axes[-1]:
            ax.set_xlabel("weight value")
    return fig


def plot_training_runs(runs: dict):
    """Each start in a row: its filters after training (annotated, one colour scale);
    underneath, the loss curves of every start in one panel (about 580 px wide).

    ``runs`` is ``{title: SymmetryRun}``.
    """
    F = next(iter(runs.values())).w_end.shape[0]
    lim = max(float(np.abs(r.w_end).max()) for r in runs.values()) or 1.0
    n = len(runs)
    with style():
        fig = plt.figure(figsize=(7.2, 1.65 * n + 2.5), layout="constrained")
        grid = fig.add_gridspec(n + 1, F, height_ratios=[1] * n + [1.45])
        for i, (name, r) in enumerate(runs.items()):
            row = [fig.add_subplot(grid[i, f]) for f in range(F)]
            for f, ax in enumerate(row):
                w = r.w_end[f, 0]
                im = show_array(ax, w, title=f"filter {f + 1}", signed=True, vmax=lim,
                                colorbar=False, annotate=False)
                for (a, c), val in np.ndenumerate(w):       # 2 decimals fit a cell
                    ax.text(c, a, f"{val:.2f}".replace("-0.00", "0.00"), ha="center",
                            va="center", fontsize=8,
                            color="white" if abs(val) > 0.6 * lim else "black")
            fig.colorbar(im, ax=row, shrink=0.85, pad=0.02)
            row[0].set_ylabel(name, fontsize=10, fontweight="bold")
        ax = fig.add_subplot(grid[n, :])
        for name, r in runs.items():
            ax.plot(r.losses, label=f"{name}: {r.losses[0]:.3f} -> {r.losses[-1]:.3f}")
        ax.set_title("loss during training (start -> end)")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.set_ylim(0, max(0.55, max(float(np.max(r.losses)) for r in runs.values()) * 1.05))
        ax.legend(fontsize=10, loc="lower left")
    return fig


def plot_truncation(plain, corrected, target_std: float):
    """Histograms of truncated-normal draws without and with the 0.8796 correction."""
    with style():
        fig, axes = plt.subplots(2, 1, figsize=(7.2, 5.4), sharex=True, sharey=True,
                                 layout="constrained")
        lim = 2.5 * target_std / 0.87962566103423978
        for ax, a, name in ((axes[0], plain, "drawn with std s, then truncated"),
                            (axes[1], corrected, "drawn with std s / 0.8796, then truncated")):
            ax.hist(np.ravel(a), bins=60, range=(-lim, lim), color="tab:blue")
            ax.axvline(-target_std, color="tab:red", ls="--", lw=1)
            ax.axvline(target_std, color="tab:red", ls="--", lw=1, label=f"+-s = {target_std:.4f}")
            ax.set_title(f"{name}\nmeasured std {np.std(a):.4f} (target s = {target_std:.4f})",
                         fontsize=10)
            ax.legend(loc="upper right", fontsize=10)
            ax.set_ylabel("count")
        axes[1].set_xlabel("weight value")
    return fig


# ------------------------------------------------------------------- fast RGB drawing

@lru_cache(maxsize=1)
def _font():
    from matplotlib import font_manager, ft2font
    return ft2font.FT2Font(font_manager.findfont("DejaVu Sans"))


@lru_cache(maxsize=1024)
def _text_mask(text: str, fontsize: int = 10) -> np.ndarray:
    """Coverage mask (H, W) in [0, 1] of ``text`` at 100 dpi, drawn by FreeType once and
    cached (0.5 ms; a matplotlib figure took 4 ms, paid for every new histogram title)."""
    from matplotlib import ft2font
    font = _font()
    font.clear()
    font.set_size(fontsize, 100)
    flags = (ft2font.LoadFlags.FORCE_AUTOHINT if hasattr(ft2font, "LoadFlags")
             else ft2font.LOAD_FORCE_AUTOHINT)
    font.set_text(text or " ", 0.0, flags=flags)
    font.draw_glyphs_to_bitmap(antialiased=True)
    a = np.asarray(font.get_image()).astype(np.float64) / 255.0
    rows, cols = np.nonzero(a > 0.02)
    if not rows.size:
        return np.zeros((1, 1))
    return a[rows.min():rows.max() + 1, cols.min():cols.max() + 1].copy()


def _put_text(img, text, x, y, color=(40, 40, 40), *, anchor="left", fontsize=10):
    """Blend ``text`` into ``img`` with its left (or right/centre) edge at x, centred at y."""
    m = _text_mask(text, fontsize)
    h, w = m.shape
    x0 = {"left": x, "right": x - w, "center": x - w // 2}[anchor]
    y0 = y - h // 2
    H, W = img.shape[:2]
    xa, ya, xb, yb = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    if xa >= xb or ya >= yb:
        return
    mm = m[ya - y0:yb - y0, xa - x0:xb - x0, None]
    region = img[ya:yb, xa:xb].astype(np.float64)
    img[ya:yb, xa:xb] = np.round(region * (1 - mm) + np.array(color) * mm).astype(np.uint8)


def _line(img, xs, ys, color, thickness=2):
    """Draw a polyline through pixel coordinates (skips NaN points, breaking the line). Every
    segment at once: the floats of ``np.linspace(start, stop, int(max(|dx|, |dy|)) + 2)`` (numpy
    2.x: ``k * step + start``, ``k / (n - 1) * delta + start`` if step is 0; ``stop`` last)."""
    H, W = img.shape[:2]
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    ok = np.isfinite(ys[:-1]) & np.isfinite(ys[1:])
    if not ok.any():
        return
    a, b = np.stack([xs[:-1][ok], ys[:-1][ok]]), np.stack([xs[1:][ok], ys[1:][ok]])
    n = np.abs(b - a).max(axis=0).astype(np.intp) + 2
    ends = np.cumsum(n)
    k = np.arange(ends[-1], dtype=np.float64) - np.repeat(ends - n, n)
    div, delta = np.repeat(n - 1, n), np.repeat(b - a, n, axis=1)
    p = np.where(delta / div == 0, k / div * delta, k * (delta / div)) + np.repeat(a, n, axis=1)
    p[:, ends - 1] = b
    off = np.indices((thickness, thickness)).reshape(2, -1, 1) - thickness // 2
    qx, qy = (np.round(p).astype(int)[:, None] + off).reshape(2, -1)
    ok = (qx >= 0) & (qx < W) & (qy >= 0) & (qy < H)
    img[qy[ok], qx[ok]] = np.array(color, dtype=np.uint8)


def _markers(img, xs, ys, color, r=2):
    """A ``2r + 1`` pixel square at each finite point (one indexing call if all are inside)."""
    H, W = img.shape[:2]
    x, y = (np.round(np.asarray(v, dtype=np.float64)[np.isfinite(ys)]) for v in (xs, ys))
    if np.all((x >= r) & (x < W - r) & (y >= r) & (y < H - r)):
        d = np.arange(-r, r + 1)
        img[y.astype(int)[:, None, None] + d[:, None], x.astype(int)[:, None, None] + d] = color
        return
    for x, y in zip(xs, ys):
        if np.isfinite(y):
            x, y = int(round(x)), int(round(y))
            img[max(y - r, 0):min(y + r + 1, H), max(x - r, 0):min(x + r + 1, W)] = color


def log_range(values, *, min_decades: int = 2, limit: int = 40) -> tuple[int, int]:
    """Decade range ``(lo, hi)`` (powers of 10) covering the finite positive values.

    >>> log_range([0.003, 2.0])
    (-3, 1)
    >>> log_range([1.0])
    (-1, 1)
    """
    v = np.asarray([a for a in np.ravel(values) if np.isfinite(a) and a > 0], dtype=float)
    if not v.size:
        return -1, 1
    lo = max(math.floor(math.log10(v.min())), -limit)
    hi = min(math.ceil(math.log10(v.max())), limit)
    while hi - lo < min_decades:
        lo, hi = lo - 1, hi + 1
    return lo, hi


def _decade_label(k: int) -> str:
    return {0: "1", 1: "10", -1: "0.1"}.get(k, f"1e{k}")


def std_plot_rgb(curves, *, width: int = 520, height: int = 300, mark_layer=None,
                 title: str = "") -> np.ndarray:
    """Per-layer std on a log scale, drawn straight into an RGB array (a few ms).

    Parameters
    ----------
    curves : list of (values, name)
        ``values`` shape (depth,), one per layer (1-based on the x axis); ``name`` is
        ``"forward"`` or ``"backward"`` (it picks the colour and the legend text).
    mark_layer : int, optional
        Draw a vertical line at this layer.

    Returns
    -------
    rgb : ndarray, shape (height, width, 3), uint8
    """
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    left, right, top, bottom = 52, 16, 30, 34
    pw, ph = width - left - right, height - top - bottom
    depth = max(len(v) for v, _ in curves)
    lo, hi = log_range(np.concatenate([np.ravel(v) for v, _ in curves]))
    step = max(1, math.ceil((hi - lo) / 8))

    def px(layer):
        return left + (layer - 1) / max(depth - 1, 1) * pw if depth > 1 else left + pw / 2

    def py(v):
        with np.errstate(divide="ignore", invalid="ignore"):
            lv = np.log10(np.asarray(v, dtype=float))
        lv = np.where(np.isfinite(lv), lv, np.nan)
        return top + (hi - lv) / (hi - lo) * ph

    for k in range(lo, hi + 1):
        y = int(round(py(10.0 ** k)))
        if k == 0:
            img[y, left:left + pw] = COLORS["one"]
        if (k - lo) % step == 0:
            if k != 0:
                img[y, left:left + pw] = COLORS["grid"]
            _put_text(img, _decade_label(k), left - 6, y, anchor="right", fontsize=9)
    img[top:top + ph + 1, left] = COLORS["axis"]
    img[top + ph, left:left + pw + 1] = COLORS["axis"]
    xstep = max(1, math.ceil(depth / 10))
    for layer in range(1, depth + 1):
        if layer == 1 or layer % xstep == 0:
            x = int(round(px(layer)))
            img[top + ph:top + ph + 4, x] = COLORS["axis"]
            _put_text(img, str(layer), x, top + ph + 11, anchor="center", fontsize=9)
    _put_text(img, "layer", left + pw // 2, height - 8, anchor="center", fontsize=9)
    if mark_layer is not None and 1 <= mark_layer <= depth:
        img[top:top + ph, int(round(px(mark_layer)))] = COLORS["marker"]
    legend_x = left + 8
    for values, name in curves:
        values = np.asarray(values, dtype=float)
        xs, ys = np.array([px(i + 1) for i in range(len(values))]), py(values)
        color = COLORS.get(name, (0, 0, 0))
        _line(img, xs, ys, color)
        _markers(img, xs, ys, color)
        text = {"forward": "activations", "backward": "gradients"}.get(name, name)
        img[12:15, legend_x:legend_x + 18] = color
        _put_text(img, text, legend_x + 22, 13, fontsize=9)
        legend_x += 26 + _text_mask(text, 9).shape[1] + 14
    if title:
        _put_text(img, title, width - right, 13, anchor="right", fontsize=9)
    return img


def histogram_rgb(values, *, bins: int = 41, width: int = 260, height: int = 140,
                  color=(31, 119, 180), title: str = "") -> np.ndarray:
    """A histogram drawn into an RGB array, with its range printed under it.

    Non-finite values are left out (and counted in the title line).
    """
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    a = np.ravel(np.asarray(values, dtype=float))
    finite = a[np.isfinite(a)]
    left, right, top, bottom = 8, 8, 22, 22
    pw, ph = width - left - right, height - top - bottom
    if title:
        _put_text(img, title, left, 10, fontsize=9)
    img[top + ph, left:left + pw] = COLORS["axis"]
    if not finite.size:
        _put_text(img, "no finite values", width // 2, top + ph // 2, anchor="center")
        return img
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:  # every value equal: a single bar in the middle
        lo, hi = lo - 0.5, lo + 0.5
    counts, _ = np.histogram(finite, bins=bins, range=(lo, hi))
    peak = counts.max() or 1
    edges = np.linspace(left, left + pw, bins + 1).round().astype(int)
    for i, c in enumerate(counts):
        hbar = int(round(c / peak * ph))
        if hbar:
            img[top + ph - hbar:top + ph, edges[i]:max(edges[i + 1] - 1, edges[i] + 1)] = color
    _put_text(img, f"{lo:.3g}", left, height - 9, fontsize=9)
    _put_text(img, f"{hi:.3g}", left + pw, height - 9, anchor="right", fontsize=9)
    if lo < 0 < hi:
        x0 = int(round(left + (0 - lo) / (hi - lo) * pw))
        img[top + ph:top + ph + 4, x0] = COLORS["axis"]
        _put_text(img, "0", x0, height - 9, anchor="center", fontsize=9)
    return img
