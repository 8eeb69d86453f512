"""cnnedu.topics.depth_spread and its figures: seed curves are depth_profile's, the tanh
backward gain formula follows the measured gradients, the figures draw."""
import matplotlib
import numpy as np
import pytest

from cnnedu.topics.depth import depth_profile
from cnnedu.topics.depth_spread import seed_curves, tanh_backward_gain
from cnnedu.viz.figures.depth_spread import (plot_depth_zoom, plot_layer_histograms,
                                             plot_seed_spread)

matplotlib.use("Agg")


def test_seed_curves_are_the_profiles_of_each_seed():
    c = seed_curves("he_normal", "relu", depth=4, channels=3, size=32, seeds=[0, 3])
    for row, s in zip(c, (0, 3)):
        ref = depth_profile("he_normal", "relu", depth=4, channels=3, size=32, seed=s)
        np.testing.assert_array_equal(row, ref.forward_std)


def test_tanh_backward_gain_predicts_the_growth():
    p = depth_profile("normal", "tanh", depth=12, channels=8, size=32,
                      init_options={"std": 1.0}, keep_all=True)
    predicted, measured, saturated = tanh_backward_gain(p, std_w=1.0, fan_out=72)
    assert predicted.shape == measured.shape == (11,)
    assert np.all(saturated[2:] > 0.5)                  # most units saturated ...
    assert np.all(measured > 2) and np.all(predicted > 2)   # ... yet the gradient grows
    assert np.median(predicted / measured) == pytest.approx(1.0, rel=0.3)
    with pytest.raises(ValueError, match="tanh profile"):
        tanh_backward_gain(depth_profile("he_normal", "relu", depth=3, size=32,
                                         keep_all=True), std_w=1.0, fan_out=72)


def test_layer_arrays_need_keep_all():
    p = depth_profile("he_normal", "relu", depth=3, size=32)
    with pytest.raises(ValueError, match="keep_all"):
        p.layer_arrays(1)


def test_the_figures_draw():
    p = {lab: {"relu": depth_profile(name, "relu", depth=5, channels=4, size=32)}
         for lab, name in (("He", "he_normal"), ("Glorot", "glorot_normal"))}
    assert len(plot_depth_zoom(p).axes) == 2
    assert len(plot_seed_spread({"He": np.ones((3, 5))}).axes) == 1
    rows = {"tanh": depth_profile("glorot_normal", "tanh", depth=5, channels=4, size=32,
                                  keep_all=True)}
    assert len(plot_layer_histograms(rows, layers=(1, 5)).axes) == 2
    matplotlib.pyplot.close("all")
