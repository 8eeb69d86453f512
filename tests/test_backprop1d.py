"""The 1-D worked example: loops, formulas, the dense matrix and finite differences agree."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnnedu.topics import backprop1d as bp1
from cnnedu.nn.gradcheck import numerical_gradient


def _case(n, k, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n), rng.standard_normal(k), rng.standard_normal(n - k + 1)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 9), k=st.integers(1, 9), seed=st.integers(0, 10_000))
def test_loops_formulas_matrix_and_finite_differences_agree(n, k, seed):
    if k > n:
        return
    x, w, dy = _case(n, k, seed)
    dx_l, dw_l, db_l = bp1.backward1d_loops(dy, x, w)
    dx_f, dw_f, db_f = bp1.backward1d_formulas(dy, x, w)
    M = bp1.conv1d_matrix(w, n)
    np.testing.assert_allclose(M @ x, bp1.correlate1d(x, w))
    np.testing.assert_allclose(dx_l, dx_f, atol=1e-12)
    np.testing.assert_allclose(dw_l, dw_f, atol=1e-12)
    np.testing.assert_allclose(dx_f, M.T @ dy, atol=1e-12)
    assert db_l == pytest.approx(db_f)
    num_dx = numerical_gradient(lambda v: bp1.conv1d_forward(v, w), x.copy(), dy)
    num_dw = numerical_gradient(lambda v: bp1.conv1d_forward(x, v), w.copy(), dy)
    np.testing.assert_allclose(dx_f, num_dx, atol=1e-7)
    np.testing.assert_allclose(dw_f, num_dw, atol=1e-7)


def test_correlate_and_convolve_match_numpy():
    rng = np.random.default_rng(0)
    a, k = rng.standard_normal(7), rng.standard_normal(3)
    np.testing.assert_allclose(bp1.correlate1d(a, k), np.correlate(a, k, "valid"))
    np.testing.assert_allclose(bp1.correlate1d(a, k, "full"), np.correlate(a, k, "full"))
    np.testing.assert_allclose(bp1.convolve1d(a, k, "full"), np.convolve(a, k, "full"))


def test_flip_matters():
    x, w, dy = np.array([1.0, 2, -1, 3]), np.array([2.0, -1]), np.array([1.0, -2, 0.5])
    dx, _, _ = bp1.backward1d_formulas(dy, x, w)
    assert not np.allclose(dx, bp1.correlate1d(dy, w, "full"))


def test_sums_text_matches_the_numbers():
    """Evaluate the written sums with numbers: they must give the computed gradients."""
    x, w, dy = _case(5, 3, 1)
    dx, dw, _ = bp1.backward1d_loops(dy, x, w)
    env = {"x": x, "w": w, "dy": dy, "b": 0.0}
    for u, line in enumerate(bp1.weight_grad_sums(5, 3)):
        assert eval(line.split("=", 1)[1], env) == pytest.approx(dw[u])
    for m, line in enumerate(bp1.input_grad_sums(5, 3)):
        assert eval(line.split("=", 1)[1], env) == pytest.approx(dx[m])
    y = bp1.conv1d_forward(x, w)
    for i, line in enumerate(bp1.forward_sums(5, 3)):
        assert eval(line.split("=", 1)[1], env) == pytest.approx(y[i])


def test_dense_backward():
    rng = np.random.default_rng(3)
    W, x, dy = rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal(2)
    dx, dW, db = bp1.dense_backward(dy, x, W)
    np.testing.assert_allclose(dx, numerical_gradient(lambda v: W @ v, x.copy(), dy), atol=1e-8)
    np.testing.assert_allclose(dW, numerical_gradient(lambda v: v @ x, W.copy(), dy), atol=1e-8)
    np.testing.assert_allclose(db, dy)


@pytest.mark.parametrize("call, words", [
    (lambda: bp1.backward1d_loops([1.0, 2.0], [1.0, 2, 3, 4], [1.0, 2]), "dy must have the shape of y, (3,)"),
    (lambda: bp1.correlate1d([[1.0]], [1.0]), "non-empty 1-D array"),
    (lambda: bp1.correlate1d([1.0], [1.0, 2.0]), "must not be longer"),
    (lambda: bp1.correlate1d([1.0], [1.0], "same"), "mode must be one of"),
    (lambda: bp1.forward_sums(2, 3), "must not be longer"),
    (lambda: bp1.dense_backward([1.0], [1.0, 2.0], np.ones((2, 2))), "(n_out, n_in) = (1, 2)"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert words in str(err.value)
