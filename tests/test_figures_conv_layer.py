"""Figures of notebook 02 (cnnedu.viz.figures.conv_layer, .receptive_field)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnedu.topics import channels  # noqa: E402
from cnnedu.viz.figures.conv_layer import show_decomposition, show_maps  # noqa: E402
from cnnedu.viz.figures.receptive_field import show_receptive_fields  # noqa: E402


def test_show_maps_with_colorbars_gives_one_per_map():
    maps = np.random.default_rng(0).normal(size=(3, 5, 6))
    fig = show_maps(maps, ["a", "b", "c"], ncols=2, colorbars=True)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["a", "b", "c"]
    assert len(fig.axes) == 4 + 3            # 4 grid cells (one empty) + 3 colorbars
    plt.close(fig)
    with pytest.raises(ValueError, match="one title each"):
        show_maps(maps, ["a"], colorbars=True)


def test_bias_panel_is_on_the_scale_of_the_sum():
    x = np.random.default_rng(1).uniform(size=(1, 3, 8, 8))
    bank = channels.filter_bank()
    d = channels.decompose(x, bank.w, bank.b, 8)
    fig = show_decomposition(d)
    bias_ax = next(ax for ax in fig.axes if ax.get_title().startswith("bias"))
    sum_ax = next(ax for ax in fig.axes if ax.get_title() == "sum of the responses")
    assert bias_ax.images[0].get_clim() == sum_ax.images[0].get_clim()
    plt.close(fig)


def test_receptive_field_outline_matches_the_paths():
    fig = show_receptive_fields({"s": [(3, 2), (3, 1)]}, size=15)
    ax = fig.axes[0]
    rect = ax.patches[0]
    assert rect.get_width() == 3 and "r = 3" in ax.get_title()
    plt.close(fig)


def test_decomposition_is_legible_on_a_projector():
    """At 1024 px with the file browser open a figure is about 580 px wide: every text of
    the decomposition (annotated weights included) stays at least 9 px tall there."""
    from cnnedu.viz.figures.activations import smallest_text_px
    x = np.random.default_rng(1).uniform(size=(1, 3, 8, 8))
    bank = channels.filter_bank()
    fig = show_decomposition(channels.decompose(x, bank.w, bank.b, 8), name="filter 8: red")
    px, text = smallest_text_px(fig)
    assert px >= 9, (px, text)
    plt.close(fig)
