"""cnnedu.topics.templates: sliding dot product, zero-mean NCC, best match, and their parts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnnedu.topics import templates as T
from cnnedu.nn.conv import correlate2d
from cnnedu.data import load_grey_image


def test_sliding_dot_is_valid_correlation():
    rng = np.random.default_rng(0)
    img, t = rng.normal(size=(12, 9)), rng.normal(size=(4, 3))
    assert np.allclose(T.sliding_dot(img, t), signal.correlate2d(img, t, mode="valid"))


@settings(max_examples=40, deadline=None)
@given(H=st.integers(3, 12), W=st.integers(3, 12), th=st.integers(2, 5),
       tw=st.integers(1, 5), seed=st.integers(0, 10_000), flat=st.booleans())
def test_ncc_matches_the_loops(H, W, th, tw, seed, flat):
    th, tw = min(th, H), min(tw, W)
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 4, size=(H, W)).astype(float)
    if flat:
        img[: H // 2] = 2.0  # flat windows: NCC is 0 there
    t = rng.normal(size=(th, tw))
    if np.ptp(t) == 0:
        return
    fast, naive = T.ncc(img, t), T.ncc_naive(img, t)
    assert fast.shape == (H - th + 1, W - tw + 1)
    assert np.allclose(fast, naive, atol=1e-9)
    assert np.all(np.abs(fast) <= 1.0)


def test_ncc_is_one_exactly_at_an_affine_copy_and_minus_one_for_a_negative():
    rng = np.random.default_rng(1)
    img = rng.random((30, 40))
    t = img[7:15, 20:31].copy()
    for alpha, beta, sign in ((1.0, 0.0, 1), (0.3, 5.0, 1), (4.0, -2.0, 1), (-2.0, 1.0, -1)):
        m = T.ncc(img, alpha * t + beta)
        assert m[7, 20] == pytest.approx(sign * 1.0, abs=1e-9)
    best = T.best_match(T.ncc(img, 0.3 * t + 5.0))
    assert (best.row, best.col) == (7, 20)


def test_raw_dot_is_fooled_by_brightness_ncc_is_not():
    img = np.full((20, 20), 0.1)
    img[3:6, 3:6] = [[0.1, 0.5, 0.1], [0.5, 0.5, 0.5], [0.1, 0.5, 0.1]]  # a small plus
    img[10:, 10:] = 1.0                                                   # bright, flat
    t = img[3:6, 3:6].copy()
    raw, ncc = T.best_match(T.sliding_dot(img, t)), T.best_match(T.ncc(img, t))
    assert (raw.row, raw.col) != (3, 3) and raw.row >= 10 and raw.col >= 10
    assert (ncc.row, ncc.col) == (3, 3) and ncc.value == pytest.approx(1.0)


def test_the_notebook_example_camera_head():
    photo = load_grey_image("camera")
    patch = T.cut_patch(photo, 40, 85, 40, 40)
    raw = T.best_match(T.sliding_dot(photo, patch))
    ncc = T.best_match(T.ncc(photo, patch))
    assert (raw.row, raw.col) != (40, 85)
    assert (ncc.row, ncc.col) == (40, 85) and ncc.value == pytest.approx(1.0, abs=1e-9)


def test_ncc_flat_image_is_zero_and_flat_template_is_refused():
    assert np.all(T.ncc(np.full((6, 6), 3.0), np.eye(2)) == 0.0)
    with pytest.raises(ValueError, match="flat"):
        T.ncc(np.eye(5), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="flat"):
        T.ncc_naive(np.eye(5), np.full((2, 2), 0.5))


def test_match_template_dispatches():
    rng = np.random.default_rng(2)
    img, t = rng.random((10, 10)), rng.random((3, 3))
    assert np.array_equal(T.match_template(img, t, "raw"), T.sliding_dot(img, t))
    assert np.array_equal(T.match_template(img, t, "ncc"), T.ncc(img, t))
    with pytest.raises(ValueError, match="'raw', 'ncc'.*'sad'"):
        T.match_template(img, t, "sad")


def test_best_match():
    assert T.best_match(np.array([[1.0, np.nan], [5.0, 5.0]])) == (1, 0, 5.0)
    assert T.best_match(np.array([[np.nan, -2.0]])) == (0, 1, -2.0)
    with pytest.raises(ValueError, match="finite"):
        T.best_match(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match=r"\(H_out, W_out\)"):
        T.best_match(np.zeros(3))


def test_cut_patch():
    img = np.arange(20.0).reshape(4, 5)
    p = T.cut_patch(img, 1, 2, 2, 3)
    assert np.array_equal(p, img[1:3, 2:5])
    p[0, 0] = -1
    assert img[1, 2] == 7.0, "cut_patch must copy"
    with pytest.raises(ValueError, match="inside the image of shape"):
        T.cut_patch(img, 3, 0, 2, 2)
    with pytest.raises(ValueError, match="inside"):
        T.cut_patch(img, -1, 0, 2, 2)
    with pytest.raises(TypeError, match="top must be an integer"):
        T.cut_patch(img, 1.5, 0, 2, 2)


def test_window_product_is_one_cell_of_the_correlation():
    rng = np.random.default_rng(3)
    img, k = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    full = correlate2d(img, k)
    for i in range(full.shape[0]):
        for j in range(full.shape[1]):
            step = T.window_product(img, k, i, j)
            assert np.array_equal(step.window, img[i:i + 3, j:j + 2])
            assert np.allclose(step.products, step.window * k)
            assert step.total == pytest.approx(full[i, j])
    with pytest.raises(ValueError, match=r"0\.\.5.*got 6"):
        T.window_product(img, k, 0, 6)
    with pytest.raises(ValueError, match="fit"):
        T.window_product(np.ones((2, 2)), np.ones((3, 3)), 0, 0)


def test_similarity_splits_the_dot_product():
    rng = np.random.default_rng(4)
    img = rng.random((12, 12))
    t = rng.random((4, 4))
    a = img[2:6, 5:9]
    s = T.similarity(a, t)
    assert s.dot == pytest.approx(float(np.sum(a * t)))
    assert s.dot == pytest.approx(s.norm_window * s.norm_template * s.cosine)
    assert s.centred_cosine == pytest.approx(T.ncc(img, t)[2, 5])
    assert T.similarity(np.zeros((2, 2)), np.ones((2, 2))).cosine == 0.0
    with pytest.raises(ValueError, match="same shape"):
        T.similarity(np.ones((2, 2)), np.ones((3, 3)))


def test_bad_input():
    with pytest.raises(ValueError, match=r"template must fit.*\(5, 2\)"):
        T.ncc(np.ones((4, 4)), np.ones((5, 2)))
    with pytest.raises(ValueError, match=r"image must have shape \(H, W\)"):
        T.sliding_dot(np.ones((1, 4, 4)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="finite"):
        T.ncc(np.full((4, 4), np.nan), np.eye(2))
    with pytest.raises(TypeError, match="numeric"):
        T.sliding_dot("abc", np.eye(2))


# ------------------------------------------------------------------ figures of notebook 01

def test_filter_bank_draws_the_input_grey_and_signed_only_zero_sum_responses():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnnedu.topics import kernels
    from cnnedu.viz.figures import templates as figs

    img = np.linspace(0, 1, 20 * 24).reshape(20, 24)
    names = ["sobel_x", "box_blur", "sharpen"]
    fig = figs.filter_bank(img, names, image_title="the input")
    axes = fig.axes
    grid = np.array(axes[:8]).reshape(2, 4)
    assert grid[1, 0].get_title() == "the input"
    assert grid[1, 0].images[0].get_cmap().name == "gray"
    cmaps = [grid[1, k].images[0].get_cmap().name for k in range(1, 4)]
    assert cmaps[0] != "gray" and cmaps[1:] == ["gray", "gray"]
    lo, hi = grid[1, 1].images[0].get_clim()
    assert np.isclose(-lo, hi)                       # the signed map is centred on 0
    # the kernels share one colour scale: box blur's 0.111 is pale beside sharpen's 5
    lims = {grid[0, k].images[0].get_clim() for k in range(1, 4)}
    assert lims == {(-5.0, 5.0)}
    assert all(grid[r, c].get_title() for r in range(2) for c in range(4) if (r, c) != (0, 0))
    assert kernels.get("box_blur").max() < 0.2
    plt.close(fig)


def test_tiles_figure_titles_and_maxima():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnnedu.topics.filter_response import diagonal_edge_tiles
    from cnnedu.viz.figures import templates as figs

    t = diagonal_edge_tiles()
    k = np.array([[-2.0, -1, 0], [-1, 0, 1], [0, 1, 2]])
    fig = figs.tiles(t, kernel=k, title="x")
    titles = [ax.get_title() for ax in fig.axes[:2 * len(t)]]
    # five tiles a row, each row of tiles above its row of responses
    assert titles[0] == "TARGET: 45°" and titles[5] == "max 2.40"
    assert "max -0.00" not in titles
    plt.close(fig)


def test_figures_are_legible_on_a_projector():
    """Every text at least about 9 px tall when the figure is shown 580 px wide (JupyterLab
    at 1024x768 with the file browser open); the 1000 px wide versions gave 5.5 px."""
    import matplotlib.pyplot as plt

    from cnnedu.data import load_grey_image
    from cnnedu.topics import filter_response as explorer
    from cnnedu.topics import kernels, templates
    from cnnedu.viz.figures import templates as figs
    from cnnedu.viz.figures.activations import smallest_text_px
    from cnnedu.viz.figures.volumes import conv_layer_volumes

    image = np.arange(42.0).reshape(6, 7) % 4
    photo = load_grey_image("camera")[:120, :120]
    box = (20, 30, 20, 20)
    patch = templates.cut_patch(photo, *box)
    raw, ncc = templates.sliding_dot(photo, patch), templates.ncc(photo, patch)
    still = explorer.filter_response(photo, kernels.get("sobel_y"), bias=-0.5,
                                     activation="relu")
    shapes = explorer.shapes_image(64)
    figures = {
        "step": figs.sliding_step(image, kernels.get("line_vertical"), 1, 2),
        "flip": figs.correlation_vs_convolution(np.eye(5), np.arange(9.0).reshape(3, 3)),
        "match": figs.template_match(photo, box, raw, ncc, templates.best_match(raw),
                                     templates.best_match(ncc)),
        "bank": figs.filter_bank(shapes, ["sobel_x", "sobel_y", "laplacian",
                                          "line_horizontal", "box_blur", "sharpen"]),
        "bank5": figs.filter_bank(shapes, ["sobel_x", "gaussian", "sharpen"]),
        "still": figs.explorer_still(photo, kernels.get("sobel_y"), still,
                                     activation="relu", bias=-0.5),
        "tiles": figs.tiles(explorer.diagonal_edge_tiles(), kernel=kernels.get("sobel_x")),
        "volumes": conv_layer_volumes(3, 256, 256, 20, 5, 5, padding=2),
    }
    for name, fig in figures.items():
        px, text = smallest_text_px(fig)
        plt.close(fig)
        assert px >= 8.9, (name, px, text)


def test_blur_weights_are_written_over_their_denominator():
    import matplotlib.pyplot as plt

    from cnnedu.viz.figures import templates as figs

    fig = figs.filter_bank(np.ones((12, 12)), ["box_blur", "gaussian"])
    titles = [ax.get_title() for ax in fig.axes]
    assert "box blur (÷ 9)" in titles and "Gaussian blur (÷ 16)" in titles
    assert figs._denominator(np.full((3, 3), 1 / 9)) == 9
    assert figs._denominator(np.array([[0.3, 1 / 7]])) is None
    plt.close(fig)
