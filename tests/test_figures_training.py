"""cnnedu.viz.figures.training: the live curve keeps its axes fixed; every figure of notebook
06 draws from the data it is given (titles, colour scales)."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cnnedu.viz.figures import training as figs
from cnnedu.viz.plotting import plt

BLUE = np.array([31, 119, 180])


def blue_rows(img):
    return np.flatnonzero((img == BLUE).all(axis=2).any(axis=1))


def test_live_curve_axes_are_fixed():
    flat = figs.live_curve_rgb([0.100, 0.103], x_max=15, lo=0, hi=1)
    rows = blue_rows(flat)
    assert rows.min() > 0.8 * flat.shape[0]          # 10% stays near the bottom
    high = figs.live_curve_rgb([0.95, 0.97], x_max=15, lo=0, hi=1)
    assert blue_rows(high).max() < 0.2 * high.shape[0]
    # two points of 15 epochs cover about 2/15 of the width, not all of it
    cols = np.flatnonzero((flat == BLUE).all(axis=2).any(axis=0))
    assert cols.max() < 0.2 * flat.shape[1]


def test_live_curve_log_scale_and_non_finite_values():
    img = figs.live_curve_rgb([10.0, 1.0, np.nan, 0.1, np.inf], x_max=5, lo=0.01, hi=10,
                              log=True, grid=(0.1, 1.0))
    assert img.shape == (170, 300, 3)
    assert blue_rows(img).min() <= 6 and blue_rows(img).max() >= 0.6 * 170
    empty = figs.live_curve_rgb([], x_max=5, lo=0, hi=1)
    assert len(blue_rows(empty)) == 0


def test_filters_before_after_titles_give_each_scale():
    rng = np.random.default_rng(0)
    before = rng.uniform(-0.3, 0.3, (4, 1, 3, 3))
    after = before * np.array([1, 2, 3, 10])[:, None, None, None]
    fig = figs.plot_filters_before_after(before, after, ncols=4)
    titles = [ax.get_title() for ax in fig.axes]
    lim = np.abs(after[3, 0]).max()
    assert f"#3\n±{lim:.2f}" in titles
    assert [ax.get_ylabel() for ax in fig.axes[::4]] == ["before", "after"]
    plt.close(fig)


def test_snapshot_titles_and_filter_bank_rows():
    w = np.random.default_rng(1).normal(size=(3, 1, 3, 3))
    fig = figs.plot_snapshots({"a": w, "b": 2 * w}, filters=(0, 1),
                              titles={"a": "epoch 1\n= batch 36", "b": "end"})
    assert "epoch 1\n= batch 36" in [ax.get_title() for ax in fig.axes]
    plt.close(fig)
    fig = figs.plot_filter_bank(w, 2 * w, rows=("top", "bottom"))
    assert [ax.get_ylabel() for ax in fig.axes[:4:3]] == ["top", "bottom"]
    plt.close(fig)


def test_top_patches_and_seed_spread_draw():
    w = np.random.default_rng(2).normal(size=(4, 1, 3, 3))
    patches = {1: np.zeros((3, 1, 3, 3)), 2: np.ones((2, 1, 3, 3))}
    fig = figs.plot_top_patches(w, patches, {1: np.array([3.0, 2.0, 1.0]), 2: np.array([5.0, 4.0])})
    assert "5.0" in [ax.get_title() for ax in fig.axes]
    plt.close(fig)
    fig = figs.plot_seed_spread({"cnn": np.array([[0.5, 0.9], [0.6, 0.95]])})
    assert fig.axes[0].get_ylabel() == "validation accuracy (%)"
    plt.close(fig)


@pytest.mark.parametrize("bad", [np.ones(3), np.ones((2, 3, 3))])
def test_filter_mosaic_needs_four_axes(bad):
    with pytest.raises(ValueError, match=r"\(F, C, kh, kw\)"):
        figs.filter_mosaic(bad)


def _legibility_figures():
    from types import SimpleNamespace as NS
    rng = np.random.default_rng(0)

    def level(name, shape):
        g = rng.normal(size=shape) * 1e-3
        return NS(name=name, shape=shape, grad=g, rms=float(np.sqrt(np.mean(g ** 2))))

    levels = [level("scores", (64, 10)), level("features", (64, 256)),
              level("feature maps", (64, 16, 8, 8)), level("filter weights", (16, 1, 3, 3)),
              level("filter biases", (16,)), level("dense weights", (10, 256))]
    h = {k: list(np.linspace(0.5, 0.99, 15)) for k in
         ("loss", "val_loss", "accuracy", "train_accuracy", "val_accuracy")}
    w, w7 = rng.normal(size=(16, 1, 3, 3)), rng.normal(size=(8, 1, 7, 7))
    moments = {"batch 0": w, **{f"epoch {e}\nbatch {36 * e}": w for e in (1, 2, 5, 15)}}
    return {
        "gradient chain": lambda: figs.plot_gradient_chain(levels),
        "curves": lambda: figs.plot_curves(h, title="16 filters, seed 0"),
        "seed spread": lambda: figs.plot_seed_spread({"CNN": rng.uniform(0.9, 1, (5, 15))}),
        "before after": lambda: figs.plot_filters_before_after(w, 2 * w),
        "snapshots": lambda: figs.plot_snapshots(moments),
        "feature maps": lambda: figs.plot_feature_maps(rng.uniform(0, 1, (8, 8)), w,
                                                       rng.uniform(0, 4, (16, 8, 8))),
        "top patches": lambda: figs.plot_top_patches(
            w, {f: rng.uniform(0, 1, (6, 1, 3, 3)) for f in (1, 2, 3, 4)},
            {f: np.linspace(5.5, 5, 6) for f in (1, 2, 3, 4)}),
        "init comparison": lambda: figs.plot_init_comparison({"a": h, "b": h}),
        "filter bank": lambda: figs.plot_filter_bank(w7, w7, title="7x7 filters"),
    }


@pytest.mark.parametrize("name", list(_legibility_figures()))
def test_text_stays_9_px_tall_on_a_projector(name):
    """Shown 580 px wide (JupyterLab at 1024 px with the file browser open), every title,
    tick label, legend entry and annotated number of notebook 06's figures is >= 9 px."""
    from cnnedu.viz.figures.activations import smallest_text_px
    fig = _legibility_figures()[name]()
    px, text = smallest_text_px(fig, 580)
    plt.close(fig)
    assert px >= 9, (name, px, text)
