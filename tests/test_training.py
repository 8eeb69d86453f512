"""cnnedu.nn.training: the fused fast path equals the layers; the trainer equals optim.fit."""
import numpy as np
import pytest

from cnnedu.data import load_digits, train_test_split
from cnnedu.nn.gradcheck import numerical_gradient
from cnnedu.nn.layers import fit
from cnnedu.nn.losses import softmax_cross_entropy
from cnnedu.data.synthetic import make_bars
from cnnedu.nn.training import (FastCNN, Trainer, build_cnn, count_parameters, feature_maps,
                                filter_spread, gradient_chain, train, _loss)


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits()
    return train_test_split(x, y, 0.2, seed=0)


@pytest.mark.parametrize("F,k,H,pool,N", [(16, 3, 8, 2, 7), (3, 5, 12, 3, 4), (2, 7, 14, 14, 3),
                                          (4, 1, 6, 2, 5)])
def test_fast_forward_backward_equal_the_layers(F, k, H, pool, N):
    rng = np.random.default_rng(F + k)
    model = build_cnn("he_normal", n_filters=F, kernel_size=k, image_size=H, pool=pool,
                      n_classes=5, seed=1)
    model[0].params["b"][...] = rng.normal(size=F) * 0.1
    x = rng.random((N, 1, H, H))
    y = rng.integers(0, 5, N)
    logits = model.forward(x)
    _, d = softmax_cross_entropy(logits, y)
    model.backward(d)
    ref = {k_: g.copy() for k_, g in model.grads.items()}
    for g in model.grads.values():
        g.fill(0)
    net = FastCNN(model)
    fast_logits = net.forward(x)
    np.testing.assert_allclose(fast_logits, logits, rtol=1e-12, atol=1e-12)
    net.backward(_loss(fast_logits, y)[1])
    for key, g in model.grads.items():
        np.testing.assert_allclose(g, ref[key], rtol=1e-10, atol=1e-12, err_msg=key)


def test_fast_gradient_against_finite_differences():
    model = build_cnn("he_normal", n_filters=2, image_size=4, pool=2, n_classes=3, seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.random((3, 1, 4, 4)), np.array([0, 2, 1])
    net = FastCNN(model)
    net.backward(_loss(net.forward(x), y)[1])
    w = model[0].params["w"]
    analytic = model[0].grads["w"].copy()

    def f(wv):
        saved = w.copy()
        w[...] = wv
        value = _loss(net.forward(x), y)[0]
        w[...] = saved
        return value

    numeric = numerical_gradient(f, w.copy())
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_pool_ties_go_to_the_first_maximum_as_maxpool2d():
    model = build_cnn("constant", n_filters=2, image_size=4, pool=2, n_classes=2)
    x = np.ones((1, 1, 4, 4))          # every window is a tie
    y = np.array([1])
    logits = model.forward(x)
    model.backward(softmax_cross_entropy(logits, y)[1])
    ref = model[0].grads["w"].copy()
    net = FastCNN(model)
    net.backward(_loss(net.forward(x), y)[1])
    np.testing.assert_allclose(model[0].grads["w"], ref, atol=1e-14)


def test_float32_stays_float32(digits):
    x_tr, _, y_tr, _ = digits
    t = Trainer(x_tr[:64], y_tr[:64], dtype=np.float32)
    t.step(2)
    assert t.model[0].params["w"].dtype == np.float32
    assert t.net.forward(x_tr[:3]).dtype == np.float32


def test_trainer_reproduces_optim_fit(digits):
    x_tr, _, y_tr, _ = digits
    model = build_cnn(seed=3)
    hist = fit(model, x_tr, y_tr, epochs=2, batch_size=32, lr=0.05, momentum=0.9, seed=3)
    run = train(x_tr, y_tr, epochs=2, lr=0.05, seed=3)
    np.testing.assert_allclose(run.filters, model[0].params["w"], atol=1e-12)
    np.testing.assert_allclose(run.history["loss"], hist["loss"], rtol=1e-10)
    np.testing.assert_allclose(run.history["accuracy"], hist["accuracy"])


def test_training_reaches_97_percent_and_is_seeded(digits):
    x_tr, x_te, y_tr, y_te = digits
    a = train(x_tr, y_tr, x_te, y_te, epochs=15, seed=0)
    assert a.history["test_accuracy"][-1] >= 0.97
    b = train(x_tr, y_tr, x_te, y_te, epochs=1, seed=0)
    assert b.history["loss"][0] == a.history["loss"][0]


def test_snapshots_steps_and_epochs(digits):
    x_tr, _, y_tr, _ = digits
    run = train(x_tr, y_tr, epochs=2, snapshot_steps=(0, 3, 50), snapshot_epochs=(0, 2))
    assert sorted(run.step_snapshots) == [0, 3, 50] and sorted(run.snapshots) == [0, 2]
    assert not np.array_equal(run.step_snapshots[0], run.step_snapshots[3])
    assert run.trainer.steps == 2 * run.trainer.steps_per_epoch


def test_constant_init_keeps_filters_identical(digits):
    x_tr, x_te, y_tr, y_te = digits
    const = train(x_tr, y_tr, x_te, y_te, epochs=3, init="constant")
    he = train(x_tr, y_tr, x_te, y_te, epochs=3, init="he_normal")
    assert filter_spread(const.filters) == 0.0
    assert filter_spread(he.filters) > 0.1
    assert const.history["test_accuracy"][-1] < he.history["test_accuracy"][-1]


def test_gradient_chain_levels_and_leaves_grads_alone(digits):
    x_tr, _, y_tr, _ = digits
    model = build_cnn(seed=0)
    before = {k: g.copy() for k, g in model.grads.items()}
    loss, levels = gradient_chain(model, x_tr[:16], y_tr[:16])
    assert [lv.name for lv in levels][:5] == ["scores", "features", "feature maps",
                                              "filter weights", "filter biases"]
    assert levels[2].shape == (16, 16, 8, 8) and levels[3].shape == (16, 1, 3, 3)
    assert all(lv.norm > 0 for lv in levels)
    assert abs(loss - np.log(10)) < 0.5
    for k, g in model.grads.items():
        np.testing.assert_array_equal(g, before[k])
    # the filter gradient is the layers' own
    logits = model.forward(x_tr[:16])
    model.backward(softmax_cross_entropy(logits, y_tr[:16])[1])
    np.testing.assert_allclose(levels[3].grad, model[0].grads["w"], atol=1e-12)


def test_count_parameters_matches_layers():
    for F, k, H, p, K in [(16, 3, 8, 2, 10), (5, 5, 10, 5, 3), (2, 7, 28, 28, 4)]:
        assert count_parameters(F, k, H, p, K) == build_cnn(
            n_filters=F, kernel_size=k, image_size=H, pool=p, n_classes=K).n_params


def test_feature_maps_are_relu_of_conv(digits):
    x_tr = digits[0]
    model = build_cnn(seed=0)
    maps = feature_maps(model, x_tr[0])
    assert maps.shape == (16, 8, 8) and maps.min() >= 0
    np.testing.assert_allclose(maps, np.maximum(model[0].forward(x_tr[:1]), 0)[0])


def test_bars_filters_become_interpretable():
    x, y = make_bars(480, size=28, seed=0, dtype=np.float32)
    xt, yt = make_bars(160, size=28, seed=1, dtype=np.float32)
    run = train(x, y, xt, yt, epochs=3, n_filters=8, kernel_size=7, pool=28, seed=0,
                dtype=np.float32)
    assert run.history["test_accuracy"][-1] >= 0.95


@pytest.mark.parametrize("kwargs,match", [
    ({"init": "nope"}, "init"), ({"kernel_size": 4}, "odd"), ({"pool": 3}, "divide"),
    ({"n_filters": 0}, "n_filters"), ({"n_classes": 1}, "n_classes"),
])
def test_build_cnn_bad_input(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build_cnn(**kwargs)


def test_trainer_bad_input(digits):
    x_tr, _, y_tr, _ = digits
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        Trainer(x_tr[:, 0], y_tr)
    with pytest.raises(ValueError, match="lr"):
        Trainer(x_tr, y_tr, lr=0)
    with pytest.raises(ValueError, match="momentum"):
        Trainer(x_tr, y_tr, momentum=1.0)
    with pytest.raises(ValueError, match="y_train"):
        Trainer(x_tr, y_tr[:-1])
    with pytest.raises(ValueError, match=r"FastCNN.forward: x must have shape"):
        FastCNN(build_cnn()).forward(np.zeros((2, 3, 8, 8)))
    with pytest.raises(TypeError, match="build_cnn network"):
        FastCNN(object())
