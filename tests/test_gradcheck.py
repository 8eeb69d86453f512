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
