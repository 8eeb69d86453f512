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
    assert f"after #3\n±{lim:.2f}" in titles
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
    assert "response 5.0" in [ax.get_title() for ax in fig.axes]
    plt.close(fig)
    fig = figs.plot_seed_spread({"cnn": np.array([[0.5, 0.9], [0.6, 0.95]])})
    assert fig.axes[0].get_ylabel() == "validation accuracy (%)"
    plt.close(fig)


@pytest.mark.parametrize("bad", [np.ones(3), np.ones((2, 3, 3))])
def test_filter_mosaic_needs_four_axes(bad):
    with pytest.raises(ValueError, match=r"\(F, C, kh, kw\)"):
        figs.filter_mosaic(bad)
