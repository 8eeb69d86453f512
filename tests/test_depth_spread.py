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


# ------------------------------------------------------- legible on a projector (issue 20)

PAGE_PX = 580   # a figure's width in JupyterLab at 1024x768 with the file browser open


def smallest_text_px(fig, page_px: float = PAGE_PX):
    """Font size in pixels of the smallest visible text when ``fig`` is shown at most
    ``page_px`` wide (shrunk, never enlarged), and that text."""
    from matplotlib.text import Text
    fig.canvas.draw()
    scale = min(1.0, page_px / (fig.get_figwidth() * fig.dpi))
    sizes = [(t.get_fontsize() * fig.dpi / 72 * scale, t.get_text()) for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes)


def test_the_notebooks_figures_keep_their_text_at_9_px_on_a_projector():
    """The figure functions of notebook 03 with the notebook's arguments (smaller stacks):
    every title, tick, legend and annotated number is at least about 9 px tall at 580 px."""
    import matplotlib.pyplot as plt
    from cnnedu.nn import init
    from cnnedu.topics.symmetry import edge_task, start, train_filters
    from cnnedu.viz.figures import init as figs
    rng = np.random.default_rng(0)
    shape = (20, 3, 5, 5)
    draws = {"constant 0.1": init.constant(shape, value=0.1),
             "normal, std 1": init.normal(shape, rng, std=1.0),
             "normal, std 0.01": init.normal(shape, rng, std=0.01),
             "glorot_uniform": init.glorot_uniform(shape, rng)}
    starts = {"normal, std 0.01 (small)": ("normal", {"std": 0.01}),
              "normal, std 1 (large)": ("normal", {"std": 1.0}),
              "Glorot (glorot_normal)": ("glorot_normal", None),
              "LeCun (lecun_normal)": ("lecun_normal", None),
              "Keras default (glorot_uniform)": ("keras_default", None),
              "PyTorch default": ("pytorch_default", None)}
    profiles = {lab: {a: depth_profile(n, a, depth=20, channels=2, size=32, init_options=o,
                                       keep_all=True)
                      for a in ("relu", "tanh")} for lab, (n, o) in starts.items()}
    x, t = edge_task(size=16)
    runs = {name: train_filters(*start(kind, value=0.1) if kind == "constant" else start(kind),
                                x, t, steps=3)
            for name, kind in (("constant 0.1", "constant"), ("zeros", "zeros"),
                               ("random (He)", "random"))}
    s = 0.1633
    built = {
        "draws": figs.plot_draws(draws, reference="normal, std 1"),
        "training runs": figs.plot_training_runs(runs),
        "depth study": figs.plot_depth_study(profiles, title="20 conv layers"),
        "truncation": figs.plot_truncation(rng.normal(0, s, 500), rng.normal(0, s, 500), s),
        "zoom": plot_depth_zoom(profiles, title="the scaled starts only"),
        "seeds": plot_seed_spread({"He, width 8": np.ones((6, 20)),
                                   "He, width 32": np.full((6, 20), 0.5)}, title="t"),
        "histograms": plot_layer_histograms({lab: profiles[lab]["tanh"] for lab in
                                             list(profiles)[:3]}, layers=(1, 5, 10, 20)),
    }
    small = {}
    for name, fig in built.items():
        px, text = smallest_text_px(fig)
        if px < 8.8:
            small[name] = (round(px, 1), text)
        plt.close(fig)
    assert not small, f"text below about 9 px at {PAGE_PX} px: {small}"
