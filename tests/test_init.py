"""Tests for cnnedu.nn.init: sample statistics vs the formulas, fans, truncation, structure."""
import math

import numpy as np
import pytest

from cnnedu.nn import init
from cnnedu.nn.init import TRUNCATED_NORMAL_STD_CORRECTION as CORR

CONV = (256, 64, 3, 3)   # fan_in 576, fan_out 2304, 147456 entries
DENSE = (512, 300)       # fan_in 300, fan_out 512, 153600 entries
CONV5 = (64, 128, 5, 5)  # fan_in 3200, fan_out 1600, 204800 entries
SHAPES = [CONV, DENSE, CONV5]


def formula(name, shape):
    """(std, bound, kind) written out independently of cnnedu.nn.init."""
    if len(shape) == 4:
        f, c, kh, kw = shape
        fan_in, fan_out = c * kh * kw, f * kh * kw
    else:
        fan_out, fan_in = shape
    uniform = {
        "glorot_uniform": math.sqrt(6 / (fan_in + fan_out)),
        "keras_default": math.sqrt(6 / (fan_in + fan_out)),
        "he_uniform": math.sqrt(6 / fan_in),
        "lecun_uniform": math.sqrt(3 / fan_in),
        "pytorch_default": 1 / math.sqrt(fan_in),
    }
    normal = {
        "glorot_normal": math.sqrt(2 / (fan_in + fan_out)),
        "he_normal": math.sqrt(2 / fan_in),
        "lecun_normal": math.sqrt(1 / fan_in),
    }
    if name in uniform:
        return uniform[name] / math.sqrt(3), uniform[name], "uniform"
    return normal[name], 2 * normal[name] / 0.87962566103423978, "truncated"


FAN_BASED = ["glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
             "lecun_uniform", "pytorch_default", "keras_default"]


def assert_sample_matches(w, mean, std, k=5.0):
    """Mean and std within k standard errors (se of the std taken for a normal, which
    bounds it for the lighter-tailed uniform and truncated normal)."""
    n = w.size
    assert abs(w.mean() - mean) < k * std / math.sqrt(n)
    assert abs(w.std() - std) < k * std / math.sqrt(2 * n)


# ------------------------------------------------------------------------------- fans

def test_fans_worked_example():
    assert init.fans((20, 3, 5, 5)) == (75, 500)


@pytest.mark.parametrize("shape, expected", [
    ((256, 64, 3, 3), (576, 2304)),
    ((8, 1, 1, 1), (1, 8)),
    ((16, 4, 3, 5), (60, 240)),
    ((10, 784), (784, 10)),
    ([3, 7], (7, 3)),
    ((6, 2, 5), (10, 30)),  # conv1d (F, C, k), as PyTorch
])
def test_fans(shape, expected):
    assert init.fans(shape) == expected
    assert all(isinstance(v, int) for v in init.fans(shape))


def test_fans_of_a_bias_explains():
    with pytest.raises(ValueError) as info:
        init.fans((20,))
    msg = str(info.value)
    assert "(20,)" in msg and "bias" in msg and "init_bias" in msg
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.fans(())


# ----------------------------------------------------------- fan-based statistics

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", FAN_BASED)
def test_fan_based_sample_statistics(name, shape):
    std, bound, kind = formula(name, shape)
    w = init.get(name)(shape, np.random.default_rng(0))
    assert w.shape == shape and w.dtype == np.float64
    assert_sample_matches(w, 0.0, std)
    assert np.all(np.abs(w) <= bound)
    # the bounds are reached on both sides (symmetric), within a sliver
    gap = 1e-3 if kind == "uniform" else 3e-2
    assert w.max() > bound * (1 - gap) and w.min() < -bound * (1 - gap)
    # describe() agrees with the independent formulas
    d = init.describe(name, shape)
    assert d.std == pytest.approx(std, rel=1e-12)
    assert d.limit == pytest.approx(bound, rel=1e-12) and d.mean == 0.0
    assert (d.fan_in, d.fan_out) == init.fans(shape)


def test_he_uses_fan_in_not_fan_out():
    # fan_in 576 vs fan_out 2304: a factor 2 apart in std
    w = init.he_normal(CONV, np.random.default_rng(1))
    assert w.std() == pytest.approx(math.sqrt(2 / 576), rel=0.01)
    w = init.he_uniform(CONV, np.random.default_rng(1))
    assert np.abs(w).max() == pytest.approx(math.sqrt(6 / 576), rel=1e-3)


def test_keras_default_is_glorot_uniform():
    a = init.keras_default(CONV, np.random.default_rng(5))
    b = init.glorot_uniform(CONV, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ truncated normal

def test_correction_constant_is_the_truncated_std():
    phi2 = math.exp(-2) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))  # P(|z| <= 2)
    assert CORR == pytest.approx(math.sqrt(1 - 4 * phi2 / mass), rel=1e-15)
    assert CORR == 0.87962566103423978


@pytest.mark.parametrize("std", [0.05, 1.0, 3.0])
def test_truncated_normal_std_after_truncation(std):
    w = init.truncated_normal((200_000,), np.random.default_rng(2), std=std)
    assert_sample_matches(w, 0.0, std)
    assert np.all(np.abs(w) <= 2 * std / CORR)


def test_truncated_normal_without_correction():
    w = init.truncated_normal((200_000,), np.random.default_rng(3), std=0.5, correct=False)
    assert_sample_matches(w, 0.0, 0.5 * CORR)
    assert w.std() == pytest.approx(0.88 * 0.5, abs=0.005)
    assert np.all(np.abs(w) <= 2 * 0.5)


def test_truncated_normal_is_redrawn_not_clipped():
    w = init.truncated_normal((200_000,), np.random.default_rng(4), std=1.0, mean=3.0)
    z = (w - 3.0) * CORR  # back to standard normal units, truncated at 2
    assert np.all(np.abs(z) <= 2)
    # clipping would pile 4.55% of the draws at +-2
    assert np.mean(np.abs(z) > 2 - 1e-9) == 0
    # within 1 sd: (2 Phi(1) - 1) / (2 Phi(2) - 1) = 0.7152 (clipping: 0.6827)
    expected = math.erf(1 / math.sqrt(2)) / math.erf(2 / math.sqrt(2))
    n = z.size
    assert abs(np.mean(np.abs(z) <= 1) - expected) < 5 * math.sqrt(expected * (1 - expected) / n)
    # the density falls towards the bound like exp(-z^2 / 2): the last bin is thinner
    inner = np.mean((np.abs(z) > 1.0) & (np.abs(z) <= 1.1))
    outer = np.mean(np.abs(z) > 1.9)
    assert outer == pytest.approx(inner * math.exp(-(1.95**2 - 1.05**2) / 2), rel=0.1)


# ------------------------------------------------------------------ simple initializers

def test_zeros_ones_constant():
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones((4,), np.random.default_rng(0)), np.ones(4))
    w = init.constant((2, 2), value=0.5, dtype=np.float32)
    assert w.dtype == np.float32 and np.all(w == 0.5)
    assert init.zeros(5).shape == (5,)


def test_normal_and_uniform_statistics():
    w = init.normal(CONV, np.random.default_rng(6), mean=1.0, std=0.2)
    assert_sample_matches(w, 1.0, 0.2)
    w = init.uniform(CONV, np.random.default_rng(7), limit=0.3)
    assert_sample_matches(w, 0.0, 0.3 / math.sqrt(3))
    assert w.min() >= -0.3 and w.max() < 0.3
    assert w.min() < -0.299 and w.max() > 0.299
    w = init.uniform(CONV, np.random.default_rng(8), low=1.0, high=3.0)
    assert_sample_matches(w, 2.0, 2 / math.sqrt(12))
    w = init.uniform((10_000,), np.random.default_rng(9))
    assert w.min() >= -1 and w.max() < 1


@pytest.mark.parametrize("name, params", [
    ("normal", {"std": 0.1}), ("uniform", {"low": -1.0, "high": 3.0}),
    ("truncated_normal", {"std": 2.0, "mean": 1.0}),
    ("truncated_normal", {"std": 2.0, "correct": False}),
    ("orthogonal", {"gain": 2.0}), ("dirac", {}), ("constant", {"value": 0.3}),
])
def test_describe_matches_samples(name, params):
    shape = (64, 16, 3, 3) if name == "orthogonal" else CONV  # keep the QR small
    d = init.describe(name, shape, **params)
    w = init.get(name)(shape, np.random.default_rng(10), **params)
    assert abs(w.mean() - d.mean) < 5 * d.std / math.sqrt(w.size) + 1e-15
    if name == "orthogonal":  # the root mean square is exact
        assert math.sqrt(np.mean(w**2)) == pytest.approx(d.std, rel=1e-12)
    elif name == "dirac":
        assert w.std() == pytest.approx(d.std, rel=1e-12)
    else:
        assert abs(w.std() - d.std) < 5 * d.std / math.sqrt(2 * w.size) + 1e-15
    if d.low is None:
        assert name == "normal" and d.high is None
    else:
        assert np.all(w >= d.low) and np.all(w <= d.high)


def test_describe_text_and_options():
    text = str(init.describe("he_normal", (20, 3, 5, 5)))
    assert "fan_in 75" in text and "sqrt(2 / fan_in)" in text and "0.1633" in text
    assert init.describe("uniform", (3,), low=0.0, high=2.0).limit is None
    with pytest.raises(TypeError, match="'he_normal' takes options: none; got 'std'"):
        init.describe("he_normal", CONV, std=2.0)
    with pytest.raises(ValueError, match="init_bias"):
        init.describe("he_normal", (20,))
    with pytest.raises(ValueError, match="got kh=2, kw=2"):
        init.describe("dirac", (2, 2, 2, 2))


# ------------------------------------------------------------------------ orthogonal

@pytest.mark.parametrize("shape", [(16, 4, 3, 3), (36, 4, 3, 3), (64, 2, 2, 2), (100, 50),
                                   (50, 100), (1, 9)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_orthogonal(shape, gain):
    w = init.orthogonal(shape, np.random.default_rng(11), gain=gain)
    assert w.shape == tuple(shape)
    m = w.reshape(shape[0], -1)
    if m.shape[0] <= m.shape[1]:
        np.testing.assert_allclose(m @ m.T, gain**2 * np.eye(m.shape[0]), atol=1e-12)
    else:
        np.testing.assert_allclose(m.T @ m, gain**2 * np.eye(m.shape[1]), atol=1e-12)


def test_orthogonal_sign_correction_makes_it_unbiased():
    # without the sign fix, numpy's QR makes w[0, 0] negative every time
    rng = np.random.default_rng(12)
    signs = [init.orthogonal((4, 4), rng)[0, 0] > 0 for _ in range(400)]
    assert 0.4 < np.mean(signs) < 0.6


# ------------------------------------------------------------------------------ dirac

def test_dirac_structure():
    w = init.dirac((5, 3, 3, 3))
    assert w.sum() == 3
    for f in range(3):
        assert w[f, f, 1, 1] == 1
    assert np.all(w[3:] == 0)
    w = init.dirac((2, 4, 1, 5), dtype=np.float32)
    assert w.dtype == np.float32 and w[1, 1, 0, 2] == 1 and w.sum() == 2


@pytest.mark.parametrize("kh, kw", [(1, 1), (3, 3), (5, 5), (3, 5)])
@pytest.mark.parametrize("f", [3, 5, 2])
def test_dirac_is_the_identity_convolution(kh, kw, f):
    conv = pytest.importorskip("cnnedu.nn.conv")
    x = np.random.default_rng(13).normal(size=(2, 3, 7, 9))
    w = init.dirac((f, 3, kh, kw))
    y = conv.conv2d(x, w, padding=(kh // 2, kw // 2))
    m = min(f, 3)
    assert y.shape == (2, f, 7, 9)
    np.testing.assert_allclose(y[:, :m], x[:, :m], rtol=0, atol=1e-15)
    assert np.all(y[:, m:] == 0)


@pytest.mark.parametrize("shape", [(3, 3, 2, 2), (3, 3, 4, 3), (3, 3, 3, 2)])
def test_dirac_even_kernel_refused(shape):
    with pytest.raises(ValueError, match=f"odd.*got kh={shape[2]}, kw={shape[3]}"):
        init.dirac(shape)


def test_dirac_needs_4d():
    with pytest.raises(ValueError, match=r"\(F, C, kh, kw\) \(4-D\); got \(3, 3\) \(2-D\)"):
        init.dirac((3, 3))


# ---------------------------------------------------------------------------- biases

def test_pytorch_default_bias():
    b = init.pytorch_default_bias((20_000,), np.random.default_rng(14), fan_in=75)
    bound = 1 / math.sqrt(75)
    assert np.all(np.abs(b) <= bound) and b.max() > 0.99 * bound and b.min() < -0.99 * bound
    assert_sample_matches(b, 0.0, bound / math.sqrt(3))


def test_init_bias():
    rng = np.random.default_rng(15)
    for name in init.NAMES:
        b = init.init_bias(name, 20, 75, rng)
        assert b.shape == (20,) and b.dtype == np.float64
        if name == "pytorch_default":
            assert np.all(np.abs(b) <= 1 / math.sqrt(75)) and np.all(b != 0)
        else:
            assert np.all(b == 0)
    assert init.init_bias("pytorch_default", 4, 9, rng, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(init.keras_default_bias(3), np.zeros(3))


def test_init_bias_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="name must be one of .*got 'kaiming'"):
        init.init_bias("kaiming", 3, 9, rng)
    with pytest.raises(ValueError, match="n_out must be a positive integer; got 0"):
        init.init_bias("he_normal", 0, 9, rng)
    with pytest.raises(TypeError, match="fan_in must be a positive integer; got float 9.0"):
        init.init_bias("he_normal", 3, 9.0, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        init.init_bias("he_normal", 3, 9, 0)
    with pytest.raises(TypeError, match="fan_in"):
        init.pytorch_default_bias((3,), rng)


# ---------------------------------------------------------- reproducibility, dtype

@pytest.mark.parametrize("name", init.NAMES)
def test_reproducible_by_seed_and_dtype(name):
    f = init.get(name)
    shape = (8, 4, 3, 3)
    a = f(shape, np.random.default_rng(42))
    b = f(shape, np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    c = f(shape, np.random.default_rng(42), dtype=np.float32)
    assert c.dtype == np.float32
    np.testing.assert_array_equal(c, a.astype(np.float32))
    if name not in ("zeros", "ones", "constant", "dirac"):
        assert not np.array_equal(a, f(shape, np.random.default_rng(43)))


def test_nothing_uses_the_global_random_state():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    for name in init.NAMES:
        init.get(name)((4, 4, 3, 3), np.random.default_rng(0))
    assert np.array_equal(np.random.get_state()[1], before)


# ----------------------------------------------------------------------- bad input

def test_get_and_names():
    assert init.get("he_normal") is init.he_normal
    assert len(init.NAMES) == 16 and "pytorch_default" in init.NAMES


def test_unknown_name_lists_names():
    with pytest.raises(ValueError) as info:
        init.get("kaiming_normal")
    msg = str(info.value)
    assert "'kaiming_normal'" in msg
    for name in init.NAMES:
        assert repr(name) in msg


@pytest.mark.parametrize("name", init.NAMES)
@pytest.mark.parametrize("rng, arrived", [(0, "int 0"), (None, "NoneType None"),
                                          (np.random.RandomState(0), "RandomState")])
def test_rng_must_be_a_generator(name, rng, arrived):
    if rng is None and name in ("zeros", "ones", "constant", "dirac"):
        return  # these draw nothing: rng may be omitted
    with pytest.raises(TypeError) as info:
        init.get(name)((4, 4, 3, 3), rng)
    msg = str(info.value)
    assert msg.startswith(name) and "numpy.random.Generator" in msg and arrived in msg


@pytest.mark.parametrize("name", init.NAMES)
@pytest.mark.parametrize("shape, error", [((4, 0, 3, 3), ValueError), ((4, -1), ValueError),
                                          ((4, 2.5), TypeError), ("abc", TypeError),
                                          ((True, 3), TypeError)])
def test_bad_shape(name, shape, error):
    with pytest.raises(error) as info:
        init.get(name)(shape, np.random.default_rng(0))
    msg = str(info.value)
    assert "shape must be a tuple of positive integers" in msg and "got" in msg


@pytest.mark.parametrize("name", FAN_BASED + ["orthogonal"])
def test_fan_based_refuse_1d(name):
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*got \(20,\) \(1-D\).*bias"):
        init.get(name)((20,), np.random.default_rng(0))


def test_bad_options():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="std must be a positive finite number; got 0.0"):
        init.normal((3,), rng, std=0)
    with pytest.raises(ValueError, match="std must be a positive"):
        init.truncated_normal((3,), rng, std=-1.0)
    with pytest.raises(ValueError, match="either limit or low and high"):
        init.uniform((3,), rng, limit=1.0, low=0.0)
    with pytest.raises(ValueError, match="low must be less than high; got low=2.0, high=1.0"):
        init.uniform((3,), rng, low=2.0, high=1.0)
    with pytest.raises(ValueError, match="give both low and high"):
        init.uniform((3,), rng, low=0.0)
    with pytest.raises(TypeError, match="dtype must be a float dtype .*; got int64"):
        init.he_normal((3, 3), rng, dtype=np.int64)
    with pytest.raises(TypeError, match="correct must be True or False; got 'yes'"):
        init.truncated_normal((3,), rng, correct="yes")
    with pytest.raises(ValueError, match="gain must be a positive"):
        init.orthogonal((3, 3), rng, gain=0.0)


@pytest.mark.parametrize("name", init.NAMES)
def test_describe_prints_every_initializer(name):
    """The text of every description, bounded or not (a normal has no interval to print)."""
    text = str(init.describe(name, (8, 3, 3, 3)))
    assert text.startswith(f"{name} (8, 3, 3, 3):") and "std" in text
    assert "None" not in text
