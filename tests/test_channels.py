"""cnnedu.topics.channels (the forward pass taken apart) and cnnedu.topics.weight_sharing."""
import numpy as np
import pytest

from cnnedu.topics import channels
from cnnedu.topics import weight_sharing
from cnnedu.nn.activations import relu
from cnnedu.nn.conv import conv2d, conv2d_naive


@pytest.fixture
def layer():
    rng = np.random.default_rng(3)
    return rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)


def test_forward_steps_match_the_naive_layer(layer):
    x, w, b = layer
    s = channels.forward_steps(x, w, b, stride=2, padding=1)
    np.testing.assert_allclose(s.z, conv2d_naive(x, w, stride=2, padding=1))
    np.testing.assert_allclose(s.pre, conv2d_naive(x, w, b, stride=2, padding=1))
    np.testing.assert_allclose(s.activated, np.maximum(s.pre, 0))
    assert s.z.shape == (2, 4, 4, 4)
    assert "(N, F, H_out, W_out) = (2, 4, 4, 4)" in s.shape_lines()[2]


def test_bias_is_one_number_per_map_broadcast_everywhere():
    z = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2)
    b = np.array([10.0, -1.0, 0.5])
    out = channels.add_bias(z, b)
    for f in range(3):
        np.testing.assert_array_equal(out[:, f] - z[:, f], np.full((2, 2, 2), b[f]))


def test_add_bias_refuses_a_bias_per_channel_of_the_input():
    with pytest.raises(ValueError, match=r"b must have shape \(F,\) = \(3,\).*got an array of shape \(4,\)"):
        channels.add_bias(np.zeros((1, 3, 2, 2)), np.zeros(4))


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(dilation=2)])
def test_decompose_sums_back_to_the_layer(layer, kw):
    x, w, b = layer
    y = conv2d(x, w, b, **kw)
    for f in range(4):
        d = channels.decompose(x, w, b, f, n=1, **kw)
        assert d.responses.shape == (3, *y.shape[2:])
        np.testing.assert_allclose(d.total + d.bias, y[1, f])
        np.testing.assert_allclose(d.activated, relu(y[1, f]))
        # each response is that channel alone: zero the other channels, same response
        for c in range(3):
            only = np.zeros_like(x)
            only[:, c] = x[:, c]
            np.testing.assert_allclose(d.responses[c], conv2d(only, w, **kw)[1, f], atol=1e-12)


def test_decompose_bias_override_and_activation(layer):
    x, w, b = layer
    d = channels.decompose(x, w, b, 0, bias=100.0, activation="identity")
    np.testing.assert_allclose(d.activated, d.total + 100.0)


@pytest.mark.parametrize("kw,match", [
    (dict(f=4), r"f must be an integer in 0..3; got 4"),
    (dict(f=0, n=2), r"n must be an integer in 0..1; got 2"),
    (dict(f=0, bias=float("nan")), "bias must be a finite number"),
])
def test_decompose_bad_input(layer, kw, match):
    x, w, b = layer
    with pytest.raises(ValueError, match=match):
        channels.decompose(x, w, b, **kw)


def test_a_1x1_conv_is_a_dense_layer_at_every_pixel(layer):
    x, _, _ = layer
    rng = np.random.default_rng(5)
    weight, bias = rng.normal(size=(5, 3)), rng.normal(size=5)
    dense = channels.dense_at_every_pixel(x, weight, bias)
    np.testing.assert_allclose(dense, conv2d(x, weight[:, :, None, None], bias))
    # one pixel by hand
    np.testing.assert_allclose(dense[1, :, 2, 3], weight @ x[1, :, 2, 3] + bias)
    with pytest.raises(ValueError, match=r"weight must have shape \(F, C\) with C=3"):
        channels.dense_at_every_pixel(x, np.zeros((5, 4)))


def test_filter_bank_is_fixed_and_meaningful():
    bank = channels.filter_bank()
    assert bank.w.shape == (20, 3, 3, 3) and bank.b.shape == (20,) and len(bank.names) == 20
    np.testing.assert_array_equal(bank.w, channels.filter_bank().w)      # seeded
    assert not np.array_equal(bank.w[12:], channels.filter_bank(seed=3).w[12:])
    v = bank.w[bank.names.index("vertical edge")]
    ramp = np.tile(np.arange(5.0), (3, 5, 1))[None]                     # brighter to the right
    assert conv2d(ramp, v[None]).min() > 0
    red = bank.w[bank.names.index("red")]
    red_img = np.zeros((1, 3, 3, 3))
    red_img[0, 0] = 1.0
    assert conv2d(red_img, red[None])[0, 0, 0, 0] > 0 > conv2d(1 - red_img, red[None])[0, 0, 0, 0] - 0.5


def test_conv_as_matrix_reproduces_the_layer_and_shares_weights():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 3, 3, 3))
    x = rng.normal(size=(1, 3, 6, 5))
    M = weight_sharing.conv_as_matrix(w, (3, 6, 5), stride=1, padding=1)
    np.testing.assert_allclose(M @ x.ravel(), conv2d(x, w, padding=1).ravel())
    assert M.shape == (2 * 6 * 5, 3 * 6 * 5)
    # every non-zero entry is one of the 54 filter weights
    assert set(np.round(M[M != 0], 12)) <= set(np.round(w.ravel(), 12))
    with pytest.raises(ValueError, match="in_shape must be"):
        weight_sharing.conv_as_matrix(w, (6, 5))


def test_shift_and_translation_equivariance():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 3, 20, 20))
    w = rng.normal(size=(2, 3, 3, 3))
    a = conv2d(weight_sharing.shift(x, 3, -2), w)
    bb = weight_sharing.shift(conv2d(x, w), 3, -2)
    np.testing.assert_allclose(weight_sharing.interior(a, 5), weight_sharing.interior(bb, 5))
    assert np.abs(a - bb).max() > 0.1      # the borders differ: zeros came in
    np.testing.assert_array_equal(weight_sharing.shift(x, 25, 0), 0)
    with pytest.raises(TypeError, match="dy must be an integer"):
        weight_sharing.shift(x, 1.5, 0)


def test_figures_smoke():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnnedu.viz.figures import conv_layer as figs
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(1, 3, 9, 9)), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2)
    fig = figs.show_decomposition(channels.decompose(x, w, b, 1), name="test")
    titles = [a.get_title() for a in fig.axes]
    assert "sum of the responses" in titles and "bias b[f]\n(scale of the sum)" in titles
    plt.close(fig)
    fig = figs.show_maps(rng.normal(size=(7, 5, 5)), [str(i) for i in range(7)], ncols=4)
    assert [a.get_title() for a in fig.axes][:7] == [str(i) for i in range(7)]
    plt.close(fig)
    with pytest.raises(ValueError, match="one title per map"):
        figs.show_maps(np.zeros((2, 3, 3)), ["a"])
