"""Smoke tests for the figures and pictures of notebook 05."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnedu.viz.figures import backprop as figs# noqa: E402
from cnnedu.topics import gradflow as gf# noqa: E402
from cnnedu.viz.plotting import plt  # noqa: E402


def test_gradflow_pictures_colour_the_right_cells():
    pics = figs.gradflow_pictures("output", 0, 0, (4, 4), (2, 2), cell=10)
    inp = pics["input"]
    assert inp.shape == (41, 41, 3)
    centre = lambda r, c: tuple(inp[r * 10 + 5, c * 10 + 5])  # noqa: E731
    assert centre(0, 0) == tuple(figs.weight_colour(0)) and centre(1, 1) == tuple(figs.weight_colour(3))
    assert centre(2, 2) == (255, 255, 255)
    pics = figs.gradflow_pictures("input", 0, 0, (4, 4), (2, 2), padding=1, cell=10)
    assert tuple(pics["input"][5, 5]) == tuple(figs.PAD)  # padding is grey
    assert pics["text"].startswith("dX[0,0] = ")
    with pytest.raises(ValueError, match="mode must be"):
        figs.gradflow_pictures("both", 0, 0, (4, 4), (2, 2))


def test_curve_rgb_handles_odd_values():
    for values in ([], [np.nan], [1.0], [1.0, np.inf, 0.1], [0.0, -1.0], [5.0, 5.0]):
        img = figs.curve_rgb(values, marker=0)
        assert img.shape == (160, 260, 3) and img.dtype == np.uint8
    img = figs.curve_rgb([1.0, 1e-6])
    assert (img == [31, 119, 180]).all(axis=-1).sum() > 100  # a line was drawn


def test_matplotlib_figures_have_titles():
    from cnnedu.topics.gradient_checking import ConvCase, GradError
    from cnnedu.topics.recover import learn_kernel, hidden_kernel

    rng = np.random.default_rng(0)
    steps = gf.full_conv_steps(rng.standard_normal((3, 3)), rng.standard_normal((3, 3)))
    err = {k: GradError(1e-10, 1e-9) for k in ("dx", "dw", "db")}
    kernels, losses = learn_kernel(steps=4)
    figures = [
        figs.plot_full_correlation(steps, [(0, 0), (1, 2)]),
        figs.plot_1d_gradients(np.ones(4), np.ones(2), np.ones(3), np.ones(4), np.ones(2)),
        figs.plot_gradflow([figs.gradflow_pictures("input", 1, 1, (4, 4), (2, 2))], ["x"]),
        figs.plot_gradcheck_sweep([(ConvCase(1, 1, 4, 4, 1, 3, 1, 0, 0), err)]),
        figs.plot_step_sweep(np.array([1e-6, 1e-3]), np.array([1e-10, 1e-8]), np.array([1e-2, 1e-4])),
        figs.plot_kernel_learning(kernels, losses, hidden_kernel("sobel_x"), [0, 4]),
    ]
    for fig in figures:
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        assert titles
        plt.close(fig)
