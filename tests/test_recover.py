"""Learning a hidden kernel by gradient descent with conv2d_backward."""
import numpy as np
import pytest

from cnnedu.topics import recover
from cnnedu.nn.conv import conv2d
from cnnedu.nn.gradcheck import check_gradient


@pytest.mark.parametrize("name", list(recover.HIDDEN_KERNELS))
def test_converges_to_every_hidden_kernel(name):
    learner = recover.KernelLearner(name, lr=0.3, seed=2)
    learner.step(80)
    assert learner.max_error() < 1e-3
    assert learner.losses[-1] < 1e-6 * learner.losses[0]


def test_loss_gradient_is_right():
    learner = recover.KernelLearner("sobel_y", seed=3)
    w = learner.w.copy()
    res = check_gradient(lambda v: learner.loss_and_grad(v)[0], w, learner.loss_and_grad(w)[1])
    assert res.passed, res


def test_history_and_reset_are_seeded():
    a = recover.KernelLearner("laplacian", seed=5)
    a.step(7)
    assert a.steps == 7 and len(a.kernels) == 8
    assert np.all(np.diff(a.losses) < 0)
    first = a.kernels[0].copy()
    a.reset()
    assert a.steps == 0
    np.testing.assert_array_equal(a.w, first)
    b = recover.KernelLearner("laplacian", seed=5)
    np.testing.assert_array_equal(b.w, first)


def test_pairs_are_outputs_of_the_hidden_kernel():
    x, t = recover.make_pairs("sobel_x", n=3, size=10, seed=1)
    assert x.shape == (3, 1, 10, 10) and t.shape == (3, 1, 8, 8)
    np.testing.assert_allclose(t, conv2d(x, recover.hidden_kernel("sobel_x")[None, None]))


def test_too_large_learning_rate_diverges_and_stops():
    learner = recover.KernelLearner("sobel_x", lr=9.0)
    learner.step(1000)
    assert learner.diverged
    assert learner.steps < 1000  # stopped early, did not loop on inf


def test_learn_kernel_shapes():
    kernels, losses = recover.learn_kernel("box_blur", steps=3)
    assert kernels.shape == (4, 3, 3) and losses.shape == (4,)


@pytest.mark.parametrize("call, words", [
    (lambda: recover.hidden_kernel("sobel"), "name must be one of"),
    (lambda: recover.KernelLearner("sobel_x", lr=0), "lr must be a positive finite number"),
    (lambda: recover.KernelLearner("sobel_x", lr=float("nan")), "lr must be a positive"),
    (lambda: recover.KernelLearner(np.ones(3)), "2-D array (kh, kw)"),
    (lambda: recover.KernelLearner("sobel_x").step(-1), "n must be an integer in 0..1000"),
    (lambda: recover.make_pairs("sobel_x", size=2), "size must be an integer in 3..256"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    assert words in str(err.value)
