"""Smoke tests for the figures and pictures of notebook 05."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnedu.viz.figures import backprop as figs  # noqa: E402
from cnnedu.viz.figures import backprop_pictures as bpics  # noqa: E402
from cnnedu.topics import conv_transpose as ct  # noqa: E402
from cnnedu.topics import pool_backward as pb  # noqa: E402
from cnnedu.viz.plotting import plt  # noqa: E402


def test_gradflow_pictures_colour_the_right_cells():
    pics = figs.gradflow_pictures("output", 0, 0, (4, 4), (2, 2), cell=10)
    inp = pics["input"]
    assert inp.shape == (41, 41, 3)
    centre = lambda r, c: tuple(inp[r * 10 + 5, c * 10 + 5])  # noqa: E731
    assert centre(0, 0) == tuple(figs.weight_colour(0)) and centre(1, 1) == tuple(figs.weight_colour(3))
    assert centre(2, 2) == (255, 255, 255)
    pics = figs.gradflow_pictures("input", 0, 0, (4, 4), (2, 2), padding=1, cell=10)
    assert tuple(pics["input"][5, 5]) == tuple(bpics.PAD)  # padding is grey
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
    steps = ct.full_conv_steps(rng.standard_normal((3, 3)), rng.standard_normal((3, 3)))
    err = {k: GradError(1e-10, 1e-9) for k in ("dx", "dw", "db")}
    kernels, losses = learn_kernel(steps=4)
    xp = rng.integers(0, 3, (4, 5)).astype(float)
    dyp = rng.standard_normal((3, 4))
    figures = [
        figs.plot_full_correlation(steps, [(0, 0), (1, 2)]),
        figs.plot_1d_gradients(np.ones(4), np.ones(2), np.ones(3), np.ones(4), np.ones(2)),
        figs.plot_gradflow([figs.gradflow_pictures("input", 1, 1, (4, 4), (2, 2))], ["x"]),
        figs.plot_gradcheck_sweep([(ConvCase(1, 1, 4, 4, 1, 3, 1, 0, 0), err)]),
        figs.plot_step_sweep(np.array([1e-6, 1e-3]), np.array([1e-10, 1e-8]), np.array([1e-2, 1e-4])),
        figs.plot_kernel_learning(kernels, losses, hidden_kernel("sobel_x"), [0, 4]),
        figs.plot_channel_swap(rng.standard_normal((3, 2, 3, 3))),
        figs.plot_max_pool_backward(xp, dyp, pb.max_pool_backward_naive(dyp[None, None], xp[None, None], 2, 1)[0, 0],
                                    pb.winners(xp[None, None], 2, 1)[0, 0], 2, 1),
    ]
    for fig in figures:
        titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
        assert titles
        plt.close(fig)


def test_padding_and_dilation_zeros_are_told_apart():
    steps = ct.full_conv_steps(np.ones((2, 3)), np.ones((3, 2)), stride=2)
    pad, dil = figs._zero_kinds(steps)
    # dY dilated: (3, 5), padded by k - 1 = (2, 1) on each side -> (7, 7)
    assert steps["padded"].shape == (7, 7) and pad.sum() == 7 * 7 - 3 * 5
    assert dil.sum() == 3 * 5 - 2 * 3 and not (pad & dil).any()
    assert np.all(steps["padded"][dil] == 0) and np.all(steps["padded"][pad] == 0)


def test_weight_colours_are_distinct_and_padding_titles_only_with_padding():
    cols = {tuple(bpics.weight_colour(i)) for i in range(17)}
    assert len(cols) == 17 and tuple(bpics.PAD) not in cols
    fig = figs.plot_gradflow([figs.gradflow_pictures("output", 0, 0, (4, 4), (2, 2))], ["y"])
    assert not any("padding" in ax.get_title() for ax in fig.axes)
    plt.close(fig)
    fig = figs.plot_gradflow([figs.gradflow_pictures("output", 0, 0, (4, 4), (2, 2),
                                                     padding=1)], ["y"])
    assert any("padding" in ax.get_title() for ax in fig.axes)
    plt.close(fig)
    assert "one product" in figs.gradflow_pictures("output", 0, 0, (3, 3), (1, 1))["text"]


def test_draw_text_and_axes():
    img = np.full((12, 40, 3), 255, np.uint8)
    bpics.draw_text(img, "1e-3", 1, 1)
    assert (img == 60).all(axis=-1).sum() > 20
    bpics.draw_text(img, "88", 8, 35)        # clipped at the border, no error
    assert bpics.text_width("1e-3") == 30
    plain, axes = figs.curve_rgb([1.0, 1e-3]), figs.curve_rgb([1.0, 1e-3], axes=True)
    assert plain.shape == axes.shape
    assert (axes == 60).all(axis=-1)[:, :34].sum() > (plain == 60).all(axis=-1).sum()


def test_axis_numbers_also_within_one_decade():
    for values in ([5.5, 4.6], [5.5], [2.0, 1e-6], [np.nan, 3.0]):
        img = figs.curve_rgb(values, axes=True)
        assert (img == 60).all(axis=-1)[:, :34].sum() > 30, values
    assert [bpics._short_label(v) for v in (5.547, 0.45, 4.2e-5)] == ["5.5", "0.45", "4e-5"]


def test_repeated_colours_are_said():
    assert "some repeat" in figs.gradflow_pictures("output", 0, 0, (6, 6), (5, 5))["text"]
    assert "repeat" not in figs.gradflow_pictures("output", 0, 0, (6, 6), (4, 4))["text"]


def test_curve_rgb_fixed_scale_clips_to_the_edges():
    up = figs.curve_rgb([1.0, 1e6], y_range=(1e-3, 1e3), x_max=10)
    blue = (up == [31, 119, 180]).all(axis=-1)
    assert blue[:8].any()                                   # the spike is drawn on the top edge
    assert not blue[:, 100:].any()                          # 1 of 10 steps: the left tenth only
    a = figs.curve_rgb([5.0, 4.0], axes=True, y_range=(1e-3, 1e3))
    b = figs.curve_rgb([5.0, 0.01], axes=True, y_range=(1e-3, 1e3))
    np.testing.assert_array_equal(a[:, :30], b[:, :30])   # same labels: the scale is fixed


def test_figures_are_legible_on_a_projector():
    """Every text at least 9 px tall when the figure is shown 580 px wide (JupyterLab at
    1024x768 with the file browser open)."""
    from cnnedu.topics import gradient_checking as gc
    from cnnedu.topics.recover import learn_kernel, hidden_kernel
    from cnnedu.viz.figures.activations import smallest_text_px

    rng = np.random.default_rng(0)
    dy, w = rng.integers(-2, 3, (3, 3)).astype(float), rng.standard_normal((3, 3))
    kernels, losses = learn_kernel(steps=80)
    xp = rng.integers(0, 4, (4, 5)).astype(float)
    dyp = np.round(rng.standard_normal((3, 4)), 1)
    from cnnedu.topics import pool_backward as pb
    win = pb.winners(xp[None, None], 2, 1)[0, 0]
    dxp = pb.max_pool_backward_naive(dyp[None, None], xp[None, None], 2, 1)[0, 0]
    x = np.array([1.0, 2.0, -1.0, 3.0])
    figures = {
        "full": figs.plot_full_correlation(ct.full_conv_steps(dy, w), [(0, 3), (2, 3)]),
        "stride": figs.plot_full_correlation(ct.full_conv_steps(dy, w, stride=2), [(0, 0)]),
        "1d": figs.plot_1d_gradients(x, x[:2], x[:3], x, x[:2], b=0.5),
        "flow": figs.plot_gradflow([figs.gradflow_pictures("input", 1, 1, (5, 5), (3, 3))], ["x"]),
        "swap": figs.plot_channel_swap(rng.standard_normal((3, 2, 3, 3))),
        "pool": figs.plot_max_pool_backward(xp, dyp, dxp, win, 2, 1),
        "im2col": figs.plot_im2col_product(rng.standard_normal((4, 24)), rng.standard_normal((27, 24))),
        "sweep": figs.plot_gradcheck_sweep(gc.gradcheck_sweep(2, seed=0)),
        "steps": figs.plot_step_sweep(np.array([1e-6, 1e-3]), np.array([1e-10, 1e-8]),
                                      np.array([1e-2, 1e-4])),
        "learn": figs.plot_kernel_learning(kernels, losses, hidden_kernel("sobel_x"), [0, 5, 20, 80]),
    }
    for name, fig in figures.items():
        px, text = smallest_text_px(fig)
        plt.close(fig)
        assert px >= 9, (name, px, text)
