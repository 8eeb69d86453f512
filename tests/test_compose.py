"""The conv-composition functions against running the layers (and scipy, and PyTorch)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnedu.topics import collapse as compose
from cnnedu.nn.conv import conv2d


def _layer(rng, f, c, kh, kw):
    return rng.normal(size=(f, c, kh, kw)), rng.normal(size=f)


# ------------------------------------------------------------------------------- dense

def test_dense_scalars_follow_the_algebra():
    M, B = compose.collapse_dense([2.0, -3.0], [1.0, 0.5])
    assert float(M) == -6.0 and float(B) == -3.0 * 1.0 + 0.5
    for x0 in (-2.0, 0.0, 1.5):
        assert float(compose.run_dense([2.0, -3.0], [1.0, 0.5], x0)) == pytest.approx(float(M * x0 + B))


@given(st.lists(st.integers(1, 5), min_size=2, max_size=6), st.integers(0, 10_000))
@settings(max_examples=30, deadline=None)
def test_dense_matrices_any_depth_equal_running_the_layers(widths, seed):
    rng = np.random.default_rng(seed)
    ms = [rng.normal(size=(o, i)) for i, o in zip(widths[:-1], widths[1:])]
    bs = [rng.normal(size=o) for o in widths[1:]]
    M, B = compose.collapse_dense(ms, bs)
    x = rng.normal(size=(widths[0], 7))
    assert M.shape == (widths[-1], widths[0])
    np.testing.assert_allclose(compose.run_dense(ms, bs, x), M @ x + B[:, None], atol=1e-9)


def test_dense_relu_between_layers_is_not_the_collapse():
    rng = np.random.default_rng(0)
    ms, bs = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))], [rng.normal(size=4), rng.normal(size=2)]
    M, B = compose.collapse_dense(ms, bs)
    x = rng.normal(size=(3, 50))
    assert np.abs(compose.run_dense(ms, bs, x, "relu") - (M @ x + B[:, None])).max() > 0.1


def test_dense_bad_input_names_expected_and_actual():
    with pytest.raises(ValueError, match=r"layer 1 expects 5 inputs but layer 0 gives 3"):
        compose.collapse_dense([np.ones((3, 2)), np.ones((2, 5))], [np.ones(3), np.ones(2)])
    with pytest.raises(ValueError, match="one bias per weight"):
        compose.collapse_dense([1.0, 2.0], [1.0])


# ------------------------------------------------------------------------ convolutions

def test_full_convolve_matches_scipy():
    signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(1)
    for s1, s2 in [((3, 3), (3, 3)), ((1, 4), (2, 1)), ((2, 5), (4, 3))]:
        a, b = rng.normal(size=s1), rng.normal(size=s2)
        np.testing.assert_allclose(compose.full_convolve2d(a, b),
                                   signal.convolve2d(a, b, mode="full"), atol=1e-12)


def test_the_combined_kernel_is_a_convolution_not_a_correlation():
    k1, k2 = np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, -1.0]])
    np.testing.assert_array_equal(compose.full_convolve2d(k1, k2), [[1.0, 1.0, 1.0, -3.0]])


def test_single_channel_pair_and_bias_formula():
    rng = np.random.default_rng(2)
    k1, k2 = rng.normal(size=(3, 3)), rng.normal(size=(2, 4))
    W, B = compose.compose_conv(k1[None, None], [0.7], k2[None, None], [-0.2])
    assert W.shape == (1, 1, 4, 6)
    assert B[0] == pytest.approx(0.7 * k2.sum() - 0.2)
    x = rng.normal(size=(2, 1, 11, 12))
    two = conv2d(conv2d(x, k1[None, None], np.array([0.7])), k2[None, None], np.array([-0.2]))
    assert np.abs(two - conv2d(x, W, B)).max() < 1e-12


@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3),
       st.tuples(st.integers(1, 4), st.integers(1, 4)), st.tuples(st.integers(1, 4), st.integers(1, 4)),
       st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_compose_conv_random_shapes_equals_running_two_layers(C, M, F, k1, k2, seed):
    rng = np.random.default_rng(seed)
    w1, b1 = _layer(rng, M, C, *k1)
    w2, b2 = _layer(rng, F, M, *k2)
    x = rng.normal(size=(2, C, k1[0] + k2[0] + 3, k1[1] + k2[1] + 2))
    W, B = compose.compose_conv(w1, b1, w2, b2)
    assert W.shape == (F, C, k1[0] + k2[0] - 1, k1[1] + k2[1] - 1) and B.shape == (F,)
    two = conv2d(conv2d(x, w1, b1), w2, b2)
    np.testing.assert_allclose(conv2d(x, W, B), two, atol=1e-10 * max(1.0, np.abs(two).max()))


@given(st.integers(2, 5), st.integers(0, 10_000))
@settings(max_examples=20, deadline=None)
def test_compose_stack_any_depth_equals_running_the_stack(depth, seed):
    rng = np.random.default_rng(seed)
    chans = rng.integers(1, 4, size=depth + 1)
    layers = [_layer(rng, int(chans[i + 1]), int(chans[i]), *rng.integers(1, 4, size=2))
              for i in range(depth)]
    kh = 1 + sum(w.shape[2] - 1 for w, _ in layers)
    kw = 1 + sum(w.shape[3] - 1 for w, _ in layers)
    x = rng.normal(size=(1, int(chans[0]), kh + 3, kw + 2))
    W, B = compose.compose_stack(layers)
    assert W.shape == (int(chans[-1]), int(chans[0]), kh, kw)
    deep = compose.run_stack(x, layers)
    np.testing.assert_allclose(conv2d(x, W, B), deep, atol=1e-9 * max(1.0, np.abs(deep).max()))


def test_compose_conv_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w1, b1 = _layer(rng, 4, 2, 3, 3)
    w2, b2 = _layer(rng, 3, 4, 2, 3)
    x = rng.normal(size=(1, 2, 9, 9))
    t = lambda a: torch.from_numpy(a)
    two = torch.nn.functional.conv2d(torch.nn.functional.conv2d(t(x), t(w1), t(b1)), t(w2), t(b2))
    W, B = compose.compose_conv(w1, b1, w2, b2)
    np.testing.assert_allclose(conv2d(x, W, B), two.numpy(), atol=1e-10)


def test_float32_stays_float32():
    w = np.ones((1, 1, 3, 3), dtype=np.float32)
    W, B = compose.compose_conv(w, None, w, None)
    assert W.dtype == np.float32 and B.dtype == np.float32


def test_compose_conv_bad_channels_message():
    with pytest.raises(ValueError, match=r"M = 4.*got w2 \(2, 3, 3, 3\)"):
        compose.compose_conv(np.ones((4, 1, 3, 3)), None, np.ones((2, 3, 3, 3)), None)
    with pytest.raises(ValueError, match=r"\(F, C, kh, kw\)"):
        compose.compose_conv(np.ones((3, 3)), None, np.ones((1, 1, 3, 3)), None)
    with pytest.raises(ValueError, match=r"b1 must have shape \(F,\) = \(4,\)"):
        compose.compose_conv(np.ones((4, 1, 3, 3)), np.ones(3), np.ones((2, 4, 3, 3)), None)


def test_padding_breaks_exactness_only_on_the_border_ring():
    rng = np.random.default_rng(4)
    layers = [_layer(rng, 2, 1, 3, 3), _layer(rng, 1, 2, 3, 3)]
    d = compose.padding_difference(rng.normal(size=(1, 1, 10, 10)), layers, padding=1)[0, 0]
    assert d.shape == (10, 10)
    assert d[1:-1, 1:-1].max() < 1e-12
    assert d[0].max() > 1e-3 and d[-1].max() > 1e-3


# --------------------------------------------------------------- best single kernel

def test_best_single_kernel_recovers_a_linear_layer_exactly():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 2, 12, 12))
    w, b = _layer(rng, 2, 2, 3, 2)
    fit = compose.best_single_kernel(x, conv2d(x, w, b), (3, 2))
    np.testing.assert_allclose(fit.w, w, atol=1e-8)
    np.testing.assert_allclose(fit.b, b, atol=1e-8)
    assert fit.unexplained < 1e-12


def test_best_single_kernel_is_the_least_squares_minimum():
    """Any perturbation of the fitted kernel or bias gives a larger error."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 1, 10, 10))
    target = np.abs(rng.normal(size=(2, 1, 8, 8)))
    fit = compose.best_single_kernel(x, target, 3)
    for _ in range(20):
        w = fit.w + 1e-3 * rng.normal(size=fit.w.shape)
        b = fit.b + 1e-3 * rng.normal(size=1)
        assert np.mean((conv2d(x, w, b) - target) ** 2) > fit.mse


def test_relu_between_layers_leaves_a_large_error_identity_none():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(1, 1, 20, 20))
    layers = [_layer(rng, 3, 1, 3, 3), _layer(rng, 1, 3, 3, 3)]
    assert compose.collapse_gap(x, layers, "identity").unexplained < 1e-12
    assert compose.collapse_gap(x, layers, "relu").unexplained > 0.05


def test_best_single_kernel_shape_errors():
    with pytest.raises(ValueError, match=r"target must have shape .* \(1, F, 8, 8\)"):
        compose.best_single_kernel(np.ones((1, 1, 10, 10)), np.ones((1, 1, 10, 10)), 3)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        compose.best_single_kernel(np.ones((10, 10)), np.ones((1, 1, 8, 8)), 3)


def test_two_layer_summary_exact_and_fitted():
    img = np.random.default_rng(8).random((20, 20))
    k = np.array([[-1.0, 0.0, 1.0]] * 3)
    s = compose.two_layer_summary(img, k, 0.2, np.ones((3, 3)) / 9, 0.0)
    assert s.exact and s.max_difference < 1e-12 and "exactly" in s.text()
    r = compose.two_layer_summary(img, k, 0.2, np.ones((3, 3)) / 9, 0.0, "relu")
    assert not r.exact and r.unexplained > 0.05 and "unexplained" in r.text()
    assert r.text().startswith("relu between the layers")
    import dataclasses
    tiny = dataclasses.replace(r, unexplained=1e-5, activation="leaky_relu")
    assert "under 0.1%" in tiny.text() and "0.0%" not in tiny.text()
    assert tiny.text().startswith("leaky_relu between")
    with pytest.raises(ValueError, match="b1 must be a finite number"):
        compose.two_layer_summary(img, k, float("nan"), k, 0.0)


# ----------------------------------------------------------------------------- strides

@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_strided_pair_is_one_layer_of_stride_s1_s2(k1, k2, s1h, s1w, s2h, s2w, seed):
    rng = np.random.default_rng(seed)
    w1, b1 = _layer(rng, 3, 2, k1, k1 + 1)
    w2, b2 = _layer(rng, 2, 3, k2 + 1, k2)
    W, B, s = compose.compose_conv_strided(w1, b1, w2, b2, stride1=(s1h, s1w),
                                           stride2=(s2h, s2w))
    assert W.shape == (2, 2, k1 + s1h * k2, k1 + 1 + s1w * (k2 - 1))   # k1 + s1 (k2 - 1)
    assert s == (s1h * s2h, s1w * s2w)
    x = rng.normal(size=(1, 2, 23, 21))
    two = conv2d(conv2d(x, w1, b1, stride=(s1h, s1w)), w2, b2, stride=(s2h, s2w))
    one = conv2d(x, W, B, stride=s)
    assert one.shape == two.shape
    np.testing.assert_allclose(one, two, atol=1e-10)


def test_strided_collapse_against_torch_and_the_undilated_kernel_is_wrong():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    w1, b1 = _layer(rng, 2, 1, 3, 3)
    w2, b2 = _layer(rng, 1, 2, 3, 3)
    x = rng.normal(size=(1, 1, 17, 17))
    t = lambda a: torch.from_numpy(a)
    F = torch.nn.functional
    two = F.conv2d(F.conv2d(t(x), t(w1), t(b1), stride=2), t(w2), t(b2)).numpy()
    W, B, s = compose.compose_conv_strided(w1, b1, w2, b2, stride1=2)
    assert W.shape[2:] == (7, 7) and s == (2, 2)
    np.testing.assert_allclose(conv2d(x, W, B, stride=s), two, atol=1e-10)
    W0, B0 = compose.compose_conv(w1, b1, w2, b2)        # 5x5, no dilation: not the same
    assert conv2d(x, W0, B0, stride=2).shape != two.shape or \
        np.abs(conv2d(x, W0, B0, stride=2) - two).max() > 0.1


def test_dilate_kernel_and_bad_input():
    k = np.arange(6.0).reshape(2, 3)
    d = compose.dilate_kernel(k, (2, 3))
    assert d.shape == (3, 7) and d[2, 6] == 5.0 and d.sum() == k.sum()
    with pytest.raises(ValueError, match=r"\(kh, kw\) or \(F, C, kh, kw\); got an array of shape \(3,\)"):
        compose.dilate_kernel(np.ones(3), 2)
    with pytest.raises(ValueError, match="dilation"):
        compose.dilate_kernel(k, 0)


# ------------------------------------------------------------------ "same" padding ring

@pytest.mark.parametrize("k1, k2", [((3, 3), (3, 3)), ((3, 5), (5, 3)), ((1, 1), (3, 5)),
                                    ((5, 3), (1, 1))])
def test_the_measured_border_is_the_predicted_ring(k1, k2):
    rng = np.random.default_rng(sum(k1) + 10 * sum(k2))
    w1, b1 = _layer(rng, 3, 2, *k1)
    w2, b2 = _layer(rng, 2, 3, *k2)
    d = compose.same_padding_difference(rng.normal(size=(2, 2, 7, 9)), w1, b1, w2, b2)
    assert d.shape == (2, 2, 7, 9)
    measured = (d > 1e-9).any(axis=(0, 1))
    np.testing.assert_array_equal(measured, compose.border_ring((7, 9), k1, k2))
    assert d[..., ~compose.border_ring((7, 9), k1, k2)].max(initial=0) < 1e-10


def test_border_bad_input():
    with pytest.raises(ValueError, match=r"odd sizes.*got \(2, 3\)"):
        compose.border_ring((5, 5), (3, 3), (2, 3))
    with pytest.raises(ValueError, match="odd sizes"):
        compose.same_padding_difference(np.ones((1, 1, 5, 5)), np.ones((1, 1, 2, 2)), None,
                                        np.ones((1, 1, 3, 3)), None)
    with pytest.raises(ValueError, match=r"x has 2 channels but w1 \(1, 1, 3, 3\) expects 1"):
        compose.same_padding_difference(np.ones((1, 2, 5, 5)), np.ones((1, 1, 3, 3)), None,
                                        np.ones((1, 1, 3, 3)), None)
