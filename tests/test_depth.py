"""cnnedu.topics.depth (the depth study), cnnedu.nn.init's statistics as the notebook states them,
and the figures of cnnedu.viz.figures.init."""
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from cnnedu.nn import init
from cnnedu.nn.conv import conv2d, conv2d_backward
from cnnedu.topics.depth import (ACTIVATIONS, UNDERFLOW_STD, depth_profile, init_stack,
                                 stack_input, window_norm_ratio)
from cnnedu.nn import activations as act
from cnnedu.viz.figures import init as figs

WORKED = (20, 3, 5, 5)


# ---------------------------------------------------------------- stack input

def test_stack_input_is_the_photo_at_std_one():
    x = stack_input(8, size=32)
    assert x.shape == (1, 8, 32, 32)
    assert x.std() == pytest.approx(1.0, abs=1e-12)
    assert abs(x.mean()) < 0.2
    # it is the photograph: neighbouring pixels are strongly correlated
    c = np.corrcoef(x[0, 0, :, :-1].ravel(), x[0, 0, :, 1:].ravel())[0, 1]
    assert c > 0.5


def test_stack_input_rejects_bad_channels():
    with pytest.raises(ValueError, match="channels must be an integer from 1 to 64; got 0"):
        stack_input(0)
    with pytest.raises(TypeError, match="channels"):
        stack_input(2.5)


# ---------------------------------------------------------------- the profile

def _reference_profile(name, activation, depth, channels, seed=0, opts=None):
    """Forward and backward with conv2d_backward (the general backward) as the oracle."""
    layers = init_stack(name, depth=depth, channels=channels, seed=seed, init_options=opts)
    f = act.get(activation)
    h = stack_input(channels, size=32)
    hs, zs, fwd = [h], [], []
    for w, b in layers:
        z = conv2d(h, w, b, padding=1)
        h = f.forward(z)
        zs.append(z)
        hs.append(h)
        fwd.append(h.std())
    g = np.random.default_rng(seed + 1).standard_normal(h.shape)
    bwd = [0.0] * depth
    for l in range(depth - 1, -1, -1):
        bwd[l] = g.std()
        g, _, _ = conv2d_backward(g * f.grad(zs[l]), hs[l], layers[l][0], padding=1)
    return np.array(fwd), np.array(bwd)


@pytest.mark.parametrize("name,activation", [("he_normal", "relu"), ("glorot_uniform", "tanh"),
                                             ("lecun_normal", "leaky_relu")])
def test_profile_matches_the_general_backward(name, activation):
    p = depth_profile(name, activation, depth=6, channels=4, size=32)
    fwd, bwd = _reference_profile(name, activation, 6, 4)
    np.testing.assert_allclose(p.forward_std, fwd, rtol=1e-10)
    np.testing.assert_allclose(p.backward_std, bwd, rtol=1e-8)


def test_small_fixed_std_vanishes_at_the_predicted_rate():
    # relu: each layer multiplies the std by about 0.01 * sqrt(72 / 2) = 0.06
    p = depth_profile("normal", "relu", depth=20, channels=8, size=32, init_options={"std": 0.01})
    per_layer = (p.forward_std[-1] / p.forward_std[4]) ** (1 / 15)
    assert per_layer == pytest.approx(0.01 * math.sqrt(36), rel=0.3)
    assert p.backward_std[0] < 1e-20


def test_large_fixed_std_explodes_and_overflow_is_reported_without_warnings():
    p = depth_profile("normal", "relu", depth=20, channels=8, size=32, init_options={"std": 1.0})
    assert p.forward_std[-1] > 1e12 and p.backward_std[0] > 1e12
    q = depth_profile("normal", "relu", depth=200, channels=8, size=32, init_options={"std": 10.0})
    assert q.overflow_layer is not None and q.overflow_layer < 200
    assert np.isnan(q.forward_std[-1])


def test_float32_agrees_with_float64_and_stops_before_subnormals():
    for name, act_name in (("he_normal", "relu"), ("glorot_uniform", "tanh")):
        p64 = depth_profile(name, act_name, depth=20, channels=8, size=32)
        p32 = depth_profile(name, act_name, depth=20, channels=8, size=32, dtype="float32")
        np.testing.assert_allclose(p32.forward_std, p64.forward_std, rtol=1e-4)
        np.testing.assert_allclose(p32.backward_std, p64.backward_std, rtol=1e-4)
        assert p32.underflow_layer is None and p32.overflow_layer is None
    # a vanishing start: float64 runs to the end, float32 stops where the std passes 1e-30
    small = {"std": 0.01}
    p64 = depth_profile("normal", "relu", depth=30, channels=8, size=32, init_options=small)
    p32 = depth_profile("normal", "relu", depth=30, channels=8, size=32, init_options=small,
                        dtype=np.float32)
    assert p64.underflow_layer is None and np.all(p64.forward_std > 0)
    first_below = int(np.argmax(p64.forward_std < UNDERFLOW_STD["float32"])) + 1
    assert p32.underflow_layer == first_below
    assert np.isnan(p32.forward_std[first_below:]).all() and np.isnan(p32.backward_std).all()
    # float32 squares overflow near 1.8e19 long before the values (3e38): std still finite
    big = depth_profile("normal", "relu", depth=30, channels=8, size=32,
                        init_options={"std": 1.0}, dtype="float32")
    assert big.overflow_layer is None and np.all(np.isfinite(big.forward_std))
    assert big.forward_std[-1] > 1e20
    with pytest.raises(ValueError, match="dtype must be one of 'float64', 'float32'; got 'int8'"):
        depth_profile("he_normal", dtype="int8")


def test_he_keeps_relu_and_glorot_halves_the_variance_per_layer():
    seeds = range(4)
    he = [depth_profile("he_normal", "relu", size=32, seed=s).forward_std for s in seeds]
    gl = [depth_profile("glorot_normal", "relu", size=32, seed=s).forward_std for s in seeds]
    he_var = np.mean(np.square(he), axis=0)
    gl_var = np.mean(np.square(gl), axis=0)
    assert he_var[-1] > 1e-2
    # Glorot with fan_in = fan_out: variance ratio to He is 2**-(layers) (ReLU halves it)
    ratio = (gl_var[-1] / gl_var[4]) / (he_var[-1] / he_var[4])
    assert ratio ** (1 / 15) == pytest.approx(0.5, rel=0.25)


def test_pytorch_bias_keeps_a_std_but_the_picture_fades():
    p = depth_profile("pytorch_default", "relu", size=32, bias="default")
    assert p.forward_std[-1] > 1e-2                      # the biases keep a std ...
    assert p.signal_std[-1] < 1e-3 * p.forward_std[-1]   # ... but the input's part fades
    q = depth_profile("he_normal", "relu", size=32)
    np.testing.assert_array_equal(q.signal_std, q.forward_std)  # no bias: all of it is signal


def test_dirac_stack_keeps_the_std():
    p = depth_profile("dirac", "relu", depth=20, channels=8, size=32)
    np.testing.assert_allclose(p.forward_std[1:], p.forward_std[1], rtol=1e-12)


def test_keep_layer_returns_that_layer():
    p = depth_profile("he_normal", "tanh", depth=5, channels=3, size=32, keep_layer=3)
    assert p.activations.shape == (1, 3, 32, 32) and p.gradients.shape == (1, 3, 32, 32)
    assert p.activations.std() == pytest.approx(p.forward_std[2])
    assert p.gradients.std() == pytest.approx(p.backward_std[2])


def test_bad_arguments_name_what_was_expected():
    with pytest.raises(ValueError, match="activation must be one of"):
        depth_profile("he_normal", "swish")
    with pytest.raises(ValueError, match="init must be one of"):
        depth_profile("xavier", "relu")
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\) with C=8; got an array of shape \(1, 3, 8, 8\)"):
        depth_profile("he_normal", x=np.zeros((1, 3, 8, 8)))
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        init_stack("he_normal", kernel_size=4)
    with pytest.raises(ValueError, match="depth must be an integer from 1 to 200; got 0"):
        depth_profile("he_normal", depth=0)
    assert set(ACTIVATIONS) <= set(act.NAMES)


# ---------------------------------------------------------------- init statistics (notebook numbers)

def test_worked_example_fans_and_formulas():
    fan_in, fan_out = init.fans(WORKED)
    assert (fan_in, fan_out) == (75, 500)
    assert init.describe("glorot_uniform", WORKED).limit == pytest.approx(math.sqrt(6 / 575))
    assert init.describe("glorot_uniform", WORKED).std == pytest.approx(math.sqrt(2 / 575))
    assert init.describe("he_normal", WORKED).std == pytest.approx(math.sqrt(2 / 75))
    assert init.describe("lecun_normal", WORKED).std == pytest.approx(math.sqrt(1 / 75))
    torch_w = init.describe("pytorch_default", WORKED)
    assert torch_w.limit == pytest.approx(1 / math.sqrt(75))
    assert (init.describe("he_normal", WORKED).std / torch_w.std) ** 2 == pytest.approx(6.0)


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_normal", "he_uniform",
                                  "lecun_normal", "pytorch_default", "keras_default"])
def test_measured_std_of_draws_matches_describe(name):
    rng = np.random.default_rng(1)
    draws = np.concatenate([init.get(name)(WORKED, rng).ravel() for _ in range(100)])
    assert draws.std() == pytest.approx(init.describe(name, WORKED).std, rel=0.01)
    assert abs(draws.mean()) < 0.01 * draws.std() * 10


def test_truncated_normal_correction():
    s = math.sqrt(2 / 75)
    rng = np.random.default_rng(2)
    plain = init.truncated_normal((100_000,), rng, std=s, correct=False)
    corrected = init.truncated_normal((100_000,), rng, std=s, correct=True)
    assert plain.std() / s == pytest.approx(init.TRUNCATED_NORMAL_STD_CORRECTION, rel=0.01)
    assert corrected.std() == pytest.approx(s, rel=0.01)
    assert np.abs(corrected).max() <= 2 * s / init.TRUNCATED_NORMAL_STD_CORRECTION


def test_pytorch_default_matches_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 20, 5)
    w = conv.weight.detach().numpy()
    b = conv.bias.detach().numpy()
    bound = init.describe("pytorch_default", WORKED).limit
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert w.std() == pytest.approx(init.describe("pytorch_default", WORKED).std, rel=0.08)


# ---------------------------------------------------------------- structured kernels

def test_orthogonal_keeps_every_window_length_and_random_does_not():
    x = stack_input(1, size=32)
    w = init.orthogonal((9, 1, 3, 3), np.random.default_rng(4))
    np.testing.assert_allclose(window_norm_ratio(x, w), 1.0, rtol=1e-12)
    r = window_norm_ratio(x, init.he_normal((9, 1, 3, 3), np.random.default_rng(4)))
    assert np.abs(r - 1).max() > 0.1


def test_window_norm_ratio_zero_window_is_nan_without_warning():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 0, 0] = 1.0
    r = window_norm_ratio(x, init.orthogonal((9, 1, 3, 3), np.random.default_rng(0)))
    assert r[0, 0, 0] == pytest.approx(1.0) and np.isnan(r[0, 2, 2])
    with pytest.raises(ValueError, match=r"w must have shape \(F, C, kh, kw\) with C=1"):
        window_norm_ratio(x, np.ones((2, 3, 3, 3)))


def test_dirac_conv_is_the_identity():
    x = stack_input(3, size=32)
    np.testing.assert_array_equal(conv2d(x, init.dirac((3, 3, 3, 3)), padding=1), x)


# ---------------------------------------------------------------- figures (smoke + content)

def test_depth_study_figure_labels_vanishing_and_exploding():
    profiles = {lab: {a: depth_profile(n, a, depth=6, size=32, init_options=o)
                      for a in ("relu", "tanh")}
                for lab, (n, o) in {"small": ("normal", {"std": 0.01}),
                                    "large": ("normal", {"std": 1.0}),
                                    "He": ("he_normal", None)}.items()}
    fig = figs.plot_depth_study(profiles, title="t")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "small: vanishes" in texts and "large: explodes" in texts, texts
    assert not any("vanishs" in t for t in texts)
    assert not any(t.startswith("He") for t in texts)
    assert all(ax.get_yscale() == "log" for ax in fig.axes)
    matplotlib.pyplot.close(fig)


def test_other_figures_draw():
    from cnnedu.topics.symmetry import edge_task, start, train_filters
    x, t = edge_task(16)
    runs = {"c": train_filters(*start("constant"), x, t, steps=3)}
    for fig in (figs.plot_training_runs(runs),
                figs.plot_draws({"a": np.arange(5.0), "b": np.zeros(4)}),
                figs.plot_truncation(np.ones(10), np.ones(10), 0.1)):
        panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
        assert panels and all(ax.get_title() or not ax.axison for ax in panels)
        matplotlib.pyplot.close(fig)


def test_std_plot_rgb_draws_the_curves_in_their_colours():
    rgb = figs.std_plot_rgb([(np.logspace(0, -4, 20), "forward"), (np.ones(20), "backward")],
                            mark_layer=5)
    assert rgb.shape == (300, 520, 3)
    for name in ("forward", "backward"):
        assert np.all(rgb == np.array(figs.COLORS[name], dtype=np.uint8), axis=-1).sum() > 200
    # NaN, zeros and infinities do not break it
    figs.std_plot_rgb([(np.array([np.nan, 0.0, np.inf, 1.0]), "forward")])
    figs.std_plot_rgb([(np.array([1.0]), "forward")])


def test_histogram_rgb_handles_every_input():
    a = figs.histogram_rgb(np.random.default_rng(0).standard_normal(500))
    assert a.shape == (140, 260, 3)
    assert not np.array_equal(a, figs.histogram_rgb(np.zeros(10)))
    figs.histogram_rgb([])
    figs.histogram_rgb([np.nan, np.inf])
