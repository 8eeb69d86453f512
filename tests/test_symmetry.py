"""cnnedu.topics.symmetry: constant starts stay symmetric, zeros with ReLU never move, random
starts learn different filters; the gradients against finite differences."""
import numpy as np
import pytest

from cnnedu.nn.gradcheck import numerical_gradient, rel_error
from cnnedu.topics.symmetry import (edge_task, layer_gradients, max_filter_difference,
                                    one_call_difference, start,
                                    train_filters)


@pytest.fixture(scope="module")
def task():
    return edge_task(size=16)


def test_gradients_match_finite_differences(task):
    x, t = task
    w, b, v = start("random", seed=3)
    b = b + 0.05
    g = layer_gradients(w, b, v, x, t)
    for name, arr in (("dw", w), ("db", b), ("dv", v)):
        def loss_of(a, name=name):
            args = {"dw": (a, b, v), "db": (w, a, v), "dv": (w, b, a)}[name]
            return np.array(layer_gradients(*args, x, t)["loss"])
        num = numerical_gradient(loss_of, arr.copy())
        assert rel_error(g[name], num) < 1e-6, name


def test_constant_start_stays_exactly_symmetric(task):
    x, t = task
    run = train_filters(*start("constant", value=0.1), x, t, steps=60)
    assert run.max_change > 0.01            # it trains ...
    assert max_filter_difference(run.w_end) == 0.0   # ... but the filters stay identical
    assert max_filter_difference(run.b_end) == 0.0
    assert max_filter_difference(run.v_end) == 0.0
    assert run.max_grad_difference == 0.0


def test_constant_start_cannot_fit_what_random_fits(task):
    x, t = task
    const = train_filters(*start("constant", value=0.1), x, t, steps=150)
    rand = train_filters(*start("random", seed=0), x, t, steps=150)
    assert max_filter_difference(rand.w_end) > 0.1
    assert rand.losses[-1] < 0.6 * const.losses[-1]


def test_zeros_with_relu_never_move(task):
    x, t = task
    g = layer_gradients(*start("zeros"), x, t)
    assert np.abs(g["z"]).max() == 0.0
    assert np.abs(g["dh"]).max() > 0            # the gradient reaches the ReLU ...
    for k in ("dz", "dw", "db", "dv"):          # ... and stops there
        assert np.abs(g[k]).max() == 0.0, k
    run = train_filters(*start("zeros"), x, t, steps=20)
    assert run.max_change == 0.0
    assert np.all(run.losses == run.losses[0])


def test_a_slightly_different_start_breaks_symmetry(task):
    """The symmetry argument needs *identical* filters: nudge one and they separate."""
    x, t = task
    w, b, v = start("constant", value=0.1)
    w[1, 0, 0, 0] += 1e-3
    run = train_filters(w, b, v, x, t, steps=60)
    assert max_filter_difference(run.w_end) > 1e-3


def test_start_and_max_filter_difference():
    w, b, v = start("constant", filters=3, value=0.2)
    assert np.all(w == 0.2) and np.all(b == 0) and np.all(v == 0.25)
    assert max_filter_difference(np.array([[1.0, 2.0], [1.0, 2.5], [0.0, 2.0]])) == 1.0
    assert max_filter_difference(np.ones((1, 3))) == 0.0
    with pytest.raises(ValueError, match="kind must be one of"):
        start("ones")


def test_bad_input_and_divergence_give_clear_errors(task):
    x, t = task
    w, b, v = start("random")
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\) with C=1"):
        layer_gradients(w, b, v, x[0], t)
    with pytest.raises(ValueError, match=r"b and v must have shape \(F,\) = \(4,\)"):
        layer_gradients(w, b[:2], v, x, t)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        train_filters(w, b, v, x, t, lr=0)
    with pytest.raises(ValueError, match="too large"):
        train_filters(w, b, v, x, t, lr=1e6, steps=50)


def test_the_default_step_is_well_conditioned():
    """The notebook prints these runs to 4 digits: a change of 1e-12 in the start must not
    move them (at lr=0.3 the constant run oscillates and amplifies it to 1e-2)."""
    x, t = edge_task(size=32)
    for kind in ("constant", "random"):
        w, b, v = start(kind, value=0.1, seed=0)
        a = train_filters(w, b, v, x, t)
        c = train_filters(w * (1 + 1e-12), b, v, x, t)
        assert np.abs(a.w_end - c.w_end).max() < 1e-10, kind
        assert abs(a.losses[-1] - c.losses[-1]) < 1e-10, kind
        assert np.all(np.diff(a.losses) <= 0), kind      # no oscillation


def test_one_call_of_identical_filters_agrees_to_rounding():
    for f in (1, 4, 5, 7):
        assert one_call_difference(f) < 1e-12
    with pytest.raises(TypeError):
        one_call_difference(2.5)
