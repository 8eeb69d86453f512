"""Tests for cnnedu.nn.activations: derivatives vs finite differences, PyTorch, dtypes, lookup."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cnnedu.nn import activations as A
from cnnedu.nn.gradcheck import numerical_gradient, rel_error

# Where each derivative is checked: away from kinks (|x| >= 1e-3 for relu, leaky_relu,
# elu) and from tails where f' is far below float64's finite-difference noise (1e-10).
RANGES = {
    "identity": 5.0, "relu": 5.0, "leaky_relu": 5.0, "sigmoid": 6.0, "tanh": 3.0,
    "gelu": 5.0, "elu": 5.0, "softplus": 6.0,
}
KINKED = {"relu", "leaky_relu", "elu"}


def points(name, n=200, seed=0):
    x = np.random.default_rng(seed).uniform(-RANGES[name], RANGES[name], size=n)
    if name in KINKED:
        x = np.where(np.abs(x) < 1e-3, np.where(x < 0, -2e-3, 2e-3), x)
        assert np.all(np.abs(x) >= 1e-3)
    return x


def test_names():
    assert A.NAMES == ("identity", "relu", "leaky_relu", "sigmoid", "tanh", "gelu",
                       "elu", "softplus")


@pytest.mark.parametrize("name", A.NAMES)
def test_derivative_matches_central_differences(name):
    act = A.get(name)
    x = points(name)
    numeric = numerical_gradient(act.forward, x)
    assert rel_error(act.grad(x), numeric) < 1e-7


@pytest.mark.parametrize("name, alpha", [("leaky_relu", 0.2), ("leaky_relu", -0.3),
                                         ("elu", 0.5), ("elu", 2.0)])
def test_derivative_with_alpha(name, alpha):
    act = A.get(name, alpha=alpha)
    x = points(name, seed=1)
    assert rel_error(act.grad(x), numerical_gradient(act.forward, x)) < 1e-7
    # the module-level functions take the same keyword
    fwd = getattr(A, name)
    grad = getattr(A, name + "_grad")
    np.testing.assert_array_equal(fwd(x, alpha=alpha), act.forward(x))
    np.testing.assert_array_equal(grad(x, alpha=alpha), act.grad(x))


def test_derivatives_at_kinks_follow_pytorch():
    zero = np.zeros(1)
    assert A.relu_grad(zero)[0] == 0.0
    assert A.leaky_relu_grad(zero, alpha=0.1)[0] == 0.1
    assert A.elu_grad(zero, alpha=0.5)[0] == 0.5
    assert A.sigmoid_grad(zero)[0] == 0.25
    assert A.tanh_grad(zero)[0] == 1.0
    assert A.gelu_grad(zero)[0] == 0.5


def test_known_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(A.relu(x), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(A.leaky_relu(x), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(A.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(A.tanh(x), np.tanh(x))
    np.testing.assert_allclose(A.softplus(x), np.log1p(np.exp(x)), rtol=1e-15)
    np.testing.assert_allclose(A.elu(x), [np.expm1(-2.0), 0.0, 3.0])
    phi = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(A.gelu(x), x * phi, rtol=1e-15)


def test_erf_accuracy_and_derivative():
    z = np.linspace(-7, 7, 20001)
    ref = np.array([math.erf(v) for v in z])
    assert np.max(np.abs(A.erf(z) - ref)) < 1e-15
    x = np.linspace(-2, 2, 41) + 0.01  # beyond, erf' < 1e-2 and erf ~ 1: FD noise
    exact = 2 / math.sqrt(math.pi) * np.exp(-x * x)
    assert rel_error(numerical_gradient(A.erf, x), exact) < 1e-7
    np.testing.assert_array_equal(A.erf(np.array([np.inf, -np.inf])), [1.0, -1.0])


def test_tails_keep_relative_accuracy():
    # where the naive sigma * (1 - sigma) or 1 - tanh^2 round to 0
    assert A.sigmoid_grad(np.array([40.0]))[0] == pytest.approx(math.exp(-40), rel=1e-12)
    assert A.sigmoid(np.array([-40.0]))[0] == pytest.approx(math.exp(-40), rel=1e-12)
    assert A.tanh_grad(np.array([-20.0]))[0] == pytest.approx(4 * math.exp(-40), rel=1e-12)
    ref = -10.0 * 0.5 * math.erfc(10 / math.sqrt(2))
    assert A.gelu(np.array([-10.0]))[0] == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_overflow_warnings_at_extremes(dtype):
    x = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        for name in A.NAMES:
            act = A.get(name)
            y, g = act.forward(x), act.grad(x)
            assert np.all(np.isfinite(y)) and np.all(np.isfinite(g)), name
    np.testing.assert_array_equal(A.sigmoid(x[[0, 2, 4]]), np.array([0, 0.5, 1], dtype=dtype))
    np.testing.assert_array_equal(A.sigmoid_grad(x[[0, -1]]), [0.0, 0.0])
    assert A.sigmoid(x)[1] == pytest.approx(math.exp(-100), rel=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_infinite_and_huge_inputs_no_warnings(dtype):
    big = np.finfo(dtype).max
    x = np.array([-np.inf, -big, big, np.inf], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise",
                                                divide="raise"):
        warnings.simplefilter("error")
        for name in A.NAMES:
            act = A.get(name)
            y, g = act.forward(x), act.grad(x)
            assert not np.isnan(y).any() and np.all(np.isfinite(g)), name
    np.testing.assert_array_equal(A.gelu(x), [0, 0, big, np.inf])
    np.testing.assert_array_equal(A.gelu_grad(x), [0, 0, 1, 1])
    np.testing.assert_array_equal(A.tanh_grad(x), [0, 0, 0, 0])
    assert np.isnan(A.sigmoid(np.array([np.nan]))[0])


@pytest.mark.parametrize("name", A.NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_shape_preserved(name, dtype):
    act = A.get(name)
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 5)).astype(dtype)
    for out in (act.forward(x), act.grad(x)):
        assert out.dtype == dtype and out.shape == x.shape


@pytest.mark.parametrize("name", A.NAMES)
def test_float32_close_to_float64(name):
    act = A.get(name)
    x = np.random.default_rng(3).normal(scale=3, size=100)
    np.testing.assert_allclose(act.forward(x.astype(np.float32)), act.forward(x),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(act.grad(x.astype(np.float32)), act.grad(x),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", A.NAMES)
def test_integers_and_lists_promoted(name):
    act = A.get(name)
    assert act.forward([-1, 0, 2]).dtype == np.float64
    assert act.grad(np.array([-1, 0, 2])).dtype == np.float64


def test_input_not_modified():
    x = np.array([-1.0, 2.0])
    y = A.identity(x)
    y[0] = 5.0
    assert x[0] == -1.0


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 20),
              elements=st.floats(-50, 50, allow_nan=False)))
def test_identities(x):
    np.testing.assert_allclose(A.sigmoid(x) + A.sigmoid(-x), 1.0, rtol=1e-15)
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, atol=1e-15)
    np.testing.assert_allclose(A.softplus(x) - A.softplus(-x), x, atol=1e-13)
    np.testing.assert_allclose(A.relu(x) - A.relu(-x), x)
    np.testing.assert_allclose(A.sigmoid_grad(x), A.sigmoid(x) * A.sigmoid(-x),
                               rtol=1e-14, atol=1e-300)


# ----------------------------------------------------------------------------- lookup

def test_get_fields():
    act = A.get("relu")
    assert act.name == "relu" and act.forward is A.relu and act.grad is A.relu_grad
    assert act(np.array([-1.0]))[0] == 0.0
    assert A.get("sigmoid").max_grad == 0.25
    assert A.get("gelu").max_grad == pytest.approx(1.1289, abs=1e-4)
    assert A.get("leaky_relu").params == {"alpha": 0.01}
    assert repr(A.get("elu", alpha=2)) == "Activation('elu', alpha=2.0)"


def test_max_grad_is_the_supremum():
    x = np.linspace(-20, 20, 400001)
    for name in A.NAMES:
        act = A.get(name)
        peak = np.max(np.abs(act.grad(x)))
        assert peak <= act.max_grad * (1 + 1e-12), name
        assert peak >= act.max_grad * (1 - 1e-6), name


def test_unknown_name_lists_names_and_what_arrived():
    with pytest.raises(ValueError) as info:
        A.get("rleu")
    msg = str(info.value)
    assert "'rleu'" in msg
    for name in A.NAMES:
        assert repr(name) in msg
    with pytest.raises(ValueError, match="got 3"):
        A.get(3)


def test_get_bad_parameters():
    with pytest.raises(ValueError, match="'relu' takes parameters: none; got 'alpha'"):
        A.get("relu", alpha=0.1)
    with pytest.raises(ValueError, match="takes parameters: alpha; got 'slope'"):
        A.get("leaky_relu", slope=0.1)
    with pytest.raises(TypeError, match="alpha must be a real number; got str"):
        A.leaky_relu(np.ones(2), alpha="0.1")


@pytest.mark.parametrize("bad", ["abc", [[1, 2], [3]], np.array([1j])])
def test_bad_input_type(bad):
    with pytest.raises(TypeError, match="x must be"):
        A.relu(bad)


# ------------------------------------------------------------------- saturation stats

def test_saturation_fraction_sigmoid_tanh_relu():
    x = np.linspace(-10, 10, 20001)
    # sigma'(x) = e / (1 + e)^2 with e = exp(-|x|) drops below c = 0.01 * 0.25 where
    # c e^2 + (2c - 1) e + c = 0; tanh'(x) = sech^2(x) below 0.01 where cosh(x) > 10.
    c = 0.0025
    edge_sigmoid = -math.log(((1 - 2 * c) - math.sqrt(1 - 4 * c)) / (2 * c))  # 5.99
    edge_tanh = math.acosh(10.0)  # 2.99
    assert A.saturation_fraction("sigmoid", x) == pytest.approx(1 - edge_sigmoid / 10,
                                                                abs=2e-4)
    assert A.saturation_fraction("tanh", x) == pytest.approx(1 - edge_tanh / 10, abs=2e-4)
    assert A.saturation_fraction("relu", x) == np.mean(x <= 0)
    assert A.saturation_fraction("identity", x) == 0.0
    assert A.saturation_fraction("leaky_relu", x) == 0.0  # alpha = 0.01 is not < 0.01
    assert A.saturation_fraction("leaky_relu", x, alpha=0.001) == np.mean(x <= 0)
    assert A.saturation_fraction("sigmoid", x, threshold=0.0) == 0.0
    assert A.saturation_fraction(A.get("tanh"), x, threshold=1.0) == 1 - 1 / 20001


def test_zeroed_fraction():
    x = np.array([-3.0, -1.0, 0.0, 0.0, 2.0])
    assert A.zeroed_fraction("relu", x) == 0.8
    assert A.zeroed_fraction("leaky_relu", x) == 0.4
    assert A.zeroed_fraction("sigmoid", x) == 0.0
    assert A.zeroed_fraction("relu", np.zeros((0, 3))) == 0.0


def test_saturation_bad_input():
    with pytest.raises(ValueError, match="threshold must be a number in \\[0, 1\\]; got 2"):
        A.saturation_fraction("tanh", np.ones(3), threshold=2)
    with pytest.raises(ValueError, match="saturation_fraction: name must be one of .*'foo'"):
        A.saturation_fraction("foo", np.ones(3))


# -------------------------------------------------------------------------- PyTorch

TORCH_FUNCS = {
    "identity": lambda F, t: t,
    "relu": lambda F, t: F.relu(t),
    "leaky_relu": lambda F, t: F.leaky_relu(t, 0.01),
    "sigmoid": lambda F, t: F.sigmoid(t) if hasattr(F, "sigmoid") else t.sigmoid(),
    "tanh": lambda F, t: t.tanh(),
    "gelu": lambda F, t: F.gelu(t),
    "elu": lambda F, t: F.elu(t, 1.0),
    "softplus": lambda F, t: F.softplus(t),
}


@pytest.mark.parametrize("name", A.NAMES)
def test_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = np.concatenate([np.random.default_rng(4).normal(scale=4, size=200),
                        [0.0, -30.0, 30.0]])
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = TORCH_FUNCS[name](F, t)
    y.sum().backward()
    act = A.get(name)
    np.testing.assert_allclose(act.forward(x), y.detach().numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(act.grad(x), t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_matches_pytorch_float32():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).normal(scale=3, size=300).astype(np.float32)
    t = torch.from_numpy(x)
    # ours computes in float64 and rounds once; PyTorch's float32 1 + erf(x / sqrt 2)
    # loses relative accuracy for negative x, so compare absolutely
    np.testing.assert_allclose(A.gelu(x), torch.nn.functional.gelu(t).numpy(),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(A.sigmoid(x), torch.sigmoid(t).numpy(), rtol=1e-6)
