"""Tests for cnnedu.nn.gradcheck: the finite-difference oracle the other tests rely on."""
import numpy as np
import pytest

from cnnedu.nn.gradcheck import GradCheckResult, check_gradient, numerical_gradient, rel_error


def test_square_gives_2x():
    x = np.random.default_rng(0).normal(size=(3, 4))
    g = numerical_gradient(lambda v: v ** 2, x)
    assert g.shape == x.shape and g.dtype == np.float64
    assert rel_error(g, 2 * x) < 1e-8


def test_sum_of_sin_scalar_output():
    x = np.random.default_rng(1).uniform(-3, 3, size=(2, 3, 4))
    g = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    assert rel_error(g, np.cos(x)) < 1e-7


def test_upstream_gradient_df():
    rng = np.random.default_rng(2)
    x = rng.normal(size=5)
    a = rng.normal(size=(3, 5))
    df = rng.normal(size=3)
    # f(x) = A x, so d sum(f * df) / dx = A^T df
    g = numerical_gradient(lambda v: a @ v, x, df=df)
    assert rel_error(g, a.T @ df) < 1e-7


def test_cross_element_dependence():
    # f couples elements: f(x) = x * x[::-1]; the gradient of sum is 2 * x[::-1]
    x = np.array([1.0, 2.0, -3.0, 0.5])
    g = numerical_gradient(lambda v: v * v[::-1], x)
    assert rel_error(g, 2 * x[::-1]) < 1e-8


def test_x_restored_exactly():
    x = np.random.default_rng(3).normal(size=(4, 4))
    before = x.copy()
    numerical_gradient(np.tanh, x)
    assert np.array_equal(x, before)


def test_x_restored_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("boom")
        return v

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_float32_refused_with_reason():
    x = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float32") as info:
        numerical_gradient(np.sin, x)
    assert "float64" in str(info.value) and "rounding" in str(info.value)


def test_f_returning_float32_refused():
    x = np.ones(3)
    with pytest.raises(TypeError, match="f returned dtype float32"):
        numerical_gradient(lambda v: v.astype(np.float32), x)


@pytest.mark.parametrize("bad", [[1.0, 2.0], np.arange(3)])
def test_non_float64_array_refused(bad):
    with pytest.raises(TypeError, match="float64 ndarray") as info:
        numerical_gradient(np.sin, bad)
    assert "got" in str(info.value)


def test_df_shape_mismatch():
    with pytest.raises(ValueError, match=r"shape of f\(x\), \(3,\); got an array of shape \(2,\)"):
        numerical_gradient(np.sin, np.ones(3), df=np.ones(2))


@pytest.mark.parametrize("h", [0.0, -1e-6, float("nan")])
def test_bad_step(h):
    with pytest.raises(ValueError, match="h must be a positive"):
        numerical_gradient(np.sin, np.ones(2), h=h)


def test_read_only_x_refused():
    x = np.ones(2)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        numerical_gradient(np.sin, x)


def test_not_callable():
    with pytest.raises(TypeError, match="f must be callable; got int 3"):
        numerical_gradient(3, np.ones(2))


# ---------------------------------------------------------------- rel_error

def test_rel_error_identical_and_zero():
    assert rel_error([1.0, -2.0], [1.0, -2.0]) == 0.0
    assert rel_error(np.zeros(4), np.zeros(4)) == 0.0
    assert rel_error(np.zeros(0), np.zeros(0)) == 0.0


def test_rel_error_values():
    assert rel_error([1.0], [-1.0]) == 1.0  # opposite signs: the maximum
    assert rel_error([3.0], [1.0]) == pytest.approx(0.5)
    assert rel_error([1.0, 0.0], [1.0, 1.0]) == pytest.approx(1.0)
    # elementwise: a small wrong entry is not hidden by a large right one
    assert rel_error([1e6, 1e-3], [1e6, 2e-3]) == pytest.approx(1 / 3)
    # below the floor, differences do not count much
    assert rel_error([0.0], [1e-12]) == pytest.approx(1e-4)
    assert rel_error([0.0], [1e-12], floor=1e-20) == 1.0


def test_rel_error_returns_python_float_and_is_symmetric():
    a, b = np.array([1.0, 2.0]), np.array([1.1, 2.0])
    assert isinstance(rel_error(a, b), float)
    assert rel_error(a, b) == rel_error(b, a)


def test_rel_error_nonfinite():
    assert rel_error([np.nan], [np.nan]) == float("inf")
    assert rel_error([np.inf], [np.inf]) == 0.0
    assert rel_error([np.inf], [1.0]) == 1.0


def test_rel_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape; got shapes \(2,\) and \(3,\)"):
        rel_error(np.ones(2), np.ones(3))


def test_rel_error_prints_nothing(capsys):
    rel_error([1.0], [2.0])
    numerical_gradient(np.sin, np.ones(2))
    assert capsys.readouterr().out == ""


# ------------------------------------------------------------- check_gradient

def test_check_gradient_pass_and_fail():
    x = np.linspace(-1, 1, 7)
    ok = check_gradient(np.sin, x, np.cos)
    assert isinstance(ok, GradCheckResult) and ok.passed and ok.max_rel_error < 1e-8
    bad_grad = np.cos(x)
    bad_grad[4] *= 1.01
    bad = check_gradient(np.sin, x, bad_grad)
    assert not bad.passed and bad.worst_index == (4,)
    assert "FAILED" in repr(bad) and "passed" in repr(ok)


def test_check_gradient_shape_mismatch():
    with pytest.raises(ValueError, match=r"analytic must have the shape of x"):
        check_gradient(np.sin, np.ones(3), np.ones(2))


# ------------------------------------------------- the defaults: no false FAILED, no false PASS
# A few hundred tiny random problems with correct gradients must all pass with the defaults,
# and every classic wrong gradient must fail (measured margins: module docstring).

import math

from cnnedu.nn import activations as act
from cnnedu.nn.conv import conv2d, conv2d_backward, rot180
from cnnedu.nn.gradcheck import DEFAULTS
from cnnedu.nn.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D, Sequential

ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "gelu", "elu", "softplus"]


def _conv_setting(rng, min_n=1, min_k=1):
    N = int(rng.integers(min_n, 4))
    C, F = (int(v) for v in rng.integers(1, 4, size=2))
    H, W = (int(v) for v in rng.integers(3, 7, size=2))
    k, s, p = int(rng.integers(min_k, 4)), int(rng.integers(1, 3)), int(rng.integers(0, 2))
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, k, k))
    b = rng.standard_normal(F)
    kw = {"stride": s, "padding": p}
    dy = rng.standard_normal(conv2d(x, w, b, **kw).shape)
    return x, w, b, dy, kw


def _correct_problems(seed):
    """(name, f, x, analytic, df) with correct analytic gradients: 117 per seed."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(15):
        x, w, b, dy, kw = _conv_setting(rng)
        dx, dw, db = conv2d_backward(dy, x, w, **kw)
        out += [("conv dx", lambda v, w=w, b=b, kw=kw: conv2d(v, w, b, **kw), x, dx, dy),
                ("conv dw", lambda v, x=x, b=b, kw=kw: conv2d(x, v, b, **kw), w, dw, dy),
                ("conv db", lambda v, x=x, w=w, kw=kw: conv2d(x, w, v, **kw), b, db, dy)]
    for _ in range(6):
        for name in ACTIVATIONS:
            x = 2 * rng.standard_normal(tuple(int(v) for v in rng.integers(1, 5, size=2)))
            dy = rng.standard_normal(x.shape)
            grad = getattr(act, name + "_grad")(x) * dy
            out.append((name, getattr(act, name), x, grad, dy))
    for _ in range(5):
        i, o, n = (int(v) for v in rng.integers(1, 6, size=3))
        k, s = int(rng.integers(2, 4)), int(rng.integers(1, 4))
        shape = (int(rng.integers(1, 3)), 2, k + int(rng.integers(0, 4)), k + int(rng.integers(0, 4)))
        for layer, x in ((Dense(i, o, rng=rng), rng.standard_normal((n, i))),
                         (MaxPool2D(k, stride=s), rng.standard_normal(shape)),
                         (Sequential(Conv2D(2, 3, 3, padding=1, rng=rng), Activation("relu"),
                                     MaxPool2D(2), Flatten(), Dense(12, 3, rng=rng)),
                          rng.standard_normal((2, 2, 4, 4)))):
            layer.needs_input_grad = True  # (a Sequential skips its input gradient)
            dy = rng.standard_normal(layer.forward(x).shape)
            dx = layer.backward(dy)
            out.append((repr(layer) + " dx", layer.forward, x, dx, dy))
            for pname, p, g in layer.parameters():
                out.append((f"{layer!r} d{pname}",
                            lambda v, layer=layer, x=x: layer.forward(x), p, g.copy(), dy))
    return out


def _gelu_tanh_grad(x):
    c = math.sqrt(2 / math.pi)
    t = np.tanh(c * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x ** 2)


def _wrong_problems(seed):
    """(mistake, f, x, wrong analytic, df): one of each classic mistake per seed."""
    rng = np.random.default_rng(seed)
    x, w, b, dy, kw = _conv_setting(rng, min_n=2, min_k=2)
    dx, dw, db = conv2d_backward(dy, x, w, **kw)
    N = x.shape[0]
    wrong_one = dx.copy()  # an entry that is not 0 (2 x 0 is no mistake: inputs no window reaches)
    wrong_one.flat[rng.choice(np.flatnonzero(dx))] *= 2
    fx = (lambda v: conv2d(v, w, b, **kw))
    out = [("missing rot180", fx, x, conv2d_backward(dy, x, rot180(w), **kw)[0], dy),
           ("db from one sample", lambda v: conv2d(x, w, v, **kw), b,
            dy[0].sum(axis=(1, 2)), dy),
           ("batch-averaged dw", lambda v: conv2d(x, v, b, **kw), w, dw / N, dy),
           ("one entry off by 2x", fx, x, wrong_one, dy)]
    z = 2 * rng.standard_normal((3, 4))
    dz = rng.standard_normal(z.shape)
    out += [("leaky ReLU without its slope", act.leaky_relu, z, dz * (z > 0), dz),
            ("tanh-approximate GELU", act.gelu, z, dz * _gelu_tanh_grad(z), dz)]
    pool = MaxPool2D(2, stride=int(rng.integers(1, 3)))
    xp = rng.standard_normal((1, 2, 5, 4))
    yp = pool.forward(xp)
    dp = rng.standard_normal(yp.shape)
    misrouted = np.zeros_like(xp)  # every window's gradient to its top-left corner
    s = pool.stride[0]
    for i in range(yp.shape[2]):
        for j in range(yp.shape[3]):
            misrouted[:, :, i * s, j * s] += dp[:, :, i, j]
    out.append(("misrouted max-pool gradient", pool.forward, xp, misrouted, dp))
    return out


def test_defaults_are_documented_and_used():
    import inspect
    d = DEFAULTS["float64"]
    params = inspect.signature(check_gradient).parameters
    assert {k: params[k].default for k in d} == d
    assert d == {"h": 1e-6, "tol": 1e-5, "floor": 1e-8, "rel_floor": 1e-3}


def test_no_false_failed_on_correct_gradients():
    failed = []
    n = 0
    for seed in range(3):
        for name, f, x, grad, df in _correct_problems(seed):
            res = check_gradient(f, x, grad, df=df)
            n += 1
            if not res.passed:
                failed.append((seed, name, res.max_rel_error))
    assert n >= 300
    assert failed == []


def test_no_false_pass_on_classic_mistakes():
    passed = []
    n = 0
    for seed in range(25):
        for mistake, f, x, grad, df in _wrong_problems(seed):
            n += 1
            if check_gradient(f, x, grad, df=df).passed:
                passed.append((seed, mistake))
    assert n == 25 * 7
    assert passed == []


def test_cs231n_conv_case_passes():
    # CS231n's conv assignment setup: np.random.seed(231), then x, w, b, dout by randn
    rs = np.random.RandomState(231)
    x = rs.randn(4, 3, 5, 5)
    w = rs.randn(2, 3, 3, 3)
    b = rs.randn(2)
    dout = rs.randn(4, 2, 5, 5)
    dx, dw, db = conv2d_backward(dout, x, w, padding=1)
    res = check_gradient(lambda v: conv2d(v, w, b, padding=1), x, dx, df=dout)
    assert res.passed and res.max_rel_error < 1e-7
    # the plain per-entry error (rel_floor=0) is what cried wolf: 1.07e-7 at a small entry
    plain = rel_error(dx, res.numerical)
    assert 5e-8 < plain < 5e-7
    assert abs(res.analytic[np.unravel_index(np.argmax(
        np.abs(dx - res.numerical) / np.maximum(1e-8, np.abs(dx) + np.abs(res.numerical))),
        x.shape)]) < 0.01
    for arg, grad, f in ((w, dw, lambda v: conv2d(x, v, b, padding=1)),
                         (b, db, lambda v: conv2d(x, w, v, padding=1))):
        assert check_gradient(f, arg, grad, df=dout).passed


def test_rel_floor_bounds_tiny_entries():
    a, b = np.array([10.0, 0.0]), np.array([10.0, 1e-7])
    assert rel_error(a, b) == 1.0
    assert rel_error(a, b, rel_floor=1e-3) == pytest.approx(1e-7 / 2e-2)
    # a tiny entry that is wrong by 2x is still caught when it is not noise-sized
    assert rel_error([10.0, 1e-3], [10.0, 2e-3], rel_floor=1e-3) > 1e-2


@pytest.mark.parametrize("kw, exc", [({"rel_floor": -1.0}, ValueError),
                                     ({"rel_floor": "big"}, TypeError),
                                     ({"floor": 0.0}, ValueError),
                                     ({"tol": float("nan")}, ValueError),
                                     ({"tol": "1e-5"}, TypeError)])
def test_bad_tolerances(kw, exc):
    with pytest.raises(exc, match="must be"):
        check_gradient(np.sin, np.ones(2), np.cos, **kw)
