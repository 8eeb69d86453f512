"""The non-linearity experiments: feature maps, the edge task, training, dead ReLUs, depth."""
import numpy as np
import pytest

from cnnedu.nn import activations
from cnnedu.topics import collapse as compose
from cnnedu.topics import nonlinear
from cnnedu.nn.gradcheck import numerical_gradient


def test_map_through_applies_the_activation_to_every_element_after_the_bias():
    rng = np.random.default_rng(0)
    img, k = rng.random((9, 8)), rng.normal(size=(3, 3))
    from cnnedu.nn.conv import correlate2d
    for name in ["relu", "sigmoid", "tanh", "gelu", "leaky_relu"]:
        r = nonlinear.map_through(img, k, -0.3, name, scale=2.0)
        pre = correlate2d(img, 2.0 * k) - 0.3
        np.testing.assert_allclose(r.pre, pre)
        np.testing.assert_allclose(r.post, activations.get(name).forward(pre))
        assert r.zeroed == activations.zeroed_fraction(name, pre)
        assert r.saturated == activations.saturation_fraction(name, pre)


def test_map_through_bad_input():
    with pytest.raises(ValueError, match=r"image must have shape \(H, W\)"):
        nonlinear.map_through(np.ones((1, 5, 5)), np.ones((3, 3)), 0.0, "relu")
    with pytest.raises(ValueError, match="bias must be finite"):
        nonlinear.map_through(np.ones((5, 5)), np.ones((3, 3)), float("nan"), "relu")


def test_edge_target_is_sign_blind_and_aligned():
    x = nonlinear.edge_patches(3, 12, seed=2)
    t = nonlinear.edge_target(x, 3)
    assert t.shape == (3, 1, 6, 6)
    np.testing.assert_allclose(t, nonlinear.edge_target(-x, 3))   # edges of either sign
    assert t.min() >= 0


def test_edge_target_is_not_linear_the_floor_is_well_above_zero():
    x = nonlinear.edge_patches(8, 14, seed=0)
    t = nonlinear.edge_target(x, 3)
    assert compose.best_single_kernel(x, t, 7).unexplained > 0.3


def test_stack_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 1, 8, 8))
    layers = [[w.copy(), b.copy() + 0.1] for w, b in nonlinear.init_stack((1, 2, 2, 1), seed=3)]
    target = rng.normal(size=(2, 1, 2, 2))
    for act in ["identity", "tanh", "leaky_relu"]:
        y, cache = nonlinear.stack_forward(x, layers, act)
        grads = nonlinear.stack_backward(2 * (y - target) / y.size, layers, cache)
        for i, (w, b) in enumerate(layers):
            for j, p in enumerate((w, b)):
                def loss(v, i=i, j=j):
                    saved = layers[i][j]
                    layers[i][j] = v
                    out = nonlinear.stack_forward(x, layers, act)[0]
                    layers[i][j] = saved
                    return np.mean((out - target) ** 2)
                num = numerical_gradient(loss, p.copy())
                np.testing.assert_allclose(grads[i][j], num, rtol=1e-5, atol=1e-8)


@pytest.fixture(scope="module")
def edge_runs():
    x = nonlinear.edge_patches(8, 14, seed=0)
    t = nonlinear.edge_target(x, 3)
    start = nonlinear.init_stack((1, 6, 6, 1), seed=0)
    lin = nonlinear.train_stack(x, t, start, "identity", steps=200, lr=0.03)
    relu = nonlinear.train_stack(x, t, start, "relu", steps=200, lr=0.03)
    return x, t, start, lin, relu, compose.best_single_kernel(x, t, 7)


def test_linear_stack_never_goes_below_the_least_squares_floor(edge_runs):
    _, _, _, lin, _, floor = edge_runs
    assert lin.losses.min() >= floor.mse * (1 - 1e-9)
    assert lin.losses[-1] < 1.25 * floor.mse       # and it gets close to it


def test_relu_stack_goes_well_below_the_floor(edge_runs):
    _, _, _, _, relu, floor = edge_runs
    assert relu.losses[-1] < 0.2 * floor.mse


def test_training_is_deterministic_and_leaves_the_start_untouched(edge_runs):
    x, t, start, lin, _, _ = edge_runs
    before = [w.copy() for w, _ in start]
    again = nonlinear.train_stack(x, t, start, "identity", steps=5, lr=0.03)
    np.testing.assert_array_equal(again.losses, lin.losses[:6])
    for w0, (w, _) in zip(before, start):
        np.testing.assert_array_equal(w0, w)


def test_a_bad_bias_kills_relus_and_leaky_relu_recovers():
    x = nonlinear.edge_patches(8, 14, seed=0)
    t = nonlinear.edge_target(x, 3)
    bad = nonlinear.init_stack((1, 6, 6, 1), seed=0, hidden_bias=-2.0)
    relu = nonlinear.train_stack(x, t, bad, "relu", steps=100, lr=0.05)
    leaky = nonlinear.train_stack(x, t, bad, "leaky_relu", steps=100, lr=0.05)
    assert relu.dead[0] == 1.0 and relu.dead[-1] == 1.0
    assert relu.losses[-1] == pytest.approx(t.var(), rel=1e-3)   # a constant output
    assert leaky.dead[-1] < 1.0 and leaky.losses[-1] < 0.6 * t.var()


def test_dead_fraction_counts_filters_never_positive():
    pre = np.full((2, 3, 4, 4), -1.0)
    pre[1, 0, 2, 2] = 0.5
    assert nonlinear.dead_fraction(pre) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"\(N, F, H, W\)"):
        nonlinear.dead_fraction(np.ones((3, 3)))


def test_sigmoid_gradient_vanishes_through_depth_relu_does_not():
    sig = nonlinear.gradient_through_depth("sigmoid", depth=8)
    relu = nonlinear.gradient_through_depth("relu", depth=8)
    assert sig.grad_rms[0] < 1e-3 * sig.grad_rms[-1]
    assert relu.grad_rms[0] > 0.1 * relu.grad_rms[-1]


def test_a_large_bias_saturates_tanh_and_its_gradient_vanishes():
    calm = nonlinear.gradient_through_depth("tanh", depth=8)
    hot = nonlinear.gradient_through_depth("tanh", depth=8, bias=3.0)
    assert hot.saturated.mean() > 0.2 > calm.saturated.mean()
    assert hot.grad_rms[0] / hot.grad_rms[-1] < 1e-3 * calm.grad_rms[0] / calm.grad_rms[-1]


def test_train_stack_bad_input():
    x = np.zeros((1, 1, 8, 8))
    with pytest.raises(ValueError, match=r"target must have the stack's output shape \(1, 1, 2, 2\)"):
        nonlinear.train_stack(x, np.zeros((1, 1, 3, 3)), nonlinear.init_stack((1, 2, 2, 1)))
    with pytest.raises(ValueError, match="activation must be one of"):
        nonlinear.train_stack(x, np.zeros((1, 1, 2, 2)), nonlinear.init_stack((1, 2, 2, 1)), "swish")


# ------------------------------------------------------------ piecewise linear, kinks

def test_relu_net_is_piecewise_linear_with_kinks_where_units_switch():
    rng = np.random.default_rng(0)
    w, b, v = rng.normal(size=6), rng.normal(size=6), rng.normal(size=6)
    x = np.linspace(-3, 3, 2001)
    net = nonlinear.relu_net_1d(x, w, b, v, c=0.5)
    # the output against a plain loop
    loop = np.array([0.5 + sum(vj * max(wj * xi + bj, 0.0) for wj, bj, vj in zip(w, b, v))
                     for xi in x])
    np.testing.assert_allclose(net.y, loop, atol=1e-12)
    # the slope is the finite-difference derivative away from the kinks
    fd = np.gradient(net.y, x)
    far = np.min(np.abs(x[:, None] - net.kinks[None, :]), axis=1) > 0.01
    np.testing.assert_allclose(fd[far], net.slope[far], atol=1e-9)
    # the slope is constant between kinks and changes at each one
    for lo, hi in zip(np.concatenate([[-3], net.kinks]), np.concatenate([net.kinks, [3]])):
        inside = (x > lo + 1e-9) & (x < hi - 1e-9)
        if inside.any():
            assert np.ptp(net.slope[inside]) < 1e-12
    assert net.pieces == len(net.kinks) + 1 <= 7


def test_relu_net_bad_input_and_a_dead_unit():
    with pytest.raises(ValueError, match=r"same shape \(J,\); got \(2,\), \(3,\)"):
        nonlinear.relu_net_1d(np.zeros(3), [1.0, 2.0], [0.0, 0.0, 0.0], [1.0, 1.0])
    net = nonlinear.relu_net_1d(np.linspace(-1, 1, 5), [0.0, 1.0], [-1.0, 0.0], [3.0, 1.0])
    assert net.kinks.tolist() == [0.0] and net.pieces == 2     # w = 0 never switches


# ------------------------------------------------------------------ deep linear learning

def test_one_layer_learns_every_mode_at_the_same_rate():
    r = nonlinear.train_deep_linear((3.0, 1.0, 0.3), depth=1, steps=300, lr=0.1,
                                    init_scale=0.0)
    np.testing.assert_allclose(r.modes[10], 1 - 0.9 ** 10, atol=1e-12)   # 1 - (1 - lr)^t
    assert r.losses[-1] < 1e-20


def test_deep_linear_learns_strong_modes_first_on_every_seed():
    for seed in range(3):
        r = nonlinear.train_deep_linear((3.0, 1.0, 0.3), depth=3, steps=800, lr=0.1,
                                        init_scale=0.3, seed=seed)
        h = r.half_times()
        assert 0 < h[0] < h[1] < h[2], h
        assert r.losses[-1] < 1e-3 * r.losses[0]


def test_deep_linear_gradient_matches_central_differences():
    from cnnedu.topics.nonlinear.deep_linear import deep_linear_grads
    rng = np.random.default_rng(4)
    layers = [rng.normal(size=(3, 3)) for _ in range(3)]
    A = rng.normal(size=(3, 3))
    _, product, grads = deep_linear_grads(layers, A)
    np.testing.assert_allclose(product, layers[2] @ layers[1] @ layers[0], atol=1e-12)
    h = 1e-6
    for l in range(3):
        for idx in [(0, 0), (1, 2), (2, 1)]:
            plus = [w.copy() for w in layers]
            minus = [w.copy() for w in layers]
            plus[l][idx] += h
            minus[l][idx] -= h
            fd = (deep_linear_grads(plus, A)[0] - deep_linear_grads(minus, A)[0]) / (2 * h)
            assert grads[l][idx] == pytest.approx(fd, rel=1e-6, abs=1e-8)


def test_train_deep_linear_bad_input():
    with pytest.raises(ValueError, match="positive numbers"):
        nonlinear.train_deep_linear((1.0, -1.0))
    with pytest.raises(ValueError, match="depth"):
        nonlinear.train_deep_linear(depth=0)
